//! The person's plan over real HTTP: forms that work without JavaScript (post, redirect, get),
//! validation beside the field with nothing saved, logging rules, history, and who may see it.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use app::entities::{
    action_log, goal, organisation, patient, patient_condition, plan_action, plan_change,
};
use chrono::{Days, NaiveDate};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};
use uuid::Uuid;

use crate::db_test;
use crate::support::{TestApp, make_account, session_cookie_for};

pub struct Person {
    pub patient_id: Uuid,
    pub account_id: Uuid,
    pub cookie: String,
}

pub async fn make_patient(app: &TestApp, name: &str, nhs: &str) -> Person {
    let org = match organisation::Entity::find()
        .one(&app.db)
        .await
        .expect("orgs")
    {
        Some(o) => o.id,
        None => {
            let id = Uuid::new_v4();
            organisation::ActiveModel {
                id: Set(id),
                name: Set("Test Practice".into()),
                kind: Set("gp_practice".into()),
                ods_code: Set(None),
                created_at: Set(app.now()),
                pack_release_days: Set(14),
            }
            .insert(&app.db)
            .await
            .expect("org");
            id
        }
    };
    let account_id = make_account(app, name).await;
    let patient_id = Uuid::new_v4();
    patient::ActiveModel {
        id: Set(patient_id),
        account_id: Set(Some(account_id)),
        organisation_id: Set(org),
        given_name: Set(name.split(' ').next().unwrap_or(name).into()),
        family_name: Set("Tester".into()),
        date_of_birth: Set(NaiveDate::from_ymd_opt(1960, 1, 1).unwrap()),
        nhs_number: Set(nhs.into()),
        phone: Set(None),
        email: Set(None),
        time_zone: Set("Europe/London".into()),
        created_at: Set(app.now()),
        data_version: sea_orm::ActiveValue::NotSet,
    }
    .insert(&app.db)
    .await
    .expect("patient");
    patient_condition::ActiveModel {
        patient_id: Set(patient_id),
        condition: Set("copd".into()),
    }
    .insert(&app.db)
    .await
    .expect("condition");
    let cookie = session_cookie_for(app, account_id).await;
    Person {
        patient_id,
        account_id,
        cookie,
    }
}

/// Posts a form with the given `accept` header.
async fn post(
    app: &TestApp,
    who: &Person,
    path: &str,
    fields: &[(&str, &str)],
    accept: &str,
) -> reqwest::Response {
    app.client()
        .post(app.url(path))
        .header("cookie", &who.cookie)
        .header("accept", accept)
        .form(fields)
        .send()
        .await
        .expect("post")
}

/// Posts a form as a browser does without JavaScript; returns the status and Location.
pub async fn post_form(
    app: &TestApp,
    who: &Person,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let res = post(app, who, path, fields, "text/html").await;
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    (res.status().as_u16(), location)
}

/// Posts as a program would (JSON back), to see the plain answer.
pub async fn post_json(
    app: &TestApp,
    who: &Person,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let res = post(app, who, path, fields, "application/json").await;
    let status = res.status().as_u16();
    (status, res.text().await.unwrap_or_default())
}

pub async fn page(app: &TestApp, who: &Person, path: &str) -> String {
    let res = app
        .client()
        .get(app.url(path))
        .header("cookie", &who.cookie)
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status().as_u16(), 200, "GET {path}");
    res.text().await.expect("body")
}

pub(crate) fn goal_fields<'a>(title: &'a str, importance: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("why", "So I can see my friends"),
        ("importance", importance),
        ("success", "A full game on Saturday"),
        ("target_date", ""),
        ("status", "in_progress"),
        ("conditions_copd", "on"),
    ]
}

fn action_fields(goal: &str) -> Vec<(&str, &str)> {
    vec![
        ("goal", goal),
        ("what", "Walk to the post office and back"),
        ("who_kind", "me"),
        ("who_name", ""),
        ("frequency", "daily"),
        ("times_per_week", ""),
        ("due_by", ""),
        ("time_of_day", "morning"),
        ("confidence", "7"),
        ("status", "in_progress"),
    ]
}

/// Adds a goal and a daily action through the forms; returns (goal id, action id).
pub(crate) async fn goal_and_action(app: &TestApp, who: &Person) -> (String, String) {
    let (status, location) = post_form(
        app,
        who,
        "/api/plan/goal",
        &goal_fields("Get back to bowls", "8"),
    )
    .await;
    assert_eq!(status, 302);
    let goal = location
        .strip_prefix("/plan/goals/")
        .filter(|id| *id != "new")
        .map(str::to_owned);
    let Some(goal) = goal else {
        let (_, body) = post_json(
            app,
            who,
            "/api/plan/goal",
            &goal_fields("Get back to bowls", "8"),
        )
        .await;
        panic!("the goal was not saved: {location}: {body}");
    };
    let (status, location) =
        post_form(app, who, "/api/plan/action_save", &action_fields(&goal)).await;
    assert_eq!(status, 302, "{location}");
    let Some(action) = location.strip_prefix("/plan/actions/").map(str::to_owned) else {
        let page = page(app, who, &location).await;
        let problem = page
            .split("nhsuk-error-summary__list")
            .nth(1)
            .unwrap_or(&page);
        panic!(
            "the action was not saved: {location}: {}",
            &problem[..problem.len().min(600)]
        );
    };
    (goal, action)
}

fn today_of(app: &TestApp) -> NaiveDate {
    app::plan::service::today_in("Europe/London", app::clock::Clock::now(&app.clock))
}

db_test! {
    async fn a_person_adds_a_goal_and_action_then_logs_and_undoes_it_without_javascript(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let (goal, action) = goal_and_action(&app, &me).await;
        let action_page = page(&app, &me, &format!("/plan/actions/{action}")).await;
        assert!(action_page.contains("Your action is saved"), "the notice follows the redirect");
        let goal_page = page(&app, &me, &format!("/plan/goals/{goal}")).await;
        assert!(!goal_page.contains("is saved"), "and is shown only once");
        assert!(goal_page.contains("Walk to the post office and back"));

        let today = page(&app, &me, "/today").await;
        assert!(today.contains("Walk to the post office and back"), "a daily action is due today");
        assert!(today.contains(r#"name="outcome" value="done""#));

        let (status, location) = post_form(&app, &me, "/api/plan/log", &[
            ("action", &action), ("outcome", "done"), ("back", "/today"), ("note", "Went with my neighbour"),
        ]).await;
        assert_eq!((status, location.as_str()), (302, "/today"));
        let today = page(&app, &me, "/today").await;
        assert!(today.contains("Today: Done"), "the log shows on Today");
        assert!(today.contains("Went with my neighbour"));
        assert!(today.contains("1 day in a row"));
        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 1);

        let day = today_of(&app).to_string();
        let (status, _) = post_form(&app, &me, "/api/plan/undo", &[("action", &action), ("day", &day), ("back", "/today")]).await;
        assert_eq!(status, 302);
        let today = page(&app, &me, "/today").await;
        assert!(!today.contains("Today: Done"));
        assert!(today.contains("Undone"));
        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

db_test! {
    async fn a_goal_with_mistakes_shows_each_message_beside_its_field_keeps_the_answers_and_saves_nothing(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let mut fields = goal_fields("   ", "12");
        fields[1] = ("why", "Because my grandson plays");
        let (status, location) = post_form(&app, &me, "/api/plan/goal", &fields).await;
        assert_eq!((status, location.as_str()), (302, "/plan/goals/new"), "back to the form");
        let form = page(&app, &me, "/plan/goals/new").await;
        assert!(form.contains("There is a problem"));
        assert!(form.contains(r#"id="goal-title-error""#) && form.contains("Enter your goal"));
        assert!(form.contains(r#"id="goal-importance-error""#) && form.contains("Choose how important it is from 1 to 10"));
        assert!(form.contains("Because my grandson plays"), "what the person wrote is kept");
        assert_eq!(goal::Entity::find().count(&app.db).await.unwrap(), 0, "nothing saved");
        assert_eq!(plan_change::Entity::find().count(&app.db).await.unwrap(), 0, "no history either");

        let again = page(&app, &me, "/plan/goals/new").await;
        assert!(!again.contains("There is a problem"), "the messages are shown once");

        let (status, body) = post_json(&app, &me, "/api/plan/goal", &goal_fields("", "5")).await;
        assert_eq!(status, 422, "a program gets the plain validation error: {body}");
    }
}

db_test! {
    async fn logs_can_be_backdated_up_to_seven_days_and_never_into_the_future(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let (_, action) = goal_and_action(&app, &me).await;
        // The action started today; pretend it started a fortnight ago.
        let row = plan_action::Entity::find_by_id(Uuid::parse_str(&action).unwrap()).one(&app.db).await.unwrap().unwrap();
        let today = today_of(&app);
        let mut model: plan_action::ActiveModel = row.into();
        model.starts_on = Set(today - Days::new(14));
        model.update(&app.db).await.unwrap();

        let day = |back: u64| (today - Days::new(back)).to_string();
        let log = |d: String| {
            let app = app.clone();
            let action = action.clone();
            let cookie = me.cookie.clone();
            async move {
                let who = Person { patient_id: Uuid::nil(), account_id: Uuid::nil(), cookie };
                post_json(&app, &who, "/api/plan/log", &[("action", &action), ("outcome", "partly"), ("day", &d)]).await
            }
        };
        assert_eq!(log(day(7)).await.0, 200, "7 days ago is allowed");
        let (status, body) = log(day(8)).await;
        assert_eq!(status, 422);
        assert!(body.contains("You can only record today and the 7 days before"), "{body}");
        let tomorrow = (today + Days::new(1)).to_string();
        let (status, body) = log(tomorrow).await;
        assert_eq!(status, 422);
        assert!(body.contains("has not happened yet"), "{body}");
        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 1);

        // Logging a day again changes it rather than adding a second record.
        let (status, _) = post_json(&app, &me, "/api/plan/log", &[("action", &action), ("outcome", "done"), ("day", &day(7))]).await;
        assert_eq!(status, 200);
        let rows = action_log::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].outcome, "done");

        // A week on, that day is history and can no longer be undone.
        app.clock.advance(chrono::Duration::days(1));
        let me = Person { cookie: session_cookie_for(&app, me.account_id).await, ..me };
        let (status, _) = post_json(&app, &me, "/api/plan/undo", &[("action", &action), ("day", &day(7))]).await;
        assert_eq!(status, 422);
        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 1);
    }
}

db_test! {
    async fn a_retried_log_with_the_same_client_id_is_stored_once(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let (_, action) = goal_and_action(&app, &me).await;
        let client_id = Uuid::new_v4().to_string();
        for _ in 0..3 {
            let (status, _) = post_json(&app, &me, "/api/plan/log", &[("action", &action), ("outcome", "done"), ("client_id", &client_id)]).await;
            assert_eq!(status, 200);
        }
        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 1);
    }
}

db_test! {
    async fn only_the_plans_owner_can_read_or_change_it(app) {
        let owner = make_patient(&app, "Dora Tester", "9434765919").await;
        let other = make_patient(&app, "Eric Other", "9991234519").await;
        let (goal, action) = goal_and_action(&app, &owner).await;

        let (status, _) = post_json(&app, &other, "/api/plan/log", &[("action", &action), ("outcome", "done")]).await;
        assert_eq!(status, 404, "someone else's action looks missing");
        let mut edit = goal_fields("Hijacked", "1");
        edit.push(("id", &goal));
        let (status, _) = post_json(&app, &other, "/api/plan/goal", &edit).await;
        assert_eq!(status, 404);
        let (status, _) = post_json(&app, &other, "/api/plan/action", &[("id", &action)]).await;
        assert_eq!(status, 404, "reading it fails the same way");
        let stolen = app.client().get(app.url(&format!("/plan/actions/{action}"))).header("cookie", &other.cookie).send().await.unwrap();
        assert_eq!(stolen.status().as_u16(), 404);
        let stolen = stolen.text().await.unwrap();
        assert!(stolen.contains("Page not found"));
        assert!(!stolen.contains("Walk to the post office"));
        let their_plan = page(&app, &other, "/plan").await;
        assert!(!their_plan.contains("Get back to bowls"), "each person sees only their own plan");

        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 0);
        let g = goal::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(g.title, "Get back to bowls", "unchanged");
        assert_eq!(g.patient_id, owner.patient_id);

        let stranger = app.client().post(app.url("/api/plan/plan")).header("accept", "application/json").send().await.unwrap();
        assert_eq!(stranger.status().as_u16(), 401, "signed out: sign in first");
        let _ = other.account_id;
    }
}

db_test! {
    async fn every_change_is_versioned_with_who_when_and_the_values_before_and_after(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let (goal, action) = goal_and_action(&app, &me).await;
        let mut fields = action_fields(&goal);
        fields[8] = ("confidence", "9");
        fields[4] = ("frequency", "weekly");
        fields[5] = ("times_per_week", "3");
        fields.push(("id", &action));
        let (status, _) = post_form(&app, &me, "/api/plan/action_save", &fields).await;
        assert_eq!(status, 302);

        let history = page(&app, &me, "/plan/history").await;
        assert!(history.contains("Changed the action"));
        assert!(history.contains("7 out of 10") && history.contains("9 out of 10"), "confidence before and after");
        assert!(history.contains("Every day") && history.contains("3 times a week"), "frequency before and after");
        assert!(history.contains("Dora Tester"));
        let plan = page(&app, &me, "/plan").await;
        assert!(plan.contains("Last updated by Dora Tester on"));

        // Saving without a change adds nothing to the history.
        let before = plan_change::Entity::find().count(&app.db).await.unwrap();
        let (status, _) = post_form(&app, &me, "/api/plan/action_save", &fields).await;
        assert_eq!(status, 302);
        assert_eq!(plan_change::Entity::find().count(&app.db).await.unwrap(), before);
        let _ = me.account_id;
    }
}

db_test! {
    async fn about_me_contingency_contacts_and_support_are_saved_and_shown_in_prsb_order(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let (goal, _) = goal_and_action(&app, &me).await;
        assert_eq!(post_form(&app, &me, "/api/plan/about_me", &[("what_matters", "Walking my dog Bess"), ("supported_by", "My son")]).await.0, 302);
        assert_eq!(post_form(&app, &me, "/api/plan/contingency", &[("warning_signs", "Phlegm changes colour")]).await.0, 302);
        let (status, location) = post_form(&app, &me, "/api/plan/contact_add", &[("name", "NHS 111"), ("phone", "call me maybe")]).await;
        assert_eq!((status, location.as_str()), (302, "/plan/contingency"));
        assert!(page(&app, &me, "/plan/contingency").await.contains("Enter a phone number, like"));
        assert_eq!(post_form(&app, &me, "/api/plan/contact_add", &[("name", "Practice"), ("role", "GP"), ("phone", "01632 960 001")]).await.0, 302);
        assert_eq!(post_form(&app, &me, "/api/plan/support_add", &[("name", "Breathe Easy group"), ("goal", &goal)]).await.0, 302);

        let plan = page(&app, &me, "/plan").await;
        let at = |text: &str| plan.find(text).unwrap_or_else(|| panic!("{text} is on the plan"));
        assert!(at("Walking my dog Bess") < at("Get back to bowls"));
        assert!(at("Get back to bowls") < at("Phlegm changes colour"));
        assert!(at("Phlegm changes colour") < at("Breathe Easy group"));
        assert!(plan.contains(r#"href="tel:01632960001""#), "tap to call");
        assert!(!plan.contains("call me maybe"), "the bad contact was not saved");
    }
}

db_test! {
    async fn the_today_page_runs_the_same_number_of_queries_for_a_week_or_two_years_of_logs(app) {
        demo::seed_demo(&app.state.app).await.expect("seed");
        let margaret = patient::Entity::find().filter(patient::Column::GivenName.eq("Margaret")).one(&app.db).await.unwrap().unwrap();
        let logs = action_log::Entity::find().filter(action_log::Column::PatientId.eq(margaret.id)).count(&app.db).await.unwrap();
        assert!(logs > 1000, "two years of logs: {logs}");
        let newcomer = make_patient(&app, "Dora Tester", "9434765919").await;
        goal_and_action(&app, &newcomer).await;

        let mut db = server::db::connect(&app.target).await.expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let prepared = server::prepare_with(app.config.clone(), Arc::new(app.clock.clone()), db, app.target.clone()).await.expect("prepare");
        let state = prepared.state.app;
        let mut counts = Vec::new();
        for account in [margaret.account_id.unwrap(), newcomer.account_id] {
            statements.store(0, Ordering::SeqCst);
            let ctx = app::plan::service::context(&state, account, app::access::Permission::ReadPlan).await.expect("context");
            let today = app::plan::service::today(&state, &ctx).await.expect("today");
            assert!(!today.due.is_empty());
            counts.push(statements.load(Ordering::SeqCst));
        }
        assert_eq!(counts[0], counts[1], "queries for 2 years vs 1 day of logs: {counts:?}");
        assert!(counts[0] <= 10, "a handful of queries: {counts:?}");
    }
}

db_test! {
    async fn demo_patients_have_plans_with_two_years_of_logs_and_news_from_the_care_team(app) {
        demo::seed_demo(&app.state.app).await.expect("seed");
        for p in patient::Entity::find().all(&app.db).await.unwrap() {
            let goals = goal::Entity::find().filter(goal::Column::PatientId.eq(p.id)).count(&app.db).await.unwrap();
            assert!(goals >= 2, "{} has goals", p.given_name);
            let first = action_log::Entity::find().filter(action_log::Column::PatientId.eq(p.id)).all(&app.db).await.unwrap()
                .into_iter().map(|l| l.day).min().expect("logs");
            assert!((today_of(&app) - first).num_days() >= 700, "about two years of logs");
        }
        let margaret = patient::Entity::find().filter(patient::Column::GivenName.eq("Margaret")).one(&app.db).await.unwrap().unwrap();
        let who = Person { patient_id: margaret.id, account_id: margaret.account_id.unwrap(), cookie: session_cookie_for(&app, margaret.account_id.unwrap()).await };
        let today = page(&app, &who, "/today").await;
        assert!(today.contains("Check my feet for cuts or colour changes"));
        assert!(today.contains("New from your care team"));
        assert!(today.contains("Dr Priya Shah"));
        let plan = page(&app, &who, "/plan").await;
        assert!(plan.contains("Walk to the post office and back"));
        assert!(plan.contains("In the last 4 weeks you did"));
        assert!(plan.contains("You agreed this plan with Dr Priya Shah, Riverside Medical Practice on"), "the demo plan was agreed");
    }
}

db_test! {
    async fn logs_of_one_day_sent_at_once_make_one_row_and_none_fails(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let (_, action) = goal_and_action(&app, &me).await;
        // Eight phones (or retries) at once: half resend one log with the same client id,
        // half are new logs of the same action and day.
        let retried = Uuid::new_v4().to_string();
        let ids: Vec<String> = (0..8)
            .map(|i| if i % 2 == 0 { retried.clone() } else { Uuid::new_v4().to_string() })
            .collect();
        let sends = ids.iter().map(|client_id| {
            let (app, me, action) = (&app, &me, &action);
            async move {
                post_json(app, me, "/api/plan/log", &[("action", action), ("outcome", "done"), ("client_id", client_id)]).await
            }
        });
        let answers = futures::future::join_all(sends).await;
        let statuses: Vec<u16> = answers.iter().map(|(s, _)| *s).collect();
        assert!(statuses.iter().all(|s| *s == 200), "every send is accepted: {statuses:?} {answers:?}");
        let rows = action_log::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(rows.len(), 1, "one day, one row");
        assert_eq!(rows[0].outcome, "done");
    }
}

db_test! {
    async fn streaks_are_told_in_the_actions_own_unit_and_an_achieved_goal_says_achieved(app) {
        use chrono::Datelike as _;
        // From midday, so that seven days on is seven dates on even across a change to or from
        // summer time (from 23:30 on a Saturday in March, 7 × 24 hours lands on the Sunday after
        // next, and the Saturday between is rightly a day not logged).
        let midday = app.now().date_naive().and_hms_opt(12, 0, 0).unwrap().and_utc();
        app.clock.set(midday);
        let mut me = make_patient(&app, "Dora Tester", "9434765919").await;
        let (goal, daily) = goal_and_action(&app, &me).await;
        let mut friday_fields = action_fields(&goal);
        friday_fields.retain(|(k, _)| !matches!(*k, "frequency" | "what"));
        friday_fields.extend([("frequency", "weekdays"), ("weekdays_fri", "on"), ("what", "Swim at the leisure centre")]);
        let (status, location) = post_form(&app, &me, "/api/plan/action_save", &friday_fields).await;
        assert_eq!(status, 302, "{location}");
        let friday = location.strip_prefix("/plan/actions/").expect("saved").to_owned();

        // Three weeks, logged at the end of each (up to 7 days back is allowed).
        let start = today_of(&app);
        for week in 0..3u64 {
            app.clock.advance(chrono::Duration::days(7));
            me.cookie = session_cookie_for(&app, me.account_id).await;
            for offset in 0..7u64 {
                let day = start + Days::new(week * 7 + offset);
                let day_text = day.to_string();
                let (status, _) = post_form(&app, &me, "/api/plan/log", &[("action", &daily), ("day", &day_text), ("outcome", "done"), ("back", "/today")]).await;
                assert_eq!(status, 302);
                if day.weekday() == chrono::Weekday::Fri {
                    let (status, _) = post_form(&app, &me, "/api/plan/log", &[("action", &friday), ("day", &day_text), ("outcome", "done"), ("back", "/today")]).await;
                    assert_eq!(status, 302);
                }
            }
        }
        let plan = page(&app, &me, "/plan").await;
        assert!(plan.contains("21 days in a row"), "{plan}");
        assert!(plan.contains("3 Fridays in a row"), "a Friday-only action counts Fridays, not days: {plan}");

        // An achieved goal says so, not "0%".
        let mut achieved = goal_fields("Get back to bowls", "8");
        achieved.retain(|(k, _)| *k != "status");
        achieved.extend([("status", "achieved"), ("id", goal.as_str())]);
        let (status, _) = post_form(&app, &me, "/api/plan/goal", &achieved).await;
        assert_eq!(status, 302);
        let goal_page = page(&app, &me, &format!("/plan/goals/{goal}")).await;
        assert!(goal_page.contains("Achieved."), "{goal_page}");
    }
}
