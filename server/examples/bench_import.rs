//! The results import benchmark (issue #20): a FHIR Bundle of about 20 MB — 5,000 results for
//! 1,000 people, in the shape NHS pathology messaging sends (a Patient and a Specimen per person,
//! Observations with identifiers, performers, several codings, reference ranges and notes) —
//! uploaded through the real route by a healthcare assistant, on SQLite. Budget: at most 10 s and
//! a peak RSS of at most 200 MB. Then the same file again (nothing changes), and the same file
//! with every HbA1c amended. `make bench-import` runs it in release mode.
//!
//! The server runs in this process, so the peak RSS reported is the whole process's (server,
//! database, and this client holding the file): an upper bound for the server's.
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::clock::{SharedClock, SystemClock};
use app::entities::{account, membership, organisation, patient};
use chrono::{NaiveDate, Utc};
use sea_orm::{EntityTrait as _, Set};
use serde_json::{Value, json};
use tower_sessions::SessionStore as _;
use uuid::Uuid;

const PEOPLE: usize = 1_000;

/// Valid NHS numbers (check digit right), all different.
fn nhs_numbers(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    let mut base = 400_000_000_u32;
    while out.len() < n {
        base += 1;
        let digits: Vec<u32> = base
            .to_string()
            .chars()
            .filter_map(|c| c.to_digit(10))
            .collect();
        if let Some(check) = app::nhs_number::check_digit(&digits) {
            out.push(format!("{base}{check}"));
        }
    }
    out
}

/// Starts the RSS high-water mark again from what is resident now (Linux: writing 5 to
/// `clear_refs` resets `VmHWM`).
fn reset_peak_rss() {
    std::fs::write("/proc/self/clear_refs", "5").ok();
}

/// RSS high-water mark of this process, in MB (Linux).
fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn observation(
    person: usize,
    n: usize,
    status: &str,
    code: (&str, &str, &str, &str),
    value: Value,
) -> Value {
    let (loinc, snomed, display, unit) = code;
    let mut obs = json!({
        "resourceType": "Observation",
        "id": format!("obs-{person}-{n}"),
        "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation-Lab"]},
        "text": {"status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\"><table><tr><th>Test</th><td>{display}</td></tr><tr><th>Specimen</th><td>Blood, venous, collected at the practice by the healthcare assistant</td></tr><tr><th>Status</th><td>{status}</td></tr><tr><th>Laboratory</th><td>Riverside Hospital Pathology, Blood Sciences, accredited to ISO 15189</td></tr><tr><th>Authorised by</th><td>Duty biochemist</td></tr><tr><th>Comment</th><td>Interpret with the clinical picture and any previous results. Reference ranges are for adults and may differ between laboratories; contact the laboratory with any query about this result or its measurement uncertainty.</td></tr></table></div>")},
        "identifier": [{"system": "https://pathology.example-trust.nhs.uk/result-id", "value": format!("R{person:05}-{n}")}],
        "status": status,
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory", "display": "Laboratory"}]}],
        "code": {"coding": [
            {"system": "http://snomed.info/sct", "code": snomed, "display": display},
            {"system": "http://loinc.org", "code": loinc, "display": display}
        ], "text": display},
        "subject": {"reference": format!("urn:uuid:patient-{person}")},
        "specimen": {"reference": format!("urn:uuid:specimen-{person}")},
        "issued": "2026-11-20T14:05:00+00:00",
        "performer": [{"reference": "urn:uuid:lab", "display": "Riverside Hospital Pathology"}],
        "referenceRange": [{"low": {"value": 20, "unit": unit}, "high": {"value": 41, "unit": unit}, "text": "Reference range for adults; interpret with the clinical picture and previous results."}, {"low": {"value": 20, "unit": unit}, "high": {"value": 48, "unit": unit}, "appliesTo": [{"coding": [{"system": "http://snomed.info/sct", "code": "248153007", "display": "Male"}]}], "age": {"low": {"value": 18, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"}}, "text": "Reference range for adult men; the laboratory's handbook lists ranges for other groups and explains how they were derived."}],
        "interpretation": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": "N", "display": "Normal"}]}],
        "method": {"coding": [{"system": "http://snomed.info/sct", "code": "702873001", "display": "Calculation technique"}], "text": "Measured on the laboratory's accredited analyser; see the laboratory's user handbook for the method, its traceability and its measurement uncertainty."},
        "bodySite": {"coding": [{"system": "http://snomed.info/sct", "code": "368208006", "display": "Left upper arm structure"}]},
        "note": [{"text": "Clinical details given on the request: annual review of long-term conditions (diabetes, chronic kidney disease, hypertension); on metformin, ramipril and atorvastatin; no recent acute illness reported. Requested by the practice's healthcare assistant on behalf of the named clinician, as part of the information-gathering appointment before the person's care and support planning review. Copy to the practice's results inbox."}, {"text": "Laboratory comment: this result has been checked against the patient's previous results where available. If the result is unexpected, consider repeating the test before changing treatment. For advice, telephone the duty biochemist on the laboratory's enquiries line, Monday to Friday, 9am to 5pm; out of hours, contact the on-call biochemist through the hospital switchboard."}, {"text": "Sample received in good condition. Result authorised by the duty biochemist. Please repeat in 3 months if clinically indicated, or sooner if symptoms change. Comments: none. Method: IFCC-aligned assay on an accredited analyser; measurement uncertainty available on request from the laboratory."}],
    });
    if let Value::Object(map) = &mut obs {
        for (k, v) in value.as_object().into_iter().flatten() {
            map.insert(k.clone(), v.clone());
        }
    }
    obs
}

fn quantity(value: f64, unit: &str, comparator: Option<&str>) -> Value {
    let mut q =
        json!({"value": value, "unit": unit, "system": "http://unitsofmeasure.org", "code": unit});
    if let Some(c) = comparator {
        q["comparator"] = json!(c);
    }
    json!({"valueQuantity": q})
}

fn bundle(numbers: &[String], hba1c_status: &str, hba1c_shift: f64) -> String {
    // Written out entry by entry, so the benchmark holds the file's text, not a tree of it.
    let mut out = String::from(r#"{"resourceType":"Bundle","type":"collection","entry":["#);
    let mut push = |entry: Value| {
        if !out.ends_with('[') {
            out.push(',');
        }
        out.push_str(&entry.to_string());
    };
    push(json!({"fullUrl": "urn:uuid:lab", "resource": {
        "resourceType": "Organization", "name": "Riverside Hospital Pathology",
        "identifier": [{"system": "https://fhir.nhs.uk/Id/ods-organization-code", "value": "RXX01"}]
    }}));
    for (i, nhs) in numbers.iter().enumerate() {
        push(
            json!({"fullUrl": format!("urn:uuid:patient-{i}"), "resource": {
                "resourceType": "Patient",
                "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": nhs}],
                "name": [{"family": "Bench", "given": [format!("Person{i}")]}],
                "birthDate": "1955-05-05",
                "address": [{"line": ["1 High Street"], "city": "Riverside", "postalCode": "RV1 1AA"}]
            }}),
        );
        push(
            json!({"fullUrl": format!("urn:uuid:specimen-{i}"), "resource": {
                "resourceType": "Specimen",
                "subject": {"reference": format!("urn:uuid:patient-{i}")},
                "type": {"coding": [{"system": "http://snomed.info/sct", "code": "119297000", "display": "Blood specimen"}]},
                "collection": {"collectedDateTime": "2026-11-19T09:30:00+00:00"}
            }}),
        );
        let sway = (i % 17) as f64;
        let rows = [
            observation(
                i,
                1,
                hba1c_status,
                ("4548-4", "1049301000000100", "HbA1c level", "mmol/mol"),
                quantity(48.0 + sway + hba1c_shift, "mmol/mol", None),
            ),
            observation(
                i,
                2,
                "final",
                ("33914-3", "1011481000000105", "eGFR", "mL/min/{1.73_m2}"),
                if i % 3 == 0 {
                    quantity(90.0, "mL/min/{1.73_m2}", Some(">"))
                } else {
                    quantity(55.0 + sway, "mL/min/{1.73_m2}", None)
                },
            ),
            observation(
                i,
                3,
                "final",
                ("2160-0", "1107001000000108", "Serum creatinine", "umol/L"),
                quantity(80.0 + sway, "umol/L", None),
            ),
            observation(
                i,
                4,
                "final",
                (
                    "43396-1",
                    "1006191000000106",
                    "Non-HDL cholesterol",
                    "mmol/L",
                ),
                quantity(3.1 + sway / 10.0, "mmol/L", None),
            ),
            observation(
                i,
                5,
                "final",
                ("9318-7", "1023491000000104", "Urine ACR", "mg/mmol"),
                if i % 2 == 0 {
                    quantity(3.0, "mg/mmol", Some("<"))
                } else {
                    quantity(4.0 + sway, "mg/mmol", None)
                },
            ),
        ];
        for r in rows {
            push(json!({"fullUrl": format!("urn:uuid:{}", Uuid::new_v4()), "resource": r}));
        }
    }
    out.push_str("]}");
    out
}

async fn upload(url: &str, cookie: &str, body: String) -> anyhow::Result<(Duration, Value)> {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::text(body).file_name("results.json"),
    );
    let started = Instant::now();
    let res = reqwest::Client::new()
        .post(url)
        .header("cookie", cookie)
        .header("accept", "application/json")
        .header("origin", "http://localhost:3000")
        .multipart(form)
        .send()
        .await?;
    let status = res.status();
    let text = res.text().await?;
    let took = started.elapsed();
    anyhow::ensure!(
        status.is_success(),
        "import failed: {status} {}",
        text.chars().take(600).collect::<String>()
    );
    Ok((took, serde_json::from_str(&text)?))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("alongside-bench-import-{}", Uuid::new_v4()));
    let config = server::config::Config {
        public_origin: "http://localhost:3000".into(),
        listen: "127.0.0.1:0".into(),
        data_dir: dir.clone(),
        log: "warn".into(),
        // The budget is 10 s; the deadline is not what is measured.
        request_timeout_seconds: 120,
        ..server::config::Config::default()
    };
    let clock: SharedClock = Arc::new(SystemClock);
    let prepared = server::prepare(config.clone(), clock.clone()).await?;
    let db = prepared.state.app.db.clone();
    let now = Utc::now();

    let org = Uuid::new_v4();
    organisation::Entity::insert(organisation::ActiveModel {
        id: Set(org),
        name: Set("Bench Practice".into()),
        kind: Set("gp_practice".into()),
        ods_code: Set(None),
        created_at: Set(now),
        pack_release_days: Set(7),
    })
    .exec(&db)
    .await?;
    let numbers = nhs_numbers(PEOPLE);
    let people: Vec<patient::ActiveModel> = numbers
        .iter()
        .enumerate()
        .map(|(i, nhs)| patient::ActiveModel {
            id: Set(Uuid::new_v4()),
            account_id: Set(None),
            organisation_id: Set(org),
            given_name: Set(format!("Person{i}")),
            family_name: Set("Bench".into()),
            date_of_birth: Set(NaiveDate::from_ymd_opt(1955, 5, 5).unwrap_or_default()),
            nhs_number: Set(nhs.clone()),
            phone: Set(None),
            email: Set(None),
            time_zone: Set("Europe/London".into()),
            created_at: Set(now),
            data_version: sea_orm::ActiveValue::NotSet,
        })
        .collect();
    for chunk in people.chunks(100) {
        patient::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&db)
            .await?;
    }
    let hca = Uuid::new_v4();
    account::Entity::insert(account::ActiveModel {
        id: Set(hca),
        display_name: Set("Healthcare assistant".into()),
        created_at: Set(now),
    })
    .exec(&db)
    .await?;
    membership::Entity::insert(membership::ActiveModel {
        account_id: Set(hca),
        organisation_id: Set(org),
        role: Set("healthcare_assistant".into()),
        created_at: Set(now),
    })
    .exec(&db)
    .await?;
    let store = server::sessions::DbSessionStore::new(
        db.clone(),
        clock.clone(),
        Duration::from_secs(30 * 60),
        Duration::from_secs(12 * 3600),
    );
    let mut record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: [(
            app::session::ACCOUNT_KEY.to_owned(),
            serde_json::to_value(hca)?,
        )]
        .into_iter()
        .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    store.create(&mut record).await?;
    let cookie = format!("alongside={}", record.id);
    let running = server::spawn(prepared).await?;
    let url = format!("http://{}/team/results/import", running.addr);

    let file = bundle(&numbers, "final", 0.0);
    let amended = bundle(&numbers, "amended", 4.0);
    let mb = file.len() as f64 / (1024.0 * 1024.0);
    reset_peak_rss();
    let before = peak_rss_mb();
    println!(
        "Results import benchmark, SQLite, {} CPU cores, started {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        now.format("%Y-%m-%d %H:%M UTC")
    );
    println!(
        "A FHIR Bundle of {mb:.1} MB: {PEOPLE} people, {} results; resident before uploading {before:.0} MB (the server, and both files held by this client)",
        PEOPLE * 5
    );
    println!("| upload | seconds | added | already | corrected | peak RSS MB (whole process) |");
    println!("|---|---|---|---|---|---|");
    for (name, body) in [
        ("first import", file.clone()),
        ("the same file again", file),
        ("every HbA1c amended", amended),
    ] {
        reset_peak_rss();
        let (took, done) = upload(&url, &cookie, body).await?;
        println!(
            "| {name} | {:.2} | {} | {} | {} | {:.0} |",
            took.as_secs_f64(),
            done["added"],
            done["already"],
            done["corrected"],
            peak_rss_mb()
        );
    }
    println!("Budget: at most 10 s for the first import, peak RSS at most 200 MB.");
    running.stop().await;
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
