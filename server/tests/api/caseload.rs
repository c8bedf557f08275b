//! The care team's caseload (filters and search, only their own organisation's people) and
//! adding a person with a one-time invitation letter.
use app::entities::{account, checks_appointment, organisation, patient, plan};
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
        organisation::ActiveModel { id: Set(other), name: Set("Hillside".into()), kind: Set("gp_practice".into()), ods_code: Set(None), created_at: Set(app.now()), pack_release_days: Set(14) }
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

/// A person of `org` written straight to the database, with no account.
fn someone(org: Uuid, given: &str, family: &str, zone: &str, n: usize) -> patient::ActiveModel {
    patient::ActiveModel {
        id: Set(Uuid::new_v4()),
        account_id: Set(None),
        organisation_id: Set(org),
        given_name: Set(given.into()),
        family_name: Set(family.into()),
        date_of_birth: Set(chrono::NaiveDate::from_ymd_opt(1950, 1, 1).unwrap()),
        nhs_number: Set(format!("{:010}", 2_000_000 + n)),
        phone: Set(None),
        email: Set(None),
        time_zone: Set(zone.into()),
        created_at: Set(chrono::Utc::now()),
        data_version: sea_orm::ActiveValue::NotSet,
    }
}

/// Every page of the caseload with the session's filter `session` and the address's `address`:
/// the rows in order, and the total each page gave.
async fn every_page(
    app: &TestApp,
    who: &Person,
    session: &[(&str, &str)],
    address: &[(&str, &str)],
) -> (Vec<serde_json::Value>, u64) {
    let (status, body) = post_json(app, who, "/api/team/caseload_filter", session).await;
    assert_eq!(status, 200, "{body}");
    let mut rows = Vec::new();
    let mut totals = Vec::new();
    for n in 1u64.. {
        let page = n.to_string();
        let mut fields = address.to_vec();
        fields.push(("page", &page));
        let (status, body) = post_json(app, who, "/api/team/caseload", &fields).await;
        assert_eq!(status, 200, "{body}");
        let view: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(view["page"], n, "page {n} is page {n}");
        let these = view["rows"].as_array().unwrap().clone();
        assert!(these.len() <= 50, "at most 50 a page");
        totals.push(view["total"].as_u64().unwrap());
        rows.extend(these);
        if n * 50 >= totals[0] {
            break;
        }
        assert_eq!(
            view["rows"].as_array().unwrap().len(),
            50,
            "a page before the last is full"
        );
    }
    assert!(
        totals.windows(2).all(|w| w[0] == w[1]),
        "the same total on every page: {totals:?}"
    );
    assert_eq!(rows.len() as u64, totals[0], "the pages hold the total");
    (rows, totals[0])
}

/// Form fields, as `post_json` sends them.
type Fields<'a> = &'a [(&'a str, &'a str)];

fn ids(rows: &[serde_json::Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["patient_id"].as_str().unwrap().to_owned())
        .collect()
}

/// The ids of everyone in `org`, in the caseload's order (family name, given name, id).
async fn in_name_order(app: &TestApp, org: Uuid) -> Vec<String> {
    use sea_orm::QueryOrder as _;
    patient::Entity::find()
        .filter(patient::Column::OrganisationId.eq(org))
        .order_by_asc(patient::Column::FamilyName)
        .order_by_asc(patient::Column::GivenName)
        .order_by_asc(patient::Column::Id)
        .all(&app.db)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id.to_string())
        .collect()
}

async fn org_of(app: &TestApp, given: &str) -> Uuid {
    patient::Entity::find()
        .filter(patient::Column::GivenName.eq(given))
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .organisation_id
}

db_test! {
    async fn page_two_shows_the_rest_in_name_order_and_no_one_twice(app) {
        let dr = dr_priya(&app).await;
        let home = org_of(&app, "Margaret").await;
        // Three people of each name, so only the id tells them apart at a page's edge.
        let extra: Vec<_> = (0..117).map(|i| someone(home, "Given", &format!("Family{:02}", i / 3), "Europe/London", i)).collect();
        patient::Entity::insert_many(extra).exec(&app.db).await.unwrap();

        let expected = in_name_order(&app, home).await;
        assert_eq!(expected.len(), 120);
        let (rows, total) = every_page(&app, &dr, &[], &[]).await;
        assert_eq!(total, 120);
        assert_eq!(ids(&rows), expected, "pages 1, 2 and 3 in order, each person once");

        let (status, body) = post_json(&app, &dr, "/api/team/caseload", &[("page", "99")]).await;
        assert_eq!(status, 200);
        let past: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!((past["page"].as_u64(), past["rows"].as_array().map(Vec::len)), (Some(3), Some(20)), "past the end is the last page");

        let html = page(&app, &dr, "/team?page=2").await;
        assert!(html.contains("Showing 51 to 100 of 120"), "{html}");
        assert!(html.contains(r#"<nav role="navigation" aria-label="Pages of the caseload""#), "{html}");
        for link in [r#"href="/team" rel="prev""#, r#"href="/team?page=3" rel="next""#, r#"href="/team?page=2" aria-label="Page 2" aria-current="page""#] {
            assert!(html.contains(link), "{link}: {html}");
        }
        let first = page(&app, &dr, "/team").await;
        assert!(first.contains("Showing 1 to 50 of 120") && !first.contains("rel=\"prev\""), "{first}");
    }
}

db_test! {
    async fn a_practice_of_over_a_thousand_is_counted_a_thousand_ahead_and_every_page_is_still_reached(app) {
        let dr = dr_priya(&app).await;
        let home = org_of(&app, "Margaret").await;
        let extra: Vec<_> = (0..1_057).map(|i| someone(home, "Given", &format!("Family{i:04}"), "Europe/London", i)).collect();
        for chunk in extra.chunks(300) {
            patient::Entity::insert_many(chunk.to_vec()).exec(&app.db).await.unwrap();
        }
        let expected = in_name_order(&app, home).await;
        assert_eq!(expected.len(), 1_060);

        // Every page, in order: each person once, counted a thousand past the page's start.
        let (status, body) = post_json(&app, &dr, "/api/team/caseload_filter", &[]).await;
        assert_eq!(status, 200, "{body}");
        let mut rows = Vec::new();
        let mut counts = Vec::new();
        for n in 1u64..=22 {
            let page = n.to_string();
            let (status, body) = post_json(&app, &dr, "/api/team/caseload", &[("page", &page)]).await;
            assert_eq!(status, 200, "{body}");
            let view: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(view["page"], n);
            counts.push((view["total"].as_u64().unwrap(), view["more"].as_bool().unwrap()));
            rows.extend(view["rows"].as_array().unwrap().clone());
        }
        assert_eq!(ids(&rows), expected, "22 pages in name order, each person once");
        assert_eq!(counts[0], (1_000, true), "page 1 counts to 1,000 and says there are more");
        assert_eq!(counts[1], (1_050, true), "page 2 counts to 1,050");
        assert_eq!(counts[2], (1_060, false), "page 3 counts everyone");
        assert!(counts[2..].iter().all(|c| *c == (1_060, false)), "{counts:?}");

        let first = page(&app, &dr, "/team").await;
        assert!(first.contains("Showing 1 to 50 of more than 1,000"), "{first}");
        assert!(first.contains(r#"href="/team?page=2" rel="next""#), "a next page: {first}");
        assert!(!first.contains(r#"aria-label="Page 20""#), "no last page offered before it is counted: {first}");
        let near_end = page(&app, &dr, "/team?page=21").await;
        assert!(near_end.contains("Showing 1,001 to 1,050 of 1,060"), "{near_end}");
        assert!(near_end.contains(r#"href="/team?page=22" rel="next""#), "{near_end}");
        let last = page(&app, &dr, "/team?page=22").await;
        assert!(last.contains("Showing 1,051 to 1,060 of 1,060") && !last.contains(r#"rel="next""#), "{last}");

        // A search narrows the list below the count's reach: counted exactly.
        let (_, total) = every_page(&app, &dr, &[("search", "family000")], &[]).await;
        assert_eq!(total, 10, "Family0000 to Family0009");
    }
}

db_test! {
    async fn a_filter_applies_across_pages_with_the_right_total(app) {
        let dr = dr_priya(&app).await;
        let home = org_of(&app, "Margaret").await;
        let now = app::clock::Clock::now(&app.clock);
        let extra: Vec<_> = (0..120).map(|i| someone(home, &format!("Given{i:03}"), "Filtered", "Europe/London", i)).collect();
        let people: Vec<Uuid> = extra.iter().map(|p| p.id.clone().unwrap()).collect();
        patient::Entity::insert_many(extra).exec(&app.db).await.unwrap();
        // 65 with their checks booked; of the rest, every other one was due for review last month.
        for (i, p) in people.iter().enumerate() {
            if i < 65 {
                checks_appointment::ActiveModel {
                    id: Set(Uuid::new_v4()), patient_id: Set(*p), organisation_id: Set(home),
                    starts_at: Set(now + Duration::days(3)), place: Set("Room 1".into()), with_whom: Set("HCA".into()),
                    status: Set("booked".into()), checks: Set("bloods".into()), done_checks: Set(None), done_at: Set(None), done_by: Set(None),
                    created_by: Set(dr.account_id), created_at: Set(now), updated_at: Set(now),
                }.insert(&app.db).await.unwrap();
            } else if i % 2 == 0 {
                plan::ActiveModel {
                    patient_id: Set(*p), review_date: Set(Some((now - Duration::days(30)).date_naive())),
                    agreed_at: Set(Some(now - Duration::days(400))), ..Default::default()
                }.insert(&app.db).await.unwrap();
            }
        }

        let (rows, total) = every_page(&app, &dr, &[], &[("stage", "checks_booked")]).await;
        assert_eq!(total, 65);
        assert!(rows.iter().all(|r| r["stage"]["stage"] == "checks_booked"));
        let (rows, total) = every_page(&app, &dr, &[], &[("overdue", "on")]).await;
        assert_eq!(total, 27, "the 27 due last month");
        assert!(rows.iter().all(|r| r["overdue"] == true && r["name"].as_str().unwrap().ends_with("Filtered")));
        let (rows, total) = every_page(&app, &dr, &[("search", "given")], &[]).await;
        assert_eq!(total, 120, "a name search, whatever the case");
        let mut names: Vec<String> = rows.iter().map(|r| r["name"].as_str().unwrap().to_owned()).collect();
        let sorted = { let mut s = names.clone(); s.sort(); s };
        assert_eq!(names, sorted, "in name order across pages");
        names.dedup();
        assert_eq!(names.len(), 120, "no one twice");
        let (_, total) = every_page(&app, &dr, &[("search", "given0")], &[("stage", "checks_booked")]).await;
        assert_eq!(total, 65, "Given000 to Given099, of whom the first 65 have checks booked");
        let (_, total) = every_page(&app, &dr, &[("search", "50%")], &[]).await;
        assert_eq!(total, 0, "a % in a search is a percent sign");
        let (_, total) = every_page(&app, &dr, &[("due", "2")], &[]).await;
        assert_eq!(total, 27 + 2, "due within 2 weeks: the overdue, and the demo's two reviews booked within 2 weeks");
    }
}

db_test! {
    async fn a_clinician_never_sees_another_practices_people_on_any_page(app) {
        let dr = dr_priya(&app).await;
        let home = org_of(&app, "Margaret").await;
        let other = crate::conversation::make_org(&app, "Hillside", "gp_practice").await;
        let theirs = crate::conversation::member(&app, other, "clinician", "Dr Hill").await;
        let ours: Vec<_> = (0..70).map(|i| someone(home, &format!("Ours{i:02}"), "Person", "Europe/London", i)).collect();
        let elsewhere: Vec<_> = (0..80).map(|i| someone(other, &format!("Theirs{i:02}"), "Person", "Europe/London", 100 + i)).collect();
        let elsewhere_ids: Vec<String> = elsewhere.iter().map(|p| p.id.clone().unwrap().to_string()).collect();
        patient::Entity::insert_many(ours).exec(&app.db).await.unwrap();
        patient::Entity::insert_many(elsewhere).exec(&app.db).await.unwrap();

        let cases: [(Fields, Fields, u64); 4] = [
            (&[], &[], 73),
            (&[], &[("stage", "review_due")], 70),
            (&[("search", "person")], &[], 70),
            (&[("search", "theirs")], &[], 0),
        ];
        for (session, address, ours) in cases {
            let (rows, total) = every_page(&app, &dr, session, address).await;
            assert!(ids(&rows).iter().all(|id| !elsewhere_ids.contains(id)), "{session:?} {address:?}");
            assert_eq!(total, ours, "{session:?} {address:?}");
            let (rows, total) = every_page(&app, &theirs, session, address).await;
            assert!(ids(&rows).iter().all(|id| elsewhere_ids.contains(id)), "{session:?} {address:?}");
            assert_eq!(total, 80, "{session:?} {address:?}");
        }
        let (_, total) = every_page(&app, &dr, &[("search", "theirs")], &[]).await;
        assert_eq!(total, 0);
        let (_, total) = every_page(&app, &theirs, &[("search", "ours")], &[]).await;
        assert_eq!(total, 0);
    }
}

db_test! {
    async fn pages_merge_two_practices_and_the_people_sharing_with_them_in_name_order_once_each(app) {
        use app::entities::{membership, share_consent};
        use sea_orm::{Condition, QueryOrder as _};
        let dr = dr_priya(&app).await;
        let home = org_of(&app, "Margaret").await;
        // Dr Priya also works at Hillside: her list is two practices, each read along its index.
        let hillside = crate::conversation::make_org(&app, "Hillside", "gp_practice").await;
        membership::ActiveModel {
            account_id: Set(dr.account_id), organisation_id: Set(hillside),
            role: Set("clinician".into()), created_at: Set(app.now()),
        }.insert(&app.db).await.unwrap();
        let elsewhere = crate::conversation::make_org(&app, "Elsewhere", "gp_practice").await;
        // Names that interleave across the practices, so every page draws on every part.
        let name = |i: usize| format!("Mix{:03}", (i * 7) % 101);
        let at_home: Vec<_> = (0..45).map(|i| someone(home, "Home", &name(i), "Europe/London", 300 + i)).collect();
        let at_hillside: Vec<_> = (0..45).map(|i| someone(hillside, "Hill", &name(i + 45), "Europe/London", 400 + i)).collect();
        let sharing: Vec<_> = (0..30).map(|i| someone(elsewhere, "Share", &name(i + 90), "Europe/London", 500 + i)).collect();
        // Ten of Hillside's people also share with Dr Priya's home practice (in two parts at
        // once); ten people elsewhere withdrew, and twenty elsewhere never shared.
        let hill_ids: Vec<Uuid> = at_hillside.iter().map(|p| p.id.clone().unwrap()).collect();
        let share_ids: Vec<Uuid> = sharing.iter().map(|p| p.id.clone().unwrap()).collect();
        patient::Entity::insert_many(at_home).exec(&app.db).await.unwrap();
        patient::Entity::insert_many(at_hillside).exec(&app.db).await.unwrap();
        patient::Entity::insert_many(sharing).exec(&app.db).await.unwrap();
        let consents = share_ids.iter().take(20).enumerate().map(|(i, p)| (*p, i >= 10))
            .chain(hill_ids.iter().take(10).map(|p| (*p, false)));
        for (p, withdrawn) in consents {
            share_consent::ActiveModel {
                id: Set(Uuid::new_v4()), patient_id: Set(p), organisation_id: Set(home),
                granted_at: Set(app.now()), granted_by: Set(dr.account_id),
                withdrawn_at: Set(withdrawn.then(|| app.now())),
            }.insert(&app.db).await.unwrap();
        }

        let expected: Vec<String> = patient::Entity::find()
            .filter(
                Condition::any()
                    .add(patient::Column::OrganisationId.is_in([home, hillside]))
                    .add(patient::Column::Id.is_in(share_ids[..10].to_vec())),
            )
            .order_by_asc(patient::Column::FamilyName)
            .order_by_asc(patient::Column::GivenName)
            .order_by_asc(patient::Column::Id)
            .all(&app.db).await.unwrap()
            .into_iter().map(|p| p.id.to_string()).collect();
        assert_eq!(expected.len(), 3 + 45 + 45 + 10, "the demo's three, both practices, the ten still sharing");
        let (rows, total) = every_page(&app, &dr, &[], &[]).await;
        assert_eq!(total, expected.len() as u64);
        assert_eq!(ids(&rows), expected, "three pages in name order, each person once");
        let shared: Vec<&str> = rows.iter().filter(|r| r["shared"] == true).map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(shared.len(), 10, "only the people of neither practice are marked shared: {shared:?}");
        assert!(shared.iter().all(|n| n.starts_with("Share ")), "{shared:?}");

        // A search narrows every part alike, and the total agrees with the rows.
        let (rows, total) = every_page(&app, &dr, &[("search", "mix00")], &[]).await;
        let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
        assert_eq!(total as usize, names.len());
        assert!(!names.is_empty() && names.iter().all(|n| n.contains("Mix00")), "{names:?}");
    }
}

/// Writes a person's cycle straight to the database, as the services would have left it.
struct Cycle<'a> {
    app: &'a TestApp,
    org: Uuid,
    staff: Uuid,
    now: chrono::DateTime<chrono::Utc>,
}

impl Cycle<'_> {
    async fn plan(
        &self,
        p: Uuid,
        due: Option<chrono::NaiveDate>,
        agreed: Option<chrono::DateTime<chrono::Utc>>,
    ) {
        plan::ActiveModel {
            patient_id: Set(p),
            review_date: Set(due),
            agreed_at: Set(agreed),
            ..Default::default()
        }
        .insert(&self.app.db)
        .await
        .unwrap();
    }

    async fn review(&self, p: Uuid, at: chrono::DateTime<chrono::Utc>, status: &str) -> Uuid {
        let id = Uuid::new_v4();
        app::entities::review::ActiveModel {
            id: Set(id),
            patient_id: Set(p),
            organisation_id: Set(self.org),
            starts_at: Set(at),
            with_whom: Set("Dr Test".into()),
            mode: Set("in_person".into()),
            place: Set(None),
            status: Set(status.into()),
            next_review_date: Set(None),
            created_by: Set(self.staff),
            created_at: Set(self.now),
            updated_at: Set(self.now),
        }
        .insert(&self.app.db)
        .await
        .unwrap();
        id
    }

    async fn pack(&self, p: Uuid, review: Uuid, released: bool, submitted: bool) {
        app::entities::preparation_pack::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(p),
            released_at: Set(released.then_some(self.now)),
            released_by: Set(None),
            created_at: Set(self.now),
            review_id: Set(Some(review)),
            opened_at: Set(None),
            submitted_at: Set(submitted.then_some(self.now)),
            submitted_by: Set(None),
            automatic: Set(false),
        }
        .insert(&self.app.db)
        .await
        .unwrap();
    }

    async fn checks(&self, p: Uuid, at: chrono::DateTime<chrono::Utc>, status: &str) {
        checks_appointment::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(p),
            organisation_id: Set(self.org),
            starts_at: Set(at),
            place: Set("Room 1".into()),
            with_whom: Set("HCA".into()),
            status: Set(status.into()),
            checks: Set("bloods".into()),
            done_checks: Set(None),
            done_at: Set(None),
            done_by: Set(None),
            created_by: Set(self.staff),
            created_at: Set(self.now),
            updated_at: Set(self.now),
        }
        .insert(&self.app.db)
        .await
        .unwrap();
    }

    async fn result(&self, p: Uuid, entered: chrono::DateTime<chrono::Utc>, removed: bool) {
        app::entities::observation::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(p),
            code: Set("hba1c".into()),
            value_num: Set(Some(50.0)),
            value_num2: Set(None),
            value_code: Set(None),
            unit: Set(Some("mmol/mol".into())),
            taken_at: Set(entered),
            source: Set("test".into()),
            created_at: Set(entered),
            fingerprint: Set(None),
            removed_at: Set(removed.then_some(self.now)),
            ..Default::default()
        }
        .insert(&self.app.db)
        .await
        .unwrap();
    }
}

db_test! {
    async fn the_stage_overdue_due_pack_and_agenda_filters_pick_exactly_the_rows_that_show_them(app) {
        // 11:00 UTC: Kiritimati (UTC+14) is on tomorrow, Etc/GMT+12 (UTC-12) on yesterday.
        let now = app::clock::Clock::now(&app.clock).date_naive().and_hms_opt(11, 0, 0).unwrap().and_utc();
        app.clock.set(now);
        let dr = dr_priya(&app).await;
        let org = org_of(&app, "Margaret").await;
        let w = Cycle { app: &app, org, staff: dr.account_id, now };
        let day = |d: i64| now + Duration::days(d);
        let mut n = 0;
        let mut add = async |given: &str, zone: &str| {
            n += 1;
            let p = someone(org, given, "Stage", zone, n);
            let id = p.id.clone().unwrap();
            p.insert(&app.db).await.unwrap();
            id
        };

        // A plan due just before, on and around the recall point, in each zone's own today.
        for (short, zone) in [("London", "Europe/London"), ("Kiritimati", "Pacific/Kiritimati"), ("Baker", "Etc/GMT+12"), ("Mars", "Mars/Olympus")] {
            let today = app::clock::today_in(zone, now);
            for (case, days) in [("Yesterday", -1), ("Today", 0), ("Recall", 56), ("After", 57)] {
                let p = add(&format!("Due{case}{short}"), zone).await;
                w.plan(p, Some(today + Duration::days(days)), Some(day(-300))).await;
            }
        }
        add("Never", "Europe/London").await;
        let p = add("AgreedNoDate", "Europe/London").await;
        w.plan(p, None, Some(day(-10))).await;
        let p = add("Booked", "Europe/London").await;
        w.review(p, day(5), "scheduled").await;
        let p = add("BookedPassed", "Europe/London").await;
        w.review(p, now - Duration::hours(1), "scheduled").await;
        let p = add("ChecksBooked", "Europe/London").await;
        w.checks(p, day(2), "booked").await;
        let p = add("ChecksBookedAndDone", "Europe/London").await;
        w.checks(p, day(-20), "done").await;
        w.checks(p, day(2), "booked").await;
        let p = add("ChecksDone", "Europe/London").await;
        w.checks(p, day(-2), "done").await;
        let p = add("ResultsIn", "Europe/London").await;
        w.checks(p, day(-2), "done").await;
        w.result(p, day(-1), false).await;
        let p = add("ResultRemoved", "Europe/London").await;
        w.checks(p, day(-2), "done").await;
        w.result(p, day(-1), true).await;
        let p = add("ResultBefore", "Europe/London").await;
        w.checks(p, day(-2), "done").await;
        w.result(p, day(-3), false).await;
        let p = add("ChecksLastCycle", "Europe/London").await;
        w.checks(p, day(-40), "done").await;
        w.plan(p, Some(day(300).date_naive()), Some(day(-30))).await;
        let p = add("ChecksBeforeHeld", "Europe/London").await;
        w.checks(p, day(-40), "done").await;
        w.review(p, day(-30), "held").await;
        let p = add("PackSent", "Europe/London").await;
        let r = w.review(p, day(9), "scheduled").await;
        w.pack(p, r, true, false).await;
        let p = add("AnswersIn", "Europe/London").await;
        let r = w.review(p, day(9), "scheduled").await;
        w.pack(p, r, true, true).await;
        let p = add("CancelledPack", "Europe/London").await;
        let r = w.review(p, day(3), "cancelled").await;
        w.pack(p, r, true, true).await;
        w.review(p, day(20), "scheduled").await;

        let (rows, total) = every_page(&app, &dr, &[("search", "stage")], &[]).await;
        assert_eq!(total, 31);
        let shown = |r: &serde_json::Value| (r["name"].as_str().unwrap().trim_end_matches(" Stage").to_owned(), r["stage"]["stage"].as_str().unwrap().to_owned(), r["overdue"] == true);
        let all: Vec<(String, String, bool)> = rows.iter().map(shown).collect();
        let of = |name: &str| all.iter().find(|(n, _, _)| n == name).map(|(_, s, o)| (s.as_str(), *o)).unwrap();
        for short in ["London", "Kiritimati", "Baker", "Mars"] {
            assert_eq!(of(&format!("DueYesterday{short}")), ("review_due", true), "{short}");
            assert_eq!(of(&format!("DueToday{short}")), ("review_due", false), "{short}");
            assert_eq!(of(&format!("DueRecall{short}")), ("review_due", false), "{short}");
            assert_eq!(of(&format!("DueAfter{short}")), ("plan_agreed", false), "{short}");
        }
        for (name, stage, overdue) in [
            ("Never", "review_due", false), ("AgreedNoDate", "plan_agreed", false), ("Booked", "review_booked", false),
            ("BookedPassed", "review_booked", true), ("ChecksBooked", "checks_booked", false), ("ChecksBookedAndDone", "checks_booked", false),
            ("ChecksDone", "checks_done", false), ("ResultsIn", "results_in", false), ("ResultRemoved", "checks_done", false),
            ("ResultBefore", "checks_done", false), ("ChecksLastCycle", "plan_agreed", false), ("ChecksBeforeHeld", "review_due", false),
            ("PackSent", "pack_sent", false), ("AnswersIn", "answers_in", false), ("CancelledPack", "review_booked", false),
        ] {
            assert_eq!(of(name), (stage, overdue), "{name}");
        }

        // Each filter, across its pages, picks exactly the people whose rows show it.
        let picked = async |address: &[(&str, &str)], session: &[(&str, &str)]| {
            let mut session = session.to_vec();
            session.push(("search", "stage"));
            let (rows, _) = every_page(&app, &dr, &session, address).await;
            let mut names: Vec<String> = rows.iter().map(|r| shown(r).0).collect();
            names.sort();
            names
        };
        let expect = |keep: &dyn Fn(&serde_json::Value) -> bool| {
            let mut names: Vec<String> = rows.iter().filter(|r| keep(r)).map(|r| shown(r).0).collect();
            names.sort();
            names
        };
        for stage in ["review_due", "review_booked", "checks_booked", "checks_done", "results_in", "pack_sent", "answers_in", "plan_agreed"] {
            assert_eq!(picked(&[("stage", stage)], &[]).await, expect(&|r| r["stage"]["stage"] == stage), "{stage}");
            assert_eq!(picked(&[("stage", stage), ("overdue", "on")], &[]).await, expect(&|r| r["stage"]["stage"] == stage && r["overdue"] == true), "{stage}, overdue");
        }
        let overdue = picked(&[("overdue", "on")], &[]).await;
        assert_eq!(overdue, expect(&|r| r["overdue"] == true));
        assert_eq!(overdue.len(), 5, "{overdue:?}");
        assert_eq!(picked(&[], &[("pack", "sent")]).await, expect(&|r| r["pack_sent"] == true));
        assert_eq!(picked(&[], &[("pack", "not_sent")]).await, expect(&|r| r["pack_sent"] == false));
        assert_eq!(picked(&[], &[("agenda", "returned")]).await, expect(&|r| r["agenda_returned"] == true));
        assert_eq!(picked(&[], &[("agenda", "not_returned")]).await, expect(&|r| r["agenda_returned"] == false));

        // Due within 8 weeks: a booked conversation within 8 weeks, or with none booked, a
        // plan due by 8 weeks from the person's own today.
        let mut due: Vec<String> = ["London", "Kiritimati", "Baker", "Mars"].iter()
            .flat_map(|z| [format!("DueYesterday{z}"), format!("DueToday{z}"), format!("DueRecall{z}")])
            .chain(["Booked", "BookedPassed", "PackSent", "AnswersIn", "CancelledPack"].map(String::from))
            .collect();
        due.sort();
        assert_eq!(picked(&[], &[("due", "8")]).await, due);
    }
}
