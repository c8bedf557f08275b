//! The one door for access decisions: "may this actor do this to that person's record?".
//! Handlers and server functions ask here and nowhere else. The person owns their record; staff
//! of their own practice work on it in the roles below; staff of another organisation only
//! while the person's consent to share with it stands (#6); carers come with #7. A refusal
//! always looks like a missing record, so it leaks nothing.
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use uuid::Uuid;

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
}

/// The reminder actions, for asking who may receive each.
pub const REMINDER_ACTIONS: [Action; 3] = [
    Action::RemindAboutReview,
    Action::RemindAboutPreparation,
    Action::RemindAboutActions,
];

/// Which care-team roles may do what to a person of their organisation.
fn staff_roles(action: Action) -> &'static [&'static str] {
    const ALL: &[&str] = &[
        "clinician",
        "care_coordinator",
        "healthcare_assistant",
        "social_care_worker",
        "org_admin",
    ];
    // An administrator who does not also care for people manages the team, not records.
    const CARING: &[&str] = &[
        "clinician",
        "care_coordinator",
        "healthcare_assistant",
        "social_care_worker",
    ];
    // The people who hold care and support planning conversations.
    const PLANNING: &[&str] = &["clinician", "care_coordinator", "social_care_worker"];
    match action {
        Action::ReadRecord | Action::ReadPlan | Action::WorkingNotes => CARING,
        Action::ChangePlan | Action::AgreePlan => PLANNING,
        Action::ManageMembers => &["org_admin"],
        Action::RecordCarerGrant => &["clinician", "care_coordinator", "social_care_worker"],
        Action::EditContact => &[
            "clinician",
            "care_coordinator",
            "healthcare_assistant",
            "org_admin",
        ],
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

/// What a carer's grant must include for each action (#7). Seeing the plan comes with
/// logging and changing it: no one is asked to change what they cannot see.
fn carer_scopes(action: Action) -> &'static [&'static str] {
    match action {
        Action::ReadPlan => &["read_plan", "log_actions", "change_plan"],
        Action::LogActions => &["log_actions"],
        Action::ChangePlan => &["change_plan"],
        Action::ReadResults => &["read_results"],
        Action::AnswerAgenda => &["answer_agenda"],
        _ => &[],
    }
}

/// A reminder reaches a carer only with the "get reminders" scope *and* the scope for what it
/// is about: no one is reminded of something they may not see or do.
fn carer_reminder_scopes(action: Action) -> Option<&'static str> {
    match action {
        Action::RemindAboutReview => Some("reminders"),
        Action::RemindAboutPreparation => Some("answer_agenda"),
        Action::RemindAboutActions => Some("log_actions"),
        _ => None,
    }
}

fn grant_is_live(
    g: &carer_grant::Model,
    person: &patient::Model,
    at: chrono::DateTime<chrono::Utc>,
) -> bool {
    let tz: chrono_tz::Tz = person.time_zone.parse().unwrap_or_default();
    let today = at.with_timezone(&tz).date_naive();
    g.status == "active" && g.ends_on.is_none_or(|d| d >= today)
}

fn grant_allows(g: &carer_grant::Model, action: Action) -> bool {
    let scopes: Vec<&str> = g.scopes.split_whitespace().collect();
    match carer_reminder_scopes(action) {
        Some(about) => scopes.contains(&"reminders") && scopes.contains(&about),
        None => {
            let needed = carer_scopes(action);
            scopes.iter().any(|s| needed.contains(s))
        }
    }
}

/// The actor's grant for this person, if it is active today and covers `action`.
pub async fn carer_grant(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Action,
    person: &patient::Model,
) -> Result<Option<carer_grant::Model>, AppError> {
    if carer_scopes(action).is_empty() && carer_reminder_scopes(action).is_none() {
        return Ok(None);
    }
    Ok(carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(actor.account_id))
        .filter(carer_grant::Column::PatientId.eq(person.id))
        .filter(carer_grant::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .find(|g| grant_is_live(g, person, actor.at) && grant_allows(g, action)))
}

/// Everyone who may be reminded about this person right now, with the reminder actions each
/// may get: the person themself (once they have an account) all of them, and each carer what
/// their live grant allows. The reminder schedule asks here (one query), and the sender asks
/// `check` again before each send.
pub async fn reminder_recipients(
    db: &impl ConnectionTrait,
    at: chrono::DateTime<chrono::Utc>,
    person: &patient::Model,
) -> Result<Vec<(Uuid, Vec<Action>)>, AppError> {
    let mut out: Vec<(Uuid, Vec<Action>)> = person
        .account_id
        .map(|a| (a, REMINDER_ACTIONS.to_vec()))
        .into_iter()
        .collect();
    for g in carer_grant::Entity::find()
        .filter(carer_grant::Column::PatientId.eq(person.id))
        .filter(carer_grant::Column::Status.eq("active"))
        .all(db)
        .await?
    {
        if !grant_is_live(&g, person, at) || out.iter().any(|(a, _)| *a == g.carer_account_id) {
            continue;
        }
        let allowed: Vec<Action> = REMINDER_ACTIONS
            .into_iter()
            .filter(|action| grant_allows(&g, *action))
            .collect();
        if !allowed.is_empty() {
            out.push((g.carer_account_id, allowed));
        }
    }
    Ok(out)
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
            | Action::AnswerAgenda
            | Action::ManageSharing
            | Action::ManageCarers
            | Action::ReadAccessLog
            | Action::RemindAboutReview
            | Action::RemindAboutPreparation
            | Action::RemindAboutActions,
            Subject::Patient(id),
        ) => {
            let Some(p) = patient::Entity::find_by_id(id).one(db).await? else {
                return Err(AppError::NotFound);
            };
            // The plan's owner may do everything with it; a carer what their grant covers.
            if p.account_id == Some(actor.account_id) {
                return Ok(Capacity::Patient);
            }
            if carer_grant(db, actor, action, &p).await?.is_some() {
                return Ok(Capacity::Carer);
            }
            match action {
                Action::ReadPlan | Action::ChangePlan => {
                    acting_organisation(db, actor, action, &p).await?;
                    Ok(Capacity::Professional)
                }
                _ => Err(AppError::NotFound),
            }
        }
        (Action::ReadRecord | Action::AgreePlan | Action::WorkingNotes, Subject::Patient(id)) => {
            // Staff of the person's practice, or of an organisation the person shares with.
            let Some(p) = patient::Entity::find_by_id(id).one(db).await? else {
                return Err(AppError::NotFound);
            };
            acting_organisation(db, actor, action, &p).await?;
            Ok(Capacity::Professional)
        }
        (
            Action::ReleaseResults
            | Action::ManageReviews
            | Action::EnterResults
            | Action::SetTargets
            | Action::EditContact
            | Action::RecordCarerGrant,
            Subject::Patient(id),
        ) => {
            // Only the person's own practice runs their reviews and results, whatever they
            // share with others.
            let Some(p) = patient::Entity::find_by_id(id).one(db).await? else {
                return Err(AppError::NotFound);
            };
            staff_of(db, actor, p.organisation_id, action).await
        }
        (
            Action::ListCaseload | Action::AddPatients | Action::ManageMembers,
            Subject::Organisation(org),
        ) => staff_of(db, actor, org, action).await,
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

/// The organisation in whose name a staff member may do `action` to this person: their own
/// practice if the actor works there in a suitable role, otherwise an organisation the person
/// has consented to share with (and not withdrawn). `NotFound` when there is none.
pub async fn acting_organisation(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Action,
    person: &patient::Model,
) -> Result<Uuid, AppError> {
    let orgs: Vec<Uuid> = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(actor.account_id))
        .filter(membership::Column::Role.is_in(staff_roles(action).iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.organisation_id)
        .collect();
    if orgs.contains(&person.organisation_id) {
        return Ok(person.organisation_id);
    }
    if orgs.is_empty() {
        return Err(AppError::NotFound);
    }
    share_consent::Entity::find()
        .filter(share_consent::Column::PatientId.eq(person.id))
        .filter(share_consent::Column::OrganisationId.is_in(orgs))
        .filter(share_consent::Column::WithdrawnAt.is_null())
        .one(db)
        .await?
        .map(|c| c.organisation_id)
        .ok_or(AppError::NotFound)
}

/// The people an organisation may see because they chose to share with it.
pub async fn shared_with(db: &impl ConnectionTrait, orgs: &[Uuid]) -> Result<Vec<Uuid>, AppError> {
    Ok(share_consent::Entity::find()
        .filter(share_consent::Column::OrganisationId.is_in(orgs.iter().copied()))
        .filter(share_consent::Column::WithdrawnAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.patient_id)
        .collect())
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
