//! Reviews and preparation packs on the server: booking, moving, cancelling and closing a
//! review; releasing a pack (by a person, or by itself N days before); the agenda prompts a
//! practice asks; and the person's answers, kept as a draft until they send them.
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, Set,
};
use uuid::Uuid;

use super::{AgendaAnswerView, PackView, PreparationView, ReviewForm, ReviewStatus, ReviewView};
pub use super::{MODES, mode_name};
use crate::access::{PatientCtx, Permission};
use crate::auth::audit;
use crate::entities::{
    account, agenda_answer, agenda_prompt, organisation, patient, patient_condition, plan,
    preparation_pack, review,
};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::plan::service::Ctx;
use crate::state::AppState;

/// The Year of Care prompts a practice asks unless it has written its own.
pub const DEFAULT_PROMPTS: [&str; 5] = [
    "What is important to you right now?",
    "How have things been since your last review?",
    "What would you like to talk about?",
    "Is there anything you would like to change?",
    "Questions you would like to ask",
];

/// Prompts asked only of people with a condition.
pub const CONDITION_PROMPTS: [(&str, &str); 6] = [
    (
        "copd",
        "How is your breathing affecting what you want to do?",
    ),
    (
        "type2_diabetes",
        "How are you getting on with your diabetes day to day?",
    ),
    (
        "type1_diabetes",
        "How are you getting on with your diabetes day to day?",
    ),
    (
        "hypertension",
        "How do you feel about your blood pressure and any medicines for it?",
    ),
    (
        "ckd",
        "Is there anything about your kidneys you would like to understand better?",
    ),
    (
        "heart_failure",
        "Have you noticed more swelling or breathlessness than usual?",
    ),
];

/// The longest answer we keep to one prompt: a page of writing.
const MAX_ANSWER: usize = 3000;

/// The person's time zone (London unless they chose another).
pub fn zone(p: &patient::Model) -> chrono_tz::Tz {
    crate::clock::zone(&p.time_zone)
}

/// "Tuesday 1 December 2026 at 10:30", in the person's time zone.
pub fn when_words(p: &patient::Model, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone(p))
        .format("%A %-d %B %Y at %H:%M")
        .to_string()
}

pub fn review_view(p: &patient::Model, r: &review::Model) -> ReviewView {
    let local = r.starts_at.with_timezone(&zone(p));
    ReviewView {
        id: r.id,
        when: when_words(p, r.starts_at),
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        with_whom: r.with_whom.clone(),
        mode: r.mode.clone(),
        mode_name: mode_name(&r.mode).to_owned(),
        place: r.place.clone().unwrap_or_default(),
        // Only the three codes are ever written; anything else could not be booked again.
        status: ReviewStatus::parse(&r.status).unwrap_or(ReviewStatus::Cancelled),
        next_review_date: r.next_review_date.map(long_date),
    }
}

/// The prompts a person of this practice with these conditions is asked.
pub async fn prompts_for(
    db: &impl ConnectionTrait,
    organisation_id: Uuid,
    conditions: &[String],
) -> Result<Vec<String>, AppError> {
    let own = agenda_prompt::Entity::find()
        .filter(agenda_prompt::Column::OrganisationId.eq(organisation_id))
        .order_by_asc(agenda_prompt::Column::Position)
        .all(db)
        .await?;
    let mut prompts: Vec<String> = if own.is_empty() {
        let mut list: Vec<String> = DEFAULT_PROMPTS.iter().map(|s| (*s).to_owned()).collect();
        for (condition, text) in CONDITION_PROMPTS {
            if conditions.iter().any(|c| c == condition) {
                list.push(text.to_owned());
            }
        }
        list
    } else {
        own.into_iter()
            .filter(|p| {
                p.condition
                    .as_ref()
                    .is_none_or(|c| conditions.iter().any(|mine| mine == c))
            })
            .map(|p| p.text)
            .collect()
    };
    prompts.dedup();
    Ok(prompts)
}

async fn conditions_of(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<Vec<String>, AppError> {
    Ok(patient_condition::Entity::find()
        .filter(patient_condition::Column::PatientId.eq(patient_id))
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.condition)
        .collect())
}

/// Releases a pack: everything entered so far becomes visible to the person, and, when a review
/// is booked, they get its agenda prompts. Releasing again for the same review (new results
/// came in) keeps the answers already written.
pub async fn release_pack(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    p: &patient::Model,
    review: Option<&review::Model>,
    by: Option<Uuid>,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    // One statement decides whether this is the review's first pack: the unique index on
    // `review_id` makes a second release (two instances' sweeps, a click and the sweep) find
    // the first pack instead of making another.
    let inserted = preparation_pack::Entity::insert(preparation_pack::ActiveModel {
        id: Set(id),
        patient_id: Set(p.id),
        released_at: Set(Some(now)),
        released_by: Set(by),
        created_at: Set(now),
        review_id: Set(review.map(|r| r.id)),
        opened_at: Set(None),
        submitted_at: Set(None),
        submitted_by: Set(None),
        automatic: Set(by.is_none()),
    })
    .on_conflict(
        OnConflict::column(preparation_pack::Column::ReviewId)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    if inserted == 0
        && let Some(r) = review
    {
        // Released again (new results came in): the answers already written stay.
        let pack = pack_for(db, r.id).await?.ok_or_else(|| {
            AppError::Conflict("The review changed at the same moment. Try again.".into())
        })?;
        if by.is_none() {
            // The sweep found a pack someone already released: nothing to do.
            return Ok(pack.id);
        }
        let id = pack.id;
        let mut pack: preparation_pack::ActiveModel = pack.into();
        pack.released_at = Set(Some(now));
        pack.released_by = Set(by);
        pack.automatic = Set(false);
        pack.update(db).await?;
        crate::events::record(
            db,
            now,
            crate::events::Event::PersonChanged { patient: p.id },
        )
        .await?;
        return Ok(id);
    }
    if review.is_some() {
        let conditions = conditions_of(db, p.id).await?;
        let prompts = prompts_for(db, p.organisation_id, &conditions).await?;
        let rows = prompts
            .into_iter()
            .enumerate()
            .map(|(i, prompt)| agenda_answer::ActiveModel {
                id: Set(Uuid::new_v4()),
                pack_id: Set(id),
                position: Set(i32::try_from(i).unwrap_or(i32::MAX)),
                prompt: Set(prompt),
                answer: Set(String::new()),
                updated_at: Set(None),
                updated_by: Set(None),
            });
        agenda_answer::Entity::insert_many(rows)
            .exec_without_returning(db)
            .await?;
    }
    // "Your review preparation is ready", in the same transaction as the pack itself.
    crate::events::record(
        db,
        now,
        crate::events::Event::PersonChanged { patient: p.id },
    )
    .await?;
    Ok(id)
}

/// The person's next booked review, if any.
pub async fn upcoming(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<Option<review::Model>, AppError> {
    Ok(review::Entity::find()
        .filter(review::Column::PatientId.eq(patient_id))
        .filter(review::Column::Status.eq(ReviewStatus::Scheduled.code()))
        .order_by_asc(review::Column::StartsAt)
        .one(db)
        .await?)
}

async fn pack_for(
    db: &impl ConnectionTrait,
    review_id: Uuid,
) -> Result<Option<preparation_pack::Model>, AppError> {
    Ok(preparation_pack::Entity::find()
        .filter(preparation_pack::Column::ReviewId.eq(review_id))
        .one(db)
        .await?)
}

/// The booked reviews whose packs are due (the review is no more than the practice's N days
/// away) and not yet released, with their people.
async fn due_reviews(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    patient_id: Option<Uuid>,
) -> Result<Vec<(review::Model, patient::Model)>, AppError> {
    let mut query = review::Entity::find()
        .filter(review::Column::Status.eq(ReviewStatus::Scheduled.code()))
        .filter(review::Column::StartsAt.gt(now))
        // No practice waits more than 8 weeks.
        .filter(review::Column::StartsAt.lte(now + Duration::days(56)));
    if let Some(id) = patient_id {
        query = query.filter(review::Column::PatientId.eq(id));
    }
    let reviews = query.all(db).await?;
    if reviews.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = reviews.iter().map(|r| r.id).collect();
    let released: Vec<Uuid> = preparation_pack::Entity::find()
        .filter(preparation_pack::Column::ReviewId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|k| k.review_id)
        .collect();
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(reviews.iter().map(|r| r.organisation_id)))
        .all(db)
        .await?;
    let people = patient::Entity::find()
        .filter(patient::Column::Id.is_in(reviews.iter().map(|r| r.patient_id)))
        .all(db)
        .await?;
    Ok(reviews
        .into_iter()
        .filter(|r| !released.contains(&r.id))
        .filter(|r| {
            let days = orgs
                .iter()
                .find(|o| o.id == r.organisation_id)
                .map_or(14, |o| o.pack_release_days);
            r.starts_at - Duration::days(i64::from(days)) <= now
        })
        .filter_map(|r| {
            let p = people.iter().find(|p| p.id == r.patient_id)?.clone();
            Some((r, p))
        })
        .collect())
}

/// Releases the due packs of one person inside the caller's transaction (booking or moving a
/// review releases at once when the review is already near).
pub async fn release_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    patient_id: Uuid,
) -> Result<usize, AppError> {
    let due = due_reviews(db, now, Some(patient_id)).await?;
    for (r, p) in &due {
        release_pack(db, now, p, Some(r), None).await?;
    }
    Ok(due.len())
}

/// The server's sweep: releases every due pack by itself, each in its own transaction, so it
/// never depends on someone remembering (or on anyone opening a page: pages only read). Two
/// instances sweeping at once release each pack once (the unique index on `review_id`).
pub async fn sweep_due_packs(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
) -> Result<usize, AppError> {
    let due = due_reviews(db, now, None).await?;
    for (r, p) in &due {
        let txn = crate::state::begin_write(db).await?;
        release_pack(&txn, now, p, Some(r), None).await?;
        txn.commit().await?;
    }
    Ok(due.len())
}

/// A care-team member releases the person's pack now (sooner than it would go by itself).
pub async fn release(state: &AppState, ctx: &PatientCtx) -> Result<(), AppError> {
    ctx.opened_for(Permission::ReleaseResults)?;
    let (p, staff) = (ctx.patient(), ctx.actor().account_id);
    let txn = crate::state::begin_write(&state.db).await?;
    let next = upcoming(&txn, p.id).await?;
    release_pack(&txn, state.clock.now(), p, next.as_ref(), Some(staff)).await?;
    audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "pack_released").await?;
    txn.commit().await?;
    state.react().await;
    Ok(())
}

/// A time on the person's clock. The clocks change: a time that does not exist that night is
/// `None`, a time that happens twice means the first.
pub fn local_time(p: &patient::Model, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    zone(p)
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The checked parts of a review form.
struct Booking {
    starts_at: DateTime<Utc>,
    with_whom: String,
    mode: String,
    place: Option<String>,
}

fn check_booking(
    p: &patient::Model,
    form: &ReviewForm,
    now: DateTime<Utc>,
) -> Result<Booking, AppError> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut err = |field: &str, msg: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(msg.to_owned())
    };
    let date = NaiveDate::parse_from_str(form.date.trim(), "%Y-%m-%d").ok();
    if form.date.trim().is_empty() {
        err("date", "Enter the date of the review");
    } else if date.is_none() {
        err("date", "Enter a real date, for example 2026-12-01");
    }
    let time = NaiveTime::parse_from_str(form.time.trim(), "%H:%M").ok();
    if form.time.trim().is_empty() {
        err("time", "Enter the time of the review");
    } else if time.is_none() {
        err(
            "time",
            "Enter a time on the 24-hour clock, for example 10:30",
        );
    }
    let with_whom = form.with_whom.trim().to_owned();
    if with_whom.is_empty() {
        err(
            "with_whom",
            "Enter who the person will see, for example Dr Priya Shah",
        );
    } else if with_whom.chars().count() > 120 {
        err("with_whom", "Keep this to 120 characters or fewer");
    }
    if !MODES.iter().any(|(c, _)| *c == form.mode) {
        err("mode", "Choose in person, by phone or by video call");
    }
    let place = form.place.trim().to_owned();
    if form.mode == "in_person" && place.is_empty() {
        err(
            "place",
            "Enter where the review will be, for example Room 3",
        );
    } else if place.chars().count() > 200 {
        err("place", "Keep this to 200 characters or fewer");
    }
    let mut starts_at = None;
    if let (Some(d), Some(t)) = (date, time) {
        match local_time(p, d, t) {
            None => err(
                "time",
                "That time does not happen on that day because the clocks change",
            ),
            Some(utc) => {
                if utc <= now {
                    err("date", "The review must be in the future");
                } else if utc > now + Duration::days(2 * 366) {
                    err("date", "The review must be within the next 2 years");
                } else {
                    starts_at = Some(utc);
                }
            }
        }
    }
    match starts_at {
        Some(starts_at) if errors.is_empty() => Ok(Booking {
            starts_at,
            with_whom,
            mode: form.mode.clone(),
            place: (!place.is_empty()).then_some(place),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

async fn set_plan_review(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
    date: Option<NaiveDate>,
    with_whom: Option<String>,
) -> Result<(), AppError> {
    plan::Entity::insert(plan::ActiveModel {
        patient_id: Set(patient_id),
        review_date: Set(date),
        review_with: Set(with_whom),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(plan::Column::PatientId)
            .update_columns([plan::Column::ReviewDate, plan::Column::ReviewWith])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Books a review. A person has one booked review at a time: move that one instead.
pub async fn schedule(
    state: &AppState,
    ctx: &PatientCtx,
    form: &ReviewForm,
) -> Result<Uuid, AppError> {
    ctx.opened_for(Permission::ManageReviews)?;
    let (p, staff, patient_id) = (ctx.patient(), ctx.actor().account_id, ctx.patient().id);
    let now = state.clock.now();
    let booking = check_booking(p, form, now)?;
    let txn = crate::state::begin_write(&state.db).await?;
    if let Some(existing) = upcoming(&txn, patient_id).await? {
        return Err(AppError::field(
            "date",
            format!(
                "{} already has a review booked for {}. Move that one instead.",
                p.given_name,
                when_words(p, existing.starts_at)
            ),
        ));
    }
    let id = Uuid::new_v4();
    review::ActiveModel {
        id: Set(id),
        patient_id: Set(patient_id),
        organisation_id: Set(p.organisation_id),
        starts_at: Set(booking.starts_at),
        with_whom: Set(booking.with_whom.clone()),
        mode: Set(booking.mode),
        place: Set(booking.place),
        status: Set(ReviewStatus::Scheduled.code().into()),
        next_review_date: Set(None),
        created_by: Set(staff),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let local_day = booking.starts_at.with_timezone(&zone(p)).date_naive();
    set_plan_review(&txn, patient_id, Some(local_day), Some(booking.with_whom)).await?;
    release_due(&txn, now, patient_id).await?;
    crate::events::record(
        &txn,
        now,
        crate::events::Event::PersonChanged {
            patient: patient_id,
        },
    )
    .await?;
    audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "review_booked").await?;
    txn.commit().await?;
    state.react().await;
    Ok(id)
}

/// One of the person's reviews, in a record opened to manage their reviews; another person's
/// review reads as not found.
async fn managed_review(
    state: &AppState,
    ctx: &PatientCtx,
    review_id: Uuid,
) -> Result<(review::Model, patient::Model, Uuid), AppError> {
    ctx.opened_for(Permission::ManageReviews)?;
    let r = review::Entity::find_by_id(review_id)
        .filter(review::Column::PatientId.eq(ctx.patient().id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((r, ctx.patient().clone(), ctx.actor().account_id))
}

fn still_booked(r: &review::Model) -> Result<(), AppError> {
    if r.status == ReviewStatus::Scheduled.code() {
        Ok(())
    } else {
        Err(no_longer_booked())
    }
}

fn no_longer_booked() -> AppError {
    AppError::Conflict("This review has already been cancelled or held.".into())
}

/// Changes a review only while it is still booked: one conditional statement inside the
/// caller's transaction, so two people cancelling, holding or moving it at once change it
/// once, and the second is told, whatever they read before.
async fn change_booked(
    txn: &impl ConnectionTrait,
    review_id: Uuid,
    change: review::ActiveModel,
) -> Result<(), AppError> {
    let done = review::Entity::update_many()
        .set(change)
        .filter(review::Column::Id.eq(review_id))
        .filter(review::Column::Status.eq(ReviewStatus::Scheduled.code()))
        .exec(txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(no_longer_booked());
    }
    Ok(())
}

/// Moves a booked review to another time (or person, or place).
pub async fn move_review(
    state: &AppState,
    ctx: &PatientCtx,
    review_id: Uuid,
    form: &ReviewForm,
) -> Result<(), AppError> {
    let (r, p, staff) = managed_review(state, ctx, review_id).await?;
    still_booked(&r)?;
    let now = state.clock.now();
    let booking = check_booking(&p, form, now)?;
    let txn = crate::state::begin_write(&state.db).await?;
    change_booked(
        &txn,
        r.id,
        review::ActiveModel {
            starts_at: Set(booking.starts_at),
            with_whom: Set(booking.with_whom.clone()),
            mode: Set(booking.mode),
            place: Set(booking.place),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    let local_day = booking.starts_at.with_timezone(&zone(&p)).date_naive();
    set_plan_review(&txn, p.id, Some(local_day), Some(booking.with_whom)).await?;
    release_due(&txn, now, p.id).await?;
    crate::events::record(
        &txn,
        now,
        crate::events::Event::PersonChanged { patient: p.id },
    )
    .await?;
    audit::staff_touch(&txn, state.clock.as_ref(), staff, &p, "review_moved").await?;
    txn.commit().await?;
    state.react().await;
    Ok(())
}

pub async fn cancel_review(
    state: &AppState,
    ctx: &PatientCtx,
    review_id: Uuid,
) -> Result<(), AppError> {
    let (r, p, staff) = managed_review(state, ctx, review_id).await?;
    still_booked(&r)?;
    let txn = crate::state::begin_write(&state.db).await?;
    change_booked(
        &txn,
        r.id,
        review::ActiveModel {
            status: Set(ReviewStatus::Cancelled.code().into()),
            updated_at: Set(state.clock.now()),
            ..Default::default()
        },
    )
    .await?;
    set_plan_review(&txn, p.id, None, None).await?;
    crate::events::record(
        &txn,
        state.clock.now(),
        crate::events::Event::PersonChanged { patient: p.id },
    )
    .await?;
    audit::staff_touch(&txn, state.clock.as_ref(), staff, &p, "review_cancelled").await?;
    txn.commit().await?;
    state.react().await;
    Ok(())
}

/// Closes a review that has happened and sets when the next one is due: the cycle repeats.
pub async fn review_held(
    state: &AppState,
    ctx: &PatientCtx,
    review_id: Uuid,
    next_date: &str,
) -> Result<(), AppError> {
    let (r, p, staff) = managed_review(state, ctx, review_id).await?;
    still_booked(&r)?;
    let now = state.clock.now();
    if r.starts_at > now {
        return Err(AppError::field(
            "next_date",
            "This review has not started yet. Move or cancel it instead.",
        ));
    }
    let today = crate::plan::service::today_in(&p.time_zone, now);
    let next = match NaiveDate::parse_from_str(next_date.trim(), "%Y-%m-%d") {
        _ if next_date.trim().is_empty() => {
            return Err(AppError::field(
                "next_date",
                "Enter when the next review is due",
            ));
        }
        Err(_) => {
            return Err(AppError::field(
                "next_date",
                "Enter a real date, for example 2027-11-01",
            ));
        }
        Ok(d) if d <= today => {
            return Err(AppError::field(
                "next_date",
                "The next review must be after today",
            ));
        }
        Ok(d) if d > today + Duration::days(2 * 366) => {
            return Err(AppError::field(
                "next_date",
                "The next review must be within the next 2 years",
            ));
        }
        Ok(d) => d,
    };
    let txn = crate::state::begin_write(&state.db).await?;
    let with_whom = r.with_whom.clone();
    change_booked(
        &txn,
        r.id,
        review::ActiveModel {
            status: Set(ReviewStatus::Held.code().into()),
            next_review_date: Set(Some(next)),
            updated_at: Set(now),
            ..Default::default()
        },
    )
    .await?;
    set_plan_review(&txn, p.id, Some(next), Some(with_whom)).await?;
    crate::events::record(
        &txn,
        now,
        crate::events::Event::PersonChanged { patient: p.id },
    )
    .await?;
    audit::staff_touch(&txn, state.clock.as_ref(), staff, &p, "review_held").await?;
    txn.commit().await?;
    state.react().await;
    Ok(())
}

/// The pack the person is preparing with: the latest one released for a review.
pub async fn current_pack(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<Option<preparation_pack::Model>, AppError> {
    Ok(preparation_pack::Entity::find()
        .filter(preparation_pack::Column::PatientId.eq(patient_id))
        .filter(preparation_pack::Column::ReviewId.is_not_null())
        .filter(preparation_pack::Column::ReleasedAt.is_not_null())
        .order_by_desc(preparation_pack::Column::ReleasedAt)
        .one(db)
        .await?)
}

pub async fn name_of(db: &impl ConnectionTrait, account_id: Uuid) -> Result<String, AppError> {
    Ok(account::Entity::find_by_id(account_id)
        .one(db)
        .await?
        .map(|a| a.display_name)
        .unwrap_or_else(|| "Someone".into()))
}

/// A pack as the person (and the care team) see it.
pub async fn pack_view(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    p: &patient::Model,
    pack: &preparation_pack::Model,
) -> Result<PackView, AppError> {
    let review = match pack.review_id {
        Some(id) => review::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    let answers = agenda_answer::Entity::find()
        .filter(agenda_answer::Column::PackId.eq(pack.id))
        .order_by_asc(agenda_answer::Column::Position)
        .all(db)
        .await?;
    let submitted = match (pack.submitted_at, pack.submitted_by) {
        (Some(at), Some(by)) => Some(format!(
            "Sent by {} on {}",
            name_of(db, by).await?,
            when_words(p, at)
        )),
        _ => None,
    };
    let editable = review
        .as_ref()
        .is_some_and(|r| r.status == ReviewStatus::Scheduled.code() && r.starts_at > now);
    Ok(PackView {
        released_on: pack
            .released_at
            .map(|at| long_date(at.with_timezone(&zone(p)).date_naive()))
            .unwrap_or_default(),
        opened: pack.opened_at.is_some(),
        submitted,
        editable,
        answers: answers
            .into_iter()
            .map(|a| AgendaAnswerView {
                position: a.position,
                prompt: a.prompt,
                answer: a.answer,
            })
            .collect(),
    })
}

/// The person's preparation page. Opening it marks the pack as opened for the care team.
pub async fn preparation(state: &AppState, ctx: &Ctx) -> Result<PreparationView, AppError> {
    let now = state.clock.now();
    let review = upcoming(&state.db, ctx.patient().id).await?;
    let pack = match &review {
        Some(r) => pack_for(&state.db, r.id).await?,
        None => None,
    };
    let pack_view = match &pack {
        Some(pack) => {
            if pack.opened_at.is_none() {
                // Like the access log, the care team's "opened" is a record of a read: one
                // conditional statement, so two loads at once set it once, to the first.
                preparation_pack::Entity::update_many()
                    .col_expr(preparation_pack::Column::OpenedAt, Expr::value(now))
                    .filter(preparation_pack::Column::Id.eq(pack.id))
                    .filter(preparation_pack::Column::OpenedAt.is_null())
                    .exec(&state.db)
                    .await?;
            }
            Some(pack_view(&state.db, now, ctx.patient(), pack).await?)
        }
        None => None,
    };
    Ok(PreparationView {
        review: review.as_ref().map(|r| review_view(ctx.patient(), r)),
        pack: pack_view,
        viewing: crate::plan::service::viewing(state, ctx).await?,
    })
}

/// Saves the person's answers; `send` also sends them to the care team. Allowed until the
/// review starts.
pub async fn save_answers(
    state: &AppState,
    ctx: &Ctx,
    answers: &BTreeMap<String, String>,
    send: bool,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let review = upcoming(&state.db, ctx.patient().id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pack = pack_for(&state.db, review.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if review.starts_at <= now {
        return Err(AppError::Conflict(
            "Your review has started, so these answers can no longer change.".into(),
        ));
    }
    let rows = agenda_answer::Entity::find()
        .filter(agenda_answer::Column::PackId.eq(pack.id))
        .all(&state.db)
        .await?;
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &rows {
        let field = format!("answer_{}", row.position);
        if let Some(text) = answers.get(&field)
            && text.chars().count() > MAX_ANSWER
        {
            errors.insert(
                field,
                vec![format!(
                    "This answer is too long. Keep it to {MAX_ANSWER} characters or fewer."
                )],
            );
        }
    }
    let written = |row: &agenda_answer::Model| {
        answers
            .get(&format!("answer_{}", row.position))
            .map(|t| t.trim().to_owned())
            .unwrap_or_else(|| row.answer.clone())
    };
    if send && errors.is_empty() && rows.iter().all(|r| written(r).is_empty()) {
        let first = rows.iter().map(|r| r.position).min().unwrap_or(0);
        errors.insert(
            format!("answer_{first}"),
            vec!["Write an answer to at least one question before you send them".into()],
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let txn = crate::state::begin_write(&state.db).await?;
    for row in rows {
        let text = written(&row);
        if text != row.answer {
            let mut active: agenda_answer::ActiveModel = row.into();
            active.answer = Set(text);
            active.updated_at = Set(Some(now));
            active.updated_by = Set(Some(ctx.actor().account_id));
            active.update(&txn).await?;
        }
    }
    if send {
        let mut active: preparation_pack::ActiveModel = pack.into();
        active.submitted_at = Set(Some(now));
        active.submitted_by = Set(Some(ctx.actor().account_id));
        active.update(&txn).await?;
        // No more "you have not answered the questions".
        crate::events::record(
            &txn,
            now,
            crate::events::Event::PersonChanged {
                patient: ctx.patient().id,
            },
        )
        .await?;
    }
    txn.commit().await?;
    state.react().await;
    Ok(())
}
