//! A practice's CSV export: its columns, and each line read into a result.
use super::*;

pub(super) const REQUIRED_COLUMNS: [&str; 4] = ["nhs_number", "result", "value", "taken_on"];

/// Where each column is. Columns other than ours are ignored, so a practice can leave a notes
/// column in its export.
pub(super) struct Columns {
    pub(super) nhs_number: usize,
    pub(super) result: usize,
    pub(super) value: usize,
    pub(super) taken_on: usize,
    pub(super) unit: Option<usize>,
}

impl Columns {
    pub(super) fn find(header: &csv::StringRecord) -> Result<Self, Vec<String>> {
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

pub(super) fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

pub(super) fn line_place(line: Option<u64>) -> String {
    format!("Line {}", line.unwrap_or(1))
}

pub(super) fn read_row(
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

    let value = kind
        .map(|k| read_value_or_bound(k.code, field(columns.value)).map_err(|m| messages.push(m)));

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
            Some(Ok((comparator, (value_num, value_num2, value_code)))),
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
            comparator,
            ..Incoming::default()
        }),
        _ => Err(messages),
    }
}

/// A kind as a CSV names it: a code `kind_for` knows, or the kind's name in full or before its
/// bracket ("HbA1c", "Blood pressure"), as someone typing by hand would write it.
pub(super) fn kind_named(result: &str) -> Option<&'static Kind> {
    let result = result.trim();
    kind_for(result).or_else(|| {
        KINDS
            .iter()
            .find(|k| k.name.eq_ignore_ascii_case(result) || label(k).eq_ignore_ascii_case(result))
    })
}

pub(super) fn valid_nhs_number(raw: &str) -> Result<String, String> {
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
