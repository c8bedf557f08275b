//! The whole cycle for the care team (#19): each person's stage on the caseload and on upcoming
//! reviews, computed from what is recorded (recall → checks booked → checks done → results in →
//! pack sent → answers in → plan agreed → due again, and overdue), the caseload's stage filters,
//! the checks appointment (booked once however many clicks, marked done, audited), and the
//! practice's "send the pack N days before" setting that the sweep follows.
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use app::entities::{audit_event, checks_appointment, organisation, patient, preparation_pack};
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};

use crate::caseload::names;
use crate::conversation::{member, practice_of};
use crate::db_test;
use crate::plan::{Person, make_patient, page, post_form, post_json};
use crate::preparation::{again, book, day};
use crate::support::TestApp;

/// The person's stage code on the caseload, and whether they are overdue.
async fn stage_of(app: &TestApp, who: &Person, of: &Person) -> (String, bool, String) {
    let (status, body) = post_json(app, who, "/api/team/caseload", &[]).await;
    assert_eq!(status, 200, "{body}");
    let view: serde_json::Value = serde_json::from_str(&body).unwrap();
    let row = view["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["patient_id"] == of.patient_id.to_string())
        .cloned()
        .expect("on the caseload");
    (
        row["stage"]["stage"].as_str().unwrap().to_owned(),
        row["stage"]["overdue"].as_bool().unwrap(),
        row["stage"]["text"].as_str().unwrap().to_owned(),
    )
}

fn checks_form<'a>(id: &'a str, date: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("patient_id", id),
        ("date", date),
        ("time", "09:15"),
        ("place", "Treatment room 2"),
        ("with_whom", "Healthcare assistant"),
        ("checks_bloods", "on"),
        ("checks_blood_pressure", "on"),
        ("checks_weight", "on"),
    ]
}

async fn signed_in_again(app: &TestApp, people: &mut [&mut Person]) {
    for p in people.iter_mut() {
        again(app, p).await;
    }
}

db_test! {
    async fn a_person_moves_through_every_stage_of_the_cycle_and_the_caseload_filters_by_stage(app) {
        let mut ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let mut dr = member(&app, home, "clinician", "Dr Own").await;
        let mut hca = member(&app, home, "healthcare_assistant", "Hal Assistant").await;
        let mut admin = member(&app, home, "org_admin", "Ann Admin").await;
        let id = ada.patient_id.to_string();
        let person = format!("/team/people/{id}");

        let (stage, overdue, text) = stage_of(&app, &dr, &ada).await;
        assert_eq!((stage.as_str(), overdue), ("review_due", false), "never reviewed: {text}");
        assert!(page(&app, &hca, &person).await.contains("Book the checks"), "the assistant books the checks");

        // Two clicks on "Book the checks" at once make one appointment, and both are told it is booked.
        let date = day(&app, 2);
        let form = checks_form(&id, &date);
        let (one, two) = tokio::join!(post_json(&app, &hca, "/api/team/checks", &form), post_json(&app, &hca, "/api/team/checks", &form));
        assert_eq!((one.0, two.0), (200, 200), "{one:?} {two:?}");
        let booked = checks_appointment::Entity::find().filter(checks_appointment::Column::PatientId.eq(ada.patient_id)).all(&app.db).await.unwrap();
        assert_eq!(booked.len(), 1, "one appointment");
        assert_eq!(booked[0].checks, "bloods blood_pressure weight");
        let mut other = checks_form(&id, &date);
        other[2] = ("time", "11:00");
        let (status, body) = post_json(&app, &hca, "/api/team/checks", &other).await;
        assert_eq!(status, 422, "a second, different booking is refused beside the date");
        assert!(body.contains("\"date\"") && body.contains("already has checks booked"), "{body}");
        let (status, body) = post_json(&app, &hca, "/api/team/checks", &[("patient_id", id.as_str()), ("date", &day(&app, -1)), ("time", "25:00")]).await;
        assert_eq!(status, 422);
        for field in ["time", "place", "with_whom", "checks"] {
            assert!(body.contains(&format!("\"{field}\"")), "{field}: {body}");
        }
        let yesterday = day(&app, -1);
        let (status, body) = post_json(&app, &hca, "/api/team/checks", &checks_form(&id, &yesterday)).await;
        assert_eq!(status, 422);
        assert!(body.contains("today or later"), "{body}");
        let (stage, _, text) = stage_of(&app, &dr, &ada).await;
        assert_eq!(stage, "checks_booked");
        assert!(text.starts_with("Checks booked for"), "{text}");
        let mut by_stage = names(&app, &dr, &[("stage", "checks_booked")]).await;
        by_stage.sort();
        assert_eq!(by_stage, ["Ada Tester"]);
        assert!(names(&app, &dr, &[("stage", "results_in")]).await.is_empty());
        let html = page(&app, &dr, "/team?stage=checks_booked").await;
        assert!(html.contains("Ada Tester") && html.contains("Checks booked"), "the GET form's address filters the page");

        // Not before the day; then once.
        let appointment = booked[0].id.to_string();
        let done = [("patient_id", id.as_str()), ("appointment_id", appointment.as_str()), ("done_bloods", "on"), ("done_weight", "on")];
        let (status, body) = post_json(&app, &hca, "/api/team/checks_done", &done).await;
        assert_eq!(status, 422, "{body}");
        // Ada comes 45 minutes early on the day: her checks are done, and a result entered
        // straight after counts as in, though it is still before the booked time.
        app.clock.set(booked[0].starts_at - Duration::minutes(45));
        signed_in_again(&app, &mut [&mut ada, &mut dr, &mut hca, &mut admin]).await;
        let (status, location) = post_form(&app, &hca, "/api/team/checks_done", &done).await;
        assert_eq!((status, location.as_str()), (302, person.as_str()));
        let (status, _) = post_json(&app, &hca, "/api/team/checks_done", &done).await;
        assert_eq!(status, 409, "marked done once");
        let row = checks_appointment::Entity::find_by_id(booked[0].id).one(&app.db).await.unwrap().unwrap();
        assert_eq!((row.status.as_str(), row.done_checks.as_deref()), ("done", Some("bloods weight")));
        assert_eq!(stage_of(&app, &dr, &ada).await.0, "checks_done");
        let mine = page(&app, &dr, &person).await;
        assert!(mine.contains("Checks done, waiting for results") && mine.contains("Bloods and weight"), "the person's team page");

        // Results in.
        let taken = day(&app, 0);
        let (status, _) = post_form(&app, &hca, "/api/team/result", &[("patient_id", id.as_str()), ("code", "hba1c"), ("value", "49"), ("taken_on", &taken)]).await;
        assert_eq!(status, 302);
        assert_eq!(stage_of(&app, &dr, &ada).await.0, "results_in");

        // The conversation is booked 20 days ahead; the practice sends packs 14 days before, so
        // nothing goes yet. The administrator makes it 21: the sweep sends it, once.
        book(&app, &dr, &ada, 20).await;
        assert_eq!(stage_of(&app, &dr, &ada).await.0, "results_in");
        assert_eq!(app.sweep_packs().await, 0, "not due at 14 days");
        let (status, body) = post_json(&app, &admin, "/api/team/practice", &[]).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("\"pack_release_days\":14"), "{body}");
        let org = home.to_string();
        let (status, body) = post_json(&app, &admin, "/api/team/practice_save", &[("organisation_id", org.as_str()), ("pack_release_days", "29")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("pack_release_days"), "{body}");
        let (status, _) = post_json(&app, &dr, "/api/team/practice_save", &[("organisation_id", org.as_str()), ("pack_release_days", "21")]).await;
        assert_eq!(status, 404, "only the practice's administrator");
        let (status, location) = post_form(&app, &admin, "/api/team/practice_save", &[("organisation_id", org.as_str()), ("pack_release_days", "21")]).await;
        assert_eq!((status, location.as_str()), (302, "/team/practice"));
        assert!(page(&app, &admin, "/team/practice").await.contains("value=\"21\""));
        assert_eq!(stage_of(&app, &dr, &ada).await.0, "results_in", "reading a page sends nothing");
        assert_eq!(preparation_pack::Entity::find().count(&app.db).await.unwrap(), 0);
        assert_eq!(app.sweep_packs().await, 1, "the sweep follows the new setting");
        assert_eq!(app.sweep_packs().await, 0, "once");
        assert_eq!(stage_of(&app, &dr, &ada).await.0, "pack_sent");

        let (status, _) = post_form(&app, &ada, "/api/preparation/answers", &[("intent", "send"), ("answer_0", "Walking to the shops")]).await;
        assert_eq!(status, 302);
        assert_eq!(stage_of(&app, &dr, &ada).await.0, "answers_in");
        let (_, reviews) = post_json(&app, &dr, "/api/team/reviews", &[]).await;
        assert!(reviews.contains("\"stage\":\"answers_in\""), "upcoming reviews show the stage: {reviews}");

        // The conversation: held, plan agreed, next review due in a year. The clock goes to an hour
        // after the booked start whatever time of day the test began: a review cannot be recorded
        // held before it starts (20 days on from 00:30 is still before a 10:30 booking).
        let booked_review = app::entities::review::Entity::find().filter(app::entities::review::Column::PatientId.eq(ada.patient_id)).one(&app.db).await.unwrap().unwrap();
        app.clock.set(booked_review.starts_at + Duration::hours(1));
        signed_in_again(&app, &mut [&mut ada, &mut dr, &mut hca, &mut admin]).await;
        let review = booked_review.id.to_string();
        let next = day(&app, 365);
        let (status, _) = post_form(&app, &dr, "/api/team/review_held", &[("patient_id", id.as_str()), ("review_id", review.as_str()), ("next_date", next.as_str())]).await;
        assert_eq!(status, 302);
        let (status, body) = post_json(&app, &dr, "/api/team/agree", &[("patient_id", id.as_str()), ("agreed_with", "person"), ("next_review", next.as_str())]).await;
        assert_eq!(status, 200, "{body}");
        let (stage, overdue, text) = stage_of(&app, &dr, &ada).await;
        assert_eq!((stage.as_str(), overdue), ("plan_agreed", false));
        assert!(text.starts_with("Plan agreed, next review due by"), "{text}");
        assert!(page(&app, &hca, &person).await.contains("No checks are booked"), "last cycle's checks are done with");

        // Recall 8 weeks before the due date; overdue once it passes with nothing booked.
        app.clock.advance(Duration::days(365 - 50));
        signed_in_again(&app, &mut [&mut dr]).await;
        assert_eq!(stage_of(&app, &dr, &ada).await.0, "review_due");
        assert!(names(&app, &dr, &[("overdue", "on")]).await.is_empty());
        app.clock.advance(Duration::days(51));
        signed_in_again(&app, &mut [&mut dr]).await;
        let (stage, overdue, _) = stage_of(&app, &dr, &ada).await;
        assert_eq!((stage.as_str(), overdue), ("review_due", true));
        assert_eq!(names(&app, &dr, &[("stage", "review_due"), ("overdue", "on")]).await, ["Ada Tester"]);
        assert!(page(&app, &dr, "/team?overdue=on").await.contains("Overdue"));

        // Each change is in the log the person sees, with no health data.
        let actions: Vec<String> = audit_event::Entity::find()
            .filter(audit_event::Column::ActorAccountId.eq(hca.account_id))
            .filter(audit_event::Column::Action.starts_with("checks_"))
            .all(&app.db).await.unwrap().into_iter().map(|e| e.action).collect();
        assert_eq!(actions, ["checks_booked", "checks_done"]);
    }
}

db_test! {
    async fn only_the_persons_own_practice_books_their_checks_and_social_care_sees_no_control(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let social = member(&app, home, "social_care_worker", "Sol Social").await;
        let id = ada.patient_id.to_string();
        let theirs = page(&app, &social, &format!("/team/people/{id}")).await;
        assert!(theirs.contains("Where they are in the cycle") && !theirs.contains("Book the checks"), "no control she cannot use");
        let date = day(&app, 2);
        let (status, _) = post_json(&app, &social, "/api/team/checks", &checks_form(&id, &date)).await;
        assert_eq!(status, 404);
        let (status, _) = post_json(&app, &ada, "/api/team/checks", &checks_form(&id, &date)).await;
        assert_eq!(status, 404, "not the person's own tool");
        let other = crate::conversation::make_org(&app, "Hillside", "gp_practice").await;
        let stranger = member(&app, other, "clinician", "Dr Else").await;
        let (status, _) = post_json(&app, &stranger, "/api/team/checks", &checks_form(&id, &date)).await;
        assert_eq!(status, 404);
        assert_eq!(checks_appointment::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

db_test! {
    async fn a_new_practice_sends_packs_7_days_before(app) {
        use app::care_team::enrol::operator::{FirstAdmin, first_admin};
        let new = FirstAdmin { name: "Ann Admin", organisation: "New Surgery", kind: "gp_practice", ods_code: None, also_role: None };
        let (_, org, _) = first_admin(&app.db, &app.clock, crate::support::ORIGIN, &new).await.expect("a new practice");
        let org = organisation::Entity::find_by_id(org).one(&app.db).await.unwrap().unwrap();
        assert_eq!(org.pack_release_days, 7);
    }
}

/// The caseload's rows, and the statements it took.
async fn count(
    state: &app::state::AppState,
    dr: uuid::Uuid,
    now: chrono::DateTime<chrono::Utc>,
    statements: &AtomicUsize,
) -> (usize, usize) {
    let actor = app::access::Actor::new(dr, now);
    let ctx = app::access::open_staff(
        &state.db,
        actor,
        app::access::Permission::ListCaseload,
        None,
    )
    .await
    .expect("ctx");
    statements.store(0, Ordering::SeqCst);
    let view = app::care_team::caseload::service::caseload(
        state,
        &ctx,
        Default::default(),
        Default::default(),
    )
    .await
    .expect("caseload");
    (view.rows.len(), statements.load(Ordering::SeqCst))
}

db_test! {
    async fn the_caseload_runs_the_same_statements_for_three_people_or_thirty(app) {
        demo::seed_demo(&app.state.app).await.expect("seed");
        let dr = app::entities::account::Entity::find().filter(app::entities::account::Column::DisplayName.eq("Dr Priya Shah")).one(&app.db).await.unwrap().unwrap().id;
        let mut db = server::db::connect(&app.target).await.expect("connect");
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        let prepared = server::prepare_with(app.config.clone(), Arc::new(app.clock.clone()), db, app.target.clone()).await.expect("prepare");
        let state = prepared.state.app;
        let (few, before) = count(&state, dr, app::clock::Clock::now(&app.clock), &statements).await;
        let home = patient::Entity::find().one(&app.db).await.unwrap().unwrap().organisation_id;
        let now = app::clock::Clock::now(&app.clock);
        for i in 0..27 {
            let p = uuid::Uuid::new_v4();
            patient::ActiveModel {
                id: Set(p), account_id: Set(None), organisation_id: Set(home),
                given_name: Set(format!("Extra{i}")), family_name: Set("Person".into()),
                date_of_birth: Set(chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()),
                nhs_number: Set(format!("{:010}", 1_000_000 + i)), phone: Set(None), email: Set(None),
                time_zone: Set("Europe/London".into()), created_at: Set(now),
                data_version: sea_orm::ActiveValue::NotSet,
            }.insert(&app.db).await.unwrap();
            checks_appointment::ActiveModel {
                id: Set(uuid::Uuid::new_v4()), patient_id: Set(p), organisation_id: Set(home),
                starts_at: Set(now - Duration::days(1)), place: Set("Room 1".into()), with_whom: Set("HCA".into()),
                status: Set(if i % 2 == 0 { "done" } else { "booked" }.into()), checks: Set("bloods".into()),
                done_checks: Set(Some("bloods".into())), done_at: Set(None), done_by: Set(None),
                created_by: Set(dr), created_at: Set(now), updated_at: Set(now),
            }.insert(&app.db).await.unwrap();
        }
        let (many, after) = count(&state, dr, app::clock::Clock::now(&app.clock), &statements).await;
        assert_eq!((few, many), (3, 30));
        assert_eq!(before, after, "statements for 3 people vs 30");
        assert!(after <= 10, "a handful: {after}");
    }
}
