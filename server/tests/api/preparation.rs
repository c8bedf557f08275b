//! The review cycle over real HTTP: booking, moving, cancelling and closing reviews; the pack
//! going out by itself N days before; the person's agenda (draft, send, edit until the review);
//! the care team's view; results entered by hand and imported from CSV and FHIR files,
//! all-or-nothing and idempotent; a person's own target.
use app::entities::{
    agenda_answer, agenda_prompt, observation, organisation, patient, preparation_pack, review,
};
use chrono::{Duration, NaiveDate};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};
use uuid::Uuid;

use crate::db_test;
use crate::plan::{Person, make_patient, page, post_form, post_json};
use crate::results::{add_hba1c, clinician_of};
use crate::support::{TestApp, session_cookie_for};

pub(crate) async fn staff(app: &TestApp, of: &Person, role: &str) -> Person {
    let account_id = clinician_of(app, of, role).await;
    Person {
        patient_id: of.patient_id,
        account_id,
        cookie: session_cookie_for(app, account_id).await,
    }
}

/// The day `days` from the app's now, on the London clock, as a date field takes it.
pub(crate) fn day(app: &TestApp, days: i64) -> String {
    let now = app::clock::Clock::now(&app.clock);
    (app::plan::service::today_in("Europe/London", now) + Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

pub(crate) fn booking<'a>(who: &'a str, date: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("patient_id", who),
        ("date", date),
        ("time", "10:30"),
        ("with_whom", "Dr Test"),
        ("mode", "in_person"),
        ("place", "Room 3"),
    ]
}

pub(crate) async fn book(app: &TestApp, by: &Person, of: &Person, days: i64) -> Uuid {
    let id = of.patient_id.to_string();
    let date = day(app, days);
    let (status, location) = post_form(app, by, "/api/team/review", &booking(&id, &date)).await;
    assert_eq!(
        (status, location.as_str()),
        (302, format!("/team/people/{id}").as_str())
    );
    review::Entity::find()
        .filter(review::Column::PatientId.eq(of.patient_id))
        .filter(review::Column::Status.eq("scheduled"))
        .one(&app.db)
        .await
        .unwrap()
        .expect("a booked review")
        .id
}

/// Sessions end after a while idle, and the tests move the clock by days: sign in again.
pub(crate) async fn again(app: &TestApp, who: &mut Person) {
    who.cookie = session_cookie_for(app, who.account_id).await;
}

async fn results_list(app: &TestApp, who: &Person) -> String {
    post_json(app, who, "/api/results/list", &[]).await.1
}

pub(crate) async fn upload(app: &TestApp, by: &Person, name: &str, content: &str) -> (u16, String) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text(content.to_owned()).file_name(name.to_owned()),
    );
    let res = app
        .client()
        .post(app.url("/team/results/import"))
        .header("cookie", &by.cookie)
        .header("accept", "application/json")
        .multipart(form)
        .send()
        .await
        .expect("upload");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

async fn observations(app: &TestApp) -> u64 {
    observation::Entity::find().count(&app.db).await.unwrap()
}

db_test! {
    async fn care_team_books_moves_and_cancels_a_review_and_the_person_sees_each_change(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let dr = staff(&app, &me, "clinician").await;
        let review_id = book(&app, &dr, &me, 20).await;
        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("at 10:30") && prep.contains("Dr Test") && prep.contains("Room 3"), "{prep}");
        assert!(prep.contains("About 2 weeks before your review"), "20 days ahead: the pack has not gone yet");
        let long = NaiveDate::parse_from_str(&day(&app, 20), "%Y-%m-%d").unwrap().format("%-d %B %Y").to_string();
        assert!(page(&app, &me, "/today").await.contains(&long), "Today shows the next review");

        let id = me.patient_id.to_string();
        let date = day(&app, 30);
        let (status, body) = post_json(&app, &dr, "/api/team/review", &booking(&id, &date)).await;
        assert_eq!(status, 422);
        assert!(body.contains("already has a review booked"), "{body}");

        let rid = review_id.to_string();
        let mut moved = booking(&id, &date);
        moved.push(("review_id", &rid));
        moved[2] = ("time", "14:15");
        let (status, _) = post_form(&app, &dr, "/api/team/review", &moved).await;
        assert_eq!(status, 302);
        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("at 14:15") && !prep.contains("at 10:30"), "moved");

        let (status, _) = post_form(&app, &dr, "/api/team/review_cancel", &[("patient_id", &id), ("review_id", &rid)]).await;
        assert_eq!(status, 302);
        assert!(page(&app, &me, "/preparation").await.contains("You do not have a review booked yet"));
        assert!(page(&app, &me, "/today").await.contains("No review is booked yet."));
    }
}

db_test! {
    async fn a_review_form_with_problems_says_what_is_wrong_and_books_nothing(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let dr = staff(&app, &me, "clinician").await;
        let id = me.patient_id.to_string();
        let (status, body) = post_json(&app, &dr, "/api/team/review", &[("patient_id", &id), ("mode", "in_person")]).await;
        assert_eq!(status, 422);
        for message in ["Enter the date of the review", "Enter the time of the review", "Enter who the person will see", "Enter where the review will be"] {
            assert!(body.contains(message), "{message}: {body}");
        }
        let yesterday = day(&app, -1);
        let (_, body) = post_json(&app, &dr, "/api/team/review", &booking(&id, &yesterday)).await;
        assert!(body.contains("The review must be in the future"), "{body}");
        // 01:30 on the last Sunday of March does not happen in London.
        let now = app::clock::Clock::now(&app.clock);
        let year = app::plan::service::today_in("Europe/London", now).format("%Y").to_string().parse::<i32>().unwrap() + 1;
        let mut gap = NaiveDate::from_ymd_opt(year, 3, 31).unwrap();
        while gap.format("%a").to_string() != "Sun" {
            gap -= Duration::days(1);
        }
        let gap = gap.format("%Y-%m-%d").to_string();
        let mut fields = booking(&id, &gap);
        fields[2] = ("time", "01:30");
        let (_, body) = post_json(&app, &dr, "/api/team/review", &fields).await;
        assert!(body.contains("the clocks change"), "{body}");
        // Without JavaScript the form comes back with the message beside the field.
        let (status, location) = post_form(&app, &dr, "/api/team/review", &booking(&id, &yesterday)).await;
        assert_eq!((status, location.as_str()), (302, format!("/team/people/{id}").as_str()));
        let back = page(&app, &dr, &location).await;
        assert!(back.contains("nhsuk-error-summary") && back.contains("The review must be in the future"));
        assert_eq!(review::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

db_test! {
    async fn only_staff_of_the_persons_practice_in_the_right_role_manage_reviews(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let id = me.patient_id.to_string();
        let date = day(&app, 10);
        let assistant = staff(&app, &me, "healthcare_assistant").await;
        let (status, _) = post_json(&app, &assistant, "/api/team/review", &booking(&id, &date)).await;
        assert_eq!(status, 404, "an assistant cannot book");
        let (status, _) = post_json(&app, &me, "/api/team/review", &booking(&id, &date)).await;
        assert_eq!(status, 404, "nor can the person");
        // Staff of another practice: the same not-found as a record that does not exist.
        let elsewhere = make_patient(&app, "Other Person", "9434765870").await;
        let other_org = Uuid::new_v4();
        organisation::ActiveModel { id: Set(other_org), name: Set("Elsewhere".into()), kind: Set("gp_practice".into()), ods_code: Set(None), created_at: Set(app.now()), pack_release_days: Set(14) }
            .insert(&app.db).await.unwrap();
        let mut p: patient::ActiveModel = patient::Entity::find_by_id(elsewhere.patient_id).one(&app.db).await.unwrap().unwrap().into();
        p.organisation_id = Set(other_org);
        p.update(&app.db).await.unwrap();
        let outsider = staff(&app, &elsewhere, "clinician").await;
        let (status, denied) = post_json(&app, &outsider, "/api/team/person", &[("patient_id", &id)]).await;
        let missing = Uuid::new_v4().to_string();
        let (status2, absent) = post_json(&app, &outsider, "/api/team/person", &[("patient_id", &missing)]).await;
        assert_eq!((status, status2), (404, 404));
        assert_eq!(denied, absent, "a refusal looks exactly like a missing record");
        let (status, _) = post_json(&app, &outsider, "/api/team/review", &booking(&id, &date)).await;
        assert_eq!(status, 404);
        assert_eq!(review::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

db_test! {
    async fn the_pack_goes_out_by_itself_the_practices_days_before_the_review(app) {
        let mut me = make_patient(&app, "Dora Tester", "9434765919").await;
        add_hba1c(&app, &me, 61.0, 5).await;
        let mut dr = staff(&app, &me, "clinician").await;
        let org = patient::Entity::find_by_id(me.patient_id).one(&app.db).await.unwrap().unwrap().organisation_id;
        let mut o: organisation::ActiveModel = organisation::Entity::find_by_id(org).one(&app.db).await.unwrap().unwrap().into();
        o.pack_release_days = Set(7);
        o.update(&app.db).await.unwrap();
        let review = book(&app, &dr, &me, 20).await;
        let starts = review::Entity::find_by_id(review).one(&app.db).await.unwrap().unwrap().starts_at;
        assert_eq!(results_list(&app, &me).await, "[]");
        // Exact times from the review, so the test reads the same at any hour of the day.
        app.clock.set(starts - Duration::days(13));
        again(&app, &mut me).await;
        assert_eq!(app.sweep_packs().await, 0, "13 days before: this practice sends 7 days before");
        assert_eq!(results_list(&app, &me).await, "[]");
        app.clock.set(starts - Duration::days(7) + Duration::minutes(1));
        again(&app, &mut me).await;
        again(&app, &mut dr).await;
        // Pages only read: opening them releases nothing; the server's sweep does, once.
        assert_eq!(results_list(&app, &me).await, "[]");
        page(&app, &me, "/preparation").await;
        page(&app, &dr, &format!("/team/people/{}", me.patient_id)).await;
        assert_eq!(preparation_pack::Entity::find().count(&app.db).await.unwrap(), 0, "no page wrote a pack");
        assert_eq!(app.sweep_packs().await, 1);
        assert_eq!(app.sweep_packs().await, 0, "a second sweep finds nothing to do");
        assert!(results_list(&app, &me).await.contains("61"), "7 days before: sent by itself");
        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("What is important to you right now?"));
        assert!(prep.contains("How is your breathing affecting what you want to do?"), "the COPD prompt");
        assert!(!prep.contains("How are you getting on with your diabetes"), "not a prompt for a condition she does not have");
        let team = page(&app, &dr, &format!("/team/people/{}", me.patient_id)).await;
        assert!(team.contains("(by itself)"), "the care team sees it went by itself");
        let pack = preparation_pack::Entity::find().one(&app.db).await.unwrap().unwrap();
        assert!(pack.automatic && pack.released_by.is_none());
    }
}

db_test! {
    async fn a_practice_that_wrote_its_own_prompts_asks_those(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let org = patient::Entity::find_by_id(me.patient_id).one(&app.db).await.unwrap().unwrap().organisation_id;
        for (i, (condition, text)) in [(None, "What matters most to you this year?"), (Some("copd"), "How far can you walk before you stop?"), (Some("ckd"), "A kidney question")].into_iter().enumerate() {
            agenda_prompt::ActiveModel { id: Set(Uuid::new_v4()), organisation_id: Set(org), condition: Set(condition.map(str::to_owned)), position: Set(i as i32), text: Set(text.into()) }
                .insert(&app.db).await.unwrap();
        }
        let dr = staff(&app, &me, "clinician").await;
        book(&app, &dr, &me, 5).await;
        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("What matters most to you this year?") && prep.contains("How far can you walk before you stop?"));
        assert!(!prep.contains("A kidney question") && !prep.contains("What is important to you right now?"));
    }
}

db_test! {
    async fn the_person_drafts_sends_and_edits_answers_until_the_review_starts(app) {
        let mut me = make_patient(&app, "Dora Tester", "9434765919").await;
        let dr = staff(&app, &me, "clinician").await;
        book(&app, &dr, &me, 10).await;
        let team_page = format!("/team/people/{}", me.patient_id);
        assert!(page(&app, &dr, &team_page).await.contains("They have not opened their pack yet."));

        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("Your answers are a draft"));
        let (status, location) = post_form(&app, &me, "/api/preparation/answers", &[("intent", "draft"), ("answer_0", "Walking to the shops")]).await;
        assert_eq!((status, location.as_str()), (302, "/preparation"));
        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("Walking to the shops"), "the draft is there when she comes back");
        let team = page(&app, &dr, &team_page).await;
        assert!(team.contains("opened their pack but not sent"));
        assert!(!team.contains("Walking to the shops"), "a draft is hers alone");

        let (status, body) = post_json(&app, &me, "/api/preparation/answers", &[("intent", "send"), ("answer_0", " ")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Write an answer to at least one question"), "{body}");
        let long = "x".repeat(3001);
        let (status, _) = post_json(&app, &me, "/api/preparation/answers", &[("intent", "draft"), ("answer_1", &long)]).await;
        assert_eq!(status, 422, "too long");
        assert!(page(&app, &me, "/preparation").await.contains("Walking to the shops"), "a refused save changes nothing");

        let (status, _) = post_form(&app, &me, "/api/preparation/answers", &[("intent", "send"), ("answer_0", "Walking to the shops"), ("answer_2", "My breathing on hills")]).await;
        assert_eq!(status, 302);
        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("Sent by Dora Tester on"), "who wrote it");
        assert!(prep.contains("Send my changes"));
        let team = page(&app, &dr, &team_page).await;
        assert!(team.contains("Walking to the shops") && team.contains("My breathing on hills") && team.contains("Sent by Dora Tester"));
        let (_, rows) = post_json(&app, &dr, "/api/team/reviews", &[]).await;
        assert!(rows.contains("\"opened\":true") && !rows.contains("\"returned\":null"), "{rows}");

        let (status, _) = post_json(&app, &me, "/api/preparation/answers", &[("intent", "send"), ("answer_0", "Walking to the park")]).await;
        assert_eq!(status, 200, "still editable before the review");
        assert!(page(&app, &dr, &team_page).await.contains("Walking to the park"));

        app.clock.advance(Duration::days(11));
        again(&app, &mut me).await;
        let (status, body) = post_json(&app, &me, "/api/preparation/answers", &[("intent", "send"), ("answer_0", "Too late")]).await;
        assert_eq!(status, 409, "{body}");
        assert!(body.contains("Your review has started"));
        let prep = page(&app, &me, "/preparation").await;
        assert!(prep.contains("Walking to the park") && !prep.contains("<textarea"), "read-only once it has started");
    }
}

db_test! {
    async fn after_the_review_the_team_records_it_held_and_the_next_review_date(app) {
        let mut me = make_patient(&app, "Dora Tester", "9434765919").await;
        let mut dr = staff(&app, &me, "clinician").await;
        let id = me.patient_id.to_string();
        let rid = book(&app, &dr, &me, 1).await.to_string();
        let next = day(&app, 365);
        let (status, body) = post_json(&app, &dr, "/api/team/review_held", &[("patient_id", &id), ("review_id", &rid), ("next_date", &next)]).await;
        assert_eq!(status, 422, "not before it has started: {body}");
        app.clock.advance(Duration::days(2));
        again(&app, &mut me).await;
        again(&app, &mut dr).await;
        let (status, body) = post_json(&app, &dr, "/api/team/review_held", &[("patient_id", &id), ("review_id", &rid), ("next_date", "")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Enter when the next review is due"));
        let next = day(&app, 363);
        let (status, _) = post_form(&app, &dr, "/api/team/review_held", &[("patient_id", &id), ("review_id", &rid), ("next_date", &next)]).await;
        assert_eq!(status, 302);
        let due = NaiveDate::parse_from_str(&next, "%Y-%m-%d").unwrap().format("%-d %B %Y").to_string();
        assert!(page(&app, &me, "/today").await.contains(&due), "the next review date is on Today");
        assert!(page(&app, &dr, &format!("/team/people/{id}")).await.contains(&format!("held. Next review due {due}")));
        book(&app, &dr, &me, 300).await;
    }
}

db_test! {
    async fn a_result_entered_by_hand_is_checked_and_waits_for_the_pack(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let id = me.patient_id.to_string();
        let nurse = staff(&app, &me, "healthcare_assistant").await;
        let taken = day(&app, -2);
        let (status, body) = post_json(&app, &nurse, "/api/team/result", &[("patient_id", &id), ("code", "blood_pressure"), ("value", "88/142"), ("taken_on", &taken)]).await;
        assert_eq!(status, 422);
        assert!(body.contains("value"), "{body}");
        let tomorrow = day(&app, 1);
        let (status, body) = post_json(&app, &nurse, "/api/team/result", &[("patient_id", &id), ("code", "hba1c"), ("value", "52"), ("taken_on", &tomorrow)]).await;
        assert_eq!(status, 422, "a result from the future: {body}");
        assert_eq!(observations(&app).await, 0);
        let (status, _) = post_form(&app, &nurse, "/api/team/result", &[("patient_id", &id), ("code", "blood_pressure"), ("value", "142/88"), ("taken_on", &taken)]).await;
        assert_eq!(status, 302);
        let (status, body) = post_json(&app, &nurse, "/api/team/result", &[("patient_id", &id), ("code", "blood_pressure"), ("value", "142/88"), ("taken_on", &taken)]).await;
        assert_eq!(status, 422);
        assert!(body.contains("already recorded"), "{body}");
        assert_eq!(observations(&app).await, 1);
        assert_eq!(results_list(&app, &me).await, "[]", "not before the pack");
        let team = page(&app, &nurse, &format!("/team/people/{id}")).await;
        assert!(team.contains("142/88 mmHg") && team.contains("Not yet"), "the team sees it, marked not shared");
        let stranger = crate::plan::make_patient(&app, "Other Person", "9434765870").await;
        let (status, _) = post_json(&app, &stranger, "/api/team/result", &[("patient_id", &id), ("code", "hba1c"), ("value", "52"), ("taken_on", &taken)]).await;
        assert_eq!(status, 404, "another patient cannot add results");
    }
}

fn csv_for(date: &str) -> String {
    format!(
        "nhs_number,result,value,taken_on\n\
         943 476 5919,hba1c,52,{date}\n\
         9434765919,blood_pressure,138/82,{date}\n\
         9434765919,4548-4,55,{date}\n\
         9434765919,foot_risk,Low risk,{date}\n"
    )
}

/// How many results an import added and found already here, from its JSON answer.
pub fn counts(body: &str) -> (u64, u64) {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    (
        v["added"].as_u64().unwrap_or(u64::MAX),
        v["already"].as_u64().unwrap_or(u64::MAX),
    )
}

db_test! {
    async fn a_csv_file_imports_once_and_uploading_it_again_adds_nothing(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let nurse = staff(&app, &me, "healthcare_assistant").await;
        let csv = csv_for(&day(&app, -3));
        let (status, body) = upload(&app, &nurse, "results.csv", &csv).await;
        assert_eq!((status, counts(&body)), (200, (4, 0)), "{body}");
        let (status, body) = upload(&app, &nurse, "results.csv", &csv).await;
        assert_eq!((status, counts(&body)), (200, (0, 4)), "{body}");
        assert_eq!(observations(&app).await, 4);
        let dr = staff(&app, &me, "clinician").await;
        let (status, _) = post_form(&app, &dr, "/api/team/release", &[("patient_id", &me.patient_id.to_string())]).await;
        assert_eq!(status, 302);
        let list = results_list(&app, &me).await;
        assert!(list.contains("138/82") && list.contains("Low risk") && list.contains("55"), "{list}");
    }
}

db_test! {
    async fn a_csv_file_with_bad_lines_reports_every_line_and_stores_nothing(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let nurse = staff(&app, &me, "healthcare_assistant").await;
        let date = day(&app, -3);
        let csv = format!(
            "nhs_number,result,value,taken_on\n\
             9434765919,hba1c,52,{date}\n\
             1234567890,hba1c,52,{date}\n\
             9434765919,cholesterol please,5,{date}\n\
             9434765919,hba1c,9000,{date}\n\
             9434765919,hba1c,50,not a date\n"
        );
        let (status, body) = upload(&app, &nurse, "bad.csv", &csv).await;
        assert_eq!(status, 422, "{body}");
        for line in ["Line 3", "Line 4", "Line 5", "Line 6"] {
            assert!(body.contains(line), "{line} is reported: {body}");
        }
        assert!(!body.contains("Line 2"), "the good line is not a problem");
        assert_eq!(observations(&app).await, 0, "all or nothing");
        let (status, body) = upload(&app, &nurse, "empty.csv", "").await;
        assert_eq!(status, 422);
        assert!(body.contains("Choose a file"), "{body}");
        // A browser gets the report on the page.
        let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::text(csv).file_name("bad.csv"));
        let res = app.client().post(app.url("/team/results/import")).header("cookie", &nurse.cookie).header("accept", "text/html").multipart(form).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let report = page(&app, &nurse, "/team/results/import").await;
        assert!(report.contains("Nothing was imported") && report.contains("Line 4"), "{report}");
    }
}

db_test! {
    async fn results_for_someone_not_on_the_practice_list_are_refused_whole(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let nurse = staff(&app, &me, "healthcare_assistant").await;
        let date = day(&app, -3);
        // A valid NHS number, but nobody here has it.
        let csv = format!("nhs_number,result,value,taken_on\n9434765919,hba1c,52,{date}\n9434765870,hba1c,52,{date}\n");
        let (status, body) = upload(&app, &nurse, "r.csv", &csv).await;
        assert_eq!(status, 422);
        assert!(body.contains("Line 3") && body.contains("9434765870"), "{body}");
        assert_eq!(observations(&app).await, 0);
        let (status, _) = upload(&app, &me, "r.csv", &csv_for(&date)).await;
        assert_eq!(status, 404, "a patient cannot import");
    }
}

fn bundle(date: &str, hba1c: &str, status: &str) -> String {
    format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[
        {{"fullUrl":"urn:uuid:p1","resource":{{"resourceType":"Patient","identifier":[{{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}}]}}}},
        {{"resource":{{"resourceType":"Observation","status":"{status}","code":{{"coding":[{{"system":"http://loinc.org","code":"4548-4"}}]}},"subject":{{"reference":"urn:uuid:p1"}},"effectiveDateTime":"{date}","valueQuantity":{{"value":{hba1c},"unit":"mmol/mol"}}}}}},
        {{"resource":{{"resourceType":"Observation","status":"final","code":{{"coding":[{{"system":"http://loinc.org","code":"85354-9"}}]}},"subject":{{"identifier":{{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9434765919"}}}},"effectiveDateTime":"{date}","component":[{{"code":{{"coding":[{{"system":"http://loinc.org","code":"8480-6"}}]}},"valueQuantity":{{"value":135}}}},{{"code":{{"coding":[{{"system":"http://loinc.org","code":"8462-4"}}]}},"valueQuantity":{{"value":84}}}}]}}}}
        ]}}"#
    )
}

db_test! {
    async fn a_fhir_bundle_imports_once_and_a_bad_one_is_reported_per_entry(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let nurse = staff(&app, &me, "healthcare_assistant").await;
        let date = day(&app, -4);
        // A preliminary result is left out and listed, not a problem (#20): the bad one is final.
        let (status, body) = upload(&app, &nurse, "bad.json", &bundle(&date, "900", "final")).await;
        assert_eq!(status, 422);
        assert!(body.contains("Entry 2") && !body.contains("Entry 3"), "{body}");
        assert_eq!(observations(&app).await, 0);
        let (status, body) = upload(&app, &nurse, "bad.json", "{\"resourceType\":\"Patient\"}").await;
        assert_eq!(status, 422);
        assert!(body.contains("File"), "{body}");
        let good = bundle(&date, "57", "final");
        let (status, body) = upload(&app, &nurse, "ok.json", &good).await;
        assert_eq!((status, counts(&body)), (200, (2, 0)), "{body}");
        let (_, body) = upload(&app, &nurse, "ok.json", &good).await;
        assert_eq!(counts(&body), (0, 2), "{body}");
        let bp = observation::Entity::find().filter(observation::Column::Code.eq("blood_pressure")).one(&app.db).await.unwrap().unwrap();
        assert_eq!((bp.value_num, bp.value_num2), (Some(135.0), Some(84.0)));
    }
}

db_test! {
    async fn a_target_of_their_own_changes_whether_a_result_meets_it(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        add_hba1c(&app, &me, 52.0, 5).await;
        let dr = staff(&app, &me, "clinician").await;
        let id = me.patient_id.to_string();
        post_form(&app, &dr, "/api/team/release", &[("patient_id", &id)]).await;
        assert!(results_list(&app, &me).await.contains("This is above the target of 48 or lower."));
        let nurse = staff(&app, &me, "healthcare_assistant").await;
        let (status, _) = post_json(&app, &nurse, "/api/team/target", &[("patient_id", &id), ("code", "hba1c"), ("value", "53")]).await;
        assert_eq!(status, 404, "a target is a clinician's decision");
        let (status, body) = post_json(&app, &dr, "/api/team/target", &[("patient_id", &id), ("code", "hba1c"), ("value", "lots")]).await;
        assert_eq!(status, 422, "{body}");
        let (status, _) = post_form(&app, &dr, "/api/team/target", &[("patient_id", &id), ("code", "hba1c"), ("value", "53")]).await;
        assert_eq!(status, 302);
        assert!(results_list(&app, &me).await.contains("This meets the target of 53 or lower."));
        assert!(page(&app, &dr, &format!("/team/people/{id}")).await.contains("Own target: 53"));
        post_form(&app, &dr, "/api/team/target", &[("patient_id", &id), ("code", "hba1c"), ("value", "")]).await;
        assert!(results_list(&app, &me).await.contains("target of 48 or lower"), "back to the usual target");
    }
}

db_test! {
    async fn each_demo_patient_has_a_review_within_three_weeks_and_margaret_has_answered(app) {
        demo::seed_demo(&app.state.app).await.expect("seed");
        let now = app::clock::Clock::now(&app.clock);
        let reviews = review::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(reviews.len(), 3);
        for r in &reviews {
            assert!(r.starts_at > now && r.starts_at < now + Duration::days(21), "within 3 weeks");
            let pack = preparation_pack::Entity::find().filter(preparation_pack::Column::ReviewId.eq(r.id)).one(&app.db).await.unwrap().expect("a pack");
            assert!(pack.released_at.is_some());
        }
        let sent = preparation_pack::Entity::find().filter(preparation_pack::Column::SubmittedAt.is_not_null()).all(&app.db).await.unwrap();
        assert_eq!(sent.len(), 1, "one person has already answered");
        let margaret = patient::Entity::find().filter(patient::Column::GivenName.eq("Margaret")).one(&app.db).await.unwrap().unwrap();
        assert_eq!(sent[0].patient_id, margaret.id);
    }
}

db_test! {
    async fn sweeps_and_send_now_at_once_release_one_pack_with_one_set_of_questions(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let mut dr = staff(&app, &me, "clinician").await;
        let review = book(&app, &dr, &me, 20).await;
        let starts = review::Entity::find_by_id(review).one(&app.db).await.unwrap().unwrap().starts_at;
        app.clock.set(starts - Duration::days(14) + Duration::minutes(1));
        again(&app, &mut dr).await;
        let id = me.patient_id.to_string();
        let form = [("patient_id", id.as_str()), ("review_id", ""), ("next_date", "")];
        // Six instances' sweeps and two clicks of "send now", all at the same moment.
        let sweeps = futures::future::join_all((0..6).map(|_| app.sweep_packs()));
        let sends = futures::future::join_all((0..2).map(|_| post_form(&app, &dr, "/api/team/release", &form)));
        let (_, sent) = futures::future::join(sweeps, sends).await;
        assert!(sent.iter().all(|(s, _)| *s == 302), "both sends succeed: {sent:?}");
        let packs = preparation_pack::Entity::find()
            .filter(preparation_pack::Column::ReviewId.eq(review))
            .all(&app.db)
            .await
            .unwrap();
        assert_eq!(packs.len(), 1, "one pack for one review");
        let answers = agenda_answer::Entity::find()
            .filter(agenda_answer::Column::PackId.eq(packs[0].id))
            .all(&app.db)
            .await
            .unwrap();
        let mut positions: Vec<i32> = answers.iter().map(|a| a.position).collect();
        positions.sort();
        positions.dedup();
        assert!(!answers.is_empty() && positions.len() == answers.len(), "each question once: {positions:?}");
        assert_eq!(agenda_answer::Entity::find().count(&app.db).await.unwrap(), answers.len() as u64);
    }
}

db_test! {
    async fn today_follows_the_review_cycle_booked_then_ready_then_answered_then_agreed_and_due(app) {
        let mut me = make_patient(&app, "Dora Tester", "9434765919").await;
        let mut dr = staff(&app, &me, "clinician").await;
        let id = me.patient_id.to_string();
        assert!(page(&app, &me, "/today").await.contains("No review is booked yet."));

        // Booked: when, where, with whom and how, and one button to get ready.
        book(&app, &dr, &me, 20).await;
        let today = page(&app, &me, "/today").await;
        let on = NaiveDate::parse_from_str(&day(&app, 20), "%Y-%m-%d").unwrap().format("%-d %B %Y").to_string();
        for shown in ["Your review", &on, "at 10:30", "Room 3", "Dr Test", "In person", "Get ready for your review"] {
            assert!(today.contains(shown), "{shown}: {today}");
        }
        assert!(!today.contains("results are ready"), "the pack has not gone out yet");
        assert!(!page(&app, &me, "/plan").await.contains("Next review due by"), "booking is not the review due date");

        // The pack is out: results ready, and the questions counted.
        let (status, _) = post_form(&app, &dr, "/api/team/release", &[("patient_id", &id)]).await;
        assert_eq!(status, 302);
        let asked = agenda_answer::Entity::find().count(&app.db).await.unwrap();
        assert!(asked >= 3, "the Year of Care prompts");
        let today = page(&app, &me, "/today").await;
        assert!(today.contains("Your results are ready."), "{today}");
        assert!(today.contains(&format!("0 of {asked} questions answered.")), "{today}");
        let (status, _) = post_form(&app, &me, "/api/preparation/answers", &[("intent", "draft"), ("answer_0", "Walking to the shops")]).await;
        assert_eq!(status, 302);
        assert!(page(&app, &me, "/today").await.contains(&format!("1 of {asked} questions answered.")));
        let (status, _) = post_form(&app, &me, "/api/preparation/answers", &[("intent", "send"), ("answer_0", "Walking to the shops")]).await;
        assert_eq!(status, 302);
        assert!(page(&app, &me, "/today").await.contains("Answers sent to the care team."));

        // After the conversation: the plan agreed, and the next review due by its date.
        app.clock.advance(Duration::days(21));
        again(&app, &mut me).await;
        again(&app, &mut dr).await;
        let next = day(&app, 365);
        let (status, _) = post_form(&app, &dr, "/api/team/agree", &[("patient_id", &id), ("agreed_with", "person"), ("next_review", &next)]).await;
        assert_eq!(status, 302);
        let today = page(&app, &me, "/today").await;
        let agreed = NaiveDate::parse_from_str(&day(&app, 0), "%Y-%m-%d").unwrap().format("%-d %B %Y").to_string();
        let due = NaiveDate::parse_from_str(&next, "%Y-%m-%d").unwrap().format("%-d %B %Y").to_string();
        assert!(today.contains(&format!("Your plan was agreed on {agreed}.")), "{today}");
        assert!(today.contains(&format!("Your next review is due by {due}")), "{today}");
        assert!(today.contains("Your next review") && !today.contains("Answers sent to the care team."), "no review is booked now: {today}");
        assert!(page(&app, &me, "/plan").await.contains("Next review due by"));
    }
}

db_test! {
    async fn an_administrator_keeps_the_practices_questions_and_answers_keep_the_wording_they_were_given(app) {
        let first = make_patient(&app, "Dora Tester", "9434765919").await;
        let later = make_patient(&app, "Eve Tester", "9434765870").await;
        let admin = staff(&app, &first, "org_admin").await;
        let dr = staff(&app, &first, "clinician").await;
        let org = patient::Entity::find_by_id(first.patient_id).one(&app.db).await.unwrap().unwrap().organisation_id.to_string();
        let prompts = || async {
            agenda_prompt::Entity::find()
                .filter(agenda_prompt::Column::OrganisationId.eq(Uuid::parse_str(&org).unwrap()))
                .all(&app.db)
                .await
                .unwrap()
                .into_iter()
                .map(|p| (p.position, (p.id, p.text)))
                .collect::<std::collections::BTreeMap<_, _>>()
        };

        // A clinician may not change them; the administrator sees the Year of Care set.
        assert_eq!(post_json(&app, &dr, "/api/team/prompts", &[]).await.0, 404);
        let (status, body) = post_json(&app, &admin, "/api/team/prompts", &[]).await;
        assert_eq!(status, 200);
        assert!(body.contains("What is important to you right now?") && body.contains(r#""own":false"#), "{body}");

        // Dora's pack goes out before anything changes.
        book(&app, &dr, &first, 10).await;
        assert_eq!(post_form(&app, &dr, "/api/team/release", &[("patient_id", &first.patient_id.to_string())]).await.0, 302);

        // Adding a question makes the set the practice's own, with the new one last.
        let add = [("organisation_id", org.as_str()), ("condition", ""), ("text", "Who comes with you to appointments?")];
        assert_eq!(post_form(&app, &admin, "/api/team/prompt_add", &add).await.0, 302);
        let set = prompts().await;
        assert_eq!(set.values().last().map(|(_, t)| t.as_str()), Some("Who comes with you to appointments?"));
        let (important, _) = set.values().find(|(_, t)| t == "What is important to you right now?").cloned().unwrap();
        let (ask, _) = set.values().find(|(_, t)| t == "Questions you would like to ask").cloned().unwrap();
        let (new, _) = set.values().last().cloned().unwrap();

        // Reword, move up, retire.
        let important_id = important.to_string();
        let reword = [("organisation_id", org.as_str()), ("prompt_id", important_id.as_str()), ("text", "What matters most to you now?")];
        assert_eq!(post_form(&app, &admin, "/api/team/prompt_reword", &reword).await.0, 302);
        let new_id = new.to_string();
        let up = [("organisation_id", org.as_str()), ("prompt_id", new_id.as_str()), ("direction", "up")];
        assert_eq!(post_form(&app, &admin, "/api/team/prompt_move", &up).await.0, 302);
        let ask_id = ask.to_string();
        let retire = [("organisation_id", org.as_str()), ("prompt_id", ask_id.as_str())];
        assert_eq!(post_form(&app, &admin, "/api/team/prompt_retire", &retire).await.0, 302);
        let (status, body) = post_json(&app, &admin, "/api/team/prompt_reword", &[("organisation_id", org.as_str()), ("prompt_id", important_id.as_str()), ("text", " ")]).await;
        assert_eq!(status, 422);
        assert!(body.contains("Write the question"), "{body}");
        let texts: Vec<String> = prompts().await.into_values().map(|(_, t)| t).collect();
        assert_eq!(texts[0], "What matters most to you now?");
        assert!(!texts.contains(&"Questions you would like to ask".to_owned()));
        assert_eq!(texts[texts.len() - 2], "Who comes with you to appointments?", "moved up one: {texts:?}");

        // The clinician cannot change them, nor can another practice's administrator.
        assert_eq!(post_json(&app, &dr, "/api/team/prompt_reword", &reword).await.0, 404);
        let other = Uuid::new_v4();
        organisation::ActiveModel {
            id: Set(other),
            name: Set("Hillside Surgery".into()),
            kind: Set("gp_practice".into()),
            ods_code: Set(None),
            created_at: Set(app.now()),
            pack_release_days: Set(14),
        }
        .insert(&app.db)
        .await
        .unwrap();
        let elsewhere = crate::conversation::member(&app, other, "org_admin", "Other Admin").await;
        assert_eq!(post_json(&app, &elsewhere, "/api/team/prompt_retire", &retire).await.0, 404);

        // Dora answers against the wording she was given; Eve, whose pack goes out now, gets the new set.
        let db = app.db.clone();
        let asked = |who: Uuid| {
            let db = db.clone();
            async move {
            let pack = preparation_pack::Entity::find().filter(preparation_pack::Column::PatientId.eq(who)).one(&db).await.unwrap().unwrap();
            agenda_answer::Entity::find().filter(agenda_answer::Column::PackId.eq(pack.id)).all(&db).await.unwrap().into_iter().map(|a| a.prompt).collect::<Vec<_>>()
            }
        };
        let dora = asked(first.patient_id).await;
        assert!(dora.contains(&"What is important to you right now?".to_owned()) && dora.contains(&"Questions you would like to ask".to_owned()));
        book(&app, &dr, &later, 10).await;
        assert_eq!(post_form(&app, &dr, "/api/team/release", &[("patient_id", &later.patient_id.to_string())]).await.0, 302);
        let eve = asked(later.patient_id).await;
        assert!(eve.contains(&"What matters most to you now?".to_owned()) && eve.contains(&"Who comes with you to appointments?".to_owned()), "{eve:?}");
        assert!(!eve.contains(&"Questions you would like to ask".to_owned()));
    }
}
