//! The check: may this actor do this to that record? And the batches screens ask.
use super::*;

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
    // Staff may read and change a plan through their organisation: their memberships are
    // read once, only if a grant did not already answer, and the person's sharing only if
    // their own practice did not either.
    let mut memberships: Option<Vec<(Uuid, Role)>> = None;
    let mut shared: Option<Vec<Uuid>> = None;
    let mut out = Vec::new();
    for action in actions {
        let mut allowed = grants.iter().any(|g| grant_allows(g, *action));
        if !allowed
            && matches!(
                action,
                Permission::ReadPlan | Permission::ChangePlan | Permission::ExportPlan
            )
        {
            let memberships = match &memberships {
                Some(m) => m,
                None => memberships.insert(memberships_of(db, actor.account_id).await?),
            };
            let roles = staff_roles(*action);
            let orgs: Vec<Uuid> = memberships
                .iter()
                .filter(|(_, role)| roles.contains(role))
                .map(|(org, _)| *org)
                .collect();
            allowed = orgs.contains(&person.organisation_id);
            // A copy leaves only through the person's own practice.
            if !allowed && *action != Permission::ExportPlan && !orgs.is_empty() {
                let shared = match &shared {
                    Some(s) => s,
                    None => shared.insert(shared_orgs(db, person.id).await?),
                };
                allowed = orgs.iter().any(|org| shared.contains(org));
            }
        }
        if allowed {
            out.push(*action);
        }
    }
    Ok(out)
}

/// Who the actor is, as this request read them once ([`crate::access::who`]): their
/// memberships, and whether they hold an active carer's grant for anyone. Every check in a
/// request answers from it instead of reading the memberships again (the conversation view
/// asked about them 15 times, #21); a role taken away counts from the next request, as it does
/// for the menus. `None` when the account is gone: it holds nothing.
pub(super) async fn actor_facts(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Option<std::sync::Arc<crate::access::Who>>, AppError> {
    match crate::access::who(db, account_id).await {
        Ok(who) => Ok(Some(who)),
        Err(AppError::Unauthorized) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every (organisation, role) an account holds.
pub(super) async fn memberships_of(
    db: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<(Uuid, Role)>, AppError> {
    Ok(actor_facts(db, account_id)
        .await?
        .map(|who| {
            who.memberships
                .iter()
                .filter_map(|(org, role)| Role::parse(role).map(|r| (*org, r)))
                .collect()
        })
        .unwrap_or_default())
}

/// The organisations a person shares their record with now (consent given, not withdrawn).
pub(super) async fn shared_orgs(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<Vec<Uuid>, AppError> {
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
pub(super) async fn member_orgs(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    roles: Option<&[Role]>,
) -> Result<Vec<Uuid>, AppError> {
    let mut orgs: Vec<Uuid> = memberships_of(db, account_id)
        .await?
        .into_iter()
        .filter(|(_, role)| roles.is_none_or(|roles| roles.contains(role)))
        .map(|(org, _)| org)
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
        (_, Subject::Patient(id)) => {
            let Some(p) = patient::Entity::find_by_id(id).one(db).await? else {
                return Err(AppError::NotFound);
            };
            check_person(db, actor, action, &p).await
        }
        (
            Permission::ListCaseload
            | Permission::AddPatients
            | Permission::ManageMembers
            | Permission::ManagePrompts
            | Permission::ManagePractice,
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

/// [`check`] on a person's record the request has already loaded (#21: the record is read
/// once per request, not again by every check). The same rules; `person` must be the stored
/// record, as the access layer's own loaders return it.
pub async fn check_person(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
    p: &patient::Model,
) -> Result<Capacity, AppError> {
    match action {
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
        | Permission::RemindAboutActions
        | Permission::ExportPlan => {
            // The plan's owner may do everything with it; a carer what their grant covers.
            if p.account_id == Some(actor.account_id) {
                return Ok(Capacity::Patient);
            }
            if carer_grant(db, actor, action, p).await?.is_some() {
                return Ok(Capacity::Carer);
            }
            match action {
                Permission::ReadPlan | Permission::ChangePlan => {
                    acting_organisation(db, actor, action, p).await?;
                    Ok(Capacity::Professional)
                }
                // A copy leaves only through the person's own practice.
                Permission::ExportPlan => staff_of(db, actor, p.organisation_id, action).await,
                _ => Err(AppError::NotFound),
            }
        }
        // Staff of the person's practice, or of an organisation the person shares with.
        Permission::ReadRecord
        | Permission::ReadUnreleasedResults
        | Permission::AgreePlan
        | Permission::WorkingNotes => {
            acting_organisation(db, actor, action, p).await?;
            Ok(Capacity::Professional)
        }
        // Only the person's own practice runs their reviews and results, whatever they share
        // with others.
        Permission::ReleaseResults
        | Permission::ManageReviews
        | Permission::ManageChecks
        | Permission::EnterResults
        | Permission::SetTargets
        | Permission::EditContact
        | Permission::ReadLetter
        | Permission::RecordCarerGrant => staff_of(db, actor, p.organisation_id, action).await,
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
    let mine = memberships_of(db, actor.account_id).await?;
    let orgs_where = |roles: &[Role]| -> Vec<Uuid> {
        mine.iter()
            .filter(|(_, r)| roles.contains(r))
            .map(|(org, _)| *org)
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
pub(super) const REINVITE_STAFF: &[Role] = &[Role::OrgAdmin];
/// Who may give new links to the patients of their own practice.
pub(super) const REINVITE_PATIENTS: &[Role] =
    &[Role::OrgAdmin, Role::Clinician, Role::CareCoordinator];

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
    let roles = staff_roles(action);
    let orgs: Vec<Uuid> = memberships_of(db, actor.account_id)
        .await?
        .into_iter()
        .filter(|(_, role)| roles.contains(role))
        .map(|(org, _)| org)
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
