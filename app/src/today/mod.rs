//! The Today page: what a person should look at first — the actions due today (logged in one
//! tap), their next review and anything new from their care team.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;

use crate::auth::pages_support::require_sign_in;
use crate::error::AppError;
use crate::forms::{Flash, Notice, PageContent, take_flash};
use crate::plan::TodayActionCard;
use crate::plan::TodayView;
use crate::preparation::ReviewCard;
use crate::ui::PageHeading;
use serde::{Deserialize, Serialize};

mod api;
pub use api::*;
mod pages;
pub use pages::*;

/// What the Today page shows: the plan's part, and the review card while a review is booked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TodayPageView {
    pub plan: TodayView,
    pub card: Option<ReviewCard>,
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn TodayRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/today") view=TodayPage ssr=SsrMode::Async />
        <Route path=path!("/more") view=MorePage ssr=SsrMode::Async />
    }
    .into_inner()
}
