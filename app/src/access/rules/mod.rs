//! The rules: who may do what, and the lists that filter by the same rules.
//!
//! The words and tables are here; `grants` (carers' grants: live ones, reminder recipients), `check` (the check itself, screens' batches, reinviting, the acting organisation), `lists` (`visible_people`: the check as one SQL condition).
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait as _, Condition, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use uuid::Uuid;

use super::{GrantStatus, Role, Scope};
use crate::entities::{carer_grant, membership, patient, share_consent};
use crate::error::AppError;

/// Who is asking, and when (a carer's grant may have ended by then).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Actor {
    pub account_id: Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
}

impl Actor {
    pub fn new(account_id: Uuid, at: chrono::DateTime<chrono::Utc>) -> Self {
        Self { account_id, at }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// Give someone a new link: a sign-up link, or (for an account that has a passkey) a
    /// recovery link that a second member must approve. See [`reinvitable`].
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
    /// A care-team member sees the person's record: reviews, the results the person has been
    /// shown, the agenda.
    ReadRecord,
    /// See results the care team has not shown the person yet (health staff, not social care).
    ReadUnreleasedResults,
    /// Book, move, cancel or close a review.
    ManageReviews,
    /// Enter or import results.
    EnterResults,
    /// Agree a target of the person's own for a kind of result.
    SetTargets,
    /// See an organisation's caseload.
    ListCaseload,
    /// See a person's sign-up letter (name, practice, link), and ask for a new one.
    ReadLetter,
    /// Add people to an organisation's caseload and invite them.
    AddPatients,
    /// Mark the plan agreed with the person (or their representative) in the conversation.
    AgreePlan,
    /// Read and write the care team's professional-only working notes about a person.
    WorkingNotes,
    /// Choose which organisations beyond their practice may see the record.
    ManageSharing,
    /// Change a person's contact details (phone, email).
    EditContact,
    /// Invite an organisation's members, change their roles, remove them.
    ManageMembers,
    /// Write the agenda prompts the organisation's people are asked before a review.
    ManagePrompts,
    /// Invite carers, change what they may do, end their access (the person themself).
    ManageCarers,
    /// Record a carer's grant for a person who lacks capacity, or end one for safeguarding.
    RecordCarerGrant,
    /// See who has looked at or changed the record.
    ReadAccessLog,
    /// Be reminded, on one's own devices, that the person's review is tomorrow (#9).
    RemindAboutReview,
    /// Be reminded that the person's preparation pack is ready, or its questions unanswered.
    RemindAboutPreparation,
    /// Be reminded of the person's actions due today.
    RemindAboutActions,
    /// Book the information-gathering appointment (the checks before a review), mark it
    /// done or cancel it.
    ManageChecks,
    /// Change the practice's settings (how many days before a review the pack goes out).
    ManagePractice,
    /// Take the whole plan away as a FHIR R4 Bundle (#20): the person, a carer who may see the
    /// plan, and the planning professionals of the person's own practice (not a healthcare
    /// assistant, not another organisation the person shares with: a copy that leaves
    /// Alongside is the practice's to give).
    ExportPlan,
}

impl Permission {
    /// Every permission, for tests that go through them all (the list beside the check).
    pub const ALL: [Permission; 30] = [
        Permission::Reinvite,
        Permission::ReadPlan,
        Permission::ChangePlan,
        Permission::LogActions,
        Permission::ReadResults,
        Permission::ReleaseResults,
        Permission::AnswerAgenda,
        Permission::ReadRecord,
        Permission::ReadUnreleasedResults,
        Permission::ManageReviews,
        Permission::EnterResults,
        Permission::SetTargets,
        Permission::ListCaseload,
        Permission::ReadLetter,
        Permission::AddPatients,
        Permission::AgreePlan,
        Permission::WorkingNotes,
        Permission::ManageSharing,
        Permission::EditContact,
        Permission::ManageMembers,
        Permission::ManagePrompts,
        Permission::ManageCarers,
        Permission::RecordCarerGrant,
        Permission::ReadAccessLog,
        Permission::RemindAboutReview,
        Permission::RemindAboutPreparation,
        Permission::RemindAboutActions,
        Permission::ManageChecks,
        Permission::ManagePractice,
        Permission::ExportPlan,
    ];
}

/// The reminder actions, for asking who may receive each.
pub const REMINDER_ACTIONS: [Permission; 3] = [
    Permission::RemindAboutReview,
    Permission::RemindAboutPreparation,
    Permission::RemindAboutActions,
];

/// Which care-team roles may do what to a person of their organisation.
pub(super) fn staff_roles(action: Permission) -> &'static [Role] {
    use Role::*;
    // An administrator who does not also care for people manages the team, not records.
    const CARING: &[Role] = &[
        Clinician,
        CareCoordinator,
        HealthcareAssistant,
        SocialCareWorker,
    ];
    // The people who hold care and support planning conversations.
    const PLANNING: &[Role] = &[Clinician, CareCoordinator, SocialCareWorker];
    match action {
        Permission::ReadRecord | Permission::ReadPlan | Permission::WorkingNotes => CARING,
        // A result goes first to the clinicians who explain it; social care sees what the
        // person has been shown.
        Permission::ReadUnreleasedResults => &[Clinician, CareCoordinator, HealthcareAssistant],
        Permission::ChangePlan | Permission::AgreePlan | Permission::ExportPlan => PLANNING,
        Permission::ManageMembers | Permission::ManagePrompts | Permission::ManagePractice => {
            &[OrgAdmin]
        }
        Permission::RecordCarerGrant => &[Clinician, CareCoordinator, SocialCareWorker],
        Permission::EditContact => &[Clinician, CareCoordinator, HealthcareAssistant, OrgAdmin],
        Permission::ReleaseResults | Permission::ManageReviews => &[Clinician, CareCoordinator],
        // Healthcare assistants take bloods and blood pressures, so they enter results too.
        Permission::EnterResults => &[Clinician, CareCoordinator, HealthcareAssistant],
        // The checks appointment is often a healthcare assistant's: they book and do it.
        Permission::ManageChecks => &[Clinician, CareCoordinator, HealthcareAssistant],
        // A target is a clinical decision, agreed with the person.
        Permission::SetTargets => &[Clinician],
        // The caseload lists the people whose records the list's reader may open.
        Permission::ListCaseload => CARING,
        // An administrator adds people and gives them their letter and link, with the staff
        // who enrol people; the letter holds no health data.
        Permission::ReadLetter => &[Clinician, CareCoordinator, HealthcareAssistant, OrgAdmin],
        Permission::AddPatients => &[Clinician, CareCoordinator, HealthcareAssistant, OrgAdmin],
        _ => &[],
    }
}

/// What a carer's grant must include for each action (#7). Seeing the plan comes with
/// logging and changing it: no one is asked to change what they cannot see.
pub(super) fn carer_scopes(action: Permission) -> &'static [Scope] {
    match action {
        // Whoever may see the plan may take a copy of what they see.
        Permission::ReadPlan | Permission::ExportPlan => {
            &[Scope::ReadPlan, Scope::LogActions, Scope::ChangePlan]
        }
        Permission::LogActions => &[Scope::LogActions],
        Permission::ChangePlan => &[Scope::ChangePlan],
        Permission::ReadResults => &[Scope::ReadResults],
        Permission::AnswerAgenda => &[Scope::AnswerAgenda],
        _ => &[],
    }
}

/// A reminder reaches a carer only with the "get reminders" scope *and* the scope for what it
/// is about: no one is reminded of something they may not see or do.
pub(super) fn carer_reminder_scopes(action: Permission) -> Option<Scope> {
    match action {
        Permission::RemindAboutReview => Some(Scope::Reminders),
        Permission::RemindAboutPreparation => Some(Scope::AnswerAgenda),
        Permission::RemindAboutActions => Some(Scope::LogActions),
        _ => None,
    }
}

pub(super) fn grant_is_live(
    g: &carer_grant::Model,
    person: &patient::Model,
    at: chrono::DateTime<chrono::Utc>,
) -> bool {
    grant_works_on(g, crate::clock::today_in(&person.time_zone, at))
}

/// Whether a grant works on `today` (the person's date): active, and not past its last day.
/// The one statement of the rule; the carers' screens ask it too.
pub fn grant_works_on(g: &carer_grant::Model, today: chrono::NaiveDate) -> bool {
    g.status == GrantStatus::Active.code() && g.ends_on.is_none_or(|d| d >= today)
}

pub(super) fn grant_allows(g: &carer_grant::Model, action: Permission) -> bool {
    let scopes = Scope::parse_all(&g.scopes);
    match carer_reminder_scopes(action) {
        Some(about) => scopes.contains(&Scope::Reminders) && scopes.contains(&about),
        None => {
            let needed = carer_scopes(action);
            scopes.iter().any(|s| needed.contains(s))
        }
    }
}

mod check;
mod grants;
mod lists;

pub use check::*;
pub use grants::*;
pub use lists::*;
