//! Booking, moving, cancelling and closing a review.
use super::*;

/// A time on the person's clock. The clocks change: a time that does not exist that night is
/// `None`, a time that happens twice means the first.
pub fn local_time(p: &patient::Model, day: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    zone(p)
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The checked parts of a review form.
pub(super) struct Booking {
    starts_at: DateTime<Utc>,
    with_whom: String,
    mode: String,
    place: Option<String>,
}

/// A booking form's `date` and `time` fields (of the `what`: "review", "checks"), each
/// problem told through `err` beside its field.
pub fn date_and_time(
    date: &str,
    time: &str,
    what: &str,
    err: &mut impl FnMut(&str, &str),
) -> (Option<NaiveDate>, Option<NaiveTime>) {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d").ok();
    if date.trim().is_empty() {
        err("date", &format!("Enter the date of the {what}"));
    } else if day.is_none() {
        err("date", "Enter a real date, for example 2026-12-01");
    }
    let at = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok();
    if time.trim().is_empty() {
        err("time", &format!("Enter the time of the {what}"));
    } else if at.is_none() {
        err(
            "time",
            "Enter a time on the 24-hour clock, for example 10:30",
        );
    }
    (day, at)
}

pub(super) fn check_booking(
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
    let (date, time) = date_and_time(&form.date, &form.time, "review", &mut err);
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

/// The plan's "next review due by": set when a review is held (and when the plan is agreed),
/// never by booking, moving or cancelling one, which is a concrete appointment of its own.
pub(super) async fn set_plan_review(
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
pub(super) async fn managed_review(
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

pub(super) fn still_booked(r: &review::Model) -> Result<(), AppError> {
    if r.status == ReviewStatus::Scheduled.code() {
        Ok(())
    } else {
        Err(no_longer_booked())
    }
}

pub(super) fn no_longer_booked() -> AppError {
    AppError::Conflict("This review has already been cancelled or held.".into())
}

/// Changes a review only while it is still booked: one conditional statement inside the
/// caller's transaction, so two people cancelling, holding or moving it at once change it
/// once, and the second is told, whatever they read before.
pub(super) async fn change_booked(
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
