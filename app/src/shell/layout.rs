use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SkipLink() -> impl IntoView {
    view! { <a class="nhsuk-skip-link" href="#maincontent">"Skip to main content"</a> }
}

/// The service header. We use the NHS.UK header's styles but not the NHS logo, which belongs
/// to NHS organisations.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="nhsuk-header" role="banner">
            <div class="nhsuk-header__container nhsuk-width-container">
                <div class="nhsuk-header__service">
                    <a class="nhsuk-header__service-name" href="/">"Alongside"</a>
                </div>
            </div>
        </header>
    }
}

#[component]
pub fn Footer() -> impl IntoView {
    view! {
        <footer class="nhsuk-footer" role="contentinfo">
            <div class="nhsuk-width-container">
                <div class="nhsuk-footer__meta">
                    <h2 class="nhsuk-u-visually-hidden">"Support links"</h2>
                    <ul class="nhsuk-footer__list">
                        <li class="nhsuk-footer__list-item">
                            <a class="nhsuk-footer__list-item-link" href="/accessibility">
                                "Accessibility statement"
                            </a>
                        </li>
                    </ul>
                    <p class="nhsuk-body-s">"Alongside: your care and support plan"</p>
                </div>
            </div>
        </footer>
    }
}

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
        response.set_status(axum::http::StatusCode::FOUND);
        response.insert_header(axum::http::header::LOCATION, location);
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
    view! {
        <PageHeading text=heading />
        <p class="nhsuk-body"><a href=path>{link}</a></p>
    }
}
