use leptos::prelude::*;

use super::PageHeading;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <PageHeading text="Page not found" />
        <p class="nhsuk-body">"If you typed the web address, check it is correct."</p>
        <p class="nhsuk-body">"If you pasted the web address, check you copied the whole address."</p>
        <p class="nhsuk-body"><a href="/">"Go to the start page"</a></p>
    }
}
