//! Loading a signed-in page's data with this browser's flash, and drawing it (or the sign-in page, or a plain problem page).
use super::*;

/// Reference counted rather than arena-held: a page whose request was abandoned (the person
/// went elsewhere) may still be drawing when its owner is dropped, and awaiting an arena
/// resource then panics.
pub type PageData<T> = ArcResource<Result<(T, Flash), AppError>>;

/// Loads a page's data and this browser's flash together, on the server.
pub fn load<T, Fut>(fetch: impl Fn() -> Fut + Send + Sync + 'static) -> PageData<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
{
    ArcResource::new_blocking(
        || (),
        move |_| {
            let data = fetch();
            async move {
                let data = data.await?;
                let flash = take_flash().await.unwrap_or_default();
                Ok((data, flash))
            }
        },
    )
}

/// Renders `page` once the data is there; a missing (or forbidden) record reads as not found.
pub fn render<T, V>(
    data: PageData<T>,
    page: impl Fn(T, Flash) -> V + Send + Sync + Clone + 'static,
) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    require_sign_in(move |_| {
        let page = page.clone();
        let data = data.clone();
        view! {
            <Suspense>
                {move || {
                    let page = page.clone();
                    let data = data.clone();
                    Suspend::new(async move {
                        match data.await {
                            Ok((value, flash)) => view! { <PageContent>{page(value, flash)}</PageContent> }.into_any(),
                            Err(AppError::NotFound) => {
                                // Pages render in async mode, so the status is still ours to set.
                                #[cfg(feature = "ssr")]
                                if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
                                    response.set_status(axum::http::StatusCode::NOT_FOUND);
                                }
                                view! {
                                <PageHeading text="Page not found" />
                                <p class="nhsuk-body">"We could not find that. It may have been removed, or the link may be wrong."</p>
                                <p class="nhsuk-body"><a href="/today">"Go to Today"</a></p>
                            }.into_any()
                            }
                            Err(err) => crate::ui::problem_page(&err).into_any(),
                        }
                    })
                }}
            </Suspense>
        }
    })
}

/// Renders `content` for a signed-in person; sends anyone else to sign in.
pub fn require_sign_in<V: IntoView + 'static>(
    content: impl Fn(crate::auth::Viewer) -> V + Send + Sync + 'static,
) -> impl IntoView {
    let viewer = ArcResource::new_blocking(|| (), |_| whoami());
    let content = std::sync::Arc::new(content);
    view! {
        <Suspense>
            {move || {
                let content = content.clone();
                let viewer = viewer.clone();
                Suspend::new(async move {
                    match viewer.await {
                        Ok(viewer) => {
                            // A carer always sees whose plan this is.
                            let banner = viewer.acting_for.clone().map(|name| view! {
                                <div class="app-acting-for" data-testid="acting-for">
                                    <p class="nhsuk-body nhsuk-u-margin-bottom-0">
                                        <strong>{format!("You are looking at {name}'s plan.")}</strong>" "
                                        <a href="/people">"Change"<span class="nhsuk-u-visually-hidden">" whose plan you are looking at"</span></a>
                                    </p>
                                </div>
                            });
                            let nav = main_nav(&viewer);
                            view! { {nav}{banner}{content(viewer)} }.into_any()
                        }
                        Err(AppError::Unauthorized) => view! { <SignedOut /> }.into_any(),
                        Err(err) => crate::ui::problem_page(&err).into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// The navigation on a phone (hidden on wider screens, where Today lists everything): the pages
/// this viewer may open, as plain links, so it works without JavaScript. The person's pages
/// for someone with a plan (or helping with one), the care team's for staff; More for the rest.
fn main_nav(viewer: &crate::auth::Viewer) -> impl IntoView + use<> {
    let p = viewer.person;
    let t = viewer.tools;
    let items: Vec<(&'static str, &'static str)> = [
        (true, "/today", "Today"),
        (p.plan, "/plan", "Plan"),
        (p.results, "/results", "Results"),
        (p.get_ready, "/preparation", "Get ready"),
        // Staff start from the upcoming reviews: where each person is in the cycle.
        (!p.plan && t.reviews, "/team/reviews", "Reviews"),
        (!p.plan && t.caseload, "/team", "People"),
        (true, "/more", "More"),
    ]
    .into_iter()
    .filter_map(|(shown, href, label)| shown.then_some((href, label)))
    .collect();
    let here = leptos_router::hooks::use_location()
        .pathname
        .get_untracked();
    view! {
        <nav class="app-phone-nav" aria-label="Main">
            <ul class="app-phone-nav__list">
                {items.into_iter().map(|(href, label)| {
                    let current = (here == href).then_some("page");
                    view! { <li><a href=href aria-current=current>{label}</a></li> }
                }).collect_view()}
            </ul>
        </nav>
    }
}
