//! Rate limits for the passkey ceremonies: per client address on every ceremony endpoint (the
//! server shell applies it) and per account on sign-in. Kept in the database so every instance
//! of Alongside shares them, as the generic cell rate algorithm (the one `governor` uses in
//! memory): each key keeps one "theoretical arrival time"; an attempt is allowed when it is no
//! more than a minute's worth of attempts ahead, so a burst of `limit` is allowed and then one
//! more every `60 s / limit`. Each attempt is one `INSERT … ON CONFLICT DO UPDATE … RETURNING`,
//! so two at once both count. Keys are kept only as SHA-256 hashes, and keys idle for
//! [`KEEP`] are forgotten by the server's minute sweep. (No crate offers this over a shared
//! SQL database, so it is written here.)
use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;

use crate::error::AppError;
use crate::state::statement;

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

/// How long an idle key is kept.
pub const KEEP: Duration = Duration::minutes(10);

/// Counts one attempt for `key` (an address or account, with a prefix naming which); `Ok(false)`
/// when it goes over `limit` a minute.
pub async fn allow(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    key: &str,
    limit: u32,
) -> Result<bool, AppError> {
    let now = now.timestamp_millis();
    let every = 60_000 / i64::from(limit.max(1));
    // How far ahead of now the arrival time may run: a minute's worth, less one interval.
    let slack = 60_000 - every;
    // $1 key, $2 now, $3 interval, $4 slack. Every right-hand side reads the row as it was.
    let sql = "INSERT INTO rate_limits (key, tat, allowed) VALUES ($1, $2 + $3, TRUE) \
         ON CONFLICT (key) DO UPDATE SET \
         allowed = (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) - $2 <= $4, \
         tat = CASE WHEN (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) - $2 <= $4 \
               THEN (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) + $3 \
               ELSE rate_limits.tat END \
         RETURNING allowed";
    let values = vec![
        super::sha256_hex(key).into(),
        now.into(),
        every.into(),
        slack.into(),
    ];
    let row = db
        .query_one_raw(statement(db, sql, values))
        .await?
        .ok_or_else(|| AppError::internal("the count came back empty"))?;
    Ok(row.try_get::<bool>("", "allowed")?)
}

/// Forgets keys idle for longer than [`KEEP`].
pub async fn forget_old(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), AppError> {
    let before = (now - KEEP).timestamp_millis();
    db.execute_raw(statement(
        db,
        "DELETE FROM rate_limits WHERE tat < $1",
        vec![before.into()],
    ))
    .await?;
    Ok(())
}
