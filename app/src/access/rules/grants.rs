//! Carers' grants: which are live for the actor, and who may be reminded about a person.
use super::*;

/// The actor's grants for this person that are live at the actor's time (active, not ended).
pub(super) async fn live_grants(
    db: &impl ConnectionTrait,
    actor: Actor,
    person: &patient::Model,
) -> Result<Vec<carer_grant::Model>, AppError> {
    // Someone who holds no active grant for anyone (the request's one reading of who they
    // are says so) holds none for this person: staff are not asked about grants on every check.
    if !actor_facts(db, actor.account_id)
        .await?
        .is_some_and(|who| who.helps_someone)
    {
        return Ok(Vec::new());
    }
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
