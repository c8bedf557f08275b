//! Results arriving in bulk (#20): a file is read by `import` (no database), then matched to
//! people and to the results already here, and stored all or nothing. The rules that keep one
//! live value per test:
//! - the same result again (same identifier, or same kind and time with the same value) changes
//!   nothing;
//! - an `amended` or `corrected` result replaces the earlier one with the same identifier (or, when
//!   either has none, the same kind and specimen time), keeping the earlier value as a version;
//! - `entered-in-error` takes the earlier one out of every view, its versions kept;
//! - a *final* result with a different value for a test already here is refused (the lab must
//!   say it replaces it), except that an original arriving after its correction is left out as
//!   older.
//!
//! Imports take one turn at a time (`Turn::ResultsImport`): each decides from what is stored, so
//! two at once must not both decide from the same state.
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use sea_orm::{ConnectionTrait, Set};
use uuid::Uuid;

use super::bounds::Bound;
use super::catalogue;
use super::import::{self, Incoming, Problem, Skipped, Status};
use super::service::fingerprint;
use crate::access::{self, Permission, StaffCtx};
use crate::auth::audit;
use crate::db::Turn;
use crate::entities::{observation, observation_version, patient};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::state::AppState;

pub use super::Imported;

/// The session key under which the latest import's report waits for the import page.
pub const REPORT_KEY: &str = "import_report";

/// Imports a file of results (CSV, FHIR JSON Bundle, one Observation, or NDJSON) for people of
/// the importer's organisations. All or nothing: if any result is wrong, nothing is stored and
/// every problem is reported (as `Validation` with the list under "file").
pub async fn import(state: &AppState, ctx: &StaffCtx, content: &str) -> Result<Imported, AppError> {
    if ctx.permission() != Permission::EnterResults {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    let staff = ctx.actor().account_id;
    let trimmed = content.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(AppError::field("file", "Choose a file to upload"));
    }
    let parsed = import::parse(content, now).map_err(report)?;
    // Only the people for whom the importer may enter results: read through the access
    // layer's filter (the same rules a check uses), in one query per batch.
    let visible = access::visible_people(&state.db, ctx.actor(), Permission::EnterResults).await?;
    let mut numbers: Vec<&str> = parsed
        .results
        .iter()
        .map(|r| r.nhs_number.as_str())
        .collect();
    numbers.sort_unstable();
    numbers.dedup();
    let mut people: HashMap<String, patient::Model> = HashMap::new();
    for chunk in numbers.chunks(500) {
        for p in patient::Entity::find()
            .filter(patient::Column::NhsNumber.is_in(chunk.iter().copied()))
            .filter(visible.clone())
            .all(&state.db)
            .await?
        {
            people.insert(p.nhs_number.clone(), p);
        }
    }
    let mut problems = Vec::new();
    let mut rows = Vec::with_capacity(parsed.results.len());
    for r in parsed.results {
        match people.get(&r.nhs_number) {
            None => problems.push(Problem {
                place: r.place.clone(),
                message: format!(
                    "no one with NHS number {} is on your list (or you cannot add results for them)",
                    r.nhs_number
                ),
            }),
            Some(p) => match someone_else(p, &r) {
                Some(message) => problems.push(Problem {
                    place: r.place.clone(),
                    message,
                }),
                None => rows.push((p.id, r)),
            },
        }
    }
    if !problems.is_empty() {
        return Err(report(problems));
    }

    let txn = crate::db::begin_write_on(&state.db, Turn::ResultsImport).await?;
    let mut ids: Vec<Uuid> = rows.iter().map(|(id, _)| *id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut existing = Vec::new();
    for chunk in ids.chunks(500) {
        existing.extend(
            observation::Entity::find()
                .filter(observation::Column::PatientId.is_in(chunk.iter().copied()))
                .filter(observation::Column::RemovedAt.is_null())
                .all(&txn)
                .await?,
        );
    }
    let steps = decide(&rows, existing).map_err(report)?;
    let mut done = Imported {
        people: ids.len() as u64,
        skipped: parsed.skipped,
        ..Imported::default()
    };
    let mut inserts = Vec::new();
    for step in &steps {
        if let Step::Insert { row, id } = step {
            let (patient_id, r) = &rows[*row];
            inserts.push(observation::ActiveModel::from(new_model(
                *id,
                *patient_id,
                r,
                now,
            )));
        }
    }
    // Batches keep each statement well under SQLite's and PostgreSQL's parameter limits.
    let mut added = 0;
    for chunk in inserts.chunks(200) {
        added += observation::Entity::insert_many(chunk.to_vec())
            .on_conflict(OnConflict::new().do_nothing().to_owned())
            .exec_without_returning(&txn)
            .await?;
    }
    done.added = added;
    for step in steps {
        match step {
            Step::Insert { row, .. } => {
                done.lines.push(line(&rows[row].1, "added"));
            }
            Step::Already => done.already += 1,
            Step::Replace { row, before } => {
                let r = &rows[row].1;
                keep_version(&txn, &before, r.status, now).await?;
                observation::ActiveModel {
                    id: Set(before.id),
                    value_num: Set(r.value_num),
                    value_num2: Set(r.value_num2),
                    value_code: Set(r.value_code.clone()),
                    unit: Set(r.unit.clone()),
                    taken_at: Set(r.taken_at),
                    comparator: Set(r.comparator.map(|c| c.as_str().to_owned())),
                    status: Set(r.status.as_str().to_owned()),
                    identifier: Set(r.identifier.clone().or(before.identifier.clone())),
                    issued: Set(r.issued.or(before.issued)),
                    dated_by: Set(r.dated_by.as_str().to_owned()),
                    performer: Set(r.performer.clone().or(before.performer.clone())),
                    codings: Set(codings_json(r).or(before.codings.clone())),
                    original_value: Set(r.original.as_ref().map(|o| o.0.clone())),
                    original_unit: Set(r.original.as_ref().map(|o| o.1.clone())),
                    corrected_at: Set(Some(now)),
                    // The old fingerprint named the old value; the identifier or the kind and
                    // time find this result from now on.
                    fingerprint: Set(None),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
                done.corrected += 1;
                done.lines.push(format!(
                    "{} (was {})",
                    line(r, "corrected"),
                    value_words(&before)
                ));
            }
            Step::Remove { row, before } => {
                let r = &rows[row].1;
                keep_version(&txn, &before, Status::EnteredInError, now).await?;
                observation::ActiveModel {
                    id: Set(before.id),
                    status: Set(Status::EnteredInError.as_str().to_owned()),
                    removed_at: Set(Some(now)),
                    ..Default::default()
                }
                .update(&txn)
                .await?;
                done.removed += 1;
                done.lines.push(format!(
                    "{}: {} {} taken {} removed: the lab says it was entered in error",
                    r.place,
                    label(r.code),
                    value_words(&before),
                    long_date(before.taken_at.date_naive())
                ));
            }
            Step::Skip(s) => done.skipped.push(s),
        }
    }
    // Results counted as added but not inserted met a result stored by someone else meanwhile
    // (the unique fingerprint or identifier): they were already here.
    let planned = done.lines.len() as u64 - done.corrected - done.removed;
    done.already += planned.saturating_sub(added);
    let touched: Vec<&patient::Model> = people.values().filter(|p| ids.contains(&p.id)).collect();
    for p in touched {
        audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "results_imported").await?;
    }
    txn.commit().await?;
    Ok(done)
}

fn report(problems: Vec<Problem>) -> AppError {
    AppError::Validation(BTreeMap::from([(
        "file".to_owned(),
        problems
            .into_iter()
            .map(|p| format!("{}: {}", p.place, p.message))
            .collect(),
    )]))
}

/// When the file says something about the person that our record contradicts, the NHS number
/// may be mistyped into someone else's: refuse rather than file a result in the wrong record.
/// The message does not say what our record holds.
fn someone_else(p: &patient::Model, r: &Incoming) -> Option<String> {
    let fold = |s: &str| s.trim().to_lowercase();
    let born = r.claimed.birth_date.is_some_and(|d| d != p.date_of_birth);
    let family = r
        .claimed
        .family_name
        .as_deref()
        .is_some_and(|f| !f.trim().is_empty() && fold(f) != fold(&p.family_name));
    let what = match (born, family) {
        (true, true) => "date of birth and family name",
        (true, false) => "date of birth",
        (false, true) => "family name",
        (false, false) => return None,
    };
    Some(format!(
        "the NHS number {} belongs to someone else here: the file gives a different {what}. Check the NHS number before importing",
        r.nhs_number
    ))
}

/// What to do with each result of a file, in file order.
#[derive(Debug)]
enum Step {
    Insert {
        row: usize,
        id: Uuid,
    },
    Already,
    Replace {
        row: usize,
        before: observation::Model,
    },
    Remove {
        row: usize,
        before: observation::Model,
    },
    Skip(Skipped),
}

type Value4 = (Option<f64>, Option<f64>, Option<String>, Option<String>);

fn value_of(o: &observation::Model) -> Value4 {
    (
        o.value_num,
        o.value_num2,
        o.value_code.clone(),
        o.comparator.clone(),
    )
}

fn incoming_value(r: &Incoming) -> Value4 {
    (
        r.value_num,
        r.value_num2,
        r.value_code.clone(),
        r.comparator.map(|c| c.as_str().to_owned()),
    )
}

/// Decides every result against what is stored and what came earlier in the same file. Pure, so
/// the rules are tested without a database.
fn decide(
    rows: &[(Uuid, Incoming)],
    existing: Vec<observation::Model>,
) -> Result<Vec<Step>, Vec<Problem>> {
    // The live results of each person, as they will be once the earlier steps are done.
    let mut live: HashMap<Uuid, Vec<observation::Model>> = HashMap::new();
    for o in existing {
        live.entry(o.patient_id).or_default().push(o);
    }
    let mut steps = Vec::with_capacity(rows.len());
    let mut problems = Vec::new();
    for (row, (patient_id, r)) in rows.iter().enumerate() {
        let theirs = live.entry(*patient_id).or_default();
        // The lab's identifier names the test. Without one on both sides, a result of the same
        // kind at the same time may be the same test: the one with the same value if there is
        // one, else the first.
        let by_id = r.identifier.as_ref().and_then(|id| {
            theirs
                .iter()
                .position(|o| o.code == r.code && o.identifier.as_ref() == Some(id))
        });
        let same_time = |o: &observation::Model| {
            o.code == r.code
                && o.taken_at == r.taken_at
                && (r.identifier.is_none() || o.identifier.is_none())
        };
        let found = by_id
            .or_else(|| {
                theirs
                    .iter()
                    .position(|o| same_time(o) && value_of(o) == incoming_value(r))
            })
            .or_else(|| theirs.iter().position(same_time));
        match (r.status, found) {
            (Status::EnteredInError, None) => steps.push(Step::Skip(Skipped {
                place: r.place.clone(),
                what: label(r.code).to_owned(),
                why: "withdrawn by the lab (entered in error), and it was not here".to_owned(),
            })),
            (Status::EnteredInError, Some(i)) => {
                let before = theirs.remove(i);
                steps.push(Step::Remove { row, before });
            }
            (_, None) => {
                let id = Uuid::new_v4();
                theirs.push(new_model(id, *patient_id, r, DateTime::<Utc>::MIN_UTC));
                steps.push(Step::Insert { row, id });
            }
            (status, Some(i)) => {
                let before = &theirs[i];
                if value_of(before) == incoming_value(r) && before.taken_at == r.taken_at {
                    steps.push(Step::Already);
                } else if status.replaces() {
                    let before = before.clone();
                    let mut after = before.clone();
                    after.value_num = r.value_num;
                    after.value_num2 = r.value_num2;
                    after.value_code = r.value_code.clone();
                    after.comparator = r.comparator.map(|c| c.as_str().to_owned());
                    after.taken_at = r.taken_at;
                    after.status = status.as_str().to_owned();
                    after.identifier = r.identifier.clone().or(before.identifier.clone());
                    theirs[i] = after;
                    steps.push(Step::Replace { row, before });
                } else if before.status != Status::Final.as_str() {
                    // The original arriving again after the lab corrected it.
                    steps.push(Step::Skip(Skipped {
                        place: r.place.clone(),
                        what: format!("{} {}", label(r.code), incoming_words(r)),
                        why: "an older value: the lab has corrected this result since".to_owned(),
                    }));
                } else if by_id.is_none() {
                    // Two results of one kind on one day with no identifiers: nothing says they
                    // are the same test, so both are kept, as the file says.
                    let id = Uuid::new_v4();
                    theirs.push(new_model(id, *patient_id, r, DateTime::<Utc>::MIN_UTC));
                    steps.push(Step::Insert { row, id });
                } else {
                    problems.push(Problem {
                        place: r.place.clone(),
                        message: format!(
                            "a different {} ({}) is already recorded for this person for the same test; if this one replaces it, the lab must send it as amended or corrected",
                            label(r.code),
                            value_words(before)
                        ),
                    });
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(steps)
    } else {
        Err(problems)
    }
}

fn codings_json(r: &Incoming) -> Option<String> {
    (!r.codings.is_empty()).then(|| serde_json::to_string(&r.codings).unwrap_or_default())
}

fn new_model(id: Uuid, patient_id: Uuid, r: &Incoming, now: DateTime<Utc>) -> observation::Model {
    observation::Model {
        id,
        patient_id,
        code: r.code.to_owned(),
        value_num: r.value_num,
        value_num2: r.value_num2,
        value_code: r.value_code.clone(),
        unit: r.unit.clone(),
        taken_at: r.taken_at,
        source: "import".to_owned(),
        created_at: now,
        fingerprint: Some(fingerprint(patient_id, r)),
        status: r.status.as_str().to_owned(),
        comparator: r.comparator.map(|c| c.as_str().to_owned()),
        identifier: r.identifier.clone(),
        issued: r.issued,
        dated_by: r.dated_by.as_str().to_owned(),
        performer: r.performer.clone(),
        codings: codings_json(r),
        original_value: r.original.as_ref().map(|o| o.0.clone()),
        original_unit: r.original.as_ref().map(|o| o.1.clone()),
        corrected_at: None,
        removed_at: None,
    }
}

/// Keeps the result as it was before a correction or withdrawal.
async fn keep_version(
    db: &impl ConnectionTrait,
    before: &observation::Model,
    reason: Status,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let snapshot = serde_json::json!({
        "value_num": before.value_num,
        "value_num2": before.value_num2,
        "value_code": before.value_code,
        "comparator": before.comparator,
        "unit": before.unit,
        "taken_at": before.taken_at,
        "status": before.status,
        "original_value": before.original_value,
        "original_unit": before.original_unit,
        "identifier": before.identifier,
    });
    observation_version::Entity::insert(observation_version::ActiveModel {
        id: Set(Uuid::new_v4()),
        observation_id: Set(before.id),
        snapshot: Set(snapshot.to_string()),
        reason: Set(reason.as_str().to_owned()),
        replaced_at: Set(now),
        source: Set("import".to_owned()),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

fn label(code: &str) -> &'static str {
    catalogue::kind(code).map_or("Result", |k| k.name.split(" (").next().unwrap_or(k.name))
}

/// A stored value in words, with a bound as a bound: "more than 90 mL/min/1.73m²".
fn value_words(o: &observation::Model) -> String {
    words(
        o.value_num,
        o.value_num2,
        o.value_code.as_deref(),
        o.comparator.as_deref(),
        o.unit.as_deref().unwrap_or(""),
    )
}

fn incoming_words(r: &Incoming) -> String {
    words(
        r.value_num,
        r.value_num2,
        r.value_code.as_deref(),
        r.comparator.map(|c| c.as_str()),
        r.unit.as_deref().unwrap_or(""),
    )
}

fn words(
    a: Option<f64>,
    b: Option<f64>,
    coded: Option<&str>,
    comparator: Option<&str>,
    unit: &str,
) -> String {
    catalogue::value_words(a, b, coded, comparator.and_then(Bound::parse), unit)
}

fn line(r: &Incoming, what: &str) -> String {
    let converted = r
        .original
        .as_ref()
        .map(|(v, u)| format!(" (converted from {v} {u})"))
        .unwrap_or_default();
    format!(
        "{}: {} {}{converted}, {} {}, {what}",
        r.place,
        label(r.code),
        incoming_words(r),
        if r.dated_by == import::DatedBy::Reported {
            "reported on"
        } else {
            "taken on"
        },
        long_date(r.taken_at.date_naive())
    )
}

#[cfg(test)]
mod tests;
