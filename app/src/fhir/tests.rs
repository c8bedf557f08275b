//! The pure builder: a record made here in, the Bundle's content and its rules checked.
use std::collections::{BTreeSet, HashMap};

use chrono::{Duration, NaiveDate, TimeZone as _, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::bundle::{self, Log, Record, UCUM, build, derived, urn};
use super::observations::{codings, ucum};
use super::routes::negotiate;
use crate::entities::{
    about_me, carer_grant, contingency, contingency_contact, goal, observation, organisation,
    patient, plan, plan_action, share_consent, support_item,
};

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, 10, 0, 0).unwrap()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn obs(code: &str, num: Option<f64>, num2: Option<f64>, coded: Option<&str>) -> observation::Model {
    observation::Model {
        id: Uuid::new_v4(),
        patient_id: Uuid::nil(),
        code: code.into(),
        value_num: num,
        value_num2: num2,
        value_code: coded.map(str::to_owned),
        unit: crate::results::catalogue::kind(code)
            .map(|k| k.unit.to_owned())
            .filter(|u| !u.is_empty()),
        taken_at: now() - Duration::days(30),
        source: "import".into(),
        created_at: now() - Duration::days(29),
        fingerprint: None,
        status: "final".into(),
        comparator: None,
        identifier: None,
        issued: None,
        dated_by: "taken".into(),
        performer: None,
        codings: None,
        original_value: None,
        original_unit: None,
        corrected_at: None,
        removed_at: None,
    }
}

struct Ids {
    doctor: Uuid,
    walk: Uuid,
    stopped: Uuid,
    social: Uuid,
}

fn record() -> (Record, Ids) {
    let person = Uuid::new_v4();
    let account = Uuid::new_v4();
    let doctor = Uuid::new_v4();
    let carer = Uuid::new_v4();
    let practice = organisation::Model {
        id: Uuid::new_v4(),
        name: "Riverside Medical Practice".into(),
        kind: "gp_practice".into(),
        ods_code: Some("Y12345".into()),
        created_at: now(),
        pack_release_days: 14,
    };
    let social = organisation::Model {
        id: Uuid::new_v4(),
        name: "Riverside Social Care".into(),
        kind: "social_care_team".into(),
        ods_code: None,
        created_at: now(),
        pack_release_days: 14,
    };
    let walk = goal::Model {
        id: Uuid::new_v4(),
        patient_id: person,
        title: "Walk to see my grandchildren".into(),
        why: "They live up the hill".into(),
        importance: 9,
        success: "I get there without stopping".into(),
        target_date: Some(day(2027, 6, 1)),
        status: "in_progress".into(),
        conditions: "copd".into(),
        created_at: now() - Duration::days(300),
    };
    let stopped = goal::Model {
        id: Uuid::new_v4(),
        title: "Give up biscuits".into(),
        why: String::new(),
        importance: 2,
        success: String::new(),
        target_date: None,
        status: "stopped".into(),
        conditions: String::new(),
        ..walk.clone()
    };
    let action = |what: &str, goal: Uuid, frequency: &str, status: &str| plan_action::Model {
        id: Uuid::new_v4(),
        patient_id: person,
        goal_id: goal,
        what: what.into(),
        who_kind: "me".into(),
        who_name: String::new(),
        frequency: frequency.into(),
        times_per_week: Some(3),
        weekdays: "mon wed fri".into(),
        due_by: None,
        time_of_day: "morning".into(),
        confidence: 7,
        status: status.into(),
        starts_on: day(2026, 1, 5),
        created_at: now() - Duration::days(300),
        streak_through: None,
        streak_count: 0,
    };
    let a1 = action("Walk to the corner shop", walk.id, "weekly", "in_progress");
    let mut a2 = action("Ask Sian to walk with me", walk.id, "weekdays", "done");
    a2.who_kind = "carer".into();
    a2.who_name = "Sian".into();
    let a3 = action("Swap biscuits for fruit", stopped.id, "daily", "not_doing");
    let logs = vec![
        Log {
            action_id: a1.id,
            day: day(2026, 11, 30),
            outcome: "done".into(),
            note: Some("Windy but made it".into()),
        },
        Log {
            action_id: a1.id,
            day: day(2026, 12, 1),
            outcome: "partly".into(),
            note: None,
        },
        Log {
            action_id: a1.id,
            day: day(2026, 12, 2),
            outcome: "not_today".into(),
            note: Some(" ".into()),
        },
    ];
    let mut hba1c = obs("hba1c", Some(58.0), None, None);
    hba1c.codings = Some(
        r#"[{"system":"http://snomed.info/sct","code":"1049301000000100","display":"HbA1c level (IFCC)"},{"system":"","code":"x"}]"#.into(),
    );
    hba1c.identifier = Some("https://lab.example.nhs.uk/id|R-123".into());
    hba1c.issued = Some(now() - Duration::days(28));
    hba1c.performer = Some("Riverside Pathology".into());
    hba1c.original_value = Some("7.5".into());
    hba1c.original_unit = Some("%".into());
    let mut egfr = obs("egfr", Some(90.0), None, None);
    egfr.comparator = Some(">".into());
    egfr.status = "amended".into();
    let bp = obs("blood_pressure", Some(142.0), Some(88.0), None);
    let foot = obs("foot_risk", None, None, Some("increased"));
    let mut reported = obs("serum_creatinine", Some(80.0), None, None);
    reported.dated_by = "reported".into();
    let mut withdrawn = obs("bmi", Some(31.0), None, None);
    withdrawn.removed_at = Some(now());
    let grant = carer_grant::Model {
        id: Uuid::new_v4(),
        patient_id: person,
        carer_account_id: carer,
        relationship: "Daughter".into(),
        scopes: "read_plan log_actions".into(),
        status: "active".into(),
        ends_on: None,
        granted_by: account,
        granted_by_kind: "patient".into(),
        legal_basis: None,
        created_at: now() - Duration::days(10),
        activated_at: Some(now() - Duration::days(9)),
        ended_at: None,
        ended_by: None,
        ended_reason: None,
    };
    let share = share_consent::Model {
        id: Uuid::new_v4(),
        patient_id: person,
        organisation_id: social.id,
        granted_at: now() - Duration::days(5),
        granted_by: account,
        withdrawn_at: None,
    };
    let record = Record {
        now: now(),
        patient: patient::Model {
            id: person,
            account_id: Some(account),
            organisation_id: practice.id,
            given_name: "Margaret".into(),
            family_name: "Evans".into(),
            date_of_birth: day(1951, 3, 14),
            nhs_number: "9434765919".into(),
            phone: Some("07700 900123".into()),
            email: None,
            time_zone: "Europe/London".into(),
            created_at: now(),
            data_version: 0,
        },
        practice,
        conditions: vec!["copd".into(), "type2_diabetes".into()],
        plan: Some(plan::Model {
            patient_id: person,
            review_date: Some(day(2027, 3, 1)),
            review_with: Some("Dr Priya Shah".into()),
            agreed_at: Some(now() - Duration::days(60)),
            agreed_by: Some(doctor),
            written_by: Some("Dr Priya Shah, Riverside Medical Practice".into()),
            agreed_with: Some("person".into()),
            representative: None,
        }),
        about_me: Some(about_me::Model {
            patient_id: person,
            what_matters: "Seeing my grandchildren".into(),
            important_people: "Sian, my daughter".into(),
            communication: String::new(),
            please_do: String::new(),
            please_dont: String::new(),
            support_how_when: String::new(),
            also_worth_knowing: String::new(),
            supported_by: String::new(),
        }),
        goals: vec![walk.clone(), stopped.clone()],
        actions: vec![a1, a2, a3],
        logs,
        contingency: Some(contingency::Model {
            patient_id: person,
            warning_signs: "More breathless than usual".into(),
            what_to_do: "Start my rescue pack".into(),
            coping: String::new(),
            anticipatory: String::new(),
        }),
        contacts: vec![contingency_contact::Model {
            id: Uuid::new_v4(),
            patient_id: person,
            name: "Practice nurse".into(),
            role: "COPD nurse".into(),
            phone: "01632 960000".into(),
            created_at: now(),
        }],
        support: vec![support_item::Model {
            id: Uuid::new_v4(),
            patient_id: person,
            goal_id: Some(walk.id),
            name: "Breathe Easy group".into(),
            why: "Singing for lung health".into(),
            contact: "Tuesdays at the library".into(),
            status: "helping".into(),
            created_at: now(),
        }],
        observations: vec![hba1c, egfr, bp, foot, reported, withdrawn],
        shares: vec![share],
        grants: vec![grant],
        organisations: vec![social.clone()],
        names: HashMap::from([
            (doctor, "Dr Priya Shah".to_owned()),
            (carer, "Sian Evans".to_owned()),
            (account, "Margaret Evans".to_owned()),
        ]),
    };
    let ids = Ids {
        doctor,
        walk: walk.id,
        stopped: stopped.id,
        social: social.id,
    };
    (record, ids)
}

fn resources<'a>(bundle: &'a Value, kind: &str) -> Vec<&'a Value> {
    bundle["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["resource"])
        .filter(|r| r["resourceType"] == kind)
        .collect()
}

fn one<'a>(bundle: &'a Value, kind: &str) -> &'a Value {
    let all = resources(bundle, kind);
    assert_eq!(all.len(), 1, "one {kind}");
    all[0]
}

/// Every `reference` and every `coding` anywhere in a value.
fn walk<'a>(v: &'a Value, refs: &mut Vec<&'a str>, codings: &mut Vec<&'a Value>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("reference") {
                refs.push(r);
            }
            if let Some(Value::Array(cs)) = map.get("coding") {
                codings.extend(cs.iter());
            }
            for child in map.values() {
                walk(child, refs, codings);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| walk(i, refs, codings)),
        _ => {}
    }
}

fn observation_with<'a>(bundle: &'a Value, text: &str) -> &'a Value {
    resources(bundle, "Observation")
        .into_iter()
        .find(|o| o["code"]["text"].as_str().is_some_and(|t| t.contains(text)))
        .unwrap_or_else(|| panic!("an Observation for {text}"))
}

#[test]
fn every_reference_resolves_inside_the_bundle_and_every_coding_names_its_system() {
    let (r, _) = record();
    let b = build(&r, Uuid::new_v4());
    assert_eq!(b["type"], "collection");
    let full_urls: Vec<&str> = b["entry"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fullUrl"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = full_urls.iter().copied().collect();
    assert_eq!(unique.len(), full_urls.len(), "no resource twice");
    for e in b["entry"].as_array().unwrap() {
        let id = e["resource"]["id"].as_str().unwrap();
        assert_eq!(e["fullUrl"], format!("urn:uuid:{id}"));
    }
    let (mut refs, mut codings) = (Vec::new(), Vec::new());
    walk(&b, &mut refs, &mut codings);
    assert!(
        refs.len() > 20,
        "the plan refers to its parts: {}",
        refs.len()
    );
    for r in refs {
        assert!(unique.contains(r), "{r} is not in the Bundle");
    }
    for c in codings {
        assert!(
            c["system"].as_str().is_some_and(|s| !s.is_empty()) && c["code"].as_str().is_some(),
            "a coding without a system or code: {c}"
        );
    }
}

#[test]
fn the_patient_carries_the_nhs_number_name_birth_date_and_the_uk_core_profile() {
    let (r, _) = record();
    let b = build(&r, Uuid::new_v4());
    let p = one(&b, "Patient");
    assert_eq!(
        p["identifier"][0]["system"],
        "https://fhir.nhs.uk/Id/nhs-number"
    );
    assert_eq!(p["identifier"][0]["value"], "9434765919");
    assert_eq!(p["name"][0]["family"], "Evans");
    assert_eq!(p["name"][0]["given"][0], "Margaret");
    assert_eq!(p["birthDate"], "1951-03-14");
    assert_eq!(
        p["meta"]["profile"][0],
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
    );
    assert_eq!(p["generalPractitioner"][0]["reference"], urn(r.practice.id));
    let practice = resources(&b, "Organization")
        .into_iter()
        .find(|o| o["id"] == r.practice.id.to_string())
        .unwrap();
    assert_eq!(practice["identifier"][0]["value"], "Y12345");
}

#[test]
fn the_care_plan_addresses_each_condition_has_one_activity_per_action_and_is_authored_by_who_agreed_it()
 {
    let (r, ids) = record();
    let b = build(&r, Uuid::new_v4());
    let plan = one(&b, "CarePlan");
    assert_eq!(plan["status"], "active");
    assert_eq!(plan["intent"], "plan");
    assert_eq!(plan["subject"]["reference"], urn(r.patient.id));
    assert_eq!(plan["author"]["reference"], urn(ids.doctor));
    assert_eq!(plan["period"]["end"], "2027-03-01");
    assert!(
        plan["period"]["start"]
            .as_str()
            .unwrap()
            .starts_with("2026-10-05")
    );
    let conditions = resources(&b, "Condition");
    let codes: BTreeSet<&str> = conditions
        .iter()
        .map(|c| c["code"]["coding"][0]["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        BTreeSet::from(["13645005", "44054006"]),
        "SNOMED CT COPD and type 2 diabetes"
    );
    for c in &conditions {
        assert_eq!(c["code"]["coding"][0]["system"], "http://snomed.info/sct");
        assert_eq!(c["clinicalStatus"]["coding"][0]["code"], "active");
        let id = urn(c["id"].as_str().unwrap().parse().unwrap());
        assert!(
            plan["addresses"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a["reference"] == id)
        );
    }
    let activities = plan["activity"].as_array().unwrap();
    assert_eq!(activities.len(), 3, "one activity per action");
    let first = &activities[0];
    assert_eq!(first["detail"]["status"], "in-progress");
    assert_eq!(first["detail"]["goal"][0]["reference"], urn(ids.walk));
    assert_eq!(
        first["detail"]["performer"][0]["reference"],
        urn(r.patient.id)
    );
    let repeat = &first["detail"]["scheduledTiming"]["repeat"];
    assert_eq!(
        (repeat["frequency"].as_i64(), repeat["periodUnit"].as_str()),
        (Some(3), Some("wk"))
    );
    assert_eq!(repeat["when"][0], "MORN");
    assert_eq!(
        first["progress"][0]["text"],
        "Confidence 7 out of 10. Logged on 3 days from 2026-11-30 to 2026-12-02: done 1, partly 1, not today 1."
    );
    assert_eq!(
        first["progress"].as_array().unwrap().len(),
        2,
        "the one real note, not the blank one"
    );
    assert_eq!(first["progress"][1]["text"], "Windy but made it");
    assert_eq!(activities[1]["detail"]["status"], "completed");
    assert_eq!(
        activities[1]["detail"]["description"],
        "Ask Sian to walk with me. Done by Sian (carer)."
    );
    assert_eq!(
        activities[1]["detail"]["scheduledTiming"]["repeat"]["dayOfWeek"][2],
        "fri"
    );
    assert_eq!(
        activities[2]["detail"]["status"], "cancelled",
        "not doing, never logged"
    );
    let docs = resources(&b, "DocumentReference");
    assert_eq!(docs.len(), 3, "about me, contingency, support");
    assert_eq!(plan["supportingInfo"].as_array().unwrap().len(), 3);
    assert_eq!(plan["goal"].as_array().unwrap().len(), 2);
}

#[test]
fn a_plan_not_yet_agreed_is_a_draft_written_by_the_person() {
    let (mut r, _) = record();
    r.plan = None;
    r.about_me = None;
    let b = build(&r, Uuid::new_v4());
    let plan = one(&b, "CarePlan");
    assert_eq!(plan["status"], "draft");
    assert_eq!(plan["author"]["reference"], urn(r.patient.id));
    assert!(plan.get("period").is_none());
    assert_eq!(resources(&b, "Practitioner").len(), 0, "no one agreed it");
    assert_eq!(resources(&b, "DocumentReference").len(), 2);
}

#[test]
fn goals_carry_lifecycle_achievement_priority_and_due_date() {
    let (r, ids) = record();
    let b = build(&r, Uuid::new_v4());
    let goals = resources(&b, "Goal");
    let walk = goals
        .iter()
        .find(|g| g["id"] == ids.walk.to_string())
        .unwrap();
    assert_eq!(walk["lifecycleStatus"], "active");
    assert_eq!(
        walk["achievementStatus"]["coding"][0]["code"],
        "in-progress"
    );
    assert_eq!(walk["priority"]["coding"][0]["code"], "high-priority");
    assert_eq!(walk["target"][0]["dueDate"], "2027-06-01");
    assert_eq!(walk["description"]["text"], "Walk to see my grandchildren");
    assert_eq!(
        walk["addresses"].as_array().unwrap().len(),
        1,
        "linked to COPD"
    );
    let stopped = goals
        .iter()
        .find(|g| g["id"] == ids.stopped.to_string())
        .unwrap();
    assert_eq!(stopped["lifecycleStatus"], "cancelled");
    assert_eq!(stopped["priority"]["coding"][0]["code"], "low-priority");
    assert!(stopped.get("target").is_none());
    assert_eq!(bundle::goal_statuses("not_started"), ("planned", None));
    assert_eq!(bundle::goal_priority(5).0, "medium-priority");
}

#[test]
fn results_keep_their_original_coding_comparator_identifier_and_ucum_units() {
    let (r, _) = record();
    let b = build(&r, Uuid::new_v4());
    assert_eq!(
        resources(&b, "Observation").len(),
        5,
        "the withdrawn BMI is left out"
    );
    let hba1c = observation_with(&b, "HbA1c");
    assert_eq!(
        hba1c["code"]["coding"].as_array().unwrap().len(),
        1,
        "the coding with no system is dropped"
    );
    assert_eq!(hba1c["code"]["coding"][0]["code"], "1049301000000100");
    assert_eq!(hba1c["valueQuantity"]["system"], UCUM);
    assert_eq!(hba1c["valueQuantity"]["code"], "mmol/mol");
    assert_eq!(
        hba1c["identifier"][0]["system"],
        "https://lab.example.nhs.uk/id"
    );
    assert_eq!(hba1c["identifier"][0]["value"], "R-123");
    assert_eq!(
        hba1c["note"][0]["text"],
        "Converted by Alongside from 7.5 %."
    );
    assert_eq!(
        hba1c["meta"]["profile"][0],
        "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation-Lab"
    );
    let lab = resources(&b, "Organization")
        .into_iter()
        .find(|o| o["name"] == "Riverside Pathology")
        .unwrap();
    assert_eq!(
        hba1c["performer"][0]["reference"],
        format!("urn:uuid:{}", lab["id"].as_str().unwrap())
    );

    let egfr = observation_with(&b, "eGFR");
    assert_eq!(egfr["valueQuantity"]["comparator"], ">");
    assert_eq!(egfr["valueQuantity"]["code"], "mL/min/{1.73_m2}");
    assert_eq!(egfr["status"], "amended");
    let systems: Vec<&str> = egfr["code"]["coding"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["system"].as_str().unwrap())
        .collect();
    assert!(
        systems.contains(&"http://loinc.org") && systems.contains(&"http://snomed.info/sct"),
        "the catalogue's codes, each with its system: {systems:?}"
    );

    let bp = observation_with(&b, "Blood pressure");
    assert!(bp.get("valueQuantity").is_none());
    assert_eq!(bp["component"][0]["code"]["coding"][0]["code"], "8480-6");
    assert_eq!(bp["component"][0]["valueQuantity"]["value"], 142.0);
    assert_eq!(bp["component"][1]["code"]["coding"][0]["code"], "8462-4");
    assert_eq!(bp["component"][1]["valueQuantity"]["code"], "mm[Hg]");
    assert_eq!(bp["category"][0]["coding"][0]["code"], "vital-signs");

    let foot = observation_with(&b, "Foot");
    assert_eq!(foot["valueCodeableConcept"]["text"], "Increased risk");
    let creatinine = observation_with(&b, "reatinine");
    assert_eq!(creatinine["valueQuantity"]["code"], "umol/L");
    assert!(
        creatinine.get("effectiveDateTime").is_none(),
        "only the report's time is known"
    );
    assert!(creatinine["issued"].is_string());
}

#[test]
fn every_number_the_catalogue_shows_has_a_ucum_unit_and_every_kind_a_coding() {
    for k in crate::results::catalogue::KINDS {
        if !k.unit.is_empty() {
            assert!(
                ucum(k.unit).is_some(),
                "{} ({}) has no UCUM unit",
                k.code,
                k.unit
            );
        }
        let o = obs(k.code, Some(1.0), None, None);
        let found = codings(&o);
        assert!(!found.is_empty(), "{} has no codes to fall back on", k.code);
        for c in found {
            assert!(c["system"].is_string() && c["code"].is_string(), "{c}");
        }
    }
}

#[test]
fn carers_and_sharing_are_consents_with_who_what_and_when() {
    let (r, ids) = record();
    let b = build(&r, Uuid::new_v4());
    let carer = one(&b, "RelatedPerson");
    assert_eq!(carer["name"][0]["text"], "Sian Evans");
    assert_eq!(carer["relationship"][0]["text"], "Daughter");
    assert_eq!(carer["active"], true);
    let consents = resources(&b, "Consent");
    assert_eq!(consents.len(), 2);
    let grant = consents
        .iter()
        .find(|c| c["provision"]["actor"][0]["reference"]["reference"] == urn(r.grants[0].id))
        .expect("the carer's consent names the carer");
    assert_eq!(grant["status"], "active");
    assert_eq!(grant["policyRule"]["coding"][0]["code"], "OPTIN");
    assert_eq!(
        grant["performer"][0]["reference"],
        urn(r.patient.id),
        "she gave it herself"
    );
    let scopes: Vec<&str> = grant["provision"]["code"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap())
        .collect();
    assert_eq!(scopes, ["See the plan", "Log what was done"]);
    let share = consents
        .iter()
        .find(|c| c["provision"]["actor"][0]["reference"]["reference"] == urn(ids.social))
        .expect("the sharing consent names the organisation");
    assert_eq!(share["status"], "active");
    assert!(
        resources(&b, "Organization")
            .iter()
            .any(|o| o["name"] == "Riverside Social Care")
    );

    // Ended and invited grants are inactive and proposed; a withdrawn share is inactive.
    let (mut r, _) = record();
    r.grants[0].status = "revoked".into();
    r.shares[0].withdrawn_at = Some(now());
    let b = build(&r, Uuid::new_v4());
    assert!(
        resources(&b, "Consent")
            .iter()
            .all(|c| c["status"] == "inactive")
    );
    r.grants[0].status = "invited".into();
    let b = build(&r, Uuid::new_v4());
    assert!(
        resources(&b, "Consent")
            .iter()
            .any(|c| c["status"] == "proposed")
    );
}

#[test]
fn ids_without_a_row_are_the_same_every_time_for_the_same_person_and_differ_between_people() {
    let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
    assert_eq!(derived(a, "careplan"), derived(a, "careplan"));
    assert_ne!(derived(a, "careplan"), derived(b, "careplan"));
    assert_ne!(derived(a, "careplan"), derived(a, "condition:copd"));
    let (r, _) = record();
    let one_way = build(&r, Uuid::new_v4());
    let again = build(&r, Uuid::new_v4());
    assert_eq!(
        one_way["entry"], again["entry"],
        "the same record gives the same resources"
    );
}

#[test]
fn the_read_api_answers_fhir_json_or_json_and_nothing_else() {
    assert_eq!(
        negotiate(None),
        Some("application/fhir+json; charset=utf-8")
    );
    assert_eq!(
        negotiate(Some("application/fhir+json")),
        Some("application/fhir+json; charset=utf-8")
    );
    assert_eq!(
        negotiate(Some("application/json")),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        negotiate(Some("application/fhir+json; fhirVersion=4.0")),
        Some("application/fhir+json; charset=utf-8")
    );
    assert_eq!(
        negotiate(Some("text/html, */*;q=0.1")),
        Some("application/fhir+json; charset=utf-8")
    );
    assert_eq!(
        negotiate(Some("application/json;q=0.9, application/fhir+json")),
        Some("application/fhir+json; charset=utf-8")
    );
    assert_eq!(negotiate(Some("application/fhir+xml")), None);
    assert_eq!(negotiate(Some("text/html")), None);
    assert_eq!(negotiate(Some("application/json;q=0")), None);
}
