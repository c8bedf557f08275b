//! The care and support planning conversation and consent to share: who among the care teams
//! may see and work on a person's record (a matrix across two practices and a social care team,
//! before, during and after the person's consent), co-producing and agreeing the plan, and
//! working notes that never reach the person.
use app::entities::{goal, membership, organisation, patient, plan, working_note};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};
use uuid::Uuid;

use crate::db_test;
use crate::plan::{Person, make_patient, page, post_form, post_json};
use crate::support::{TestApp, make_account, session_cookie_for};

pub async fn make_org(app: &TestApp, name: &str, kind: &str) -> Uuid {
    let id = Uuid::new_v4();
    organisation::ActiveModel {
        id: Set(id),
        name: Set(name.into()),
        kind: Set(kind.into()),
        ods_code: Set(None),
        created_at: Set(app.now()),
        pack_release_days: Set(14),
    }
    .insert(&app.db)
    .await
    .expect("org");
    id
}

pub async fn member(app: &TestApp, org: Uuid, role: &str, name: &str) -> Person {
    let account_id = make_account(app, name).await;
    membership::ActiveModel {
        account_id: Set(account_id),
        organisation_id: Set(org),
        role: Set(role.into()),
        created_at: Set(app.now()),
    }
    .insert(&app.db)
    .await
    .expect("membership");
    Person {
        patient_id: Uuid::nil(),
        account_id,
        cookie: session_cookie_for(app, account_id).await,
    }
}

pub async fn practice_of(app: &TestApp, who: &Person) -> Uuid {
    patient::Entity::find_by_id(who.patient_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
}

/// A page as the server answers it, with the per-request CSP nonce taken out.
async fn get(app: &TestApp, who: &Person, path: &str) -> (u16, String) {
    let res = app
        .client()
        .get(app.url(path))
        .header("cookie", &who.cookie)
        .header("accept", "text/html")
        .send()
        .await
        .expect("get");
    let status = res.status().as_u16();
    let body = res.text().await.unwrap_or_default();
    // The nonce appears in several attributes; take out every copy of its value.
    let nonce = body
        .split("nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned();
    let clean = if nonce.is_empty() {
        body
    } else {
        body.replace(&nonce, "")
    };
    (status, clean)
}

/// What each resource is, and how to try it for a patient id.
const RESOURCES: [&str; 9] = [
    "record page",
    "conversation page",
    "record (API)",
    "plan (API)",
    "add a goal",
    "write a note",
    "agree the plan",
    "book a review",
    "add a result",
];

async fn attempt(app: &TestApp, who: &Person, resource: &str, id: &str) -> (u16, String) {
    let soon = (app.now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    let today = app.now().format("%Y-%m-%d").to_string();
    match resource {
        "record page" => get(app, who, &format!("/team/people/{id}")).await,
        "conversation page" => get(app, who, &format!("/team/people/{id}/conversation")).await,
        "record (API)" => {
            post_json(app, who, "/api/team/conversation", &[("patient_id", id)]).await
        }
        "plan (API)" => post_json(app, who, "/api/team/plan", &[("patient_id", id)]).await,
        "add a goal" => {
            let fields = [
                ("patient_id", id),
                ("title", "Walk to the shops"),
                ("importance", "8"),
                ("status", "not_started"),
            ];
            post_json(app, who, "/api/team/goal", &fields).await
        }
        "write a note" => {
            post_json(
                app,
                who,
                "/api/team/note",
                &[("patient_id", id), ("body", "Spoke about sleep.")],
            )
            .await
        }
        "agree the plan" => {
            let fields = [
                ("patient_id", id),
                ("agreed_with", "person"),
                ("next_review", soon.as_str()),
            ];
            post_json(app, who, "/api/team/agree", &fields).await
        }
        "book a review" => {
            let fields = [
                ("patient_id", id),
                ("date", soon.as_str()),
                ("time", "10:00"),
                ("with_whom", "Nurse"),
                ("mode", "phone"),
            ];
            post_json(app, who, "/api/team/review", &fields).await
        }
        "add a result" => {
            let fields = [
                ("patient_id", id),
                ("code", "hba1c"),
                ("value", "52"),
                ("taken_on", today.as_str()),
            ];
            post_json(app, who, "/api/team/result", &fields).await
        }
        other => panic!("unknown resource {other}"),
    }
}

/// Tries every resource for every staff member; checks each cell against `allowed` and that
/// every refusal is byte-for-byte the answer for a record that does not exist. Prints the grid.
async fn check_matrix(
    app: &TestApp,
    stage: &str,
    person: &Person,
    staff: &[(&str, &Person)],
    allowed: impl Fn(&str, &str) -> bool,
) {
    let id = person.patient_id.to_string();
    let missing = Uuid::new_v4().to_string();
    println!("\n{stage}");
    println!(
        "{:<22}{}",
        "",
        staff
            .iter()
            .map(|(n, _)| format!("{n:<26}"))
            .collect::<String>()
    );
    let mut wrong = Vec::new();
    for resource in RESOURCES {
        let mut line = format!("{resource:<22}");
        for (name, who) in staff {
            let (status, body) = attempt(app, who, resource, &id).await;
            assert!(
                status < 500,
                "{stage}: {name} / {resource}: {status} {body}"
            );
            // Past the policy: done, or (on a repeat) refused for what was asked, such as a
            // second review while one is booked.
            let ok = status != 404;
            line.push_str(&format!("{:<26}", if ok { "allowed" } else { "not found" }));
            let expected = allowed(name, resource);
            if ok != expected {
                wrong.push(format!(
                    "{stage}: {name} / {resource}: got {status} {body:.200}"
                ));
            }
            if !ok {
                let (status2, absent) = attempt(app, who, resource, &missing).await;
                if (status, &body) != (status2, &absent) {
                    wrong.push(format!(
                        "{stage}: {name} / {resource}: refusal ({status}) differs from a missing record ({status2})"
                    ));
                }
            }
        }
        println!("{line}");
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What each role of the person's own practice may do, from the one role table (`access`):
/// the expected cells of the role matrix below.
fn role_allows(role: &str, resource: &str) -> bool {
    let caring = role != "org_admin";
    let planning = matches!(
        role,
        "clinician" | "care_coordinator" | "social_care_worker"
    );
    match resource {
        "record page" | "conversation page" | "record (API)" | "plan (API)" | "write a note" => {
            caring
        }
        "add a goal" | "agree the plan" => planning,
        "book a review" => matches!(role, "clinician" | "care_coordinator"),
        "add a result" | "import page" => {
            matches!(
                role,
                "clinician" | "care_coordinator" | "healthcare_assistant"
            )
        }
        // A new link for a person: an administrator, or the clinicians and coordinators who look
        // after them; never a healthcare assistant or social care worker.
        "new link" => matches!(role, "clinician" | "care_coordinator" | "org_admin"),
        other => panic!("unknown resource {other}"),
    }
}

db_test! {
    async fn each_role_of_the_practice_gets_exactly_what_the_role_table_allows_and_lists_agree_with_checks(app) {
        let person = make_patient(&app, "Rita Roles", "9434765870").await;
        let home = practice_of(&app, &person).await;
        let roles = ["clinician", "care_coordinator", "healthcare_assistant", "social_care_worker", "org_admin"];
        let mut staff = Vec::new();
        for role in roles {
            staff.push((role, member(&app, home, role, &format!("Staff {role}")).await));
        }
        let mut wrong = Vec::new();
        let id = person.patient_id.to_string();
        let missing = Uuid::new_v4().to_string();
        for (role, who) in &staff {
            for resource in RESOURCES.iter().copied().chain(["new link", "import page"]) {
                let (status, body) = match resource {
                    "new link" => post_json(&app, who, "/api/team/new_letter", &[("patient_id", &id)]).await,
                    "import page" => get(&app, who, "/team/results/import").await,
                    _ => attempt(&app, who, resource, &id).await,
                };
                assert!(status < 500, "{role} / {resource}: {status} {body:.300}");
                let ok = status != 404;
                if ok != role_allows(role, resource) {
                    wrong.push(format!("{role} / {resource}: got {status} {body:.200}"));
                }
                if !ok && resource != "import page" {
                    let (status2, absent) = match resource {
                        "new link" => post_json(&app, who, "/api/team/new_letter", &[("patient_id", &missing)]).await,
                        _ => attempt(&app, who, resource, &missing).await,
                    };
                    if (status, &body) != (status2, &absent) {
                        wrong.push(format!("{role} / {resource}: refusal differs from a missing record"));
                    }
                }
            }
            // The list: the caseload names the person exactly when a check lets this role
            // open their record (so its links never end in "not found").
            let (status, caseload) = post_json(&app, who, "/api/team/caseload", &[]).await;
            let listed = status == 200 && caseload.contains(&id);
            if listed != role_allows(role, "record page") {
                wrong.push(format!("{role}: caseload lists the person = {listed}, record page allowed = {}: {status} {caseload:.300}", role_allows(role, "record page")));
            }
        }
        // The result added above has not been shown to the person: health staff see it, social
        // care does not (only what the person has been shown).
        for (role, who) in &staff {
            let (status, record) = post_json(&app, who, "/api/team/conversation", &[("patient_id", &id)]).await;
            if status != 200 {
                continue;
            }
            let sees = record.contains("\"code\":\"hba1c\"");
            if sees != (*role != "social_care_worker") {
                wrong.push(format!("{role}: sees the unreleased HbA1c = {sees}"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
}

db_test! {
    async fn staff_see_a_person_only_in_their_practice_or_with_the_persons_consent(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let hillside = make_org(&app, "Hillside Surgery", "gp_practice").await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let own = member(&app, home, "clinician", "Dr Own").await;
        let other = member(&app, hillside, "clinician", "Dr Other").await;
        let social_worker = member(&app, social, "social_care_worker", "Sol Worker").await;
        let staff = [("own practice clinician", &own), ("other practice clinician", &other), ("social care worker", &social_worker)];
        // Booking and results stay with the person's own practice whatever they share.
        let practice_only = |resource: &str| matches!(resource, "book a review" | "add a result");

        check_matrix(&app, "Before consent", &person, &staff, |who, _| who == "own practice clinician").await;

        // The person shares with the social care team (and not the other practice).
        let (status, body) = post_json(&app, &person, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 200, "{body}");
        check_matrix(&app, "With consent to the social care team", &person, &staff, |who, resource| {
            who == "own practice clinician" || (who == "social care worker" && !practice_only(resource))
        }).await;
        let caseload = post_json(&app, &social_worker, "/api/team/caseload", &[]).await.1;
        assert!(caseload.contains("Ada Tester") && caseload.contains("\"shared\":true"), "{caseload}");
        let caseload = post_json(&app, &other, "/api/team/caseload", &[]).await.1;
        assert!(!caseload.contains("Ada"), "{caseload}");

        // Withdrawn: the very next request is refused.
        let (status, body) = post_json(&app, &person, "/api/sharing/stop", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 200, "{body}");
        check_matrix(&app, "After the consent is withdrawn", &person, &staff, |who, _| who == "own practice clinician").await;
        let caseload = post_json(&app, &social_worker, "/api/team/caseload", &[]).await.1;
        assert!(!caseload.contains("Ada"), "{caseload}");
    }
}

db_test! {
    async fn sharing_choices_are_checked_and_the_person_sees_who_can_see_their_plan(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let html = page(&app, &person, "/sharing").await;
        assert!(html.contains("Test Practice can always see your plan"), "{html}");
        assert!(html.contains("You do not share your plan with any other team."));
        assert!(html.contains("Riverside Social Care (a social care team)"));

        let (status, body) = post_json(&app, &person, "/api/sharing/share", &[("organisation", "")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Choose a team to share your plan with"), "{body}");
        let (status, _) = post_json(&app, &person, "/api/sharing/share", &[("organisation", &home.to_string())]).await;
        assert_eq!(status, 422, "their own practice is not a choice");
        let (status, location) = post_form(&app, &person, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        assert_eq!((status, location.as_str()), (302, "/sharing"));
        let (status, body) = post_json(&app, &person, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 422, "sharing twice is refused: {body}");
        assert!(body.contains("already share"), "{body}");
        let html = page(&app, &person, "/sharing").await;
        assert!(html.contains("Stop sharing with Riverside Social Care"), "{html}");

        // Staff cannot choose for the person.
        let own = member(&app, home, "clinician", "Dr Own").await;
        let (status, _) = post_json(&app, &own, "/api/sharing/stop", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 404);
        let (status, _) = post_json(&app, &person, "/api/sharing/stop", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 200);
        let (status, _) = post_json(&app, &person, "/api/sharing/stop", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 404, "nothing left to stop");
    }
}

db_test! {
    async fn a_professional_co_produces_the_plan_and_marks_it_agreed_with_the_persons_representative(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let dr = member(&app, home, "clinician", "Dr Rowan Ash").await;
        let assistant = member(&app, home, "healthcare_assistant", "Hal Assistant").await;
        let id = person.patient_id.to_string();

        let fields = [("patient_id", id.as_str()), ("title", "Walk to the shops"), ("why", "To see my friends"), ("importance", "8"), ("status", "not_started")];
        let (status, _) = post_json(&app, &assistant, "/api/team/goal", &fields).await;
        assert_eq!(status, 404, "an assistant reads the plan but does not write it");
        let (status, location) = post_form(&app, &dr, "/api/team/goal", &fields).await;
        assert_eq!(status, 302);
        let g = goal::Entity::find().filter(goal::Column::PatientId.eq(person.patient_id)).one(&app.db).await.unwrap().expect("goal saved");
        assert_eq!(location, format!("/team/people/{id}/goals/{}", g.id));
        let action = [("patient_id", id.as_str()), ("goal", &g.id.to_string()), ("what", "Walk to the corner"), ("who_kind", "me"), ("frequency", "weekly"), ("times_per_week", "3"), ("time_of_day", "morning"), ("confidence", "8"), ("status", "in_progress")];
        let (status, location) = post_form(&app, &dr, "/api/team/action", &action).await;
        assert_eq!((status, location), (302, format!("/team/people/{id}/conversation#story")));

        // Agreeing: every problem at once, beside its field, and nothing saved.
        let (status, body) = post_json(&app, &dr, "/api/team/agree", &[("patient_id", &id), ("agreed_with", "representative"), ("next_review", "2020-01-01")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("representative") && body.contains("The next review must be after today"), "{body}");
        let row = plan::Entity::find_by_id(person.patient_id).one(&app.db).await.unwrap();
        assert!(row.and_then(|r| r.agreed_at).is_none(), "nothing agreed after a refusal");

        let next = (app.now() + chrono::Duration::days(180)).date_naive();
        let (status, location) = post_form(&app, &dr, "/api/team/agree", &[("patient_id", &id), ("agreed_with", "representative"), ("representative", "Tom Tester, son"), ("next_review", &next.to_string())]).await;
        assert_eq!((status, location), (302, format!("/team/people/{id}/conversation#agree")));

        let html = page(&app, &person, "/plan").await;
        assert!(html.contains("Your representative, Tom Tester, son, agreed this plan with Dr Rowan Ash, Test Practice on"), "{html}");
        assert!(html.contains("Walk to the shops") && html.contains("Walk to the corner"));
        assert!(!html.contains("It has changed since then."));
        let history = page(&app, &person, "/plan/history").await;
        assert!(history.contains("Agreed the plan with your representative, Tom Tester, son"), "{history}");
        assert!(history.contains("Dr Rowan Ash"), "the history names who wrote it");

        let staff_view = page(&app, &dr, &format!("/team/people/{id}/conversation")).await;
        assert!(staff_view.contains("Agreed with Tom Tester, son on"), "{staff_view}");
        // Every read and change is in the person's audit log, without the health data.
        let logged: Vec<app::entities::audit_event::Model> = app::entities::audit_event::Entity::find()
            .filter(app::entities::audit_event::Column::ActorAccountId.eq(dr.account_id))
            .all(&app.db).await.unwrap();
        for action in ["plan_changed", "plan_agreed", "record_viewed"] {
            assert!(logged.iter().any(|e| e.action == action && e.subject_account_id == Some(person.account_id)), "{action} is logged");
        }
        assert!(logged.iter().all(|e| e.detail.is_none()), "no health data in the log");

        // The person changes their goal later: the agreement says so.
        app.clock.advance(chrono::Duration::minutes(5));
        let person = Person { cookie: session_cookie_for(&app, person.account_id).await, ..person };
        let mine = [("id", g.id.to_string()), ("title", "Walk to the shops and back".into()), ("importance", "9".into()), ("status", "in_progress".into())];
        let mine: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, _) = post_json(&app, &person, "/api/plan/goal", &mine).await;
        assert_eq!(status, 200);
        let html = page(&app, &person, "/plan").await;
        assert!(html.contains("It has changed since then."), "{html}");
    }
}

db_test! {
    async fn working_notes_stay_with_the_team_that_wrote_them_and_never_reach_the_person(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let dr = member(&app, home, "clinician", "Dr Rowan Ash").await;
        let worker = member(&app, social, "social_care_worker", "Sol Worker").await;
        let id = person.patient_id.to_string();
        let secret = "Worried about low mood; follow up with the wellbeing service.";

        let (status, body) = post_json(&app, &dr, "/api/team/note", &[("patient_id", &id), ("body", "   ")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Write the note"), "{body}");
        let long = "a".repeat(4001);
        let (status, _) = post_json(&app, &dr, "/api/team/note", &[("patient_id", &id), ("body", &long)]).await;
        assert_eq!(status, 422);
        assert_eq!(working_note::Entity::find().count(&app.db).await.unwrap(), 0);
        let (status, location) = post_form(&app, &dr, "/api/team/note", &[("patient_id", &id), ("body", secret)]).await;
        assert_eq!((status, location), (302, format!("/team/people/{id}/conversation#notes")));

        let staff_view = page(&app, &dr, &format!("/team/people/{id}/conversation")).await;
        assert!(staff_view.contains(secret), "{staff_view}");
        assert!(staff_view.contains("Professional only") && staff_view.contains("Ada does not see these notes"));

        for path in ["/plan", "/plan/history", "/today", "/preparation", "/results", "/sharing"] {
            assert!(!page(&app, &person, path).await.contains("low mood"), "{path} shows a working note");
        }
        let (_, plan_json) = post_json(&app, &person, "/api/plan/plan", &[]).await;
        assert!(!plan_json.contains("low mood"));

        // A team the person shares with sees the plan, not another team's notes.
        let (status, _) = post_json(&app, &person, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 200);
        let theirs = page(&app, &worker, &format!("/team/people/{id}/conversation")).await;
        assert!(!theirs.contains("low mood"), "another organisation's notes are not shown");
        assert!(theirs.contains("Only Riverside Social Care can read them"), "{theirs}");
    }
}

db_test! {
    async fn an_administrator_invites_members_changes_their_roles_and_removes_them(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let admin = member(&app, home, "org_admin", "Ann Admin").await;
        let dr = member(&app, home, "clinician", "Dr Rowan Ash").await;
        let org = home.to_string();

        // Only administrators manage members.
        let (status, _) = post_json(&app, &dr, "/api/team/members", &[]).await;
        assert_eq!(status, 404);
        let (status, _) = post_json(&app, &dr, "/api/team/member_invite", &[("organisation_id", &org), ("name", "Nia Nurse"), ("role", "clinician")]).await;
        assert_eq!(status, 404);

        let (status, body) = post_json(&app, &admin, "/api/team/member_invite", &[("organisation_id", &org), ("name", " "), ("role", "wizard")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Enter their full name") && body.contains("Choose their role"), "{body}");
        let (status, location) = post_form(&app, &admin, "/api/team/member_invite", &[("organisation_id", &org), ("name", "Nia Nurse"), ("role", "care_coordinator")]).await;
        assert_eq!((status, location.as_str()), (302, "/team/members"));
        let html = page(&app, &admin, "/team/members").await;
        assert!(html.contains("Invitation link for Nia Nurse") && html.contains("/invite?token="), "{html}");
        assert!(!page(&app, &admin, "/team/members").await.contains("/invite?token="), "the link shows once");
        let nia = app::entities::account::Entity::find().filter(app::entities::account::Column::DisplayName.eq("Nia Nurse")).one(&app.db).await.unwrap().unwrap().id;
        let nia_id = nia.to_string();

        // A care coordinator may not change the plan; made a clinician, they may.
        let nia_person = Person { patient_id: Uuid::nil(), account_id: nia, cookie: session_cookie_for(&app, nia).await };
        let id = person.patient_id.to_string();
        let goal = [("patient_id", id.as_str()), ("title", "Sleep better"), ("importance", "7"), ("status", "not_started")];
        assert_eq!(post_json(&app, &nia_person, "/api/team/goal", &goal).await.0, 200, "coordinators plan with people");
        let (status, body) = post_json(&app, &admin, "/api/team/member_roles", &[("organisation_id", &org), ("account_id", &nia_id)]).await;
        assert_eq!(status, 422, "at least one role: {body}");
        let (status, _) = post_json(&app, &admin, "/api/team/member_roles", &[("organisation_id", &org), ("account_id", &nia_id), ("roles_healthcare_assistant", "on")]).await;
        assert_eq!(status, 200);
        assert_eq!(post_json(&app, &nia_person, "/api/team/goal", &goal).await.0, 404, "the next request follows the new role");
        assert_eq!(post_json(&app, &nia_person, "/api/team/plan", &[("patient_id", &id)]).await.0, 200, "assistants still read the plan");

        // The last administrator cannot leave the organisation without one.
        let admin_id = admin.account_id.to_string();
        let (status, body) = post_json(&app, &admin, "/api/team/member_roles", &[("organisation_id", &org), ("account_id", &admin_id), ("roles_clinician", "on")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("at least one administrator"), "{body}");
        let (status, _) = post_json(&app, &admin, "/api/team/member_remove", &[("organisation_id", &org), ("account_id", &admin_id)]).await;
        assert_eq!(status, 422);

        // Removed: nothing of anyone's record, at once.
        let (status, _) = post_json(&app, &admin, "/api/team/member_remove", &[("organisation_id", &org), ("account_id", &nia_id)]).await;
        assert_eq!(status, 200);
        assert_eq!(post_json(&app, &nia_person, "/api/team/plan", &[("patient_id", &id)]).await.0, 404);
        assert_eq!(post_json(&app, &nia_person, "/api/team/caseload", &[]).await.0, 404);
        let html = page(&app, &admin, "/team/members").await;
        assert!(!html.contains("Nia Nurse") && html.contains("Dr Rowan Ash"), "{html}");

        // Another organisation's administrator cannot touch these members.
        let other = make_org(&app, "Hillside Surgery", "gp_practice").await;
        let other_admin = member(&app, other, "org_admin", "Olu Admin").await;
        let (status, _) = post_json(&app, &other_admin, "/api/team/member_remove", &[("organisation_id", &org), ("account_id", &dr.account_id.to_string())]).await;
        assert_eq!(status, 404);
        let (status, _) = post_json(&app, &other_admin, "/api/team/member_remove", &[("organisation_id", &other.to_string()), ("account_id", &dr.account_id.to_string())]).await;
        assert_eq!(status, 404, "not a member there");
    }
}

db_test! {
    async fn the_practice_corrects_contact_details_with_checks_and_others_cannot(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let assistant = member(&app, home, "healthcare_assistant", "Hal Assistant").await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let worker = member(&app, social, "social_care_worker", "Sol Worker").await;
        let id = person.patient_id.to_string();

        let (status, body) = post_json(&app, &assistant, "/api/team/contact", &[("patient_id", &id), ("phone", "call me"), ("email", "nope")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("digits only") && body.contains("name@example.com"), "{body}");
        let p = patient::Entity::find_by_id(person.patient_id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((p.phone, p.email), (None, None), "nothing saved");

        let (status, location) = post_form(&app, &assistant, "/api/team/contact", &[("patient_id", &id), ("phone", "07700 900123"), ("email", "ada@example.com")]).await;
        assert_eq!((status, location), (302, format!("/team/people/{id}#contact")));
        let html = page(&app, &assistant, &format!("/team/people/{id}")).await;
        assert!(html.contains("07700 900123") && html.contains("ada@example.com"), "{html}");

        // A team the person shares with reads the record but does not change the details.
        post_json(&app, &person, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        let (status, _) = post_json(&app, &worker, "/api/team/contact", &[("patient_id", &id), ("phone", "01234 567890")]).await;
        assert_eq!(status, 404);
        let p = patient::Entity::find_by_id(person.patient_id).one(&app.db).await.unwrap().unwrap();
        assert_eq!(p.phone.as_deref(), Some("07700 900123"));
    }
}

db_test! {
    async fn two_administrators_demoting_each_other_at_once_leave_one_administrator(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let ann = std::sync::Arc::new(member(&app, home, "org_admin", "Ann Admin").await);
        let bo = std::sync::Arc::new(member(&app, home, "org_admin", "Bo Admin").await);
        let org = home.to_string();
        let admins = || async {
            membership::Entity::find()
                .filter(membership::Column::OrganisationId.eq(home))
                .filter(membership::Column::Role.eq("org_admin"))
                .count(&app.db)
                .await
                .expect("count")
        };
        for round in 0..6 {
            let demote = |by: std::sync::Arc<Person>, whom: Uuid| {
                let (app, org) = (app.clone(), org.clone());
                tokio::spawn(async move {
                    let whom = whom.to_string();
                    post_json(&app, &by, "/api/team/member_roles", &[("organisation_id", &org), ("account_id", &whom), ("roles_clinician", "on")]).await.0
                })
            };
            let (a, b) = (demote(ann.clone(), bo.account_id), demote(bo.clone(), ann.account_id));
            let mut answers = [a.await.expect("a"), b.await.expect("b")];
            answers.sort();
            assert_eq!(admins().await, 1, "round {round}: one administrator is left ({answers:?})");
            assert_eq!(answers[0], 200, "round {round}: one demotion happens");
            assert!(answers[1] == 422 || answers[1] == 404, "round {round}: the other is refused: {answers:?}");
            // Both administrators again for the next round.
            for who in [&ann, &bo] {
                membership::ActiveModel {
                    account_id: Set(who.account_id),
                    organisation_id: Set(home),
                    role: Set("org_admin".into()),
                    created_at: Set(app.now()),
                }
                .insert(&app.db)
                .await
                .ok();
            }
        }
    }
}

db_test! {
    async fn a_list_through_the_access_layer_names_exactly_the_people_a_check_allows_for_every_permission(app) {
        use app::access::{Actor, Permission, Subject};
        // Four people: two of the home practice (one sharing with the social care team), one
        // of another practice, and one with no account yet.
        let ada = make_patient(&app, "Ada Home", "4010230002").await;
        let bea = make_patient(&app, "Bea Sharing", "4010230010").await;
        let cat = make_patient(&app, "Cat Elsewhere", "4010230029").await;
        let home = practice_of(&app, &ada).await;
        let hillside = make_org(&app, "Hillside Surgery", "gp_practice").await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let mut moved: patient::ActiveModel = patient::Entity::find_by_id(cat.patient_id).one(&app.db).await.unwrap().unwrap().into();
        moved.organisation_id = Set(hillside);
        moved.update(&app.db).await.unwrap();
        let (status, body) = post_json(&app, &bea, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 200, "{body}");
        let mut actors: Vec<(String, Uuid)> = vec![("Ada herself".into(), ada.account_id), ("Cat herself".into(), cat.account_id)];
        for role in ["clinician", "care_coordinator", "healthcare_assistant", "social_care_worker", "org_admin"] {
            actors.push((format!("home {role}"), member(&app, home, role, role).await.account_id));
        }
        actors.push(("Hillside clinician".into(), member(&app, hillside, "clinician", "Dr Hill").await.account_id));
        actors.push(("social care worker".into(), member(&app, social, "social_care_worker", "Sol").await.account_id));
        actors.push(("Ada's plan-only carer".into(), crate::carers::carer(&app, &ada, "Pat", "read_plan", "active", None).await.account_id));
        actors.push(("Ada's logging carer with reminders".into(), crate::carers::carer(&app, &ada, "Lou", "log_actions reminders", "active", None).await.account_id));
        actors.push(("Bea's carer whose grant ended".into(), crate::carers::carer(&app, &bea, "Ena", "read_plan read_results", "active", Some(-2)).await.account_id));
        actors.push(("Cat's stopped carer".into(), crate::carers::carer(&app, &cat, "Sam", "read_plan", "ended", None).await.account_id));
        let everyone: Vec<patient::Model> = patient::Entity::find().all(&app.db).await.unwrap();
        let name = |id: Uuid| everyone.iter().find(|p| p.id == id).map(|p| p.given_name.clone()).unwrap_or_default();
        let now = app.now();
        let mut wrong = Vec::new();
        let mut cells = 0;
        for (who, account) in &actors {
            let actor = Actor::new(*account, now);
            for permission in Permission::ALL {
                let filter = app::access::visible_people(&app.db, actor, permission).await.expect("visible_people");
                let mut listed: Vec<Uuid> = patient::Entity::find().filter(filter).all(&app.db).await.expect("list").into_iter().map(|p| p.id).collect();
                let mut allowed = Vec::new();
                for p in &everyone {
                    if app::access::check(&app.db, actor, permission, Subject::Patient(p.id)).await.is_ok() {
                        allowed.push(p.id);
                    }
                }
                listed.sort();
                allowed.sort();
                cells += 1;
                if listed != allowed {
                    wrong.push(format!(
                        "{who} / {permission:?}: the list names {:?}, a check allows {:?}",
                        listed.iter().map(|id| name(*id)).collect::<Vec<_>>(),
                        allowed.iter().map(|id| name(*id)).collect::<Vec<_>>(),
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        assert_eq!(cells, actors.len() * Permission::ALL.len());
        // The cells are not all empty: the matrix says something.
        let sees = |account: Uuid, permission| {
            let db = app.db.clone();
            async move {
                let filter = app::access::visible_people(&db, Actor::new(account, now), permission).await.unwrap();
                patient::Entity::find().filter(filter).all(&db).await.unwrap().into_iter().map(|p| p.given_name).collect::<Vec<_>>()
            }
        };
        let social_worker = actors.iter().find(|(w, _)| w == "social care worker").unwrap().1;
        assert_eq!(sees(social_worker, Permission::ReadRecord).await, vec!["Bea".to_owned()]);
        assert!(sees(social_worker, Permission::ReadUnreleasedResults).await.is_empty());
        let plan_only = actors.iter().find(|(w, _)| w == "Ada's plan-only carer").unwrap().1;
        assert_eq!(sees(plan_only, Permission::ReadPlan).await, vec!["Ada".to_owned()]);
        assert!(sees(plan_only, Permission::LogActions).await.is_empty());
    }
}

db_test! {
    async fn the_clinician_sees_what_the_person_did_and_noted_and_changes_the_plan_with_them(app) {
        let person = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &person).await;
        let dr = member(&app, home, "clinician", "Dr Rowan Ash").await;
        let assistant = member(&app, home, "healthcare_assistant", "Hal Assistant").await;
        let id = person.patient_id.to_string();
        let goal = [("patient_id", id.as_str()), ("title", "Walk to the shops"), ("why", "To see my friends"), ("importance", "8"), ("status", "in_progress")];
        assert_eq!(post_form(&app, &dr, "/api/team/goal", &goal).await.0, 302);
        let g = goal::Entity::find().filter(goal::Column::PatientId.eq(person.patient_id)).one(&app.db).await.unwrap().expect("goal saved");
        let gid = g.id.to_string();
        let action = [("patient_id", id.as_str()), ("goal", &gid), ("what", "Walk to the corner"), ("who_kind", "me"), ("frequency", "daily"), ("time_of_day", "morning"), ("confidence", "8"), ("status", "in_progress")];
        assert_eq!(post_form(&app, &dr, "/api/team/action", &action).await.0, 302);
        let a = app::entities::plan_action::Entity::find().filter(app::entities::plan_action::Column::PatientId.eq(person.patient_id)).one(&app.db).await.unwrap().expect("action saved");
        let aid = a.id.to_string();

        // The person logs it, with a note on what got in the way.
        let (status, _) = post_json(&app, &person, "/api/plan/log", &[("action", &aid), ("outcome", "partly"), ("note", "Rain stopped me halfway; walked round the house instead")]).await;
        assert_eq!(status, 200);

        let view = page(&app, &dr, &format!("/team/people/{id}/conversation")).await;
        assert!(view.contains("What Ada did in the last 12 weeks"), "{view}");
        assert!(view.contains("Rain stopped me halfway; walked round the house instead"), "the person's note is in the story: {view}");
        assert!(view.contains("Logged in the last 12 weeks: partly done once."), "{view}");
        assert!(view.contains("Confidence 8 out of 10, the same as at the start."), "{view}");
        assert!(view.contains("In the last 4 weeks Ada did"), "goal progress names the person: {view}");

        // Confidence talked down to 5 together: then and now.
        let mut changed: Vec<(&str, &str)> = action.to_vec();
        changed.push(("id", &aid));
        for f in changed.iter_mut().filter(|f| f.0 == "confidence") { f.1 = "5"; }
        let (status, location) = post_form(&app, &dr, "/api/team/action", &changed).await;
        assert_eq!((status, location), (302, format!("/team/people/{id}/conversation#story")));
        let view = page(&app, &dr, &format!("/team/people/{id}/conversation")).await;
        assert!(view.contains("Confidence 8 out of 10 at the start, 5 out of 10 now."), "{view}");
        let edit = page(&app, &dr, &format!("/team/people/{id}/actions/{aid}")).await;
        assert!(edit.contains("Stop this action") && edit.contains("Walk to the corner"), "{edit}");

        // A healthcare assistant reads but cannot stop it; the clinician can.
        let stop = [("patient_id", id.as_str()), ("id", aid.as_str())];
        assert_eq!(post_json(&app, &assistant, "/api/team/action_stop", &stop).await.0, 404);
        let (status, location) = post_form(&app, &dr, "/api/team/action_stop", &stop).await;
        assert_eq!((status, location), (302, format!("/team/people/{id}/conversation#story")));
        let plan_page = page(&app, &person, "/plan").await;
        assert!(plan_page.contains("Not doing"), "the person sees it stopped: {plan_page}");

        // The contingency plan and a group, written with the person, in their plan and history.
        let (status, _) = post_form(&app, &dr, "/api/team/contingency", &[("patient_id", &id), ("warning_signs", "Sugars over 15 two days running"), ("what_to_do", "Ring the practice")]).await;
        assert_eq!(status, 302);
        assert_eq!(post_form(&app, &dr, "/api/team/contingency_contact", &[("patient_id", &id), ("name", "NHS 111"), ("phone", "111")]).await.0, 302);
        assert_eq!(post_form(&app, &dr, "/api/team/support", &[("patient_id", &id), ("name", "Riverside walking group"), ("goal", &gid)]).await.0, 302);
        let (status, body) = post_json(&app, &dr, "/api/team/contingency", &[("patient_id", &id), ("warning_signs", &"x".repeat(5000))]).await;
        assert_eq!(status, 422, "too long is refused beside the field: {body}");
        let plan_page = page(&app, &person, "/plan").await;
        for shown in ["Sugars over 15 two days running", "Ring the practice", "NHS 111", "Riverside walking group"] {
            assert!(plan_page.contains(shown), "{shown} in the person's plan");
        }
        let history = page(&app, &person, "/plan/history").await;
        assert!(history.contains("Dr Rowan Ash"), "{history}");
        assert_eq!(post_json(&app, &assistant, "/api/team/contingency", &[("patient_id", &id), ("warning_signs", "changed")]).await.0, 404);
        let conversation = page(&app, &dr, &format!("/team/people/{id}/conversation")).await;
        assert!(conversation.contains("Sugars over 15 two days running") && conversation.contains("Riverside walking group"), "{conversation}");
    }
}
