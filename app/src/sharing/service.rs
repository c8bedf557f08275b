//! On the server: the database side.
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _,
    Set,
};
use uuid::Uuid;

use super::{SharedOrg, SharingView, kind_words};
use crate::auth::audit::{self, Entry};
use crate::entities::{organisation, share_consent};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::plan::service::Ctx;
use crate::state::AppState;

fn named(o: &organisation::Model) -> String {
    format!("{} ({})", o.name, kind_words(&o.kind))
}

async fn active(
    db: &impl sea_orm::ConnectionTrait,
    patient: Uuid,
) -> Result<Vec<share_consent::Model>, AppError> {
    Ok(share_consent::Entity::find()
        .filter(share_consent::Column::PatientId.eq(patient))
        .filter(share_consent::Column::WithdrawnAt.is_null())
        .order_by_asc(share_consent::Column::GrantedAt)
        .all(db)
        .await?)
}

pub async fn view(state: &AppState, ctx: &Ctx) -> Result<SharingView, AppError> {
    let orgs = organisation::Entity::find()
        .order_by_asc(organisation::Column::Name)
        .all(&state.db)
        .await?;
    let consents = active(&state.db, ctx.patient().id).await?;
    let practice = orgs
        .iter()
        .find(|o| o.id == ctx.patient().organisation_id)
        .map(|o| o.name.clone())
        .unwrap_or_default();
    let shared = consents
        .iter()
        .filter_map(|c| {
            let o = orgs.iter().find(|o| o.id == c.organisation_id)?;
            let tz = crate::clock::zone(&ctx.patient().time_zone);
            Some(SharedOrg {
                id: o.id,
                name: named(o),
                since: long_date(c.granted_at.with_timezone(&tz).date_naive()),
            })
        })
        .collect();
    let choices = orgs
        .iter()
        .filter(|o| o.id != ctx.patient().organisation_id)
        .filter(|o| !consents.iter().any(|c| c.organisation_id == o.id))
        .map(|o| (o.id.to_string(), named(o)))
        .collect();
    Ok(SharingView {
        practice,
        shared,
        choices,
    })
}

pub async fn share(state: &AppState, ctx: &Ctx, organisation: &str) -> Result<(), AppError> {
    let choose = || AppError::field("organisation", "Choose a team to share your plan with");
    let id = Uuid::parse_str(organisation.trim()).map_err(|_| choose())?;
    let txn = crate::state::begin_write(&state.db).await?;
    let org = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|o| o.id != ctx.patient().organisation_id)
        .ok_or_else(choose)?;
    if active(&txn, ctx.patient().id)
        .await?
        .iter()
        .any(|c| c.organisation_id == org.id)
    {
        return Err(AppError::field(
            "organisation",
            format!("You already share your plan with {}", org.name),
        ));
    }
    share_consent::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(ctx.patient().id),
        organisation_id: Set(org.id),
        granted_at: Set(state.clock.now()),
        granted_by: Set(ctx.actor().account_id),
        withdrawn_at: Set(None),
    }
    .insert(&txn)
    .await?;
    let origin = crate::auth::request_info::current();
    audit::record(
        &txn,
        state.clock.as_ref(),
        Entry {
            detail: Some(org.name),
            ..Entry::own(ctx.actor().account_id, "sharing_started", &origin)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn stop(state: &AppState, ctx: &Ctx, organisation: &str) -> Result<(), AppError> {
    let id = Uuid::parse_str(organisation.trim()).map_err(|_| AppError::NotFound)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let found = active(&txn, ctx.patient().id)
        .await?
        .into_iter()
        .filter(|c| c.organisation_id == id)
        .collect::<Vec<_>>();
    if found.is_empty() {
        return Err(AppError::NotFound);
    }
    let now = state.clock.now();
    for c in found {
        let mut row: share_consent::ActiveModel = c.into();
        row.withdrawn_at = Set(Some(now));
        row.update(&txn).await?;
    }
    let name = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .map(|o| o.name);
    let origin = crate::auth::request_info::current();
    audit::record(
        &txn,
        state.clock.as_ref(),
        Entry {
            detail: name,
            ..Entry::own(ctx.actor().account_id, "sharing_stopped", &origin)
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
