//! Lab results arriving as NHS pathology-style FHIR (#20), through the real upload route: a
//! correction replaces the result it corrects and keeps the old value as a version, a withdrawal
//! takes it out of view, repeats change nothing (also when two imports run at once), a file whose
//! patient disagrees with our record is refused, panels and tests Alongside does not show are
//! listed as not imported, and a file over the limit is told the limit.
use app::entities::{observation, observation_version};
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use serde_json::{Value, json};

use crate::db_test;
use crate::plan::{Person, make_patient, post_form};
use crate::preparation::{counts, day, staff, upload};
use crate::support::{TestApp, session_cookie_for};

const DORA: &str = "9434765919";

/// (id, status, LOINC code, display, value, unit, comparator)
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    f64,
    &'a str,
    Option<&'a str>,
);

/// A pathology report as NHS England's messaging sends it: the Patient (NHS number, name, date of
/// birth), the Specimen whose collection time dates the results, and Observations that refer to
/// both. `observations` are (id, status, LOINC code, display, value, unit, comparator).
fn pathology(born: &str, family: &str, collected: &str, observations: &[Row<'_>]) -> String {
    let mut entries = vec![
        json!({"fullUrl": "urn:uuid:7d4c9c6e-0f3b-4a8e-9a51-1f2d3c4b5a60", "resource": {
            "resourceType": "Patient",
            "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": DORA}],
            "name": [{"family": family, "given": ["Dora"]}],
            "birthDate": born
        }}),
        json!({"fullUrl": "urn:uuid:0b8a1f55-5d8e-4c55-8d0e-3f1e6b7f2c11", "resource": {
            "resourceType": "Specimen",
            "subject": {"reference": "urn:uuid:7d4c9c6e-0f3b-4a8e-9a51-1f2d3c4b5a60"},
            "collection": {"collectedDateTime": collected}
        }}),
    ];
    for (id, status, code, display, value, unit, comparator) in observations {
        let mut quantity = json!({"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit});
        if let Some(c) = comparator {
            quantity["comparator"] = json!(c);
        }
        entries.push(json!({"fullUrl": format!("urn:uuid:{}", uuid::Uuid::new_v4()), "resource": {
            "resourceType": "Observation",
            "identifier": [{"system": "https://example-pathology.nhs.uk/result-id", "value": id}],
            "status": status,
            "code": {"coding": [{"system": "http://loinc.org", "code": code, "display": display}]},
            "subject": {"reference": "urn:uuid:7d4c9c6e-0f3b-4a8e-9a51-1f2d3c4b5a60"},
            "specimen": {"reference": "urn:uuid:0b8a1f55-5d8e-4c55-8d0e-3f1e6b7f2c11"},
            "issued": format!("{collected}"),
            "performer": [{"display": "Riverside Pathology"}],
            "valueQuantity": quantity
        }}));
    }
    json!({"resourceType": "Bundle", "type": "collection", "entry": entries}).to_string()
}

async fn live_hba1c(app: &TestApp) -> Vec<observation::Model> {
    observation::Entity::find()
        .filter(observation::Column::Code.eq("hba1c"))
        .filter(observation::Column::RemovedAt.is_null())
        .all(&app.db)
        .await
        .unwrap()
}

async fn setup(app: &TestApp) -> (Person, Person, String) {
    let dora = make_patient(app, "Dora Tester", DORA).await;
    let nurse = staff(app, &dora, "healthcare_assistant").await;
    let collected = format!("{}T09:30:00Z", day(app, -5));
    (dora, nurse, collected)
}

db_test! {
    async fn an_amended_result_replaces_the_original_keeps_its_old_value_and_repeats_change_nothing(app) {
        let (_dora, nurse, at) = setup(&app).await;
        let original = pathology("1960-01-01", "Tester", &at, &[("R1", "final", "4548-4", "HbA1c", 64.0, "mmol/mol", None)]);
        let (status, body) = upload(&app, &nurse, "report.json", &original).await;
        assert_eq!((status, counts(&body)), (200, (1, 0)), "{body}");
        let amended = pathology("1960-01-01", "Tester", &at, &[("R1", "amended", "4548-4", "HbA1c", 46.0, "mmol/mol", None)]);
        let (status, body) = upload(&app, &nurse, "amended.json", &amended).await;
        assert_eq!(status, 200, "{body}");
        let report: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(report["corrected"], 1, "{body}");

        let live = live_hba1c(&app).await;
        assert_eq!(live.len(), 1, "never two live values for one test");
        assert_eq!((live[0].value_num, live[0].status.as_str()), (Some(46.0), "amended"));
        assert!(live[0].corrected_at.is_some());
        assert_eq!(live[0].identifier.as_deref(), Some("https://example-pathology.nhs.uk/result-id|R1"));
        let versions = observation_version::Entity::find().all(&app.db).await.unwrap();
        assert_eq!(versions.len(), 1);
        assert!(versions[0].snapshot.contains("64"), "{}", versions[0].snapshot);

        // The amendment again, and the original again: nothing changes.
        let (_, body) = upload(&app, &nurse, "amended.json", &amended).await;
        assert_eq!(counts(&body), (0, 1), "{body}");
        let (status, body) = upload(&app, &nurse, "report.json", &original).await;
        assert_eq!(status, 200, "{body}");
        assert!(body.contains("corrected this result since"), "the original is older: {body}");
        assert_eq!(live_hba1c(&app).await[0].value_num, Some(46.0));
        assert_eq!(observation_version::Entity::find().count(&app.db).await.unwrap(), 1);
    }
}

db_test! {
    async fn two_uploads_of_one_correction_at_once_leave_one_value_and_one_version(app) {
        let (_dora, nurse, at) = setup(&app).await;
        let original = pathology("1960-01-01", "Tester", &at, &[("R1", "final", "4548-4", "HbA1c", 64.0, "mmol/mol", None)]);
        upload(&app, &nurse, "report.json", &original).await;
        let amended = pathology("1960-01-01", "Tester", &at, &[("R1", "corrected", "4548-4", "HbA1c", 46.0, "mmol/mol", None)]);
        let uploads = futures::future::join_all((0..4).map(|_| upload(&app, &nurse, "amended.json", &amended))).await;
        assert!(uploads.iter().all(|(status, _)| *status == 200), "{uploads:?}");
        let live = live_hba1c(&app).await;
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].value_num, Some(46.0));
        assert_eq!(observation_version::Entity::find().count(&app.db).await.unwrap(), 1, "one correction, one version");
    }
}

db_test! {
    async fn a_result_entered_in_error_leaves_every_view_and_keeps_its_history(app) {
        let (_dora, nurse, at) = setup(&app).await;
        let original = pathology("1960-01-01", "Tester", &at, &[("R1", "final", "4548-4", "HbA1c", 64.0, "mmol/mol", None)]);
        upload(&app, &nurse, "report.json", &original).await;
        let withdrawn = pathology("1960-01-01", "Tester", &at, &[("R1", "entered-in-error", "4548-4", "HbA1c", 64.0, "mmol/mol", None)]);
        let (status, body) = upload(&app, &nurse, "withdrawn.json", &withdrawn).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["removed"], 1, "{body}");
        assert!(live_hba1c(&app).await.is_empty());
        let kept = observation::Entity::find().one(&app.db).await.unwrap().expect("kept, not deleted");
        assert_eq!(kept.status, "entered-in-error");
        assert_eq!(observation_version::Entity::find().count(&app.db).await.unwrap(), 1);
    }
}

db_test! {
    async fn a_file_whose_patient_has_another_date_of_birth_is_refused_whole(app) {
        let (_dora, nurse, at) = setup(&app).await;
        let file = pathology("1971-06-30", "Tester", &at, &[("R1", "final", "4548-4", "HbA1c", 64.0, "mmol/mol", None)]);
        let (status, body) = upload(&app, &nurse, "report.json", &file).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("belongs to someone else here") && body.contains("date of birth"), "{body}");
        assert!(!body.contains("1960"), "our record is not shown: {body}");
        assert_eq!(observation::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

db_test! {
    async fn a_file_over_the_limit_is_told_the_limit_and_changes_nothing(app) {
        let (_dora, nurse, _) = setup(&app).await;
        let big = format!("nhs_number,result,value,taken_on\n{}", "x".repeat(21 * 1024 * 1024));
        let (status, body) = upload(&app, &nurse, "big.csv", &big).await;
        assert_eq!(status, 422, "{body}");
        assert!(body.contains("larger than 20 MB"), "{body}");
        assert_eq!(observation::Entity::find().count(&app.db).await.unwrap(), 0);
    }
}

/// What must survive a trip out of one Alongside and into another, for one result.
/// (kind, value, second value, comparator, time, identifier, performer, codings)
type Kept = (
    String,
    Option<f64>,
    Option<f64>,
    Option<String>,
    i64,
    Option<String>,
    Option<String>,
    Vec<(String, String)>,
);

fn kept(o: &observation::Model) -> Kept {
    let mut codings: Vec<(String, String)> =
        serde_json::from_str::<Vec<Value>>(o.codings.as_deref().unwrap_or("[]"))
            .unwrap_or_default()
            .iter()
            .map(|c| {
                (
                    c["system"].as_str().unwrap_or("").to_owned(),
                    c["code"].as_str().unwrap_or("").to_owned(),
                )
            })
            .collect();
    codings.sort();
    (
        o.code.clone(),
        o.value_num,
        o.value_num2,
        o.comparator.clone(),
        o.taken_at.timestamp(),
        o.identifier.clone(),
        o.performer.clone(),
        codings,
    )
}

db_test! {
    async fn a_bundle_exported_by_one_alongside_imports_into_another_practice_without_loss(app) {
        let (dora, nurse, at) = setup(&app).await;
        let report = pathology("1960-01-01", "Tester", &at, &[
            ("R1", "final", "4548-4", "HbA1c", 64.0, "mmol/mol", None),
            ("R2", "final", "33914-3", "eGFR", 90.0, "mL/min/{1.73_m2}", Some(">")),
            ("R3", "final", "2160-0", "Creatinine", 88.0, "umol/L", None),
        ]);
        let (status, body) = upload(&app, &nurse, "report.json", &report).await;
        assert_eq!((status, counts(&body)), (200, (3, 0)), "{body}");
        let dr = staff(&app, &dora, "clinician").await;
        let (status, _) = post_form(&app, &dr, "/api/team/release", &[("patient_id", &dora.patient_id.to_string())]).await;
        assert_eq!(status, 302);
        let res = app
            .client()
            .get(app.url(&format!("/team/people/{}/export", dora.patient_id)))
            .header("cookie", &dr.cookie)
            .header("accept", "application/fhir+json")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let exported = res.text().await.unwrap();
        let mut sent: Vec<_> = observation::Entity::find().all(&app.db).await.unwrap().iter().map(kept).collect();
        sent.sort_by(|a, b| a.0.cmp(&b.0));

        // Another practice, on another Alongside, where Dora is registered too.
        let other = TestApp::spawn(app.backend).await;
        let dora_there = make_patient(&other, "Dora Tester", DORA).await;
        let nurse_there = {
            let id = crate::results::clinician_of(&other, &dora_there, "healthcare_assistant").await;
            Person { patient_id: dora_there.patient_id, account_id: id, cookie: session_cookie_for(&other, id).await }
        };
        let (status, body) = upload(&other, &nurse_there, "alongside-plan.fhir.json", &exported).await;
        let (status_again, again) = upload(&other, &nurse_there, "alongside-plan.fhir.json", &exported).await;
        let mut arrived: Vec<_> = observation::Entity::find().all(&other.db).await.unwrap().iter().map(kept).collect();
        arrived.sort_by(|a, b| a.0.cmp(&b.0));
        other.teardown().await;
        assert_eq!((status, counts(&body)), (200, (3, 0)), "{body}");
        assert_eq!((status_again, counts(&again)), (200, (0, 3)), "{again}");
        assert_eq!(arrived, sent, "every result arrives with its value, bound, time, identifier, performer and codings");
    }
}
