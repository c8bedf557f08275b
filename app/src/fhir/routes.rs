//! The export's HTTP routes. They answer with a file or FHIR JSON rather than a page or a server
//! function's answer, so they are plain axum handlers the server mounts beside the app's routes
//! (as it mounts the results upload), behind the same layers: the session, security headers,
//! request ids, the deadline. Each opens the record through the access layer for `ExportPlan`
//! and nothing else decides who may have it.
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde_json::{Value, json};
use tower_sessions::Session;
use uuid::Uuid;

use super::{FHIR_JSON, FILE_NAME};
use crate::access::{self, Actor, Permission};
use crate::auth::request_info::{ClientIp, describe_device};
use crate::error::AppError;
use crate::session::Origin;
use crate::state::AppState;

/// The routes, for the server to merge into its router.
pub fn routes<S>() -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    AppState: FromRef<S>,
{
    Router::new()
        .route("/plan/export", get(own_download))
        .route("/team/people/{id}/export", get(team_download))
        .route("/fhir/Patient/{id}/$everything", get(everything))
}

/// What every export route starts from: the app, the session, and where the request came
/// from (for the access log; the shell works out the client's address).
struct Asked {
    state: AppState,
    session: Session,
    origin: Origin,
    accept: Option<String>,
}

impl<S> FromRequestParts<S> for Asked
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let header = |name| {
            parts
                .headers
                .get(name)
                .and_then(|v: &HeaderValue| v.to_str().ok())
                .map(str::to_owned)
        };
        let ip = parts.extensions.get::<ClientIp>().copied();
        Ok(Self {
            state: AppState::from_ref(state),
            session,
            origin: Origin {
                device: describe_device(&header(header::USER_AGENT).unwrap_or_default()),
                ip: ip.map(|ClientIp(ip)| ip.to_string()).unwrap_or_default(),
            },
            accept: header(header::ACCEPT),
        })
    }
}

/// Whose record a route exports.
enum Whose {
    /// The person the signed-in account is working on: their own, or the one a carer chose.
    Current,
    /// A person by id, for the care team only.
    TeamPage(String),
    /// A person by id, for anyone the policy lets export it (the read API).
    Anyone(String),
}

impl Asked {
    async fn export(&self, whose: Whose) -> Result<Value, AppError> {
        let account = crate::session::current_account(&self.session)
            .await?
            .ok_or(AppError::Unauthorized)?;
        let actor = Actor::new(account, self.state.clock.now());
        let (db, permission) = (&self.state.db, Permission::ExportPlan);
        let ctx = match whose {
            Whose::Current => {
                let person = access::current_person(&self.state, &self.session, account)
                    .await?
                    .ok_or(AppError::NotFound)?;
                access::open_patient(db, actor, permission, person).await?
            }
            Whose::TeamPage(id) => access::open_patient_id(db, actor, permission, parse_id(&id)?)
                .await?
                .professional()?,
            Whose::Anyone(id) => {
                access::open_patient_id(db, actor, permission, parse_id(&id)?).await?
            }
        };
        super::service::export(&self.state, &ctx, &self.origin).await
    }
}

fn parse_id(id: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)
}

/// The person's own plan, or the plan of the person a carer is helping (whom they chose).
async fn own_download(asked: Asked) -> Response {
    download(asked.export(Whose::Current).await)
}

/// The care team's download, from the person's page.
async fn team_download(asked: Asked, Path(id): Path<String>) -> Response {
    download(asked.export(Whose::TeamPage(id)).await)
}

fn json_bytes(value: &Value) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(value).map_err(AppError::internal)
}

/// A file to save. A browser that is not signed in is sent to sign in; any other refusal is
/// the plain answer every page gives (a refusal looks like a missing record).
fn download(bundle: Result<Value, AppError>) -> Response {
    match bundle.and_then(|b| json_bytes(&b)) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, format!("{FHIR_JSON}; charset=utf-8")),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{FILE_NAME}\""),
                ),
            ],
            Body::from(bytes),
        )
            .into_response(),
        Err(AppError::Unauthorized) => Redirect::to("/").into_response(),
        Err(err) => {
            let status =
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                err.to_string(),
            )
                .into_response()
        }
    }
}

/// `GET /fhir/Patient/:id/$everything`: the same Bundle, for another system acting with a
/// signed-in session, answered in FHIR's own terms (an `OperationOutcome` for every refusal).
async fn everything(asked: Asked, Path(id): Path<String>) -> Response {
    let Some(media_type) = negotiate(asked.accept.as_deref()) else {
        return outcome(
            StatusCode::NOT_ACCEPTABLE,
            "not-supported",
            "This server answers in FHIR JSON only: ask for application/fhir+json or application/json.",
        );
    };
    let bundle = asked.export(Whose::Anyone(id)).await;
    match bundle.and_then(|b| json_bytes(&b)) {
        Ok(bytes) => {
            let mut res = (StatusCode::OK, Body::from(bytes)).into_response();
            res.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(media_type));
            res
        }
        Err(err) => {
            let status =
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let code = match err {
                AppError::Unauthorized => "login",
                AppError::NotFound | AppError::Forbidden => "not-found",
                AppError::Unavailable => "transient",
                _ => "exception",
            };
            outcome(status, code, &err.to_string())
        }
    }
}

/// The media type to answer with, from the request's `Accept`, or `None` when it accepts
/// neither FHIR JSON nor JSON (406). No `Accept` at all accepts anything, as HTTP says.
///
/// Written here rather than taken from a crate: it is one header with four acceptable values,
/// and the crates that parse `Accept` in full (with every media-type parameter) are not in
/// the tree.
pub fn negotiate(accept: Option<&str>) -> Option<&'static str> {
    let fhir = "application/fhir+json; charset=utf-8";
    let json = "application/json; charset=utf-8";
    let Some(accept) = accept.filter(|a| !a.trim().is_empty()) else {
        return Some(fhir);
    };
    let mut best: Option<(f32, &'static str)> = None;
    for range in accept.split(',') {
        let mut parts = range.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let q = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .filter_map(|q| q.trim().parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if q <= 0.0 {
            continue;
        }
        let answer = match media.as_str() {
            "application/fhir+json" | "application/*" | "*/*" => fhir,
            "application/json" => json,
            _ => continue,
        };
        if best.is_none_or(|(b, _)| q > b) {
            best = Some((q, answer));
        }
    }
    best.map(|(_, answer)| answer)
}

/// A FHIR `OperationOutcome`, the way FHIR servers say no.
pub fn operation_outcome(code: &str, words: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": words }],
    })
}

fn outcome(status: StatusCode, code: &str, words: &str) -> Response {
    let body = serde_json::to_vec(&operation_outcome(code, words)).unwrap_or_default();
    (
        status,
        [(header::CONTENT_TYPE, "application/fhir+json; charset=utf-8")],
        Body::from(body),
    )
        .into_response()
}
