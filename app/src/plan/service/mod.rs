//! Reading and changing a plan. Every function takes a [`Ctx`], which only [`context`] makes,
//! after the policy has allowed the actor; every change is one transaction that also writes
//! the history row, so nothing is ever half-saved or unrecorded.
//!
//! `sections` (about me, goals, actions, the contingency plan and its contacts, support and
//! signposting), `logs` (logging an action and undoing it), `read` (what the plan, Today and an
//! action's page show), `agreement` (agreeing the plan and its history).
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

/// How far back logging reads, the first time it works out an action's streak read model: a
/// streak longer than this counts from here.
pub(super) const STREAK_HORIZON_DAYS: u64 = 400;
/// Logs can be added or undone for today and the 7 days before.
pub use super::schedule::BACKDATE_DAYS;
pub(super) const PICTURE_WEEKS: u32 = 8;
pub(super) const PROGRESS_WEEKS: u32 = 4;

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

pub(super) async fn record_change(
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

mod agreement;
mod logs;
mod read;
mod sections;
mod story;

pub use agreement::*;
pub use logs::*;
pub use read::*;
pub use sections::*;
pub use story::*;
