//! Remembered pages (#21): a person's Today, plan and results are kept in the server's memory
//! between visits, and must never show what has changed since — whoever changed it, through
//! this server or not — nor one viewer's page to another, nor news or a review that time has
//! moved on from.
use app::entities::{carer_grant, goal, plan_action, plan_change};
use chrono::Duration;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, EntityTrait as _, QueryFilter as _, Set,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::carers::carer;
use crate::db_test;
use crate::plan::{goal_and_action, make_patient, page};

db_test! {
    async fn a_change_made_outside_this_server_shows_on_the_persons_very_next_page(app) {
        let dora = make_patient(&app, "Dora Tester", "9434765919").await;
        goal_and_action(&app, &dora).await;
        for _ in 0..2 {
            assert!(page(&app, &dora, "/today").await.contains("Walk to the post office and back"));
            assert!(page(&app, &dora, "/plan").await.contains("Get back to bowls"));
        }
        // Another instance (here: the test's own connection, not the server) changes the
        // action and the goal.
        plan_action::Entity::update_many()
            .col_expr(plan_action::Column::What, Expr::value("Swim two lengths"))
            .filter(plan_action::Column::PatientId.eq(dora.patient_id))
            .exec(&app.db)
            .await
            .unwrap();
        let today = page(&app, &dora, "/today").await;
        assert!(today.contains("Swim two lengths") && !today.contains("Walk to the post office"), "{today}");
        goal::Entity::update_many()
            .col_expr(goal::Column::Title, Expr::value("Sing in the choir"))
            .filter(goal::Column::PatientId.eq(dora.patient_id))
            .exec(&app.db)
            .await
            .unwrap();
        let plan = page(&app, &dora, "/plan").await;
        assert!(plan.contains("Sing in the choir") && !plan.contains("Get back to bowls"), "{plan}");
        // A change to the person's own row shows too (their name, as the plan gives it).
        app::entities::patient::Entity::update_many()
            .col_expr(app::entities::patient::Column::FamilyName, Expr::value("Newname"))
            .filter(app::entities::patient::Column::Id.eq(dora.patient_id))
            .exec(&app.db)
            .await
            .unwrap();
        assert!(page(&app, &dora, "/plan").await.contains("Dora Newname"));
    }
}

db_test! {
    async fn a_carer_never_sees_the_page_remembered_for_the_person_and_a_narrowed_grant_shows_at_once(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        goal_and_action(&app, &ada).await;
        let sian = carer(&app, &ada, "Sian Tester", "read_plan log_actions", "active", None).await;
        for _ in 0..2 {
            let own = page(&app, &ada, "/today").await;
            assert!(own.contains("See your whole plan"), "{own}");
        }
        let theirs = page(&app, &sian, "/today").await;
        assert!(theirs.contains("See Ada&#x27;s whole plan") || theirs.contains("See Ada's whole plan"), "{theirs}");
        assert!(!theirs.contains("See your whole plan"), "the carer is not shown Ada's own page");
        assert!(theirs.contains("Walk to the post office and back") && theirs.contains("app-log-form"), "Sian may log: {theirs}");
        assert!(page(&app, &ada, "/today").await.contains("See your whole plan"), "nor Ada the carer's");

        // Ada's grant is narrowed outside this server: Sian's next Today has nothing to log.
        carer_grant::Entity::update_many()
            .col_expr(carer_grant::Column::Scopes, Expr::value("read_plan"))
            .filter(carer_grant::Column::CarerAccountId.eq(sian.account_id))
            .exec(&app.db)
            .await
            .unwrap();
        let narrowed = page(&app, &sian, "/today").await;
        assert!(!narrowed.contains("app-log-form"), "{narrowed}");
    }
}

db_test! {
    async fn news_from_the_care_team_leaves_today_after_two_weeks_to_the_minute_even_when_remembered(app) {
        let dora = make_patient(&app, "Dora Tester", "9434765919").await;
        goal_and_action(&app, &dora).await;
        // A change by a nurse that stops being news one minute from now.
        plan_change::Entity::insert(plan_change::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(dora.patient_id),
            at: Set(app.now() - Duration::days(14) + Duration::minutes(1)),
            actor_account_id: Set(None),
            actor_name: Set("Nurse Kemi Ade".into()),
            actor_kind: Set("professional".into()),
            section: Set("goals".into()),
            record_id: Set(None),
            summary: Set("Added a goal".into()),
            detail: Set("[]".into()),
        })
        .exec(&app.db)
        .await
        .unwrap();
        for _ in 0..2 {
            let today = page(&app, &dora, "/today").await;
            assert!(today.contains("New from your care team") && today.contains("Nurse Kemi Ade"), "{today}");
        }
        app.clock.advance(Duration::minutes(2));
        let today = page(&app, &dora, "/today").await;
        assert!(!today.contains("Nurse Kemi Ade"), "two weeks on, it is not news: {today}");
    }
}

db_test! {
    async fn every_table_that_names_a_person_moves_their_version_or_is_left_out_on_purpose(app) {
        let backend = app.db.get_database_backend();
        let (tables_sql, triggers_sql) = match backend {
            sea_orm::DatabaseBackend::Sqlite => (
                "SELECT m.name AS t FROM sqlite_master m, pragma_table_info(m.name) c \
                 WHERE m.type = 'table' AND c.name = 'patient_id'",
                "SELECT tbl_name AS t FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%version%'",
            ),
            _ => (
                "SELECT table_name::text AS t FROM information_schema.columns \
                 WHERE column_name = 'patient_id' AND table_schema = current_schema()",
                "SELECT event_object_table::text AS t FROM information_schema.triggers \
                 WHERE trigger_name LIKE '%version%'",
            ),
        };
        let names = |sql: &'static str| {
            let db = app.db.clone();
            async move {
                let rows = db.query_all_raw(sea_orm::Statement::from_string(backend, sql)).await.unwrap();
                let mut names: Vec<String> = rows.iter().map(|r| r.try_get::<String>("", "t").unwrap()).collect();
                names.sort();
                names.dedup();
                names
            }
        };
        let naming = names(tables_sql).await;
        let moving = names(triggers_sql).await;
        assert!(naming.len() >= 15, "the catalogue was read: {naming:?}");
        for table in &naming {
            let left_out = migration::data_version::LEFT_OUT.contains(&table.as_str());
            assert!(
                moving.contains(table) != left_out,
                "{table}: a table naming a person must move their version, or be listed as left out on purpose (and then not move it)"
            );
        }
        for (table, _, _) in migration::data_version::THROUGH {
            assert!(moving.contains(&(*table).to_owned()), "{table} moves the version of the person it reaches");
        }
        assert!(moving.contains(&"patients".to_owned()), "the person's own row moves it");
    }
}

db_test! {
    async fn a_server_set_to_keep_no_pages_reads_the_persons_today_afresh_on_every_visit(app) {
        let dora = make_patient(&app, "Dora Tester", "9434765919").await;
        goal_and_action(&app, &dora).await;
        // A second server over the same database that keeps no pages, counting its statements.
        let config = server::config::Config { remembered_pages: 0, ..app.config.clone() };
        let counting = crate::support::CountingServer::start(&app, config).await;
        let client = reqwest::Client::new();
        let mut counts = Vec::new();
        for _ in 0..3 {
            counting.reset();
            let res = client.get(format!("http://{}/today", counting.running.addr)).header("cookie", &dora.cookie).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let body = res.text().await.unwrap();
            assert!(body.contains("Walk to the post office and back"), "{body}");
            counts.push(counting.count());
        }
        counting.running.stop().await;
        // Remembered, a repeat visit runs 1 (`round_trips`); here each reads the page again
        // (the first visit also brings the session's expiry up to date).
        assert!(counts[1] > 1 && counts[2] == counts[1], "every visit reads Today afresh: {counts:?}");
    }
}

/// PostgreSQL only: SQLite has one writer at a time, so two writes there never hold rows
/// against each other.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_writes_for_one_person_that_lock_rows_in_opposite_orders_both_commit() {
    crate::support::run_on(crate::support::Backend::Postgres, |app| async move {
        use sea_orm::TransactionTrait as _;
        let dora = make_patient(&app, "Dora Tester", "9434765919").await;
        let (_, action) = goal_and_action(&app, &dora).await;
        let action: Uuid = action.parse().unwrap();
        let (status, _) = crate::plan::post_json(
            &app,
            &dora,
            "/api/plan/log",
            &[("action", &action.to_string()), ("outcome", "done")],
        )
        .await;
        assert_eq!(status, 200);
        let before = version_of(&app, dora.patient_id).await;

        // A phone's log changes the day's row, then (in the same transaction) its action's
        // streak; a retry of another log changes only the action. This is the order the log
        // service takes them in.
        let log_write = app.db.begin().await.unwrap();
        app::entities::action_log::Entity::update_many()
            .col_expr(
                app::entities::action_log::Column::Note,
                Expr::value("Felt good"),
            )
            .filter(app::entities::action_log::Column::ActionId.eq(action))
            .exec(&log_write)
            .await
            .unwrap();
        let action_write = app.db.begin().await.unwrap();
        let streak = plan_action::Entity::update_many()
            .col_expr(plan_action::Column::StreakCount, Expr::value(1))
            .filter(plan_action::Column::Id.eq(action))
            .exec(&action_write);
        // Were the person's row locked by the log's change, the action's change would wait for
        // it here, holding the action, and the log's transaction would then wait for the action:
        // PostgreSQL would end one of the two as a deadlock.
        tokio::time::timeout(std::time::Duration::from_secs(10), streak)
            .await
            .expect("the action's change does not wait for the log's transaction")
            .unwrap();
        let log_write = tokio::spawn(async move {
            plan_action::Entity::update_many()
                .col_expr(plan_action::Column::StreakCount, Expr::value(2))
                .filter(plan_action::Column::Id.eq(action))
                .exec(&log_write)
                .await?;
            log_write.commit().await
        });
        action_write
            .commit()
            .await
            .expect("the action's change commits");
        log_write
            .await
            .unwrap()
            .expect("the log's change commits after it");
        assert!(
            version_of(&app, dora.patient_id).await >= before + 2,
            "both moved Dora's version"
        );
    })
    .await;
}

async fn version_of(app: &crate::support::TestApp, patient: Uuid) -> i64 {
    app::entities::patient::Entity::find_by_id(patient)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .data_version
}

db_test! {
    async fn many_visits_at_once_after_a_change_read_the_page_once_and_all_see_the_change(app) {
        let dora = make_patient(&app, "Dora Tester", "9434765919").await;
        goal_and_action(&app, &dora).await;
        let counting = crate::support::CountingServer::start(&app, app.config.clone()).await;
        let client = reqwest::Client::new();
        let visit = || async {
            let res = client.get(format!("http://{}/today", counting.running.addr)).header("cookie", &dora.cookie).send().await.unwrap();
            assert_eq!(res.status(), 200);
            res.text().await.unwrap()
        };
        let (db, person) = (&app.db, dora.patient_id);
        let rename = |what: &'static str| async move {
            plan_action::Entity::update_many()
                .col_expr(plan_action::Column::What, Expr::value(what))
                .filter(plan_action::Column::PatientId.eq(person))
                .exec(db)
                .await
                .unwrap();
        };
        visit().await;
        counting.reset();
        visit().await;
        let remembered = counting.count();
        rename("Swim two lengths").await;
        counting.reset();
        assert!(visit().await.contains("Swim two lengths"));
        let afresh = counting.count();
        assert!(afresh > remembered, "a change makes the next visit read: {remembered} then {afresh}");

        rename("Sing in the choir").await;
        counting.reset();
        let pages = futures::future::join_all((0..8).map(|_| visit())).await;
        let together = counting.count();
        assert!(pages.iter().all(|p| p.contains("Sing in the choir") && !p.contains("Swim two lengths")), "every visit shows the change");
        // Each visit reads its session (with who is asking); the page itself is read once.
        assert_eq!(
            together,
            8 * remembered + (afresh - remembered),
            "8 visits at once after a change: {together} statements ({remembered} remembered, {afresh} afresh): {:?}",
            counting.seen.lock().unwrap()
        );
        counting.running.stop().await;
    }
}
