use leptos::prelude::*;

use crate::ui::PageHeading;

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

/// What the service worker shows when there is no connection. It holds nothing personal, so it
/// can be kept on the phone.
#[component]
pub fn OfflinePage() -> impl IntoView {
    view! {
        <PageHeading text="You are offline" />
        <p class="nhsuk-body">"Alongside needs an internet connection to show your plan and your results. Nothing you have saved is lost."</p>
        <p class="nhsuk-body">"Check your mobile signal or Wi-Fi, then try again."</p>
        <p class="nhsuk-body">"If you chose to keep your plan on this phone, you can still read it: " <a href="/plan">"your plan"</a>" and " <a href="/today">"today's actions"</a>". Anything you log is sent when you are back online."</p>
        <p class="nhsuk-body">"If you feel unwell and need help now, call 111, or 999 in an emergency."</p>

    }
}
