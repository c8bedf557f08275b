//! Results coming into Alongside from outside: a CSV file a practice exports, or FHIR R4 JSON from
//! a lab or GP system (a Bundle, one Observation, or NDJSON). This module only reads and checks
//! them — no database, no files, no clock — so every rule about what may enter a person's record
//! can be tested here. Imports are all-or-nothing: one wrong result means nothing is stored, and
//! the nurse gets every problem at once, each in plain English with the line or entry it is on,
//! so the file can be fixed in one go rather than discovered a line at a time. What is not a
//! result Alongside shows (another test, a panel, a result not final yet) is left out and listed,
//! not a reason to refuse the file. Which codes mean which result is data, in `codes`.

use chrono::{DateTime, Months, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Europe::London;
use serde_json::Value;

use crate::nhs_number::NhsNumber;
use crate::results::catalogue::{self, KINDS, Kind, show};

/// The identifier system NHS England uses for NHS numbers in FHIR.
pub const NHS_NUMBER_SYSTEM: &str = "https://fhir.nhs.uk/Id/nhs-number";
pub const LOINC: &str = "http://loinc.org";
pub const SNOMED: &str = "http://snomed.info/sct";
/// Units of measure in FHIR Quantities.
pub const UCUM: &str = "http://unitsofmeasure.org";

/// One result ready to store.
#[derive(Clone, Debug, Default, PartialEq)]
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
    /// Whether `taken_at` is when the specimen was taken (or the check done), or only when the
    /// lab reported it (`issued`), which the person reads as "reported on".
    pub dated_by: DatedBy,
    /// A bound rather than an exact number: `value_num` is the bound.
    pub comparator: Option<Comparator>,
    pub status: Status,
    /// The lab's identifier for the result, `system|value`.
    pub identifier: Option<String>,
    pub issued: Option<DateTime<Utc>>,
    /// Who did the test, as the file names them (a lab, a practice).
    pub performer: Option<String>,
    /// Every coding of the result's code, as sent.
    pub codings: Vec<Coding>,
    /// When the value was converted into the catalogue's unit: the value and unit as sent,
    /// e.g. ("6.1", "%").
    pub original: Option<(String, String)>,
    /// What the file says of the person besides the NHS number, checked against our record.
    pub claimed: Claimed,
}

/// How a result is dated.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DatedBy {
    #[default]
    Taken,
    Reported,
}

impl DatedBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Taken => "taken",
            Self::Reported => "reported",
        }
    }
}

/// A FHIR Quantity comparator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparator {
    Less,
    LessOrEqual,
    MoreOrEqual,
    More,
}

impl Comparator {
    /// As FHIR writes it: "<", "<=", ">=", ">".
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Less => "<",
            Self::LessOrEqual => "<=",
            Self::MoreOrEqual => ">=",
            Self::More => ">",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "<" => Some(Self::Less),
            "<=" | "≤" => Some(Self::LessOrEqual),
            ">=" | "≥" => Some(Self::MoreOrEqual),
            ">" => Some(Self::More),
            _ => None,
        }
    }
}

/// A result's status, as FHIR names it; only these reach the store.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Status {
    #[default]
    Final,
    Amended,
    Corrected,
    /// The lab withdrew it: the stored result leaves every view, its history kept.
    EnteredInError,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Final => "final",
            Self::Amended => "amended",
            Self::Corrected => "corrected",
            Self::EnteredInError => "entered-in-error",
        }
    }

    /// Amended and corrected results replace an earlier one for the same test.
    pub fn replaces(self) -> bool {
        matches!(self, Self::Amended | Self::Corrected)
    }
}

/// One coding of a result's code, as sent.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Coding {
    pub system: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
}

/// What a file says about the person, besides their NHS number.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claimed {
    pub birth_date: Option<NaiveDate>,
    pub family_name: Option<String>,
}

pub use crate::results::Skipped;

/// A file read whole: the results to store and what was left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub results: Vec<Incoming>,
    pub skipped: Vec<Skipped>,
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

/// Which catalogue kind a code means: our own code ("hba1c"), or any LOINC or SNOMED CT code
/// in `codes::CODES`.
pub fn kind_for(code: &str) -> Option<&'static Kind> {
    let code = code.trim();
    KINDS
        .iter()
        .find(|k| k.code.eq_ignore_ascii_case(code))
        .or_else(|| codes::known_bare(code).and_then(|c| catalogue::kind(c.kind)))
}

/// A value that may be a bound, as labs write it: ">90" (more than 90) or "<3". Only a single
/// number can be a bound; the value is the bound, checked like any other value.
pub fn read_value_or_bound(
    code: &str,
    raw: &str,
) -> Result<(Option<Comparator>, ValueParts), String> {
    let trimmed = raw.trim();
    let Some((comparator, rest)) = ["<=", ">=", "≤", "≥", "<", ">"]
        .iter()
        .find_map(|c| Some((Comparator::parse(c)?, trimmed.strip_prefix(c)?)))
    else {
        return read_value(code, raw).map(|parts| (None, parts));
    };
    match kind_for(code) {
        Some(kind) if kind.code == "blood_pressure" => Err(format!(
            "A blood pressure must be two exact numbers, not a bound like {}",
            quote(raw)
        )),
        Some(kind) if is_coded(kind) => Err(format!(
            "{} results cannot be a bound like {}",
            label(kind),
            quote(raw)
        )),
        _ => read_value(code, rest).map(|parts| (Some(comparator), parts)),
    }
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

/// A file of results, whatever its form: a FHIR Bundle, a single FHIR Observation or NDJSON (one
/// FHIR resource a line), all JSON; or a CSV file. All-or-nothing: Ok only when every result is
/// good, with what was left out listed; otherwise every problem.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<Parsed, Vec<Problem>> {
    let body = text.strip_prefix('\u{feff}').unwrap_or(text);
    let start = body.trim_start();
    if start.is_empty() {
        return Err(vec![Problem::at("File", "The file is empty")]);
    }
    if start.starts_with('<') {
        // Reading XML as well would double what can go wrong for a form every FHIR server can
        // also give as JSON.
        let message = if start.contains("hl7.org/fhir") {
            "This is FHIR XML; export it as JSON"
        } else {
            "This file is XML or a web page, not CSV or FHIR JSON"
        };
        return Err(vec![Problem::at("File", message)]);
    }
    if start.starts_with(['{', '[']) {
        return fhir::parse_json(body, now);
    }
    parse_csv(text, now).map(|results| Parsed {
        results,
        skipped: Vec::new(),
    })
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

pub mod codes;
mod csv_file;
mod dates;
mod fhir;
mod units;
mod values;
use csv_file::*;
use dates::*;
use values::*;

#[cfg(test)]
mod tests;
