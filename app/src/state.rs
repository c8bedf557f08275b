//! What the server hands every request: the database, the clock and the settings pages need.
//! Server functions reach it through Leptos context (provided by the server shell).
use std::sync::Arc;

use leptos::prelude::*;
use sea_orm::DatabaseConnection;

pub mod limits;
pub mod push_services;
pub mod remembered;

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
    /// What each feature does when another changes something (see `crate::events`); the
    /// shell lists them.
    pub reactors: Arc<crate::events::Reactors>,
    /// Pages this server remembers between requests while the person's data is unchanged.
    pub remembered: remembered::Remembered,
}

impl AppState {
    /// Reacts to the events just recorded (and any others still pending). A service calls
    /// this right after committing a change that records one. The change is saved whatever
    /// happens here: if reacting fails, the server's minute sweep tries again.
    pub async fn react(&self) {
        match crate::events::react(&self.db, self.clock.now(), &self.reactors).await {
            Ok(0) => {}
            Ok(_) => self.wake_reminders.notify_one(),
            Err(err) => {
                tracing::warn!(error = %err, "reacting to events failed; the minute sweep tries again")
            }
        }
    }
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

pub use crate::db::{Turn, begin_write, begin_write_on, statement};
