//! The agenda prompts, and releasing preparation packs: by the care team, or by themselves N days before the review.
use super::*;

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

pub(super) async fn conditions_of(
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

pub(super) async fn pack_for(
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
pub(super) async fn due_reviews(
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
