//! The schedule: which reminders a person's situation calls for, written to the queue once each.
use super::*;

/// A reminder the schedule calls for.
#[derive(Clone, Debug)]
pub struct Desired {
    pub key: String,
    pub account: Uuid,
    /// The person it is about (none for a test reminder).
    pub patient: Option<Uuid>,
    pub kind: &'static str,
    pub about: Option<Uuid>,
    pub due: DateTime<Utc>,
    pub stale: Option<DateTime<Utc>>,
}

/// Writes reminder jobs that are not there yet (by key); existing ones are left as they are.
pub async fn insert_jobs(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    jobs: &[Desired],
) -> Result<(), AppError> {
    if jobs.is_empty() {
        return Ok(());
    }
    let rows = jobs.iter().map(|d| reminder_job::ActiveModel {
        id: Set(Uuid::new_v4()),
        key: Set(d.key.clone()),
        account_id: Set(d.account),
        patient_id: Set(d.patient),
        kind: Set(d.kind.to_owned()),
        about_id: Set(d.about),
        due_at: Set(d.due),
        stale_at: Set(d.stale),
        status: Set(SCHEDULED.to_owned()),
        attempts: Set(0),
        lease_owner: Set(None),
        lease_until: Set(None),
        delivered: Set(String::new()),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    });
    reminder_job::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([reminder_job::Column::Key])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Every person whose reminders this account's choices or devices affect: their own plan and
/// the people they help (or used to).
pub async fn sync_account(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account: Uuid,
) -> Result<(), AppError> {
    let mut people: Vec<Uuid> = patient::Entity::find()
        .filter(patient::Column::AccountId.eq(account))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    people.extend(
        carer_grant::Entity::find()
            .filter(carer_grant::Column::CarerAccountId.eq(account))
            .all(db)
            .await?
            .into_iter()
            .map(|g| g.patient_id),
    );
    people.sort();
    people.dedup();
    for p in people {
        sync_patient(db, now, p).await?;
    }
    Ok(())
}

/// The reminders one recipient should get about this person, as things stand.
#[allow(clippy::too_many_arguments)]
fn desired_for(
    now: DateTime<Utc>,
    person: &patient::Model,
    account: Uuid,
    allowed: &[Permission],
    prefs: &Preferences,
    next_review: Option<&review::Model>,
    pack: Option<&preparation_pack::Model>,
    has_actions: bool,
) -> Vec<Desired> {
    let tz = prefs.tz;
    let quiet = |at: DateTime<Utc>| after_quiet(tz, prefs.quiet, at);
    let mut out = Vec::new();
    if let Some(r) = next_review {
        let day = local_day(tz, r.starts_at);
        if allowed.contains(&Permission::RemindAboutReview) && prefs.review_tomorrow {
            let due = quiet(at_local(tz, day - Duration::days(1), hm(REVIEW_EVE)).max(now));
            if due < r.starts_at {
                out.push(Desired {
                    // A moved review is a new reminder; the old one is cancelled.
                    key: format!(
                        "review_tomorrow:{}:{}:{account}",
                        r.id,
                        r.starts_at.timestamp()
                    ),
                    account,
                    patient: Some(person.id),
                    kind: "review_tomorrow",
                    about: Some(r.id),
                    due,
                    stale: Some(r.starts_at),
                });
            }
        }
        if let Some(pack) = pack
            && let Some(released) = pack.released_at
            && allowed.contains(&Permission::RemindAboutPreparation)
        {
            if prefs.pack_ready && released + PACK_READY_FRESH > now {
                out.push(Desired {
                    key: format!("pack_ready:{}:{account}", pack.id),
                    account,
                    patient: Some(person.id),
                    kind: "pack_ready",
                    about: Some(pack.id),
                    due: quiet(released.max(now)),
                    stale: Some(r.starts_at),
                });
            }
            let ask = at_local(
                tz,
                day - Duration::days(i64::from(prefs.agenda_days)),
                hm(AGENDA_AT),
            );
            // Not when the pack itself went out after that point: its own reminder says it all.
            if prefs.agenda_due && pack.submitted_at.is_none() && ask > released {
                let due = quiet(ask.max(now));
                if due < r.starts_at {
                    out.push(Desired {
                        key: format!("agenda_due:{}:{account}", pack.id),
                        account,
                        patient: Some(person.id),
                        kind: "agenda_due",
                        about: Some(pack.id),
                        due,
                        stale: Some(r.starts_at),
                    });
                }
            }
        }
    }
    if has_actions && allowed.contains(&Permission::RemindAboutActions) {
        out.extend(next_action_job(now, person.id, account, prefs));
    }
    out
}

/// The recipient's next action reminder about this person: at the first of their chosen times
/// after `now`, no use after that day ends.
pub fn next_action_job(
    now: DateTime<Utc>,
    person: Uuid,
    account: Uuid,
    prefs: &Preferences,
) -> Option<Desired> {
    if !prefs.wants("actions") {
        return None;
    }
    let slot = next_slot(prefs.tz, &prefs.action_times, now)?;
    let due = after_quiet(prefs.tz, prefs.quiet, slot);
    Some(Desired {
        key: format!("actions:{person}:{account}:{}", slot.timestamp()),
        account,
        patient: Some(person),
        kind: "actions",
        about: None,
        due,
        stale: Some(end_of_day(prefs.tz, slot).max(due + Duration::hours(1))),
    })
}

/// Writes the reminders wanted, given the jobs already there with any of their keys: new ones
/// are inserted; times of ones still scheduled move with the person's choices (quiet hours,
/// days before) until they are sent; one cancelled by an earlier choice comes back if it is
/// wanted again. Sent, dead and dropped ones stay as they are, so nothing goes twice.
async fn write_jobs(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    desired: &[Desired],
    existing: &[reminder_job::Model],
) -> Result<(), AppError> {
    let by_key: HashMap<&str, &reminder_job::Model> =
        existing.iter().map(|j| (j.key.as_str(), j)).collect();
    let mut fresh = Vec::new();
    for d in desired {
        match by_key.get(d.key.as_str()) {
            None => fresh.push(d.clone()),
            Some(j)
                if j.status == CANCELLED
                    || (j.status == SCHEDULED && (j.due_at != d.due || j.stale_at != d.stale)) =>
            {
                let mut row: reminder_job::ActiveModel = (*j).clone().into();
                row.status = Set(SCHEDULED.to_owned());
                row.due_at = Set(d.due);
                row.stale_at = Set(d.stale);
                row.attempts = Set(0);
                row.finished_at = Set(None);
                row.updated_at = Set(now);
                row.update(db).await?;
            }
            Some(_) => {}
        }
    }
    for chunk in fresh.chunks(500) {
        insert_jobs(db, now, chunk).await?;
    }
    Ok(())
}

/// Writes these reminders (see `write_jobs`), looking up which are there already.
pub async fn upsert_jobs(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    desired: &[Desired],
) -> Result<(), AppError> {
    for chunk in desired.chunks(500) {
        let existing = reminder_job::Entity::find()
            .filter(reminder_job::Column::Key.is_in(chunk.iter().map(|d| d.key.clone())))
            .all(db)
            .await?;
        write_jobs(db, now, chunk, &existing).await?;
    }
    Ok(())
}

/// Makes the person's queued reminders match their situation: the reminders it calls for are
/// written (once, by key), ones scheduled for later that it no longer calls for are cancelled,
/// and ones already due are left to the worker, which checks them again before sending. Runs
/// in the same transaction as a change to reminder choices or devices (here), and as the
/// reaction to `Event::PersonChanged` (reviews, packs, answers, actions, carers' grants).
pub async fn sync_patient(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    patient_id: Uuid,
) -> Result<(), AppError> {
    let Some(person) = patient::Entity::find_by_id(patient_id).one(db).await? else {
        return Ok(());
    };
    let mut recipients = access::reminder_recipients(db, now, &person).await?;
    // Only accounts with a device to send to get jobs at all.
    let with_devices: HashSet<Uuid> = push_subscription::Entity::find()
        .filter(push_subscription::Column::AccountId.is_in(recipients.iter().map(|(a, _)| *a)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.account_id)
        .collect();
    recipients.retain(|(a, _)| with_devices.contains(a));
    let accounts: Vec<Uuid> = recipients.iter().map(|(a, _)| *a).collect();
    let prefs = preferences_for(db, &accounts).await?;
    let next_review = crate::preparation::service::upcoming(db, person.id)
        .await?
        .filter(|r| r.starts_at > now);
    let pack = match &next_review {
        Some(r) => {
            preparation_pack::Entity::find()
                .filter(preparation_pack::Column::ReviewId.eq(r.id))
                .one(db)
                .await?
        }
        None => None,
    };
    let has_actions = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.eq(person.id))
        .filter(plan_action::Column::Status.eq("in_progress"))
        .count(db)
        .await?
        > 0;
    let desired: Vec<Desired> = recipients
        .iter()
        .filter_map(|(account, allowed)| {
            let p = prefs.get(account)?;
            Some(desired_for(
                now,
                &person,
                *account,
                allowed,
                p,
                next_review.as_ref(),
                pack.as_ref(),
                has_actions,
            ))
        })
        .flatten()
        .collect();

    let keys: Vec<String> = desired.iter().map(|d| d.key.clone()).collect();
    let existing = reminder_job::Entity::find()
        .filter(reminder_job::Column::PatientId.eq(person.id))
        .filter(
            sea_orm::Condition::any()
                .add(reminder_job::Column::Status.is_in([SCHEDULED, RETRYING]))
                .add(reminder_job::Column::Key.is_in(keys)),
        )
        .all(db)
        .await?;
    write_jobs(db, now, &desired, &existing).await?;
    let wanted: HashSet<&str> = desired.iter().map(|d| d.key.as_str()).collect();
    let gone: Vec<Uuid> = existing
        .iter()
        .filter(|j| j.status == SCHEDULED || j.status == RETRYING)
        .filter(|j| j.due_at > now && !wanted.contains(j.key.as_str()))
        .map(|j| j.id)
        .collect();
    if !gone.is_empty() {
        reminder_job::Entity::update_many()
            .col_expr(
                reminder_job::Column::Status,
                sea_orm::sea_query::Expr::value(CANCELLED),
            )
            .col_expr(
                reminder_job::Column::FinishedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .col_expr(
                reminder_job::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(reminder_job::Column::Id.is_in(gone))
            .exec(db)
            .await?;
    }
    Ok(())
}
