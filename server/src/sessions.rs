//! A tower-sessions store in our own database (SQLite or PostgreSQL). No published store fits
//! tower-sessions 0.15 with sea-orm 2 (the sqlx store is on the 0.14 trait and sqlx 0.8; the
//! sea-orm one needs sea-orm 1), so this is the small one we need, with rules of our own:
//!
//! - **An absolute lifetime** (`max_age`, counted from sign-in) on top of the inactivity expiry,
//!   and the account id kept in a column so a person can see and end their sessions.
//! - **A request writes only what it changed.** One browser often has several requests in
//!   flight (a draft autosave and the form's own submit, two tabs). tower-sessions saves the
//!   whole record at the end of each, so the last to finish used to put back what it had read,
//!   undoing the others: a notice left by one request vanished when a slower request that only
//!   read the session finished after it. Each loaded record carries what was read (under
//!   [`LOADED_KEY`]); saving works out which keys this request changed and applies just those
//!   to the row as it is now, with a compare-and-swap so two writers never undo each other
//!   (this instance's saves of one session take turns, so only another instance can make a
//!   save try again).
//! - **An ended session stays ended.** Saving only ever updates a row that still exists:
//!   signing out, ending a device or removing a passkey deletes the row, and a request of that
//!   session still in flight cannot write it back (nor restart its absolute lifetime).
//! - **Reading a page writes nothing** unless the stored expiry would move by `REFRESH_AFTER`
//!   or more; then only the expiry column is updated, when the session is loaded.
//! - **Who is signed in comes with the session** (#21): the row is read in the same statement
//!   as its account's name, roles, own record and grants (`app::access::session_and_who`),
//!   handed to the request under `WHO_KEY`, so no request reads them after it. Like
//!   [`LOADED_KEY`], it starts with two underscores and is never written back.
//! - **An answer about an ended session leaves the browser's cookie alone**
//!   ([`keep_newer_session_cookie`]).
use std::collections::HashMap;
use std::time::Duration;

use app::clock::SharedClock;
use app::entities::session;
use app::session::{ACCOUNT_KEY, DEVICE_KEY, IP_KEY, PASSKEY_KEY, WHO_KEY};
use async_trait::async_trait;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait as _, Condition, DatabaseConnection, EntityTrait as _, QueryFilter as _, Set,
    SqlErr,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use uuid::Uuid;

/// A request of a session that has ended must not touch the browser's cookie. tower-sessions
/// answers a request whose session is gone with a cookie that removes it, and one that changed
/// its session with the session's cookie again. Either, arriving late, would overwrite the
/// cookie of the session that replaced it: a page or form still loading from before sign-in
/// would sign the person straight out again. This layer (just outside the session layer)
/// drops our cookie from any answer about a session this instance's store has just found
/// ended; the browser's newer cookie stands. A cookie for a new session (sign-in) always goes
/// out, and signing out (which deletes the session itself) still removes the cookie.
pub async fn keep_newer_session_cookie(
    axum::extract::State((store, name)): axum::extract::State<(DbSessionStore, &'static str)>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let sent: Option<String> = req
        .headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned());
    let mut res = next.run(req).await;
    let Some(sent) = sent.filter(|s| store.was_ended(s)) else {
        return res;
    };
    let about_ended = |value: &axum::http::HeaderValue| {
        let text = value.to_str().unwrap_or_default();
        let cookie = text.split(';').next().unwrap_or_default();
        matches!(cookie.split_once('='), Some((k, v)) if k == name && (v == sent || v.is_empty()))
    };
    let kept: Vec<axum::http::HeaderValue> = res
        .headers()
        .get_all(axum::http::header::SET_COOKIE)
        .iter()
        .filter(|v| !about_ended(v))
        .cloned()
        .collect();
    let headers = res.headers_mut();
    headers.remove(axum::http::header::SET_COOKIE);
    for v in kept {
        headers.append(axum::http::header::SET_COOKIE, v);
    }
    res
}

/// How long this instance remembers a session it found ended (longer than any request).
const REMEMBER_ENDED: Duration = Duration::from_secs(300);

/// How stale a session's stored expiry may become before an unchanged session is written again.
const REFRESH_AFTER: chrono::Duration = chrono::Duration::seconds(60);
/// The record key carrying what this request read. No code of ours uses a key starting with
/// two underscores; it is never written to the database.
pub const LOADED_KEY: &str = "__loaded";
/// Compare-and-swap attempts before a save gives up (each lost race means another instance
/// wrote the same session in between, this instance's saves of it taking turns; eight in a
/// row does not happen by chance).
const MAX_ATTEMPTS: usize = 8;

type Data = HashMap<String, Value>;

/// The session as this request read it from the database.
#[derive(Debug, Serialize, Deserialize)]
struct Loaded {
    data: Data,
    expires_at: chrono::DateTime<chrono::Utc>,
}

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
    clock: SharedClock,
    idle: chrono::Duration,
    max_age: chrono::Duration,
    /// Sessions a request of this instance found ended lately, and when.
    ended: std::sync::Arc<std::sync::Mutex<HashMap<String, std::time::Instant>>>,
    /// One lock per stripe of session ids: this instance's saves of one session take turns,
    /// so the compare-and-swap only ever loses to another instance. Without them, many
    /// requests of one session saving at once (a clinician adding people from several tabs)
    /// could each lose every attempt to the others and answer "not saved" for what was saved.
    saving: std::sync::Arc<[tokio::sync::Mutex<()>]>,
}

/// Stripes of [`DbSessionStore::saving`]: two sessions share one only now and then, and then
/// only their saves wait for each other.
const SAVING_STRIPES: usize = 64;

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
            ended: std::sync::Arc::default(),
            saving: (0..SAVING_STRIPES)
                .map(|_| tokio::sync::Mutex::new(()))
                .collect(),
        }
    }

    fn note_ended(&self, id: &Id) {
        if let Ok(mut ended) = self.ended.lock() {
            let now = std::time::Instant::now();
            ended.retain(|_, at| now.duration_since(*at) < REMEMBER_ENDED);
            ended.insert(id.to_string(), now);
        }
    }

    /// Whether a request of this instance lately found this session ended (its row gone).
    pub fn was_ended(&self, id: &str) -> bool {
        self.ended.lock().is_ok_and(|ended| ended.contains_key(id))
    }

    /// Deletes expired sessions, passkey ceremonies, old sign-in counts and form keys, and reacts
    /// to any events still pending, every `period`, for as long as the server runs.
    pub fn spawn_cleanup(
        &self,
        period: Duration,
        app: app::state::AppState,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.clone();
        tokio::spawn(async move {
            // Not at once: a first sweep racing start-up could delete with a `now` read before
            // the clock was set (a test that sets its clock back deleted its own new session
            // that way), and at start-up there is nothing a minute's wait would not catch.
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
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
                if let Err(err) = app::state::limits::forget_old(&app.db, app.clock.now()).await {
                    tracing::warn!(error = %err, "could not forget old sign-in counts");
                }
                if let Err(err) = crate::idempotency::forget_old(&app.db, app.clock.now()).await {
                    tracing::warn!(error = %err, "could not forget old form keys");
                }
                // Reactions a crash (or a failed reaction) left behind, and old events.
                app.react().await;
                if let Err(err) = app::events::forget_old(&app.db, app.clock.now()).await {
                    tracing::warn!(error = %err, "could not forget old events");
                }
            }
        })
    }

    /// Rows of sessions that have not ended, by idle time or by age.
    fn alive(&self) -> Condition {
        let now = self.clock.now();
        Condition::all()
            .add(session::Column::ExpiresAt.gt(now))
            .add(session::Column::CreatedAt.gt(now - self.max_age))
    }

    /// Slides the idle expiry of a session that still exists; never brings one back.
    async fn touch(&self, id: &Id) -> session_store::Result<()> {
        let touched = session::Entity::update_many()
            .col_expr(
                session::Column::ExpiresAt,
                Expr::value(self.clock.now() + self.idle),
            )
            .filter(session::Column::Id.eq(id.to_string()))
            .filter(self.alive())
            .exec(&self.db)
            .await
            .map_err(backend)?;
        if touched.rows_affected == 0 {
            self.note_ended(id);
        }
        Ok(())
    }

    /// Applies `changes` (key → new value, `None` for removed) to the row as it is now. A row
    /// that has gone (the session ended meanwhile) stays gone.
    async fn apply(
        &self,
        id: &Id,
        changes: &[(String, Option<Value>)],
    ) -> session_store::Result<()> {
        let stripe = usize::try_from(id.0.unsigned_abs() % SAVING_STRIPES as u128).unwrap_or(0);
        let _turn = self.saving[stripe].lock().await;
        for _ in 0..MAX_ATTEMPTS {
            let Some(row) = session::Entity::find_by_id(id.to_string())
                .filter(self.alive())
                .one(&self.db)
                .await
                .map_err(backend)?
            else {
                self.note_ended(id);
                return Ok(());
            };
            let mut data: Data = serde_json::from_slice(&row.data)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
            for (key, value) in changes {
                match value {
                    Some(v) => data.insert(key.clone(), v.clone()),
                    None => data.remove(key),
                };
            }
            let columns = Columns::of(&data)?;
            let swapped = session::Entity::update_many()
                .col_expr(session::Column::Data, Expr::value(columns.data))
                .col_expr(
                    session::Column::ExpiresAt,
                    Expr::value(self.clock.now() + self.idle),
                )
                .col_expr(session::Column::AccountId, Expr::value(columns.account_id))
                .col_expr(session::Column::Device, Expr::value(columns.device))
                .col_expr(session::Column::Ip, Expr::value(columns.ip))
                .col_expr(session::Column::PasskeyId, Expr::value(columns.passkey_id))
                .filter(session::Column::Id.eq(id.to_string()))
                .filter(session::Column::Data.eq(row.data))
                .exec(&self.db)
                .await
                .map_err(backend)?;
            if swapped.rows_affected == 1 {
                return Ok(());
            }
        }
        Err(session_store::Error::Backend(
            "the session kept changing under this request".into(),
        ))
    }
}

/// A session's data as stored, with the columns copied out of it.
struct Columns {
    data: Vec<u8>,
    account_id: Option<Uuid>,
    device: Option<String>,
    ip: Option<String>,
    passkey_id: Option<Uuid>,
}

impl Columns {
    fn of(data: &Data) -> session_store::Result<Self> {
        let uuid = |key| {
            data.get(key)
                .and_then(|v| serde_json::from_value::<Uuid>(v.clone()).ok())
        };
        let text = |key| {
            data.get(key)
                .and_then(|v| v.as_str())
                .map(|s| s.chars().take(120).collect::<String>())
        };
        Ok(Self {
            data: serde_json::to_vec(data)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?,
            account_id: uuid(ACCOUNT_KEY),
            device: text(DEVICE_KEY),
            ip: text(IP_KEY),
            passkey_id: uuid(PASSKEY_KEY),
        })
    }
}

/// Keys the store adds to a record as it loads it (what was read, who is signed in), which it
/// never writes back: they start with two underscores, and no key of the app's does.
fn is_ours(key: &str) -> bool {
    key.starts_with("__")
}

/// The record's data without what the store added, and what it was when loaded (if it was).
fn split(record: &Record) -> (Data, Option<Loaded>) {
    let mut data = record.data.clone();
    let loaded = data
        .remove(LOADED_KEY)
        .and_then(|v| serde_json::from_value::<Loaded>(v).ok());
    data.retain(|key, _| !is_ours(key));
    (data, loaded)
}

/// The keys this request set or removed, compared with what it read.
fn changes(now: &Data, before: &Data) -> Vec<(String, Option<Value>)> {
    let mut changed: Vec<(String, Option<Value>)> = now
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    changed.extend(
        before
            .keys()
            .filter(|k| !now.contains_key(*k))
            .map(|k| (k.clone(), None)),
    );
    changed
}

fn backend(err: sea_orm::DbErr) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        let (data, _) = split(record);
        let columns = Columns::of(&data)?;
        let now = self.clock.now();
        // Ids are 128-bit random, so a clash is all but impossible; still, never overwrite.
        for _ in 0..MAX_ATTEMPTS {
            let row = session::ActiveModel {
                id: Set(record.id.to_string()),
                data: Set(columns.data.clone()),
                expires_at: Set(now + self.idle),
                created_at: Set(now),
                account_id: Set(columns.account_id),
                device: Set(columns.device.clone()),
                ip: Set(columns.ip.clone()),
                passkey_id: Set(columns.passkey_id),
            };
            match session::Entity::insert(row).exec(&self.db).await {
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
        let (data, loaded) = split(record);
        let Some(loaded) = loaded else {
            // tower-sessions saves only records it loaded (new ones go to `create`); a record
            // that lost what it read is written whole, but still only where the row exists.
            let changes: Vec<_> = data.into_iter().map(|(k, v)| (k, Some(v))).collect();
            return self.apply(&record.id, &changes).await;
        };
        let changes = changes(&data, &loaded.data);
        if changes.is_empty() {
            // Its idle expiry was slid when it was loaded. tower-sessions counts a removal of a
            // key that was not there as a change (our own code avoids that): check it still
            // exists, so an answer about an ended session leaves the cookie alone.
            let exists = session::Entity::find_by_id(record.id.to_string())
                .filter(self.alive())
                .one(&self.db)
                .await
                .map_err(backend)?
                .is_some();
            if !exists {
                self.note_ended(&record.id);
            }
            return Ok(());
        }
        self.apply(&record.id, &changes).await
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        // With who it is signed in as, in the same statement: the request takes that instead
        // of reading it again (`app::access::who`).
        let found = app::access::session_and_who(&self.db, &id.to_string(), self.alive())
            .await
            .map_err(|e| session_store::Error::Backend(e.to_string()))?;
        let Some((row, who)) = found else {
            self.note_ended(id);
            return Ok(None);
        };
        if self.clock.now() + self.idle - row.expires_at >= REFRESH_AFTER {
            self.touch(id).await?;
        }
        let mut data: Data = serde_json::from_slice(&row.data)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        data.retain(|key, _| !is_ours(key));
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let loaded = serde_json::to_value(Loaded {
            data: data.clone(),
            expires_at: row.expires_at,
        })
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
        data.insert(LOADED_KEY.to_owned(), loaded);
        if let Some(who) = who {
            let who = serde_json::to_value(who)
                .map_err(|e| session_store::Error::Encode(e.to_string()))?;
            data.insert(WHO_KEY.to_owned(), who);
        }
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn data(pairs: &[(&str, Value)]) -> Data {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn only_the_keys_a_request_set_or_removed_count_as_its_changes() {
        let before = data(&[
            ("account_id", Value::from("a")),
            ("flash", Value::from("saved")),
            ("acting_for", Value::from("m")),
        ]);
        let now = data(&[
            ("account_id", Value::from("a")),
            ("acting_for", Value::from("d")),
            ("caseload", Value::from("filters")),
        ]);
        let mut got = changes(&now, &before);
        got.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            got,
            vec![
                ("acting_for".to_owned(), Some(Value::from("d"))),
                ("caseload".to_owned(), Some(Value::from("filters"))),
                ("flash".to_owned(), None),
            ]
        );
        assert!(
            changes(&before, &before).is_empty(),
            "a read changes nothing"
        );
    }
}
