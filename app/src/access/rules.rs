//! The rules: who may do what, and the lists that filter by the same rules.
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

impl Permission {
    /// Every permission, for tests that go through them all (the list beside the check).
    pub const ALL: [Permission; 26] = [
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
        Permission::ManageCarers,
        Permission::RecordCarerGrant,
        Permission::ReadAccessLog,
        Permission::RemindAboutReview,
        Permission::RemindAboutPreparation,
        Permission::RemindAboutActions,
    ];
}

/// The reminder actions, for asking who may receive each.
pub const REMINDER_ACTIONS: [Permission; 3] = [
    Permission::RemindAboutReview,
    Permission::RemindAboutPreparation,
    Permission::RemindAboutActions,
];

/// Which care-team roles may do what to a person of their organisation.
fn staff_roles(action: Permission) -> &'static [Role] {
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
        Permission::ChangePlan | Permission::AgreePlan => PLANNING,
        Permission::ManageMembers => &[OrgAdmin],
        Permission::RecordCarerGrant => &[Clinician, CareCoordinator, SocialCareWorker],
        Permission::EditContact => &[Clinician, CareCoordinator, HealthcareAssistant, OrgAdmin],
        Permission::ReleaseResults | Permission::ManageReviews => &[Clinician, CareCoordinator],
        // Healthcare assistants take bloods and blood pressures, so they enter results too.
        Permission::EnterResults => &[Clinician, CareCoordinator, HealthcareAssistant],
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

/// The role codes that may do `action`, for filtering memberships in the database.
fn role_codes(action: Permission) -> impl Iterator<Item = &'static str> {
    staff_roles(action).iter().map(|r| r.code())
}

/// What a carer's grant must include for each action (#7). Seeing the plan comes with
/// logging and changing it: no one is asked to change what they cannot see.
fn carer_scopes(action: Permission) -> &'static [Scope] {
    match action {
        Permission::ReadPlan => &[Scope::ReadPlan, Scope::LogActions, Scope::ChangePlan],
        Permission::LogActions => &[Scope::LogActions],
        Permission::ChangePlan => &[Scope::ChangePlan],
        Permission::ReadResults => &[Scope::ReadResults],
        Permission::AnswerAgenda => &[Scope::AnswerAgenda],
        _ => &[],
    }
}

/// A reminder reaches a carer only with the "get reminders" scope *and* the scope for what it
/// is about: no one is reminded of something they may not see or do.
fn carer_reminder_scopes(action: Permission) -> Option<Scope> {
    match action {
        Permission::RemindAboutReview => Some(Scope::Reminders),
        Permission::RemindAboutPreparation => Some(Scope::AnswerAgenda),
        Permission::RemindAboutActions => Some(Scope::LogActions),
        _ => None,
    }
}

fn grant_is_live(
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

fn grant_allows(g: &carer_grant::Model, action: Permission) -> bool {
    let scopes = Scope::parse_all(&g.scopes);
    match carer_reminder_scopes(action) {
        Some(about) => scopes.contains(&Scope::Reminders) && scopes.contains(&about),
        None => {
            let needed = carer_scopes(action);
            scopes.iter().any(|s| needed.contains(s))
        }
    }
}

/// The actor's grants for this person that are live at the actor's time (active, not ended).
async fn live_grants(
    db: &impl ConnectionTrait,
    actor: Actor,
    person: &patient::Model,
) -> Result<Vec<carer_grant::Model>, AppError> {
    Ok(carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(actor.account_id))
        .filter(carer_grant::Column::PatientId.eq(person.id))
        .filter(carer_grant::Column::Status.eq(GrantStatus::Active.code()))
        .all(db)
        .await?
        .into_iter()
        .filter(|g| grant_is_live(g, person, actor.at))
        .collect())
}

/// The actor's grant for this person, if it is active today and covers `action`.
pub async fn carer_grant(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
    person: &patient::Model,
) -> Result<Option<carer_grant::Model>, AppError> {
    if carer_scopes(action).is_empty() && carer_reminder_scopes(action).is_none() {
        return Ok(None);
    }
    Ok(live_grants(db, actor, person)
        .await?
        .into_iter()
        .find(|g| grant_allows(g, action)))
}

/// Everyone who may be reminded about this person right now, with the reminder actions each
/// may get: the person themself (once they have an account) all of them, and each carer what
/// their live grant allows. The reminder schedule asks here (one query), and the sender asks
/// `check` again before each send.
pub async fn reminder_recipients(
    db: &impl ConnectionTrait,
    at: chrono::DateTime<chrono::Utc>,
    person: &patient::Model,
) -> Result<Vec<(Uuid, Vec<Permission>)>, AppError> {
    let mut out: Vec<(Uuid, Vec<Permission>)> = person
        .account_id
        .map(|a| (a, REMINDER_ACTIONS.to_vec()))
        .into_iter()
        .collect();
    for g in carer_grant::Entity::find()
        .filter(carer_grant::Column::PatientId.eq(person.id))
        .filter(carer_grant::Column::Status.eq(GrantStatus::Active.code()))
        .all(db)
        .await?
    {
        if !grant_is_live(&g, person, at) || out.iter().any(|(a, _)| *a == g.carer_account_id) {
            continue;
        }
        let allowed: Vec<Permission> = REMINDER_ACTIONS
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
    actions: &[Permission],
) -> Result<Vec<Permission>, AppError> {
    if person.account_id == Some(actor.account_id) {
        return Ok(actions.to_vec());
    }
    let grants = live_grants(db, actor, person).await?;
    // Staff may read and change a plan through their organisation: their memberships and the
    // person's sharing are read once, only if a grant did not already answer.
    let mut staff: Option<StaffFacts> = None;
    let mut out = Vec::new();
    for action in actions {
        let mut allowed = grants.iter().any(|g| grant_allows(g, *action));
        if !allowed && matches!(action, Permission::ReadPlan | Permission::ChangePlan) {
            if staff.is_none() {
                staff = Some((
                    memberships_of(db, actor.account_id).await?,
                    shared_orgs(db, person.id).await?,
                ));
            }
            if let Some((memberships, shared)) = &staff {
                let roles = staff_roles(*action);
                allowed = memberships.iter().any(|(org, role)| {
                    roles.contains(role) && (*org == person.organisation_id || shared.contains(org))
                });
            }
        }
        if allowed {
            out.push(*action);
        }
    }
    Ok(out)
}

/// An actor's memberships and the organisations a person shares with.
type StaffFacts = (Vec<(Uuid, Role)>, Vec<Uuid>);

/// Every (organisation, role) an account holds.
async fn memberships_of(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<(Uuid, Role)>, AppError> {
    Ok(membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account_id))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|m| Role::parse(&m.role).map(|r| (m.organisation_id, r)))
        .collect())
}

/// The organisations a person shares their record with now (consent given, not withdrawn).
async fn shared_orgs(db: &impl ConnectionTrait, patient_id: Uuid) -> Result<Vec<Uuid>, AppError> {
    Ok(share_consent::Entity::find()
        .filter(share_consent::Column::PatientId.eq(patient_id))
        .filter(share_consent::Column::WithdrawnAt.is_null())
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.organisation_id)
        .collect())
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
    roles: Option<&[Role]>,
) -> Result<Vec<Uuid>, AppError> {
    let mut query = membership::Entity::find().filter(membership::Column::AccountId.eq(account_id));
    if let Some(roles) = roles {
        query = query.filter(membership::Column::Role.is_in(roles.iter().map(|r| r.code())));
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
    action: Permission,
    subject: Subject,
) -> Result<Capacity, AppError> {
    match (action, subject) {
        (
            Permission::ReadPlan
            | Permission::ChangePlan
            | Permission::LogActions
            | Permission::ReadResults
            | Permission::AnswerAgenda
            | Permission::ManageSharing
            | Permission::ManageCarers
            | Permission::ReadAccessLog
            | Permission::RemindAboutReview
            | Permission::RemindAboutPreparation
            | Permission::RemindAboutActions,
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
                Permission::ReadPlan | Permission::ChangePlan => {
                    acting_organisation(db, actor, action, &p).await?;
                    Ok(Capacity::Professional)
                }
                _ => Err(AppError::NotFound),
            }
        }
        (
            Permission::ReadRecord
            | Permission::ReadUnreleasedResults
            | Permission::AgreePlan
            | Permission::WorkingNotes,
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
            Permission::ReleaseResults
            | Permission::ManageReviews
            | Permission::EnterResults
            | Permission::SetTargets
            | Permission::EditContact
            | Permission::ReadLetter
            | Permission::RecordCarerGrant,
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
            Permission::ListCaseload | Permission::AddPatients | Permission::ManageMembers,
            Subject::Organisation(org),
        ) => staff_of(db, actor, org, action).await,
        (Permission::Reinvite, Subject::Account(subject_account)) => {
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
    let orgs_where = |roles: &[Role]| -> Vec<Uuid> {
        mine.iter()
            .filter(|m| Role::parse(&m.role).is_some_and(|r| roles.contains(&r)))
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
    action: Permission,
) -> Result<Vec<Uuid>, AppError> {
    member_orgs(db, actor.account_id, Some(staff_roles(action))).await
}

/// Who may give new links to an organisation's staff (and its patients).
const REINVITE_STAFF: &[Role] = &[Role::OrgAdmin];
/// Who may give new links to the patients of their own practice.
const REINVITE_PATIENTS: &[Role] = &[Role::OrgAdmin, Role::Clinician, Role::CareCoordinator];

/// Whether any of these roles may ever give someone a new link (for showing the page).
pub fn may_reinvite(roles: &[String]) -> bool {
    roles
        .iter()
        .any(|r| Role::parse(r).is_some_and(|r| REINVITE_PATIENTS.contains(&r)))
}

/// Whether a care-team member holding these roles may do `action` for some person of their
/// organisation: what the screens offer (menus, buttons) comes from here, so they never show
/// a control the policy would refuse.
pub fn staff_may(roles: &[String], action: Permission) -> bool {
    roles
        .iter()
        .any(|r| Role::parse(r).is_some_and(|r| staff_roles(action).contains(&r)))
}

/// The organisation in whose name a staff member may do `action` to this person: their own
/// practice if the actor works there in a suitable role, otherwise an organisation the person
/// has consented to share with (and not withdrawn). `NotFound` when there is none.
pub async fn acting_organisation(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
    person: &patient::Model,
) -> Result<Uuid, AppError> {
    let orgs: Vec<Uuid> = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(actor.account_id))
        .filter(membership::Column::Role.is_in(role_codes(action)))
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

/// The people this actor may do `action` for, as a filter on the people table. A list read
/// through it can never name someone `check` would refuse (the same rules, as SQL), and it
/// costs the same few statements however long the list: the organisations and their sharing
/// are a subquery, never one check per row. Actions on an organisation or an account as a
/// whole match no one.
pub async fn visible_people(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
) -> Result<Condition, AppError> {
    use Permission::*;
    let no_one = || patient::Column::Id.is_in(Vec::<Uuid>::new());
    Ok(match action {
        ReadPlan
        | ChangePlan
        | LogActions
        | ReadResults
        | AnswerAgenda
        | ManageSharing
        | ManageCarers
        | ReadAccessLog
        | RemindAboutReview
        | RemindAboutPreparation
        | RemindAboutActions => {
            // The person themself, then the people whose live grant covers it...
            let mut any = Condition::any().add(patient::Column::AccountId.eq(actor.account_id));
            if !carer_scopes(action).is_empty() || carer_reminder_scopes(action).is_some() {
                any = any.add(patient::Column::Id.is_in(carer_people(db, actor, action).await?));
            }
            // ...and for the plan, the care teams that work with them.
            if matches!(action, ReadPlan | ChangePlan) {
                any = any.add(staff_people(db, actor, action, true).await?);
            }
            any
        }
        ReadRecord | ReadUnreleasedResults | AgreePlan | WorkingNotes => {
            Condition::any().add(staff_people(db, actor, action, true).await?)
        }
        ReleaseResults | ManageReviews | EnterResults | SetTargets | EditContact | ReadLetter
        | RecordCarerGrant => Condition::any().add(staff_people(db, actor, action, false).await?),
        Reinvite | ListCaseload | AddPatients | ManageMembers => Condition::all().add(no_one()),
    })
}

/// The people whose live grant to this carer covers `action` (a carer has a handful of
/// grants; each is judged on the person's own date, as `check` does).
async fn carer_people(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
) -> Result<Vec<Uuid>, AppError> {
    let grants = carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(actor.account_id))
        .filter(carer_grant::Column::Status.eq(GrantStatus::Active.code()))
        .all(db)
        .await?;
    if grants.is_empty() {
        return Ok(Vec::new());
    }
    let people = patient::Entity::find()
        .filter(patient::Column::Id.is_in(grants.iter().map(|g| g.patient_id)))
        .all(db)
        .await?;
    Ok(people
        .into_iter()
        .filter(|p| {
            grants.iter().any(|g| {
                g.patient_id == p.id && grant_is_live(g, p, actor.at) && grant_allows(g, action)
            })
        })
        .map(|p| p.id)
        .collect())
}

/// People of the organisations where the actor holds a role for `action` and, when
/// `shared`, people who share their record with one of them (consent not withdrawn).
async fn staff_people(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
    shared: bool,
) -> Result<Condition, AppError> {
    let orgs = member_orgs(db, actor.account_id, Some(staff_roles(action))).await?;
    let mut any = Condition::any().add(patient::Column::OrganisationId.is_in(orgs.clone()));
    if shared && !orgs.is_empty() {
        any = any.add(
            patient::Column::Id.in_subquery(
                Query::select()
                    .column(share_consent::Column::PatientId)
                    .from(share_consent::Entity)
                    .and_where(share_consent::Column::OrganisationId.is_in(orgs))
                    .and_where(share_consent::Column::WithdrawnAt.is_null())
                    .to_owned(),
            ),
        );
    }
    Ok(any)
}

/// Allowed when the actor works in `org` in a role that may do `action`.
async fn staff_of(
    db: &impl ConnectionTrait,
    actor: Actor,
    org: Uuid,
    action: Permission,
) -> Result<Capacity, AppError> {
    let member = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(actor.account_id))
        .filter(membership::Column::OrganisationId.eq(org))
        .filter(membership::Column::Role.is_in(role_codes(action)))
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
    action: Permission,
    patient_id: Uuid,
) -> Result<patient::Model, AppError> {
    check(db, actor, action, Subject::Patient(patient_id)).await?;
    patient::Entity::find_by_id(patient_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}
