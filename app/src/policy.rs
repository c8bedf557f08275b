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
    /// Read a person's plan: about me, goals, actions, logs, contingency, support, history.
    ReadPlan,
    /// Change the plan's sections.
    ChangePlan,
    /// Record (or undo) what happened with an action.
    LogActions,
    /// See results the care team has released.
    ReadResults,
    /// Release results to the person (a care-team decision).
    ReleaseResults,
}

/// Whose record an action touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A person's account (for account-level actions such as re-inviting).
    Account(Uuid),
    /// A person's care record, by patient id.
    Patient(Uuid),
}

/// In what capacity an allowed actor acts: the plan's history says so beside each change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capacity {
    /// The person themself.
    Patient,
    /// A carer acting under a grant (#7).
    Carer,
    /// A member of a care team (#6).
    Professional,
}

impl Capacity {
    pub fn code(self) -> &'static str {
        match self {
            Self::Patient => "patient",
            Self::Carer => "carer",
            Self::Professional => "professional",
        }
    }
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

/// Allowed (and in what capacity), or `NotFound`: a refusal looks exactly like a missing record.
pub async fn check(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Action,
    subject: Subject,
) -> Result<Capacity, AppError> {
    match (action, subject) {
        (
            Action::ReadPlan | Action::ChangePlan | Action::LogActions | Action::ReadResults,
            Subject::Patient(id),
        ) => {
            // The plan's owner may do everything with it. Carers (#7) and care teams (#6)
            // are added here, and only here.
            let owner = patient::Entity::find_by_id(id)
                .one(db)
                .await?
                .and_then(|p| p.account_id);
            if owner == Some(actor.account_id) {
                Ok(Capacity::Patient)
            } else {
                Err(AppError::NotFound)
            }
        }
        (Action::ReleaseResults, Subject::Patient(id)) => {
            // Clinical staff of the person's own practice. (#6 adds consent-based sharing.)
            let Some(p) = patient::Entity::find_by_id(id).one(db).await? else {
                return Err(AppError::NotFound);
            };
            let clinical = membership::Entity::find()
                .filter(membership::Column::AccountId.eq(actor.account_id))
                .filter(membership::Column::OrganisationId.eq(p.organisation_id))
                .filter(membership::Column::Role.is_in(["clinician", "care_coordinator"]))
                .one(db)
                .await?;
            if clinical.is_some() {
                Ok(Capacity::Professional)
            } else {
                Err(AppError::NotFound)
            }
        }
        (Action::Reinvite, Subject::Account(subject_account)) => {
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
                Ok(Capacity::Professional)
            } else {
                Err(AppError::NotFound)
            }
        }
        _ => Err(AppError::NotFound),
    }
}
