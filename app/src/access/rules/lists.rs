//! Lists through the access layer: the check's rules as one SQL condition.
use super::*;

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
    Ok(any_of(visible_people_parts(db, actor, action).await?))
}

/// `visible_people` as its parts: a person is visible when any part holds (none: no one). Each
/// part is one index's range (the person themself, their carers' people, one organisation's
/// people, the people sharing with the organisations), so a list in name order can read each
/// part in its index's order and merge the parts, instead of sorting everyone who matches (the
/// caseload's pages, `care_team::caseload::query`).
pub async fn visible_people_parts(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
) -> Result<Vec<Condition>, AppError> {
    use Permission::*;
    let own = || Condition::all().add(patient::Column::AccountId.eq(actor.account_id));
    let cared_for = |ids: Vec<Uuid>| {
        // No grants, no part (an empty `IN` would only be a condition that never holds).
        (!ids.is_empty()).then(|| Condition::all().add(patient::Column::Id.is_in(ids)))
    };
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
            let mut parts = vec![own()];
            if !carer_scopes(action).is_empty() || carer_reminder_scopes(action).is_some() {
                parts.extend(cared_for(carer_people(db, actor, action).await?));
            }
            // ...and for the plan, the care teams that work with them.
            if matches!(action, ReadPlan | ChangePlan) {
                parts.extend(staff_people(db, actor, action, true).await?);
            }
            parts
        }
        ExportPlan => {
            let mut parts = vec![own()];
            parts.extend(cared_for(carer_people(db, actor, action).await?));
            parts.extend(staff_people(db, actor, action, false).await?);
            parts
        }
        ReadRecord | ReadUnreleasedResults | AgreePlan | WorkingNotes => {
            staff_people(db, actor, action, true).await?
        }
        ReleaseResults | ManageReviews | ManageChecks | EnterResults | SetTargets | EditContact
        | ReadLetter | RecordCarerGrant => staff_people(db, actor, action, false).await?,
        Reinvite | ListCaseload | AddPatients | ManageMembers | ManagePrompts | ManagePractice => {
            Vec::new()
        }
    })
}

/// The parts as one condition: any of them, and with none, no one.
pub fn any_of(parts: Vec<Condition>) -> Condition {
    if parts.is_empty() {
        return Condition::all().add(patient::Column::Id.is_in(Vec::<Uuid>::new()));
    }
    parts.into_iter().fold(Condition::any(), Condition::add)
}

/// The people whose live grant to this carer covers `action` (a carer has a handful of
/// grants; each is judged on the person's own date, as `check` does).
pub(super) async fn carer_people(
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

/// People of the organisations where the actor holds a role for `action` (one part an
/// organisation) and, when `shared`, people who share their record with one of them (consent
/// not withdrawn; one more part).
pub(super) async fn staff_people(
    db: &impl ConnectionTrait,
    actor: Actor,
    action: Permission,
    shared: bool,
) -> Result<Vec<Condition>, AppError> {
    let orgs = member_orgs(db, actor.account_id, Some(staff_roles(action))).await?;
    let mut parts: Vec<Condition> = orgs
        .iter()
        .map(|o| Condition::all().add(patient::Column::OrganisationId.eq(*o)))
        .collect();
    if shared && !orgs.is_empty() {
        let consented = Query::select()
            .column(share_consent::Column::PatientId)
            .from(share_consent::Entity)
            .and_where(share_consent::Column::OrganisationId.is_in(orgs))
            .and_where(share_consent::Column::WithdrawnAt.is_null())
            .to_owned();
        let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
        parts.push(Condition::all().add(patient_id_in(consented, postgres)));
    }
    Ok(parts)
}

/// `"patients"."id"` among the ids `ids` selects. PostgreSQL runs `id IN (subquery)` beside an
/// index as a hashed filter (or a hash join) over every person: a full scan of the people
/// table, with an estimate that turned the caseload's joins into full scans too at 100,000
/// people (`make bench-scale`). `= ANY(ARRAY(subquery))` runs the subquery once and looks its
/// ids up in the primary key. SQLite already does that for `IN`.
pub fn patient_id_in(
    ids: sea_orm::sea_query::SelectStatement,
    postgres: bool,
) -> sea_orm::sea_query::Expr {
    use sea_orm::sea_query::Expr;
    if postgres {
        Expr::cust_with_expr(
            r#""patients"."id" = ANY(ARRAY $1)"#,
            Expr::SubQuery(None, Box::new(ids.into())),
        )
    } else {
        patient::Column::Id.in_subquery(ids)
    }
}

/// Allowed when the actor works in `org` in a role that may do `action`.
pub(super) async fn staff_of(
    db: &impl ConnectionTrait,
    actor: Actor,
    org: Uuid,
    action: Permission,
) -> Result<Capacity, AppError> {
    let roles = staff_roles(action);
    let member = memberships_of(db, actor.account_id)
        .await?
        .into_iter()
        .any(|(o, role)| o == org && roles.contains(&role));
    if member {
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
