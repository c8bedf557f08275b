//! Passkeys on the server: the ceremonies' shared parts here; `registration` (sign-up,
//! recovery and adding a passkey), `sign_in`, and `manage` (a person's own passkeys, and an
//! account's roles).
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _,
    Set, SqlErr,
};
use tower_sessions::Session;
use webauthn_rs::prelude::{
    Credential, DiscoverableAuthentication, Passkey, PasskeyRegistration, WebauthnError,
};

use uuid::Uuid;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use super::{InvitationStatus, PasskeySummary};
use crate::auth::audit::{self, Entry};
use crate::auth::ceremony::{self, Kind, Purpose};
use crate::auth::invitation::hash_token;
use crate::auth::recovery;
use crate::auth::request_info;
use crate::entities::{
    account, invitation, organisation, passkey, recovery_code, session as session_row,
};
use crate::error::AppError;
use crate::session::{self, Origin};
use crate::state::AppState;

pub(super) const FAILED_SIGN_IN: &str =
    "We could not sign you in with that passkey. Try again, or use a different passkey.";
pub(super) const START_AGAIN: &str = "That took too long or was already used. Please start again.";

pub(super) fn fail(message: &str) -> AppError {
    AppError::field("passkey", message)
}

pub(super) async fn audit(
    state: &AppState,
    actor: Option<Uuid>,
    action: &'static str,
    success: bool,
    origin: &Origin,
    detail: Option<&str>,
) -> Result<(), AppError> {
    audit::record(
        &state.db,
        state.clock.as_ref(),
        Entry {
            actor,
            subject: actor,
            action,
            success,
            origin,
            detail: detail.map(str::to_owned),
        },
    )
    .await
}

/// Audits a refused sign-in and gives the one answer every refusal gets, so nothing tells
/// an attacker which accounts or passkeys exist.
pub(super) async fn refuse_sign_in(
    state: &AppState,
    actor: Option<Uuid>,
    origin: &Origin,
    why: &str,
) -> Result<AppError, AppError> {
    audit(state, actor, "sign_in", false, origin, Some(why)).await?;
    Ok(fail(FAILED_SIGN_IN))
}

pub(super) async fn take_ceremony<S: serde::de::DeserializeOwned>(
    state: &AppState,
    session: &Session,
    client_data_json: &[u8],
    kind: Kind,
) -> Result<Option<(S, Purpose)>, AppError> {
    let Some(owner) = session::existing_ceremony_owner(session).await? else {
        return Ok(None);
    };
    let Some(challenge) = ceremony::answered_challenge(client_data_json) else {
        return Ok(None);
    };
    ceremony::take(&state.db, state.clock.as_ref(), owner, &challenge, kind).await
}

mod manage;
mod registration;
mod sign_in;

pub use manage::*;
pub use registration::*;
pub use sign_in::*;
