//! The one door for access decisions: "may this actor do this to that person's record?".
//! Handlers and server functions ask here and nowhere else. Issues #4–#7 add their actions
//! (plans, results, carers' scopes, consent to share); a refusal always looks like a missing
//! record, so it leaks nothing.
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use uuid::Uuid;

use crate::entities::{membership, patient};
use crate::error::AppError;

/// Who is asking.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Uuid,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Give someone a new invitation link (sign-up, or recovery after losing every passkey).
    Reinvite,
}

/// The organisations an account works in.
pub async fn organisations_of(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<Uuid>, AppError> {
    let mut orgs: Vec<Uuid> = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organisation_id)
        .collect();
    orgs.sort();
    orgs.dedup();
    Ok(orgs)
}

/// Allowed, or `NotFound`.
pub async fn check(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Action,
    subject_account: Uuid,
) -> Result<(), AppError> {
    match action {
        Action::Reinvite => {
            // Care-team members may re-invite people of their own organisation: its patients
            // and its staff.
            let mine = organisations_of(db, actor.account_id).await?;
            if mine.is_empty() {
                return Err(AppError::NotFound);
            }
            let theirs_as_staff = organisations_of(db, subject_account).await?;
            let theirs_as_patient = patient::Entity::find()
                .filter(patient::Column::AccountId.eq(subject_account))
                .one(db)
                .await?
                .map(|p| p.organisation_id);
            let shared = theirs_as_staff
                .iter()
                .chain(theirs_as_patient.iter())
                .any(|o| mine.contains(o));
            if shared {
                Ok(())
            } else {
                Err(AppError::NotFound)
            }
        }
    }
}
