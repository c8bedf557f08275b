//! The accessibility statement every public-sector service must publish.
use leptos::prelude::*;

use crate::ui::PageHeading;

mod pages;
pub use pages::*;

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn AccessibilityRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{components::Route, path};
    view! {
        <Route path=path!("/accessibility") view=AccessibilityStatement />
    }
    .into_inner()
}
