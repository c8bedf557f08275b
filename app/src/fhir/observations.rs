//! Results as FHIR Observations: the codings the lab sent (else the catalogue's), UCUM units,
//! comparators, the lab's identifier, status, when it was taken and reported, who did it, and a
//! blood pressure as its two components.
use std::collections::BTreeMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::bundle::{
    Entries, LOINC, Record, UCUM, coding, derived, hl7_concept, instant, meta, reference, text,
};
use crate::entities::observation;
use crate::results::catalogue;

const SYSTOLIC: (&str, &str) = ("8480-6", "Systolic blood pressure");
const DIASTOLIC: (&str, &str) = ("8462-4", "Diastolic blood pressure");

/// The UCUM code for a unit as Alongside stores and shows it ("mL/min/1.73m²" is
/// `mL/min/{1.73_m2}`). `None` for a unit with no UCUM form we know, which is then sent as
/// words rather than as a Quantity that would claim to be UCUM.
pub fn ucum(unit: &str) -> Option<&'static str> {
    Some(match unit.trim() {
        "mmol/mol" => "mmol/mol",
        "mmHg" | "mm[Hg]" => "mm[Hg]",
        "mmol/L" => "mmol/L",
        "mL/min/1.73m²" | "mL/min/1.73m2" | "mL/min/{1.73_m2}" => "mL/min/{1.73_m2}",
        "mg/mmol" => "mg/mmol",
        "µmol/L" | "μmol/L" | "umol/L" => "umol/L",
        "kg/m²" | "kg/m2" => "kg/m2",
        "kg" => "kg",
        "cm" => "cm",
        "%" => "%",
        "mg/dL" => "mg/dL",
        "mg/g" => "mg/g",
        "score" | "{score}" => "{score}",
        "grade" | "{grade}" => "{grade}",
        _ => return None,
    })
}

/// FHIR's observation category for each kind of result.
fn category(code: &str) -> Option<(&'static str, &'static str)> {
    Some(match code {
        "hba1c" | "non_hdl_cholesterol" | "egfr" | "urine_acr" | "serum_creatinine" => {
            ("laboratory", "Laboratory")
        }
        "blood_pressure" | "bmi" => ("vital-signs", "Vital Signs"),
        "copd_cat" | "mrc_dyspnoea" => ("survey", "Survey"),
        "foot_risk" | "eye_screening" => ("exam", "Exam"),
        "smoking_status" => ("social-history", "Social History"),
        _ => return None,
    })
}

/// The UK Core profile for each kind of result.
fn profile(code: &str) -> &'static str {
    match code {
        "hba1c" | "non_hdl_cholesterol" | "egfr" | "urine_acr" | "serum_creatinine" => {
            "Observation-Lab"
        }
        "blood_pressure" => "Observation-VitalSigns-BloodPressure",
        "bmi" => "Observation-VitalSigns-BMI",
        _ => "Observation",
    }
}

use crate::results::import::codes::ALONGSIDE_KINDS;

/// The result's codings: as the lab sent them (the `codings` column), each with a system and a
/// code; else the catalogue's codes for its kind.
pub fn codings(o: &observation::Model) -> Vec<Value> {
    let sent: Vec<Value> = o
        .codings
        .as_deref()
        .and_then(|raw| serde_json::from_str::<Vec<Value>>(raw).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|c| {
            let system = c.get("system")?.as_str()?.trim();
            let code = c.get("code")?.as_str()?.trim();
            if system.is_empty() || code.is_empty() {
                return None;
            }
            let mut out = json!({ "system": system, "code": code });
            if let Some(display) = c.get("display").and_then(Value::as_str) {
                out["display"] = Value::String(display.to_owned());
            }
            Some(out)
        })
        .collect();
    if !sent.is_empty() {
        return sent;
    }
    let standard: Vec<Value> = crate::results::import::codes::codes_of(&o.code)
        .map(|c| json!({ "system": c.system, "code": c.code, "display": c.display }))
        .collect();
    if !standard.is_empty() {
        return standard;
    }
    // A kind with no checked standard code (COPD CAT, breathlessness, eye screening, entered by
    // hand or by CSV) is named in Alongside's own code system rather than with a guessed code.
    catalogue::kind(&o.code)
        .map(|k| vec![json!({ "system": ALONGSIDE_KINDS, "code": k.code, "display": k.name })])
        .unwrap_or_default()
}

/// A UCUM Quantity, or `None` when the unit has no UCUM form.
fn quantity(value: f64, unit: &str, comparator: Option<&str>) -> Option<Value> {
    let code = ucum(unit)?;
    let mut q = json!({ "value": value, "unit": unit, "system": UCUM, "code": code });
    if let Some(c) = comparator.filter(|c| matches!(*c, "<" | "<=" | ">=" | ">")) {
        q["comparator"] = Value::String(c.to_owned());
    }
    Some(q)
}

/// Adds the record's results; returns the performing organisations they name (name → id),
/// which the caller adds once each.
pub(super) fn add(out: &mut Entries, r: &Record) -> BTreeMap<String, Uuid> {
    let mut performers: BTreeMap<String, Uuid> = BTreeMap::new();
    for o in r.observations.iter().filter(|o| o.removed_at.is_none()) {
        let performer = match o.performer.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() && name == r.practice.name => Some(r.practice.id),
            Some(name) if !name.is_empty() => Some(
                *performers
                    .entry(name.to_owned())
                    .or_insert_with(|| derived(r.patient.id, &format!("performer:{name}"))),
            ),
            // Entered by hand by the care team: the practice did it.
            _ if o.source == "entered" => Some(r.practice.id),
            _ => None,
        };
        out.push(o.id, observation(r.patient.id, o, performer));
    }
    performers
}

pub fn observation(person: Uuid, o: &observation::Model, performer: Option<Uuid>) -> Value {
    let kind = catalogue::kind(&o.code);
    let unit = o
        .unit
        .clone()
        .filter(|u| !u.is_empty())
        .or_else(|| kind.map(|k| k.unit.to_owned()))
        .unwrap_or_default();
    let status = match o.status.as_str() {
        s @ ("final" | "amended" | "corrected" | "preliminary" | "registered") => s,
        _ => "final",
    };
    let mut code = json!({ "coding": codings(o) });
    if let Some(k) = kind {
        code["text"] = Value::String(k.name.to_owned());
    }
    let mut out = json!({
        "resourceType": "Observation",
        "meta": meta(profile(&o.code)),
        "status": status,
        "code": code,
        "subject": reference(person),
    });
    if let Some((c, display)) = category(&o.code) {
        out["category"] = json!([hl7_concept("observation-category", c, display)]);
    }
    if let Some((system, value)) = o.identifier.as_deref().and_then(|i| i.split_once('|')) {
        out["identifier"] = if system.is_empty() {
            json!([{ "value": value }])
        } else {
            json!([{ "system": system, "value": value }])
        };
    } else if let Some(value) = o.identifier.as_deref().filter(|i| !i.is_empty()) {
        out["identifier"] = json!([{ "value": value }]);
    }
    // Only the report's time was given: it is `issued`, and the taking time is not known.
    if o.dated_by != "reported" {
        out["effectiveDateTime"] = Value::String(instant(o.taken_at));
    }
    match (o.issued, o.dated_by.as_str()) {
        (Some(at), _) => out["issued"] = Value::String(instant(at)),
        (None, "reported") => out["issued"] = Value::String(instant(o.taken_at)),
        _ => {}
    }
    if let Some(id) = performer {
        out["performer"] = json!([reference(id)]);
    }
    let comparator = o.comparator.as_deref();
    match (o.code.as_str(), o.value_num, o.value_num2, &o.value_code) {
        ("blood_pressure", Some(top), Some(bottom), _) => {
            let component = |(loinc, name): (&str, &str), v: f64, cmp: Option<&str>| {
                json!({
                    "code": { "coding": [coding(LOINC, loinc, name)], "text": name },
                    "valueQuantity": quantity(v, "mmHg", cmp),
                })
            };
            out["component"] = json!([
                component(SYSTOLIC, top, comparator),
                component(DIASTOLIC, bottom, None),
            ]);
        }
        (_, Some(v), _, _) => match quantity(v, &unit, comparator) {
            Some(q) => out["valueQuantity"] = q,
            None => {
                let bound = comparator.map(|c| format!("{c} ")).unwrap_or_default();
                out["valueString"] = Value::String(
                    format!("{bound}{} {unit}", catalogue::show(v))
                        .trim()
                        .to_owned(),
                );
            }
        },
        (_, None, _, Some(coded)) => {
            out["valueCodeableConcept"] = text(&catalogue::coded_words(coded));
        }
        _ => {}
    }
    let mut notes = Vec::new();
    if let (Some(value), Some(unit)) = (&o.original_value, &o.original_unit) {
        notes.push(text(&format!(
            "Converted by Alongside from {value} {unit}."
        )));
    }
    if let Some(at) = o.corrected_at {
        notes.push(text(&format!(
            "Corrected by the lab on {}.",
            super::bundle::date(at.date_naive())
        )));
    }
    if !notes.is_empty() {
        out["note"] = Value::Array(notes);
    }
    out
}
