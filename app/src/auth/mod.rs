//! Accounts and passkeys: invitation sign-up, usernameless sign-in, the person's passkeys and
//! devices, recovery codes, and the audit of all of it. Every feature asks this module, not the
//! session, who the viewer is.
mod pages;

/// For other features' pages: render for a signed-in person, send anyone else to sign in.
pub mod pages_support {
    pub use super::pages::{PageData, load, render, require_sign_in};
}

pub mod devices;
pub mod passkeys;
pub mod recovery;
pub mod team;

#[cfg(feature = "ssr")]
pub mod audit;
#[cfg(feature = "hydrate")]
mod browser;
#[cfg(feature = "ssr")]
pub mod ceremony;
#[cfg(feature = "ssr")]
pub mod invitation;
#[cfg(feature = "ssr")]
pub mod opened;
#[cfg(feature = "ssr")]
pub mod request_info;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

pub use pages::{
    Ceremony, DevicesPage, InvitePage, PasskeyButton, PasskeySupport, PasskeysPage, RecoverPage,
    RecoveryCodesPage, SignInPage, TeamInvitationsPage,
};

/// The signed-in person, as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub account_id: Uuid,
    pub display_name: String,
    /// e.g. `patient`, `clinician`, `org_admin`: a person can hold several.
    pub roles: Vec<String>,
    /// For a carer: the person whose plan they are looking at.
    pub acting_for: Option<String>,
    /// The care-team pages this person's roles can use (from the policy), so menus offer
    /// nothing that ends in "not found".
    pub tools: StaffTools,
    /// What they may open of the person they are working on (themself, or the person a carer
    /// helps), from the policy: the same rule as the pages', so the navigation offers no page
    /// that would say "not found".
    #[serde(default)]
    pub person: PersonTools,
}

/// Which of a person's pages the viewer may open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonTools {
    pub plan: bool,
    pub results: bool,
    pub get_ready: bool,
}

/// Which care-team pages a viewer's roles can use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffTools {
    pub caseload: bool,
    pub add_patients: bool,
    pub reviews: bool,
    pub import: bool,
    pub invitations: bool,
    pub members: bool,
    /// The practice's questions before a review.
    #[serde(default)]
    pub prompts: bool,
    /// The practice's settings (when the preparation pack goes out).
    #[serde(default)]
    pub practice: bool,
}

impl StaffTools {
    /// Whether the person has any care-team tool at all.
    pub fn any(&self) -> bool {
        self.caseload
            || self.add_patients
            || self.reviews
            || self.import
            || self.invitations
            || self.members
            || self.prompts
            || self.practice
    }
}

/// Where someone starts after signing in. Care-team staff who have no plan of their own (and
/// help no one with theirs) start at *Upcoming reviews*, where each person is in the cycle
/// (#19); everyone else starts at Today.
#[cfg(feature = "ssr")]
pub async fn landing(
    state: &crate::state::AppState,
    session: &tower_sessions::Session,
    account: Uuid,
) -> Result<String, AppError> {
    let roles = passkeys::service::roles(state, account).await?;
    let reviews = crate::access::staff_may(&roles, crate::access::Permission::ManageReviews);
    let person = crate::access::current_person(state, session, account).await?;
    Ok(if reviews && person.is_none() {
        "/team/reviews"
    } else {
        "/today"
    }
    .to_owned())
}

/// The signed-in person, or `Unauthorized`.
#[server(prefix = "/api/auth", endpoint = "whoami")]
pub async fn whoami() -> Result<Viewer, AppError> {
    let state = crate::state::app_state()?;
    let (session, account_id) = crate::session::require_account().await?;
    // Read once for the whole request: the page it is shown with shares it (#21).
    let who = crate::access::who(&state.db, account_id).await?;
    let roles = who.roles();
    let may = |action| crate::access::staff_may(&roles, action);
    let tools = StaffTools {
        caseload: may(crate::access::Permission::ListCaseload),
        add_patients: may(crate::access::Permission::AddPatients),
        reviews: may(crate::access::Permission::ManageReviews),
        import: may(crate::access::Permission::EnterResults),
        invitations: crate::access::may_reinvite(&roles),
        members: may(crate::access::Permission::ManageMembers),
        prompts: may(crate::access::Permission::ManagePrompts),
        practice: may(crate::access::Permission::ManagePractice),
    };
    use crate::access::Permission;
    let person = crate::access::current_person(&state, &session, account_id).await?;
    let (acting_for, person) = match person {
        None => (None, PersonTools::default()),
        Some(p) => {
            let actor = crate::access::Actor::new(account_id, state.clock.now());
            let asked = [
                Permission::ReadPlan,
                Permission::ReadResults,
                Permission::AnswerAgenda,
            ];
            let may = crate::access::permitted(&state.db, actor, &p, &asked).await?;
            let acting_for = (p.account_id != Some(account_id))
                .then(|| format!("{} {}", p.given_name, p.family_name));
            let tools = PersonTools {
                plan: may.contains(&Permission::ReadPlan),
                results: may.contains(&Permission::ReadResults),
                get_ready: may.contains(&Permission::AnswerAgenda),
            };
            (acting_for, tools)
        }
    };
    Ok(Viewer {
        account_id,
        display_name: who.display_name.clone(),
        roles,
        tools,
        acting_for,
        person,
    })
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn AuthRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/") view=SignInPage />
        <Route path=path!("/invite") view=InvitePage ssr=SsrMode::Async />
        <Route path=path!("/recover") view=RecoverPage />
        <Route path=path!("/account/passkeys") view=PasskeysPage ssr=SsrMode::Async />
        <Route path=path!("/account/devices") view=DevicesPage ssr=SsrMode::Async />
        <Route path=path!("/account/recovery-codes") view=RecoveryCodesPage ssr=SsrMode::Async />
        <Route path=path!("/team/invitations") view=TeamInvitationsPage ssr=SsrMode::Async />
    }
    .into_inner()
}
