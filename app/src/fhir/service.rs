//! Loading a person's record for the export, through the access layer, and writing who took it
//! to the person's access log. A fixed number of queries, however long the history.
use sea_orm::{
    ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
};
use serde_json::Value;
use uuid::Uuid;

use super::bundle::{self, Log, Record};
use crate::access::{Capacity, PatientCtx, Permission};
use crate::auth::audit;
use crate::entities::{
    about_me, action_log, carer_grant, contingency, contingency_contact, goal, organisation,
    patient_condition, plan, plan_action, share_consent, support_item,
};
use crate::error::AppError;
use crate::session::Origin;
use crate::state::AppState;

/// The whole plan as a FHIR Bundle, for a record opened to export (`ExportPlan`). Written to
/// the person's access log when someone else takes it, as any read of their record is.
pub async fn export(
    state: &AppState,
    ctx: &PatientCtx,
    origin: &Origin,
) -> Result<Value, AppError> {
    ctx.opened_for(Permission::ExportPlan)?;
    let record = load(state, ctx).await?;
    let action = match ctx.capacity() {
        Capacity::Patient => None,
        Capacity::Carer => Some("carer_exported_plan"),
        Capacity::Professional => Some("plan_exported"),
    };
    if let Some(action) = action {
        // Written with the request's own origin: these routes are plain HTTP handlers, outside
        // the page renderer that `staff_touch` reads it from.
        audit::someone_else(&state.db, state.clock.as_ref(), ctx, action, origin).await?;
    }
    Ok(bundle::build(&record, Uuid::new_v4()))
}

/// Whether the export carries results: the person's own, yes; a carer's, only with the results
/// scope; the care team's, as their record view shows them. Results are the released ones
/// whoever asks (see [`load`]).
async fn with_results(state: &AppState, ctx: &PatientCtx) -> Result<bool, AppError> {
    match ctx.capacity() {
        Capacity::Patient => Ok(true),
        Capacity::Carer => ctx.may(&state.db, Permission::ReadResults).await,
        Capacity::Professional => ctx.may(&state.db, Permission::ReadRecord).await,
    }
}

/// Everything the Bundle says, read once.
///
/// Results: only those released to the person (`results::service::visible`), for everyone,
/// the care team included. A copy that leaves Alongside is the person's shareable plan; a result
/// no clinician has explained to the person yet must not reach them, or a carer, or another
/// system before it reaches them here. The team reads unreleased results on the person's page.
///
/// Carers: the person and the care team see every grant; a carer sees only their own.
pub async fn load(state: &AppState, ctx: &PatientCtx) -> Result<Record, AppError> {
    let db = &state.db;
    let p = ctx.patient().clone();
    let id = p.id;
    let practice = organisation::Entity::find_by_id(p.organisation_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let conditions = patient_condition::Entity::find()
        .filter(patient_condition::Column::PatientId.eq(id))
        .order_by_asc(patient_condition::Column::Condition)
        .all(db)
        .await?
        .into_iter()
        .map(|c| c.condition)
        .collect();
    let plan = plan::Entity::find_by_id(id).one(db).await?;
    let about_me = about_me::Entity::find_by_id(id).one(db).await?;
    let goals = goal::Entity::find()
        .filter(goal::Column::PatientId.eq(id))
        .order_by_asc(goal::Column::CreatedAt)
        .all(db)
        .await?;
    let actions = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.eq(id))
        .order_by_asc(plan_action::Column::CreatedAt)
        .all(db)
        .await?;
    // Only the columns the Bundle uses: the one query that grows with the history.
    let logs = action_log::Entity::find()
        .select_only()
        .columns([
            action_log::Column::ActionId,
            action_log::Column::Day,
            action_log::Column::Outcome,
            action_log::Column::Note,
        ])
        .filter(action_log::Column::PatientId.eq(id))
        .order_by_asc(action_log::Column::Day)
        .into_tuple::<(Uuid, chrono::NaiveDate, String, Option<String>)>()
        .all(db)
        .await?
        .into_iter()
        .map(|(action_id, day, outcome, note)| Log {
            action_id,
            day,
            outcome,
            note,
        })
        .collect();
    let contingency = contingency::Entity::find_by_id(id).one(db).await?;
    let contacts = contingency_contact::Entity::find()
        .filter(contingency_contact::Column::PatientId.eq(id))
        .order_by_asc(contingency_contact::Column::CreatedAt)
        .all(db)
        .await?;
    let support = support_item::Entity::find()
        .filter(support_item::Column::PatientId.eq(id))
        .order_by_asc(support_item::Column::CreatedAt)
        .all(db)
        .await?;
    let observations = if with_results(state, ctx).await? {
        crate::results::service::visible(state, ctx).await?
    } else {
        Vec::new()
    };
    let shares = share_consent::Entity::find()
        .filter(share_consent::Column::PatientId.eq(id))
        .order_by_asc(share_consent::Column::GrantedAt)
        .all(db)
        .await?;
    let mut grants = carer_grant::Entity::find()
        .filter(carer_grant::Column::PatientId.eq(id))
        .order_by_asc(carer_grant::Column::CreatedAt)
        .all(db)
        .await?;
    if ctx.capacity() == Capacity::Carer {
        grants.retain(|g| g.carer_account_id == ctx.actor().account_id);
    }
    let organisations = if shares.is_empty() {
        Vec::new()
    } else {
        organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(shares.iter().map(|s| s.organisation_id)))
            .all(db)
            .await?
    };
    let accounts = plan
        .as_ref()
        .and_then(|pl| pl.agreed_by)
        .into_iter()
        .chain(
            grants
                .iter()
                .flat_map(|g| [g.carer_account_id, g.granted_by]),
        )
        .chain(shares.iter().map(|s| s.granted_by));
    let names = audit::display_names(db, accounts).await?;
    Ok(Record {
        now: state.clock.now(),
        patient: p,
        practice,
        conditions,
        plan,
        about_me,
        goals,
        actions,
        logs,
        contingency,
        contacts,
        support,
        observations,
        shares,
        grants,
        organisations,
        names,
    })
}
