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

#[server(prefix = "/api/carers", endpoint = "list")]
pub async fn load_carers() -> Result<CarersView, AppError> {
    let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
    let session = crate::session::from_request().await?;
    service::list(&state, &session, &ctx).await
}

#[server(prefix = "/api/carers", endpoint = "invite")]
pub async fn invite_carer(#[server(flatten)] form: InviteCarerForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
        let session = crate::session::from_request().await?;
        service::invite(&state, &session, &ctx, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        "carer",
        &form,
        "Your carer is invited. Give them the link below.",
        "/carers",
        "/carers",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "scopes")]
pub async fn change_scopes(#[server(flatten)] form: GrantForm) -> Result<(), AppError> {
    let form_id = format!("grant-{}", form.grant_id.trim());
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
        service::set_scopes(&state, &ctx, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "What they can do is changed.",
        "/carers",
        "/carers",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "revoke")]
pub async fn revoke(#[server(flatten)] form: GrantForm) -> Result<(), AppError> {
    let form_id = format!("grant-{}", form.grant_id.trim());
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
        service::end(&state, ctx.actor(), Some(ctx.patient().id), &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "Their access has stopped. They cannot see your plan any more.",
        "/carers",
        "/carers",
    )
    .await
}

/// The care team records a grant for a person who lacks capacity, with its legal basis.
#[server(prefix = "/api/team", endpoint = "carer")]
pub async fn record_grant(#[server(flatten)] form: InviteCarerForm) -> Result<(), AppError> {
    let page = match Uuid::parse_str(form.patient_id.trim()) {
        Ok(id) => format!("/team/people/{id}#carers"),
        Err(_) => "/team".to_owned(),
    };
    let result = async {
        let id = Uuid::parse_str(form.patient_id.trim()).map_err(|_| AppError::NotFound)?;
        let (state, session, ctx) =
            crate::auth::opened::person(crate::access::Permission::RecordCarerGrant, id).await?;
        service::record(&state, &session, &ctx, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        "carer",
        &form,
        "The carer's access is recorded. Give them the link below.",
        &page,
        &page,
    )
    .await
}

/// The care team ends a grant for safeguarding.
#[server(prefix = "/api/team", endpoint = "carer_end")]
pub async fn end_grant(#[server(flatten)] form: GrantForm) -> Result<(), AppError> {
    let form_id = format!("grant-{}", form.grant_id.trim());
    let result = async {
        let state = crate::state::app_state()?;
        let (_, staff) = crate::session::require_account().await?;
        let actor = crate::access::Actor::new(staff, state.clock.now());
        service::end(&state, actor, None, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "The carer's access has ended.",
        "/team",
        "/team",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "people")]
pub async fn load_people() -> Result<PeopleView, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::people(&state, &session, account).await
}

#[server(prefix = "/api/carers", endpoint = "switch")]
pub async fn switch_person(#[server(flatten)] form: SwitchForm) -> Result<(), AppError> {
    let result = async {
        let state = crate::state::app_state()?;
        let (session, account) = crate::session::require_account().await?;
        service::switch(&state, &session, account, &form.patient_id).await
    }
    .await;
    let next = crate::plan::api::local_path(&form.next, "/today");
    crate::forms::finish(
        result,
        "switch",
        &form,
        "You changed whose plan you are looking at.",
        &next,
        "/people",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "access_log")]
pub async fn load_access_log() -> Result<AccessLogView, AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::access_log(&state, account).await
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
