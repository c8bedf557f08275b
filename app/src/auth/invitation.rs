//! Invitations: the only way to join Alongside. A link carries a 256-bit random token; we keep
//! only its SHA-256, so a copy of the database cannot be turned into working links.
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use rand::RngCore as _;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use uuid::Uuid;

use crate::clock::Clock;
use crate::entities::{account, invitation};
use crate::error::AppError;

pub const DEFAULT_LIFETIME_DAYS: i64 = 14;
/// A recovery link (for an account that already has a passkey) works for a day at most.
pub const RECOVERY_LIFETIME_HOURS: i64 = 24;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Patient,
    Staff,
    Carer,
    Admin,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Patient => "patient",
            Self::Staff => "staff",
            Self::Carer => "carer",
            Self::Admin => "admin",
        }
    }
}

pub struct NewInvitation {
    pub account_id: Uuid,
    pub purpose: Purpose,
    pub organisation_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub invited_by: Option<Uuid>,
}

/// A freshly made token: given to the person once, never stored.
pub struct InvitationToken(pub String);

impl InvitationToken {
    /// The link the person opens. The token travels in the query string, which our request
    /// logs leave out.
    pub fn link(&self, public_origin: &str) -> String {
        format!("{public_origin}/invite?token={}", self.0)
    }
}

pub fn hash_token(token: &str) -> String {
    crate::state::sha256_hex(token)
}

/// Who a new account is for and who asked: an invitation before its account exists.
pub struct Joining {
    pub purpose: Purpose,
    pub organisation_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub invited_by: Option<Uuid>,
}

/// A new account named `display_name` and its one-time sign-up link, in the caller's
/// transaction: the one way anyone joins (a person, a carer, a member of staff, an
/// organisation's first administrator).
pub async fn new_account(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    display_name: &str,
    joining: Joining,
) -> Result<(Uuid, InvitationToken), AppError> {
    let account_id = Uuid::new_v4();
    account::ActiveModel {
        id: Set(account_id),
        display_name: Set(display_name.to_owned()),
        created_at: Set(clock.now()),
    }
    .insert(db)
    .await?;
    let token = create(
        db,
        clock,
        NewInvitation {
            account_id,
            purpose: joining.purpose,
            organisation_id: joining.organisation_id,
            patient_id: joining.patient_id,
            invited_by: joining.invited_by,
        },
    )
    .await?;
    Ok((account_id, token))
}

/// A sign-up link, for an account with no passkey yet.
pub async fn create(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    new: NewInvitation,
) -> Result<InvitationToken, AppError> {
    insert(db, clock, new, false).await
}

/// A recovery link, for an account that has a passkey: it works only once a second member of
/// the care team approves it, and for [`RECOVERY_LIFETIME_HOURS`].
pub async fn create_recovery(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    new: NewInvitation,
) -> Result<InvitationToken, AppError> {
    insert(db, clock, new, true).await
}

async fn insert(
    db: &impl ConnectionTrait,
    clock: &dyn Clock,
    new: NewInvitation,
    recovery: bool,
) -> Result<InvitationToken, AppError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let now = clock.now();
    invitation::ActiveModel {
        id: Set(Uuid::new_v4()),
        token_hash: Set(hash_token(&token)),
        account_id: Set(new.account_id),
        purpose: Set(new.purpose.as_str().to_owned()),
        organisation_id: Set(new.organisation_id),
        patient_id: Set(new.patient_id),
        invited_by: Set(new.invited_by),
        created_at: Set(now),
        expires_at: Set(if recovery {
            now + Duration::hours(RECOVERY_LIFETIME_HOURS)
        } else {
            now + Duration::days(DEFAULT_LIFETIME_DAYS)
        }),
        used_at: Set(None),
        recovery: Set(recovery),
        approved_by: Set(None),
        approved_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(InvitationToken(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_hash_is_hex_sha256() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
