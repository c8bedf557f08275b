//! Reading and changing a plan. Every function takes a [`Ctx`], which only [`context`] makes,
//! after the policy has allowed the actor; every change is one transaction that also writes
//! the history row, so nothing is ever half-saved or unrecorded.
use std::collections::HashMap;

use chrono::{Days, NaiveDate};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, DatabaseTransaction,
    EntityTrait as _, IntoActiveModel as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    Set,
};
use uuid::Uuid;

use super::input::{
    self, ACTION_STATUSES, AboutMe, Action, ActionForm, Contact, Contingency, FieldChange,
    GOAL_STATUSES, Goal, GoalForm, SUPPORT_STATUSES, Support, SupportForm, TIMES_OF_DAY, Versioned,
    diff, label_of,
};
use super::schedule::{self, Frequency, Outcome, Progress};
use super::{
    ActionView, Agreement, ChangeView, ContactView, DayLog, GoalView, HistoryView, PlanView,
    SupportView, TodayView, Updated, Viewing, condition_name,
};
use crate::access::{self, Actor, Capacity, Permission as Verb};
use crate::entities::{
    about_me, account, action_log, contingency, contingency_contact, goal, patient,
    patient_condition, plan, plan_action, plan_change, support_item,
};
use crate::error::AppError;
use crate::state::AppState;

/// How far back logs are read for streaks: a streak longer than this shows as this long.
const STREAK_HORIZON_DAYS: u64 = 400;
/// Logs can be added or undone for today and the 7 days before.
pub const BACKDATE_DAYS: u64 = 7;
const PICTURE_WEEKS: u32 = 8;
const PROGRESS_WEEKS: u32 = 4;

/// Who is acting on whose plan, as the access layer allowed (made only there).
pub use crate::access::PatientCtx as Ctx;
pub use crate::access::own_patient;
/// The date in the person's own time zone.
pub use crate::clock::today_in;

/// The plan the signed-in account is working on (for now their own; #7 adds the person a carer
/// has chosen), once the policy allows `verb`. Anyone else gets `NotFound`.
pub async fn context(state: &AppState, account_id: Uuid, verb: Verb) -> Result<Ctx, AppError> {
    let patient = own_patient(state, account_id)
        .await?
        .ok_or(AppError::NotFound)?;
    for_patient(state, account_id, verb, patient).await
}

/// The signed-in account's own patient record, if they have one.
pub async fn for_patient(
    state: &AppState,
    account_id: Uuid,
    verb: Verb,
    patient: patient::Model,
) -> Result<Ctx, AppError> {
    let actor = Actor::new(account_id, state.clock.now());
    access::open_patient(&state.db, actor, verb, patient).await
}

async fn record_change(
    txn: &DatabaseTransaction,
    state: &AppState,
    ctx: &Ctx,
    section: &str,
    record_id: Option<Uuid>,
    summary: String,
    changes: &[FieldChange],
) -> Result<(), AppError> {
    plan_change::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(ctx.patient().id),
        at: Set(state.clock.now()),
        actor_account_id: Set(Some(ctx.actor().account_id)),
        // Looked up only when something changes, not on every read.
        actor_name: Set(account::Entity::find_by_id(ctx.actor().account_id)
            .one(txn)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default()),
        actor_kind: Set(ctx.capacity().code().to_owned()),
        section: Set(section.to_owned()),
        record_id: Set(record_id),
        summary: Set(summary),
        detail: Set(serde_json::to_string(changes).map_err(AppError::internal)?),
    }
    .insert(txn)
    .await?;
    Ok(())
}

// ---------- About me ----------

fn about_me_of(row: Option<about_me::Model>) -> AboutMe {
    row.map(|r| AboutMe {
        what_matters: r.what_matters,
        important_people: r.important_people,
        communication: r.communication,
        please_do: r.please_do,
        please_dont: r.please_dont,
        support_how_when: r.support_how_when,
        also_worth_knowing: r.also_worth_knowing,
        supported_by: r.supported_by,
    })
    .unwrap_or_default()
}

pub async fn save_about_me(state: &AppState, ctx: &Ctx, raw: &AboutMe) -> Result<(), AppError> {
    let new = AboutMe::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let row = about_me::Entity::find_by_id(ctx.patient().id)
        .one(&txn)
        .await?;
    let old = about_me_of(row.clone());
    let changes = diff(Some(&old), &new);
    if changes.is_empty() {
        return Ok(());
    }
    let existed = row.is_some();
    let mut model = match row {
        Some(r) => r.into_active_model(),
        None => about_me::ActiveModel {
            patient_id: Set(ctx.patient().id),
            ..Default::default()
        },
    };
    model.what_matters = Set(new.what_matters.clone());
    model.important_people = Set(new.important_people.clone());
    model.communication = Set(new.communication.clone());
    model.please_do = Set(new.please_do.clone());
    model.please_dont = Set(new.please_dont.clone());
    model.support_how_when = Set(new.support_how_when.clone());
    model.also_worth_knowing = Set(new.also_worth_knowing.clone());
    model.supported_by = Set(new.supported_by.clone());
    if existed {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    record_change(
        &txn,
        state,
        ctx,
        "about_me",
        None,
        "Changed \"About me\"".into(),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------- Goals ----------

async fn conditions_of(
    state: &AppState,
    patient_id: Uuid,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(patient_condition::Entity::find()
        .filter(patient_condition::Column::PatientId.eq(patient_id))
        .order_by_asc(patient_condition::Column::Condition)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| {
            let name = condition_name(&c.condition);
            (c.condition, name)
        })
        .collect())
}

fn goal_of(row: &goal::Model) -> Goal {
    Goal {
        title: row.title.clone(),
        why: row.why.clone(),
        importance: row.importance,
        success: row.success.clone(),
        target_date: row.target_date,
        status: row.status.clone(),
        conditions: row
            .conditions
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    }
}

fn goal_form_of(row: &goal::Model) -> GoalForm {
    GoalForm {
        title: row.title.clone(),
        why: row.why.clone(),
        importance: row.importance.to_string(),
        success: row.success.clone(),
        target_date: row.target_date.map(|d| d.to_string()).unwrap_or_default(),
        status: row.status.clone(),
        rest: row
            .conditions
            .split_whitespace()
            .map(|c| (format!("conditions_{c}"), "on".to_owned()))
            .collect(),
    }
}

async fn own_goal(db: &impl ConnectionTrait, ctx: &Ctx, id: Uuid) -> Result<goal::Model, AppError> {
    goal::Entity::find_by_id(id)
        .filter(goal::Column::PatientId.eq(ctx.patient().id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds a goal (when `id` is `None`) or changes one. Returns its id.
pub async fn save_goal(
    state: &AppState,
    ctx: &Ctx,
    id: Option<Uuid>,
    raw: &GoalForm,
) -> Result<Uuid, AppError> {
    let allowed = conditions_of(state, ctx.patient().id).await?;
    let new = Goal::parse(raw, &allowed)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let (id, old, mut model) = match id {
        Some(id) => {
            let row = own_goal(&txn, ctx, id).await?;
            (id, Some(goal_of(&row)), row.into_active_model())
        }
        None => {
            let id = Uuid::new_v4();
            let model = goal::ActiveModel {
                id: Set(id),
                patient_id: Set(ctx.patient().id),
                created_at: Set(state.clock.now()),
                ..Default::default()
            };
            (id, None, model)
        }
    };
    let changes = diff(old.as_ref().map(|g| g as &dyn Versioned), &new);
    if changes.is_empty() {
        return Ok(id);
    }
    model.title = Set(new.title.clone());
    model.why = Set(new.why.clone());
    model.importance = Set(new.importance);
    model.success = Set(new.success.clone());
    model.target_date = Set(new.target_date);
    model.status = Set(new.status.clone());
    model.conditions = Set(new.conditions.join(" "));
    if old.is_some() {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    let summary = if old.is_some() {
        format!("Changed the goal \"{}\"", new.title)
    } else {
        format!("Added the goal \"{}\"", new.title)
    };
    record_change(&txn, state, ctx, "goals", Some(id), summary, &changes).await?;
    // Action reminders start with the first action, and stop when none is in progress.
    crate::events::record(
        &txn,
        state.clock.now(),
        crate::events::Event::PersonChanged {
            patient: ctx.patient().id,
        },
    )
    .await?;
    txn.commit().await?;
    state.react().await;
    Ok(id)
}

// ---------- Actions ----------

fn frequency_of(row: &plan_action::Model) -> Frequency {
    Frequency::from_parts(
        &row.frequency,
        row.times_per_week,
        &row.weekdays,
        row.due_by,
    )
    .unwrap_or(Frequency::Daily)
}

fn action_of(row: &plan_action::Model) -> Action {
    Action {
        what: row.what.clone(),
        who_kind: row.who_kind.clone(),
        who_name: row.who_name.clone(),
        frequency: frequency_of(row),
        time_of_day: row.time_of_day.clone(),
        confidence: row.confidence,
        status: row.status.clone(),
    }
}

fn action_form_of(row: &plan_action::Model) -> ActionForm {
    ActionForm {
        goal: row.goal_id.to_string(),
        what: row.what.clone(),
        who_kind: row.who_kind.clone(),
        who_name: row.who_name.clone(),
        frequency: row.frequency.clone(),
        times_per_week: row
            .times_per_week
            .map(|n| n.to_string())
            .unwrap_or_default(),
        due_by: row.due_by.map(|d| d.to_string()).unwrap_or_default(),
        time_of_day: row.time_of_day.clone(),
        confidence: row.confidence.to_string(),
        status: row.status.clone(),
        rest: row
            .weekdays
            .split_whitespace()
            .map(|d| (format!("weekdays_{d}"), "on".to_owned()))
            .collect(),
    }
}

async fn own_action(
    db: &impl ConnectionTrait,
    ctx: &Ctx,
    id: Uuid,
) -> Result<plan_action::Model, AppError> {
    plan_action::Entity::find_by_id(id)
        .filter(plan_action::Column::PatientId.eq(ctx.patient().id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds an action to a goal (when `id` is `None`) or changes one. Changing confidence or how
/// often keeps the earlier values in the history. Returns its id.
pub async fn save_action(
    state: &AppState,
    ctx: &Ctx,
    id: Option<Uuid>,
    raw: &ActionForm,
) -> Result<Uuid, AppError> {
    let new = Action::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let (id, old, mut model) = match id {
        Some(id) => {
            let row = own_action(&txn, ctx, id).await?;
            (id, Some(action_of(&row)), row.into_active_model())
        }
        None => {
            let goal_id = Uuid::parse_str(raw.goal.trim()).map_err(|_| AppError::NotFound)?;
            own_goal(&txn, ctx, goal_id).await?;
            let id = Uuid::new_v4();
            let model = plan_action::ActiveModel {
                id: Set(id),
                patient_id: Set(ctx.patient().id),
                goal_id: Set(goal_id),
                starts_on: Set(ctx.today()),
                created_at: Set(state.clock.now()),
                ..Default::default()
            };
            (id, None, model)
        }
    };
    let changes = diff(old.as_ref().map(|a| a as &dyn Versioned), &new);
    if changes.is_empty() {
        return Ok(id);
    }
    let (kind, times, weekdays, due_by) = new.frequency_parts();
    model.what = Set(new.what.clone());
    model.who_kind = Set(new.who_kind.clone());
    model.who_name = Set(new.who_name.clone());
    model.frequency = Set(kind.to_owned());
    model.times_per_week = Set(times);
    model.weekdays = Set(weekdays);
    model.due_by = Set(due_by);
    model.time_of_day = Set(new.time_of_day.clone());
    model.confidence = Set(new.confidence);
    model.status = Set(new.status.clone());
    if old.is_some() {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    let summary = if old.is_some() {
        format!("Changed the action \"{}\"", new.what)
    } else {
        format!("Added the action \"{}\"", new.what)
    };
    record_change(&txn, state, ctx, "goals", Some(id), summary, &changes).await?;
    txn.commit().await?;
    Ok(id)
}

// ---------- Logging ----------

/// Checks a day sent by a form: today or up to 7 days before, and not before the action began.
fn loggable_day(ctx: &Ctx, action: &plan_action::Model, day: &str) -> Result<NaiveDate, AppError> {
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
    let txn = crate::state::begin_write(&state.db).await?;
    let action = own_action(&txn, ctx, action_id).await?;
    if arrived_before(&txn, client_id).await? {
        return Ok(());
    }
    let day = loggable_day(ctx, &action, day)?;
    let outcome = Outcome::parse(outcome)
        .ok_or_else(|| AppError::field("outcome", "Choose done, partly or not today"))?;
    let note = note.trim();
    if note.chars().count() > input::NOTE_TEXT {
        return Err(AppError::field(
            "note",
            format!("Your note must be {} characters or fewer", input::NOTE_TEXT),
        ));
    }
    if action.status != "in_progress" {
        return Err(AppError::Conflict(
            "This action is not in progress, so it cannot be recorded.".into(),
        ));
    }
    let note = (!note.is_empty()).then(|| note.to_owned());
    // Insert unless the day (or this client id) is already there, as one statement: two
    // phones logging at once, or a retry racing its original, never make two rows and never
    // fail on the unique index. Only then is an existing day changed.
    let inserted = action_log::Entity::insert(action_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        action_id: Set(action.id),
        patient_id: Set(ctx.patient().id),
        day: Set(day),
        outcome: Set(outcome.code().to_owned()),
        note: Set(note.clone()),
        logged_at: Set(state.clock.now()),
        logged_by: Set(Some(ctx.actor().account_id)),
        client_id: Set(client_id),
    })
    .on_conflict(OnConflict::new().do_nothing().to_owned())
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        if arrived_before(&txn, client_id).await? {
            // This very log arrived a moment ago (a retry racing its original).
            return Ok(());
        }
        let row = action_log::Entity::find()
            .filter(action_log::Column::ActionId.eq(action.id))
            .filter(action_log::Column::Day.eq(day))
            .one(&txn)
            .await?
            .ok_or_else(|| {
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
        model.logged_at = Set(state.clock.now());
        model.logged_by = Set(Some(ctx.actor().account_id));
        if client_id.is_some() {
            model.client_id = Set(client_id);
        }
        model.update(&txn).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Whether a log with this client id is already stored (a phone sending it again).
async fn arrived_before(
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
    let action = own_action(&state.db, ctx, action_id).await?;
    let day = loggable_day(ctx, &action, day)?;
    let mut only = action_log::Entity::delete_many()
        .filter(action_log::Column::ActionId.eq(action.id))
        .filter(action_log::Column::Day.eq(day));
    // A carer takes back only what they recorded themself; the person, anything on their plan.
    if ctx.capacity() != Capacity::Patient {
        only = only.filter(action_log::Column::LoggedBy.eq(ctx.actor().account_id));
    }
    let deleted = only.exec(&state.db).await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    if ctx.capacity() == Capacity::Carer {
        // The person's access log names who took the day back, not just who logged.
        let origin = crate::auth::request_info::current();
        crate::auth::audit::record(
            &state.db,
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
    Ok(())
}

// ---------- Contingency ----------

fn contingency_of(row: Option<contingency::Model>) -> Contingency {
    row.map(|r| Contingency {
        warning_signs: r.warning_signs,
        what_to_do: r.what_to_do,
        coping: r.coping,
        anticipatory: r.anticipatory,
    })
    .unwrap_or_default()
}

pub async fn save_contingency(
    state: &AppState,
    ctx: &Ctx,
    raw: &Contingency,
) -> Result<(), AppError> {
    let new = Contingency::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let row = contingency::Entity::find_by_id(ctx.patient().id)
        .one(&txn)
        .await?;
    let changes = diff(Some(&contingency_of(row.clone())), &new);
    if changes.is_empty() {
        return Ok(());
    }
    let existed = row.is_some();
    let mut model = match row {
        Some(r) => r.into_active_model(),
        None => contingency::ActiveModel {
            patient_id: Set(ctx.patient().id),
            ..Default::default()
        },
    };
    model.warning_signs = Set(new.warning_signs.clone());
    model.what_to_do = Set(new.what_to_do.clone());
    model.coping = Set(new.coping.clone());
    model.anticipatory = Set(new.anticipatory.clone());
    if existed {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    record_change(
        &txn,
        state,
        ctx,
        "contingency",
        None,
        "Changed the contingency plan".into(),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn add_contact(state: &AppState, ctx: &Ctx, raw: &Contact) -> Result<(), AppError> {
    let new = Contact::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let id = Uuid::new_v4();
    contingency_contact::ActiveModel {
        id: Set(id),
        patient_id: Set(ctx.patient().id),
        name: Set(new.name.clone()),
        role: Set(new.role.clone()),
        phone: Set(new.phone.clone()),
        created_at: Set(state.clock.now()),
    }
    .insert(&txn)
    .await?;
    let changes = diff(None, &new);
    record_change(
        &txn,
        state,
        ctx,
        "contingency",
        Some(id),
        format!("Added {} as a contact", new.name),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn remove_contact(state: &AppState, ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
    let txn = crate::state::begin_write(&state.db).await?;
    let row = contingency_contact::Entity::find_by_id(id)
        .filter(contingency_contact::Column::PatientId.eq(ctx.patient().id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = Contact {
        name: row.name.clone(),
        role: row.role.clone(),
        phone: row.phone.clone(),
    };
    contingency_contact::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    let changes: Vec<FieldChange> = old
        .fields()
        .into_iter()
        .map(|(f, v)| FieldChange {
            field: f.to_owned(),
            before: v,
            after: String::new(),
        })
        .collect();
    record_change(
        &txn,
        state,
        ctx,
        "contingency",
        Some(id),
        format!("Removed {} as a contact", row.name),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------- Support and signposting ----------

pub async fn add_support(state: &AppState, ctx: &Ctx, raw: &SupportForm) -> Result<(), AppError> {
    let new = Support::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    if let Some(goal_id) = new.goal {
        own_goal(&txn, ctx, goal_id)
            .await
            .map_err(|_| AppError::field("goal", "Choose a goal from the list"))?;
    }
    let id = Uuid::new_v4();
    support_item::ActiveModel {
        id: Set(id),
        patient_id: Set(ctx.patient().id),
        goal_id: Set(new.goal),
        name: Set(new.name.clone()),
        why: Set(new.why.clone()),
        contact: Set(new.contact.clone()),
        status: Set("suggested".into()),
        created_at: Set(state.clock.now()),
    }
    .insert(&txn)
    .await?;
    record_change(
        &txn,
        state,
        ctx,
        "support",
        Some(id),
        format!("Added \"{}\"", new.name),
        &diff(None, &new),
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn set_support_status(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    status: &str,
) -> Result<(), AppError> {
    if !SUPPORT_STATUSES.iter().any(|(c, _)| *c == status) {
        return Err(AppError::field("status", "Choose how it is going"));
    }
    let txn = crate::state::begin_write(&state.db).await?;
    let row = support_item::Entity::find_by_id(id)
        .filter(support_item::Column::PatientId.eq(ctx.patient().id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status == status {
        return Ok(());
    }
    let change = FieldChange {
        field: "How it is going".into(),
        before: label_of(&SUPPORT_STATUSES, &row.status).to_owned(),
        after: label_of(&SUPPORT_STATUSES, status).to_owned(),
    };
    let name = row.name.clone();
    let mut model = row.into_active_model();
    model.status = Set(status.to_owned());
    model.update(&txn).await?;
    record_change(
        &txn,
        state,
        ctx,
        "support",
        Some(id),
        format!("Said how \"{name}\" is going"),
        &[change],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------- Reading ----------

/// Per action: day, outcome, note, and who logged it when it was not the person ("Sian Evans
/// (carer)").
/// Each action's recent days: day, outcome, note, and who logged it (named when it was not
/// the person) with whether the viewer may take it back.
type Logs = HashMap<Uuid, Vec<LoggedDay>>;
type LoggedDay = (NaiveDate, Outcome, Option<String>, (Option<String>, bool));
/// A log as read: action, day, outcome code, note, who logged it.
type LogRow = (Uuid, NaiveDate, String, Option<String>, Option<Uuid>);

/// All logs of the person's actions since the streak horizon, by action: one query.
async fn recent_logs(state: &AppState, ctx: &Ctx) -> Result<Logs, AppError> {
    let since = ctx.today() - Days::new(STREAK_HORIZON_DAYS);
    // Only the columns the pages use: this is the one query whose size grows with history.
    let rows: Vec<LogRow> = action_log::Entity::find()
        .select_only()
        .columns([
            action_log::Column::ActionId,
            action_log::Column::Day,
            action_log::Column::Outcome,
            action_log::Column::Note,
            action_log::Column::LoggedBy,
        ])
        .filter(action_log::Column::PatientId.eq(ctx.patient().id))
        .filter(action_log::Column::Day.gte(since))
        .order_by_asc(action_log::Column::Day)
        .into_tuple()
        .all(&state.db)
        .await?;
    // Carers and staff who logged for the person, named in one query (none when it was all them).
    let others: Vec<Uuid> = rows
        .iter()
        .filter_map(|r| r.4)
        .filter(|by| Some(*by) != ctx.patient().account_id)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: HashMap<Uuid, String> = if others.is_empty() {
        HashMap::new()
    } else {
        let carers: Vec<Uuid> = crate::entities::carer_grant::Entity::find()
            .filter(crate::entities::carer_grant::Column::PatientId.eq(ctx.patient().id))
            .filter(crate::entities::carer_grant::Column::CarerAccountId.is_in(others.clone()))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|g| g.carer_account_id)
            .collect();
        account::Entity::find()
            .filter(account::Column::Id.is_in(others))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|a| {
                let role = if carers.contains(&a.id) {
                    "carer"
                } else {
                    "care team"
                };
                (a.id, format!("{} ({role})", a.display_name))
            })
            .collect()
    };
    let mut logs: Logs = HashMap::new();
    for (action_id, day, outcome, note, by) in rows {
        if let Some(outcome) = Outcome::parse(&outcome) {
            let may_undo =
                ctx.capacity() == Capacity::Patient || by == Some(ctx.actor().account_id);
            let by = by.and_then(|b| names.get(&b).cloned());
            logs.entry(action_id)
                .or_default()
                .push((day, outcome, note, (by, may_undo)));
        }
    }
    Ok(logs)
}

/// How many of each person's actions are due on their `today` and not yet logged: what an
/// action reminder is about (it says nothing when this is none). Two queries however many
/// people there are, for the reminder worker's batches.
pub async fn actions_left(
    db: &impl ConnectionTrait,
    people: &[(Uuid, NaiveDate)],
) -> Result<HashMap<Uuid, usize>, AppError> {
    let ids: Vec<Uuid> = people.iter().map(|(p, _)| *p).collect();
    let mut out: HashMap<Uuid, usize> = ids.iter().map(|p| (*p, 0)).collect();
    let actions = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.is_in(ids.iter().copied()))
        .filter(plan_action::Column::Status.eq("in_progress"))
        .all(db)
        .await?;
    if actions.is_empty() {
        return Ok(out);
    }
    let earliest = people.iter().map(|(_, d)| *d).min().unwrap_or_default();
    let since = earliest - Days::new(STREAK_HORIZON_DAYS);
    let rows: Vec<(Uuid, NaiveDate, String)> = action_log::Entity::find()
        .select_only()
        .columns([
            action_log::Column::ActionId,
            action_log::Column::Day,
            action_log::Column::Outcome,
        ])
        .filter(action_log::Column::PatientId.is_in(ids.iter().copied()))
        .filter(action_log::Column::Day.gte(since))
        .into_tuple()
        .all(db)
        .await?;
    let mut logs: HashMap<Uuid, Vec<(NaiveDate, Outcome)>> = HashMap::new();
    for (action, day, outcome) in rows {
        if let Some(o) = Outcome::parse(&outcome) {
            logs.entry(action).or_default().push((day, o));
        }
    }
    let today: HashMap<Uuid, NaiveDate> = people.iter().copied().collect();
    let empty = Vec::new();
    for a in &actions {
        let Some(day) = today.get(&a.patient_id).copied() else {
            continue;
        };
        let mine = logs.get(&a.id).unwrap_or(&empty);
        if schedule::is_due(&frequency_of(a), a.starts_on, day, mine)
            && !mine.iter().any(|(d, _)| *d == day)
        {
            *out.entry(a.patient_id).or_default() += 1;
        }
    }
    Ok(out)
}

fn day_label(day: NaiveDate, today: NaiveDate) -> String {
    if day == today {
        "Today".into()
    } else if Some(day) == today.pred_opt() {
        "Yesterday".into()
    } else {
        schedule::day_name(day)
    }
}

/// Whether the viewer may record days (the person, or a carer allowed to log).
async fn may_log(state: &AppState, ctx: &Ctx) -> Result<bool, AppError> {
    if ctx.capacity() == Capacity::Patient {
        return Ok(true);
    }
    Ok(
        access::permitted(&state.db, ctx.actor(), ctx.patient(), &[Verb::LogActions])
            .await?
            .contains(&Verb::LogActions),
    )
}

fn action_view(
    row: &plan_action::Model,
    goal_title: &str,
    logs: &[LoggedDay],
    today: NaiveDate,
    may_log: bool,
) -> ActionView {
    let freq = frequency_of(row);
    let pairs: Vec<(NaiveDate, Outcome)> = logs.iter().map(|(d, o, _, _)| (*d, *o)).collect();
    // Days that can still be recorded: today and the week before, from the day it started.
    let recent = (0..=BACKDATE_DAYS)
        .map(|back| today - Days::new(back))
        .filter(|day| *day >= row.starts_on || *day == today)
        .map(|day| {
            let log = logs.iter().find(|(d, _, _, _)| *d == day);
            DayLog {
                day: day.to_string(),
                label: day_label(day, today),
                outcome: log.map(|(_, o, _, _)| *o),
                note: log.and_then(|(_, _, n, _)| n.clone()),
                by: log.and_then(|(_, _, _, b)| b.0.clone()),
                may_undo: log.is_some_and(|(_, _, _, b)| b.1),
            }
        })
        .collect();
    let in_progress = row.status == "in_progress";
    ActionView {
        may_log: may_log && in_progress,
        viewing: None,
        id: row.id,
        goal_id: row.goal_id,
        goal_title: goal_title.to_owned(),
        what: row.what.clone(),
        who: input::who_text(&row.who_kind, &row.who_name),
        how_often: freq.describe(),
        time_of_day: if row.time_of_day == "any" {
            String::new()
        } else {
            label_of(&TIMES_OF_DAY, &row.time_of_day).to_owned()
        },
        confidence: row.confidence,
        status: row.status.clone(),
        status_label: label_of(&ACTION_STATUSES, &row.status).to_owned(),
        form: action_form_of(row),
        weeks: schedule::weekly_picture(&freq, row.starts_on, today, &pairs, PICTURE_WEEKS),
        streak: schedule::streak(&freq, row.starts_on, today, &pairs).map(|s| s.describe()),
        recent,
        due_today: in_progress && schedule::is_due(&freq, row.starts_on, today, &pairs),
        loggable: in_progress && row.who_kind != "professional",
    }
}

async fn last_update(
    state: &AppState,
    patient_id: Uuid,
    section: &str,
) -> Result<Option<Updated>, AppError> {
    Ok(plan_change::Entity::find()
        .filter(plan_change::Column::PatientId.eq(patient_id))
        .filter(plan_change::Column::Section.eq(section))
        .order_by_desc(plan_change::Column::At)
        .one(&state.db)
        .await?
        .map(|c| Updated {
            by: c.actor_name,
            kind: c.actor_kind,
            on: schedule::long_date(c.at.date_naive()),
        }))
}

async fn goals_with_actions(state: &AppState, ctx: &Ctx) -> Result<Vec<GoalView>, AppError> {
    let goals = goal::Entity::find()
        .filter(goal::Column::PatientId.eq(ctx.patient().id))
        .order_by_asc(goal::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let actions = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.eq(ctx.patient().id))
        .order_by_asc(plan_action::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let logs = recent_logs(state, ctx).await?;
    let may_log = may_log(state, ctx).await?;
    let empty = Vec::new();
    Ok(goals
        .iter()
        .map(|g| {
            let views: Vec<ActionView> = actions
                .iter()
                .filter(|a| a.goal_id == g.id)
                .map(|a| {
                    action_view(
                        a,
                        &g.title,
                        logs.get(&a.id).unwrap_or(&empty),
                        ctx.today(),
                        may_log,
                    )
                })
                .collect();
            let mut progress = Progress::default();
            for v in views.iter().filter(|v| v.status != "not_doing") {
                let last = v.weeks.len().saturating_sub(PROGRESS_WEEKS as usize);
                progress.add(&v.weeks[last..]);
            }
            GoalView {
                id: g.id,
                form: goal_form_of(g),
                title: g.title.clone(),
                why: g.why.clone(),
                importance: g.importance,
                success: g.success.clone(),
                target_date: g.target_date.map(schedule::long_date),
                status_label: label_of(&GOAL_STATUSES, &g.status).to_owned(),
                conditions: g
                    .conditions
                    .split_whitespace()
                    .map(condition_name)
                    .collect(),
                progress,
                actions: views,
            }
        })
        .collect())
}

/// Who is looking, and what the pages may offer them (one batched policy question).
pub async fn viewing(state: &AppState, ctx: &Ctx) -> Result<Viewing, AppError> {
    let may = access::permitted(
        &state.db,
        ctx.actor(),
        ctx.patient(),
        &[
            Verb::ChangePlan,
            Verb::LogActions,
            Verb::ReadResults,
            Verb::AnswerAgenda,
        ],
    )
    .await?;
    Ok(Viewing {
        own: ctx.capacity() == Capacity::Patient,
        given_name: ctx.patient().given_name.clone(),
        change_plan: may.contains(&Verb::ChangePlan),
        log_actions: may.contains(&Verb::LogActions),
        read_results: may.contains(&Verb::ReadResults),
        answer_agenda: may.contains(&Verb::AnswerAgenda),
    })
}

pub async fn plan(state: &AppState, ctx: &Ctx) -> Result<PlanView, AppError> {
    let p = ctx.patient();
    let about = about_me::Entity::find_by_id(p.id).one(&state.db).await?;
    let cont = contingency::Entity::find_by_id(p.id).one(&state.db).await?;
    let contacts = contingency_contact::Entity::find()
        .filter(contingency_contact::Column::PatientId.eq(p.id))
        .order_by_asc(contingency_contact::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let goals = goals_with_actions(state, ctx).await?;
    let support = support_item::Entity::find()
        .filter(support_item::Column::PatientId.eq(p.id))
        .order_by_asc(support_item::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let review = plan::Entity::find_by_id(p.id).one(&state.db).await?;
    let agreement = match review.as_ref() {
        Some(r) => agreement_of(state, ctx, r).await?,
        None => None,
    };
    let viewing = viewing(state, ctx).await?;
    Ok(PlanView {
        viewing,
        person_name: format!("{} {}", p.given_name, p.family_name),
        nhs_number: crate::nhs_number::NhsNumber::parse(&p.nhs_number)
            .map(|n| n.to_string())
            .unwrap_or_else(|_| p.nhs_number.clone()),
        date_of_birth: schedule::long_date(p.date_of_birth),
        conditions: conditions_of(state, p.id).await?,
        today: ctx.today().to_string(),
        about_me: about_me_of(about),
        about_me_updated: last_update(state, p.id, "about_me").await?,
        goals_updated: last_update(state, p.id, "goals").await?,
        contingency: contingency_of(cont),
        contacts: contacts
            .into_iter()
            .map(|c| {
                let tel = Contact {
                    name: String::new(),
                    role: String::new(),
                    phone: c.phone.clone(),
                }
                .tel();
                ContactView {
                    id: c.id,
                    name: c.name,
                    role: c.role,
                    phone: c.phone,
                    tel,
                }
            })
            .collect(),
        contingency_updated: last_update(state, p.id, "contingency").await?,
        support: support
            .into_iter()
            .map(|s| SupportView {
                id: s.id,
                goal_title: s
                    .goal_id
                    .and_then(|g| goals.iter().find(|gv| gv.id == g))
                    .map(|g| g.title.clone()),
                name: s.name,
                why: s.why,
                contact: s.contact,
                status_label: label_of(&SUPPORT_STATUSES, &s.status).to_owned(),
                status: s.status,
            })
            .collect(),
        support_updated: last_update(state, p.id, "support").await?,
        goals,
        review_date: review
            .as_ref()
            .and_then(|r| r.review_date)
            .map(schedule::long_date),
        review_on: review
            .as_ref()
            .and_then(|r| r.review_date)
            .map(|d| d.to_string()),
        review_with: review.and_then(|r| r.review_with),
        agreement,
    })
}

async fn agreement_of(
    state: &AppState,
    ctx: &Ctx,
    row: &plan::Model,
) -> Result<Option<Agreement>, AppError> {
    let (Some(at), Some(written_by), Some(with)) = (
        row.agreed_at,
        row.written_by.clone(),
        row.agreed_with.clone(),
    ) else {
        return Ok(None);
    };
    let changed_since = plan_change::Entity::find()
        .filter(plan_change::Column::PatientId.eq(ctx.patient().id))
        .filter(plan_change::Column::At.gt(at))
        .filter(plan_change::Column::Section.ne(AGREED_SECTION))
        .one(&state.db)
        .await?
        .is_some();
    let tz = crate::clock::zone(&ctx.patient().time_zone);
    Ok(Some(Agreement {
        on: schedule::long_date(at.with_timezone(&tz).date_naive()),
        written_by,
        with,
        representative: row.representative.clone(),
        changed_since,
    }))
}

/// The history's section for agreeing the plan.
const AGREED_SECTION: &str = "agreed";

/// What a professional records when the plan is agreed in the conversation.
pub struct Agreeing {
    /// `person` or `representative`.
    pub with: String,
    pub representative: Option<String>,
    pub next_review: NaiveDate,
    /// "Dr Priya Shah, Riverside Medical Practice".
    pub written_by: String,
}

/// Marks the plan agreed, with who wrote it and when it is next reviewed; the history says so.
pub async fn agree(state: &AppState, ctx: &Ctx, a: Agreeing) -> Result<(), AppError> {
    let txn = crate::state::begin_write(&state.db).await?;
    plan::Entity::insert(plan::ActiveModel {
        patient_id: Set(ctx.patient().id),
        review_date: Set(Some(a.next_review)),
        agreed_at: Set(Some(state.clock.now())),
        agreed_by: Set(Some(ctx.actor().account_id)),
        written_by: Set(Some(a.written_by.clone())),
        agreed_with: Set(Some(a.with.clone())),
        representative: Set(a.representative.clone()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(plan::Column::PatientId)
            .update_columns([
                plan::Column::ReviewDate,
                plan::Column::AgreedAt,
                plan::Column::AgreedBy,
                plan::Column::WrittenBy,
                plan::Column::AgreedWith,
                plan::Column::Representative,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let summary = match &a.representative {
        Some(r) => format!("Agreed the plan with your representative, {r}"),
        None => "Agreed the plan with you".to_owned(),
    };
    let change = FieldChange {
        field: "Next review".into(),
        before: String::new(),
        after: schedule::long_date(a.next_review),
    };
    record_change(&txn, state, ctx, AGREED_SECTION, None, summary, &[change]).await?;
    txn.commit().await?;
    Ok(())
}

fn change_view(c: plan_change::Model) -> ChangeView {
    ChangeView {
        at: c.at.format("%-d %B %Y at %H:%M").to_string(),
        by: c.actor_name,
        kind: c.actor_kind,
        section: match c.section.as_str() {
            "about_me" => "About me",
            "goals" => "Goals and actions",
            "contingency" => "If things get worse",
            "support" => "Support and groups",
            AGREED_SECTION => "Plan agreed",
            _ => "Plan",
        }
        .to_owned(),
        summary: c.summary,
        changes: serde_json::from_str(&c.detail).unwrap_or_default(),
    }
}

/// The plan's history, newest first.
pub async fn history(state: &AppState, ctx: &Ctx) -> Result<HistoryView, AppError> {
    let changes = plan_change::Entity::find()
        .filter(plan_change::Column::PatientId.eq(ctx.patient().id))
        .order_by_desc(plan_change::Column::At)
        .limit(500)
        .all(&state.db)
        .await?
        .into_iter()
        .map(change_view)
        .collect();
    Ok(HistoryView {
        viewing: viewing(state, ctx).await?,
        changes,
    })
}

/// The Today page: due actions, the next review, news from the care team. A fixed number of
/// queries, however long the person's history.
pub async fn today(state: &AppState, ctx: &Ctx) -> Result<TodayView, AppError> {
    let p = ctx.patient();
    let actions = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.eq(p.id))
        .filter(plan_action::Column::Status.eq("in_progress"))
        .order_by_asc(plan_action::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let goal_ids: Vec<Uuid> = actions.iter().map(|a| a.goal_id).collect();
    let goals: HashMap<Uuid, String> = goal::Entity::find()
        .filter(goal::Column::Id.is_in(goal_ids))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|g| (g.id, g.title))
        .collect();
    let logs = recent_logs(state, ctx).await?;
    let may_log = may_log(state, ctx).await?;
    let empty = Vec::new();
    let due: Vec<ActionView> = actions
        .iter()
        .map(|a| {
            let title = goals.get(&a.goal_id).map(String::as_str).unwrap_or("");
            action_view(
                a,
                title,
                logs.get(&a.id).unwrap_or(&empty),
                ctx.today(),
                may_log,
            )
        })
        .filter(|v| v.due_today && v.loggable)
        .collect();
    let review = plan::Entity::find_by_id(p.id).one(&state.db).await?;
    let since = state.clock.now() - chrono::Duration::days(14);
    let news = plan_change::Entity::find()
        .filter(plan_change::Column::PatientId.eq(p.id))
        .filter(plan_change::Column::ActorKind.ne("patient"))
        .filter(plan_change::Column::At.gte(since))
        .order_by_desc(plan_change::Column::At)
        .limit(5)
        .all(&state.db)
        .await?;
    let viewing = viewing(state, ctx).await?;
    Ok(TodayView {
        viewing,
        today: ctx.today().to_string(),
        today_label: ctx.today().format("%A %-d %B").to_string(),
        due,
        has_actions: !actions.is_empty(),
        review_date: review
            .as_ref()
            .and_then(|r| r.review_date)
            .map(schedule::long_date),
        review_with: review.and_then(|r| r.review_with),
        news: news.into_iter().map(change_view).collect(),
    })
}

/// One action with its goal, for the action's own page.
pub async fn action(state: &AppState, ctx: &Ctx, id: Uuid) -> Result<ActionView, AppError> {
    let row = own_action(&state.db, ctx, id).await?;
    let goal = own_goal(&state.db, ctx, row.goal_id).await?;
    let logs = recent_logs(state, ctx).await?;
    let viewing = viewing(state, ctx).await?;
    Ok(ActionView {
        viewing: Some(viewing.clone()),
        ..action_view(
            &row,
            &goal.title,
            logs.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            ctx.today(),
            viewing.log_actions,
        )
    })
}
