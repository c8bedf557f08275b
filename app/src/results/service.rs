//! Results on the server: what the person sees once released, what the care team enters and
//! imports (all or nothing), and targets.
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use sea_orm::{ConnectionTrait, Set};
use sha2::{Digest as _, Sha256};
use uuid::Uuid;

use super::catalogue::{self, coded_words, show};
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

fn point(o: &observation::Model, unit: &str) -> Point {
    let text = match (o.value_num, o.value_num2, &o.value_code) {
        (Some(a), Some(b), _) => format!("{}/{} {unit}", show(a), show(b)),
        (Some(a), None, _) => format!("{} {unit}", show(a)),
        (None, _, Some(c)) => coded_words(c),
        _ => String::new(),
    };
    Point {
        day: o.taken_at.date_naive(),
        date: long_date(o.taken_at.date_naive()),
        text: text.trim().to_owned(),
        value: o.value_num,
        value2: o.value_num2,
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
    let latest = point(latest_row, kind.unit);
    let previous = rows.len().checked_sub(2).map(|i| point(rows[i], kind.unit));
    let change = match rows.len().checked_sub(2).map(|i| rows[i]) {
        Some(prev) if prev.value_num.is_none() => {
            if prev.value_code == latest_row.value_code {
                "The same as last time.".to_owned()
            } else {
                format!(
                    "Last time it was: {}.",
                    previous
                        .as_ref()
                        .map(|p| p.text.clone())
                        .unwrap_or_default()
                )
            }
        }
        Some(prev) => {
            let was = previous
                .as_ref()
                .map(|p| format!("{} on {}", p.text, p.date))
                .unwrap_or_default();
            let direction = catalogue::change_words(
                kind,
                (prev.value_num.unwrap_or(0.0), prev.value_num2),
                (latest_row.value_num.unwrap_or(0.0), latest_row.value_num2),
            );
            format!("{direction} (was {was}).")
        }
        None => "This is your first result of this kind.".to_owned(),
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
            latest_row.value_num,
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
    Ok(catalogue::KINDS
        .iter()
        .filter_map(|k| {
            let mine: Vec<&observation::Model> = rows.iter().filter(|r| r.code == k.code).collect();
            summarise(ctx.patient(), ctx.today(), &mine, &targets)
        })
        .collect())
}

pub async fn detail(state: &AppState, ctx: &Ctx, code: &str) -> Result<ResultDetail, AppError> {
    let kind = catalogue::kind(code).ok_or(AppError::NotFound)?;
    let rows = visible(state, ctx).await?;
    let mine: Vec<&observation::Model> = rows.iter().filter(|r| r.code == kind.code).collect();
    let targets = targets_of(&state.db, ctx.patient().id).await?;
    let summary =
        summarise(ctx.patient(), ctx.today(), &mine, &targets).ok_or(AppError::NotFound)?;
    let points: Vec<Point> = mine.iter().map(|o| point(o, kind.unit)).collect();
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
