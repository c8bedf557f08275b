//! A person's record, as loaded, turned into a FHIR R4 Bundle: pure, so every mapping is tested
//! here. Every resource has a `urn:uuid:` full URL and every reference points at one of them, so
//! the Bundle stands on its own; every coding names its system. Ids come from our own rows where
//! there is one (the person, goals, results, grants, organisations, accounts), and are derived
//! from the person's id where there is not (conditions, the plan, its documents), so the same
//! record exported twice gives the same ids.
use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde_json::{Map, Value, json};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use crate::entities::{
    about_me, carer_grant, contingency, contingency_contact, goal, observation, organisation,
    patient, plan, plan_action, share_consent, support_item,
};
use crate::plan::input::{
    ABOUT_ME_FIELDS, ACTION_STATUSES, CONTINGENCY_FIELDS, SUPPORT_STATUSES, label_of,
};

pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const ODS_SYSTEM: &str = "https://fhir.nhs.uk/Id/ods-organization-code";
pub const SNOMED: &str = "http://snomed.info/sct";
pub const LOINC: &str = "http://loinc.org";
pub const UCUM: &str = "http://unitsofmeasure.org";
const TERMINOLOGY: &str = "http://terminology.hl7.org/CodeSystem/";

/// A UK Core profile's canonical URL.
pub fn uk_core(profile: &str) -> String {
    format!("https://fhir.hl7.org.uk/StructureDefinition/UKCore-{profile}")
}

/// One day an action was logged.
#[derive(Clone, Debug, PartialEq)]
pub struct Log {
    pub action_id: Uuid,
    pub day: NaiveDate,
    /// `done`, `partly` or `not_today`.
    pub outcome: String,
    pub note: Option<String>,
}

/// Everything the export says about one person, loaded through the access layer.
#[derive(Clone, Debug)]
pub struct Record {
    /// When the export was taken (the Bundle's timestamp).
    pub now: DateTime<Utc>,
    pub patient: patient::Model,
    pub practice: organisation::Model,
    /// The person's condition codes (`plan::CONDITIONS`).
    pub conditions: Vec<String>,
    pub plan: Option<plan::Model>,
    pub about_me: Option<about_me::Model>,
    pub goals: Vec<goal::Model>,
    pub actions: Vec<plan_action::Model>,
    pub logs: Vec<Log>,
    pub contingency: Option<contingency::Model>,
    pub contacts: Vec<contingency_contact::Model>,
    pub support: Vec<support_item::Model>,
    /// Only results the reader may see (see `service`); rows withdrawn by the lab are skipped
    /// here too.
    pub observations: Vec<observation::Model>,
    pub shares: Vec<share_consent::Model>,
    pub grants: Vec<carer_grant::Model>,
    /// The organisations consents name (besides the practice).
    pub organisations: Vec<organisation::Model>,
    /// Display names of the accounts the record names: who agreed the plan, carers, who
    /// granted access.
    pub names: HashMap<Uuid, String>,
}

/// SNOMED CT concepts for the conditions Alongside knows (`plan::CONDITIONS`), with their
/// preferred terms.
pub const CONDITION_CODES: [(&str, &str, &str); 8] = [
    ("type2_diabetes", "44054006", "Type 2 diabetes mellitus"),
    ("type1_diabetes", "46635009", "Type 1 diabetes mellitus"),
    ("hypertension", "38341003", "Hypertensive disorder"),
    ("copd", "13645005", "Chronic obstructive lung disease"),
    ("asthma", "195967001", "Asthma"),
    ("ckd", "709044004", "Chronic kidney disease"),
    ("heart_failure", "84114007", "Heart failure"),
    (
        "coronary_heart_disease",
        "53741008",
        "Coronary arteriosclerosis",
    ),
];

pub fn urn(id: Uuid) -> String {
    format!("urn:uuid:{id}")
}

pub fn reference(id: Uuid) -> Value {
    json!({ "reference": urn(id) })
}

/// An id for something with no row of its own, the same every time for this person: the
/// first 16 bytes of a SHA-256 of the person's id and what it is, as a version 8 UUID.
pub fn derived(patient: Uuid, what: &str) -> Uuid {
    let mut hash = Sha256::new();
    hash.update(patient.as_bytes());
    hash.update(what.as_bytes());
    let digest = hash.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

pub fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

pub fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({ "system": system, "code": code, "display": display })
}

/// A CodeableConcept from HL7's own terminology (`http://terminology.hl7.org/CodeSystem/<set>`).
pub(super) fn hl7_concept(set: &str, code: &str, display: &str) -> Value {
    json!({ "coding": [coding(&format!("{TERMINOLOGY}{set}"), code, display)] })
}

pub(super) fn meta(profile: &str) -> Value {
    json!({ "profile": [uk_core(profile)] })
}

pub(super) fn text(words: &str) -> Value {
    json!({ "text": words })
}

/// The resources, in order, each with its full URL.
pub(super) struct Entries(pub(super) Vec<Value>);

impl Entries {
    pub(super) fn push(&mut self, id: Uuid, mut resource: Value) {
        if let Some(object) = resource.as_object_mut() {
            object.insert("id".into(), Value::String(id.to_string()));
        }
        self.0
            .push(json!({ "fullUrl": urn(id), "resource": resource }));
    }
}

/// The Bundle for this record. `bundle_id` names this copy (a fresh one per export).
pub fn build(r: &Record, bundle_id: Uuid) -> Value {
    let p = &r.patient;
    let person = p.id;
    let mut out = Entries(Vec::new());
    out.push(person, patient(r));
    out.push(r.practice.id, organisation(&r.practice));

    let conditions: BTreeMap<&str, Uuid> = r
        .conditions
        .iter()
        .map(|c| (c.as_str(), derived(person, &format!("condition:{c}"))))
        .collect();
    let about = r.about_me.as_ref().and_then(|a| about_document(r, a));
    let contingency = contingency_document(r);
    let support = support_document(r);
    let documents: Vec<(Uuid, Value)> = [
        about.map(|d| (derived(person, "document:about-me"), d)),
        contingency.map(|d| (derived(person, "document:contingency"), d)),
        support.map(|d| (derived(person, "document:support"), d)),
    ]
    .into_iter()
    .flatten()
    .collect();

    let mut practitioners: Vec<Uuid> = Vec::new();
    let mut practitioner = |account: Uuid| {
        if !practitioners.contains(&account) {
            practitioners.push(account);
        }
        reference(account)
    };
    let author = match r.plan.as_ref().and_then(|pl| pl.agreed_by) {
        Some(account) => practitioner(account),
        None => reference(person),
    };
    out.push(
        derived(person, "careplan"),
        care_plan(r, &conditions, &documents, author),
    );
    for (code, id) in &conditions {
        out.push(*id, condition(person, code));
    }
    for g in &r.goals {
        out.push(g.id, goal_resource(person, g, &conditions));
    }
    for (id, document) in documents {
        out.push(id, document);
    }
    let performers = super::observations::add(&mut out, r);

    // Carers: who they are, and the consent that lets them in.
    for g in &r.grants {
        out.push(g.id, related_person(r, g));
        let granted_by = if g.granted_by_kind == "professional" {
            practitioner(g.granted_by)
        } else {
            reference(person)
        };
        out.push(
            derived(person, &format!("consent:grant:{}", g.id)),
            carer_consent(r, g, granted_by),
        );
    }
    // Organisations the person shares their record with (each named below, so a consent
    // whose organisation was not loaded is left out rather than pointing nowhere).
    for s in r
        .shares
        .iter()
        .filter(|s| r.organisations.iter().any(|o| o.id == s.organisation_id))
    {
        let given_by = if Some(s.granted_by) == p.account_id {
            reference(person)
        } else {
            practitioner(s.granted_by)
        };
        out.push(
            derived(person, &format!("consent:share:{}", s.id)),
            sharing_consent(r, s, given_by),
        );
    }
    for account in practitioners {
        let name = r.names.get(&account).cloned().unwrap_or_default();
        out.push(account, practitioner_resource(&name));
    }
    let mut named: Vec<Uuid> = vec![r.practice.id];
    for o in &r.organisations {
        let used = r.shares.iter().any(|s| s.organisation_id == o.id);
        if used && !named.contains(&o.id) {
            named.push(o.id);
            out.push(o.id, organisation(o));
        }
    }
    for (name, id) in performers {
        out.push(
            id,
            json!({ "resourceType": "Organization", "meta": meta("Organization"), "name": name }),
        );
    }

    json!({
        "resourceType": "Bundle",
        "id": bundle_id.to_string(),
        "meta": { "lastUpdated": instant(r.now) },
        "identifier": { "system": "urn:ietf:rfc:3986", "value": urn(bundle_id) },
        "type": "collection",
        "timestamp": instant(r.now),
        "entry": out.0,
    })
}

fn patient(r: &Record) -> Value {
    let p = &r.patient;
    let mut telecom = Vec::new();
    if let Some(phone) = p.phone.as_deref().filter(|s| !s.trim().is_empty()) {
        telecom.push(json!({ "system": "phone", "value": phone }));
    }
    if let Some(email) = p.email.as_deref().filter(|s| !s.trim().is_empty()) {
        telecom.push(json!({ "system": "email", "value": email }));
    }
    let mut out = json!({
        "resourceType": "Patient",
        "meta": meta("Patient"),
        "identifier": [{ "system": NHS_NUMBER_SYSTEM, "value": p.nhs_number }],
        "name": [{
            "use": "official",
            "family": p.family_name,
            "given": [p.given_name],
            "text": format!("{} {}", p.given_name, p.family_name),
        }],
        "birthDate": date(p.date_of_birth),
        "generalPractitioner": [reference(r.practice.id)],
        "managingOrganization": reference(r.practice.id),
    });
    if !telecom.is_empty() {
        out["telecom"] = Value::Array(telecom);
    }
    out
}

fn organisation(o: &organisation::Model) -> Value {
    let mut out = json!({
        "resourceType": "Organization",
        "meta": meta("Organization"),
        "active": true,
        "name": o.name,
    });
    if let Some(ods) = o.ods_code.as_deref().filter(|s| !s.trim().is_empty()) {
        out["identifier"] = json!([{ "system": ODS_SYSTEM, "value": ods }]);
    }
    out
}

fn practitioner_resource(name: &str) -> Value {
    let mut out = json!({
        "resourceType": "Practitioner",
        "meta": meta("Practitioner"),
        "active": true,
    });
    if !name.trim().is_empty() {
        out["name"] = json!([{ "text": name }]);
    }
    out
}

/// The PRSB care and support plan as a UK Core CarePlan.
fn care_plan(
    r: &Record,
    conditions: &BTreeMap<&str, Uuid>,
    documents: &[(Uuid, Value)],
    author: Value,
) -> Value {
    let person = r.patient.id;
    let plan = r.plan.as_ref();
    let agreed = plan.and_then(|pl| pl.agreed_at);
    let mut period = Map::new();
    if let Some(at) = agreed {
        period.insert("start".into(), Value::String(instant(at)));
    }
    if let Some(due) = plan.and_then(|pl| pl.review_date) {
        period.insert("end".into(), Value::String(date(due)));
    }
    let mut notes = Vec::new();
    if let Some(pl) = plan {
        match (pl.agreed_with.as_deref(), pl.representative.as_deref()) {
            (Some("representative"), Some(who)) => {
                notes.push(format!("Agreed with the person's representative: {who}."))
            }
            (Some(_), _) => notes.push("Agreed with the person.".to_owned()),
            _ => {}
        }
        if let Some(by) = pl.written_by.as_deref().filter(|s| !s.is_empty()) {
            notes.push(format!("Written by {by}."));
        }
        if let Some(with) = pl.review_with.as_deref().filter(|s| !s.is_empty()) {
            notes.push(format!("Next review with {with}."));
        }
    }
    let mut out = json!({
        "resourceType": "CarePlan",
        "meta": meta("CarePlan"),
        // Agreed in a care and support planning conversation: in force. Until then the person
        // (and their team) are still writing it.
        "status": if agreed.is_some() { "active" } else { "draft" },
        "intent": "plan",
        "title": "Personalised care and support plan",
        "description": format!(
            "{} {}'s care and support plan, in their own words: what matters to them, their goals and actions, what to do if things get worse, and the support they use.",
            r.patient.given_name, r.patient.family_name
        ),
        "subject": reference(person),
        "author": author.clone(),
        "contributor": if author == reference(person) { vec![author] } else { vec![reference(person), author] },
        "addresses": conditions.values().map(|id| reference(*id)).collect::<Vec<_>>(),
        "supportingInfo": documents.iter().map(|(id, _)| reference(*id)).collect::<Vec<_>>(),
        "goal": r.goals.iter().map(|g| reference(g.id)).collect::<Vec<_>>(),
        "activity": r.actions.iter().map(|a| activity(r, a)).collect::<Vec<_>>(),
    });
    if let Some(at) = agreed {
        out["created"] = Value::String(instant(at));
    }
    if !period.is_empty() {
        out["period"] = Value::Object(period);
    }
    if !notes.is_empty() {
        out["note"] = notes.iter().map(|n| text(n)).collect();
    }
    // FHIR forbids empty arrays: leave out what the plan has none of.
    if let Some(object) = out.as_object_mut() {
        object.retain(|_, v| v.as_array().is_none_or(|a| !a.is_empty()));
    }
    out
}

/// One action of the plan as a CarePlan activity.
///
/// Why `CarePlan.activity.detail` rather than a `ServiceRequest` or a `Task`: these are the
/// person's own self-management actions ("walk to the corner shop, 3 times a week"), chosen by
/// them and logged by them, not orders one professional gives another to fulfil. A
/// ServiceRequest is a request for a service and a Task a piece of work someone is asked to do;
/// either would turn the person's intentions into the care team's orders. The inline detail
/// keeps each action inside the plan that owns it, with its goal, its schedule and its status.
fn activity(r: &Record, a: &plan_action::Model) -> Value {
    let person = r.patient.id;
    let mut repeat = Map::new();
    match a.frequency.as_str() {
        "weekly" => {
            repeat.insert(
                "frequency".into(),
                json!(a.times_per_week.unwrap_or(1).max(1)),
            );
            repeat.insert("period".into(), json!(1));
            repeat.insert("periodUnit".into(), json!("wk"));
        }
        "weekdays" => {
            let days: Vec<&str> = a.weekdays.split_whitespace().collect();
            repeat.insert("dayOfWeek".into(), json!(days));
            repeat.insert("frequency".into(), json!(1));
            repeat.insert("period".into(), json!(1));
            repeat.insert("periodUnit".into(), json!("d"));
        }
        "once" => {
            repeat.insert("count".into(), json!(1));
        }
        _ => {
            repeat.insert("frequency".into(), json!(1));
            repeat.insert("period".into(), json!(1));
            repeat.insert("periodUnit".into(), json!("d"));
        }
    }
    let mut bounds = json!({ "start": date(a.starts_on) });
    if let Some(due) = a.due_by {
        bounds["end"] = Value::String(date(due));
    }
    repeat.insert("boundsPeriod".into(), bounds);
    let when = match a.time_of_day.as_str() {
        "morning" => Some("MORN"),
        "afternoon" => Some("AFT"),
        "evening" => Some("EVE"),
        _ => None,
    };
    if let Some(when) = when {
        repeat.insert("when".into(), json!([when]));
    }
    let mine: Vec<&Log> = r.logs.iter().filter(|l| l.action_id == a.id).collect();
    let status = match a.status.as_str() {
        "done" => "completed",
        // Not doing it: stopped once begun, cancelled if it never was.
        "not_doing" if mine.is_empty() => "cancelled",
        "not_doing" => "stopped",
        _ => "in-progress",
    };
    let who = match a.who_kind.as_str() {
        "carer" => format!(" Done by {} (carer).", a.who_name),
        "professional" => format!(" Done by {} (care team).", a.who_name),
        _ => String::new(),
    };
    let mut detail = json!({
        "status": status,
        "description": format!("{}.{who}", a.what.trim_end_matches('.')),
        "goal": [reference(a.goal_id)],
        "scheduledTiming": { "repeat": Value::Object(repeat) },
    });
    if a.who_kind == "me" {
        detail["performer"] = json!([reference(person)]);
    }
    if a.status == "not_doing" {
        detail["statusReason"] = text(label_of(&ACTION_STATUSES, &a.status));
    }
    let mut progress = vec![text(&log_summary(a, &mine))];
    for l in &mine {
        if let Some(note) = l.note.as_deref().filter(|n| !n.trim().is_empty()) {
            progress.push(json!({ "time": date(l.day), "text": note }));
        }
    }
    json!({ "progress": progress, "detail": detail })
}

/// "Confidence 8 out of 10. Logged on 120 days from 2025-03-03 to 2026-12-02: done 100,
/// partly 12, not today 8."
fn log_summary(a: &plan_action::Model, logs: &[&Log]) -> String {
    let confidence = format!("Confidence {} out of 10.", a.confidence);
    let (Some(first), Some(last)) = (
        logs.iter().map(|l| l.day).min(),
        logs.iter().map(|l| l.day).max(),
    ) else {
        return format!("{confidence} Not logged yet.");
    };
    let count = |o: &str| logs.iter().filter(|l| l.outcome == o).count();
    format!(
        "{confidence} Logged on {} days from {} to {}: done {}, partly {}, not today {}.",
        logs.len(),
        date(first),
        date(last),
        count("done"),
        count("partly"),
        count("not_today"),
    )
}

fn condition(person: Uuid, code: &str) -> Value {
    let name = crate::plan::condition_name(code);
    let concept = match CONDITION_CODES.iter().find(|(c, _, _)| *c == code) {
        Some((_, snomed, term)) => {
            json!({ "coding": [coding(SNOMED, snomed, term)], "text": name })
        }
        None => text(&name),
    };
    json!({
        "resourceType": "Condition",
        "meta": meta("Condition"),
        "clinicalStatus": hl7_concept("condition-clinical", "active", "Active"),
        "verificationStatus": hl7_concept("condition-ver-status", "confirmed", "Confirmed"),
        "category": [hl7_concept("condition-category", "problem-list-item", "Problem List Item")],
        "code": concept,
        "subject": reference(person),
    })
}

/// FHIR's goal lifecycle, and how the goal is going, from the goal's status.
pub fn goal_statuses(status: &str) -> (&'static str, Option<(&'static str, &'static str)>) {
    match status {
        "in_progress" => ("active", Some(("in-progress", "In Progress"))),
        "achieved" => ("completed", Some(("achieved", "Achieved"))),
        "stopped" => ("cancelled", Some(("not-achieved", "Not Achieved"))),
        // Not started: planned, and nothing yet to say about how it is going.
        _ => ("planned", None),
    }
}

/// Importance 1–10, as FHIR's three priorities.
pub fn goal_priority(importance: i32) -> (&'static str, &'static str) {
    match importance {
        8.. => ("high-priority", "High Priority"),
        4..=7 => ("medium-priority", "Medium Priority"),
        _ => ("low-priority", "Low Priority"),
    }
}

/// A goal. Base R4: UK Core has no Goal profile.
fn goal_resource(person: Uuid, g: &goal::Model, conditions: &BTreeMap<&str, Uuid>) -> Value {
    let (lifecycle, achievement) = goal_statuses(&g.status);
    let (priority, priority_display) = goal_priority(g.importance);
    let mut priority = hl7_concept("goal-priority", priority, priority_display);
    priority["text"] = Value::String(format!("Importance {} out of 10", g.importance));
    let mut out = json!({
        "resourceType": "Goal",
        "lifecycleStatus": lifecycle,
        "priority": priority,
        "description": text(&g.title),
        "subject": reference(person),
        "expressedBy": reference(person),
        "startDate": date(g.created_at.date_naive()),
    });
    if let Some((code, display)) = achievement {
        out["achievementStatus"] = hl7_concept("goal-achievement", code, display);
    }
    if let Some(due) = g.target_date {
        out["target"] = json!([{ "dueDate": date(due) }]);
    }
    let addresses: Vec<Value> = g
        .conditions
        .split_whitespace()
        .filter_map(|c| conditions.get(c).map(|id| reference(*id)))
        .collect();
    if !addresses.is_empty() {
        out["addresses"] = Value::Array(addresses);
    }
    let notes: Vec<Value> = [
        ("Why it matters", g.why.as_str()),
        ("How I will know I have got there", g.success.as_str()),
    ]
    .iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(label, v)| text(&format!("{label}: {v}")))
    .collect();
    if !notes.is_empty() {
        out["note"] = Value::Array(notes);
    }
    out
}

/// A section of the plan as a UK Core DocumentReference: the person's words, as plain text.
///
/// Why a DocumentReference: "about me", the contingency plan and the support list are free
/// text the person wrote, under the PRSB standard's headings. FHIR has no resource for them
/// (they are not observations about the person's body, and a `Basic` needs extensions no other
/// system would know); a DocumentReference holds a document of any kind, validates as plain
/// R4, has a UK Core profile, and every system can show text.
fn document(r: &Record, title: &str, lines: &[(String, String)]) -> Option<Value> {
    let body: String = lines
        .iter()
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(label, v)| format!("{label}:\n{}\n\n", v.trim()))
        .collect();
    if body.is_empty() {
        return None;
    }
    let data = base64::engine::general_purpose::STANDARD.encode(body.trim_end());
    Some(json!({
        "resourceType": "DocumentReference",
        "meta": meta("DocumentReference"),
        "status": "current",
        "type": text(title),
        "subject": reference(r.patient.id),
        "author": [reference(r.patient.id)],
        "description": title,
        "content": [{
            "attachment": {
                "contentType": "text/plain; charset=utf-8",
                "language": "en-GB",
                "data": data,
                "title": title,
            }
        }],
    }))
}

fn about_document(r: &Record, a: &about_me::Model) -> Option<Value> {
    let values = [
        &a.what_matters,
        &a.important_people,
        &a.communication,
        &a.please_do,
        &a.please_dont,
        &a.support_how_when,
        &a.also_worth_knowing,
        &a.supported_by,
    ];
    let lines: Vec<(String, String)> = ABOUT_ME_FIELDS
        .iter()
        .zip(values)
        .map(|((_, label, _), v)| ((*label).to_owned(), v.clone()))
        .collect();
    document(r, "About me", &lines)
}

fn contingency_document(r: &Record) -> Option<Value> {
    let mut lines: Vec<(String, String)> = Vec::new();
    if let Some(c) = &r.contingency {
        let values = [&c.warning_signs, &c.what_to_do, &c.coping, &c.anticipatory];
        lines.extend(
            CONTINGENCY_FIELDS
                .iter()
                .zip(values)
                .map(|((_, label, _), v)| ((*label).to_owned(), v.clone())),
        );
    }
    let contacts: Vec<String> = r
        .contacts
        .iter()
        .map(|c| {
            [c.name.as_str(), c.role.as_str(), c.phone.as_str()]
                .iter()
                .filter(|s| !s.trim().is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(", ")
        })
        .collect();
    lines.push(("Who to contact".to_owned(), contacts.join("\n")));
    document(
        r,
        "Contingency plan: what to do if things get worse",
        &lines,
    )
}

fn support_document(r: &Record) -> Option<Value> {
    let goal_title = |id: Option<Uuid>| {
        id.and_then(|id| r.goals.iter().find(|g| g.id == id))
            .map(|g| g.title.clone())
    };
    let lines: Vec<(String, String)> = r
        .support
        .iter()
        .map(|s| {
            let mut parts = Vec::new();
            if !s.why.trim().is_empty() {
                parts.push(format!("Why: {}", s.why.trim()));
            }
            if !s.contact.trim().is_empty() {
                parts.push(format!("Contact: {}", s.contact.trim()));
            }
            if let Some(goal) = goal_title(s.goal_id) {
                parts.push(format!("For the goal: {goal}"));
            }
            parts.push(format!(
                "How it is going: {}",
                label_of(&SUPPORT_STATUSES, &s.status)
            ));
            (s.name.clone(), parts.join("\n"))
        })
        .collect();
    document(r, "Support and signposting", &lines)
}

fn related_person(r: &Record, g: &carer_grant::Model) -> Value {
    let mut out = json!({
        "resourceType": "RelatedPerson",
        "meta": meta("RelatedPerson"),
        "active": g.status == crate::access::GrantStatus::Active.code(),
        "patient": reference(r.patient.id),
        "relationship": [text(&g.relationship)],
    });
    if let Some(name) = r.names.get(&g.carer_account_id).filter(|n| !n.is_empty()) {
        out["name"] = json!([{ "text": name }]);
    }
    out
}

/// A consent's status from a grant's: invited is proposed, stopped is inactive.
fn grant_consent_status(g: &carer_grant::Model, today: NaiveDate) -> &'static str {
    use crate::access::GrantStatus;
    match GrantStatus::parse(&g.status) {
        Some(GrantStatus::Invited) => "proposed",
        Some(GrantStatus::Active) if crate::access::grant_works_on(g, today) => "active",
        _ => "inactive",
    }
}

fn consent_base(r: &Record, status: &str, category: &str, at: DateTime<Utc>) -> Value {
    json!({
        "resourceType": "Consent",
        "meta": meta("Consent"),
        "status": status,
        "scope": hl7_concept("consentscope", "patient-privacy", "Privacy Consent"),
        "category": [{ "coding": [{ "system": LOINC, "code": "59284-0" }], "text": category }],
        "patient": reference(r.patient.id),
        "dateTime": instant(at),
        "organization": [reference(r.practice.id)],
    })
}

fn opt_in(words: &str) -> Value {
    let mut rule = hl7_concept("v3-ActCode", "OPTIN", "opt-in");
    rule["text"] = Value::String(words.to_owned());
    rule
}

fn recipient(who: Value) -> Value {
    json!({
        "role": hl7_concept("v3-ParticipationType", "IRCP", "information recipient"),
        "reference": who,
    })
}

fn consent_action(code: &str, display: &str) -> Value {
    hl7_concept("consentaction", code, display)
}

/// A carer's grant: who may see and do what, from when to when, and on what basis.
fn carer_consent(r: &Record, g: &carer_grant::Model, granted_by: Value) -> Value {
    use crate::access::Scope;
    let today = crate::clock::today_in(&r.patient.time_zone, r.now);
    let mut out = consent_base(
        r,
        grant_consent_status(g, today),
        "A carer's access to the plan",
        g.created_at,
    );
    out["performer"] = json!([granted_by]);
    let basis = g.legal_basis.as_deref().unwrap_or("consent");
    let basis_words = crate::carers::LEGAL_BASES
        .iter()
        .find(|(c, _)| *c == basis)
        .map_or("The person's own consent", |(_, w)| *w);
    // The person opting in is OPTIN; another legal basis is said in words.
    out["policyRule"] = if basis == "consent" {
        opt_in(basis_words)
    } else {
        text(basis_words)
    };
    let scopes = Scope::parse_all(&g.scopes);
    let mut actions = vec![consent_action("access", "Access")];
    if scopes.iter().any(|s| {
        matches!(
            s,
            Scope::ChangePlan | Scope::LogActions | Scope::AnswerAgenda
        )
    }) {
        actions.push(consent_action("correct", "Access and Correct"));
    }
    let mut period = Map::new();
    period.insert(
        "start".into(),
        Value::String(instant(g.activated_at.unwrap_or(g.created_at))),
    );
    match (g.ended_at, g.ends_on) {
        (Some(at), _) => {
            period.insert("end".into(), Value::String(instant(at)));
        }
        (None, Some(day)) => {
            period.insert("end".into(), Value::String(date(day)));
        }
        _ => {}
    }
    let mut provision = json!({
        "type": "permit",
        "period": Value::Object(period),
        "actor": [recipient(reference(g.id))],
        "action": actions,
    });
    if !scopes.is_empty() {
        provision["code"] = scopes.iter().map(|s| text(s.label())).collect();
    }
    out["provision"] = provision;
    out
}

/// The person's consent to share their record with an organisation beyond their practice.
fn sharing_consent(r: &Record, s: &share_consent::Model, given_by: Value) -> Value {
    let status = if s.withdrawn_at.is_some() {
        "inactive"
    } else {
        "active"
    };
    let mut out = consent_base(
        r,
        status,
        "Sharing the record with another organisation",
        s.granted_at,
    );
    out["performer"] = json!([given_by]);
    out["policyRule"] = opt_in("The person's own consent");
    let mut period = json!({ "start": instant(s.granted_at) });
    if let Some(at) = s.withdrawn_at {
        period["end"] = Value::String(instant(at));
    }
    out["provision"] = json!({
        "type": "permit",
        "period": period,
        "actor": [recipient(reference(s.organisation_id))],
        "action": [consent_action("access", "Access")],
    });
    out
}
