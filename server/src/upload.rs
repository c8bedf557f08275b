//! The one form that is not a server function: uploading a file of results. A file upload is a
//! multipart post, which our server functions do not take, so this handler reads the file and
//! hands it to `results::intake::import` (which asks the policy). Like every form it answers a
//! browser with a redirect and a flash, and anything else with a plain status and JSON.
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::AppError;
use app::forms::{Flash, store_flash};

use crate::ServerState;

pub const PAGE: &str = "/team/results/import";

/// The largest file of results taken at once: a year of a practice's results (about 5,000
/// results for 1,000 people as a FHIR Bundle is about 20 MB). The route's body limit.
pub const MAX_UPLOAD_BYTES: usize = 20 * 1024 * 1024;

/// Room for the form's other fields beside the largest file.
pub const FORM_ROOM: u64 = 64 * 1024;

/// The answer to an upload declared larger than the limit, before anything reads it: for a
/// browser a page that names the limit and leads back to the form, for anything else the same
/// field error as a file found too large while reading it.
pub fn too_big_answer(page: bool) -> Response {
    let err = too_big();
    if !page {
        return crate::http::answer(err, false);
    }
    let text = err
        .messages_for("file")
        .first()
        .cloned()
        .unwrap_or_else(|| err.to_string());
    (
        StatusCode::PAYLOAD_TOO_LARGE,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>That file is too large - Alongside</title></head><body><main>\
             <h1>That file is too large</h1><p>{text}</p><p><a href=\"{PAGE}\">Back to Import results</a></p>\
             </main></body></html>"
        ),
    )
        .into_response()
}

fn too_big() -> AppError {
    AppError::field(
        "file",
        format!(
            "The file is larger than {} MB, the most Alongside takes at once. Split it into smaller files (for example one per month) and upload each.",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
}

pub async fn import_results(
    State(state): State<ServerState>,
    session: Session,
    headers: HeaderMap,
    multipart: Multipart,
) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let outcome = run(&state, &session, multipart).await;
    if !browser {
        return match outcome {
            Ok(done) => axum::Json(done).into_response(),
            Err(err) => {
                let status =
                    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, axum::Json(err)).into_response()
            }
        };
    }
    let flash = match outcome {
        Err(AppError::Unauthorized) => return Redirect::to("/").into_response(),
        Ok(done) => {
            let notice = summary(&done);
            // The full report (each result, and what was left out) waits for the page.
            if app::session::put(&session, app::results::intake::REPORT_KEY, done)
                .await
                .is_err()
            {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
            Flash {
                notice: Some(notice),
                ..Flash::default()
            }
        }
        Err(AppError::Validation(errors)) => Flash {
            form: Some("import".into()),
            errors,
            ..Flash::default()
        },
        Err(other) => Flash {
            form: Some("import".into()),
            errors: [("file".to_owned(), vec![other.to_string()])].into(),
            ..Flash::default()
        },
    };
    if store_flash(&session, flash).await.is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Redirect::to(PAGE).into_response()
}

/// One sentence for the notice: what changed.
fn summary(done: &app::results::intake::Imported) -> String {
    let mut parts = Vec::new();
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    if done.added > 0 {
        parts.push(format!(
            "{} imported",
            plural(done.added, "result", "results")
        ));
    }
    if done.corrected > 0 {
        parts.push(format!(
            "{} corrected",
            plural(done.corrected, "result", "results")
        ));
    }
    if done.removed > 0 {
        parts.push(format!(
            "{} removed (entered in error)",
            plural(done.removed, "result", "results")
        ));
    }
    if done.already > 0 {
        parts.push(format!(
            "{} already here, so not added again",
            plural(done.already, "result was", "results were")
        ));
    }
    if !done.skipped.is_empty() {
        parts.push(format!(
            "{} not imported (listed below)",
            plural(done.skipped.len() as u64, "entry", "entries")
        ));
    }
    if parts.is_empty() {
        return "Nothing in this file was a result to import.".to_owned();
    }
    let mut text = parts.join("; ");
    if let Some(first) = text.get(..1) {
        text = first.to_uppercase() + &text[1..];
    }
    text + "."
}

async fn run(
    state: &ServerState,
    session: &Session,
    mut multipart: Multipart,
) -> Result<app::results::intake::Imported, AppError> {
    let account = app::session::current_account(session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut content = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(err) if err.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
            Err(_) => {
                return Err(AppError::field(
                    "file",
                    "The upload did not arrive whole. Please try again.",
                ));
            }
        };
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|err| {
                if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    too_big()
                } else {
                    AppError::field("file", "The upload did not arrive whole. Please try again.")
                }
            })?;
            content = Some(String::from_utf8(bytes.to_vec()).map_err(|_| {
                AppError::field(
                    "file",
                    "The file is not text. Upload a CSV file or a FHIR Bundle in JSON.",
                )
            })?);
        }
    }
    let content = content.unwrap_or_default();
    let actor = app::access::Actor::new(account, state.app.clock.now());
    let ctx = app::access::open_staff(
        &state.app.db,
        actor,
        app::access::Permission::EnterResults,
        None,
    )
    .await?;
    app::results::intake::import(&state.app, &ctx, &content).await
}
