//! A FHIR R4 Bundle: its Patients, and each Observation read into a result.
use super::*;

/// A Patient in the bundle, kept only to find the NHS number an Observation's subject points to.
pub(super) struct BundlePatient<'a> {
    pub(super) full_url: Option<&'a str>,
    pub(super) id: Option<&'a str>,
    pub(super) nhs_number: Option<&'a str>,
}

impl<'a> BundlePatient<'a> {
    pub(super) fn read(entry: &'a Value) -> Option<Self> {
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
pub(super) fn nhs_identifier(identifier: &Value) -> Option<&str> {
    let is_nhs = |i: &&Value| i.get("system").and_then(Value::as_str) == Some(NHS_NUMBER_SYSTEM);
    match identifier {
        Value::Array(list) => list.iter().find(is_nhs),
        single => Some(single).filter(is_nhs),
    }
    .and_then(|i| i.get("value"))
    .and_then(Value::as_str)
}

pub(super) fn read_observation(
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
                ..Incoming::default()
            })
        }
        _ => Err(messages),
    }
}

pub(super) fn subject_nhs_number(
    obs: &Value,
    patients: &[BundlePatient<'_>],
) -> Result<String, String> {
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

pub(super) fn referred_nhs_number<'a>(
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
pub(super) fn codings(concept: Option<&Value>) -> Vec<(&str, &str)> {
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

pub(super) fn observation_kind(obs: &Value) -> Result<&'static Kind, String> {
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

pub(super) fn observation_value(obs: &Value, kind: &Kind) -> Result<ValueParts, String> {
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
pub(super) fn quantity(
    q: Option<&Value>,
    kind: &Kind,
    what: &str,
) -> Result<(f64, String), String> {
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
