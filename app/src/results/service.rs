//! Results on the server: what the person sees once released, what the care team enters and
//! imports (all or nothing), and targets.
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use sea_orm::{ConnectionTrait, Set};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::bounds::{Bound, Reading};
use super::catalogue::{self, value_words};
use super::corrections;
use super::import::{self, Incoming};
use super::{Point, ResultDetail, ResultSummary};
use crate::access::{PatientCtx, Permission};
use crate::auth::audit;
use crate::entities::{observation, patient, preparation_pack, result_target};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::plan::service::Ctx;
use crate::state::AppState;

pub async fn ctx() -> Result<(AppState, Ctx), AppError> {
    crate::plan::api::ctx(Permission::ReadResults).await
}

/// Results the person may see: those entered before their latest released pack.
pub async fn visible(state: &AppState, ctx: &Ctx) -> Result<Vec<observation::Model>, AppError> {
    let released = preparation_pack::Entity::find()
        .filter(preparation_pack::Column::PatientId.eq(ctx.patient().id))
        .filter(preparation_pack::Column::ReleasedAt.is_not_null())
        .order_by_desc(preparation_pack::Column::ReleasedAt)
        .one(&state.db)
        .await?
        .and_then(|p| p.released_at);
    let Some(released) = released else {
        return Ok(Vec::new());
    };
    Ok(observation::Entity::find()
        .filter(observation::Column::PatientId.eq(ctx.patient().id))
        .filter(observation::Column::CreatedAt.lte(released))
        .filter(observation::Column::RemovedAt.is_null())
        .order_by_asc(observation::Column::TakenAt)
        .all(&state.db)
        .await?)
}

pub async fn targets_of(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<Vec<result_target::Model>, AppError> {
    Ok(result_target::Entity::find()
        .filter(result_target::Column::PatientId.eq(patient_id))
        .all(db)
        .await?)
}

/// The same result (person, kind, time, value) always has the same fingerprint, so a
/// second import of a file adds nothing.
pub(super) fn fingerprint(patient_id: Uuid, r: &Incoming) -> String {
    let text = format!(
        "{patient_id}|{}|{}|{:?}|{:?}|{:?}",
        r.code,
        r.taken_at.timestamp(),
        r.value_num,
        r.value_num2,
        r.value_code
    );
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Stores results, skipping any already stored. Returns how many were new.
pub async fn store(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    rows: &[(Uuid, Incoming)],
    source: &str,
) -> Result<u64, AppError> {
    if rows.is_empty() {
        return Ok(0);
    }
    let models = rows.iter().map(|(patient_id, r)| observation::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(*patient_id),
        code: Set(r.code.to_owned()),
        value_num: Set(r.value_num),
        value_num2: Set(r.value_num2),
        value_code: Set(r.value_code.clone()),
        unit: Set(r.unit.clone()),
        taken_at: Set(r.taken_at),
        source: Set(source.to_owned()),
        created_at: Set(now),
        fingerprint: Set(Some(fingerprint(*patient_id, r))),
        status: Set(r.status.as_str().to_owned()),
        comparator: Set(r.comparator.map(|c| c.as_str().to_owned())),
        identifier: Set(r.identifier.clone()),
        issued: Set(r.issued),
        dated_by: Set(r.dated_by.as_str().to_owned()),
        performer: Set(r.performer.clone()),
        codings: Set(
            (!r.codings.is_empty()).then(|| serde_json::to_string(&r.codings).unwrap_or_default())
        ),
        original_value: Set(r.original.as_ref().map(|o| o.0.clone())),
        original_unit: Set(r.original.as_ref().map(|o| o.1.clone())),
        corrected_at: Set(None),
        removed_at: Set(None),
    });
    let mut added = 0;
    // Batches keep each statement well under SQLite's and PostgreSQL's parameter limits.
    let models: Vec<_> = models.collect();
    for chunk in models.chunks(500) {
        added += observation::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(observation::Column::Fingerprint)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(added)
}

/// A care-team member enters one result by hand.
/// For a record opened to enter results (`EnterResults`).
pub async fn add_manual(
    state: &AppState,
    ctx: &PatientCtx,
    form: &super::ResultForm,
) -> Result<(), AppError> {
    ctx.opened_for(Permission::EnterResults)?;
    let (staff, p) = (ctx.actor().account_id, ctx.patient());
    let now = state.clock.now();
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let kind = catalogue::kind(&form.code);
    if kind.is_none() {
        errors.insert("code".into(), vec!["Choose which result this is".into()]);
    }
    let value = match kind {
        Some(k) if form.value.trim().is_empty() => {
            errors.insert("value".into(), vec![format!("Enter the {}", k.name)]);
            None
        }
        Some(k) => match import::read_value(k.code, &form.value) {
            Ok(v) => Some(v),
            Err(msg) => {
                errors.insert("value".into(), vec![msg]);
                None
            }
        },
        None => None,
    };
    let taken = if form.taken_on.trim().is_empty() {
        errors.insert(
            "taken_on".into(),
            vec!["Enter the date the result was taken".into()],
        );
        None
    } else {
        match import::read_taken(&form.taken_on, now) {
            Ok(t) => Some(t),
            Err(msg) => {
                errors.insert("taken_on".into(), vec![msg]);
                None
            }
        }
    };
    let (Some(kind), Some((v1, v2, coded)), Some(taken_at), true) =
        (kind, value, taken, errors.is_empty())
    else {
        return Err(AppError::Validation(errors));
    };
    let incoming = Incoming {
        place: "Form".into(),
        nhs_number: p.nhs_number.clone(),
        code: kind.code,
        value_num: v1,
        value_num2: v2,
        value_code: coded.clone(),
        unit: coded.is_none().then(|| kind.unit.to_owned()),
        taken_at,
        ..Incoming::default()
    };
    let txn = crate::state::begin_write(&state.db).await?;
    let added = store(&txn, now, &[(p.id, incoming)], "entered").await?;
    if added == 0 {
        return Err(AppError::field(
            "value",
            "This result is already recorded for that date",
        ));
    }
    audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "result_added").await?;
    txn.commit().await?;
    Ok(())
}

/// Sets (or, with an empty value, removes) a person's own target for a kind of result.
/// For a record opened to set targets (`SetTargets`).
pub async fn set_target(
    state: &AppState,
    ctx: &PatientCtx,
    code: &str,
    value: &str,
) -> Result<(), AppError> {
    ctx.opened_for(Permission::SetTargets)?;
    let (staff, p) = (ctx.actor().account_id, ctx.patient());
    let patient_id = p.id;
    let kind = catalogue::kind(code)
        .filter(|k| k.better.is_some())
        .ok_or_else(|| AppError::field("code", "Choose a result that has a number target"))?;
    if value.trim().is_empty() {
        result_target::Entity::delete_many()
            .filter(result_target::Column::PatientId.eq(patient_id))
            .filter(result_target::Column::Code.eq(kind.code))
            .exec(&state.db)
            .await?;
        return audit::staff_touch(&state.db, state.clock.as_ref(), staff, p, "target_set").await;
    }
    let (v1, v2, _) =
        import::read_value(kind.code, value).map_err(|m| AppError::field("value", m))?;
    let Some(v1) = v1 else {
        return Err(AppError::field("value", "Enter a number"));
    };
    result_target::Entity::insert(result_target::ActiveModel {
        patient_id: Set(patient_id),
        code: Set(kind.code.to_owned()),
        value: Set(v1),
        value2: Set(v2),
        set_by: Set(staff),
        set_at: Set(state.clock.now()),
    })
    .on_conflict(
        OnConflict::columns([
            result_target::Column::PatientId,
            result_target::Column::Code,
        ])
        .update_columns([
            result_target::Column::Value,
            result_target::Column::Value2,
            result_target::Column::SetBy,
            result_target::Column::SetAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(&state.db)
    .await?;
    audit::staff_touch(&state.db, state.clock.as_ref(), staff, p, "target_set").await
}

/// One result as shown: its value in words (a bound as "more than 90"), what the lab sent when
/// Alongside converted it, whether only the report's day is known, and when it was corrected.
/// Earlier values are added by the caller, who knows who is looking.
fn point(o: &observation::Model, unit: &str, zone: chrono_tz::Tz) -> Point {
    let bound = o.comparator.as_deref().and_then(Bound::parse);
    let converted = match (&o.original_value, &o.original_unit) {
        (Some(v), Some(u)) => {
            // The value as sent may carry its comparator ("<30"); else the result's own.
            let v = v.trim();
            let digits = v.trim_start_matches(['<', '>', '=', '≤', '≥']);
            let sign = Bound::parse(&v[..v.len() - digits.len()]).or(bound);
            let sent = match sign {
                Some(b) => b.words(digits.trim(), u.trim()),
                None => format!("{digits} {}", u.trim()),
            };
            Some(format!("converted from {}", sent.trim()))
        }
        _ => None,
    };
    Point {
        day: o.taken_at.date_naive(),
        date: long_date(o.taken_at.date_naive()),
        text: value_words(
            o.value_num,
            o.value_num2,
            o.value_code.as_deref(),
            bound,
            unit,
        ),
        value: o.value_num,
        value2: o.value_num2,
        bound,
        converted,
        reported: o.dated_by == "reported",
        corrected: o
            .corrected_at
            .map(|at| long_date(at.with_timezone(&zone).date_naive())),
        earlier: Vec::new(),
    }
}

#[cfg(test)]
#[path = "display_tests.rs"]
mod display_tests;

/// The reading a result gives, for band, target and change wording.
fn reading(o: &observation::Model) -> Option<Reading> {
    o.value_num.map(|value| Reading {
        value,
        bound: o.comparator.as_deref().and_then(Bound::parse),
    })
}

/// How the latest result changed since the one before, in a sentence. A bound is never read
/// as an exact number: when the lab gave one and the change cannot be known, it says so.
fn change_sentence(
    kind: &catalogue::Kind,
    prev: &observation::Model,
    latest: &observation::Model,
    was: &Point,
    now: &Point,
) -> String {
    if prev.value_num.is_none() {
        return if prev.value_code == latest.value_code {
            "The same as last time.".to_owned()
        } else {
            format!("Last time it was: {}.", was.text)
        };
    }
    let (Some(before), Some(after)) = (reading(prev), reading(latest)) else {
        return format!("Last time it was {}.", was.dated());
    };
    let known = match (
        before.bound,
        after.bound,
        prev.value_num2,
        latest.value_num2,
    ) {
        (None, None, _, _) => Some(catalogue::change_words(
            kind,
            (before.value, prev.value_num2),
            (after.value, latest.value_num2),
        )),
        // A bound on one number of a pair: the pair's change cannot be read as a whole.
        (_, _, Some(_), _) | (_, _, _, Some(_)) => None,
        _ => catalogue::change_of_readings(kind, before, after),
    };
    match (known, before.bound, after.bound) {
        (Some(direction), _, _) => format!("{direction} (was {}).", was.dated()),
        (None, None, _) => format!(
            "We cannot say how much it changed: the lab gave {} rather than an exact number (last time: {}).",
            now.text,
            was.dated()
        ),
        (None, Some(_), None) => format!(
            "We cannot say how much it changed: last time ({}) the lab gave {} rather than an exact number.",
            was.date, was.text
        ),
        (None, Some(_), Some(_)) => format!(
            "We cannot say how much it changed: the lab gave {} this time and {} last time ({}), not exact numbers.",
            now.text, was.text, was.date
        ),
    }
}

fn own_target(targets: &[result_target::Model], code: &str) -> Option<(f64, Option<f64>)> {
    targets
        .iter()
        .find(|t| t.code == code)
        .map(|t| (t.value, t.value2))
}

fn age_on(born: NaiveDate, day: NaiveDate) -> u32 {
    let mut age = day.year() - born.year();
    if (day.month(), day.day()) < (born.month(), born.day()) {
        age -= 1;
    }
    u32::try_from(age).unwrap_or(0)
}

pub fn summarise(
    p: &patient::Model,
    today: NaiveDate,
    rows: &[&observation::Model],
    targets: &[result_target::Model],
) -> Option<ResultSummary> {
    let latest_row = rows.last()?;
    let kind = catalogue::kind(&latest_row.code)?;
    let zone = crate::clock::zone(&p.time_zone);
    let latest = point(latest_row, kind.unit, zone);
    let prev_row = rows.len().checked_sub(2).map(|i| rows[i]);
    let previous = prev_row.map(|r| point(r, kind.unit, zone));
    let change = match (prev_row, &previous) {
        (Some(prev), Some(was)) => change_sentence(kind, prev, latest_row, was, &latest),
        _ => "This is your first result of this kind.".to_owned(),
    };
    let age = age_on(p.date_of_birth, today);
    let own = own_target(targets, kind.code);
    Some(ResultSummary {
        code: kind.code.to_owned(),
        name: kind.name.to_owned(),
        latest,
        previous,
        change,
        assessment: catalogue::assess(
            kind.code,
            reading(latest_row),
            latest_row.value_num2,
            latest_row.value_code.as_deref(),
            age,
            own,
        ),
    })
}

pub async fn summaries(state: &AppState, ctx: &Ctx) -> Result<Vec<ResultSummary>, AppError> {
    let rows = visible(state, ctx).await?;
    let targets = targets_of(&state.db, ctx.patient().id).await?;
    let all: Vec<&observation::Model> = rows.iter().collect();
    let earlier = corrections::shown_to_person(&state.db, ctx.patient(), &all).await?;
    Ok(catalogue::KINDS
        .iter()
        .filter_map(|k| {
            let mine: Vec<&observation::Model> = rows.iter().filter(|r| r.code == k.code).collect();
            let mut summary = summarise(ctx.patient(), ctx.today(), &mine, &targets)?;
            if let Some(e) = mine.last().and_then(|o| earlier.get(&o.id)) {
                summary.latest.earlier.clone_from(e);
            }
            Some(summary)
        })
        .collect())
}

pub async fn detail(state: &AppState, ctx: &Ctx, code: &str) -> Result<ResultDetail, AppError> {
    let kind = catalogue::kind(code).ok_or(AppError::NotFound)?;
    let rows = visible(state, ctx).await?;
    let mine: Vec<&observation::Model> = rows.iter().filter(|r| r.code == kind.code).collect();
    let targets = targets_of(&state.db, ctx.patient().id).await?;
    let mut summary =
        summarise(ctx.patient(), ctx.today(), &mine, &targets).ok_or(AppError::NotFound)?;
    let zone = crate::clock::zone(&ctx.patient().time_zone);
    let mut earlier = corrections::shown_to_person(&state.db, ctx.patient(), &mine).await?;
    let points: Vec<Point> = mine
        .iter()
        .map(|o| Point {
            earlier: earlier.remove(&o.id).unwrap_or_default(),
            ..point(o, kind.unit, zone)
        })
        .collect();
    if let Some(last) = points.last() {
        summary.latest.earlier.clone_from(&last.earlier);
    }
    let trend = match (points.first(), points.last()) {
        (Some(first), Some(last)) if points.len() > 1 => format!(
            "{} results from {} to {}: from {} to {}.",
            points.len(),
            first.date,
            last.date,
            first.text,
            last.text
        ),
        _ => "There is one result so far.".to_owned(),
    };
    let age = age_on(ctx.patient().date_of_birth, ctx.today());
    let bands = catalogue::target_bands(kind.code, age, own_target(&targets, kind.code));
    let step = match (&kind.meaningful, points.last().and_then(|p| p.value)) {
        (Some(m), Some(latest)) => Some(m.first.size_at(latest)),
        _ => None,
    };
    Ok(ResultDetail {
        summary,
        bands,
        step,
        what: kind.what.to_owned(),
        why: kind.why.to_owned(),
        numbers: kind.numbers.to_owned(),
        unit: kind.unit.to_owned(),
        points,
        trend,
    })
}
