//! Connecting to the database: a SQLite file by default, PostgreSQL when given a postgres:// URL.
use std::path::{Path, PathBuf};
use std::time::Duration;

use migration::{Migrator, MigratorTrait as _};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};

/// Where the data lives, resolved from the settings.
#[derive(Clone, Debug)]
pub enum DbTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DbTarget {
    pub fn from_settings(database_url: &str, data_dir: &Path) -> Self {
        if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            Self::Postgres(database_url.to_owned())
        } else if let Some(path) = database_url.strip_prefix("sqlite://") {
            Self::Sqlite(PathBuf::from(path.split('?').next().unwrap_or(path)))
        } else if let Some(path) = database_url.strip_prefix("sqlite:") {
            Self::Sqlite(PathBuf::from(path.split('?').next().unwrap_or(path)))
        } else {
            Self::Sqlite(data_dir.join("alongside.db"))
        }
    }

    /// Short description for logs: never the password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("SQLite file {}", path.display()),
            Self::Postgres(url) => match url::Url::parse(url) {
                Ok(u) => format!(
                    "PostgreSQL at {}:{}{}",
                    u.host_str().unwrap_or("?"),
                    u.port().unwrap_or(5432),
                    u.path()
                ),
                Err(_) => "PostgreSQL".into(),
            },
        }
    }
}

/// How many connections, and how long a request may wait for one (settings `db_pool_size`
/// and `db_acquire_timeout_seconds`).
#[derive(Clone, Copy, Debug)]
pub struct Pool {
    pub size: u32,
    pub acquire_timeout: Duration,
}

impl Default for Pool {
    fn default() -> Self {
        Self {
            size: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

pub async fn connect(target: &DbTarget) -> Result<DatabaseConnection, DbErr> {
    connect_with(target, Pool::default()).await
}

/// One connection of its own (for holding a session lock).
pub async fn connect_one(target: &DbTarget) -> Result<DatabaseConnection, DbErr> {
    connect_with(
        target,
        Pool {
            size: 1,
            ..Pool::default()
        },
    )
    .await
}

pub async fn connect_with(target: &DbTarget, pool: Pool) -> Result<DatabaseConnection, DbErr> {
    let mut options = match target {
        DbTarget::Sqlite(path) => {
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(|e| {
                    DbErr::Custom(format!("cannot create {}: {e}", parent.display()))
                })?;
            }
            let mut options = ConnectOptions::new(format!("sqlite://{}?mode=rwc", path.display()));
            options
                .max_connections(pool.size.min(8))
                .min_connections(1)
                // A SQLite connection lives in this process: nothing can hang up on it, so
                // the pool does not ask it "are you there?" (one more trip to its thread)
                // before every statement.
                .test_before_acquire(false)
                .map_sqlx_sqlite_opts(|o| {
                    o.journal_mode(SqliteJournalMode::Wal)
                        .synchronous(SqliteSynchronous::Normal)
                        .foreign_keys(true)
                        .busy_timeout(Duration::from_secs(5))
                });
            options
        }
        DbTarget::Postgres(url) => {
            let mut options = ConnectOptions::new(url.clone());
            // A connection the server or the network dropped is found by a ping, but only
            // one that sat idle for a while: pinging before every statement was a round
            // trip of its own.
            options
                .max_connections(pool.size)
                .min_connections(1)
                .test_before_acquire_if_idle_for(Duration::from_secs(10));
            options
        }
    };
    options
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(pool.acquire_timeout)
        .sqlx_logging(false);
    Database::connect(options).await
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Is the database there and answering? For SQLite the file must also still exist: a deleted
/// file keeps working through open handles until restart, and then the data is gone.
pub async fn is_ready(db: &DatabaseConnection, target: &DbTarget) -> bool {
    if let DbTarget::Sqlite(path) = target
        && !path.exists()
    {
        return false;
    }
    matches!(
        tokio::time::timeout(Duration::from_secs(2), db.ping()).await,
        Ok(Ok(()))
    )
}
