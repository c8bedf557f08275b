//! How results read once released, to the person and to the care team (#20 items 3, 4 and 6,
//! #19's "charts mark bounds"): a bound the lab gave in plain words and never as an exact
//! number, a converted value with what the lab sent, a result dated by its report, and a
//! corrected result with what it said before (for the person, only what they were shown).
use app::entities::{observation, observation_version, preparation_pack};
use app::plan::schedule::long_date;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};
use uuid::Uuid;

use crate::db_test;
use crate::plan::{Person, make_patient, page, post_form};
use crate::preparation::staff;
use crate::support::{TestApp, session_cookie_for};

fn now(app: &TestApp) -> DateTime<Utc> {
    app::clock::Clock::now(&app.clock)
}

/// "3 December 2026": the day of `at` in the person's time zone.
fn day_of(at: DateTime<Utc>) -> String {
    long_date(at.with_timezone(&chrono_tz::Europe::London).date_naive())
}

/// A numeric result taken `days_ago`, entered now, to change before inserting.
fn result(
    app: &TestApp,
    who: &Person,
    code: &str,
    value: f64,
    unit: &str,
    days_ago: i64,
) -> observation::ActiveModel {
    observation::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(who.patient_id),
        code: Set(code.into()),
        value_num: Set(Some(value)),
        value_num2: Set(None),
        value_code: Set(None),
        unit: Set(Some(unit.into())),
        taken_at: Set(now(app) - Duration::days(days_ago)),
        source: Set("test".into()),
        created_at: Set(now(app)),
        fingerprint: Set(None),
        ..Default::default()
    }
}

/// Corrects a stored result as the lab's amendment does: the new value in place, the old one
/// kept as a version.
async fn correct(app: &TestApp, o: observation::Model, value: f64, was: &str) {
    let at = now(app);
    observation_version::ActiveModel {
        id: Set(Uuid::new_v4()),
        observation_id: Set(o.id),
        snapshot: Set(was.into()),
        reason: Set("corrected".into()),
        replaced_at: Set(at),
        source: Set("test".into()),
    }
    .insert(&app.db)
    .await
    .expect("version");
    let mut o: observation::ActiveModel = o.into();
    o.value_num = Set(Some(value));
    o.status = Set("corrected".into());
    o.corrected_at = Set(Some(at));
    o.update(&app.db).await.expect("corrected");
}

/// Sends the pack as the clinician would (signed in afresh, as the test clock may have moved
/// past their session), and checks it went.
async fn release(app: &TestApp, dr: &Person, who: &Person) {
    app.clock.advance(Duration::seconds(1));
    let dr = Person {
        cookie: session_cookie_for(app, dr.account_id).await,
        ..*dr
    };
    let (status, location) = post_form(
        app,
        &dr,
        "/api/team/release",
        &[("patient_id", &who.patient_id.to_string())],
    )
    .await;
    assert_eq!(
        (status, location.starts_with("/team/people/")),
        (302, true),
        "released: {location}"
    );
    let sent = preparation_pack::Entity::find()
        .filter(preparation_pack::Column::PatientId.eq(who.patient_id))
        .filter(preparation_pack::Column::ReleasedAt.is_not_null())
        .count(&app.db)
        .await
        .expect("packs");
    assert!(sent > 0, "the pack went");
}

db_test! {
    async fn the_person_and_the_team_read_bounds_conversions_report_dates_and_corrections(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let dr = staff(&app, &me, "clinician").await;
        let older = result(&app, &me, "egfr", 80.0, "mL/min/1.73m²", 200).insert(&app.db).await.unwrap();
        let older_day = long_date(older.taken_at.date_naive());
        let mut bound = result(&app, &me, "egfr", 90.0, "mL/min/1.73m²", 10);
        bound.comparator = Set(Some(">".into()));
        bound.insert(&app.db).await.unwrap();
        let mut converted = result(&app, &me, "hba1c", 43.0, "mmol/mol", 10);
        converted.original_value = Set(Some("6.1".into()));
        converted.original_unit = Set(Some("%".into()));
        converted.insert(&app.db).await.unwrap();
        let mut reported = result(&app, &me, "serum_creatinine", 84.0, "µmol/L", 5);
        reported.dated_by = Set("reported".into());
        reported.insert(&app.db).await.unwrap();
        let reported_on = long_date((now(&app) - Duration::days(5)).date_naive());
        // Corrected before anyone shared it: the person never saw 3.1.
        let cholesterol = result(&app, &me, "non_hdl_cholesterol", 3.1, "mmol/L", 10).insert(&app.db).await.unwrap();
        app.clock.advance(Duration::hours(1));
        correct(&app, cholesterol, 2.4, r#"{"value_num": 3.1, "unit": "mmol/L", "status": "final"}"#).await;
        // An older result corrected too: 80 became 85.
        correct(&app, older, 85.0, r#"{"value_num": 80}"#).await;
        let cholesterol_corrected = day_of(now(&app));
        let acr = result(&app, &me, "urine_acr", 30.0, "mg/mmol", 10).insert(&app.db).await.unwrap();
        release(&app, &dr, &me).await;
        // Corrected after the person was shown 30.
        app.clock.advance(Duration::days(2));
        correct(&app, acr, 12.0, r#"{"value_num": 30.0, "comparator": null, "unit": "mg/mmol"}"#).await;
        let acr_corrected = day_of(now(&app));
        // Two days on, both sign in again.
        let me = Person { cookie: session_cookie_for(&app, me.account_id).await, ..me };
        let dr = Person { cookie: session_cookie_for(&app, dr.account_id).await, ..dr };

        let list = page(&app, &me, "/results").await;
        assert!(list.contains("more than 90 mL/min/1.73m²"), "a bound in words: {list}");
        assert!(!list.contains(">90") && !list.contains("&gt;90"), "never as an exact number");
        assert!(list.contains("Higher than last time, which is better (was 85 mL/min/1.73m² on"), "85 then more than 90 rose by more than 5");
        assert!(list.contains("Your kidney function is in band G1: normal."));
        assert!(list.contains("43 mmol/mol (converted from 6.1 %)"));
        assert!(list.contains(&format!("reported on {reported_on}")), "dated by its report");
        assert!(
            list.contains(&format!("Corrected on {acr_corrected}: it was 30 mg/mmol before.")),
            "they were shown 30, so they see it changed"
        );
        assert!(list.contains(&format!("Corrected on {cholesterol_corrected}.")));
        assert!(!list.contains("3.1 mmol/L"), "a wrong value nobody shared stays unshown");
        assert!(!list.contains("80 mL/min/1.73m²"));

        let egfr = page(&app, &me, "/results/egfr").await;
        assert!(egfr.contains("from 85 mL/min/1.73m² to more than 90 mL/min/1.73m²"), "the trend sentence");
        assert_eq!(egfr.matches(r#"class="app-chart__dot app-chart__dot--bound""#).count(), 1 + 1, "an open dot, and one in the key");
        assert_eq!(egfr.matches(r#"class="app-chart__arrow""#).count(), 1 + 1, "an arrow, and one in the key");
        assert!(egfr.contains("Open dot with an arrow pointing up: the lab gave a bound, not an exact number. The result is more than this."));
        assert!(egfr.contains("An arrow marks a result the lab gave as a bound, not an exact number."), "the chart's label says so");
        assert!(egfr.contains(r#"<td class="nhsuk-table__cell">more than 90 mL/min/1.73m²"#), "the table alternative");
        let creatinine = page(&app, &me, "/results/serum_creatinine").await;
        assert!(creatinine.contains(&format!("Reported on {reported_on}")), "the table says it is the report's date");
        let acr_page = page(&app, &me, "/results/urine_acr").await;
        assert!(acr_page.contains("12 mg/mmol"));
        assert!(acr_page.contains(&format!("Corrected on {acr_corrected}: it was 30 mg/mmol before.")));

        let id = me.patient_id;
        for path in [format!("/team/people/{id}"), format!("/team/people/{id}/conversation")] {
            let team = page(&app, &dr, &path).await;
            assert!(team.contains("more than 90 mL/min/1.73m² on"), "{path}: {team}");
            assert!(team.contains("43 mmol/mol (converted from 6.1 %) on"), "{path}");
            assert!(team.contains(&format!("84 µmol/L reported on {reported_on}")), "{path}");
            assert!(team.contains(&format!("Corrected on {acr_corrected}: it was 30 mg/mmol before.")), "{path}");
            assert!(
                team.contains(&format!("Corrected on {cholesterol_corrected}: it was 3.1 mmol/L before.")),
                "{path}: the team sees every earlier value"
            );
            assert!(
                team.contains(&format!("The result on {older_day} was 80 mL/min/1.73m² until corrected on {cholesterol_corrected}.")),
                "{path}: and corrections to older results"
            );
        }
    }
}

db_test! {
    async fn a_bound_across_a_band_or_a_target_says_what_cannot_be_told(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        let dr = staff(&app, &me, "clinician").await;
        result(&app, &me, "egfr", 88.0, "mL/min/1.73m²", 200).insert(&app.db).await.unwrap();
        let mut egfr = result(&app, &me, "egfr", 90.0, "mL/min/1.73m²", 10);
        egfr.comparator = Set(Some(">".into()));
        egfr.insert(&app.db).await.unwrap();
        let mut acr = result(&app, &me, "urine_acr", 3.0, "mg/mmol", 10);
        acr.comparator = Set(Some("<=".into()));
        acr.insert(&app.db).await.unwrap();
        let mut hba1c = result(&app, &me, "hba1c", 50.0, "mmol/mol", 10);
        hba1c.comparator = Set(Some("<".into()));
        hba1c.insert(&app.db).await.unwrap();
        release(&app, &dr, &me).await;

        let list = page(&app, &me, "/results").await;
        assert!(
            list.contains("We cannot say how much it changed: the lab gave more than 90 mL/min/1.73m² rather than an exact number (last time: 88 mL/min/1.73m² on"),
            "88 then more than 90 may be a rise of only 2: {list}"
        );
        assert!(list.contains("The lab gave 3 mg/mmol or less, not an exact number: the protein in your urine is in band A1 or A2 (normal or moderately raised)."));
        assert!(list.contains("less than 50 mmol/mol"));
        assert!(list.contains("The lab gave a range, not an exact number, so we cannot tell if this meets the target of 48 or lower."));
        assert!(!list.contains("Meets target") && !list.contains("Above target"), "no tag claims what cannot be told");
        let team = page(&app, &dr, &format!("/team/people/{}", me.patient_id)).await;
        assert!(team.contains("We cannot say how much it changed"), "the team reads the same words");
    }
}
