//! The Today page: what a person should look at first — the actions due today (logged in one
//! tap), their next review and anything new from their care team.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;

use crate::auth::pages_support::require_sign_in;
use crate::forms::{Flash, Notice, PageContent, take_flash};
use crate::plan::TodayActionCard;
use crate::plan::api::load_today;
use crate::ui::PageHeading;

mod pages;
pub use pages::*;

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn TodayRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/today") view=TodayPage ssr=SsrMode::Async />
    }
    .into_inner()
}
