//! Passkey ceremonies and passkey management. Sign-up is by invitation (or recovery code) only;
//! sign-in is usernameless with user verification required. The relying party comes from the
//! configured public origin, never from request headers.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use crate::error::AppError;

/// What the invitation page shows before someone registers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum InvitationStatus {
    Valid {
        name: String,
        organisation: Option<String>,
        invited_by: Option<String>,
        purpose: String,
        /// A recovery link: the account has passkeys already, so the person may remove them.
        #[serde(default)]
        recovery: bool,
    },
    /// A recovery link that a second member of the care team has not approved yet.
    AwaitingApproval,
    Used,
    Expired,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeySummary {
    pub id: Uuid,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
    pub synced: bool,
}

#[server(prefix = "/api/auth", endpoint = "invitation")]
pub async fn check_invitation(token: String) -> Result<InvitationStatus, AppError> {
    let state = crate::state::app_state()?;
    service::invitation_status(&state, &token).await
}

#[server(prefix = "/api/auth", endpoint = "sign_up_start")]
pub async fn start_sign_up(token: String) -> Result<CreationChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::start_sign_up(&state, &session, &token).await
}

#[server(prefix = "/api/auth", endpoint = "recover_start")]
pub async fn start_recovery(code: String) -> Result<CreationChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::start_recovery(&state, &session, &code).await
}

#[server(prefix = "/api/auth", endpoint = "passkey_add_start")]
pub async fn start_add_passkey() -> Result<CreationChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::start_add_passkey(&state, &session, account).await
}

/// Finishes any registration: sign-up, recovery or adding another passkey.
#[server(prefix = "/api/auth", endpoint = "register_finish", input = Json)]
pub async fn finish_registration(
    credential: RegisterPublicKeyCredential,
    name: String,
    /// On recovery: remove every other passkey of the account (and end its sessions).
    remove_others: Option<bool>,
) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::finish_registration(
        &state,
        &session,
        &credential,
        &name,
        remove_others.unwrap_or(false),
    )
    .await
}

#[server(prefix = "/api/auth", endpoint = "sign_in_start")]
pub async fn start_sign_in() -> Result<RequestChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::start_sign_in(&state, &session).await
}

#[server(prefix = "/api/auth", endpoint = "sign_in_finish", input = Json)]
/// Signs in and says where to start: see [`crate::auth::landing`].
pub async fn finish_sign_in(credential: PublicKeyCredential) -> Result<String, AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::finish_sign_in(&state, &session, &credential).await?;
    let (session, account) = crate::session::require_account().await?;
    crate::auth::landing(&state, &session, account).await
}

#[server(prefix = "/api/auth", endpoint = "passkeys")]
pub async fn list_passkeys() -> Result<Vec<PasskeySummary>, AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::list_passkeys(&state, account).await
}

#[server(prefix = "/api/auth", endpoint = "passkey_rename")]
pub async fn rename_passkey(id: Uuid, name: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::rename_passkey(&state, account, id, &name).await?;
    redirect_plain_form("/account/passkeys");
    Ok(())
}

#[server(prefix = "/api/auth", endpoint = "passkey_remove")]
pub async fn remove_passkey(id: Uuid) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::remove_passkey(&state, &session, account, id).await?;
    redirect_plain_form("/account/passkeys");
    Ok(())
}

#[server(prefix = "/api/auth", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    if let Some(account) = crate::session::current_account(&session).await? {
        let origin = super::request_info::current();
        let txn = crate::state::begin_write(&state.db).await?;
        super::audit::record(
            &txn,
            state.clock.as_ref(),
            super::audit::Entry::own(account, "sign_out", &origin),
        )
        .await?;
        // This device's reminders stop with its sign-in (the reminders feature reacts).
        if let Some(id) = session.id() {
            crate::events::record(
                &txn,
                state.clock.now(),
                crate::events::Event::SessionEnded {
                    account,
                    session: id.to_string(),
                },
            )
            .await?;
        }
        txn.commit().await?;
        state.react().await;
    }
    crate::session::sign_out(&session).await?;
    // The browser empties everything this site kept on the device: the service worker's
    // caches, storage and any offline queue, so a shared phone keeps nothing of this person.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            axum::http::header::HeaderName::from_static("clear-site-data"),
            axum::http::HeaderValue::from_static("\"cache\", \"storage\""),
        );
    }
    redirect_plain_form("/");
    Ok(())
}

/// After a plain (no-JavaScript) form post, go to `path` rather than back to the form.
#[cfg(feature = "ssr")]
pub fn redirect_plain_form(path: &str) {
    leptos_axum::redirect(path);
}

#[cfg(feature = "ssr")]
pub mod service;
