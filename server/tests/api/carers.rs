//! Carers with delegated access, through the one policy: a matrix of roles × resources × verbs
//! where exactly the expected cells reach the person's record and every other one gets the same
//! not-found; grants the person changes taking effect on the next request; mass assignment
//! refused; the access log.
use app::entities::{action_log, agenda_answer, carer_grant, goal, plan_action};
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};
use uuid::Uuid;

use crate::conversation::{make_org, member, practice_of};
use crate::db_test;
use crate::plan::{Person, make_patient, page, post_form, post_json};
use crate::results::add_hba1c;
use crate::support::{TestApp, make_account, session_cookie_for};

/// A carer of `of` with these scopes, signed in.
pub(crate) async fn carer(
    app: &TestApp,
    of: &Person,
    name: &str,
    scopes: &str,
    status: &str,
    ends_in_days: Option<i64>,
) -> Person {
    let account_id = make_account(app, name).await;
    carer_grant::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(of.patient_id),
        carer_account_id: Set(account_id),
        relationship: Set("Daughter".into()),
        scopes: Set(scopes.into()),
        status: Set(status.into()),
        ends_on: Set(ends_in_days.map(|d| (app.now() + Duration::days(d)).date_naive())),
        granted_by: Set(of.account_id),
        granted_by_kind: Set("patient".into()),
        legal_basis: Set(None),
        created_at: Set(app.now()),
        activated_at: Set(Some(app.now())),
        ended_at: Set(None),
        ended_by: Set(None),
        ended_reason: Set(None),
    }
    .insert(&app.db)
    .await
    .expect("grant");
    Person {
        patient_id: Uuid::nil(),
        account_id,
        cookie: session_cookie_for(app, account_id).await,
    }
}

struct Record {
    id: String,
    goal: String,
    action: String,
    spare_grant: String,
    passkey: String,
}

/// Ada's record: a goal and an action, a released result, a pack with a prompt, and an invited
/// carer whose grant the grant cells work on.
async fn adas_record(app: &TestApp, ada: &Person, dr: &Person) -> Record {
    let id = ada.patient_id.to_string();
    let (status, _) = post_form(
        app,
        ada,
        "/api/plan/goal",
        &[
            ("title", "ADA-GOAL walk again"),
            ("importance", "8"),
            ("status", "in_progress"),
        ],
    )
    .await;
    assert_eq!(status, 302);
    let g = goal::Entity::find()
        .filter(goal::Column::PatientId.eq(ada.patient_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    let action = [
        ("goal", g.id.to_string()),
        ("what", "ADA-ACTION stretch".into()),
        ("who_kind", "me".into()),
        ("frequency", "daily".into()),
        ("time_of_day", "any".into()),
        ("confidence", "7".into()),
        ("status", "in_progress".into()),
    ];
    let action: Vec<(&str, &str)> = action.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        post_form(app, ada, "/api/plan/action_save", &action)
            .await
            .0,
        302
    );
    let a = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.eq(ada.patient_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap();
    add_hba1c(app, ada, 61.0, 3).await;
    let date = (app.now() + Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let booking = [
        ("patient_id", id.as_str()),
        ("date", &date),
        ("time", "10:00"),
        ("with_whom", "Dr Ash"),
        ("mode", "phone"),
    ];
    assert_eq!(
        post_json(app, dr, "/api/team/review", &booking).await.0,
        200
    );
    assert_eq!(
        post_json(app, dr, "/api/team/release", &[("patient_id", id.as_str())])
            .await
            .0,
        200
    );
    let spare = carer(app, ada, "Spare Carer", "read_plan", "invited", None).await;
    let spare_grant = carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(spare.account_id))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id
        .to_string();
    let passkey = Uuid::new_v4();
    app::entities::passkey::ActiveModel {
        id: Set(passkey),
        account_id: Set(ada.account_id),
        credential_id: Set(format!("cred-{passkey}")),
        name: Set("ADA-KEY".into()),
        passkey: Set("{}".into()),
        counter: Set(0),
        backup_eligible: Set(false),
        backup_state: Set(false),
        created_at: Set(app.now()),
        last_used_at: Set(None),
    }
    .insert(&app.db)
    .await
    .expect("passkey");
    Record {
        id,
        goal: g.id.to_string(),
        action: a.id.to_string(),
        spare_grant,
        passkey: passkey.to_string(),
    }
}

const CELLS: [(&str, &str); 15] = [
    ("plan", "read"),
    ("goals", "create"),
    ("goals", "update"),
    ("actions", "read"),
    ("action logs", "create"),
    ("results", "list"),
    ("preparation answers", "read"),
    ("preparation answers", "update"),
    ("grants", "list"),
    ("grants", "create"),
    ("grants", "update"),
    ("grants", "delete"),
    ("access log", "read"),
    ("passkeys", "list"),
    ("passkeys", "update"),
];

/// Tries one cell as `who` (the person's own pages, or the care team's for staff). Returns the
/// HTTP answer and whether Ada's record was reached (read, or changed).
async fn try_cell(
    app: &TestApp,
    who: &Person,
    staff: bool,
    tag: &str,
    r: &Record,
    cell: (&str, &str),
) -> (u16, String, bool) {
    let ada = Uuid::parse_str(&r.id).unwrap();
    let answer_of = || async {
        agenda_answer::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .any(|a| a.answer.contains(tag))
    };
    let goal_named = |title: String| async move {
        goal::Entity::find()
            .filter(goal::Column::PatientId.eq(ada))
            .filter(goal::Column::Title.eq(title))
            .one(&app.db)
            .await
            .unwrap()
            .is_some()
    };
    let grant = |id: String| async move {
        carer_grant::Entity::find_by_id(Uuid::parse_str(&id).unwrap())
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
    };
    match cell {
        ("plan", "read") => {
            let (s, b) = if staff {
                post_json(app, who, "/api/team/plan", &[("patient_id", &r.id)]).await
            } else {
                post_json(app, who, "/api/plan/plan", &[]).await
            };
            let hit = s == 200 && b.contains("ADA-GOAL");
            (s, b, hit)
        }
        ("goals", "create") => {
            let title = format!("NEW {tag}");
            let fields = [
                ("patient_id", r.id.as_str()),
                ("title", &title),
                ("importance", "5"),
                ("status", "not_started"),
            ];
            let (s, b) = post_json(
                app,
                who,
                if staff {
                    "/api/team/goal"
                } else {
                    "/api/plan/goal"
                },
                &fields,
            )
            .await;
            (s, b, goal_named(title).await)
        }
        ("goals", "update") => {
            let title = format!("ADA-GOAL {tag}");
            let fields = [
                ("id", r.goal.as_str()),
                ("patient_id", &r.id),
                ("title", &title),
                ("importance", "8"),
                ("status", "in_progress"),
            ];
            let (s, b) = post_json(
                app,
                who,
                if staff {
                    "/api/team/goal"
                } else {
                    "/api/plan/goal"
                },
                &fields,
            )
            .await;
            (s, b, goal_named(title).await)
        }
        ("actions", "read") => {
            let (s, b) = post_json(app, who, "/api/plan/action", &[("id", &r.action)]).await;
            let hit = s == 200 && b.contains("ADA-ACTION");
            (s, b, hit)
        }
        ("action logs", "create") => {
            // A day nobody has recorded yet (a carer may not change the person's own entry).
            action_log::Entity::delete_many()
                .exec(&app.db)
                .await
                .unwrap();
            let (s, b) = post_json(
                app,
                who,
                "/api/plan/log",
                &[("action", &r.action), ("outcome", "done"), ("note", tag)],
            )
            .await;
            let hit = action_log::Entity::find()
                .all(&app.db)
                .await
                .unwrap()
                .iter()
                .any(|l| l.note.as_deref() == Some(tag));
            // Undo it again, so the next role can log the same day.
            if hit {
                post_json(app, who, "/api/plan/undo", &[("action", &r.action)]).await;
            }
            (s, b, hit)
        }
        ("results", "list") => {
            let (s, b) = if staff {
                post_json(app, who, "/api/team/person", &[("patient_id", &r.id)]).await
            } else {
                post_json(app, who, "/api/results/list", &[]).await
            };
            let hit = s == 200 && b.contains("61");
            (s, b, hit)
        }
        ("preparation answers", "read") => {
            let (s, b) = if staff {
                post_json(app, who, "/api/team/conversation", &[("patient_id", &r.id)]).await
            } else {
                post_json(app, who, "/api/preparation/mine", &[]).await
            };
            let hit = s == 200 && b.contains("What is important to you right now?");
            (s, b, hit)
        }
        ("preparation answers", "update") => {
            let (s, b) = post_json(
                app,
                who,
                "/api/preparation/answers",
                &[("answer_0", tag), ("intent", "draft")],
            )
            .await;
            (s, b, answer_of().await)
        }
        ("grants", "list") => {
            let (s, b) = post_json(app, who, "/api/carers/list", &[]).await;
            let hit = s == 200 && b.contains("Spare Carer");
            (s, b, hit)
        }
        ("grants", "create") => {
            let name = format!("Invited {tag}");
            let (s, b) = post_json(
                app,
                who,
                "/api/carers/invite",
                &[
                    ("name", &name),
                    ("relationship", "Friend"),
                    ("scopes_read_plan", "on"),
                ],
            )
            .await;
            let invited = app::entities::account::Entity::find()
                .filter(app::entities::account::Column::DisplayName.eq(name))
                .all(&app.db)
                .await
                .unwrap();
            let hit = carer_grant::Entity::find()
                .filter(carer_grant::Column::PatientId.eq(ada))
                .all(&app.db)
                .await
                .unwrap()
                .iter()
                .any(|g| invited.iter().any(|a| a.id == g.carer_account_id));
            (s, b, hit)
        }
        ("grants", "update") => {
            let before = grant(r.spare_grant.clone()).await.scopes;
            let (s, b) = post_json(
                app,
                who,
                "/api/carers/scopes",
                &[("grant_id", &r.spare_grant), ("scopes_read_results", "on")],
            )
            .await;
            let after = grant(r.spare_grant.clone()).await.scopes;
            if after != before {
                let mut g: carer_grant::ActiveModel = grant(r.spare_grant.clone()).await.into();
                g.scopes = Set(before);
                g.update(&app.db).await.unwrap();
            }
            (s, b, after == "read_results")
        }
        ("grants", "delete") => {
            let (s, b) = post_json(
                app,
                who,
                "/api/carers/revoke",
                &[("grant_id", &r.spare_grant)],
            )
            .await;
            let g = grant(r.spare_grant.clone()).await;
            let hit = g.status == "revoked";
            if hit {
                let mut g: carer_grant::ActiveModel = g.into();
                g.status = Set("invited".into());
                g.update(&app.db).await.unwrap();
            }
            (s, b, hit)
        }
        ("access log", "read") => {
            let (s, b) = post_json(app, who, "/api/carers/access_log", &[]).await;
            let hit = s == 200 && b.contains("booked your review");
            (s, b, hit)
        }
        ("passkeys", "list") => {
            let (s, b) = post_json(app, who, "/api/auth/passkeys", &[]).await;
            let hit = s == 200 && b.contains("ADA-KEY");
            (s, b, hit)
        }
        ("passkeys", "update") => {
            let (s, b) = post_json(
                app,
                who,
                "/api/auth/passkey_rename",
                &[("id", &r.passkey), ("name", tag)],
            )
            .await;
            let key =
                app::entities::passkey::Entity::find_by_id(Uuid::parse_str(&r.passkey).unwrap())
                    .one(&app.db)
                    .await
                    .unwrap()
                    .unwrap();
            let hit = key.name == tag;
            if hit {
                let mut key: app::entities::passkey::ActiveModel = key.into();
                key.name = Set("ADA-KEY".into());
                key.update(&app.db).await.unwrap();
            }
            (s, b, hit)
        }
        other => panic!("no such cell {other:?}"),
    }
}

db_test! {
    async fn exactly_the_expected_roles_reach_each_part_of_the_record_and_the_rest_get_the_same_not_found(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let dr = member(&app, home, "clinician", "Dr Own").await;
        let record = adas_record(&app, &ada, &dr).await;
        let ben = make_patient(&app, "Ben Other", "9434765870").await;
        let hillside = make_org(&app, "Hillside Surgery", "gp_practice").await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let social_no = make_org(&app, "Lakeside Social Care", "social_care_team").await;
        post_json(&app, &ada, "/api/sharing/share", &[("organisation", &social.to_string())]).await;

        let mut roles: Vec<(String, Person, bool)> = Vec::new();
        roles.push(("patient B".into(), ben, false));
        for scope in ["read_plan", "read_results", "log_actions", "answer_agenda", "change_plan", "reminders"] {
            roles.push((format!("carer: {scope}"), carer(&app, &ada, &format!("Carer {scope}"), scope, "active", None).await, false));
        }
        roles.push(("carer: all".into(), carer(&app, &ada, "Carer All", "read_plan read_results log_actions answer_agenda change_plan reminders", "active", Some(30)).await, false));
        roles.push(("carer: expired".into(), carer(&app, &ada, "Carer Expired", "read_plan read_results log_actions answer_agenda change_plan", "active", Some(-1)).await, false));
        roles.push(("carer: revoked".into(), carer(&app, &ada, "Carer Revoked", "read_plan read_results log_actions answer_agenda change_plan", "revoked", None).await, false));
        roles.push(("staff: A's practice".into(), dr, true));
        roles.push(("staff: other practice".into(), member(&app, hillside, "clinician", "Dr Other").await, true));
        roles.push(("social care, consent".into(), member(&app, social, "social_care_worker", "Sol Yes").await, true));
        roles.push(("social care, no consent".into(), member(&app, social_no, "social_care_worker", "Sol No").await, true));
        roles.push(("anonymous".into(), Person { patient_id: Uuid::nil(), account_id: Uuid::nil(), cookie: String::new() }, false));
        roles.push(("patient A".into(), ada, false));

        let expected = |role: &str, cell: (&str, &str)| -> bool {
            let scope = role.strip_prefix("carer: ");
            let carer_has = |s: &[&str]| scope.is_some_and(|sc| sc == "all" || s.contains(&sc));
            match role {
                "patient A" => true,
                "staff: A's practice" | "social care, consent" => matches!(cell,
                    ("plan", "read") | ("goals", "create") | ("goals", "update") | ("results", "list") | ("preparation answers", "read")),
                _ => match cell {
                    ("plan", "read") | ("actions", "read") => carer_has(&["read_plan", "log_actions", "change_plan"]),
                    ("goals", _) => carer_has(&["change_plan"]),
                    ("action logs", _) => carer_has(&["log_actions"]),
                    ("results", _) => carer_has(&["read_results"]),
                    ("preparation answers", _) => carer_has(&["answer_agenda"]),
                    _ => false,
                },
            }
        };

        let (_, not_found) = post_json(&app, &roles[1].1, "/api/plan/action", &[("id", &Uuid::new_v4().to_string())]).await;
        let mut wrong = Vec::new();
        let mut grid = format!("{:<26}", "");
        for (name, _, _) in &roles { grid.push_str(&format!("{:<9}", name.chars().take(8).collect::<String>())); }
        for cell in CELLS {
            grid.push_str(&format!("\n{:<26}", format!("{} / {}", cell.0, cell.1)));
            for (i, (name, who, staff)) in roles.iter().enumerate() {
                let tag = format!("T{i}x{}", cell.0.len() + cell.1.len());
                let (status, body, hit) = try_cell(&app, who, *staff, &tag, &record, cell).await;
                grid.push_str(&format!("{:<9}", if hit { "yes" } else { "-" }));
                assert!(status < 500, "{name} {cell:?}: {status} {body}");
                if hit != expected(name, cell) {
                    wrong.push(format!("{name} / {cell:?}: reached={hit}, status {status}: {body:.160}"));
                }
                // Refused: the same answer as a record that does not exist (or "sign in first").
                // Account-level lists answer with the asker's own (empty) list, not a refusal.
                let own_list = matches!(cell, ("access log", "read") | ("passkeys", "list")) && status == 200;
                if !hit && name != "patient B" && !own_list {
                    let ok = if name == "anonymous" { status == 401 } else { status == 404 && body == not_found };
                    if !ok {
                        wrong.push(format!("{name} / {cell:?}: refused with {status} {body:.160}, not the plain not-found"));
                    }
                }
            }
        }
        println!("{grid}");
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}

db_test! {
    async fn a_change_to_a_grant_works_on_the_carers_very_next_request_and_a_carer_cannot_widen_it(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let dr = member(&app, home, "clinician", "Dr Own").await;
        let record = adas_record(&app, &ada, &dr).await;
        let sian = carer(&app, &ada, "Sian Tester", "read_plan log_actions", "active", None).await;
        let grant = carer_grant::Entity::find().filter(carer_grant::Column::CarerAccountId.eq(sian.account_id)).one(&app.db).await.unwrap().unwrap().id.to_string();

        // Logging is marked as the carer's in the plan's history and the access log.
        let (status, _) = post_json(&app, &sian, "/api/plan/log", &[("action", &record.action), ("outcome", "done")]).await;
        assert_eq!(status, 200);
        let log = action_log::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!(log.logged_by, Some(sian.account_id));
        assert_eq!(log.patient_id, ada.patient_id);
        let today = page(&app, &sian, "/today").await;
        assert!(today.contains("You are looking at Ada Tester's plan."), "{today}");
        let mine = page(&app, &ada, &format!("/plan/actions/{}", record.action)).await;
        assert!(mine.contains("Logged by Sian Tester (carer)"), "Ada sees the log is the carer's: {mine}");
        let access = page(&app, &ada, "/account/access-log").await;
        assert!(access.contains("Sian Tester (carer)") && access.contains("logged an action") && access.contains("looked at your plan"), "{access}");
        let theirs = page(&app, &sian, "/account/access-log").await;
        assert!(theirs.contains("What you have done as a carer") && theirs.contains("Ada Tester"), "{theirs}");
        // Times are on the reader's own clock: Ada moves hers to India (UTC+5:30, no clock changes).
        let logged_at = app::entities::audit_event::Entity::find()
            .filter(app::entities::audit_event::Column::Action.eq("carer_logged_action"))
            .one(&app.db).await.unwrap().unwrap().at;
        let on_clock = |zone: chrono_tz::Tz| logged_at.with_timezone(&zone).format("%-d %B %Y at %H:%M").to_string();
        assert!(access.contains(&on_clock(chrono_tz::Europe::London)), "London by default: {access}");
        let choices = [("kind_pack_ready", "on"), ("agenda_days", "3"), ("time_1", "09:00"), ("quiet_from", ""), ("quiet_until", ""), ("time_zone", "Asia/Kolkata")];
        assert_eq!(post_form(&app, &ada, "/api/reminders/choices", &choices).await.0, 302);
        let access = page(&app, &ada, "/account/access-log").await;
        assert!(access.contains(&on_clock(chrono_tz::Asia::Kolkata)), "on Ada's chosen clock: {access}");

        // Mass assignment: the carer cannot widen their own grant, nor move a goal to someone else.
        let (status, _) = post_json(&app, &sian, "/api/carers/scopes", &[("grant_id", &grant), ("scopes_change_plan", "on")]).await;
        assert_eq!(status, 404);
        let ben = make_patient(&app, "Ben Other", "9434765870").await;
        let fields = [("id", record.goal.as_str()), ("title", "Moved"), ("importance", "5"), ("status", "in_progress"), ("patient_id", &ben.patient_id.to_string())];
        let (status, _) = post_json(&app, &ada, "/api/plan/goal", &fields).await;
        assert_eq!(status, 200, "the person may edit their goal; the extra field is ignored");
        let g = goal::Entity::find_by_id(Uuid::parse_str(&record.goal).unwrap()).one(&app.db).await.unwrap().unwrap();
        assert_eq!(g.patient_id, ada.patient_id, "the goal stays Ada's");
        let (status, _) = post_json(&app, &ben, "/api/plan/goal", &[("id", record.goal.as_str()), ("title", "Hijacked"), ("importance", "5"), ("status", "in_progress")]).await;
        assert_eq!(status, 404);

        // Ada narrows the grant: the next request is refused, with no cached permission.
        let (status, _) = post_json(&app, &ada, "/api/carers/scopes", &[("grant_id", &grant), ("scopes_read_plan", "on")]).await;
        assert_eq!(status, 200);
        let (status, _) = post_json(&app, &sian, "/api/plan/log", &[("action", &record.action), ("outcome", "partly"), ("day", &(app.now() - Duration::days(1)).format("%Y-%m-%d").to_string())]).await;
        assert_eq!(status, 404);
        assert_eq!(post_json(&app, &sian, "/api/plan/plan", &[]).await.0, 200, "still sees the plan");

        // Ada stops it.
        let (status, _) = post_json(&app, &ada, "/api/carers/revoke", &[("grant_id", &grant)]).await;
        assert_eq!(status, 200);
        assert_eq!(post_json(&app, &sian, "/api/plan/plan", &[]).await.0, 404);
        let today = page(&app, &sian, "/today").await;
        assert!(!today.contains("Ada Tester"), "{today}");
    }
}

db_test! {
    async fn a_person_invites_a_carer_who_signs_up_and_the_care_team_records_and_ends_grants(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let dr = member(&app, home, "clinician", "Dr Own").await;
        let (status, body) = post_json(&app, &ada, "/api/carers/invite", &[("name", ""), ("relationship", ""), ("ends_on", "2001-01-01")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Enter their full name") && body.contains("daughter or friend") && body.contains("Choose at least one") && body.contains("today or later"), "{body}");
        assert_eq!(carer_grant::Entity::find().all(&app.db).await.unwrap().len(), 0, "nothing saved");
        let (status, location) = post_form(&app, &ada, "/api/carers/invite", &[("name", "Sian Tester"), ("relationship", "Daughter"), ("scopes_read_plan", "on"), ("scopes_log_actions", "on")]).await;
        assert_eq!((status, location.as_str()), (302, "/carers"));
        let html = page(&app, &ada, "/carers").await;
        assert!(html.contains("Invitation link for Sian Tester") && html.contains("Invited, not signed up yet"), "{html}");
        let g = carer_grant::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert_eq!((g.status.as_str(), g.scopes.as_str(), g.granted_by_kind.as_str()), ("invited", "read_plan log_actions", "patient"));
        // Invited is not yet active: a session for that account reaches nothing.
        let early = Person { patient_id: Uuid::nil(), account_id: g.carer_account_id, cookie: session_cookie_for(&app, g.carer_account_id).await };
        assert_eq!(post_json(&app, &early, "/api/plan/plan", &[]).await.0, 404);

        // The care team records one for someone who lacks capacity: a legal basis is required.
        let id = ada.patient_id.to_string();
        let (status, body) = post_json(&app, &dr, "/api/team/carer", &[("patient_id", &id), ("name", "Tom Tester"), ("relationship", "Son"), ("scopes_read_plan", "on")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("legal basis"), "{body}");
        let (status, _) = post_json(&app, &dr, "/api/team/carer", &[("patient_id", &id), ("name", "Tom Tester"), ("relationship", "Son"), ("scopes_read_plan", "on"), ("legal_basis", "lpa")]).await;
        assert_eq!(status, 200);
        let html = page(&app, &ada, "/carers").await;
        assert!(html.contains("Dr Own (care team): Lasting power of attorney for health and welfare"), "{html}");
        let tom = carer_grant::Entity::find().filter(carer_grant::Column::Relationship.eq("Son")).one(&app.db).await.unwrap().unwrap();
        app::carers::service::activate(&app.db, tom.carer_account_id, app.now()).await.unwrap();
        let tom_person = Person { patient_id: Uuid::nil(), account_id: tom.carer_account_id, cookie: session_cookie_for(&app, tom.carer_account_id).await };
        assert_eq!(post_json(&app, &tom_person, "/api/plan/plan", &[]).await.0, 200);

        // Safeguarding: the care team ends it, with a reason; staff elsewhere cannot.
        let other = member(&app, make_org(&app, "Hillside Surgery", "gp_practice").await, "clinician", "Dr Other").await;
        let (status, _) = post_json(&app, &other, "/api/team/carer_end", &[("grant_id", &tom.id.to_string()), ("reason", "Concern")]).await;
        assert_eq!(status, 404);
        let (status, body) = post_json(&app, &dr, "/api/team/carer_end", &[("grant_id", &tom.id.to_string())]).await;
        assert_eq!(status, 422, "{body}");
        let (status, _) = post_json(&app, &dr, "/api/team/carer_end", &[("grant_id", &tom.id.to_string()), ("reason", "Safeguarding concern raised")]).await;
        assert_eq!(status, 200);
        assert_eq!(post_json(&app, &tom_person, "/api/plan/plan", &[]).await.0, 404);
    }
}

db_test! {
    async fn a_carer_of_two_people_chooses_whose_plan_and_cannot_choose_anyone_else(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let ben = make_patient(&app, "Ben Other", "9434765870").await;
        let cy = make_patient(&app, "Cy Third", "4010232137").await;
        let home = practice_of(&app, &ada).await;
        let dr = member(&app, home, "clinician", "Dr Own").await;
        adas_record(&app, &ada, &dr).await;
        let mut sian = carer(&app, &ada, "Sian Tester", "read_plan", "active", None).await;
        let grant = carer_grant::Entity::find().filter(carer_grant::Column::CarerAccountId.eq(sian.account_id)).one(&app.db).await.unwrap().unwrap();
        let mut second: carer_grant::ActiveModel = grant.into();
        second.id = Set(Uuid::new_v4());
        second.patient_id = Set(ben.patient_id);
        second.insert(&app.db).await.unwrap();
        sian.cookie = session_cookie_for(&app, sian.account_id).await;

        // Two people and no choice yet: nobody's plan until she chooses.
        assert_eq!(post_json(&app, &sian, "/api/plan/plan", &[]).await.0, 404);
        let people = page(&app, &sian, "/people").await;
        assert!(people.contains("Look at Ada Tester&#x27;s plan") || people.contains("Look at Ada Tester's plan"), "{people}");
        let (status, location) = post_form(&app, &sian, "/api/carers/switch", &[("patient_id", &ben.patient_id.to_string())]).await;
        assert_eq!((status, location.as_str()), (302, "/today"));
        let today = page(&app, &sian, "/today").await;
        assert!(today.contains("You are looking at Ben Tester's plan.") || today.contains("You are looking at Ben Tester&#x27;s plan."), "{today}");
        let (_, plan) = post_json(&app, &sian, "/api/plan/plan", &[]).await;
        assert!(plan.contains("Ben Tester") && !plan.contains("ADA-GOAL"), "{plan}");
        post_form(&app, &sian, "/api/carers/switch", &[("patient_id", &ada.patient_id.to_string())]).await;
        let (_, plan) = post_json(&app, &sian, "/api/plan/plan", &[]).await;
        assert!(plan.contains("ADA-GOAL"), "{plan}");
        // Someone she has no grant for cannot be chosen.
        let (status, _) = post_json(&app, &sian, "/api/carers/switch", &[("patient_id", &cy.patient_id.to_string())]).await;
        assert_eq!(status, 404);
        let (_, plan) = post_json(&app, &sian, "/api/plan/plan", &[]).await;
        assert!(plan.contains("ADA-GOAL"), "still Ada's");
    }
}

db_test! {
    async fn a_carer_takes_back_only_what_they_logged_and_the_persons_own_entries_stay_theirs(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let dr = member(&app, home, "clinician", "Dr Own").await;
        let record = adas_record(&app, &ada, &dr).await;
        let sian = carer(&app, &ada, "Sian Tester", "log_actions", "active", None).await;
        let today = app::clock::Clock::now(&app.clock).date_naive();
        let mut started: plan_action::ActiveModel = plan_action::Entity::find_by_id(Uuid::parse_str(&record.action).unwrap()).one(&app.db).await.unwrap().unwrap().into();
        started.starts_on = Set(today - chrono::Days::new(7));
        started.update(&app.db).await.unwrap();
        let yesterday = (today - chrono::Days::new(1)).to_string();
        let today = today.to_string();

        // Ada logs today with a private note; Sian logs yesterday.
        let (status, _) = post_json(&app, &ada, "/api/plan/log", &[("action", &record.action), ("day", &today), ("outcome", "done"), ("note", "Ada's own note")]).await;
        assert_eq!(status, 200);
        let (status, _) = post_json(&app, &sian, "/api/plan/log", &[("action", &record.action), ("day", &yesterday), ("outcome", "partly")]).await;
        assert_eq!(status, 200);

        // Sian can neither undo nor overwrite Ada's day, and is offered no Undo for it.
        let (status, _) = post_json(&app, &sian, "/api/plan/undo", &[("action", &record.action), ("day", &today)]).await;
        assert_eq!(status, 404);
        let (status, body) = post_json(&app, &sian, "/api/plan/log", &[("action", &record.action), ("day", &today), ("outcome", "not_today")]).await;
        assert_eq!(status, 409, "{body}");
        let notes: Vec<Option<String>> = action_log::Entity::find().all(&app.db).await.unwrap().into_iter().map(|l| l.note).collect();
        assert!(notes.contains(&Some("Ada's own note".to_owned())), "Ada's note is kept");
        let html = page(&app, &sian, &format!("/plan/actions/{}", record.action)).await;
        assert_eq!(html.matches("action=\"/api/plan/undo\"").count(), 1, "Undo only beside Sian's own day: {html}");

        // Sian takes back her own day; the access log says so, naming her.
        let (status, _) = post_json(&app, &sian, "/api/plan/undo", &[("action", &record.action), ("day", &yesterday)]).await;
        assert_eq!(status, 200);
        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 1);
        let access = page(&app, &ada, "/account/access-log").await;
        assert!(access.contains("took back a day they had recorded"), "{access}");

        // Ada may take back anything on her plan, a carer's entry included.
        let (status, _) = post_json(&app, &sian, "/api/plan/log", &[("action", &record.action), ("day", &yesterday), ("outcome", "partly")]).await;
        assert_eq!(status, 200);
        let html = page(&app, &ada, &format!("/plan/actions/{}", record.action)).await;
        assert_eq!(html.matches("action=\"/api/plan/undo\"").count(), 2, "{html}");
        let (status, _) = post_json(&app, &ada, "/api/plan/undo", &[("action", &record.action), ("day", &yesterday)]).await;
        assert_eq!(status, 200);
    }
}

db_test! {
    async fn a_carer_reads_the_persons_results_about_them_by_name(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let dr = member(&app, home, "clinician", "Dr Own").await;
        adas_record(&app, &ada, &dr).await;
        let sian = carer(&app, &ada, "Sian Tester", "read_results", "active", None).await;
        let list = page(&app, &sian, "/results").await;
        assert!(list.contains("Ada Tester&#x27;s results") || list.contains("Ada Tester's results"), "{list}");
        assert!(!list.contains("Your results"), "{list}");
        let mine = page(&app, &ada, "/results").await;
        assert!(mine.contains("Your results"));
    }
}

db_test! {
    async fn a_carer_helping_the_person_get_ready_is_told_about_the_persons_review_and_history_by_name(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let sian = carer(&app, &ada, "Sian Tester", "read_plan answer_agenda", "active", None).await;
        let prep = page(&app, &sian, "/preparation").await;
        assert!(prep.contains("Get ready for Ada&#x27;s review") || prep.contains("Get ready for Ada's review"), "{prep}");
        assert!(prep.contains("Ada does not have a review booked yet"), "{prep}");
        assert!(!prep.contains("Your review") && !prep.contains("You do not have"), "{prep}");
        let history = page(&app, &sian, "/plan/history").await;
        assert!(history.contains("Changes to Ada&#x27;s plan") || history.contains("Changes to Ada's plan"), "{history}");
        assert!(!history.contains("your plan"), "{history}");
        // The person still reads about their own.
        let own = page(&app, &ada, "/preparation").await;
        assert!(own.contains("Get ready for your review") && own.contains("You do not have a review booked yet"), "{own}");
        assert!(page(&app, &ada, "/plan/history").await.contains("Changes to your plan"));
        // A carer with no plan of their own is asked about the reminders of the people they help.
        let reminders = page(&app, &sian, "/account/reminders").await;
        assert!(reminders.contains("The day before their review") && !reminders.contains("your review"), "{reminders}");
    }
}
