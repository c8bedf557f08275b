//! Passkey ceremony state, kept on the server for at most five minutes and taken exactly once:
//! webauthn-rs does not consume it, so a replayed or concurrent finish would otherwise succeed.
//! A ceremony is found by the challenge the browser signed, and belongs to the browser session
//! that started it, so one page may have two under way (a waiting autofill request and a
//! button press) without either spoiling the other.
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    Set,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::clock::Clock;
use crate::entities::ceremony;
use crate::error::AppError;

pub const LIFETIME_MINUTES: i64 = 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Register,
    Authenticate,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::Authenticate => "authenticate",
        }
    }
}

/// What a registration is for, beside its webauthn state.
#[derive(Clone, Debug, Default)]
pub struct Purpose {
    pub account_id: Option<Uuid>,
    pub invitation_id: Option<Uuid>,
    pub recovery_code_id: Option<Uuid>,
}

pub async fn put(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    kind: Kind,
    owner: Uuid,
    challenge: &[u8],
    state: &impl Serialize,
    purpose: Purpose,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    ceremony::ActiveModel {
        id: Set(id),
        kind: Set(kind.as_str().to_owned()),
        owner: Set(owner),
        challenge: Set(URL_SAFE_NO_PAD.encode(challenge)),
        state: Set(serde_json::to_string(state).map_err(AppError::internal)?),
        account_id: Set(purpose.account_id),
        invitation_id: Set(purpose.invitation_id),
        recovery_code_id: Set(purpose.recovery_code_id),
        expires_at: Set(clock.now() + Duration::minutes(LIFETIME_MINUTES)),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// The challenge a browser answered, read from its client data.
pub fn answered_challenge(client_data_json: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(client_data_json)
        .ok()?
        .get("challenge")?
        .as_str()
        .map(str::to_owned)
}

/// Takes the ceremony `owner` started with `challenge`: only the one caller whose delete
/// removed the row gets it back.
pub async fn take<S: DeserializeOwned>(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    owner: Uuid,
    challenge: &str,
    kind: Kind,
) -> Result<Option<(S, Purpose)>, AppError> {
    let Some(row) = ceremony::Entity::find()
        .filter(ceremony::Column::Challenge.eq(challenge))
        .filter(ceremony::Column::Owner.eq(owner))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let deleted = ceremony::Entity::delete_by_id(row.id).exec(db).await?;
    if deleted.rows_affected != 1 || row.kind != kind.as_str() || row.expires_at <= clock.now() {
        return Ok(None);
    }
    let state = serde_json::from_str(&row.state).map_err(AppError::internal)?;
    Ok(Some((
        state,
        Purpose {
            account_id: row.account_id,
            invitation_id: row.invitation_id,
            recovery_code_id: row.recovery_code_id,
        },
    )))
}

pub async fn delete_expired(db: &impl ConnectionTrait, clock: &dyn Clock) -> Result<(), AppError> {
    ceremony::Entity::delete_many()
        .filter(ceremony::Column::ExpiresAt.lte(clock.now()))
        .exec(db)
        .await?;
    Ok(())
}
