//! The UI kit every page is made of: the page's heading, links back, summary-list rows, the
//! plain-English problem page, sending the browser elsewhere, and reading an id from the
//! address. The form helpers (flash, fields, enhancing) are in `crate::forms`, and the loader
//! of a signed-in page's data in `crate::auth::pages_support`. Nothing here knows a feature.
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use crate::error::AppError;

/// The page's one `h1`, which also sets the document title (or `title`, when they differ).
#[component]
pub fn PageHeading(
    #[prop(into)] text: String,
    #[prop(optional, into)] title: Option<String>,
) -> impl IntoView {
    let title = title.unwrap_or_else(|| text.clone());
    // No head to put a title in once the request is gone (the person left before the page
    // was drawn); asking for one then only fills the log.
    let title = use_context::<leptos_meta::MetaContext>().map(|_| view! { <Title text=title /> });
    view! {
        {title}
        <h1 class="nhsuk-heading-l">{text}</h1>
    }
}

/// A page that could not load says why in plain words, and answers with the error's status
/// (so a database that is away gives 503 to load balancers and the service worker).
pub fn problem_page(err: &AppError) -> impl IntoView + use<> {
    // Pages render in async mode, so the status is still ours to set.
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = axum::http::StatusCode::from_u16(err.status())
    {
        response.set_status(status);
    }
    view! {
        <PageHeading text="Sorry, there is a problem" />
        <p class="nhsuk-body">{err.to_string()}</p>
    }
}

/// The id in the address's `name` part, if it is one.
pub fn param_id(name: &str) -> Option<Uuid> {
    use_params_map()
        .get_untracked()
        .get(name)
        .and_then(|s| Uuid::parse_str(&s).ok())
}

/// The "Back" link at the top of a page.
pub fn back_link(href: String, text: impl Into<String>) -> impl IntoView {
    view! {
        <div class="nhsuk-back-link app-no-print">
            <a class="nhsuk-back-link__link" href=href>{text.into()}</a>
        </div>
    }
}

/// A summary-list row, left out when there is nothing to show.
pub fn row(key: &'static str, value: String) -> impl IntoView {
    (!value.trim().is_empty()).then(|| {
        view! {
            <div class="nhsuk-summary-list__row">
                <dt class="nhsuk-summary-list__key">{key}</dt>
                <dd class="nhsuk-summary-list__value app-pre-line">{value}</dd>
            </div>
        }
    })
}

/// Sends the browser to `path`, a path on this site: a 302 from the server whatever the
/// request's `Accept` header says, and a navigation when the page is drawn in the browser.
/// (leptos's `Redirect` sends its 302 only when it sees `text/html`, and otherwise draws
/// nothing: a tapped reminder once stayed on a blank page.) Should neither happen, the page
/// says where to go, with a link.
#[component]
pub fn GoTo(
    #[prop(into)] path: String,
    /// The heading, should the page ever be shown.
    #[prop(into)]
    heading: String,
    /// The link's words.
    #[prop(into)]
    link: String,
) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(location)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        axum::http::HeaderValue::from_str(&path),
    ) {
        // Both under one lock, the Location first. The response takes these as soon as the
        // page's first chunk is ready, which can be on another thread while this runs: read
        // between two separate writes (`set_status`, then `insert_header`), a 302 would go out
        // with no Location.
        let mut parts = response.0.write().unwrap_or_else(|p| p.into_inner());
        parts.headers.insert(axum::http::header::LOCATION, location);
        parts.status = Some(axum::http::StatusCode::FOUND);
    }
    #[cfg(feature = "hydrate")]
    {
        let navigate = leptos_router::hooks::use_navigate();
        let to = path.clone();
        Effect::new(move |_| {
            navigate(
                &to,
                leptos_router::NavigateOptions {
                    replace: true,
                    ..Default::default()
                },
            )
        });
    }
    // And should the 302 arrive without its Location anyway (seen rarely in the browser tests,
    // on a signed-out visit to /today just after signing out, before the writes above shared one
    // lock), the browser still goes there at once, with or without JavaScript.
    let refresh = format!("0;url={path}");
    view! {
        <meta http-equiv="refresh" content=refresh />
        <PageHeading text=heading />
        <p class="nhsuk-body"><a href=path>{link}</a></p>
    }
}

/// Where a form posts: its server function's own path (`ServerFn::PATH`), never a string
/// written by hand, so a form cannot be left pointing at an endpoint that moved.
pub fn post_to<F: leptos::server_fn::ServerFn>() -> &'static str {
    F::PATH
}
