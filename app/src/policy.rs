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
        // A result goes first to the clinicians who explain it; social care sees what the
        // person has been shown.
        Action::ReadUnreleasedResults => &["clinician", "care_coordinator", "healthcare_assistant"],
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

/// Which of `actions` this actor may do on this person's record, in one batch (one read of
/// their grants, and of their memberships only if needed): what a screen offers is decided by
/// the same rules as `check`, without one check per control.
pub async fn permitted(
    db: &impl ConnectionTrait,
    actor: Actor,
    person: &patient::Model,
    actions: &[Action],
) -> Result<Vec<Action>, AppError> {
    if person.account_id == Some(actor.account_id) {
        return Ok(actions.to_vec());
    }
    let grants: Vec<carer_grant::Model> = carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(actor.account_id))
        .filter(carer_grant::Column::PatientId.eq(person.id))
        .filter(carer_grant::Column::Status.eq("active"))
        .all(db)
        .await?
        .into_iter()
        .filter(|g| grant_is_live(g, person, actor.at))
        .collect();
    let mut out = Vec::new();
    for action in actions {
        let by_grant = grants.iter().any(|g| grant_allows(g, *action));
        let as_staff = !by_grant
            && matches!(action, Action::ReadPlan | Action::ChangePlan)
            && acting_organisation(db, actor, *action, person)
                .await
                .is_ok();
        if by_grant || as_staff {
            out.push(*action);
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
    member_orgs(db, account_id, None).await
}

/// The organisations an account is a member of, in one of `roles` if given.
async fn member_orgs(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    roles: Option<&[&str]>,
) -> Result<Vec<Uuid>, AppError> {
    let mut query = membership::Entity::find().filter(membership::Column::AccountId.eq(account_id));
    if let Some(roles) = roles {
        query = query.filter(membership::Column::Role.is_in(roles.iter().copied()));
    }
    let mut orgs: Vec<Uuid> = query
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
        (
            Action::ReadRecord
            | Action::ReadUnreleasedResults
            | Action::AgreePlan
            | Action::WorkingNotes,
            Subject::Patient(id),
        ) => {
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
            // The same rule as the list the invitations page shows.
            if reinvitable(db, actor, Some(subject_account))
                .await?
                .contains(&subject_account)
            {
                Ok(Capacity::Professional)
            } else {
                Err(AppError::NotFound)
            }
        }
        _ => Err(AppError::NotFound),
    }
}

/// The accounts this actor may give a new link to (a sign-up link, or a recovery link for an
/// account that has a passkey): an organisation's administrators, its staff and its patients;
/// a clinician or care coordinator, the patients of their practice. Never themself, and
/// never on a healthcare assistant's or social care worker's say-so. The invitations page
/// lists exactly these and `check(Reinvite)` asks the same question, so the list cannot offer
/// what the check would refuse. `only` narrows it to one account (for the check).
pub async fn reinvitable(
    db: &impl ConnectionTrait,
    actor: Actor,
    only: Option<Uuid>,
) -> Result<Vec<Uuid>, AppError> {
    let mine = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(actor.account_id))
        .all(db)
        .await?;
    let orgs_where = |roles: &[&str]| -> Vec<Uuid> {
        mine.iter()
            .filter(|m| roles.contains(&m.role.as_str()))
            .map(|m| m.organisation_id)
            .collect()
    };
    let admin_of = orgs_where(REINVITE_STAFF);
    let patients_of = orgs_where(REINVITE_PATIENTS);
    let mut out: Vec<Uuid> = Vec::new();
    if !admin_of.is_empty() {
        let mut staff = membership::Entity::find()
            .filter(membership::Column::OrganisationId.is_in(admin_of.iter().copied()));
        if let Some(one) = only {
            staff = staff.filter(membership::Column::AccountId.eq(one));
        }
        out.extend(staff.all(db).await?.into_iter().map(|m| m.account_id));
    }
    if !patients_of.is_empty() {
        let mut people = patient::Entity::find()
            .filter(patient::Column::OrganisationId.is_in(patients_of))
            .filter(patient::Column::AccountId.is_not_null());
        if let Some(one) = only {
            people = people.filter(patient::Column::AccountId.eq(one));
        }
        out.extend(
            people
                .all(db)
                .await?
                .into_iter()
                .filter_map(|p| p.account_id),
        );
    }
    out.retain(|a| *a != actor.account_id);
    out.sort();
    out.dedup();
    Ok(out)
}

/// The organisations where this actor may do `action` (for lists that span them): a list
/// built from these never shows what `check` would refuse for the organisation.
pub async fn orgs_where(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Action,
) -> Result<Vec<Uuid>, AppError> {
    member_orgs(db, actor.account_id, Some(staff_roles(action))).await
}

/// Who may give new links to an organisation's staff (and its patients).
const REINVITE_STAFF: &[&str] = &["org_admin"];
/// Who may give new links to the patients of their own practice.
const REINVITE_PATIENTS: &[&str] = &["org_admin", "clinician", "care_coordinator"];

/// Whether any of these roles may ever give someone a new link (for showing the page).
pub fn may_reinvite(roles: &[String]) -> bool {
    roles
        .iter()
        .any(|r| REINVITE_PATIENTS.contains(&r.as_str()))
}

/// Whether a care-team member holding these roles may do `action` for some person of their
/// organisation: what the screens offer (menus, buttons) comes from here, so they never show
/// a control the policy would refuse.
pub fn staff_may(roles: &[String], action: Action) -> bool {
    roles
        .iter()
        .any(|r| staff_roles(action).contains(&r.as_str()))
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
