//! A form post sent twice is done once (#17). Every form the app renders carries a hidden
//! `idempotency_key` (a fresh random id each time the form is drawn, see
//! `app::forms::IdempotencyKey`). The same post can then arrive again: the person presses the
//! button again after "this may not be saved", the phone's offline queue resends a log, the
//! browser resends a form on reload. The first post with a key claims it (a unique key, so two
//! at once cannot both claim it) and, once answered, keeps where its answer sent the person.
//! A later post with that key is sent there too, without doing anything again; one arriving
//! while the first is still being answered waits for it.
//!
//! Only outcomes that happened are kept (an answer below 400: with our forms, the redirect to
//! the next page or back to the form with its problems). A refused or failed post (signed out,
//! so sent to sign in; the database unavailable; a deadline) forgets its key, so sending it
//! again really tries again.
//! If the server stops while answering, the key stays claimed with no outcome: a resend then gets
//! a page saying we cannot tell whether it was saved, never a second copy.
//!
//! Written here rather than taken from a crate: the idempotency crates for tower keep keys in
//! memory (useless with several instances) and key on a header, which a plain HTML form cannot
//! send.
use std::time::Duration;

use app::clock::SharedClock;
use app::state::statement;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbErr};
use tracing::Instrument as _;

/// The form field that carries the key.
pub const FIELD: &str = app::forms::IDEMPOTENCY_FIELD;
/// How long a key is remembered.
pub const KEEP: chrono::Duration = chrono::Duration::hours(24);
/// How long a resend waits for the first post's answer before saying it cannot tell.
const WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);

#[derive(Clone)]
pub struct Keys {
    pub db: DatabaseConnection,
    pub clock: SharedClock,
}

/// What is known of an earlier post with the same key.
enum Earlier {
    /// None: this post claimed the key.
    None,
    /// Answered: send the person where it sent them.
    Answered {
        status: u16,
        location: Option<String>,
    },
    /// Claimed, not answered (yet, or ever).
    Pending,
    /// The key was used for a different form.
    Elsewhere,
}

pub async fn once(State(keys): State<Keys>, req: Request, next: Next) -> Response {
    let is_form = req.method() == Method::POST
        && req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    // A body declared too large was refused outside this layer; failing here means the client
    // went away or sent more than it declared.
    let Ok(bytes) = axum::body::to_bytes(body, crate::http::MAX_BODY as usize).await else {
        return crate::http::answer(app::AppError::BadRequest, wants_page(&parts.headers));
    };
    let (key, rest) = take_key(&bytes);
    let path = parts.uri.path().to_owned();
    let page = wants_page(&parts.headers);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(rest.len()));
    let req = Request::from_parts(parts, Body::from(rest));
    let Some(key) = key else {
        return next.run(req).await;
    };

    let earlier = match claim_or_wait(&keys, &key, &path).await {
        Ok(earlier) => earlier,
        Err(err) => return crate::http::answer(app::AppError::from(err), page),
    };
    match earlier {
        Earlier::None => {}
        Earlier::Answered { status, location } => return replay(status, location),
        Earlier::Pending | Earlier::Elsewhere => {
            return crate::http::answer(
                app::AppError::Conflict(
                    "This was sent twice, and we cannot tell yet whether the first one was saved. Look at the page before you try again."
                        .into(),
                ),
                page,
            );
        }
    }

    // Answered in a task of its own, so a person whose connection drops mid-post (a phone
    // going into a tunnel) does not cut the write off half way: it finishes, its outcome is
    // noted, and their resend is sent where it led. The deadline layer inside still ends it.
    let db = keys.db.clone();
    let answered = tokio::spawn(
        async move {
            let res = next.run(req).await;
            let location = res
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            note(&db, &key, res.status().as_u16(), location.as_deref()).await;
            res
        }
        .instrument(tracing::Span::current()),
    );
    match answered.await {
        Ok(res) => res,
        Err(_) => crate::http::answer(app::AppError::internal("a form post's task failed"), page),
    }
}

/// Keeps where a post that was done led; forgets the key of one that was not.
async fn note(db: &DatabaseConnection, key: &str, status: u16, location: Option<&str>) {
    // A form posted while signed out is sent to sign in ("/"), having done nothing.
    let done = status < 400 && location != Some("/");
    let outcome = if done {
        record(db, key, status, location).await
    } else {
        forget(db, key).await
    };
    if let Err(err) = outcome {
        // The post itself was answered; only its key's note failed. A resend will then be
        // told we cannot tell, which is true.
        tracing::warn!(error = %err, "could not note a form post's outcome");
    }
}

fn wants_page(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// The key (if the body has a well-formed one) and the body without it, so the server
/// function never sees a field it does not expect.
fn take_key(body: &Bytes) -> (Option<String>, Bytes) {
    let mut key = None;
    let mut found = false;
    let mut rest = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(body) {
        if name == FIELD {
            found = true;
            key = uuid::Uuid::parse_str(&value)
                .ok()
                .map(|k| k.hyphenated().to_string());
        } else {
            rest.append_pair(&name, &value);
        }
    }
    if !found {
        return (None, body.clone());
    }
    (key, Bytes::from(rest.finish()))
}

fn replay(status: u16, location: Option<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SEE_OTHER);
    match location.and_then(|l| HeaderValue::from_str(&l).ok()) {
        Some(location) => (status, [(header::LOCATION, location)]).into_response(),
        None => status.into_response(),
    }
}

async fn claim_or_wait(keys: &Keys, key: &str, path: &str) -> Result<Earlier, DbErr> {
    let waited = tokio::time::Instant::now();
    loop {
        let claimed = keys
            .db
            .execute_raw(statement(
                &keys.db,
                "INSERT INTO idempotency_keys (key, path, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO NOTHING",
                vec![key.into(), path.into(), keys.clock.now().into()],
            ))
            .await?
            .rows_affected();
        if claimed == 1 {
            return Ok(Earlier::None);
        }
        let row = keys
            .db
            .query_one_raw(statement(
                &keys.db,
                "SELECT path, status, location FROM idempotency_keys WHERE key = $1",
                vec![key.into()],
            ))
            .await?;
        let Some(row) = row else {
            continue; // the first post failed and let the key go: claim it now
        };
        if row.try_get::<String>("", "path")? != path {
            return Ok(Earlier::Elsewhere);
        }
        if let Some(status) = row.try_get::<Option<i32>>("", "status")? {
            return Ok(Earlier::Answered {
                status: u16::try_from(status).unwrap_or(303),
                location: row.try_get("", "location")?,
            });
        }
        if waited.elapsed() >= WAIT {
            return Ok(Earlier::Pending);
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn record(
    db: &DatabaseConnection,
    key: &str,
    status: u16,
    location: Option<&str>,
) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db,
        "UPDATE idempotency_keys SET status = $1, location = $2 WHERE key = $3",
        vec![
            i32::from(status).into(),
            location.map(str::to_owned).into(),
            key.into(),
        ],
    ))
    .await?;
    Ok(())
}

async fn forget(db: &DatabaseConnection, key: &str) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db,
        "DELETE FROM idempotency_keys WHERE key = $1 AND status IS NULL",
        vec![key.into()],
    ))
    .await?;
    Ok(())
}

/// Forgets keys older than [`KEEP`]; the cleanup sweep calls this.
pub async fn forget_old(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db,
        "DELETE FROM idempotency_keys WHERE created_at < $1",
        vec![(now - KEEP).into()],
    ))
    .await?;
    Ok(())
}
