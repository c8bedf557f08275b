//! Recovery codes: ten single-use codes of 128 random bits each, shown once and stored only as
//! SHA-256. A code never signs anyone in by itself: it lets the person register a new passkey,
//! so recovery is never weaker than enrolment.
use leptos::prelude::*;

use crate::error::AppError;

pub const CODES: usize = 10;

#[server(prefix = "/api/auth", endpoint = "recovery_codes")]
pub async fn create_recovery_codes() -> Result<Vec<String>, AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::replace_codes(&state, account).await
}

#[cfg(feature = "ssr")]
pub mod service {
    use rand::RngCore as _;
    use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, Set};
    use uuid::Uuid;

    use super::CODES;
    use crate::auth::audit::{self, Entry};
    use crate::auth::invitation::hash_token;
    use crate::auth::request_info;
    use crate::entities::recovery_code;
    use crate::error::AppError;
    use crate::state::AppState;

    /// Crockford's base32 alphabet: no I, L, O or U to misread.
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// 16 random bytes as 26 base32 characters, grouped in fives for reading aloud.
    pub fn new_code() -> String {
        let mut bytes = [0u8; 16];
        rand::rng().fill_bytes(&mut bytes);
        let mut value = u128::from_be_bytes(bytes);
        let mut chars = Vec::with_capacity(26);
        for _ in 0..26 {
            chars.push(ALPHABET[(value & 31) as usize] as char);
            value >>= 5;
        }
        chars
            .chunks(5)
            .map(|c| c.iter().collect::<String>())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// How a code is compared: case, spaces and dashes do not matter.
    pub fn normalise(code: &str) -> String {
        code.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_uppercase())
            .collect()
    }

    pub async fn find_unused(
        db: &impl ConnectionTrait,
        code: &str,
    ) -> Result<Option<recovery_code::Model>, AppError> {
        Ok(recovery_code::Entity::find()
            .filter(recovery_code::Column::CodeHash.eq(hash_token(&normalise(code))))
            .filter(recovery_code::Column::UsedAt.is_null())
            .one(db)
            .await?)
    }

    /// Makes a new set of codes, replacing any unused old ones.
    pub async fn replace_codes(
        state: &AppState,
        account_id: Uuid,
    ) -> Result<Vec<String>, AppError> {
        let codes: Vec<String> = (0..CODES).map(|_| new_code()).collect();
        let now = state.clock.now();
        let txn = crate::state::begin_write_on(&state.db, crate::state::Turn::Account(account_id))
            .await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::AccountId.eq(account_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        recovery_code::Entity::insert_many(codes.iter().map(|code| recovery_code::ActiveModel {
            id: Set(Uuid::new_v4()),
            account_id: Set(account_id),
            code_hash: Set(hash_token(&normalise(code))),
            created_at: Set(now),
            used_at: Set(None),
        }))
        .exec(&txn)
        .await?;
        let origin = request_info::current();
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry::own(account_id, "recovery_codes_created", &origin),
        )
        .await?;
        txn.commit().await?;
        Ok(codes)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn codes_carry_128_bits_and_read_back_whatever_the_case() {
            let code = new_code();
            assert_eq!(
                normalise(&code).len(),
                26,
                "26 base32 characters carry 130 bits"
            );
            assert_eq!(
                normalise(&code.to_lowercase().replace('-', " ")),
                normalise(&code)
            );
            assert_ne!(new_code(), code);
        }
    }
}

#[cfg(feature = "ssr")]
pub use service::find_unused;
