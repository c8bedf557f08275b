//! What the server hands every request: the database, the clock and the settings pages need.
//! Server functions reach it through Leptos context (provided by the server shell).
use std::sync::Arc;

use leptos::prelude::*;
use sea_orm::DatabaseConnection;

pub mod limits;
pub mod push_services;

use crate::clock::SharedClock;
use crate::error::AppError;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub clock: SharedClock,
    pub settings: Arc<PublicSettings>,
    /// The passkey relying party, built once from the configured public origin.
    pub webauthn: Arc<webauthn_rs::Webauthn>,
    pub limits: Arc<limits::Limits>,
    /// Wakes this instance's reminder worker when a reminder has just come due (a pack
    /// released, a test sent); other instances find it on their next poll.
    pub wake_reminders: Arc<tokio::sync::Notify>,
}

/// Settings pages and services need; the rest of the configuration stays in the server shell.
#[derive(Clone, Debug)]
pub struct PublicSettings {
    /// e.g. `https://alongside.example.nhs.uk` or `http://localhost:3000`, no trailing slash.
    pub public_origin: String,
    /// Hashed asset names, so the browser can cache them for a year.
    pub assets: AssetNames,
    /// Inactivity timeout of a session.
    pub session_idle: chrono::Duration,
    /// The VAPID public key (base64url, uncompressed P-256) browsers subscribe with.
    pub push_public_key: String,
    /// The push services reminders may be sent to.
    pub push_services: push_services::PushServices,
}

/// The relying party for `public_origin`: its host is the RP id, and only that exact origin
/// (port included) is accepted. Subdomains are not.
pub fn webauthn_for(public_origin: &str) -> Result<webauthn_rs::Webauthn, String> {
    let origin = url::Url::parse(public_origin).map_err(|e| e.to_string())?;
    let rp_id = origin
        .host_str()
        .ok_or("the public origin has no host")?
        .to_owned();
    webauthn_rs::WebauthnBuilder::new(&rp_id, &origin)
        .map_err(|e| e.to_string())?
        .rp_name("Alongside")
        .allow_subdomains(false)
        .build()
        .map_err(|e| e.to_string())
}

#[derive(Clone, Debug, Default)]
pub struct AssetNames {
    /// Base name of the wasm-bindgen output (`<name>.js`, `<name>_bg.wasm`) under `/pkg`.
    pub app: String,
    /// File name of the stylesheet under `/pkg`.
    pub css: String,
    /// File name of the phone's script (offline logging, keeping the plan, updates, reminders)
    /// under `/pkg`.
    pub phone: String,
}

pub fn app_state() -> Result<AppState, AppError> {
    use_context::<AppState>().ok_or_else(|| AppError::Internal {
        request_id: current_request_id(),
    })
}

pub use crate::error::current_request_id;

/// A secret's SHA-256 as lower-case hex: what is stored instead of a token or an address.
pub fn sha256_hex(text: &str) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The same raw statement for both databases, written with `$1` parameters: PostgreSQL numbers
/// its parameters `$1`, SQLite `?1`.
pub fn statement(
    db: &impl sea_orm::ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// What a write transaction that checks before it changes takes its turn on.
#[derive(Clone, Copy, Debug)]
pub enum Turn {
    /// One account's ways in: its passkeys, recovery codes and sign-up links.
    Account(uuid::Uuid),
    /// One organisation's members and their roles.
    Organisation(uuid::Uuid),
}

impl Turn {
    /// The same number in every instance for the same thing (a different one per kind).
    fn key(self) -> i64 {
        let (tag, id) = match self {
            Turn::Account(id) => (0x6163_636f_756e_7400_u64, id), // "account"
            Turn::Organisation(id) => (0x6f72_6761_6e69_7300_u64, id), // "organis"
        };
        let (high, low) = id.as_u64_pair();
        i64::from_ne_bytes((high ^ low ^ tag).to_ne_bytes())
    }
}

/// Starts a write transaction that waits its turn on `turn`: for a change that checks first
/// ("is this their last passkey?", "is there another administrator?"), so two such changes at
/// once cannot both pass the check (two removals leaving no passkey, two administrators
/// demoting each other). SQLite's `BEGIN IMMEDIATE` already lets one writer in at a time; on
/// PostgreSQL a transaction-scoped advisory lock on the thing does, released at commit or
/// rollback. Changes to different things never wait for each other.
pub async fn begin_write_on(
    db: &sea_orm::DatabaseConnection,
    turn: Turn,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::ConnectionTrait as _;
    let txn = begin_write(db).await?;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [turn.key().into()],
        ))
        .await?;
    }
    Ok(txn)
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a transaction that reads first and writes later cannot wait for another writer
/// (SQLite answers "database is locked" at once rather than risk a deadlock), while one that
/// asks for the lock up front simply waits its turn. PostgreSQL ignores the option.
pub async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::TransactionTrait as _;
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}
