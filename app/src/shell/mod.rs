//! The page frame every screen sits in: document head, skip link, header, main landmark, footer
//! and the routes, assembled from each feature's own (`PlanRoutes` and the rest). Mobile first, on the NHS.UK design system's styles.
mod layout;
mod not_found;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

pub use layout::{Footer, Header, SkipLink};
pub use not_found::{NotFound, OfflinePage};

use crate::accessibility::AccessibilityRoutes;
use crate::auth::AuthRoutes;
use crate::care_team::CareTeamRoutes;
use crate::carers::CarersRoutes;
use crate::plan::PlanRoutes;
use crate::preparation::PreparationRoutes;
use crate::reminders::RemindersRoutes;
use crate::results::ResultsRoutes;
use crate::sharing::SharingRoutes;
use crate::today::TodayRoutes;

/// The per-request nonce the server put in the Content-Security-Policy header. The server
/// hands it to Leptos, which puts it on every script it writes.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// What each feature does when another changes something (`crate::events`): the shell is the
/// one module that knows every feature, so it lists them.
#[cfg(feature = "ssr")]
pub fn reactors() -> crate::events::Reactors {
    crate::events::Reactors(vec![
        Box::new(crate::carers::Reacts),
        Box::new(crate::reminders::reacts::Reminders),
    ])
}

/// Provides the request's CSP nonce to Leptos (call from the server's context closure).
#[cfg(feature = "ssr")]
pub fn provide_csp_nonce() {
    if let Some(nonce) = use_context::<axum::http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned())
    {
        provide_context(leptos::nonce::Nonce::from_value(nonce.0));
    }
}

/// Registers the service worker (see `server/src/sw.js`): it keeps the app shell and an offline
/// page, never a page with someone's data in it.
// A registration cut short (the person went to another page, or lost signal, while the browser
// was checking for a new worker) is not a fault: every page registers again. It is logged as a
// warning, not left as an unhandled rejection, which browsers report as an error.
const REGISTER_SERVICE_WORKER: &str = "if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('Alongside: the service worker was not registered on this page; the next page tries again.', e.message));";

/// The whole HTML document, rendered on the server.
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let css = use_context::<crate::state::AppState>()
        .map(|state| format!("/pkg/{}", state.settings.assets.css))
        .unwrap_or_default();
    #[cfg(feature = "ssr")]
    let phone = use_context::<crate::state::AppState>()
        .map(|state| format!("/pkg/{}", state.settings.assets.phone))
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let (css, phone) = (String::new(), String::new());

    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="theme-color" content="#005eb8" />
                <link rel="stylesheet" href=css />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="manifest" href="/manifest.webmanifest" />
                <link rel="apple-touch-icon" href="/icons/apple-touch-icon.png" />
                <HydrationScripts options islands=true />
                <script type="module" nonce=leptos::nonce::use_nonce()>{REGISTER_SERVICE_WORKER}</script>
                <script type="module" src=phone nonce=leptos::nonce::use_nonce()></script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| {
            if text.is_empty() { "Alongside".to_owned() } else { format!("{text} – Alongside") }
        } />
        <SkipLink />
        <Header />
        <div class="nhsuk-width-container">
            <main class="nhsuk-main-wrapper" id="maincontent" role="main">
                <Router>
                    <Routes fallback=NotFound>
                        <AuthRoutes />
                        <TodayRoutes />
                        <AccessibilityRoutes />
                        <Route path=path!("/offline") view=OfflinePage />
                        <PlanRoutes />
                        <ResultsRoutes />
                        <PreparationRoutes />
                        <SharingRoutes />
                        <CarersRoutes />
                        <RemindersRoutes />
                        <CareTeamRoutes />
                    </Routes>
                </Router>
            </main>
        </div>
        <Footer />
    }
}
