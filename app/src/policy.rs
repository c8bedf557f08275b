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
    /// Answer the preparation pack's agenda prompts.
    AnswerAgenda,
    /// A care-team member sees the person's record: reviews, every result, the agenda.
    ReadRecord,
    /// Book, move, cancel or close a review.
    ManageReviews,
    /// Enter or import results.
    EnterResults,
    /// Agree a target of the person's own for a kind of result.
    SetTargets,
    /// See an organisation's caseload.
    ListCaseload,
    /// Add people to an organisation's caseload and invite them.
    AddPatients,
}

/// Which care-team roles may do what to a person of their organisation.
fn staff_roles(action: Action) -> &'static [&'static str] {
    const ALL: &[&str] = &[
        "clinician",
        "care_coordinator",
        "healthcare_assistant",
        "social_care_worker",
        "org_admin",
    ];
    match action {
        Action::ReadRecord => ALL,
        Action::ReleaseResults | Action::ManageReviews => &["clinician", "care_coordinator"],
        // Healthcare assistants take bloods and blood pressures, so they enter results too.
        Action::EnterResults => &["clinician", "care_coordinator", "healthcare_assistant"],
        // A target is a clinical decision, agreed with the person.
        Action::SetTargets => &["clinician"],
        Action::ListCaseload => ALL,
        Action::AddPatients => &[
            "clinician",
            "care_coordinator",
            "healthcare_assistant",
            "org_admin",
        ],
        _ => &[],
    }
}

/// Whose record an action touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A person's account (for account-level actions such as re-inviting).
    Account(Uuid),
    /// A person's care record, by patient id.
    Patient(Uuid),
    /// An organisation as a whole (its caseload).
    Organisation(Uuid),
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
            Action::ReadPlan
            | Action::ChangePlan
            | Action::LogActions
            | Action::ReadResults
            | Action::AnswerAgenda,
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
        (
            Action::ReleaseResults
            | Action::ReadRecord
            | Action::ManageReviews
            | Action::EnterResults
            | Action::SetTargets,
            Subject::Patient(id),
        ) => {
            // Staff of the person's own practice, in the roles that do this. (#6 adds
            // organisations the person has consented to share with.)
            let Some(p) = patient::Entity::find_by_id(id).one(db).await? else {
                return Err(AppError::NotFound);
            };
            staff_of(db, actor, p.organisation_id, action).await
        }
        (Action::ListCaseload | Action::AddPatients, Subject::Organisation(org)) => {
            staff_of(db, actor, org, action).await
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

/// Allowed when the actor works in `org` in a role that may do `action`.
async fn staff_of(
    db: &impl ConnectionTrait,
    actor: Actor,
    org: Uuid,
    action: Action,
) -> Result<Capacity, AppError> {
    let member = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(actor.account_id))
        .filter(membership::Column::OrganisationId.eq(org))
        .filter(membership::Column::Role.is_in(staff_roles(action).iter().copied()))
        .one(db)
        .await?;
    if member.is_some() {
        Ok(Capacity::Professional)
    } else {
        Err(AppError::NotFound)
    }
}

/// The person's record, once the policy allows `action` on it; `NotFound` otherwise.
pub async fn patient_for(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Action,
    patient_id: Uuid,
) -> Result<patient::Model, AppError> {
    check(db, actor, action, Subject::Patient(patient_id)).await?;
    patient::Entity::find_by_id(patient_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}
