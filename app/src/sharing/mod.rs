//! Consent to share: the person chooses which organisations beyond their own practice may see
//! their record, and can stop at any time. The policy reads these choices on every request, so
//! stopping takes effect on the very next one.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, Notice, Radios};
use crate::ui::PageHeading;
use crate::ui::back_link;

#[cfg(feature = "ssr")]
pub mod service;

mod pages;
pub use pages::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedOrg {
    pub id: Uuid,
    /// "Riverside Social Care Team (a social care team)".
    pub name: String,
    pub since: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharingView {
    pub practice: String,
    pub shared: Vec<SharedOrg>,
    /// Organisations the person could share with: (id, name).
    pub choices: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShareForm {
    pub organisation: String,
}

/// "a GP practice", "a social care team": how an organisation's kind reads in a sentence.
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "gp_practice" => "a GP practice",
        "community_team" => "a community team",
        "social_care_team" => "a social care team",
        _ => "a care team",
    }
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn SharingRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/sharing") view=SharingPage ssr=SsrMode::Async />
    }
    .into_inner()
}

mod api;
pub use api::*;
