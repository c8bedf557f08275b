//! Results coming into Alongside from outside: a CSV file a practice exports, or a FHIR R4 Bundle
//! of Observations from a lab or GP system. This module only reads and checks them — no database,
//! no files, no clock — so every rule about what may enter a person's record can be tested here.
//! Imports are all-or-nothing: one wrong line means nothing is stored, and the nurse gets every
//! problem at once, each in plain English with the line or entry it is on, so the file can be
//! fixed in one go rather than discovered a line at a time.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Europe::London;
use serde_json::Value;

use crate::nhs_number::NhsNumber;
use crate::results::catalogue::{self, KINDS, Kind, show};

/// The identifier system NHS England uses for NHS numbers in FHIR.
pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
const LOINC: &str = "http://loinc.org";
const SNOMED: &str = "http://snomed.info/sct";
const SYSTOLIC_LOINC: &str = "8480-6";
const DIASTOLIC_LOINC: &str = "8462-4";

/// One result ready to store.
#[derive(Clone, Debug, PartialEq)]
pub struct Incoming {
    /// "Line 3" (CSV, counting the header as line 1) or "Entry 2" (FHIR, 1-based entry index).
    pub place: String,
    /// 10 digits, no spaces, check digit valid.
    pub nhs_number: String,
    /// Our catalogue code, e.g. "hba1c".
    pub code: &'static str,
    pub value_num: Option<f64>,
    /// The diastolic number for blood pressure.
    pub value_num2: Option<f64>,
    /// The value of a coded kind, e.g. "low".
    pub value_code: Option<String>,
    /// The catalogue unit for numeric kinds.
    pub unit: Option<String>,
    pub taken_at: DateTime<Utc>,
}

/// Something wrong with one line or entry, said so that a nurse can put it right.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Problem {
    pub place: String,
    pub message: String,
}

impl Problem {
    fn at(place: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            place: place.into(),
            message: message.into(),
        }
    }
}

/// A checked value as it is stored: (`value_num`, `value_num2` for diastolic blood pressure,
/// `value_code` for coded kinds).
pub type ValueParts = (Option<f64>, Option<f64>, Option<String>);

/// The value of a result, typed as a person would ("142/88", "52", "low" or "Low risk"), checked
/// against the kind.
pub fn read_value(code: &str, raw: &str) -> Result<ValueParts, String> {
    let kind = kind_for(code).ok_or_else(|| {
        format!(
            "{} is not a result we know, so its value cannot be checked",
            quote(code)
        )
    })?;
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(format!("The value is missing for {}", mid(kind)));
    }
    if is_coded(kind) {
        return coded_value(kind, raw)
            .map(|c| (None, None, Some(c.to_owned())))
            .ok_or_else(|| coded_error(kind, raw));
    }
    let (number, unit) = split_unit(raw);
    let wrong_unit = !unit.is_empty() && !unit_matches(unit, kind.unit);
    if kind.code == "blood_pressure" {
        let mut halves = number.split('/');
        let (Some(sys), Some(dia), None) = (halves.next(), halves.next(), halves.next()) else {
            return Err(format!(
                "Blood pressure {} must be written as two numbers, like 142/88",
                quote(raw)
            ));
        };
        let (sys, dia) = (sys.trim(), dia.trim());
        let (Some(s), Some(d), false) = (parse_number(sys), parse_number(dia), wrong_unit) else {
            return Err(format!(
                "Blood pressure {} must be written as two numbers in mmHg, like 142/88",
                quote(raw)
            ));
        };
        let (s, d) = check_blood_pressure(s, d, sys, dia)?;
        return Ok((Some(s), Some(d), None));
    }
    let v = parse_number(number).ok_or_else(|| not_a_number(kind, raw))?;
    if wrong_unit {
        // Usually a result in other units, such as HbA1c as a percentage: converting it here
        // would hide a mistake in the file, so the nurse is asked to check it.
        return Err(format!(
            "The {} value {} is not in {}",
            mid(kind),
            quote(raw),
            kind.unit
        ));
    }
    check_number(kind, v, number).map(|v| (Some(v), None, None))
}

/// Which catalogue kind a code means: our own code ("hba1c"), or any LOINC/SNOMED code in the
/// kind's `codes`.
pub fn kind_for(code: &str) -> Option<&'static Kind> {
    let code = code.trim();
    KINDS
        .iter()
        .find(|k| k.code.eq_ignore_ascii_case(code) || k.codes.contains(&code))
}

/// A date (and optional time) as typed: "2026-11-03", "03/11/2026" (UK day first), or RFC 3339.
/// Must not be after `now`, nor more than 20 years before it.
pub fn read_taken(raw: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("The date is missing".to_owned());
    }
    let future = || format!("The date {} is in the future", quote(raw));
    let at = match read_when(raw) {
        Some(When::Day(day)) => {
            // A plain date is a day in the UK, so "today" is judged by the London calendar, not
            // by comparing instants (which would refuse today's date every morning).
            if day > now.with_timezone(&London).date_naive() {
                return Err(future());
            }
            // Midnight UTC falls on the same calendar day in London (UTC or UTC+1) and in UTC, so
            // the date reads back unchanged however it is displayed. Just after midnight in
            // summer it can be minutes ahead of `now`; the result was still taken today.
            day.and_time(NaiveTime::MIN).and_utc().min(now)
        }
        Some(When::At(at)) => {
            if at > now {
                return Err(future());
            }
            at
        }
        None => {
            return Err(format!(
                "The date {} is not a date we can read: write it like 2026-11-03 or 03/11/2026 (day first)",
                quote(raw)
            ));
        }
    };
    let earliest = now
        .checked_sub_months(Months::new(20 * 12))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    if at < earliest {
        return Err(format!(
            "The date {} is more than 20 years ago, so it is unlikely to be right",
            quote(raw)
        ));
    }
    Ok(at)
}

/// A CSV file. All-or-nothing: Ok only when every line is good; otherwise every problem, one or
/// more per bad line.
pub fn parse_csv(text: &str, now: DateTime<Utc>) -> Result<Vec<Incoming>, Vec<Problem>> {
    // Excel saves "CSV UTF-8" with a byte-order mark, which would otherwise stick to the first
    // column's name.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // The csv crate counts a Windows "\r\n" line's "\n" towards the next record's start, so
    // every line after the header would be reported one too early. Plain "\n" keeps the line
    // numbers the nurse sees in their editor.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = csv::ReaderBuilder::new()
        // The header is read as an ordinary record so that its line number and its problems are
        // ours to report.
        .has_headers(false)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            return Err(vec![Problem::at(
                "Line 1",
                format!(
                    "The file is empty: its first line must name the columns {}",
                    REQUIRED_COLUMNS.join(", ")
                ),
            )]);
        }
        Some(Err(err)) => {
            return Err(vec![Problem::at(
                line_place(err.position().map(csv::Position::line)),
                "The first line could not be read as CSV",
            )]);
        }
        Some(Ok(header)) => header,
    };
    let header_place = line_place(header.position().map(csv::Position::line));
    let columns = Columns::find(&header).map_err(|messages| {
        messages
            .into_iter()
            .map(|m| Problem::at(header_place.clone(), m))
            .collect::<Vec<_>>()
    })?;

    let mut results = Vec::new();
    let mut problems = Vec::new();
    let mut rows = 0_usize;
    for record in records {
        match record {
            Ok(record) => {
                // Spreadsheets often save rows of empty cells after the data; they hold nothing
                // to import and nothing to fix.
                if record.iter().all(str::is_empty) {
                    continue;
                }
                rows += 1;
                let place = line_place(record.position().map(csv::Position::line));
                match read_row(&record, &columns, &place, now) {
                    Ok(incoming) => results.push(incoming),
                    Err(messages) => {
                        problems.extend(messages.into_iter().map(|m| Problem::at(place.clone(), m)))
                    }
                }
            }
            Err(err) => {
                rows += 1;
                match err.kind() {
                    csv::ErrorKind::UnequalLengths {
                        pos,
                        expected_len,
                        len,
                    } => problems.push(Problem::at(
                        line_place(pos.as_ref().map(csv::Position::line)),
                        format!(
                            "This line has {len} {} but the first line names {expected_len} columns",
                            if *len == 1 { "value" } else { "values" }
                        ),
                    )),
                    // Reading from a string, nothing else should go wrong; if it does, stop
                    // rather than risk reporting the same place forever.
                    _ => {
                        problems.push(Problem::at(
                            line_place(err.position().map(csv::Position::line)),
                            "The file could not be read from this line on",
                        ));
                        break;
                    }
                }
            }
        }
    }
    if rows == 0 {
        return Err(vec![Problem::at("File", "The file has no results in it")]);
    }
    if problems.is_empty() {
        Ok(results)
    } else {
        Err(problems)
    }
}

/// A FHIR R4 Bundle (JSON) of Observations. Same all-or-nothing rule.
pub fn parse_fhir_bundle(json: &str, now: DateTime<Utc>) -> Result<Vec<Incoming>, Vec<Problem>> {
    let json = json.strip_prefix('\u{feff}').unwrap_or(json);
    if json.trim().is_empty() {
        return Err(vec![Problem::at("File", "The file is empty")]);
    }
    let bundle: Value = serde_json::from_str(json).map_err(|err| {
        vec![Problem::at(
            "File",
            format!(
                "The file is not valid JSON (the first mistake is at line {}, column {})",
                err.line(),
                err.column()
            ),
        )]
    })?;
    match bundle.get("resourceType").and_then(Value::as_str) {
        Some("Bundle") => {}
        Some(other) => {
            return Err(vec![Problem::at(
                "File",
                format!(
                    "The file is a FHIR {}, not a Bundle of observations",
                    quote(other)
                ),
            )]);
        }
        None => {
            return Err(vec![Problem::at(
                "File",
                "The file is not a FHIR Bundle (it has no resourceType of Bundle)",
            )]);
        }
    }
    let entries: &[Value] = bundle
        .get("entry")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    let patients: Vec<BundlePatient<'_>> = entries.iter().filter_map(BundlePatient::read).collect();

    let mut results = Vec::new();
    let mut problems = Vec::new();
    let mut observations = 0_usize;
    for (index, entry) in entries.iter().enumerate() {
        let Some(resource) = entry.get("resource") else {
            continue;
        };
        if resource.get("resourceType").and_then(Value::as_str) != Some("Observation") {
            continue;
        }
        observations += 1;
        let place = format!("Entry {}", index + 1);
        match read_observation(resource, &patients, &place, now) {
            Ok(incoming) => results.push(incoming),
            Err(messages) => {
                problems.extend(messages.into_iter().map(|m| Problem::at(place.clone(), m)))
            }
        }
    }
    if observations == 0 {
        return Err(vec![Problem::at(
            "File",
            "The bundle has no observations in it",
        )]);
    }
    if problems.is_empty() {
        Ok(results)
    } else {
        Err(problems)
    }
}

// ---------------------------------------------------------------------------------------------
// Values

/// The plausible range for each numeric kind. These are not clinical bands: they only catch what
/// cannot be a real measurement (a typo, a wrong column, a value in other units such as HbA1c as
/// a percentage), so a surprising but possible value still goes through for a clinician to see.
/// Every numeric kind in the catalogue has one (a test checks this); a kind added without one is
/// refused rather than let in unchecked.
struct Range {
    low: f64,
    high: f64,
    whole: bool,
}

fn range(code: &str) -> Option<Range> {
    let (low, high, whole) = match code {
        "hba1c" => (20.0, 200.0, false),
        "non_hdl_cholesterol" => (0.5, 20.0, false),
        "egfr" => (1.0, 200.0, false),
        "urine_acr" => (0.0, 1000.0, false),
        "serum_creatinine" => (20.0, 2000.0, false),
        "bmi" => (10.0, 90.0, false),
        "copd_cat" => (0.0, 40.0, true),
        "mrc_dyspnoea" => (1.0, 5.0, true),
        _ => return None,
    };
    Some(Range { low, high, whole })
}

const SYSTOLIC: (f64, f64) = (50.0, 300.0);
const DIASTOLIC: (f64, f64) = (30.0, 200.0);

/// The values each coded kind may take, as stored. `coded_words` in the catalogue only names
/// them; which belong to which kind lives here because this is where values are checked.
fn choices(code: &str) -> &'static [&'static str] {
    match code {
        "foot_risk" => &["low", "increased", "high", "ulcerated"],
        "eye_screening" => &[
            "no_retinopathy",
            "background_retinopathy",
            "referable_retinopathy",
        ],
        "smoking_status" => &["never", "ex_smoker", "current"],
        _ => &[],
    }
}

/// SNOMED CT codes that GP systems send for smoking. Only these are mapped, because they are
/// stable, widely used and unambiguous; foot and eye results arrive in too many local codings to
/// guess at, so those must come as our code or words.
fn snomed_value(kind: &Kind, code: &str) -> Option<&'static str> {
    match (kind.code, code) {
        ("smoking_status", "266919005") => Some("never"),
        ("smoking_status", "8517006") => Some("ex_smoker"),
        ("smoking_status", "77176002") => Some("current"),
        _ => None,
    }
}

/// Coded kinds are the ones the catalogue gives no unit.
fn is_coded(kind: &Kind) -> bool {
    kind.unit.is_empty()
}

/// "HbA1c" from "HbA1c (average blood sugar)": short enough to sit inside a sentence.
fn label(kind: &Kind) -> &'static str {
    kind.name.split(" (").next().unwrap_or(kind.name)
}

/// The label as it reads mid-sentence: "body mass index", "non-HDL cholesterol", but
/// abbreviations such as "HbA1c" and "COPD" keep their capitals.
fn mid(kind: &Kind) -> String {
    let label = label(kind);
    let word: String = label.chars().take_while(|c| c.is_alphabetic()).collect();
    if word.chars().skip(1).all(char::is_lowercase) {
        let mut chars = label.chars();
        chars
            .next()
            .map(|first| first.to_lowercase().chain(chars).collect())
            .unwrap_or_default()
    } else {
        label.to_owned()
    }
}

fn coded_value(kind: &Kind, raw: &str) -> Option<&'static str> {
    // Underscores, hyphens and spaces are the same to a person typing "ex-smoker" or "ex smoker".
    let fold = |s: &str| s.trim().to_lowercase().replace(['_', '-'], " ");
    let typed = fold(raw);
    choices(kind.code)
        .iter()
        .copied()
        .find(|c| fold(c) == typed || fold(&catalogue::coded_words(c)) == typed)
        .or_else(|| snomed_value(kind, raw.trim()))
}

fn coded_error(kind: &Kind, raw: &str) -> String {
    let options = choices(kind.code);
    if options.is_empty() {
        return format!("{} results cannot be imported yet", label(kind));
    }
    let listed: Vec<String> = options
        .iter()
        .map(|c| format!("{c} (\"{}\")", catalogue::coded_words(c)))
        .collect();
    format!(
        "{} is not a {} result we know; use one of: {}",
        quote(raw),
        mid(kind),
        listed.join(", ")
    )
}

fn not_a_number(kind: &Kind, raw: &str) -> String {
    match range(kind.code) {
        Some(r) if r.whole => format!(
            "{} {} must be a whole number from {} to {}, not {}",
            label(kind),
            kind.unit,
            show(r.low),
            show(r.high),
            quote(raw)
        ),
        _ => format!("The {} value {} is not a number", mid(kind), quote(raw)),
    }
}

/// Checks a number against its kind's range. `shown` is the number as it arrived, used in
/// messages because formatting a huge float would print dozens of digits.
fn check_number(kind: &Kind, v: f64, shown: &str) -> Result<f64, String> {
    let Some(r) = range(kind.code) else {
        return Err(format!("{} results cannot be imported yet", label(kind)));
    };
    if r.whole && v.fract() != 0.0 {
        return Err(not_a_number(kind, shown));
    }
    if !(r.low..=r.high).contains(&v) {
        return Err(if r.whole {
            not_a_number(kind, shown)
        } else {
            format!(
                "{} {} {unit} is outside the possible range of {} to {} {unit}",
                label(kind),
                quote_number(shown),
                show(r.low),
                show(r.high),
                unit = kind.unit
            )
        });
    }
    Ok(v)
}

fn check_blood_pressure(
    sys: f64,
    dia: f64,
    sys_shown: &str,
    dia_shown: &str,
) -> Result<(f64, f64), String> {
    let mut wrong = Vec::new();
    for (name, v, shown, (low, high)) in [
        ("systolic", sys, sys_shown, SYSTOLIC),
        ("diastolic", dia, dia_shown, DIASTOLIC),
    ] {
        if !(low..=high).contains(&v) {
            wrong.push(format!(
                "the {name} blood pressure {} mmHg is outside the possible range of {} to {} mmHg",
                quote_number(shown),
                show(low),
                show(high)
            ));
        }
    }
    if wrong.is_empty() && sys <= dia {
        wrong.push(format!(
            "in a blood pressure the first number (systolic, {}) must be higher than the second (diastolic, {})",
            quote_number(sys_shown),
            quote_number(dia_shown)
        ));
    }
    if wrong.is_empty() {
        return Ok((sys, dia));
    }
    let joined = wrong.join("; ");
    let mut chars = joined.chars();
    Err(chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default())
}

/// A plain decimal as people write it. `f64::from_str` alone would also take "NaN", "inf" and
/// "1e5", none of which a person means as a result.
fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let digits = body.chars().filter(char::is_ascii_digit).count();
    let points = body.chars().filter(|&c| c == '.').count();
    if digits == 0 || points > 1 || digits + points != body.chars().count() {
        return None;
    }
    // Too many digits parse as infinity, which the range check then refuses by name.
    s.parse::<f64>().ok()
}

/// Splits "52 mmol/mol" into the number part and the unit part, so a value typed with its unit
/// is accepted when the unit is the right one.
fn split_unit(raw: &str) -> (&str, &str) {
    let at = raw
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-' | '/' | ' ' | '\t')))
        .unwrap_or(raw.len());
    (raw[..at].trim(), raw[at..].trim())
}

/// Whether a unit as given means the catalogue's unit. Pragmatic rather than a UCUM parser:
/// systems send the printable unit ("mL/min/1.73m²", "µmol/L"), the UCUM code ("mL/min/{1.73_m2}",
/// "umol/L", "mm[Hg]", "{score}") or either in another case, and all of those mean the same here.
/// Folding case is safe because no two units we accept differ only by case.
fn unit_matches(given: &str, expected: &str) -> bool {
    fn fold(unit: &str) -> String {
        unit.to_lowercase()
            .replace(['µ', 'μ'], "u")
            .replace('²', "2")
            .replace("[hg]", "hg")
            .chars()
            .filter(|c| !c.is_whitespace() && !matches!(c, '{' | '}' | '_'))
            .collect()
    }
    !expected.is_empty() && fold(given) == fold(expected)
}

/// A value from outside, safe to put in a message: short, quoted, with no control characters.
fn quote(raw: &str) -> String {
    const MOST: usize = 40;
    let mut shown: String = raw
        .trim()
        .chars()
        .take(MOST)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if raw.trim().chars().count() > MOST {
        shown.push('…');
    }
    format!("\"{shown}\"")
}

/// A number already checked to be one, shown bare but still cut short.
fn quote_number(raw: &str) -> String {
    let q = quote(raw);
    q.trim_matches('"').to_owned()
}

// ---------------------------------------------------------------------------------------------
// Dates

enum When {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

fn read_when(raw: &str) -> Option<When> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(When::At(at.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(day) = NaiveDate::parse_from_str(raw, format) {
            // "3/11/26" parses as the year 26; refuse it as unreadable rather than as 2000 years
            // old, which would puzzle whoever typed it.
            return (day > year_1900()).then_some(When::Day(day));
        }
    }
    // A time with no offset is UK local time, as the person typing it meant.
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(raw, format) {
            if local.date() <= year_1900() {
                return None;
            }
            // In the autumn hour that happens twice, take the first; the spring hour that never
            // happens cannot be a real time.
            return local
                .and_local_timezone(London)
                .earliest()
                .map(|at| When::At(at.with_timezone(&Utc)));
        }
    }
    None
}

fn year_1900() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

// ---------------------------------------------------------------------------------------------
// CSV

const REQUIRED_COLUMNS: [&str; 4] = ["nhs_number", "result", "value", "taken_on"];

/// Where each column is. Columns other than ours are ignored, so a practice can leave a notes
/// column in its export.
struct Columns {
    nhs_number: usize,
    result: usize,
    value: usize,
    taken_on: usize,
    unit: Option<usize>,
}

impl Columns {
    fn find(header: &csv::StringRecord) -> Result<Self, Vec<String>> {
        // "NHS number" and "nhs_number" are the same column to the person who wrote the header.
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().to_lowercase().replace([' ', '-'], "_"))
            .collect();
        let mut messages = Vec::new();
        for name in REQUIRED_COLUMNS.iter().chain(&["unit"]) {
            if names.iter().filter(|n| n == name).count() > 1 {
                messages.push(format!(
                    "The column {name} is named more than once on the first line"
                ));
            }
        }
        let at = |name: &str| names.iter().position(|n| n == name);
        let missing: Vec<&str> = REQUIRED_COLUMNS
            .iter()
            .copied()
            .filter(|c| at(c).is_none())
            .collect();
        if !missing.is_empty() {
            messages.insert(
                0,
                format!(
                    "The first line must name the columns {}; it is missing {}",
                    and_list(&REQUIRED_COLUMNS),
                    and_list(&missing)
                ),
            );
        }
        match (
            at("nhs_number"),
            at("result"),
            at("value"),
            at("taken_on"),
            messages.is_empty(),
        ) {
            (Some(nhs_number), Some(result), Some(value), Some(taken_on), true) => Ok(Self {
                nhs_number,
                result,
                value,
                taken_on,
                unit: at("unit"),
            }),
            _ => Err(messages),
        }
    }
}

fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn line_place(line: Option<u64>) -> String {
    format!("Line {}", line.unwrap_or(1))
}

fn read_row(
    record: &csv::StringRecord,
    columns: &Columns,
    place: &str,
    now: DateTime<Utc>,
) -> Result<Incoming, Vec<String>> {
    let field = |i: usize| record.get(i).unwrap_or("");
    let mut messages = Vec::new();

    let nhs_number = valid_nhs_number(field(columns.nhs_number)).map_err(|m| messages.push(m));

    let result = field(columns.result);
    let kind = if result.is_empty() {
        messages.push("The result is missing: say which test it is, such as hba1c".to_owned());
        None
    } else {
        let kind = kind_named(result);
        if kind.is_none() {
            let ours: Vec<&str> = KINDS.iter().map(|k| k.code).collect();
            messages.push(format!(
                "The result {} is not one we know; use one of {}, or its LOINC or SNOMED CT code",
                quote(result),
                ours.join(", ")
            ));
        }
        kind
    };

    let value =
        kind.map(|k| read_value(k.code, field(columns.value)).map_err(|m| messages.push(m)));

    if let (Some(kind), Some(unit_column)) = (kind, columns.unit) {
        let unit = field(unit_column);
        if !unit.is_empty() && !unit_matches(unit, kind.unit) {
            messages.push(if is_coded(kind) {
                format!(
                    "{} results have no unit, but the unit given is {}",
                    label(kind),
                    quote(unit)
                )
            } else {
                format!(
                    "The unit {} does not match {}, which is in {}",
                    quote(unit),
                    mid(kind),
                    kind.unit
                )
            });
        }
    }

    let taken_at = read_taken(field(columns.taken_on), now).map_err(|m| messages.push(m));

    match (nhs_number, kind, value, taken_at) {
        (
            Ok(nhs_number),
            Some(kind),
            Some(Ok((value_num, value_num2, value_code))),
            Ok(taken_at),
        ) if messages.is_empty() => Ok(Incoming {
            place: place.to_owned(),
            nhs_number,
            code: kind.code,
            value_num,
            value_num2,
            value_code,
            unit: (!is_coded(kind)).then(|| kind.unit.to_owned()),
            taken_at,
        }),
        _ => Err(messages),
    }
}

/// A kind as a CSV names it: a code `kind_for` knows, or the kind's name in full or before its
/// bracket ("HbA1c", "Blood pressure"), as someone typing by hand would write it.
fn kind_named(result: &str) -> Option<&'static Kind> {
    let result = result.trim();
    kind_for(result).or_else(|| {
        KINDS
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(result) || label(k).eq_ignore_ascii_case(result))
    })
}

fn valid_nhs_number(raw: &str) -> Result<String, String> {
    if raw.trim().is_empty() {
        return Err("The NHS number is missing".to_owned());
    }
    // NhsNumber's own messages are written for a person typing into a form ("Enter …"); here
    // the nurse needs to know which number in the file is wrong.
    NhsNumber::parse(raw.trim())
        .map(|n| n.as_str().to_owned())
        .map_err(|_| {
            format!(
                "The NHS number {} is not valid (it must be 10 digits with a correct check digit)",
                quote(raw)
            )
        })
}

// ---------------------------------------------------------------------------------------------
// FHIR

/// A Patient in the bundle, kept only to find the NHS number an Observation's subject points to.
struct BundlePatient<'a> {
    full_url: Option<&'a str>,
    id: Option<&'a str>,
    nhs_number: Option<&'a str>,
}

impl<'a> BundlePatient<'a> {
    fn read(entry: &'a Value) -> Option<Self> {
        let resource = entry.get("resource")?;
        if resource.get("resourceType").and_then(Value::as_str) != Some("Patient") {
            return None;
        }
        Some(Self {
            full_url: entry.get("fullUrl").and_then(Value::as_str),
            id: resource.get("id").and_then(Value::as_str),
            nhs_number: resource.get("identifier").and_then(nhs_identifier),
        })
    }
}

/// The NHS number among identifiers: a Patient has a list, a Reference has just one.
fn nhs_identifier(identifier: &Value) -> Option<&str> {
    let is_nhs = |i: &&Value| i.get("system").and_then(Value::as_str) == Some(NHS_NUMBER_SYSTEM);
    match identifier {
        Value::Array(list) => list.iter().find(is_nhs),
        single => Some(single).filter(is_nhs),
    }
    .and_then(|i| i.get("value"))
    .and_then(Value::as_str)
}

fn read_observation(
    obs: &Value,
    patients: &[BundlePatient<'_>],
    place: &str,
    now: DateTime<Utc>,
) -> Result<Incoming, Vec<String>> {
    let mut messages = Vec::new();

    match obs.get("status").and_then(Value::as_str) {
        Some("final" | "amended" | "corrected") => {}
        Some(other) => messages.push(format!(
            "The observation's status is {}; only final, amended or corrected results can be imported",
            quote(other)
        )),
        None => messages.push(
            "The observation has no status; only final, amended or corrected results can be imported"
                .to_owned(),
        ),
    }

    let nhs_number = subject_nhs_number(obs, patients).map_err(|m| messages.push(m));
    let kind = observation_kind(obs).map_err(|m| messages.push(m));
    let value = kind
        .as_ref()
        .ok()
        .map(|k| observation_value(obs, k).map_err(|m| messages.push(m)));

    let taken_at = match ["effectiveDateTime", "effectiveInstant"]
        .iter()
        .find_map(|f| obs.get(*f).and_then(Value::as_str))
    {
        Some(raw) => read_taken(raw, now).map_err(|m| messages.push(m)),
        None => {
            messages.push("The observation has no date (effectiveDateTime)".to_owned());
            Err(())
        }
    };

    match (nhs_number, kind, value, taken_at) {
        (Ok(nhs_number), Ok(kind), Some(Ok((value_num, value_num2, value_code))), Ok(taken_at))
            if messages.is_empty() =>
        {
            Ok(Incoming {
                place: place.to_owned(),
                nhs_number,
                code: kind.code,
                value_num,
                value_num2,
                value_code,
                unit: (!is_coded(kind)).then(|| kind.unit.to_owned()),
                taken_at,
            })
        }
        _ => Err(messages),
    }
}

fn subject_nhs_number(obs: &Value, patients: &[BundlePatient<'_>]) -> Result<String, String> {
    let subject = obs.get("subject");
    let direct = subject
        .and_then(|s| s.get("identifier"))
        .and_then(nhs_identifier);
    let referred = subject
        .and_then(|s| s.get("reference"))
        .and_then(Value::as_str)
        .map(|r| referred_nhs_number(r, patients));
    match (direct, referred) {
        (Some(direct), referred) => {
            let direct = valid_nhs_number(direct)?;
            // Both given and both valid but different: one of them is wrong, and guessing which
            // would file a result in the wrong person's record.
            if let Some(Ok(other)) = referred
                && let Ok(other) = valid_nhs_number(other)
                && other != direct
            {
                return Err(format!(
                    "The observation's NHS number ({direct}) and the patient it refers to ({other}) are different people"
                ));
            }
            // A reference that cannot be resolved is fine here: it may point to another server.
            Ok(direct)
        }
        (None, Some(referred)) => valid_nhs_number(referred?),
        (None, None) => Err(format!(
            "The observation does not say whose result it is: it needs a subject with an NHS number ({NHS_NUMBER_SYSTEM}) or a reference to a Patient in the bundle"
        )),
    }
}

fn referred_nhs_number<'a>(
    reference: &str,
    patients: &[BundlePatient<'a>],
) -> Result<&'a str, String> {
    let by_url = patients.iter().find(|p| p.full_url == Some(reference));
    let by_id = || {
        let id = reference.strip_prefix("Patient/")?;
        patients.iter().find(|p| p.id == Some(id))
    };
    let patient = by_url.or_else(by_id).ok_or_else(|| {
        format!(
            "The observation refers to the patient {}, which is not in the bundle",
            quote(reference)
        )
    })?;
    patient.nhs_number.ok_or_else(|| {
        format!(
            "The patient it refers to has no NHS number (identifier system {NHS_NUMBER_SYSTEM})"
        )
    })
}

/// The codings of a CodeableConcept as (system, code) pairs, skipping ones without a code.
fn codings(concept: Option<&Value>) -> Vec<(&str, &str)> {
    concept
        .and_then(|c| c.get("coding"))
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|c| {
            Some((
                c.get("system").and_then(Value::as_str).unwrap_or(""),
                c.get("code").and_then(Value::as_str)?,
            ))
        })
        .collect()
}

fn observation_kind(obs: &Value) -> Result<&'static Kind, String> {
    let seen = codings(obs.get("code"));
    // The shape check keeps a code from one system being read as the other's: LOINC codes always
    // carry a hyphenated check digit, SNOMED CT identifiers are only digits.
    let found = seen.iter().find_map(|(system, code)| {
        let shaped = match *system {
            LOINC => code.contains('-'),
            SNOMED => !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()),
            _ => false,
        };
        shaped.then(|| kind_for(code)).flatten()
    });
    match found {
        Some(kind) => Ok(kind),
        None if seen.is_empty() => {
            Err("The observation has no code saying which test it is".to_owned())
        }
        None => {
            let listed: Vec<String> = seen
                .iter()
                .take(5)
                .map(|(system, code)| quote(&format!("{system} {code}")))
                .collect();
            Err(format!(
                "None of the observation's codes is a result we know (it has {}); we read LOINC and SNOMED CT codes such as 4548-4 for HbA1c",
                listed.join(", ")
            ))
        }
    }
}

fn observation_value(obs: &Value, kind: &Kind) -> Result<ValueParts, String> {
    if kind.code == "blood_pressure" {
        let components = obs
            .get("component")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let part = |loinc: &str, name: &str| {
            let component = components
                .iter()
                .find(|c| codings(c.get("code")).contains(&(LOINC, loinc)))
                .ok_or_else(|| {
                    format!("The blood pressure has no {name} component (LOINC {loinc})")
                })?;
            quantity(
                component.get("valueQuantity"),
                kind,
                &format!("The {name} value"),
            )
        };
        let (sys, dia) = (
            part(SYSTOLIC_LOINC, "systolic"),
            part(DIASTOLIC_LOINC, "diastolic"),
        );
        let ((s, s_shown), (d, d_shown)) = match (sys, dia) {
            (Ok(sys), Ok(dia)) => (sys, dia),
            (Err(a), Err(b)) => return Err(format!("{a}; {b}")),
            (Err(m), _) | (_, Err(m)) => return Err(m),
        };
        let (s, d) = check_blood_pressure(s, d, &s_shown, &d_shown)?;
        return Ok((Some(s), Some(d), None));
    }
    if is_coded(kind) {
        let concept = obs.get("valueCodeableConcept");
        let mut typed: Vec<&str> = codings(concept).into_iter().map(|(_, c)| c).collect();
        if let Some(list) = concept
            .and_then(|c| c.get("coding"))
            .and_then(Value::as_array)
        {
            typed.extend(
                list.iter()
                    .filter_map(|c| c.get("display").and_then(Value::as_str)),
            );
        }
        typed.extend(concept.and_then(|c| c.get("text")).and_then(Value::as_str));
        typed.extend(obs.get("valueString").and_then(Value::as_str));
        let Some(first) = typed.first() else {
            return Err("The observation has no value (valueCodeableConcept)".to_owned());
        };
        return typed
            .iter()
            .find_map(|t| coded_value(kind, t))
            .map(|c| (None, None, Some(c.to_owned())))
            .ok_or_else(|| coded_error(kind, first));
    }
    let (v, shown) = quantity(obs.get("valueQuantity"), kind, "The observation's value")?;
    check_number(kind, v, &shown).map(|v| (Some(v), None, None))
}

/// The number in a Quantity, with its unit checked, and the number as written for messages.
fn quantity(q: Option<&Value>, kind: &Kind, what: &str) -> Result<(f64, String), String> {
    let Some(q) = q else {
        return Err(format!("{what} is missing (valueQuantity)"));
    };
    let Some(number) = q.get("value").and_then(Value::as_number) else {
        return Err(format!("{what} has no number in it"));
    };
    let shown = number.to_string();
    // A lab's "<0.3" or ">90" is a bound, not a measurement; storing the bound as if exact would
    // tell the person something the lab did not say.
    if let Some(comparator) = q.get("comparator").and_then(Value::as_str) {
        return Err(format!(
            "{what} is given as {}; only exact numbers can be imported",
            quote(&format!("{comparator}{shown}"))
        ));
    }
    let Some(v) = number.as_f64().filter(|v| v.is_finite()) else {
        return Err(format!(
            "{what} {} is not a number we can read",
            quote(&shown)
        ));
    };
    let given: Vec<&str> = ["unit", "code"]
        .iter()
        .filter_map(|f| q.get(*f).and_then(Value::as_str))
        .collect();
    if let Some(first) = given.first()
        && !given.iter().any(|u| unit_matches(u, kind.unit))
    {
        return Err(format!(
            "{what} is in {}, but {} is in {}",
            quote(first),
            mid(kind),
            kind.unit
        ));
    }
    Ok((v, shown))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap()
    }

    fn lines(problems: &[Problem]) -> Vec<&str> {
        problems.iter().map(|p| p.place.as_str()).collect()
    }

    // 9434765919, 9434765870 and 4010232137 have correct modulus-11 check digits.
    const ANN: &str = "9434765919";
    const BOB: &str = "9434765870";
    const CAL: &str = "4010232137";

    #[test]
    fn the_nhs_numbers_used_in_these_tests_have_valid_check_digits() {
        for n in [ANN, BOB, CAL] {
            assert!(NhsNumber::parse(n).is_ok(), "{n}");
        }
        assert!(NhsNumber::parse("9434765918").is_err());
    }

    #[test]
    fn valid_csv_with_several_kinds_gives_one_result_per_line() {
        let csv = "nhs_number,result,value,taken_on\n\
                   943 476 5919,hba1c,52,2026-11-03\n\
                   9434765919,blood_pressure,142/88,03/11/2026\n\
                   9434765870,foot_risk,Low risk,2026-10-01\n\
                   9434765870,4548-4,61.5 mmol/mol,2026-10-01T10:15:00Z\n\
                   4010232137,eGFR,58,2026-09-30\n";
        let got = parse_csv(csv, now()).unwrap();
        assert_eq!(got.len(), 5);
        assert_eq!(
            got[0],
            Incoming {
                place: "Line 2".into(),
                nhs_number: ANN.into(),
                code: "hba1c",
                value_num: Some(52.0),
                value_num2: None,
                value_code: None,
                unit: Some("mmol/mol".into()),
                taken_at: Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap(),
            }
        );
        assert_eq!(got[1].code, "blood_pressure");
        assert_eq!(
            (got[1].value_num, got[1].value_num2),
            (Some(142.0), Some(88.0))
        );
        assert_eq!(got[1].taken_at.date_naive(), got[0].taken_at.date_naive());
        assert_eq!(got[2].code, "foot_risk");
        assert_eq!(got[2].value_code.as_deref(), Some("low"));
        assert_eq!(got[2].unit, None);
        assert_eq!(got[3].code, "hba1c");
        assert_eq!(got[3].value_num, Some(61.5));
        assert_eq!(got[4].code, "egfr");
        assert_eq!(got[4].place, "Line 6");
    }

    #[test]
    fn csv_columns_may_be_in_any_order_with_any_case_and_a_unit_column() {
        let csv = " Taken_On , VALUE,Result,NHS Number,unit,notes\n\
                   2026-11-01,1.2,non_hdl_cholesterol,9434765919,mmol/l,fasting\n\
                   2026-11-01,120,Creatinine,9434765919,umol/L,\n\
                   2026-11-01,never,smoking_status,9434765919,,\n";
        let got = parse_csv(csv, now()).unwrap();
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].value_num, Some(1.2));
        assert_eq!(got[1].code, "serum_creatinine");
        assert_eq!(got[1].unit.as_deref(), Some("µmol/L"));
        assert_eq!(got[2].value_code.as_deref(), Some("never"));
    }

    #[test]
    fn csv_with_a_byte_order_mark_and_windows_line_endings_is_read() {
        let csv = "\u{feff}nhs_number,result,value,taken_on\r\n9434765919,bmi,31.4,2026-11-02\r\n9434765870,copd_cat,12,2026-11-02\r\n";
        let got = parse_csv(csv, now()).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].value_num, Some(31.4));
        assert_eq!(got[1].place, "Line 3");
    }

    #[test]
    fn csv_with_windows_line_endings_reports_problems_on_the_right_line() {
        let csv = "nhs_number,result,value,taken_on\r\n9434765919,bmi,31,2026-11-02\r\n9434765919,bmi,310,2026-11-02\r\n";
        let problems = parse_csv(csv, now()).unwrap_err();
        assert_eq!(lines(&problems), ["Line 3"]);
    }

    #[test]
    fn csv_with_three_bad_lines_returns_nothing_and_every_problem_with_its_line() {
        let csv = "nhs_number,result,value,taken_on\n\
                   9434765919,hba1c,52,2026-11-03\n\
                   123,hba1c,52,2026-11-03\n\
                   9434765919,hba1c,52,2026-11-03\n\
                   9434765919,potassium,4.1,2026-11-03\n\
                   9434765919,blood_pressure,80/90,2026-11-03\n\
                   9434765919,hba1c,52\n";
        let problems = parse_csv(csv, now()).unwrap_err();
        assert_eq!(lines(&problems), ["Line 3", "Line 5", "Line 6", "Line 7"]);
        assert_eq!(
            problems[0].message,
            "The NHS number \"123\" is not valid (it must be 10 digits with a correct check digit)"
        );
        assert!(
            problems[1]
                .message
                .contains("\"potassium\" is not one we know")
        );
        assert!(
            problems[2]
                .message
                .contains("must be higher than the second")
        );
        assert_eq!(
            problems[3].message,
            "This line has 3 values but the first line names 4 columns"
        );
    }

    #[test]
    fn csv_line_with_several_mistakes_gets_a_problem_for_each() {
        let csv = "nhs_number,result,value,taken_on\n\
                   ,hba1c,abc,2099-01-01\n";
        let problems = parse_csv(csv, now()).unwrap_err();
        assert_eq!(lines(&problems), ["Line 2", "Line 2", "Line 2"]);
        let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "The NHS number is missing",
                "The HbA1c value \"abc\" is not a number",
                "The date \"2099-01-01\" is in the future",
            ]
        );
    }

    #[test]
    fn csv_unit_column_that_disagrees_with_the_kind_is_a_problem() {
        let csv = "nhs_number,result,value,taken_on,unit\n\
                   9434765919,hba1c,7.5,2026-11-03,%\n\
                   9434765919,foot_risk,high,2026-11-03,mmol/L\n";
        let problems = parse_csv(csv, now()).unwrap_err();
        assert_eq!(lines(&problems), ["Line 2", "Line 2", "Line 3"]);
        assert!(
            problems
                .iter()
                .any(|p| p.message == "The unit \"%\" does not match HbA1c, which is in mmol/mol")
        );
        assert_eq!(
            problems[2].message,
            "Foot check results have no unit, but the unit given is \"mmol/L\""
        );
    }

    #[test]
    fn csv_missing_header_columns_are_named_at_line_1() {
        let problems = parse_csv("nhs,result,value\n9434765919,hba1c,52\n", now()).unwrap_err();
        assert_eq!(
            problems,
            [Problem::at(
                "Line 1",
                "The first line must name the columns nhs_number, result, value and taken_on; it is missing nhs_number and taken_on"
            )]
        );
    }

    #[test]
    fn csv_without_a_header_line_is_refused_at_line_1() {
        let problems = parse_csv("9434765919,hba1c,52,2026-11-03\n", now()).unwrap_err();
        assert_eq!(lines(&problems), ["Line 1"]);
        assert!(
            problems[0]
                .message
                .contains("it is missing nhs_number, result, value and taken_on")
        );
    }

    #[test]
    fn csv_header_naming_a_column_twice_is_a_problem() {
        let problems = parse_csv("nhs_number,result,value,taken_on,Value\n", now()).unwrap_err();
        assert_eq!(
            problems,
            [Problem::at(
                "Line 1",
                "The column value is named more than once on the first line"
            )]
        );
    }

    #[test]
    fn csv_with_a_header_and_no_rows_has_no_results_in_it() {
        for csv in [
            "nhs_number,result,value,taken_on\n",
            "nhs_number,result,value,taken_on\r\n,,,\r\n\r\n",
        ] {
            assert_eq!(
                parse_csv(csv, now()).unwrap_err(),
                [Problem::at("File", "The file has no results in it")]
            );
        }
    }

    #[test]
    fn empty_or_junk_csv_is_refused_without_panicking() {
        assert_eq!(lines(&parse_csv("", now()).unwrap_err()), ["Line 1"]);
        assert_eq!(
            lines(&parse_csv("\u{feff}", now()).unwrap_err()),
            ["Line 1"]
        );
        let junk = "\u{0}\u{1}\u{fffd}\"\"\"\n\u{7f},,\"\n\n\r\r\n";
        assert!(parse_csv(junk, now()).is_err());
        let long = format!(
            "nhs_number,result,value,taken_on\n{},hba1c,{},2026-11-03\n",
            "9".repeat(500),
            "9".repeat(500)
        );
        let problems = parse_csv(&long, now()).unwrap_err();
        assert_eq!(problems.len(), 2);
        assert!(problems.iter().all(|p| p.message.len() < 200));
    }

    #[test]
    fn read_value_accepts_the_edges_of_each_range_and_refuses_just_beyond() {
        let edges = [
            ("hba1c", "20", "200", "19.9", "200.1"),
            ("non_hdl_cholesterol", "0.5", "20", "0.4", "20.1"),
            ("egfr", "1", "200", "0.9", "201"),
            ("urine_acr", "0", "1000", "-0.1", "1000.5"),
            ("serum_creatinine", "20", "2000", "19", "2001"),
            ("bmi", "10", "90", "9.9", "90.1"),
            ("copd_cat", "0", "40", "-1", "41"),
            ("mrc_dyspnoea", "1", "5", "0", "6"),
        ];
        for (code, low, high, below, above) in edges {
            for ok in [low, high] {
                assert!(read_value(code, ok).is_ok(), "{code} {ok}");
            }
            for bad in [below, above] {
                assert!(read_value(code, bad).is_err(), "{code} {bad}");
            }
        }
        assert_eq!(
            read_value("hba1c", "250"),
            Err("HbA1c 250 mmol/mol is outside the possible range of 20 to 200 mmol/mol".into())
        );
        assert_eq!(
            read_value("copd_cat", "41"),
            Err(
                "COPD assessment test score must be a whole number from 0 to 40, not \"41\"".into()
            )
        );
    }

    #[test]
    fn read_value_refuses_fractions_for_whole_number_scores() {
        assert!(read_value("copd_cat", "12.5").is_err());
        assert!(read_value("mrc_dyspnoea", "2.5").is_err());
        assert_eq!(read_value("mrc_dyspnoea", "3"), Ok((Some(3.0), None, None)));
    }

    #[test]
    fn read_value_checks_both_blood_pressure_numbers_and_their_order() {
        assert_eq!(
            read_value("blood_pressure", "142 / 88 mmHg"),
            Ok((Some(142.0), Some(88.0), None))
        );
        assert!(read_value("blood_pressure", "300/200").is_ok());
        assert!(read_value("blood_pressure", "50/30").is_ok());
        assert_eq!(
            read_value("blood_pressure", "301/88"),
            Err(
                "The systolic blood pressure 301 mmHg is outside the possible range of 50 to 300 mmHg"
                    .into()
            )
        );
        assert!(read_value("blood_pressure", "120/29").is_err());
        assert!(read_value("blood_pressure", "88/88").is_err());
        assert!(read_value("blood_pressure", "142").is_err());
        assert!(read_value("blood_pressure", "142/88/70").is_err());
    }

    #[test]
    fn read_value_refuses_nan_infinity_exponents_and_huge_numbers() {
        for raw in ["NaN", "inf", "-inf", "1e2", "", " ", "5,2", "..", "+"] {
            assert!(read_value("hba1c", raw).is_err(), "{raw}");
        }
        let huge = "9".repeat(400);
        let message = read_value("hba1c", &huge).unwrap_err();
        assert!(message.contains("outside the possible range"));
        assert!(message.len() < 200);
    }

    #[test]
    fn read_value_takes_a_unit_only_when_it_is_the_kinds() {
        assert_eq!(
            read_value("egfr", "58 mL/min/1.73m2"),
            Ok((Some(58.0), None, None))
        );
        assert_eq!(
            read_value("hba1c", "7.5%"),
            Err("The HbA1c value \"7.5%\" is not in mmol/mol".into())
        );
    }

    #[test]
    fn read_value_takes_coded_values_as_codes_or_words_in_any_case() {
        assert_eq!(
            read_value("foot_risk", "LOW"),
            Ok((None, None, Some("low".into())))
        );
        assert_eq!(
            read_value("foot_risk", "active ulcer"),
            Ok((None, None, Some("ulcerated".into())))
        );
        assert_eq!(
            read_value("eye_screening", "No retinopathy"),
            Ok((None, None, Some("no_retinopathy".into())))
        );
        assert_eq!(
            read_value("smoking_status", "ex-smoker"),
            Ok((None, None, Some("ex_smoker".into())))
        );
        let refused = read_value("foot_risk", "medium").unwrap_err();
        assert!(refused.starts_with(
            "\"medium\" is not a foot check result we know; use one of: low (\"Low risk\")"
        ));
        assert!(read_value("smoking_status", "high").is_err());
    }

    #[test]
    fn read_value_refuses_an_unknown_kind() {
        assert!(read_value("potassium", "4.1").is_err());
    }

    #[test]
    fn every_catalogue_kind_has_a_range_or_its_coded_values() {
        for kind in KINDS {
            if is_coded(kind) {
                assert!(!choices(kind.code).is_empty(), "{}", kind.code);
                for c in choices(kind.code) {
                    assert_eq!(coded_value(kind, c), Some(*c));
                }
            } else if kind.code != "blood_pressure" {
                assert!(range(kind.code).is_some(), "{}", kind.code);
            }
        }
    }

    #[test]
    fn kind_for_knows_our_codes_and_loinc_and_snomed_codes() {
        assert_eq!(kind_for("hba1c").map(|k| k.code), Some("hba1c"));
        assert_eq!(kind_for("4548-4").map(|k| k.code), Some("hba1c"));
        assert_eq!(kind_for("999791000000106").map(|k| k.code), Some("hba1c"));
        assert_eq!(kind_for("85354-9").map(|k| k.code), Some("blood_pressure"));
        assert_eq!(kind_for("62238-1").map(|k| k.code), Some("egfr"));
        assert!(kind_for("2345-7").is_none());
        assert!(kind_for("").is_none());
    }

    #[test]
    fn read_taken_reads_iso_uk_and_rfc3339_dates() {
        let day = Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap();
        assert_eq!(read_taken("2026-11-03", now()), Ok(day));
        assert_eq!(read_taken("03/11/2026", now()), Ok(day));
        assert_eq!(read_taken("3/11/2026", now()), Ok(day));
        assert_eq!(
            read_taken("2026-11-03T09:30:00+01:00", now()),
            Ok(Utc.with_ymd_and_hms(2026, 11, 3, 8, 30, 0).unwrap())
        );
        // Summer time: 09:30 in London is 08:30 UTC.
        assert_eq!(
            read_taken("2026-07-01 09:30", now()),
            Ok(Utc.with_ymd_and_hms(2026, 7, 1, 8, 30, 0).unwrap())
        );
    }

    #[test]
    fn read_taken_refuses_a_future_date_or_time() {
        assert_eq!(
            read_taken("2026-11-11", now()),
            Err("The date \"2026-11-11\" is in the future".into())
        );
        assert!(read_taken("2026-11-10T09:00:01Z", now()).is_err());
        assert!(read_taken("2026-11-10T09:00:00Z", now()).is_ok());
    }

    #[test]
    fn read_taken_accepts_today_even_before_the_clock_reaches_midnight_utc() {
        // 00:30 on 1 July in London is 23:30 on 30 June in UTC.
        let just_after_midnight = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap();
        assert_eq!(
            read_taken("2026-07-01", just_after_midnight),
            Ok(just_after_midnight)
        );
    }

    #[test]
    fn read_taken_refuses_dates_over_20_years_old_and_unreadable_ones() {
        assert!(read_taken("2006-11-11", now()).is_ok());
        assert!(
            read_taken("2006-11-09", now())
                .unwrap_err()
                .contains("more than 20 years ago")
        );
        for raw in [
            "31/02/2026",
            "11/03/26",
            "2026-11",
            "yesterday",
            "2026-13-01",
            "\u{0}",
        ] {
            assert!(
                read_taken(raw, now())
                    .unwrap_err()
                    .contains("is not a date we can read"),
                "{raw}"
            );
        }
        assert_eq!(read_taken("", now()), Err("The date is missing".into()));
    }

    fn bundle(entries: &[Value]) -> String {
        serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
            .to_string()
    }

    fn patient() -> Value {
        serde_json::json!({
            "fullUrl": "urn:uuid:9a1f0c1e-0000-4000-8000-000000000001",
            "resource": {
                "resourceType": "Patient",
                "id": "ann",
                "identifier": [
                    { "system": "https://example.org/mrn", "value": "X1" },
                    { "system": NHS_NUMBER_SYSTEM, "value": ANN }
                ]
            }
        })
    }

    fn observation(code: Value, subject: Value, value: (&str, Value)) -> Value {
        let mut resource = serde_json::json!({
            "resourceType": "Observation",
            "status": "final",
            "code": { "coding": [code] },
            "subject": subject,
            "effectiveDateTime": "2026-11-03T09:30:00Z"
        });
        resource[value.0] = value.1;
        serde_json::json!({ "resource": resource })
    }

    fn loinc(code: &str) -> Value {
        serde_json::json!({ "system": LOINC, "code": code })
    }

    fn by_uuid() -> Value {
        serde_json::json!({ "reference": "urn:uuid:9a1f0c1e-0000-4000-8000-000000000001" })
    }

    #[test]
    fn valid_fhir_bundle_gives_each_observation_with_its_nhs_number() {
        let json = bundle(&[
            patient(),
            observation(
                loinc("4548-4"),
                by_uuid(),
                (
                    "valueQuantity",
                    serde_json::json!({ "value": 52, "unit": "mmol/mol", "system": "http://unitsofmeasure.org", "code": "mmol/mol" }),
                ),
            ),
            observation(
                loinc("62238-1"),
                serde_json::json!({ "reference": "Patient/ann" }),
                (
                    "valueQuantity",
                    serde_json::json!({ "value": 58.5, "code": "mL/min/{1.73_m2}" }),
                ),
            ),
            observation(
                loinc("85354-9"),
                serde_json::json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": "943 476 5870" } }),
                (
                    "component",
                    serde_json::json!([
                        { "code": { "coding": [loinc(SYSTOLIC_LOINC)] }, "valueQuantity": { "value": 142, "unit": "mmHg", "code": "mm[Hg]" } },
                        { "code": { "coding": [loinc(DIASTOLIC_LOINC)] }, "valueQuantity": { "value": 88, "code": "mm[Hg]" } }
                    ]),
                ),
            ),
            observation(
                serde_json::json!({ "system": SNOMED, "code": "401191002" }),
                serde_json::json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": CAL } }),
                (
                    "valueCodeableConcept",
                    serde_json::json!({ "text": "Increased risk" }),
                ),
            ),
            serde_json::json!({ "resource": { "resourceType": "Practitioner", "id": "dr" } }),
        ]);
        let got = parse_fhir_bundle(&json, now()).unwrap();
        let taken = Utc.with_ymd_and_hms(2026, 11, 3, 9, 30, 0).unwrap();
        assert_eq!(
            got[0],
            Incoming {
                place: "Entry 2".into(),
                nhs_number: ANN.into(),
                code: "hba1c",
                value_num: Some(52.0),
                value_num2: None,
                value_code: None,
                unit: Some("mmol/mol".into()),
                taken_at: taken,
            }
        );
        assert_eq!(
            (
                got[1].place.as_str(),
                got[1].nhs_number.as_str(),
                got[1].code
            ),
            ("Entry 3", ANN, "egfr")
        );
        assert_eq!(got[1].value_num, Some(58.5));
        assert_eq!(
            (got[2].nhs_number.as_str(), got[2].code),
            (BOB, "blood_pressure")
        );
        assert_eq!(
            (got[2].value_num, got[2].value_num2),
            (Some(142.0), Some(88.0))
        );
        assert_eq!(
            (got[3].nhs_number.as_str(), got[3].code),
            (CAL, "foot_risk")
        );
        assert_eq!(got[3].value_code.as_deref(), Some("increased"));
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn fhir_smoking_status_may_be_a_snomed_code() {
        let json = bundle(&[
            patient(),
            observation(
                loinc("72166-2"),
                by_uuid(),
                (
                    "valueCodeableConcept",
                    serde_json::json!({ "coding": [{ "system": SNOMED, "code": "8517006", "display": "Ex-smoker (finding)" }] }),
                ),
            ),
        ]);
        let got = parse_fhir_bundle(&json, now()).unwrap();
        assert_eq!(got[0].value_code.as_deref(), Some("ex_smoker"));
    }

    #[test]
    fn fhir_invalid_entries_are_each_reported_and_nothing_returned() {
        let hba1c = |v: Value| ("valueQuantity", v);
        let mut draft = observation(
            loinc("4548-4"),
            by_uuid(),
            hba1c(serde_json::json!({ "value": 52 })),
        );
        draft["resource"]["status"] = "preliminary".into();
        let mut undated = observation(
            loinc("4548-4"),
            by_uuid(),
            hba1c(serde_json::json!({ "value": 52 })),
        );
        undated["resource"]
            .as_object_mut()
            .unwrap()
            .remove("effectiveDateTime");
        let json = bundle(&[
            patient(),
            observation(
                loinc("4548-4"),
                by_uuid(),
                hba1c(serde_json::json!({ "value": 52 })),
            ),
            draft,
            observation(
                loinc("2345-7"),
                by_uuid(),
                hba1c(serde_json::json!({ "value": 5.2 })),
            ),
            observation(
                loinc("4548-4"),
                serde_json::json!({ "reference": "Patient/nobody" }),
                hba1c(serde_json::json!({ "value": 52 })),
            ),
            observation(
                loinc("4548-4"),
                by_uuid(),
                hba1c(serde_json::json!({ "value": 7.5, "unit": "%" })),
            ),
            observation(
                loinc("4548-4"),
                by_uuid(),
                hba1c(serde_json::json!({ "value": 900 })),
            ),
            observation(
                loinc("85354-9"),
                by_uuid(),
                (
                    "component",
                    serde_json::json!([
                        { "code": { "coding": [loinc(SYSTOLIC_LOINC)] }, "valueQuantity": { "value": 142 } }
                    ]),
                ),
            ),
            undated,
            observation(
                loinc("62238-1"),
                by_uuid(),
                hba1c(serde_json::json!({ "value": 90, "comparator": ">" })),
            ),
            observation(
                loinc("4548-4"),
                serde_json::json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": "123" } }),
                hba1c(serde_json::json!({ "value": 52 })),
            ),
            observation(
                serde_json::json!({ "system": SNOMED, "code": "401191002" }),
                by_uuid(),
                (
                    "valueCodeableConcept",
                    serde_json::json!({ "text": "moderate" }),
                ),
            ),
        ]);
        let problems = parse_fhir_bundle(&json, now()).unwrap_err();
        assert_eq!(
            lines(&problems),
            [
                "Entry 3", "Entry 4", "Entry 5", "Entry 6", "Entry 7", "Entry 8", "Entry 9",
                "Entry 10", "Entry 11", "Entry 12"
            ]
        );
        let message = |n: usize| problems[n].message.as_str();
        assert!(message(0).contains("status is \"preliminary\""));
        assert!(message(1).contains("\"http://loinc.org 2345-7\""));
        assert!(message(2).contains("\"Patient/nobody\", which is not in the bundle"));
        assert_eq!(
            message(3),
            "The observation's value is in \"%\", but HbA1c is in mmol/mol"
        );
        assert!(message(4).contains("outside the possible range of 20 to 200"));
        assert!(message(5).contains("no diastolic component (LOINC 8462-4)"));
        assert!(message(6).contains("no date"));
        assert!(message(7).contains("\">90\""));
        assert!(message(8).contains("The NHS number \"123\" is not valid"));
        assert!(message(9).contains("\"moderate\" is not a foot check result we know"));
    }

    #[test]
    fn fhir_subject_identifier_and_reference_that_disagree_are_refused() {
        let json = bundle(&[
            patient(),
            observation(
                loinc("4548-4"),
                serde_json::json!({
                    "reference": "Patient/ann",
                    "identifier": { "system": NHS_NUMBER_SYSTEM, "value": BOB }
                }),
                ("valueQuantity", serde_json::json!({ "value": 52 })),
            ),
        ]);
        let problems = parse_fhir_bundle(&json, now()).unwrap_err();
        assert_eq!(lines(&problems), ["Entry 2"]);
        assert!(problems[0].message.contains("are different people"));
    }

    #[test]
    fn fhir_future_date_is_refused() {
        let mut obs = observation(
            loinc("4548-4"),
            by_uuid(),
            ("valueQuantity", serde_json::json!({ "value": 52 })),
        );
        obs["resource"]["effectiveDateTime"] = "2027-01-01".into();
        let problems = parse_fhir_bundle(&bundle(&[patient(), obs]), now()).unwrap_err();
        assert_eq!(
            problems,
            [Problem::at(
                "Entry 2",
                "The date \"2027-01-01\" is in the future"
            )]
        );
    }

    #[test]
    fn fhir_file_that_is_not_a_bundle_is_one_problem_at_file() {
        let patient_only =
            serde_json::json!({ "resourceType": "Patient", "id": "ann" }).to_string();
        assert_eq!(
            parse_fhir_bundle(&patient_only, now()).unwrap_err(),
            [Problem::at(
                "File",
                "The file is a FHIR \"Patient\", not a Bundle of observations"
            )]
        );
        for json in ["[1, 2]", "{}", "\"Bundle\"", "null"] {
            assert_eq!(
                lines(&parse_fhir_bundle(json, now()).unwrap_err()),
                ["File"],
                "{json}"
            );
        }
    }

    #[test]
    fn fhir_file_that_is_not_json_says_where_it_goes_wrong() {
        assert_eq!(
            parse_fhir_bundle("{\n  \"resourceType\": \"Bundle\",\n  oops\n}", now()).unwrap_err(),
            [Problem::at(
                "File",
                "The file is not valid JSON (the first mistake is at line 3, column 3)"
            )]
        );
        for junk in [
            "",
            "\u{feff}",
            "\u{0}\u{1}binary",
            "{\"a\": 1e999}",
            &"[".repeat(10_000),
        ] {
            assert_eq!(
                lines(&parse_fhir_bundle(junk, now()).unwrap_err()),
                ["File"]
            );
        }
    }

    #[test]
    fn fhir_bundle_with_no_observations_says_so() {
        for json in [
            bundle(&[patient()]),
            bundle(&[]),
            r#"{"resourceType":"Bundle"}"#.to_owned(),
        ] {
            assert_eq!(
                parse_fhir_bundle(&json, now()).unwrap_err(),
                [Problem::at("File", "The bundle has no observations in it")]
            );
        }
    }
}
