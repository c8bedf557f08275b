//! "Your devices": the sessions signed in to an account, and ending any of them.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceSummary {
    /// An opaque handle for ending the session (not the session id itself).
    pub handle: String,
    pub device: String,
    pub ip: String,
    pub last_active: String,
    pub this_device: bool,
}

#[server(prefix = "/api/auth", endpoint = "devices")]
pub async fn list_devices() -> Result<Vec<DeviceSummary>, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::list(&state, &session, account).await
}

#[server(prefix = "/api/auth", endpoint = "device_end")]
pub async fn end_device(handle: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::end(&state, &session, account, &handle).await?;
    super::passkeys::redirect_plain_form("/account/devices");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod service {
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
    use tower_sessions::Session;
    use uuid::Uuid;

    use super::DeviceSummary;
    use crate::auth::audit::{self, Entry};
    use crate::auth::invitation::hash_token;
    use crate::auth::request_info;
    use crate::entities::session as session_row;
    use crate::error::AppError;
    use crate::state::AppState;

    /// The page never sees session ids (they are bearer secrets); it gets their hashes.
    fn handle(id: &str) -> String {
        hash_token(id)
    }

    pub async fn list(
        state: &AppState,
        session: &Session,
        account: Uuid,
    ) -> Result<Vec<DeviceSummary>, AppError> {
        let current = session.id().map(|id| id.to_string()).unwrap_or_default();
        let idle = state.settings.session_idle;
        let rows = session_row::Entity::find()
            .filter(session_row::Column::AccountId.eq(account))
            .filter(session_row::Column::ExpiresAt.gt(state.clock.now()))
            .order_by_desc(session_row::Column::ExpiresAt)
            .all(&state.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| DeviceSummary {
                handle: handle(&row.id),
                device: row.device.unwrap_or_else(|| "A browser".into()),
                ip: row.ip.unwrap_or_default(),
                last_active: (row.expires_at - idle)
                    .format("%-d %B %Y at %H:%M UTC")
                    .to_string(),
                this_device: row.id == current,
            })
            .collect())
    }

    pub async fn end(
        state: &AppState,
        session: &Session,
        account: Uuid,
        target: &str,
    ) -> Result<(), AppError> {
        let rows = session_row::Entity::find()
            .filter(session_row::Column::AccountId.eq(account))
            .all(&state.db)
            .await?;
        let Some(row) = rows.into_iter().find(|r| handle(&r.id) == target) else {
            return Err(AppError::NotFound);
        };
        let current = session.id().map(|id| id.to_string()).unwrap_or_default();
        // Ending a device's sign-in stops its reminders too (the reminders feature reacts).
        crate::events::record(
            &state.db,
            state.clock.now(),
            crate::events::Event::SessionEnded {
                account,
                session: row.id.clone(),
            },
        )
        .await?;
        state.react().await;
        if row.id == current {
            crate::session::sign_out(session).await?;
        } else {
            session_row::Entity::delete_by_id(row.id)
                .exec(&state.db)
                .await?;
        }
        let origin = request_info::current();
        audit::record(
            &state.db,
            state.clock.as_ref(),
            Entry::own(account, "session_end", &origin),
        )
        .await
    }
}
