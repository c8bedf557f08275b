//! Alongside's web app: pages, components, server functions and the types they share.
//! It compiles twice: with `ssr` for the server, and with `hydrate` into the small wasm bundle
//! that brings the page's islands to life in the browser.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]
#![recursion_limit = "256"]

pub mod access;
pub mod accessibility;
pub mod auth;
pub mod care_team;
pub mod carers;
pub mod error;
#[cfg(feature = "ssr")]
pub mod fhir;
pub mod forms;
pub mod layers;
pub mod nhs_number;
pub mod plan;
pub mod preparation;
pub mod reminders;
pub mod results;
pub mod sharing;
pub mod shell;
pub mod today;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod entities;
#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod state;

pub use error::AppError;
pub use shell::{App, shell};

/// The browser's entry point: in islands mode only the interactive parts of a page hydrate.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
