//! Units of a FHIR Quantity: UCUM only, in the catalogue's unit or one of the few with a
//! well-defined conversion into it. A known result in any other unit is refused by name, because
//! a number read in the wrong unit is a wrong result.
use super::*;

/// A unit another system may send for a kind, and how its number becomes the catalogue's.
pub(super) struct Conversion {
    /// The unit as messages name it.
    pub(super) unit: &'static str,
    /// How systems write it (UCUM code and printable unit), compared as `unit_matches` does.
    pub(super) spellings: &'static [&'static str],
    pub(super) convert: fn(f64) -> f64,
}

fn round_to(v: f64, places: i32) -> f64 {
    let scale = 10_f64.powi(places);
    (v * scale).round() / scale
}

/// IFCC (mmol/mol) = (DCCT % − 2.15) × 10.929: the IFCC–DCCT master equation used by UK labs
/// since the 2009 change to mmol/mol; whole numbers, as labs report them.
fn hba1c_percent(v: f64) -> f64 {
    round_to((v - 2.15) * 10.929, 0)
}

/// mg albumin per g creatinine to mg per mmol: one mmol of creatinine weighs 113.12 mg, so
/// 1 mg/mmol = 8.84 mg/g.
fn acr_mg_per_g(v: f64) -> f64 {
    round_to(v / 8.84, 1)
}

/// Creatinine's molar mass is 113.12 g/mol: 1 mg/dL = 88.42 µmol/L.
fn creatinine_mg_per_dl(v: f64) -> f64 {
    round_to(v * 88.42, 0)
}

/// Cholesterol's molar mass is 386.65 g/mol: 1 mmol/L = 38.67 mg/dL.
fn cholesterol_mg_per_dl(v: f64) -> f64 {
    round_to(v / 38.67, 1)
}

pub(super) fn conversions(code: &str) -> &'static [Conversion] {
    match code {
        "hba1c" => &[Conversion {
            unit: "%",
            spellings: &["%"],
            convert: hba1c_percent,
        }],
        "urine_acr" => &[Conversion {
            unit: "mg/g",
            spellings: &["mg/g", "mg/g{creat}"],
            convert: acr_mg_per_g,
        }],
        "serum_creatinine" => &[Conversion {
            unit: "mg/dL",
            spellings: &["mg/dL"],
            convert: creatinine_mg_per_dl,
        }],
        "non_hdl_cholesterol" => &[Conversion {
            unit: "mg/dL",
            spellings: &["mg/dL"],
            convert: cholesterol_mg_per_dl,
        }],
        _ => &[],
    }
}

/// Other ways of writing a kind's own unit that `unit_matches` does not fold together.
fn also_spelt(code: &str) -> &'static [&'static str] {
    match code {
        "serum_creatinine" => &["micromol/L"],
        _ => &[],
    }
}

#[derive(Clone, Copy)]
enum UnitIs {
    Ours,
    Converted(&'static Conversion),
}

impl UnitIs {
    fn same(self, other: Self) -> bool {
        match (self, other) {
            (Self::Ours, Self::Ours) => true,
            (Self::Converted(a), Self::Converted(b)) => a.unit == b.unit,
            _ => false,
        }
    }
}

fn unit_is(kind: &Kind, given: &str) -> Option<UnitIs> {
    if unit_matches(given, kind.unit)
        || also_spelt(kind.code).iter().any(|u| unit_matches(given, u))
    {
        return Some(UnitIs::Ours);
    }
    conversions(kind.code)
        .iter()
        .find(|c| c.spellings.iter().any(|s| unit_matches(given, s)))
        .map(UnitIs::Converted)
}

/// The units a kind is accepted in, for messages: "mmol/mol, or % (converted to mmol/mol)".
pub(super) fn accepted(kind: &Kind) -> String {
    let others: Vec<String> = conversions(kind.code)
        .iter()
        .map(|c| format!("{} (converted to {})", c.unit, kind.unit))
        .collect();
    if others.is_empty() {
        format!("{} only", kind.unit)
    } else {
        format!("{}, or {}", kind.unit, others.join(", or "))
    }
}

/// A number read from a Quantity, in the catalogue's unit.
pub(super) struct Reading {
    pub(super) value: f64,
    /// The number as it reads in messages (after conversion, the converted number).
    pub(super) shown: String,
    pub(super) comparator: Option<Comparator>,
    /// The value and unit as sent, when converted.
    pub(super) original: Option<(String, String)>,
}

/// The number in a Quantity, with its comparator and unit checked and converted if need be.
pub(super) fn quantity(q: Option<&Value>, kind: &Kind, what: &str) -> Result<Reading, String> {
    let Some(q) = q else {
        return Err(format!("{what} is missing (valueQuantity)"));
    };
    let Some(number) = q.get("value").and_then(Value::as_number) else {
        return Err(format!("{what} has no number in it"));
    };
    let shown = number.to_string();
    let comparator = match q.get("comparator") {
        None | Some(Value::Null) => None,
        Some(given) => {
            let raw = given
                .as_str()
                .map_or_else(|| given.to_string(), str::to_owned);
            Some(Comparator::parse(&raw).ok_or_else(|| {
                format!(
                    "{what} has the comparator {}, which we cannot read; only <, <=, >= and > can be imported",
                    quote(&raw)
                )
            })?)
        }
    };
    let Some(v) = number.as_f64().filter(|v| v.is_finite()) else {
        return Err(format!(
            "{what} {} is not a number we can read",
            quote(&shown)
        ));
    };
    if let Some(system) = q.get("system").and_then(Value::as_str)
        && system.trim() != UCUM
    {
        return Err(format!(
            "{what} gives its unit in {}, not in UCUM ({UCUM}); only UCUM units can be imported",
            quote(system)
        ));
    }
    let text = |field: &str| {
        q.get(field)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|u| !u.is_empty())
    };
    let (code, unit) = (text("code"), text("unit"));
    let found: Vec<UnitIs> = [code, unit]
        .into_iter()
        .flatten()
        .filter_map(|u| unit_is(kind, u))
        .collect();
    let unit_is = match (found.as_slice(), unit.or(code)) {
        ([], None) => UnitIs::Ours,
        ([], Some(given)) => {
            return Err(format!(
                "{what} is in {}, which is not a unit we can read for {}: we accept {}",
                quote(given),
                mid(kind),
                accepted(kind)
            ));
        }
        ([first, rest @ ..], _) => {
            if rest.iter().any(|other| !other.same(*first)) {
                return Err(format!(
                    "{what} has a unit code {} and a unit {} that disagree",
                    quote(code.unwrap_or_default()),
                    quote(unit.unwrap_or_default())
                ));
            }
            *first
        }
    };
    Ok(match unit_is {
        UnitIs::Ours => Reading {
            value: v,
            shown,
            comparator,
            original: None,
        },
        UnitIs::Converted(conversion) => {
            let converted = (conversion.convert)(v);
            Reading {
                value: converted,
                shown: show(converted),
                comparator,
                original: Some((shown, unit.or(code).unwrap_or(conversion.unit).to_owned())),
            }
        }
    })
}
