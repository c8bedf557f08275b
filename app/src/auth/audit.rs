//! The audit log: every sign-in, failure, passkey change, recovery and session end. It records
//! who, what, when and from where — never health data. Issue #7 shows it to the person.
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, Set};
use uuid::Uuid;

use super::session::Origin;
use crate::clock::Clock;
use crate::entities::audit_event;
use crate::error::AppError;

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
