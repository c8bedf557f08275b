//! The care team's caseload (filters and search, only their own organisation's people) and
//! adding a person with a one-time invitation letter.
use app::entities::{account, organisation, patient};
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};
use uuid::Uuid;

use crate::db_test;
use crate::plan::{Person, make_patient, page, post_form, post_json};
use crate::support::{TestApp, session_cookie_for};

async fn dr_priya(app: &TestApp) -> Person {
    demo::seed_demo(&app.state.app).await.expect("seed");
    let id = account::Entity::find()
        .filter(account::Column::DisplayName.eq("Dr Priya Shah"))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .id;
    Person {
        patient_id: Uuid::nil(),
        account_id: id,
        cookie: session_cookie_for(app, id).await,
    }
}

/// The names on the caseload after applying `filter`: `stage` and `overdue` are the address's
/// (the GET form's), the rest the session's.
pub async fn names(app: &TestApp, who: &Person, filter: &[(&str, &str)]) -> Vec<String> {
    let (address, session): (Vec<_>, Vec<_>) = filter
        .iter()
        .copied()
        .partition(|(k, _)| *k == "stage" || *k == "overdue");
    let (status, body) = post_json(app, who, "/api/team/caseload_filter", &session).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = post_json(app, who, "/api/team/caseload", &address).await;
    assert_eq!(status, 200, "{body}");
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

db_test! {
    async fn staff_see_only_their_practices_people_filtered_and_searched(app) {
        let mut dr = dr_priya(&app).await;
        // Someone at another practice never appears.
        let elsewhere = make_patient(&app, "Other Person", "9434765870").await;
        let other = Uuid::new_v4();
        organisation::ActiveModel { id: Set(other), name: Set("Hillside".into()), kind: Set("gp_practice".into()), ods_code: Set(None), created_at: Set(chrono::Utc::now()), pack_release_days: Set(14) }
            .insert(&app.db).await.unwrap();
        let mut p: patient::ActiveModel = patient::Entity::find_by_id(elsewhere.patient_id).one(&app.db).await.unwrap().unwrap().into();
        p.organisation_id = Set(other);
        p.update(&app.db).await.unwrap();

        let all = names(&app, &dr, &[]).await;
        assert_eq!(all.len(), 3, "{all:?}");
        assert!(!all.iter().any(|n| n.starts_with("Other")), "not another practice's patient");

        assert_eq!(names(&app, &dr, &[("search", "marg")]).await, ["Margaret Evans"]);
        let margaret = patient::Entity::find().filter(patient::Column::GivenName.eq("Margaret")).one(&app.db).await.unwrap().unwrap();
        let spaced = format!("{} {} {}", &margaret.nhs_number[..3], &margaret.nhs_number[3..6], &margaret.nhs_number[6..]);
        assert_eq!(names(&app, &dr, &[("search", &spaced)]).await, ["Margaret Evans"]);
        let (status, body) = post_json(&app, &dr, "/api/team/caseload_filter", &[("search", "943 476 5918")]).await;
        assert_eq!(status, 422, "a wrong check digit is refused");
        assert!(body.contains("search"), "{body}");
        assert!(names(&app, &dr, &[("search", &elsewhere_number())]).await.is_empty(), "search never reaches another practice");

        // Demo reviews are 6 (Aisha), 12 (Margaret) and 18 (David) days away; Margaret has answered.
        let mut soon = names(&app, &dr, &[("due", "2")]).await;
        soon.sort();
        assert_eq!(soon, ["Aisha Rahman", "Margaret Evans"]);
        assert_eq!(names(&app, &dr, &[("agenda", "returned")]).await, ["Margaret Evans"]);
        assert_eq!(names(&app, &dr, &[("agenda", "not_returned")]).await.len(), 2);
        assert!(names(&app, &dr, &[("pack", "not_sent")]).await.is_empty());
        assert!(names(&app, &dr, &[("overdue", "on")]).await.is_empty());
        app.clock.advance(Duration::days(13));
        dr.cookie = session_cookie_for(&app, dr.account_id).await;
        let mut late = names(&app, &dr, &[("overdue", "on")]).await;
        late.sort();
        assert_eq!(late, ["Aisha Rahman", "Margaret Evans"], "booked reviews that passed without being closed");
        assert_eq!(names(&app, &dr, &[("clear", "1")]).await.len(), 3, "clear shows everyone");

        let patient = Person { cookie: session_cookie_for(&app, elsewhere.account_id).await, ..elsewhere };
        let (status, _) = post_json(&app, &patient, "/api/team/caseload", &[]).await;
        assert_eq!(status, 404, "a patient has no caseload");
    }
}

fn elsewhere_number() -> String {
    "9434765870".into()
}

fn person_form<'a>(nhs: &'a str, born: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("given", "Nia"),
        ("family", "Roberts"),
        ("born", born),
        ("nhs_number", nhs),
        ("conditions_copd", "on"),
        ("conditions_hypertension", "on"),
        ("phone", "07700 900123"),
        ("email", ""),
    ]
}

db_test! {
    async fn adding_a_person_checks_each_field_and_prints_a_one_time_letter(app) {
        let dr = dr_priya(&app).await;
        let before = patient::Entity::find().count(&app.db).await.unwrap();
        let (status, body) = post_json(&app, &dr, "/api/team/add_patient", &[("given", ""), ("born", "2999-01-01"), ("nhs_number", "943 476 5918"), ("email", "not an address"), ("phone", "call me")]).await;
        assert_eq!(status, 422);
        for field in ["given", "family", "born", "nhs_number", "email", "phone"] {
            assert!(body.contains(&format!("\"{field}\"")), "{field}: {body}");
        }
        assert_eq!(patient::Entity::find().count(&app.db).await.unwrap(), before, "nothing added");

        let (status, location) = post_form(&app, &dr, "/api/team/add_patient", &person_form("943 476 5919", "1948-02-29")).await;
        assert_eq!(status, 302);
        let nia = patient::Entity::find().filter(patient::Column::NhsNumber.eq("9434765919")).one(&app.db).await.unwrap().expect("added");
        assert_eq!(location, format!("/team/people/{}/letter", nia.id));
        assert_eq!(nia.phone.as_deref(), Some("07700 900123"));
        let letter = page(&app, &dr, &location).await;
        assert!(letter.contains("Dear Nia Roberts") && letter.contains("<svg") && letter.contains("/invite?token="), "{letter}");
        let again = page(&app, &dr, &location).await;
        assert!(!again.contains("/invite?token=") && again.contains("shown only once"), "the link shows once");
        let person = page(&app, &dr, &format!("/team/people/{}", nia.id)).await;
        assert!(person.contains("COPD") && person.contains("High blood pressure"));

        let (status, body) = post_json(&app, &dr, "/api/team/add_patient", &person_form("9434765919", "1950-01-01")).await;
        assert_eq!(status, 422);
        assert!(body.contains("already registered"), "{body}");

        // A new letter: the new link shows once, and the old one stops working.
        let token = |page: &str| page.split("/invite?token=").nth(1).and_then(|t| t.split(['<', '"']).next()).unwrap_or_default().to_owned();
        let (status, _) = post_form(&app, &dr, "/api/team/new_letter", &[("patient_id", &nia.id.to_string())]).await;
        assert_eq!(status, 302);
        assert!(token(&page(&app, &dr, &location).await).len() > 20);
        let (status, _) = post_json(&app, &make_patient(&app, "Some Patient", "9434765870").await, "/api/team/add_patient", &person_form("4010232137", "1950-01-01")).await;
        assert_eq!(status, 404, "a patient cannot add people");
        let stray = token(&letter);
        let (_, status_json) = post_json(&app, &dr, "/api/auth/invitation", &[("token", &stray)]).await;
        assert!(status_json.contains("Expired"), "{status_json}");
    }
}

db_test! {
    async fn each_staff_read_and_change_of_a_persons_record_is_audited_without_health_data(app) {
        use app::entities::audit_event;
        let dr = dr_priya(&app).await;
        let margaret = patient::Entity::find().filter(patient::Column::GivenName.eq("Margaret")).one(&app.db).await.unwrap().unwrap();
        let id = margaret.id.to_string();
        // The demo was built by Dr Priya through the services, so it is in the log already.
        let before: Vec<_> = audit_event::Entity::find().all(&app.db).await.unwrap().into_iter().map(|r| r.id).collect();
        page(&app, &dr, &format!("/team/people/{id}")).await;
        let taken = (app::clock::Clock::now(&app.clock) - Duration::days(1)).format("%Y-%m-%d").to_string();
        let (status, _) = post_form(&app, &dr, "/api/team/result", &[("patient_id", &id), ("code", "hba1c"), ("value", "49"), ("taken_on", &taken)]).await;
        assert_eq!(status, 302);
        let (status, _) = post_form(&app, &dr, "/api/team/target", &[("patient_id", &id), ("code", "hba1c"), ("value", "53")]).await;
        assert_eq!(status, 302);
        let (status, _) = post_form(&app, &dr, "/api/team/release", &[("patient_id", &id)]).await;
        assert_eq!(status, 302);
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::SubjectAccountId.eq(margaret.account_id))
            .filter(audit_event::Column::ActorAccountId.eq(dr.account_id))
            .filter(audit_event::Column::Id.is_not_in(before))
            .all(&app.db)
            .await
            .unwrap();
        let mut actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        actions.sort();
        assert_eq!(actions, ["pack_released", "record_viewed", "result_added", "target_set"]);
        assert!(rows.iter().all(|r| r.detail.is_none()), "no health data in the log");
        // A refused read leaves no trace of the record.
        let stranger = make_patient(&app, "Some Patient", "9434765870").await;
        let (status, _) = post_json(&app, &stranger, "/api/team/person", &[("patient_id", &id)]).await;
        assert_eq!(status, 404);
        let seen_by_stranger = audit_event::Entity::find()
            .filter(audit_event::Column::ActorAccountId.eq(stranger.account_id))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(seen_by_stranger, 0);
    }
}

db_test! {
    async fn a_social_care_worker_sees_only_the_results_the_person_has_been_shown_and_no_health_tools(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = crate::conversation::practice_of(&app, &ada).await;
        let dr = crate::conversation::member(&app, home, "clinician", "Dr Own").await;
        let social = crate::conversation::member(&app, home, "social_care_worker", "Sol Social").await;
        crate::results::add_hba1c(&app, &ada, 61.0, 3).await;
        let person = format!("/team/people/{}", ada.patient_id);

        // Not shown to Ada yet: the clinician sees it, the social care worker does not.
        assert!(page(&app, &dr, &person).await.contains("61 mmol/mol"));
        let theirs = page(&app, &social, &person).await;
        assert!(!theirs.contains("61 mmol/mol"), "{theirs}");
        // Nor does she get the tools for health staff.
        let today = page(&app, &social, "/today").await;
        assert!(today.contains("Caseload"));
        for tool in ["Import results", "Upcoming reviews", "Invitation links"] {
            assert!(!today.contains(tool), "{tool}: {today}");
        }
        let (status, _) = post_json(&app, &social, "/api/team/reviews", &[]).await;
        assert_eq!(status, 404, "the reviews list is for those who run reviews");
        // The person's page offers no checks booking (health staff book checks); the
        // conversation and the plan pages she writes with Ada open, and name Ada, not "you".
        assert!(!theirs.contains("Book the checks"), "{theirs}");
        for part in ["conversation", "contingency", "support"] {
            let body = page(&app, &social, &format!("{person}/{part}")).await;
            assert!(body.contains("Ada"), "{part}: {body}");
            assert!(!body.contains("61 mmol/mol"), "{part} shows no unreleased result: {body}");
            assert!(!body.contains("We could not find"), "{part}: {body}");
        }

        // Once the care team shows Ada her results, the social care worker sees them too.
        let (status, _) = post_form(&app, &dr, "/api/team/release", &[("patient_id", &ada.patient_id.to_string())]).await;
        assert_eq!(status, 302);
        assert!(page(&app, &social, &person).await.contains("61 mmol/mol"));
    }
}

db_test! {
    async fn two_staff_adding_the_same_nhs_number_at_once_make_one_person_and_the_other_is_told(app) {
        let dr = dr_priya(&app).await;
        let form = person_form("9434765919", "1948-02-29");
        let (a, b) = tokio::join!(
            post_json(&app, &dr, "/api/team/add_patient", &form),
            post_json(&app, &dr, "/api/team/add_patient", &form),
        );
        let mut statuses = [a.0, b.0];
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 422], "{a:?} {b:?}");
        let refused = if a.0 == 422 { &a.1 } else { &b.1 };
        assert!(refused.contains("Someone with that NHS number is already registered"), "{refused}");
        let people = patient::Entity::find()
            .filter(patient::Column::NhsNumber.eq("9434765919"))
            .count(&app.db)
            .await
            .unwrap();
        assert_eq!(people, 1);
    }
}
