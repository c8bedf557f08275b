//! What a result said before a lab corrected it, read from its kept versions
//! (`observation_versions`), in words: all of it for the care team; for the person only values
//! they were shown (a value the lab withdrew that nobody had shared with them would only worry
//! them, and no clinician has looked at it; one they saw must not silently change).
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QueryOrder as _,
};
use uuid::Uuid;

use super::Earlier;
use super::bounds::Bound;
use super::catalogue::{kind, value_words};
use crate::entities::{observation, observation_version, patient, preparation_pack};
use crate::error::AppError;
use crate::plan::schedule::long_date;

/// The kept versions of those results that were corrected, oldest first, by result; one query,
/// none when nothing was corrected.
pub async fn versions<'a>(
    db: &impl ConnectionTrait,
    results: impl IntoIterator<Item = &'a observation::Model>,
) -> Result<BTreeMap<Uuid, Vec<observation_version::Model>>, AppError> {
    let ids: Vec<Uuid> = results
        .into_iter()
        .filter(|o| o.corrected_at.is_some())
        .map(|o| o.id)
        .collect();
    let mut by_result: BTreeMap<Uuid, Vec<observation_version::Model>> = BTreeMap::new();
    if ids.is_empty() {
        return Ok(by_result);
    }
    for v in observation_version::Entity::find()
        .filter(observation_version::Column::ObservationId.is_in(ids))
        .order_by_asc(observation_version::Column::ReplacedAt)
        .all(db)
        .await?
    {
        by_result.entry(v.observation_id).or_default().push(v);
    }
    Ok(by_result)
}

/// When the person's preparation packs were released: what they were shown is what was live
/// at one of these moments.
pub async fn releases(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<Vec<DateTime<Utc>>, AppError> {
    Ok(preparation_pack::Entity::find()
        .filter(preparation_pack::Column::PatientId.eq(patient_id))
        .filter(preparation_pack::Column::ReleasedAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .filter_map(|p| p.released_at)
        .collect())
}

/// What each corrected result said before, for the person: only values a release showed them.
/// Two queries at most, none when nothing was corrected.
pub async fn shown_to_person(
    db: &impl ConnectionTrait,
    patient: &patient::Model,
    results: &[&observation::Model],
) -> Result<BTreeMap<Uuid, Vec<Earlier>>, AppError> {
    let versions = versions(db, results.iter().copied()).await?;
    if versions.is_empty() {
        return Ok(BTreeMap::new());
    }
    let releases = releases(db, patient.id).await?;
    let zone = crate::clock::zone(&patient.time_zone);
    Ok(results
        .iter()
        .filter_map(|o| {
            let unit = kind(&o.code).map_or("", |k| k.unit);
            let shown = earlier(o, versions.get(&o.id)?, unit, zone, |from, until| {
                was_shown(&releases, from, until)
            });
            Some((o.id, shown))
        })
        .collect())
}

/// Whether a value live from `from` until `until` was shown to the person by one of the
/// `releases`.
pub fn was_shown(releases: &[DateTime<Utc>], from: DateTime<Utc>, until: DateTime<Utc>) -> bool {
    releases.iter().any(|r| *r >= from && *r < until)
}

/// A kept version's value in words, from its JSON snapshot. Read field by field, leniently: a
/// snapshot written by an older or newer Alongside still reads. `None` when it has no value.
fn snapshot_words(snapshot: &str, unit: &str) -> Option<(String, Option<DateTime<Utc>>)> {
    let json: serde_json::Value = serde_json::from_str(snapshot).ok()?;
    let number = |key: &str| match json.get(key)? {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    let coded = text("value_code");
    let words = value_words(
        number("value_num"),
        number("value_num2"),
        coded.as_deref(),
        text("comparator").as_deref().and_then(Bound::parse),
        unit,
    );
    let taken = text("taken_at")
        .and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc));
    (!words.is_empty()).then_some((words, taken))
}

/// What the result said before each correction, oldest first, for the values `shown(from,
/// until)` allows (the care team: all of them).
pub fn earlier(
    o: &observation::Model,
    versions: &[observation_version::Model],
    unit: &str,
    zone: chrono_tz::Tz,
    shown: impl Fn(DateTime<Utc>, DateTime<Utc>) -> bool,
) -> Vec<Earlier> {
    let day = |at: DateTime<Utc>| long_date(at.with_timezone(&zone).date_naive());
    let mut from = o.created_at;
    let mut out = Vec::new();
    for v in versions {
        let live = (from, v.replaced_at);
        from = v.replaced_at;
        if !shown(live.0, live.1) {
            continue;
        }
        let Some((mut text, taken)) = snapshot_words(&v.snapshot, unit) else {
            tracing::warn!(version = %v.id, "a kept version of a result could not be read");
            continue;
        };
        // A correction can move the date too; say so rather than let the earlier value seem
        // to belong to the new date.
        if let Some(taken) = taken.filter(|t| t.date_naive() != o.taken_at.date_naive()) {
            text = format!("{text} (dated {})", long_date(taken.date_naive()));
        }
        out.push(Earlier {
            text,
            until: day(v.replaced_at),
        });
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use chrono::TimeZone as _;

    pub(crate) fn at(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, d, 12, 0, 0).unwrap()
    }

    /// An HbA1c of 58 taken on 1 December 2026 and corrected on the 3rd.
    pub(crate) fn result(created: DateTime<Utc>) -> observation::Model {
        observation::Model {
            id: Uuid::new_v4(),
            patient_id: Uuid::new_v4(),
            code: "hba1c".into(),
            value_num: Some(58.0),
            value_num2: None,
            value_code: None,
            unit: Some("mmol/mol".into()),
            taken_at: at(1),
            source: "import".into(),
            created_at: created,
            fingerprint: None,
            status: "corrected".into(),
            comparator: None,
            identifier: None,
            issued: None,
            dated_by: "taken".into(),
            performer: None,
            codings: None,
            original_value: None,
            original_unit: None,
            corrected_at: Some(at(3)),
            removed_at: None,
        }
    }

    fn version(
        o: &observation::Model,
        snapshot: &str,
        replaced: DateTime<Utc>,
    ) -> observation_version::Model {
        observation_version::Model {
            id: Uuid::new_v4(),
            observation_id: o.id,
            snapshot: snapshot.into(),
            reason: "corrected".into(),
            replaced_at: replaced,
            source: "import".into(),
        }
    }

    #[test]
    fn earlier_values_read_in_words_with_the_day_they_were_corrected() {
        let o = result(at(2));
        let v = version(
            &o,
            r#"{"value_num": 64.0, "comparator": null, "taken_at": "2026-12-01T12:00:00Z"}"#,
            at(3),
        );
        let all = earlier(&o, &[v], "mmol/mol", chrono_tz::Europe::London, |_, _| true);
        assert_eq!(
            all,
            vec![Earlier {
                text: "64 mmol/mol".into(),
                until: "3 December 2026".into()
            }]
        );
        let moved = version(
            &o,
            r#"{"value_num": 90, "comparator": ">", "taken_at": "2026-11-20T09:00:00Z"}"#,
            at(3),
        );
        let words = earlier(
            &o,
            &[moved],
            "mL/min/1.73m²",
            chrono_tz::Europe::London,
            |_, _| true,
        );
        assert_eq!(
            words[0].text,
            "more than 90 mL/min/1.73m² (dated 20 November 2026)"
        );
        let unreadable = version(&o, "not json", at(3));
        assert!(
            earlier(&o, &[unreadable], "", chrono_tz::Europe::London, |_, _| {
                true
            })
            .is_empty()
        );
    }

    #[test]
    fn the_person_sees_an_earlier_value_only_if_a_release_showed_it_to_them() {
        let o = result(at(2));
        let first = version(&o, r#"{"value_num": 64}"#, at(4));
        let second = version(&o, r#"{"value_num": 61}"#, at(6));
        // Released on the 5th: the person saw 61 (live from the 4th to the 6th), never 64.
        let releases = [at(5)];
        let seen = earlier(
            &o,
            &[first.clone(), second.clone()],
            "mmol/mol",
            chrono_tz::Europe::London,
            |from, until| was_shown(&releases, from, until),
        );
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].text, "61 mmol/mol");
        // Never released while it was wrong: nothing earlier to show.
        let none = earlier(
            &o,
            &[first, second],
            "mmol/mol",
            chrono_tz::Europe::London,
            |from, until| was_shown(&[at(7)], from, until),
        );
        assert!(none.is_empty());
    }
}
