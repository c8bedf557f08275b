//! Carers act *with* a person, never *as* them, under grants the person controls (the NHS
//! proxy model): the person invites a carer and chooses what they may do; the care team records
//! a grant, with its legal basis, for someone who lacks capacity, and can end one for
//! safeguarding. A carer who helps several people chooses whose plan they are looking at. The
//! policy reads grants on every request, so a change works on the very next one.
use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::team::NewLink;
use crate::error::AppError;

pub mod pages;

pub use pages::{AccessLogPage, CarersPage, PeoplePage};

/// Why the care team may record a grant for someone who cannot decide for themself.
pub const LEGAL_BASES: [(&str, &str); 5] = [
    ("consent", "The person's own consent"),
    ("lpa", "Lasting power of attorney for health and welfare"),
    ("deputy", "Deputy appointed by the Court of Protection"),
    ("parental", "Parental responsibility"),
    ("best_interests", "Best-interests decision"),
];

pub fn scope_name(code: &str) -> &'static str {
    crate::access::Scope::parse(code).map_or("", crate::access::Scope::label)
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrantView {
    pub id: Uuid,
    pub carer_name: String,
    pub relationship: String,
    pub scopes: Vec<String>,
    /// "Invited", "Active", "Ended on …", "Stopped".
    pub status: String,
    pub live: bool,
    pub ends_on: Option<String>,
    /// "You", or "Dr Priya Shah (care team), lasting power of attorney …".
    pub granted_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CarersView {
    pub person_name: String,
    pub grants: Vec<GrantView>,
    pub new_link: Option<NewLink>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelpedPerson {
    pub patient_id: Uuid,
    pub name: String,
    pub relationship: String,
    pub scopes: String,
    pub current: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeopleView {
    pub people: Vec<HelpedPerson>,
    /// The account has a plan of its own to go back to.
    pub has_own_plan: bool,
    pub own_current: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub when: String,
    pub who: String,
    pub what: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessLogView {
    /// Others who looked at or changed this person's record.
    pub about_me: Vec<LogEntry>,
    /// What this account did as a carer.
    pub mine: Vec<LogEntry>,
}

/// Inviting a carer. Scopes arrive as `scopes_<code>=on` in `rest`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteCarerForm {
    /// Set only when the care team records a grant for the person.
    pub patient_id: String,
    pub name: String,
    pub relationship: String,
    pub ends_on: String,
    pub legal_basis: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    pub grant_id: String,
    /// Why the care team ended a grant.
    pub reason: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SwitchForm {
    /// A person's id, or `me` for the account's own plan.
    pub patient_id: String,
    /// Where to go next (one of our own pages); Today when empty.
    pub next: String,
}

#[cfg(feature = "ssr")]
pub mod service;

/// A carer's grants start when their account is activated (their first passkey).
#[cfg(feature = "ssr")]
pub struct Reacts;

#[cfg(feature = "ssr")]
#[async_trait::async_trait]
impl crate::events::Reactor for Reacts {
    fn name(&self) -> &'static str {
        "carers"
    }

    async fn react(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        happened: &crate::events::Happened,
    ) -> Result<(), crate::error::AppError> {
        match &happened.event {
            crate::events::Event::AccountActivated { account } => {
                service::activate(txn, *account, happened.at).await
            }
            _ => Ok(()),
        }
    }
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn CarersRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/carers") view=CarersPage ssr=SsrMode::Async />
        <Route path=path!("/people") view=PeoplePage ssr=SsrMode::Async />
        <Route path=path!("/account/access-log") view=AccessLogPage ssr=SsrMode::Async />
    }
    .into_inner()
}

mod api;
pub use api::*;
