//! The audit log: every sign-in, failure, passkey change, recovery and session end. It records
//! who, what, when and from where — never health data. Issue #7 shows it to the person.
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, Set};
use uuid::Uuid;

use crate::access::{Capacity, PatientCtx, Permission};
use crate::clock::Clock;
use crate::entities::audit_event;
use crate::error::AppError;
use crate::session::Origin;

pub struct Entry<'a> {
    pub actor: Option<Uuid>,
    pub subject: Option<Uuid>,
    pub action: &'static str,
    pub success: bool,
    pub origin: &'a Origin,
    pub detail: Option<String>,
}

impl<'a> Entry<'a> {
    /// A successful action a person took on their own account.
    pub fn own(account: Uuid, action: &'static str, origin: &'a Origin) -> Self {
        Self {
            actor: Some(account),
            subject: Some(account),
            action,
            success: true,
            origin,
            detail: None,
        }
    }
}

/// A care-team member read or changed a person's record: written to the log the person sees
/// (#7). `action` names what, never the health data itself.
pub async fn staff_touch(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    staff: Uuid,
    person: &crate::entities::patient::Model,
    action: &'static str,
) -> Result<(), AppError> {
    let origin = super::request_info::current();
    record(
        db,
        clock,
        Entry {
            actor: Some(staff),
            subject: person.account_id,
            action,
            success: true,
            origin: &origin,
            detail: None,
        },
    )
    .await
}

/// One account acted on another (a member's roles, a carer's grant): who, what, when, from
/// where; no detail.
pub async fn account_event(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    actor: Uuid,
    subject: Uuid,
    action: &'static str,
) -> Result<(), AppError> {
    let origin = super::request_info::current();
    record(
        db,
        clock,
        Entry {
            actor: Some(actor),
            subject: Some(subject),
            action,
            success: true,
            origin: &origin,
            detail: None,
        },
    )
    .await
}

/// Display names of these accounts, in one query.
pub async fn display_names(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>, AppError> {
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
    let ids: Vec<Uuid> = ids.into_iter().collect();
    if ids.is_empty() {
        return Ok(Default::default());
    }
    Ok(crate::entities::account::Entity::find()
        .filter(crate::entities::account::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect())
}

pub async fn record(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    entry: Entry<'_>,
) -> Result<(), AppError> {
    audit_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        at: Set(clock.now()),
        actor_account_id: Set(entry.actor),
        subject_account_id: Set(entry.subject),
        action: Set(entry.action.to_owned()),
        outcome: Set(if entry.success { "success" } else { "failure" }.to_owned()),
        ip: Set(Some(entry.origin.ip.clone()).filter(|s| !s.is_empty())),
        device: Set(Some(entry.origin.device.clone()).filter(|s| !s.is_empty())),
        detail: Set(entry.detail),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A carer's request is written to the person's access log, naming the carer.
pub async fn carer_access(
    state: &crate::state::AppState,
    ctx: &PatientCtx,
    verb: Permission,
) -> Result<(), AppError> {
    if ctx.capacity() != Capacity::Carer {
        return Ok(());
    }
    let action = match verb {
        Permission::ReadPlan => "carer_viewed_plan",
        Permission::ReadResults => "carer_viewed_results",
        Permission::ChangePlan => "carer_changed_plan",
        Permission::LogActions => "carer_logged_action",
        Permission::AnswerAgenda => "carer_opened_agenda",
        _ => "carer_opened_record",
    };
    let origin = super::request_info::current();
    someone_else(&state.db, state.clock.as_ref(), ctx, action, &origin).await
}

/// Someone other than the person (a carer, the care team) did `action` on the record opened in
/// `ctx`, from `origin`: written to the log the person sees.
pub async fn someone_else(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    ctx: &PatientCtx,
    action: &'static str,
    origin: &Origin,
) -> Result<(), AppError> {
    record(
        db,
        clock,
        Entry {
            actor: Some(ctx.actor().account_id),
            subject: ctx.patient().account_id,
            action,
            success: true,
            origin,
            detail: None,
        },
    )
    .await
}
