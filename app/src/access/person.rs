//! Whom the signed-in account is working on, and on whose clock they read: the acting person's
//! context, which every feature's pages start from.
use chrono::NaiveDate;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use tower_sessions::Session;
use uuid::Uuid;

use super::GrantStatus;
use crate::entities::{carer_grant, patient, reminder_preference};
use crate::error::AppError;
use crate::state::AppState;

fn today_for(p: &patient::Model, now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    crate::clock::today_in(&p.time_zone, now)
}

/// The account's own patient record, if it has one.
pub async fn own_patient(
    state: &AppState,
    account_id: Uuid,
) -> Result<Option<patient::Model>, AppError> {
    Ok(patient::Entity::find()
        .filter(patient::Column::AccountId.eq(account_id))
        .one(&state.db)
        .await?)
}

/// The person this account is working on: the one a carer chose (while their grant still
/// works), else their own record, else the only person they care for. Someone working on
/// their own plan costs nothing more than the request's [`super::who`] (#21); the grants are
/// read only for someone who helps others.
pub async fn current_person(
    state: &AppState,
    session: &Session,
    account: Uuid,
) -> Result<Option<patient::Model>, AppError> {
    let now = state.clock.now();
    let who = super::who(&state.db, account).await?;
    let own = who.own.clone();
    if !who.helps_someone {
        return Ok(own);
    }
    let chosen = crate::session::acting_for(session).await?;
    if chosen.is_none()
        && let Some(own) = own
    {
        return Ok(Some(own));
    }
    let cared_for = people_of(state, account).await?;
    if let Some(chosen) = chosen
        && let Some((p, _)) = cared_for.iter().find(|(p, _)| p.id == chosen)
    {
        return Ok(Some(p.clone()));
    }
    if let Some(own) = own {
        return Ok(Some(own));
    }
    let mut live_ones = cared_for
        .into_iter()
        .filter(|(p, g)| super::grant_works_on(g, today_for(p, now)));
    match (live_ones.next(), live_ones.next()) {
        (Some((p, _)), None) => Ok(Some(p)),
        _ => Ok(None),
    }
}

/// Everyone this account has a working grant for, with the grant.
pub async fn people_of(
    state: &AppState,
    account: Uuid,
) -> Result<Vec<(patient::Model, carer_grant::Model)>, AppError> {
    let now = state.clock.now();
    let grants = carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(account))
        .filter(carer_grant::Column::Status.eq(GrantStatus::Active.code()))
        .all(&state.db)
        .await?;
    let people = patient::Entity::find()
        .filter(patient::Column::Id.is_in(grants.iter().map(|g| g.patient_id)))
        .all(&state.db)
        .await?;
    let mut out: Vec<(patient::Model, carer_grant::Model)> = grants
        .into_iter()
        .filter_map(|g| {
            let p = people.iter().find(|p| p.id == g.patient_id)?.clone();
            super::grant_works_on(&g, today_for(&p, now)).then_some((p, g))
        })
        .collect();
    out.sort_by(|a, b| a.0.given_name.cmp(&b.0.given_name));
    Ok(out)
}

/// The time zone an account reads times in: the one its reminders use, else its own plan's,
/// else London's (where the service runs).
pub async fn zone_of(db: &impl ConnectionTrait, account: Uuid) -> Result<chrono_tz::Tz, AppError> {
    if let Some(choice) = reminder_preference::Entity::find_by_id(account)
        .one(db)
        .await?
    {
        return Ok(crate::clock::zone(&choice.time_zone));
    }
    let own = patient::Entity::find()
        .filter(patient::Column::AccountId.eq(account))
        .one(db)
        .await?;
    Ok(crate::clock::zone(
        own.as_ref().map_or("", |p| p.time_zone.as_str()),
    ))
}
