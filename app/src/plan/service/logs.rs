//! Logging an action (by the person or a carer, online or from the phone's queue) and undoing it.
use super::*;

/// Checks a day sent by a form: today or up to 7 days before, and not before the action began.
pub(super) fn loggable_day(
    ctx: &Ctx,
    action: &plan_action::Model,
    day: &str,
) -> Result<NaiveDate, AppError> {
    let day = NaiveDate::parse_from_str(day.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::field("day", "Choose a day from the list"))?;
    let earliest = ctx.today() - Days::new(BACKDATE_DAYS);
    if day > ctx.today() {
        return Err(AppError::field(
            "day",
            "You cannot record a day that has not happened yet",
        ));
    }
    if day < earliest {
        return Err(AppError::field(
            "day",
            "You can only record today and the 7 days before",
        ));
    }
    if day < action.starts_on {
        return Err(AppError::field(
            "day",
            "This action had not started on that day",
        ));
    }
    Ok(day)
}

/// Records what happened with an action on a day; recording the same day again changes it.
/// A retry with the same `client_id` (an offline phone sending again) changes nothing.
pub async fn log_action(
    state: &AppState,
    ctx: &Ctx,
    action_id: Uuid,
    day: &str,
    outcome: &str,
    note: &str,
    client_id: Option<Uuid>,
) -> Result<(), AppError> {
    let entry = DayEntry {
        day,
        outcome,
        note,
        client_id,
    };
    log_days(state, ctx, action_id, &[entry]).await
}

/// One day of an action, as a form or a phone's queue sends it.
#[derive(Clone, Copy, Debug)]
pub struct DayEntry<'a> {
    /// YYYY-MM-DD: today or up to [`BACKDATE_DAYS`] before.
    pub day: &'a str,
    pub outcome: &'a str,
    pub note: &'a str,
    /// The phone's id for this entry, so that sending it again changes nothing.
    pub client_id: Option<Uuid>,
}

/// Records several days of one action at once (a week kept while away), all or nothing: one
/// day that cannot be recorded means none is. The same rules as [`log_action`], which records
/// one day through here.
pub async fn log_days(
    state: &AppState,
    ctx: &Ctx,
    action_id: Uuid,
    entries: &[DayEntry<'_>],
) -> Result<(), AppError> {
    let txn = crate::state::begin_write(&state.db).await?;
    let action = own_action(&txn, ctx, action_id).await?;
    let mut rows = Vec::with_capacity(entries.len());
    for entry in entries {
        if arrived_before(&txn, entry.client_id).await? {
            continue;
        }
        let day = loggable_day(ctx, &action, entry.day)?;
        let outcome = Outcome::parse(entry.outcome)
            .ok_or_else(|| AppError::field("outcome", "Choose done, partly or not today"))?;
        let note = entry.note.trim();
        if note.chars().count() > input::NOTE_TEXT {
            return Err(AppError::field(
                "note",
                format!("Your note must be {} characters or fewer", input::NOTE_TEXT),
            ));
        }
        let note = (!note.is_empty()).then(|| note.to_owned());
        rows.push((Uuid::new_v4(), day, outcome, note, entry.client_id));
    }
    if rows.is_empty() {
        // Every entry arrived before (a phone sending its queue again).
        return Ok(());
    }
    if action.status != "in_progress" {
        return Err(AppError::Conflict(
            "This action is not in progress, so it cannot be recorded.".into(),
        ));
    }
    // Insert the days not there yet (nor these client ids) as one statement: two phones
    // logging at once, or a retry racing its original, never make two rows and never fail on
    // the unique index. Only then are days already recorded changed.
    let (now, by) = (state.clock.now(), ctx.actor().account_id);
    let models = rows.iter().map(
        |(id, day, outcome, note, client_id)| action_log::ActiveModel {
            id: Set(*id),
            action_id: Set(action.id),
            patient_id: Set(ctx.patient().id),
            day: Set(*day),
            outcome: Set(outcome.code().to_owned()),
            note: Set(note.clone()),
            logged_at: Set(now),
            logged_by: Set(Some(by)),
            client_id: Set(*client_id),
        },
    );
    let inserted = action_log::Entity::insert_many(models)
        .on_conflict(OnConflict::new().do_nothing().to_owned())
        .exec_without_returning(&txn)
        .await?;
    if inserted < rows.len() as u64 {
        for (id, day, outcome, note, client_id) in rows {
            let stored = action_log::Entity::find()
                .filter(action_log::Column::ActionId.eq(action.id))
                .filter(action_log::Column::Day.eq(day))
                .one(&txn)
                .await?;
            if stored.as_ref().is_some_and(|row| row.id == id) {
                continue;
            }
            if arrived_before(&txn, client_id).await? {
                // This very log arrived a moment ago (a retry racing its original).
                continue;
            }
            let row = stored.ok_or_else(|| {
                AppError::Conflict(
                    "This day was changed at the same moment somewhere else. Try again.".into(),
                )
            })?;
            if !may_change_entry(ctx, &row) {
                return Err(AppError::Conflict(format!(
                    "{} has already recorded this day. Only they can change it.",
                    ctx.patient().given_name
                )));
            }
            let mut model = row.into_active_model();
            model.outcome = Set(outcome.code().to_owned());
            model.note = Set(note);
            model.logged_at = Set(now);
            model.logged_by = Set(Some(by));
            if client_id.is_some() {
                model.client_id = Set(client_id);
            }
            model.update(&txn).await?;
        }
    }
    refresh_streak(&txn, &action, ctx.today(), false).await?;
    txn.commit().await?;
    Ok(())
}

/// Moves an action's streak read model on to [`schedule::checkpoint_day`] of `today`, in the
/// transaction that changed its logs (or the action). It carries on from the count it held,
/// reading only the logs since (days nobody can log any more do not change); the first time,
/// or when the action itself changed (`afresh`), it counts back over the streak horizon.
pub(super) async fn refresh_streak(
    txn: &impl ConnectionTrait,
    action: &plan_action::Model,
    today: NaiveDate,
    afresh: bool,
) -> Result<(), AppError> {
    let freq = frequency_of(action);
    let through = schedule::checkpoint_day(&freq, today);
    let carry = super::read::carry_of(action)
        .filter(|c| !afresh && c.through <= through && c.through >= action.starts_on);
    if carry.is_some_and(|c| c.through == through) {
        return Ok(());
    }
    let from = carry.map_or(through - Days::new(STREAK_HORIZON_DAYS), |c| {
        c.through + Days::new(1)
    });
    let logs: Vec<(NaiveDate, String)> = action_log::Entity::find()
        .select_only()
        .columns([action_log::Column::Day, action_log::Column::Outcome])
        .filter(action_log::Column::ActionId.eq(action.id))
        .filter(action_log::Column::Day.gte(from))
        .filter(action_log::Column::Day.lte(through))
        .into_tuple()
        .all(txn)
        .await?;
    let logs: Vec<(NaiveDate, Outcome)> = logs
        .into_iter()
        .filter_map(|(day, o)| Outcome::parse(&o).map(|o| (day, o)))
        .collect();
    let count = schedule::run_through(&freq, action.starts_on, through, &logs, carry);
    plan_action::Entity::update_many()
        .col_expr(
            plan_action::Column::StreakThrough,
            sea_orm::sea_query::Expr::value(through),
        )
        .col_expr(
            plan_action::Column::StreakCount,
            sea_orm::sea_query::Expr::value(i32::try_from(count).unwrap_or(i32::MAX)),
        )
        .filter(plan_action::Column::Id.eq(action.id))
        .exec(txn)
        .await?;
    Ok(())
}

/// Whether a log with this client id is already stored (a phone sending it again).
pub(super) async fn arrived_before(
    txn: &DatabaseTransaction,
    client_id: Option<Uuid>,
) -> Result<bool, AppError> {
    let Some(client_id) = client_id else {
        return Ok(false);
    };
    Ok(action_log::Entity::find()
        .filter(action_log::Column::ClientId.eq(client_id))
        .one(txn)
        .await?
        .is_some())
}

/// Whether this actor may change (or take back) a recorded day: the person any of their own
/// plan's entries; a carer only the entries they made.
pub fn may_change_entry(ctx: &Ctx, row: &action_log::Model) -> bool {
    ctx.capacity() == Capacity::Patient || row.logged_by == Some(ctx.actor().account_id)
}

/// Takes back what was recorded for a day, within the same 7-day window.
pub async fn undo_log(
    state: &AppState,
    ctx: &Ctx,
    action_id: Uuid,
    day: &str,
) -> Result<(), AppError> {
    let txn = crate::state::begin_write(&state.db).await?;
    let action = own_action(&txn, ctx, action_id).await?;
    let day = loggable_day(ctx, &action, day)?;
    let mut only = action_log::Entity::delete_many()
        .filter(action_log::Column::ActionId.eq(action.id))
        .filter(action_log::Column::Day.eq(day));
    // A carer takes back only what they recorded themself; the person, anything on their plan.
    if ctx.capacity() != Capacity::Patient {
        only = only.filter(action_log::Column::LoggedBy.eq(ctx.actor().account_id));
    }
    let deleted = only.exec(&txn).await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    refresh_streak(&txn, &action, ctx.today(), false).await?;
    if ctx.capacity() == Capacity::Carer {
        // The person's access log names who took the day back, not just who logged.
        let origin = crate::auth::request_info::current();
        crate::auth::audit::record(
            &txn,
            state.clock.as_ref(),
            crate::auth::audit::Entry {
                actor: Some(ctx.actor().account_id),
                subject: ctx.patient().account_id,
                action: "carer_undid_log",
                success: true,
                origin: &origin,
                detail: None,
            },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Works out the streak read model of every action that has none yet (actions from before it
/// existed), in batches; returns how many. The server runs this at start-up, once the
/// database is migrated; running it again finds none.
pub async fn fill_streaks(
    db: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<usize, AppError> {
    let mut filled = 0;
    loop {
        let batch = plan_action::Entity::find()
            .filter(plan_action::Column::StreakThrough.is_null())
            .order_by_asc(plan_action::Column::Id)
            .limit(500)
            .all(db)
            .await?;
        if batch.is_empty() {
            return Ok(filled);
        }
        let zones: HashMap<Uuid, String> = patient::Entity::find()
            .filter(patient::Column::Id.is_in(batch.iter().map(|a| a.patient_id)))
            .all(db)
            .await?
            .into_iter()
            .map(|p| (p.id, p.time_zone))
            .collect();
        for action in &batch {
            let zone = zones.get(&action.patient_id).map_or("", String::as_str);
            refresh_streak(db, action, today_in(zone, now), true).await?;
        }
        filled += batch.len();
    }
}
