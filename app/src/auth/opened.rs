//! What the signed-in account opens through the access layer, for server functions: the
//! session (who is asking), then the access layer's context for what they asked to do. A server
//! function starts here and hands the context to its service; no service sees a raw account id
//! beside a record's id.
use tower_sessions::Session;
use uuid::Uuid;

use crate::access::{self, Actor, PatientCtx, Permission, StaffCtx};
use crate::error::AppError;
use crate::state::AppState;

/// A person's record opened by the signed-in account for `permission`.
pub async fn person(
    permission: Permission,
    patient_id: Uuid,
) -> Result<(AppState, Session, PatientCtx), AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    let actor = Actor::new(account, state.clock.now());
    let ctx = access::open_patient_id(&state.db, actor, permission, patient_id).await?;
    Ok((state, session, ctx))
}

/// The signed-in account's work for `permission`: in `org` when a form names one, else in
/// every organisation where they may.
pub async fn staff(
    permission: Permission,
    org: Option<Uuid>,
) -> Result<(AppState, Session, StaffCtx), AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    let actor = Actor::new(account, state.clock.now());
    let ctx = access::open_staff(&state.db, actor, permission, org).await?;
    Ok((state, session, ctx))
}
