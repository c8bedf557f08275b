//! Results reach the person only through a released preparation pack, explained in words.
use app::entities::{membership, observation, patient, result_target};
use chrono::Duration;
use sea_orm::{ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _, Set};
use uuid::Uuid;

use crate::db_test;
use crate::plan::{Person, make_patient, page, post_json};
use crate::support::{TestApp, make_account, session_cookie_for};

pub async fn add_hba1c(app: &TestApp, who: &Person, value: f64, days_ago: i64) {
    let now = app::clock::Clock::now(&app.clock);
    observation::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(who.patient_id),
        code: Set("hba1c".into()),
        value_num: Set(Some(value)),
        value_num2: Set(None),
        value_code: Set(None),
        unit: Set(Some("mmol/mol".into())),
        taken_at: Set(now - Duration::days(days_ago)),
        source: Set("test".into()),
        created_at: Set(now),
        fingerprint: Set(None),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("result");
}

pub async fn clinician_of(app: &TestApp, who: &Person, role: &str) -> Uuid {
    let org = patient::Entity::find_by_id(who.patient_id)
        .one(&app.db)
        .await
        .unwrap()
        .unwrap()
        .organisation_id;
    let staff = make_account(app, "Dr Test").await;
    membership::ActiveModel {
        account_id: Set(staff),
        organisation_id: Set(org),
        role: Set(role.into()),
        created_at: Set(app.now()),
    }
    .insert(&app.db)
    .await
    .unwrap();
    staff
}

pub fn state_of(app: &TestApp) -> app::state::AppState {
    app.state.app.clone()
}

db_test! {
    async fn results_stay_hidden_until_a_pack_is_released_even_through_direct_calls(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        add_hba1c(&app, &me, 62.0, 200).await;
        add_hba1c(&app, &me, 58.0, 10).await;

        let list = page(&app, &me, "/results").await;
        assert!(list.contains("has not shared any results with you yet"));
        assert!(!list.contains("58"), "no value leaks onto the page");
        let (status, body) = post_json(&app, &me, "/api/results/list", &[]).await;
        assert_eq!((status, body.as_str()), (200, "[]"), "the server function hides them too");
        let (status, _) = post_json(&app, &me, "/api/results/detail", &[("code", "hba1c")]).await;
        assert_eq!(status, 404);

        let staff = clinician_of(&app, &me, "clinician").await;
        app.clock.advance(Duration::seconds(1));
        release_as(&app, &state_of(&app), staff, me.patient_id).await.expect("release");
        let list = page(&app, &me, "/results").await;
        assert!(list.contains("58 mmol/mol"));
        assert!(list.contains("This is above the target of 48 or lower."), "the target in words");
        assert!(
            list.contains("About the same as last time (was 62 mmol/mol on"),
            "4 mmol/mol is less than HbA1c's meaningful difference"
        );
        let detail = page(&app, &me, "/results/hba1c").await;
        assert!(detail.contains("What the numbers mean"));
        assert!(detail.contains("2 results from"), "a one-sentence summary of the trend");
        assert!(detail.contains("All your HbA1c (average blood sugar) results"), "a table beside the chart");

        // A result entered after the release waits for the next one.
        app.clock.advance(Duration::seconds(1));
        add_hba1c(&app, &me, 75.0, 0).await;
        let list = page(&app, &me, "/results").await;
        assert!(!list.contains("75 mmol/mol"), "not before a clinician has seen it");
    }
}

db_test! {
    async fn only_clinical_staff_of_the_persons_practice_can_release_results(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        add_hba1c(&app, &me, 50.0, 3).await;
        let state = state_of(&app);
        let stranger = make_account(&app, "Someone Else").await;
        assert_eq!(release_as(&app, &state, stranger, me.patient_id).await, Err(app::AppError::NotFound));
        let assistant = clinician_of(&app, &me, "healthcare_assistant").await;
        assert_eq!(release_as(&app, &state, assistant, me.patient_id).await, Err(app::AppError::NotFound));
        assert_eq!(release_as(&app, &state, me.account_id, me.patient_id).await, Err(app::AppError::NotFound), "not the person themself");
        let (_, body) = post_json(&app, &me, "/api/results/list", &[]).await;
        assert_eq!(body, "[]");
    }
}

db_test! {
    async fn demo_patients_see_their_released_results_explained(app) {
        demo::seed_demo(&app.state.app).await.expect("seed");
        let margaret = patient::Entity::find().filter(patient::Column::GivenName.eq("Margaret")).one(&app.db).await.unwrap().unwrap();
        let who = Person { patient_id: margaret.id, account_id: margaret.account_id.unwrap(), cookie: session_cookie_for(&app, margaret.account_id.unwrap()).await };
        let list = page(&app, &who, "/results").await;
        assert!(list.contains("HbA1c (average blood sugar)"));
        assert!(list.contains("58 mmol/mol"));
        assert!(
            list.contains("About the same as last time (was 2.5 mmol/L on"),
            "cholesterol 2.5 then 2.6, still on target, is not worse"
        );
        assert!(list.contains("Increased risk"), "coded results in words");
        let bp = page(&app, &who, "/results/blood_pressure").await;
        assert!(bp.contains("141/85 mmHg"));
        assert!(bp.contains("This is not below the target of below 140/90."));
        assert!(bp.contains("<svg"), "a chart drawn on the server");
        assert!(bp.contains("About the same as last time (was 136/82 mmHg on"), "136 then 141 is not a cliff");
        assert!(bp.contains(r#"role="img" aria-label="Chart of 5 results for Blood pressure, from"#));
        assert_eq!(bp.matches(r#"class="app-chart__line"#).count(), 2 + 2, "two lines, and two in the key");
        assert_eq!(bp.matches(r#"class="app-chart__band""#).count(), 2 + 2, "a band per number, and their keys");
        assert!(bp.contains("Shaded band: the target for the top number, below 140"));
        assert!(bp.contains("Shaded band: the target for the bottom number, below 90"));
        assert!(bp.contains("Dashed line, square dots: the bottom number (diastolic)"));
        assert!(bp.contains(">mmHg</text>"), "the y axis says its unit");
        assert!(bp.matches("app-chart__date").count() >= 3, "dated x axis");
        assert!(bp.contains("All your Blood pressure results"), "the table alternative stays");
        let egfr = page(&app, &who, "/results/egfr").await;
        assert!(!egfr.contains("Shaded band"), "eGFR is read against bands, not a target");
        assert!(egfr.contains(">mL/min/1.73m²</text>"));
    }
}

db_test! {
    async fn a_persons_own_target_is_the_band_on_their_chart(app) {
        let me = make_patient(&app, "Dora Tester", "9434765919").await;
        add_hba1c(&app, &me, 62.0, 200).await;
        add_hba1c(&app, &me, 55.0, 10).await;
        let staff = clinician_of(&app, &me, "clinician").await;
        result_target::ActiveModel {
            patient_id: Set(me.patient_id),
            code: Set("hba1c".into()),
            value: Set(53.0),
            value2: Set(None),
            set_by: Set(staff),
            set_at: Set(app::clock::Clock::now(&app.clock)),
        }
        .insert(&app.db)
        .await
        .expect("target");
        app.clock.advance(Duration::seconds(1));
        release_as(&app, &state_of(&app), staff, me.patient_id).await.expect("release");
        let detail = page(&app, &me, "/results/hba1c").await;
        assert!(detail.contains("This is above the target of 53 or lower."));
        assert!(detail.contains("Shaded band: the target, 53 or lower"), "their own target, not the usual 48");
        assert!(detail.contains("Lower than last time, which is better (was 62 mmol/mol on"), "7 is more than the meaningful 5");
        assert!(detail.contains(">mmol/mol</text>"));
    }
}

/// Releases the person's pack as `staff` would, through the access layer.
async fn release_as(
    app: &TestApp,
    state: &app::state::AppState,
    staff: Uuid,
    patient: Uuid,
) -> Result<(), app::AppError> {
    let actor = app::access::Actor::new(staff, app::clock::Clock::now(&app.clock));
    let ctx = app::access::open_patient_id(
        &app.db,
        actor,
        app::access::Permission::ReleaseResults,
        patient,
    )
    .await?;
    app::preparation::service::release(state, &ctx).await
}
