//! Rate limits for the passkey ceremonies: per client address on every ceremony endpoint (the
//! server shell applies it) and per account on sign-in. Counted in the database, in one-minute
//! windows, so every instance of Alongside shares them; each count is one
//! `INSERT … ON CONFLICT DO UPDATE … RETURNING` (two requests at once both count). Addresses
//! are kept only as SHA-256 hashes, and windows older than [`KEEP`] are forgotten by the
//! server's minute sweep.
use chrono::{DateTime, Duration, TimeZone as _, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict, Query};
use sea_orm::{ConnectionTrait, DeriveIden};

use crate::error::AppError;

/// How many attempts a minute each key may make.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub per_ip: u32,
    pub per_account: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            per_ip: 60,
            per_account: 10,
        }
    }
}

/// How long counts are kept.
pub const KEEP: Duration = Duration::minutes(10);

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    WindowStart,
    Hits,
}

/// Counts one attempt for `key` (an address or account, with a prefix naming which) in the
/// current minute. `Ok(false)` once the minute's attempts go over `limit`.
pub async fn allow(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    key: &str,
    limit: u32,
) -> Result<bool, AppError> {
    let start = now.timestamp() - now.timestamp().rem_euclid(60);
    let window = Utc
        .timestamp_opt(start, 0)
        .single()
        .ok_or_else(|| AppError::internal("a time outside the calendar"))?;
    let mut insert = Query::insert();
    insert
        .into_table(RateLimits::Table)
        .columns([RateLimits::Key, RateLimits::WindowStart, RateLimits::Hits])
        .values([
            super::invitation::hash_token(key).into(),
            window.into(),
            1i32.into(),
        ])
        .map_err(AppError::internal)?
        .on_conflict(
            OnConflict::columns([RateLimits::Key, RateLimits::WindowStart])
                .value(
                    RateLimits::Hits,
                    Expr::col((RateLimits::Table, RateLimits::Hits)).add(1),
                )
                .to_owned(),
        )
        .returning_col(RateLimits::Hits);
    let row = db
        .query_one(&insert)
        .await?
        .ok_or_else(|| AppError::internal("the count came back empty"))?;
    let hits: i32 = row.try_get("", "hits")?;
    Ok(u32::try_from(hits).unwrap_or(u32::MAX) <= limit)
}

/// Forgets counts older than [`KEEP`].
pub async fn forget_old(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), AppError> {
    let mut delete = Query::delete();
    delete
        .from_table(RateLimits::Table)
        .and_where(Expr::col(RateLimits::WindowStart).lt(now - KEEP));
    db.execute(&delete).await?;
    Ok(())
}
