//! FHIR R4 in JSON: a Bundle (a lab's report message, a GP system's export), a single Observation,
//! or NDJSON (one resource a line, as bulk exports give). Resources are read one at a time from
//! the file's text (`RawValue` slices), so a 20 MB file never becomes one tree of values in
//! memory: first the Patients, Specimens, Organizations and Practitioners that Observations point
//! to, then each Observation into a result, a thing left out, or problems.
use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;

use super::codes::{self, Part};
use super::units::{Reading, quantity};
use super::*;

/// The top of a JSON file: enough to tell a Bundle from an Observation, with each entry's
/// resource kept as its text.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "resourceType", borrow, default)]
    resource_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    entry: Option<Vec<RawEntry<'a>>>,
}

#[derive(Deserialize)]
struct RawEntry<'a> {
    #[serde(rename = "fullUrl", default)]
    full_url: Option<String>,
    #[serde(borrow, default)]
    resource: Option<&'a RawValue>,
}

/// What a resource is, read without building its values.
#[derive(Deserialize)]
struct Sniff<'a> {
    #[serde(rename = "resourceType", borrow, default)]
    resource_type: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    id: Option<Cow<'a, str>>,
}

/// One resource of the file, not yet read.
struct Item<'a> {
    /// "Entry 3", "Line 3" or "File".
    place: String,
    /// The entry or line number, to keep problems in file order.
    order: usize,
    full_url: Option<String>,
    raw: &'a RawValue,
}

fn file_problem(message: impl Into<String>) -> Vec<Problem> {
    vec![Problem::at("File", message)]
}

fn json_problem(err: &serde_json::Error) -> String {
    match err.classify() {
        serde_json::error::Category::Data => format!(
            "The file is JSON but not a FHIR resource we can read (the first mistake is at line {}, column {})",
            err.line(),
            err.column()
        ),
        _ => format!(
            "The file is not valid JSON (the first mistake is at line {}, column {})",
            err.line(),
            err.column()
        ),
    }
}

/// A JSON file: a Bundle, one Observation, or NDJSON.
pub(super) fn parse_json(text: &str, now: DateTime<Utc>) -> Result<Parsed, Vec<Problem>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = text.trim_start();
    if start.is_empty() {
        return Err(file_problem("The file is empty"));
    }
    if start.starts_with('[') {
        return Err(file_problem(
            "The file is a JSON list, not a FHIR resource: export a Bundle, an Observation, or NDJSON (one resource a line)",
        ));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let head = Head::deserialize(&mut de).map_err(|err| file_problem(json_problem(&err)))?;
    if let Err(err) = de.end() {
        // More follows the first resource. If the first line is a whole resource on its own,
        // this is NDJSON; otherwise it is a broken file.
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if serde_json::from_str::<IgnoredAny>(first).is_ok() {
            return ndjson(text, now);
        }
        return Err(file_problem(json_problem(&err)));
    }
    match head.resource_type.as_deref() {
        Some("Bundle") => {
            let items = head
                .entry
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .filter_map(|(index, entry)| {
                    Some(Item {
                        place: format!("Entry {}", index + 1),
                        order: index + 1,
                        full_url: entry.full_url,
                        raw: entry.resource?,
                    })
                })
                .collect();
            read_items(
                items,
                Vec::new(),
                false,
                now,
                "The bundle has no observations in it",
            )
        }
        Some("Observation") => {
            let raw = serde_json::from_str::<&RawValue>(text)
                .map_err(|err| file_problem(json_problem(&err)))?;
            let item = Item {
                place: "File".to_owned(),
                order: 0,
                full_url: None,
                raw,
            };
            read_items(vec![item], Vec::new(), false, now, "")
        }
        Some(other) => Err(file_problem(format!(
            "The file is a FHIR {}, not a Bundle or an Observation",
            quote(other)
        ))),
        None => Err(file_problem(
            "The file is not a FHIR resource (it has no resourceType)",
        )),
    }
}

/// NDJSON: each non-blank line one resource, in any order.
fn ndjson(text: &str, now: DateTime<Utc>) -> Result<Parsed, Vec<Problem>> {
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let place = format!("Line {}", index + 1);
        match serde_json::from_str::<&RawValue>(line) {
            Ok(raw) => items.push(Item {
                place,
                order: index + 1,
                full_url: None,
                raw,
            }),
            Err(_) => problems.push((
                index + 1,
                Problem::at(
                    place,
                    "This line is not valid JSON: each line must be one whole FHIR resource",
                ),
            )),
        }
    }
    read_items(
        items,
        problems,
        true,
        now,
        "The file has no observations in it",
    )
}

/// Reads the resources of a file: first what Observations point to, then each Observation.
fn read_items(
    items: Vec<Item<'_>>,
    mut problems: Vec<(usize, Problem)>,
    lines: bool,
    now: DateTime<Utc>,
    no_observations: &str,
) -> Result<Parsed, Vec<Problem>> {
    let mut index = Index::default();
    let mut observations = Vec::new();
    for item in &items {
        let sniff = serde_json::from_str::<Sniff<'_>>(item.raw.get()).ok();
        let (kind, id) = sniff.map(|s| (s.resource_type, s.id)).unwrap_or_default();
        match kind.as_deref() {
            Some("Observation") => observations.push(item),
            Some(kind @ ("Patient" | "Specimen" | "Organization" | "Practitioner")) => {
                if let Ok(resource) = serde_json::from_str::<Value>(item.raw.get()) {
                    index.add(kind, id.as_deref(), item.full_url.as_deref(), &resource);
                }
            }
            // Reports, messages and other records are not results; they are not listed.
            Some(_) => {}
            None if lines => problems.push((
                item.order,
                Problem::at(
                    item.place.clone(),
                    "This line is not a FHIR resource (it has no resourceType)",
                ),
            )),
            None => {}
        }
    }
    if observations.is_empty() && problems.is_empty() {
        return Err(file_problem(no_observations));
    }
    let mut parsed = Parsed::default();
    for item in observations {
        let outcome = match serde_json::from_str::<Value>(item.raw.get()) {
            Ok(obs) => read_observation(&obs, &index, &item.place, now),
            Err(_) => Outcome::Refused(vec![
                "The observation could not be read as JSON values".to_owned(),
            ]),
        };
        match outcome {
            Outcome::Result(incoming) => parsed.results.push(*incoming),
            Outcome::Skipped(skipped) => parsed.skipped.push(skipped),
            Outcome::Refused(messages) => problems.extend(
                messages
                    .into_iter()
                    .map(|m| (item.order, Problem::at(item.place.clone(), m))),
            ),
        }
    }
    if problems.is_empty() {
        Ok(parsed)
    } else {
        problems.sort_by_key(|(order, _)| *order);
        Err(problems.into_iter().map(|(_, p)| p).collect())
    }
}

/// A Patient, as far as results need it.
#[derive(Clone, Debug, Default)]
struct PatientInfo {
    nhs_number: Option<String>,
    claimed: Claimed,
}

impl PatientInfo {
    fn read(patient: &Value) -> Self {
        let names = patient
            .get("name")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let name = names
            .iter()
            .find(|n| n.get("use").and_then(Value::as_str) == Some("official"))
            .or_else(|| names.first());
        Self {
            nhs_number: patient
                .get("identifier")
                .and_then(nhs_identifier)
                .map(str::to_owned),
            claimed: Claimed {
                birth_date: patient
                    .get("birthDate")
                    .and_then(Value::as_str)
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()),
                family_name: name
                    .and_then(|n| n.get("family"))
                    .and_then(Value::as_str)
                    .map(str::trim)
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned),
            },
        }
    }
}

/// When a Specimen was collected, as written.
fn collected(specimen: &Value) -> Option<String> {
    let collection = specimen.get("collection")?;
    collection
        .get("collectedDateTime")
        .or_else(|| collection.get("collectedPeriod")?.get("start"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// An Organization's or Practitioner's name.
fn name_of(resource: &Value) -> Option<String> {
    if let Some(name) = resource.get("name").and_then(Value::as_str) {
        return Some(name.trim().to_owned()).filter(|n| !n.is_empty());
    }
    let human = resource.get("name")?.as_array()?.first()?;
    if let Some(text) = human.get("text").and_then(Value::as_str) {
        return Some(text.trim().to_owned()).filter(|n| !n.is_empty());
    }
    let words: Vec<&str> = ["prefix", "given"]
        .iter()
        .filter_map(|part| human.get(*part)?.as_array())
        .flatten()
        .filter_map(Value::as_str)
        .chain(human.get("family").and_then(Value::as_str))
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

enum Target {
    Patient(usize),
    Specimen(usize),
    Named(usize),
}

/// What the file's Observations may point to, by `fullUrl` and by `Type/id`.
#[derive(Default)]
struct Index {
    patients: Vec<PatientInfo>,
    specimens: Vec<Option<String>>,
    names: Vec<Option<String>>,
    keys: HashMap<String, Target>,
}

impl Index {
    fn add(&mut self, kind: &str, id: Option<&str>, full_url: Option<&str>, resource: &Value) {
        let target = || match kind {
            "Patient" => Target::Patient(self.patients.len()),
            "Specimen" => Target::Specimen(self.specimens.len()),
            _ => Target::Named(self.names.len()),
        };
        let mut keys = Vec::new();
        keys.extend(full_url.map(str::to_owned));
        keys.extend(id.map(|id| format!("{kind}/{id}")));
        for key in keys {
            let target = target();
            self.keys.entry(key).or_insert(target);
        }
        match kind {
            "Patient" => self.patients.push(PatientInfo::read(resource)),
            "Specimen" => self.specimens.push(collected(resource)),
            _ => self.names.push(name_of(resource)),
        }
    }

    fn find(&self, reference: &str) -> Option<&Target> {
        self.keys.get(reference).or_else(|| {
            // An absolute reference ("https://server/fhir/Patient/123") to a resource the file
            // names only by type and id.
            let mut parts = reference.rsplit('/');
            let (id, kind) = (parts.next()?, parts.next()?);
            self.keys.get(&format!("{kind}/{id}"))
        })
    }
}

/// Looks references up in the file and in the Observation's own contained resources.
struct Resolver<'a> {
    index: &'a Index,
    contained: &'a [Value],
}

impl Resolver<'_> {
    fn contained(&self, reference: &str, kind: &str) -> Option<&Value> {
        let id = reference.strip_prefix('#')?;
        self.contained.iter().find(|r| {
            r.get("id").and_then(Value::as_str) == Some(id)
                && r.get("resourceType").and_then(Value::as_str) == Some(kind)
        })
    }

    fn patient(&self, reference: &str) -> Option<PatientInfo> {
        if let Some(found) = self.contained(reference, "Patient") {
            return Some(PatientInfo::read(found));
        }
        match self.index.find(reference)? {
            Target::Patient(i) => self.index.patients.get(*i).cloned(),
            _ => None,
        }
    }

    fn specimen(&self, reference: &str) -> Option<Option<String>> {
        if let Some(found) = self.contained(reference, "Specimen") {
            return Some(collected(found));
        }
        match self.index.find(reference)? {
            Target::Specimen(i) => self.index.specimens.get(*i).cloned(),
            _ => None,
        }
    }

    fn name(&self, reference: &str) -> Option<String> {
        let found = self
            .contained(reference, "Organization")
            .or_else(|| self.contained(reference, "Practitioner"));
        if let Some(found) = found {
            return name_of(found);
        }
        match self.index.find(reference)? {
            Target::Named(i) => self.index.names.get(*i).cloned().flatten(),
            _ => None,
        }
    }
}

/// The NHS number among identifiers: a Patient has a list, a Reference has just one.
pub(super) fn nhs_identifier(identifier: &Value) -> Option<&str> {
    let is_nhs = |i: &&Value| i.get("system").and_then(Value::as_str) == Some(NHS_NUMBER_SYSTEM);
    match identifier {
        Value::Array(list) => list.iter().find(is_nhs),
        single => Some(single).filter(is_nhs),
    }
    .and_then(|i| i.get("value"))
    .and_then(Value::as_str)
}

/// What became of one Observation.
enum Outcome {
    Result(Box<Incoming>),
    Skipped(Skipped),
    Refused(Vec<String>),
}

/// Whether an Observation's status lets it in.
enum Gate {
    Store(Status),
    Skip(&'static str),
    Refuse(String),
}

fn gate(obs: &Value) -> Gate {
    match obs.get("status").and_then(Value::as_str) {
        Some("final") => Gate::Store(Status::Final),
        Some("amended") => Gate::Store(Status::Amended),
        Some("corrected") => Gate::Store(Status::Corrected),
        Some("entered-in-error") => Gate::Store(Status::EnteredInError),
        Some("registered" | "preliminary") => Gate::Skip("not final yet"),
        Some("cancelled") => Gate::Skip("cancelled, so there is no result"),
        Some("unknown") => Gate::Skip("its status is unknown, so it may not be final"),
        Some(other) => Gate::Refuse(format!(
            "The observation's status is {}, which is not a FHIR observation status",
            quote(other)
        )),
        None => Gate::Refuse(
            "The observation has no status; only final, amended or corrected results can be imported"
                .to_owned(),
        ),
    }
}

/// Every coding of a CodeableConcept that has a code, as sent.
fn codings_of(concept: Option<&Value>) -> Vec<Coding> {
    concept
        .and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|c| {
            let text = |field: &str| c.get(field).and_then(Value::as_str).map(str::trim);
            Some(Coding {
                system: text("system").unwrap_or("").to_owned(),
                code: text("code").filter(|code| !code.is_empty())?.to_owned(),
                display: text("display").filter(|d| !d.is_empty()).map(str::to_owned),
            })
        })
        .collect()
}

fn system_name(system: &str) -> &str {
    match system {
        LOINC => "LOINC",
        SNOMED => "SNOMED CT",
        "" => "code",
        other => other,
    }
}

/// A name from a file, printable and short enough for a list: test names run long ("eGFR
/// (estimated glomerular filtration rate) by laboratory calculation"), so the cut is later than
/// `quote`'s.
fn plain(raw: &str) -> String {
    const MOST: usize = 120;
    let raw = raw.trim();
    let mut shown: String = raw
        .chars()
        .take(MOST)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if raw.chars().count() > MOST {
        shown.push('…');
    }
    shown
}

/// What an Observation is, as the file names it: "Lipid panel (LOINC 57698-3)".
fn describe(obs: &Value, codings: &[Coding]) -> String {
    let code = obs.get("code");
    let name = code
        .and_then(|c| c.get("text"))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .or_else(|| codings.iter().find_map(|c| c.display.clone()));
    let first = codings
        .first()
        .map(|c| format!("{} {}", system_name(&c.system), c.code));
    match (name, first) {
        (Some(name), Some(code)) => format!("{} ({})", plain(&name), plain(&code)),
        (Some(name), None) => plain(&name),
        (None, Some(code)) => plain(&code),
        (None, None) => "An observation with no code".to_owned(),
    }
}

fn has_value(obs: &Value) -> bool {
    obs.as_object()
        .is_some_and(|o| o.keys().any(|k| k.starts_with("value") || k == "component"))
}

fn read_observation(obs: &Value, index: &Index, place: &str, now: DateTime<Utc>) -> Outcome {
    let codings = codings_of(obs.get("code"));
    let skip = |why: String| {
        Outcome::Skipped(Skipped {
            place: place.to_owned(),
            what: describe(obs, &codings),
            why,
        })
    };
    let members = obs
        .get("hasMember")
        .and_then(Value::as_array)
        .is_some_and(|m| !m.is_empty());
    if members && !has_value(obs) {
        return skip("a panel that groups other results".to_owned());
    }
    // A standard code from the table, else Alongside's own name for the kind (what another
    // Alongside exports for a kind with no checked standard code).
    let kind = codings
        .iter()
        .find_map(|c| codes::known(&c.system, &c.code).and_then(|k| catalogue::kind(k.kind)))
        .or_else(|| {
            codings
                .iter()
                .find(|c| c.system == codes::ALONGSIDE_KINDS)
                .and_then(|c| catalogue::kind(&c.code))
        });
    let Some(kind) = kind else {
        if codings.is_empty()
            && obs
                .get("code")
                .and_then(|c| c.get("text"))
                .and_then(Value::as_str)
                .is_none()
        {
            return Outcome::Refused(vec![
                "The observation has no code saying which test it is".to_owned(),
            ]);
        }
        return skip("not something Alongside shows".to_owned());
    };
    let status = match gate(obs) {
        Gate::Store(status) => status,
        Gate::Skip(why) => return skip(why.to_owned()),
        Gate::Refuse(message) => return Outcome::Refused(vec![message]),
    };
    let withdrawn = status == Status::EnteredInError;
    if !has_value(obs)
        && !withdrawn
        && let Some(reason) = obs.get("dataAbsentReason")
    {
        let said = reason
            .get("text")
            .and_then(Value::as_str)
            .or_else(|| {
                reason
                    .get("coding")?
                    .as_array()?
                    .iter()
                    .find_map(|c| c.get("display").or_else(|| c.get("code"))?.as_str())
            })
            .map(|s| format!(" (the lab says: {})", plain(s)))
            .unwrap_or_default();
        return skip(format!("it has no result value{said}"));
    }

    let contained = obs
        .get("contained")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let resolver = Resolver { index, contained };
    let mut messages = Vec::new();
    let subject = subject(obs, &resolver).map_err(|m| messages.push(m));
    let value = observation_value(obs, kind);
    // A withdrawn result only needs to say which result it withdraws; its value, if any, is kept
    // for the record but cannot make the file wrong.
    let value = match (value, withdrawn) {
        (Ok(value), _) => Ok(value),
        (Err(_), true) => Ok(ObsValue::default()),
        (Err(message), false) => {
            messages.push(message);
            Err(())
        }
    };
    let issued = issued(obs).map_err(|m| messages.push(m));
    let taken = taken(obs, &resolver, now).map_err(|m| messages.push(m));

    match (subject, value, issued, taken) {
        (Ok((nhs_number, claimed)), Ok(value), Ok(issued), Ok((taken_at, dated_by)))
            if messages.is_empty() =>
        {
            Outcome::Result(Box::new(Incoming {
                place: place.to_owned(),
                nhs_number,
                code: kind.code,
                value_num: value.parts.0,
                value_num2: value.parts.1,
                value_code: value.parts.2,
                unit: (!is_coded(kind)).then(|| kind.unit.to_owned()),
                taken_at,
                dated_by,
                comparator: value.comparator,
                status,
                identifier: identifier(obs),
                issued,
                performer: performer(obs, &resolver),
                codings,
                original: value.original,
                claimed,
            }))
        }
        _ => Outcome::Refused(messages),
    }
}

/// Whose result it is: the NHS number, and what the file says of them besides.
fn subject(obs: &Value, resolver: &Resolver<'_>) -> Result<(String, Claimed), String> {
    let subject = obs.get("subject");
    let direct = subject
        .and_then(|s| s.get("identifier"))
        .and_then(nhs_identifier);
    let reference = subject
        .and_then(|s| s.get("reference"))
        .and_then(Value::as_str);
    let referred = reference.map(|r| {
        resolver.patient(r).ok_or_else(|| {
            format!(
                "The observation refers to the patient {}, which is not in the file",
                quote(r)
            )
        })
    });
    match (direct, referred) {
        (Some(direct), referred) => {
            let direct = valid_nhs_number(direct)?;
            let patient = referred.and_then(Result::ok).unwrap_or_default();
            // Both given and both valid but different: one of them is wrong, and guessing which
            // would file a result in the wrong person's record.
            if let Some(other) = &patient.nhs_number
                && let Ok(other) = valid_nhs_number(other)
                && other != direct
            {
                return Err(format!(
                    "The observation's NHS number ({direct}) and the patient it refers to ({other}) are different people"
                ));
            }
            // A reference that cannot be resolved is fine here: it may point to another server.
            Ok((direct, patient.claimed))
        }
        (None, Some(referred)) => {
            let patient = referred?;
            let number = patient.nhs_number.as_deref().ok_or_else(|| {
                format!(
                    "The patient it refers to has no NHS number (identifier system {NHS_NUMBER_SYSTEM})"
                )
            })?;
            Ok((valid_nhs_number(number)?, patient.claimed))
        }
        (None, None) => Err(format!(
            "The observation does not say whose result it is: it needs a subject with an NHS number ({NHS_NUMBER_SYSTEM}) or a reference to a Patient in the file"
        )),
    }
}

/// When the result was taken: the observation's own time, else its specimen's collection, else
/// (said as "reported on") when the lab issued it.
fn taken(
    obs: &Value,
    resolver: &Resolver<'_>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DatedBy), String> {
    let effective = obs
        .get("effectiveDateTime")
        .or_else(|| obs.get("effectiveInstant"))
        .or_else(|| obs.get("effectivePeriod")?.get("start"))
        .and_then(Value::as_str);
    if let Some(raw) = effective {
        return read_taken(raw, now).map(|at| (at, DatedBy::Taken));
    }
    let specimen = obs
        .get("specimen")
        .and_then(|s| s.get("reference"))
        .and_then(Value::as_str);
    let collected = specimen.and_then(|r| resolver.specimen(r));
    if let Some(Some(raw)) = &collected {
        return read_taken(raw, now).map(|at| (at, DatedBy::Taken));
    }
    if let Some(raw) = obs.get("issued").and_then(Value::as_str) {
        return read_taken(raw, now).map(|at| (at, DatedBy::Reported));
    }
    Err(match (specimen, collected) {
        (Some(reference), None) => format!(
            "The observation has no date (effectiveDateTime or issued), and its specimen {} is not in the file",
            quote(reference)
        ),
        _ => "The observation has no date: it needs effectiveDateTime, effectivePeriod, a specimen with its collection time, or issued".to_owned(),
    })
}

/// When the lab issued the result. Checked only for being a time: a report issued a moment
/// "after" now is a clock difference, not a wrong result.
fn issued(obs: &Value) -> Result<Option<DateTime<Utc>>, String> {
    let Some(raw) = obs.get("issued").and_then(Value::as_str) else {
        return Ok(None);
    };
    match read_when(raw.trim()) {
        Some(When::At(at)) => Ok(Some(at)),
        Some(When::Day(day)) => Ok(Some(day.and_time(NaiveTime::MIN).and_utc())),
        None => Err(format!(
            "The report time (issued) {} is not a date we can read",
            quote(raw)
        )),
    }
}

/// The lab's identifier for the result, `system|value`.
fn identifier(obs: &Value) -> Option<String> {
    obs.get("identifier")?.as_array()?.iter().find_map(|i| {
        let field = |f: &str| {
            i.get(f)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        Some(format!("{}|{}", field("system")?, field("value")?))
    })
}

/// Who did the test: the first performer the file names.
fn performer(obs: &Value, resolver: &Resolver<'_>) -> Option<String> {
    obs.get("performer")?.as_array()?.iter().find_map(|p| {
        p.get("display")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned)
            .or_else(|| resolver.name(p.get("reference")?.as_str()?))
    })
}

/// A value as read from an Observation.
#[derive(Default)]
struct ObsValue {
    parts: ValueParts,
    comparator: Option<Comparator>,
    original: Option<(String, String)>,
}

fn observation_value(obs: &Value, kind: &Kind) -> Result<ObsValue, String> {
    if kind.code == "blood_pressure" {
        return blood_pressure(obs, kind);
    }
    if is_coded(kind) {
        return coded(obs, kind).map(|c| ObsValue {
            parts: (None, None, Some(c.to_owned())),
            ..ObsValue::default()
        });
    }
    let reading = match (obs.get("valueQuantity"), obs.get("valueInteger")) {
        (None, Some(integer)) => {
            let shown = integer.to_string();
            let v = integer.as_f64().ok_or_else(|| not_a_number(kind, &shown))?;
            Reading {
                value: v,
                shown,
                comparator: None,
                original: None,
            }
        }
        (q, _) => quantity(q, kind, "The observation's value")?,
    };
    let checked =
        check_number(kind, reading.value, &reading.shown).map_err(|m| match &reading.original {
            Some((value, unit)) => format!("{m} (converted from {value} {unit})"),
            None => m,
        })?;
    Ok(ObsValue {
        parts: (Some(checked), None, None),
        comparator: reading.comparator,
        original: reading.original,
    })
}

fn blood_pressure(obs: &Value, kind: &Kind) -> Result<ObsValue, String> {
    let components = obs
        .get("component")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let part = |want: Part, name: &str| {
        let component = components
            .iter()
            .find(|c| {
                codings_of(c.get("code"))
                    .iter()
                    .any(|coding| codes::part(&coding.system, &coding.code) == Some(want))
            })
            .ok_or_else(|| {
                let loinc = if want == Part::Systolic {
                    "8480-6"
                } else {
                    "8462-4"
                };
                format!("The blood pressure has no {name} component (LOINC {loinc})")
            })?;
        let what = format!("The {name} value");
        let reading = quantity(component.get("valueQuantity"), kind, &what)?;
        if let Some(c) = reading.comparator {
            return Err(format!(
                "A blood pressure must be two exact numbers, but {} is given as {}",
                what.to_lowercase(),
                quote(&format!("{}{}", c.as_str(), reading.shown))
            ));
        }
        Ok(reading)
    };
    let (sys, dia) = (
        part(Part::Systolic, "systolic"),
        part(Part::Diastolic, "diastolic"),
    );
    let (sys, dia) = match (sys, dia) {
        (Ok(sys), Ok(dia)) => (sys, dia),
        (Err(a), Err(b)) => return Err(format!("{a}; {b}")),
        (Err(m), _) | (_, Err(m)) => return Err(m),
    };
    let (s, d) = check_blood_pressure(sys.value, dia.value, &sys.shown, &dia.shown)?;
    Ok(ObsValue {
        parts: (Some(s), Some(d), None),
        ..ObsValue::default()
    })
}

fn coded(obs: &Value, kind: &Kind) -> Result<&'static str, String> {
    let concept = obs.get("valueCodeableConcept");
    let sent = codings_of(concept);
    let mut typed: Vec<&str> = sent.iter().map(|c| c.code.as_str()).collect();
    typed.extend(sent.iter().filter_map(|c| c.display.as_deref()));
    typed.extend(concept.and_then(|c| c.get("text")).and_then(Value::as_str));
    typed.extend(obs.get("valueString").and_then(Value::as_str));
    let Some(first) = typed.first() else {
        return Err("The observation has no value (valueCodeableConcept)".to_owned());
    };
    typed
        .iter()
        .find_map(|t| coded_value(kind, t))
        .ok_or_else(|| coded_error(kind, first))
}
