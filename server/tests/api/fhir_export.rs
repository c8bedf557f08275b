//! The whole plan as a FHIR R4 Bundle (#20 item 8): what it carries for a realistic person,
//! checked by an independent validator (PyPI's fhir.resources, through
//! `scripts/fhir_validate.py`); who may take it (the same not-found for everyone else); the read
//! API's `Accept` handling and its `OperationOutcome`s; and the access log.
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use app::entities::{audit_event, goal, observation, patient, patient_condition, plan_action};
use chrono::Duration;
use sea_orm::{ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::carers::carer;
use crate::conversation::{make_org, member, practice_of};
use crate::db_test;
use crate::plan::{Person, make_patient, post_json};
use crate::results::{add_hba1c, clinician_of};
use crate::support::{TestApp, session_cookie_for};

/// Runs `scripts/fhir_validate.py` on a Bundle with the project's validator environment
/// (`.venv`, made by `make setup-test`; `FHIR_VALIDATOR_PYTHON` names another). Missing Python
/// or a missing library fails the test: the check is never skipped.
fn validate(bundle: &str) -> Result<String, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the workspace");
    let python = std::env::var_os("FHIR_VALIDATOR_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv/bin/python"));
    assert!(
        python.exists(),
        "the FHIR validator's Python is not at {} : run `make setup-test`, which installs \
         fhir.resources into .venv",
        python.display()
    );
    let mut child = Command::new(&python)
        .arg(root.join("scripts/fhir_validate.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the FHIR validator");
    child
        .stdin
        .take()
        .expect("its input")
        .write_all(bundle.as_bytes())
        .expect("send the Bundle");
    let out = child.wait_with_output().expect("the validator's answer");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.code() != Some(2),
        "the FHIR validator could not run: {said}"
    );
    if out.status.success() {
        Ok(said)
    } else {
        Err(said)
    }
}

/// GET with the person's cookie and an `Accept`; the status, headers and body.
async fn get(
    app: &TestApp,
    cookie: Option<&str>,
    path: &str,
    accept: &str,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut req = app.client().get(app.url(path)).header("accept", accept);
    if let Some(cookie) = cookie {
        req = req.header("cookie", cookie);
    }
    let res = req.send().await.expect("get");
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    (status, headers, res.text().await.unwrap_or_default())
}

/// The export as a browser downloads it.
async fn download(app: &TestApp, who: &Person, path: &str) -> (u16, String) {
    let (status, _, body) = get(app, Some(&who.cookie), path, "text/html,*/*").await;
    (status, body)
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .map(|entries| {
            entries
                .iter()
                .map(|e| &e["resource"])
                .filter(|r| r["resourceType"] == kind)
                .collect()
        })
        .unwrap_or_default()
}

fn parse(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

async fn release(app: &TestApp, staff: Uuid, person: Uuid) {
    let actor = app::access::Actor::new(staff, app::clock::Clock::now(&app.clock));
    let ctx = app::access::open_patient_id(
        &app.db,
        actor,
        app::access::Permission::ReleaseResults,
        person,
    )
    .await
    .expect("a clinician opens the record to release results");
    app::preparation::service::release(&app.state.app, &ctx)
        .await
        .expect("release");
}

/// A lab's eGFR of "more than 90", coded as the lab coded it, entered now.
async fn add_bounded_egfr(app: &TestApp, person: Uuid) {
    let now = app::clock::Clock::now(&app.clock);
    observation::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(person),
        code: Set("egfr".into()),
        value_num: Set(Some(90.0)),
        unit: Set(Some("mL/min/1.73m²".into())),
        taken_at: Set(now - Duration::days(3)),
        source: Set("import".into()),
        created_at: Set(now),
        status: Set("final".into()),
        comparator: Set(Some(">".into())),
        identifier: Set(Some("https://pathology.example.nhs.uk/results|EG-2026-0042".into())),
        issued: Set(Some(now - Duration::days(2))),
        dated_by: Set("taken".into()),
        performer: Set(Some("Riverside Pathology".into())),
        codings: Set(Some(
            r#"[{"system":"http://snomed.info/sct","code":"1011481000000105","display":"eGFR using creatinine (CKD-EPI) per 1.73 square metres"}]"#.into(),
        )),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("an eGFR");
}

db_test! {
    async fn a_realistic_persons_export_is_valid_fhir_r4_and_carries_the_whole_plan_with_released_results_only(app) {
        demo::seed_demo(&app.state.app).await.expect("seed the demo");
        let margaret = patient::Entity::find()
            .filter(patient::Column::GivenName.eq("Margaret"))
            .one(&app.db)
            .await
            .unwrap()
            .expect("the demo's Margaret");
        let account = margaret.account_id.expect("her account");
        let me = Person { patient_id: margaret.id, account_id: account, cookie: session_cookie_for(&app, account).await };
        // A carer who may see the plan, a team she shares with, a bounded eGFR the lab coded
        // its own way (released), and an HbA1c no clinician has released yet.
        carer(&app, &me, "Sian Helper", "read_plan read_results", "active", None).await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let (status, body) = post_json(&app, &me, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 200, "{body}");
        app.clock.advance(Duration::seconds(1));
        add_bounded_egfr(&app, me.patient_id).await;
        app.clock.advance(Duration::seconds(1));
        let clinician = clinician_of(&app, &me, "clinician").await;
        release(&app, clinician, me.patient_id).await;
        app.clock.advance(Duration::seconds(1));
        add_hba1c(&app, &me, 99.0, 0).await;

        let (status, headers, body) = get(&app, Some(&me.cookie), "/plan/export", "text/html,*/*").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], "application/fhir+json; charset=utf-8");
        assert_eq!(headers["content-disposition"], "attachment; filename=\"alongside-plan.fhir.json\"");
        let said = validate(&body).unwrap_or_else(|problems| panic!("the export is not valid FHIR R4:\n{problems}"));
        assert!(said.starts_with("valid FHIR R4"), "{said}");

        let b = parse(&body);
        assert_eq!(b["type"], "collection");
        let p = &resources(&b, "Patient")[0];
        assert_eq!(p["identifier"][0]["system"], "https://fhir.nhs.uk/Id/nhs-number");
        assert_eq!(p["identifier"][0]["value"], margaret.nhs_number);

        let plans = resources(&b, "CarePlan");
        assert_eq!(plans.len(), 1);
        let plan = plans[0];
        assert_eq!((plan["status"].as_str(), plan["intent"].as_str()), (Some("active"), Some("plan")), "agreed");
        let conditions = resources(&b, "Condition");
        let stored = patient_condition::Entity::find().filter(patient_condition::Column::PatientId.eq(margaret.id)).all(&app.db).await.unwrap();
        assert_eq!(conditions.len(), stored.len());
        let addressed: Vec<&str> = plan["addresses"].as_array().unwrap().iter().map(|a| a["reference"].as_str().unwrap()).collect();
        for c in &conditions {
            assert_eq!(c["code"]["coding"][0]["system"], "http://snomed.info/sct");
            assert!(addressed.contains(&format!("urn:uuid:{}", c["id"].as_str().unwrap()).as_str()), "the plan addresses {}", c["code"]["text"]);
        }
        let actions = plan_action::Entity::find().filter(plan_action::Column::PatientId.eq(margaret.id)).all(&app.db).await.unwrap();
        assert!(!actions.is_empty());
        assert_eq!(plan["activity"].as_array().unwrap().len(), actions.len(), "one activity per action");
        assert!(
            plan["activity"].as_array().unwrap().iter().any(|a| a["progress"][0]["text"].as_str().is_some_and(|t| t.contains("Logged on") && t.contains("done"))),
            "two years of logs, summed up"
        );
        let goals = goal::Entity::find().filter(goal::Column::PatientId.eq(margaret.id)).all(&app.db).await.unwrap();
        let exported = resources(&b, "Goal");
        assert_eq!(exported.len(), goals.len());
        for g in &goals {
            let e = exported.iter().find(|e| e["id"] == g.id.to_string()).expect("each goal");
            let (lifecycle, _) = app::fhir::bundle::goal_statuses(&g.status);
            assert_eq!(e["lifecycleStatus"], lifecycle);
            assert_eq!(e["priority"]["coding"][0]["code"], app::fhir::bundle::goal_priority(g.importance).0);
        }
        assert_eq!(resources(&b, "DocumentReference").len(), plan["supportingInfo"].as_array().unwrap().len());

        let results = resources(&b, "Observation");
        assert!(!results.is_empty());
        assert!(
            !results.iter().any(|o| o["valueQuantity"]["value"] == 99.0),
            "the unreleased HbA1c stays out"
        );
        let egfr = results.iter().find(|o| o["valueQuantity"]["comparator"] == ">").expect("the bounded eGFR");
        assert_eq!(egfr["valueQuantity"]["value"], 90.0);
        assert_eq!(egfr["valueQuantity"]["code"], "mL/min/{1.73_m2}");
        assert_eq!(egfr["code"]["coding"][0]["code"], "1011481000000105", "the lab's own coding");
        assert_eq!(egfr["identifier"][0]["value"], "EG-2026-0042");
        let bp = results.iter().find(|o| o.get("component").is_some()).expect("a blood pressure");
        assert_eq!(bp["component"][0]["code"]["coding"][0]["code"], "8480-6");
        assert_eq!(bp["component"][1]["code"]["coding"][0]["code"], "8462-4");
        assert_eq!(bp["component"][0]["valueQuantity"]["code"], "mm[Hg]");

        let consents = resources(&b, "Consent");
        assert!(consents.iter().any(|c| c["provision"]["actor"][0]["reference"]["reference"] == format!("urn:uuid:{social}")), "the sharing consent");
        let carers = resources(&b, "RelatedPerson");
        assert!(carers.iter().any(|r| r["name"][0]["text"] == "Sian Helper"));
        assert_eq!(consents.len(), carers.len() + 1, "a consent for each carer and the share");

        // The care team's copy, from the person's page, is the same record and as valid.
        let doctor = Person { patient_id: Uuid::nil(), account_id: clinician, cookie: session_cookie_for(&app, clinician).await };
        let (status, team) = download(&app, &doctor, &format!("/team/people/{}/export", margaret.id)).await;
        assert_eq!(status, 200, "{team}");
        validate(&team).unwrap_or_else(|problems| panic!("the team's export is not valid FHIR R4:\n{problems}"));
        let t = parse(&team);
        assert_eq!(t["entry"], b["entry"], "the same resources whoever asks");
    }
}

db_test! {
    async fn the_person_a_carer_with_the_plan_and_the_planning_team_may_export_and_everyone_else_gets_not_found(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        add_hba1c(&app, &ada, 52.0, 20).await;
        let home = practice_of(&app, &ada).await;
        let clinician = member(&app, home, "clinician", "Dr Rowan Ash").await;
        let coordinator = member(&app, home, "care_coordinator", "Cora Ordinator").await;
        let assistant = member(&app, home, "healthcare_assistant", "Hal Assistant").await;
        let admin = member(&app, home, "org_admin", "Ann Admin").await;
        release(&app, clinician.account_id, ada.patient_id).await;
        let plan_carer = carer(&app, &ada, "Pat Plan", "read_plan", "active", None).await;
        let results_carer = carer(&app, &ada, "Rae Results", "read_results", "active", None).await;
        let ended_carer = carer(&app, &ada, "Ena Ended", "read_plan", "active", Some(-2)).await;
        let hillside = make_org(&app, "Hillside Surgery", "gp_practice").await;
        let elsewhere = member(&app, hillside, "clinician", "Dr Hill").await;
        let social = make_org(&app, "Riverside Social Care", "social_care_team").await;
        let (status, _) = post_json(&app, &ada, "/api/sharing/share", &[("organisation", &social.to_string())]).await;
        assert_eq!(status, 200);
        let shared_worker = member(&app, social, "social_care_worker", "Sol Worker").await;
        let team_page = format!("/team/people/{}/export", ada.patient_id);

        let (status, own) = download(&app, &ada, "/plan/export").await;
        assert_eq!(status, 200, "the person herself");
        assert_eq!(resources(&parse(&own), "Observation").len(), 1, "her released result");
        let (status, carers_copy) = download(&app, &plan_carer, "/plan/export").await;
        assert_eq!(status, 200, "a carer who may see the plan");
        let carers_copy = parse(&carers_copy);
        assert!(resources(&carers_copy, "Observation").is_empty(), "not her results without the results scope");
        assert_eq!(resources(&carers_copy, "RelatedPerson").len(), 1, "only the carer's own grant");
        for (who, path, name) in [
            (&clinician, &team_page, "clinician"),
            (&coordinator, &team_page, "care coordinator"),
        ] {
            let (status, body) = download(&app, who, path).await;
            assert_eq!(status, 200, "{name}: {body}");
            assert_eq!(resources(&parse(&body), "Observation").len(), 1, "{name}: released results only");
        }
        let refused = [
            (&results_carer, "/plan/export", "a carer without the plan scope"),
            (&ended_carer, "/plan/export", "a carer whose grant has ended"),
            (&assistant, team_page.as_str(), "a healthcare assistant"),
            (&admin, team_page.as_str(), "an administrator"),
            (&elsewhere, team_page.as_str(), "another practice's clinician"),
            (&shared_worker, team_page.as_str(), "a team she shares with (a copy leaves through her practice)"),
            (&ada, team_page.as_str(), "the person on the team's route"),
            (&clinician, "/plan/export", "a clinician with no plan of their own"),
            (&clinician, "/team/people/not-an-id/export", "a made-up address"),
        ];
        for (who, path, name) in refused {
            let (status, body) = download(&app, who, path).await;
            assert_eq!(status, 404, "{name} must get not found, got {status}: {body}");
            assert!(!body.contains("9434765919"), "{name}: nothing of hers");
        }
        let (status, headers, _) = get(&app, None, "/plan/export", "text/html").await;
        assert_eq!((status, headers.get("location").and_then(|v| v.to_str().ok())), (303, Some("/")), "signed out: sign in first");

        // Who took a copy is in her access log; her own downloads are not.
        let logged: Vec<(Option<Uuid>, String)> = audit_event::Entity::find()
            .filter(audit_event::Column::SubjectAccountId.eq(ada.account_id))
            .filter(audit_event::Column::Action.is_in(["plan_exported", "carer_exported_plan"]))
            .all(&app.db)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.actor_account_id, e.action))
            .collect();
        assert_eq!(logged.len(), 3, "{logged:?}");
        assert!(logged.contains(&(Some(plan_carer.account_id), "carer_exported_plan".into())));
        assert!(logged.contains(&(Some(clinician.account_id), "plan_exported".into())));
        assert!(logged.contains(&(Some(coordinator.account_id), "plan_exported".into())));
        let log = crate::plan::page(&app, &ada, "/account/access-log").await;
        assert!(log.contains("downloaded a copy of your plan"), "she can read it in plain words");
    }
}

db_test! {
    async fn the_read_api_answers_fhir_json_by_accept_and_says_no_in_operation_outcomes(app) {
        let ada = make_patient(&app, "Ada Tester", "9434765919").await;
        let home = practice_of(&app, &ada).await;
        let clinician = member(&app, home, "clinician", "Dr Rowan Ash").await;
        let assistant = member(&app, home, "healthcare_assistant", "Hal Assistant").await;
        let path = format!("/fhir/Patient/{}/$everything", ada.patient_id);

        let (status, headers, body) = get(&app, Some(&clinician.cookie), &path, "application/fhir+json").await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(headers["content-type"], "application/fhir+json; charset=utf-8");
        assert!(headers.get("content-disposition").is_none(), "an answer, not a file");
        validate(&body).unwrap_or_else(|problems| panic!("not valid FHIR R4:\n{problems}"));
        assert_eq!(parse(&body)["resourceType"], "Bundle");
        let (status, headers, _) = get(&app, Some(&ada.cookie), &path, "application/json").await;
        assert_eq!(status, 200, "the person herself");
        assert_eq!(headers["content-type"], "application/json; charset=utf-8", "as plain JSON, as asked");

        let outcome = |status: u16, headers: &reqwest::header::HeaderMap, body: &str, code: &str| {
            assert_eq!(headers["content-type"], "application/fhir+json; charset=utf-8", "{status}");
            let o = parse(body);
            assert_eq!(o["resourceType"], "OperationOutcome", "{status}: {body}");
            assert_eq!(o["issue"][0]["severity"], "error");
            assert_eq!(o["issue"][0]["code"], code, "{status}: {body}");
            assert!(!body.contains("9434765919"));
        };
        let (status, headers, body) = get(&app, Some(&clinician.cookie), &path, "application/fhir+xml").await;
        assert_eq!(status, 406);
        outcome(status, &headers, &body, "not-supported");
        let (status, headers, body) = get(&app, Some(&clinician.cookie), &path, "text/html").await;
        assert_eq!(status, 406, "a page is not what this answers");
        outcome(status, &headers, &body, "not-supported");
        let (status, headers, body) = get(&app, Some(&assistant.cookie), &path, "application/fhir+json").await;
        assert_eq!(status, 404, "a healthcare assistant may not take it away");
        outcome(status, &headers, &body, "not-found");
        let (status, headers, body) = get(&app, Some(&clinician.cookie), "/fhir/Patient/nobody/$everything", "application/fhir+json").await;
        assert_eq!(status, 404);
        outcome(status, &headers, &body, "not-found");
        let (status, headers, body) = get(&app, Some(&clinician.cookie), &format!("/fhir/Patient/{}/$everything", Uuid::new_v4()), "application/fhir+json").await;
        assert_eq!(status, 404, "no such person looks the same");
        outcome(status, &headers, &body, "not-found");
        let (status, headers, body) = get(&app, None, &path, "application/fhir+json").await;
        assert_eq!(status, 401);
        outcome(status, &headers, &body, "login");
    }
}

#[test]
fn the_validator_refuses_a_bundle_that_breaks_fhir_or_our_rules() {
    let broken = serde_json::json!({
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "urn:uuid:7d1f1f0e-1111-4a4a-8a8a-000000000001",
                "resource": {
                    "resourceType": "Observation",
                    "id": "7d1f1f0e-1111-4a4a-8a8a-000000000001",
                    "status": "final",
                    "code": { "coding": [{ "code": "4548-4" }] },
                    "subject": { "reference": "urn:uuid:7d1f1f0e-1111-4a4a-8a8a-000000000999" },
                    "valueQuantity": { "value": 58, "unit": "µmol/L", "system": "http://unitsofmeasure.org", "code": "µmol/L" }
                }
            },
            {
                "fullUrl": "urn:uuid:7d1f1f0e-1111-4a4a-8a8a-000000000002",
                "resource": { "resourceType": "Patient", "id": "7d1f1f0e-1111-4a4a-8a8a-000000000002", "birthDate": "14 May 1958" }
            }
        ]
    });
    let problems = validate(&broken.to_string()).expect_err("a broken Bundle is refused");
    for expected in [
        "is not in the Bundle",
        "a coding without a system",
        "is not a UCUM unit",
        "birthDate",
    ] {
        assert!(
            problems.contains(expected),
            "the validator says {expected:?}: {problems}"
        );
    }
}
