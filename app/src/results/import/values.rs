//! Values: the plausible range and the choices of each kind, numbers with or without their
//! unit, blood pressures, and the words a nurse reads when one is wrong.
use super::*;

/// The plausible range for each numeric kind. These are not clinical bands: they only catch what
/// cannot be a real measurement (a typo, a wrong column, a value in other units such as HbA1c as
/// a percentage), so a surprising but possible value still goes through for a clinician to see.
/// Every numeric kind in the catalogue has one (a test checks this); a kind added without one is
/// refused rather than let in unchecked.
pub(super) struct Range {
    pub(super) low: f64,
    pub(super) high: f64,
    pub(super) whole: bool,
}

pub(super) fn range(code: &str) -> Option<Range> {
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

pub(super) const SYSTOLIC: (f64, f64) = (50.0, 300.0);
pub(super) const DIASTOLIC: (f64, f64) = (30.0, 200.0);

/// The values each coded kind may take, as stored. `coded_words` in the catalogue only names
/// them; which belong to which kind lives here because this is where values are checked.
pub(super) fn choices(code: &str) -> &'static [&'static str] {
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
pub(super) fn snomed_value(kind: &Kind, code: &str) -> Option<&'static str> {
    match (kind.code, code) {
        ("smoking_status", "266919005") => Some("never"),
        ("smoking_status", "8517006") => Some("ex_smoker"),
        ("smoking_status", "77176002") => Some("current"),
        _ => None,
    }
}

/// Coded kinds are the ones the catalogue gives no unit.
pub(super) fn is_coded(kind: &Kind) -> bool {
    kind.unit.is_empty()
}

/// "HbA1c" from "HbA1c (average blood sugar)": short enough to sit inside a sentence.
pub(super) fn label(kind: &Kind) -> &'static str {
    kind.name.split(" (").next().unwrap_or(kind.name)
}

/// The label as it reads mid-sentence: "body mass index", "non-HDL cholesterol", but
/// abbreviations such as "HbA1c" and "COPD" keep their capitals.
pub(super) fn mid(kind: &Kind) -> String {
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

pub(super) fn coded_value(kind: &Kind, raw: &str) -> Option<&'static str> {
    // Underscores, hyphens and spaces are the same to a person typing "ex-smoker" or "ex smoker".
    let fold = |s: &str| s.trim().to_lowercase().replace(['_', '-'], " ");
    let typed = fold(raw);
    choices(kind.code)
        .iter()
        .copied()
        .find(|c| fold(c) == typed || fold(&catalogue::coded_words(c)) == typed)
        .or_else(|| snomed_value(kind, raw.trim()))
}

pub(super) fn coded_error(kind: &Kind, raw: &str) -> String {
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

pub(super) fn not_a_number(kind: &Kind, raw: &str) -> String {
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
pub(super) fn check_number(kind: &Kind, v: f64, shown: &str) -> Result<f64, String> {
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

pub(super) fn check_blood_pressure(
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
pub(super) fn parse_number(s: &str) -> Option<f64> {
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
pub(super) fn split_unit(raw: &str) -> (&str, &str) {
    let at = raw
        .find(|c: char| !(c.is_ascii_digit() || matches!(c, '.' | '+' | '-' | '/' | ' ' | '\t')))
        .unwrap_or(raw.len());
    (raw[..at].trim(), raw[at..].trim())
}

/// Whether a unit as given means the catalogue's unit. Pragmatic rather than a UCUM parser:
/// systems send the printable unit ("mL/min/1.73m²", "µmol/L"), the UCUM code ("mL/min/{1.73_m2}",
/// "umol/L", "mm[Hg]", "{score}") or either in another case, and all of those mean the same here.
/// Folding case is safe because no two units we accept differ only by case.
pub(super) fn unit_matches(given: &str, expected: &str) -> bool {
    pub(super) fn fold(unit: &str) -> String {
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
pub(super) fn quote(raw: &str) -> String {
    pub(super) const MOST: usize = 40;
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
pub(super) fn quote_number(raw: &str) -> String {
    let q = quote(raw);
    q.trim_matches('"').to_owned()
}
