//! A tower-sessions store in our own database (SQLite or PostgreSQL). No published store fits
//! tower-sessions 0.15 with sea-orm 2 (the sqlx store is on the 0.14 trait and sqlx 0.8; the
//! sea-orm one needs sea-orm 1), so this is the small one we need, with two rules of our own:
//! an absolute lifetime (`max_age`, counted from sign-in) on top of the inactivity expiry, and
//! the account id kept in a column so a person can see and end their sessions.
//!
//! Sliding the inactivity expiry means a save on every request (tower-sessions' `always_save`),
//! which on SQLite takes the write lock for each page. The store remembers what it last read of
//! each session, and a save that changes nothing and would move the expiry by less than
//! `REFRESH_AFTER` writes nothing: the idle timeout is then counted from at most that long
//! before the last request.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use app::auth::session::{ACCOUNT_KEY, DEVICE_KEY, IP_KEY, PASSKEY_KEY};
use app::clock::SharedClock;
use app::entities::session;
use async_trait::async_trait;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait as _, Condition, DatabaseConnection, EntityTrait as _, QueryFilter as _, Set,
    SqlErr,
};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use uuid::Uuid;

/// How stale a session's stored expiry may become before an unchanged session is written again.
const REFRESH_AFTER: chrono::Duration = chrono::Duration::seconds(60);
/// Reads not followed by a save (a server error, an emptied session) are forgotten past this.
const MAX_REMEMBERED: usize = 10_000;

/// A session as this instance last read it from the database.
#[derive(Debug)]
struct Seen {
    data: HashMap<String, serde_json::Value>,
    expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    clock: SharedClock,
    idle: chrono::Duration,
    max_age: chrono::Duration,
    seen: Arc<Mutex<HashMap<Id, Seen>>>,
}

impl DbSessionStore {
    /// `idle`: inactivity timeout; `max_age`: absolute lifetime. Both are counted on our clock
    /// (tower-sessions' own expiry reads the wall clock, so the store sets `expires_at` itself).
    pub fn new(
        db: DatabaseConnection,
        clock: SharedClock,
        idle: Duration,
        max_age: Duration,
    ) -> Self {
        Self {
            db,
            clock,
            idle: chrono::Duration::from_std(idle).unwrap_or(chrono::Duration::minutes(30)),
            max_age: chrono::Duration::from_std(max_age).unwrap_or(chrono::Duration::hours(12)),
            seen: Arc::default(),
        }
    }

    fn seen(&self) -> std::sync::MutexGuard<'_, HashMap<Id, Seen>> {
        // The map holds no invariant a panic elsewhere could break.
        self.seen.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// True when `record` is what was read and its stored expiry is still recent enough.
    fn unchanged_and_fresh(&self, record: &Record) -> bool {
        let Some(seen) = self.seen().remove(&record.id) else {
            return false;
        };
        seen.data == record.data && self.clock.now() + self.idle - seen.expires_at < REFRESH_AFTER
    }

    /// Deletes expired sessions and passkey ceremonies every `period`, for as long as the
    /// server runs.
    pub fn spawn_cleanup(
        &self,
        period: Duration,
        app: app::state::AppState,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(period);
            loop {
                tick.tick().await;
                if let Err(err) = store.delete_expired().await {
                    tracing::warn!(error = %err, "could not delete expired sessions");
                }
                if let Err(err) =
                    app::auth::ceremony::delete_expired(&app.db, app.clock.as_ref()).await
                {
                    tracing::warn!(error = %err, "could not delete expired passkey ceremonies");
                }
            }
        })
    }

    fn row(&self, record: &Record) -> session_store::Result<session::ActiveModel> {
        let data = serde_json::to_vec(&record.data)
            .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let uuid = |key| {
            record
                .data
                .get(key)
                .and_then(|v| serde_json::from_value::<Uuid>(v.clone()).ok())
        };
        let text = |key| {
            record
                .data
                .get(key)
                .and_then(|v| v.as_str())
                .map(|s| s.chars().take(120).collect::<String>())
        };
        let now = self.clock.now();
        Ok(session::ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(data),
            expires_at: Set(now + self.idle),
            created_at: Set(now),
            account_id: Set(uuid(ACCOUNT_KEY)),
            device: Set(text(DEVICE_KEY)),
            ip: Set(text(IP_KEY)),
            passkey_id: Set(uuid(PASSKEY_KEY)),
        })
    }
}

fn backend(err: sea_orm::DbErr) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128-bit random, so a clash is all but impossible; still, never overwrite.
        for _ in 0..8 {
            match session::Entity::insert(self.row(record)?)
                .exec(&self.db)
                .await
            {
                Ok(_) => return Ok(()),
                Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                    record.id = Id::default();
                }
                Err(err) => return Err(backend(err)),
            }
        }
        Err(session_store::Error::Backend(
            "could not find a free session id".into(),
        ))
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        if self.unchanged_and_fresh(record) {
            return Ok(());
        }
        // Upsert that keeps the original created_at: the absolute lifetime runs from creation.
        session::Entity::insert(self.row(record)?)
            .on_conflict(
                OnConflict::column(session::Column::Id)
                    .update_columns([
                        session::Column::Data,
                        session::Column::ExpiresAt,
                        session::Column::AccountId,
                        session::Column::Device,
                        session::Column::Ip,
                        session::Column::PasskeyId,
                    ])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = self.clock.now();
        let row = session::Entity::find_by_id(id.to_string())
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::CreatedAt.gt(now - self.max_age))
            .one(&self.db)
            .await
            .map_err(backend)?;
        let Some(row) = row else {
            return Ok(None);
        };
        let data: HashMap<String, serde_json::Value> = serde_json::from_slice(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        {
            let mut seen = self.seen();
            if seen.len() >= MAX_REMEMBERED {
                seen.clear();
            }
            seen.insert(
                *id,
                Seen {
                    data: data.clone(),
                    expires_at: row.expires_at,
                },
            );
        }
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.seen().remove(id);
        session::Entity::delete_by_id(id.to_string())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = self.clock.now();
        session::Entity::delete_many()
            .filter(
                Condition::any()
                    .add(session::Column::ExpiresAt.lte(now))
                    .add(session::Column::CreatedAt.lte(now - self.max_age)),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }
}
