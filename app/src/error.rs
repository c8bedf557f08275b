//! The one error type that crosses the server-function boundary. What a person sees is always
//! plain English; internal details go to the log with the request id, never to the page.
use std::collections::BTreeMap;

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("Please sign in to continue.")]
    Unauthorized,
    #[error("You do not have permission to do that.")]
    Forbidden,
    #[error("We could not find that page or record.")]
    NotFound,
    /// Field name → messages to show beside that field.
    #[error("Some answers need correcting.")]
    Validation(BTreeMap<String, Vec<String>>),
    #[error("{0}")]
    Conflict(String),
    /// What was sent could not be read at all (not a form or JSON we understand).
    #[error("We could not read what was sent. Go back and try again.")]
    BadRequest,
    /// What was sent is larger than anything Alongside takes.
    #[error("That was too large to send. Make it shorter, or send a smaller file.")]
    TooLarge,
    #[error(
        "Something went wrong on our side. If it keeps happening, quote reference {request_id}."
    )]
    Internal { request_id: String },
    /// The database cannot be reached (down, restarting, every connection busy): nothing was
    /// changed, and trying again in a while will work.
    #[error(
        "Alongside is having trouble right now. What you saved is safe. Try again in a minute."
    )]
    Unavailable,
}

impl AppError {
    /// A validation error for a single field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut map = BTreeMap::new();
        map.insert(field.to_owned(), vec![message.into()]);
        Self::Validation(map)
    }

    /// Messages for one field, for showing next to it.
    pub fn messages_for(&self, field: &str) -> &[String] {
        match self {
            Self::Validation(map) => map.get(field).map(Vec::as_slice).unwrap_or_default(),
            _ => &[],
        }
    }

    /// The HTTP status this error maps to, decided here and nowhere else.
    pub fn status(&self) -> u16 {
        match self {
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::Validation(_) => 422,
            Self::Conflict(_) => 409,
            Self::BadRequest => 400,
            Self::TooLarge => 413,
            Self::Internal { .. } => 500,
            Self::Unavailable => 503,
        }
    }
}

impl AppError {
    fn wrong_fields() -> Self {
        Self::field("form", "Some of the form was missing or not understood.")
    }

    /// Arguments that could not be read: a body too large, well-formed but wrong fields
    /// (422), or not a form or JSON at all (400).
    fn unreadable(why: &str) -> Self {
        let why = why.to_ascii_lowercase();
        if why.contains("length limit") || why.contains("too large") {
            Self::TooLarge
        } else if [
            "missing field",
            "invalid type",
            "invalid value",
            "invalid length",
            "unknown variant",
            "unknown field",
            "duplicate field",
        ]
        .iter()
        .any(|w| why.contains(w))
        {
            Self::wrong_fields()
        } else {
            Self::BadRequest
        }
    }

    /// Anything else the server-function machinery reports: on the server, logged with the
    /// request id; in the browser (a lost connection, say), a reference without detail.
    fn unexpected(cause: ServerFnErrorErr) -> Self {
        #[cfg(feature = "ssr")]
        {
            Self::internal(cause)
        }
        #[cfg(not(feature = "ssr"))]
        {
            let _ = cause;
            Self::Internal {
                request_id: "in your browser".into(),
            }
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// Logs the real cause (the log line carries the request id from the request's span) and
    /// returns an error that shows the person only that id.
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let request_id = current_request_id();
        tracing::error!(%request_id, error = %cause, "internal error");
        Self::Internal { request_id }
    }
}

#[cfg(feature = "ssr")]
/// The id of the request being served (set by the server's request-id layer).
pub fn current_request_id() -> String {
    leptos::prelude::use_context::<axum::http::request::Parts>()
        .and_then(|parts| {
            parts
                .headers
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Whether the database could not be reached at all (as opposed to refusing a statement).
#[cfg(feature = "ssr")]
fn unreachable(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => matches!(
            e.as_ref(),
            sea_orm::sqlx::Error::Io(_)
                | sea_orm::sqlx::Error::PoolTimedOut
                | sea_orm::sqlx::Error::PoolClosed
                | sea_orm::sqlx::Error::WorkerCrashed
                | sea_orm::sqlx::Error::Tls(_)
        ),
        _ => false,
    }
}

/// The session is loaded from the database on first use: a store that cannot reach it means
/// the database is away, not a fault in the request.
#[cfg(feature = "ssr")]
impl From<tower_sessions::session::Error> for AppError {
    fn from(err: tower_sessions::session::Error) -> Self {
        match err {
            tower_sessions::session::Error::Store(
                tower_sessions::session_store::Error::Backend(why),
            ) => {
                tracing::warn!(error = %why, "the session store cannot reach the database");
                Self::Unavailable
            }
            other => Self::internal(other),
        }
    }
}

#[cfg(feature = "ssr")]
impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        if unreachable(&err) {
            tracing::warn!(error = %err, "the database cannot be reached");
            return Self::Unavailable;
        }
        // A unique index refusing a second copy means someone (or a retry) saved the same
        // thing at the same moment: never a 500. The code relies on `ON CONFLICT` where it
        // can; this is the backstop.
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(message)) = err.sql_err() {
            if let Some(field) = unique_field(&message) {
                return field;
            }
            return Self::Conflict(
                "This was saved at the same moment somewhere else. Check the page and try again."
                    .into(),
            );
        }
        Self::internal(err)
    }
}

/// The unique indexes a person can run into by what they type, with what to say beside the
/// field: (table, column, field, message). The one place a database's refusal becomes a
/// field's message, so a service inserts and lets the index decide (never check, then insert).
#[cfg(feature = "ssr")]
const UNIQUE_FIELDS: &[(&str, &str, &str, &str)] = &[(
    "patients",
    "nhs_number",
    "nhs_number",
    "Someone with that NHS number is already registered",
)];

/// The field error for a unique index's refusal, in either database's words: SQLite names the
/// `table.column`, PostgreSQL the constraint (`table_column_key`).
#[cfg(feature = "ssr")]
fn unique_field(message: &str) -> Option<AppError> {
    UNIQUE_FIELDS
        .iter()
        .find(|(table, column, _, _)| {
            message.contains(&format!("{table}.{column}"))
                || message.contains(&format!("{table}_{column}_key"))
        })
        .map(|(_, _, field, text)| AppError::field(field, *text))
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // Bad arguments are the caller's mistake, not ours: say so without detail (the
            // deserialiser's words name our types, so they never reach the answer).
            ServerFnErrorErr::MissingArg(_) => Self::wrong_fields(),
            ServerFnErrorErr::Args(why) | ServerFnErrorErr::Deserialization(why) => {
                Self::unreadable(&why)
            }
            other => Self::unexpected(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn a_unique_nhs_number_refused_by_either_database_is_a_message_beside_the_field() {
        for said in [
            "UNIQUE constraint failed: patients.nhs_number",
            "duplicate key value violates unique constraint \"patients_nhs_number_key\"",
        ] {
            let err = unique_field(said).expect("a field error");
            assert_eq!(
                err.messages_for("nhs_number"),
                ["Someone with that NHS number is already registered".to_owned()]
            );
        }
        assert!(unique_field("UNIQUE constraint failed: invitations.token_hash").is_none());
    }

    #[test]
    fn validation_messages_are_found_by_field() {
        let err = AppError::field("title", "Enter a title");
        assert_eq!(err.messages_for("title"), ["Enter a title".to_owned()]);
        assert!(err.messages_for("other").is_empty());
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn unreadable_input_is_the_callers_mistake_and_never_shows_the_deserialisers_words() {
        let missing = AppError::unreadable("missing field `title` at line 1 column 2");
        assert_eq!(missing.status(), 422);
        let garbled = AppError::unreadable("expected value at line 1 column 1");
        assert_eq!(garbled.status(), 400);
        let huge = AppError::unreadable("length limit exceeded");
        assert_eq!(huge.status(), 413);
        for err in [missing, garbled, huge] {
            let shown = serde_json::to_string(&err).expect("json") + &err.to_string();
            assert!(!shown.contains("line 1") && !shown.contains('`'), "{shown}");
        }
    }

    #[test]
    fn internal_error_shows_only_the_reference() {
        let err = AppError::Internal {
            request_id: "abc-123".into(),
        };
        let shown = err.to_string();
        assert!(shown.contains("abc-123"));
        assert!(!shown.to_lowercase().contains("sql"));
    }
}
