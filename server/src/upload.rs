//! The one form that is not a server function: uploading a file of results. A file upload is a
//! multipart post, which our server functions do not take, so this handler reads the file and
//! hands it to `results::service::import` (which asks the policy). Like every form it answers a
//! browser with a redirect and a flash, and anything else with a plain status and JSON.
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use tower_sessions::Session;

use app::AppError;
use app::forms::{Flash, store_flash};

use crate::ServerState;

const PAGE: &str = "/team/results/import";

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
            Ok(done) => axum::Json(serde_json::json!({
                "added": done.added,
                "already": done.already,
            }))
            .into_response(),
            Err(err) => {
                let status =
                    StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                (status, axum::Json(err)).into_response()
            }
        };
    }
    let flash = match outcome {
        Err(AppError::Unauthorized) => return Redirect::to("/").into_response(),
        Ok(done) => Flash {
            notice: Some(match (done.added, done.already) {
                (added, 0) => format!("{added} results imported."),
                (0, already) => {
                    format!("Nothing new: all {already} results in this file were already here.")
                }
                (added, already) => format!(
                    "{added} results imported. {already} were already here, so they were not added again."
                ),
            }),
            ..Flash::default()
        },
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

async fn run(
    state: &ServerState,
    session: &Session,
    mut multipart: Multipart,
) -> Result<app::results::service::Imported, AppError> {
    let account = app::session::current_account(session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    let mut content = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(_) => {
                return Err(AppError::field(
                    "file",
                    "The upload did not arrive whole. Please try again.",
                ));
            }
        };
        if field.name() == Some("file") {
            let bytes = field.bytes().await.map_err(|_| {
                AppError::field("file", "The upload did not arrive whole. Please try again.")
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
    app::results::service::import(&state.app, &ctx, &content).await
}
