//! The pages for signing up, signing in and looking after your passkeys and devices.
//!
//! The islands and the sign-in, invitation and recovery pages are here; `loader` (loading a signed-in page's data and drawing it), `account` (a person's passkeys, devices and recovery codes, and the team's invitations).
use leptos::prelude::*;

use crate::forms::{Flash, IdempotencyKey, PageContent, take_flash};
use leptos_router::hooks::use_query_map;
use serde::{Serialize, de::DeserializeOwned};

use super::devices::list_devices;
use super::passkeys::{InvitationStatus, check_invitation, list_passkeys};
use super::whoami;
use crate::error::AppError;
use crate::ui::PageHeading;

/// What a passkey island is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Ceremony {
    SignIn,
    Invitation,
    Recovery,
    AddPasskey,
}

/// Runs one whole ceremony in the browser: ask the server, ask the authenticator, answer.
#[cfg(feature = "hydrate")]
/// Runs a passkey ceremony. Signing in says where to go next (staff start elsewhere than Today);
/// the others go where their button says.
pub(super) async fn run(ceremony: Ceremony, token: String) -> Result<Option<String>, String> {
    use super::browser;
    use super::passkeys::*;
    let shown = |e: AppError| match e {
        AppError::Validation(map) => map.into_values().flatten().next().unwrap_or_default(),
        other => other.to_string(),
    };
    if ceremony == Ceremony::SignIn {
        let options = start_sign_in().await.map_err(shown)?;
        let credential = browser::get(options, false, None).await?;
        return finish_sign_in(credential).await.map(Some).map_err(shown);
    }
    let options = match ceremony {
        Ceremony::Invitation => start_sign_up(token).await,
        Ceremony::Recovery => start_recovery(browser::input_value("recovery-code")).await,
        _ => start_add_passkey().await,
    }
    .map_err(shown)?;
    let credential = browser::create(options).await?;
    finish_registration(
        credential,
        browser::input_value("passkey-name"),
        Some(browser::is_checked("remove-others")),
    )
    .await
    .map(|()| None)
    .map_err(shown)
}

/// The design system's error summary, shown while `problem` holds a message.
#[component]
pub(super) fn ProblemSummary(problem: RwSignal<String>) -> impl IntoView {
    view! {
        <Show when=move || !problem.get().is_empty()>
            <div class="nhsuk-error-summary" role="alert">
                <h2 class="nhsuk-error-summary__title">"There is a problem"</h2>
                <div class="nhsuk-error-summary__body">
                    <p data-testid="passkey-problem">{move || problem.get()}</p>
                </div>
            </div>
        </Show>
    }
}

/// The button that runs a passkey ceremony. Hidden until the island wakes up, so a browser
/// without JavaScript never shows a button that does nothing.
#[island]
pub fn PasskeyButton(
    ceremony: Ceremony,
    token: String,
    label: String,
    then: String,
) -> impl IntoView {
    let ready = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        ready.set(super::browser::has_passkeys());
    });
    let token = StoredValue::new(token);
    let then = StoredValue::new(then);
    let click = move |_| {
        busy.set(true);
        problem.set(String::new());
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match run(ceremony, token.get_value()).await {
                Ok(landing) => super::browser::go_to(&landing.unwrap_or_else(|| then.get_value())),
                Err(message) => {
                    problem.set(message);
                    busy.set(false);
                }
            }
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (ceremony, token, then);
    };
    view! {
        <div>
            <ProblemSummary problem />
            <button
                type="button"
                class="nhsuk-button"
                hidden=move || !ready.get()
                disabled=move || busy.get()
                on:click=click
            >
                {label}
            </button>
        </div>
    }
}

/// Sign-in: a "Sign in with a passkey" button always, and, where the browser offers passkeys in
/// its autofill list, a field that shows them (conditional mediation). Pressing the button
/// cancels a waiting autofill request first, so only one request is ever open.
#[island]
pub fn SignInPanel() -> impl IntoView {
    let ready = RwSignal::new(false);
    let autofill = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let problem = RwSignal::new(String::new());
    #[cfg(feature = "hydrate")]
    let waiting: StoredValue<Option<web_sys::AbortController>, leptos::prelude::LocalStorage> =
        StoredValue::new_local(None);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        {
            ready.set(super::browser::has_passkeys());
            leptos::task::spawn_local(async move {
                if !super::browser::autofill_available().await {
                    return;
                }
                let Ok(controller) = web_sys::AbortController::new() else {
                    return;
                };
                let signal = controller.signal();
                waiting.set_value(Some(controller));
                let Ok(options) = super::passkeys::start_sign_in().await else {
                    return;
                };
                autofill.set(true);
                // Resolves only when the person picks a passkey from the autofill list.
                if let Ok(credential) = super::browser::get(options, true, Some(&signal)).await {
                    busy.set(true);
                    match super::passkeys::finish_sign_in(credential).await {
                        Ok(landing) => super::browser::go_to(&landing),
                        Err(_) => {
                            problem.set("We could not sign you in with that passkey. Try again, or use a different passkey.".into());
                            busy.set(false);
                        }
                    }
                }
            });
        }
    });
    let click = move |_| {
        busy.set(true);
        problem.set(String::new());
        #[cfg(feature = "hydrate")]
        {
            if let Some(controller) = waiting.get_value() {
                controller.abort();
            }
            leptos::task::spawn_local(async move {
                match run(Ceremony::SignIn, String::new()).await {
                    Ok(landing) => super::browser::go_to(landing.as_deref().unwrap_or("/today")),
                    Err(message) => {
                        problem.set(message);
                        busy.set(false);
                    }
                }
            });
        }
    };
    view! {
        <div>
            <ProblemSummary problem />
            <div class="nhsuk-form-group" hidden=move || !autofill.get()>
                <label class="nhsuk-label" for="passkey-autofill">"Your passkey"</label>
                <div class="nhsuk-hint" id="passkey-autofill-hint">"Select this box to choose a saved passkey, or use the button."</div>
                <input class="nhsuk-input nhsuk-u-width-two-thirds" id="passkey-autofill" name="passkey" type="text"
                    autocomplete="username webauthn" aria-describedby="passkey-autofill-hint" />
            </div>
            <button type="button" class="nhsuk-button" hidden=move || !ready.get() disabled=move || busy.get() on:click=click>
                "Sign in with a passkey"
            </button>
        </div>
    }
}

/// Tells the person whether this browser can use passkeys. On the server (and with JavaScript
/// off) it explains that passkeys need JavaScript; once the island wakes up it checks.
#[island]
pub fn PasskeySupport() -> impl IntoView {
    let supported = RwSignal::new(None::<bool>);
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        supported.set(Some(super::browser::has_passkeys()));
    });
    view! {
        <div class="nhsuk-inset-text" data-testid="passkey-support" aria-live="polite">
            <span class="nhsuk-u-visually-hidden">"Information: "</span>
            <p class="nhsuk-body">
                {move || match supported.get() {
                    None => "Passkeys need JavaScript. If you cannot sign in, check that JavaScript is turned on in your browser.",
                    Some(true) => "This browser can use passkeys.",
                    Some(false) => "This browser cannot use passkeys. Try the latest version of Chrome, Safari, Edge or Firefox.",
                }}
            </p>
        </div>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    view! {
        <PageHeading text="Alongside" title="Sign in" />
        <p class="nhsuk-body-l">
            "Get ready for your care review, keep your own plan, and share it with the people you choose."
        </p>
        <h2 class="nhsuk-heading-m">"Sign in"</h2>
        <p class="nhsuk-body">
            "You sign in with a passkey. A passkey uses your phone or computer's screen lock, "
            "like your fingerprint, face or PIN. There is no password to remember."
        </p>
        <PasskeySupport />
        <SignInPanel />
        <h2 class="nhsuk-heading-m">"New to Alongside?"</h2>
        <p class="nhsuk-body">
            "You need an invitation from your care team. They will give you a link to set up your passkey."
        </p>
        <h2 class="nhsuk-heading-m">"Lost your passkey?"</h2>
        <p class="nhsuk-body">
            "If you saved recovery codes, you can "<a href="/recover">"use a recovery code"</a>
            ". If not, ask your care team for a new invitation. Carers can ask the person they help."
        </p>
    }
}

#[component]
pub(super) fn NameField() -> impl IntoView {
    view! {
        <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="passkey-name">"Name this passkey (optional)"</label>
            <div class="nhsuk-hint" id="passkey-name-hint">"For example, “My phone”. It helps if you add more than one."</div>
            <input class="nhsuk-input nhsuk-u-width-two-thirds" id="passkey-name" name="name" type="text"
                maxlength="60" autocomplete="off" aria-describedby="passkey-name-hint" />
        </div>
    }
}

/// On recovery, the person chooses whether their other passkeys stop working.
#[component]
pub(super) fn RemoveOthersField() -> impl IntoView {
    view! {
        <div class="nhsuk-form-group">
            <div class="nhsuk-checkboxes">
                <div class="nhsuk-checkboxes__item">
                    <input class="nhsuk-checkboxes__input" id="remove-others" name="remove_others" type="checkbox" value="true" aria-describedby="remove-others-hint" />
                    <label class="nhsuk-label nhsuk-checkboxes__label" for="remove-others">"Stop my other passkeys working"</label>
                    <div class="nhsuk-hint nhsuk-checkboxes__hint" id="remove-others-hint">
                        "Do this if you lost a phone or think someone else may use it. You will be signed out everywhere else."
                    </div>
                </div>
            </div>
        </div>
    }
}

#[component]
pub fn InvitePage() -> impl IntoView {
    let token = move || use_query_map().with(|q| q.get("token").unwrap_or_default());
    let status = ArcResource::new_blocking(token, check_invitation);
    view! {
        <Suspense>
            {move || { let status = status.clone(); Suspend::new(async move {
                match status.await {
                    Ok(InvitationStatus::Valid { name, organisation, invited_by, purpose, recovery }) => {
                        let from = match (invited_by, organisation) {
                            (Some(person), Some(org)) => format!("{person} at {org}"),
                            (None, Some(org)) => org,
                            (Some(person), None) => person,
                            (None, None) => "Your care team".to_owned(),
                        };
                        view! {
                            <PageHeading text="Set up your passkey" />
                            <p class="nhsuk-body-l">{format!("{from} invited you to {purpose}.")}</p>
                            <p class="nhsuk-body">{format!("This invitation is for {name}. If that is not you, do not use it.")}</p>
                            <p class="nhsuk-body">
                                "Your phone or computer will ask you to use your fingerprint, face or screen lock. "
                                "That creates a passkey, which you will use to sign in."
                            </p>
                            <PasskeySupport />
                            <NameField />
                            {recovery.then(|| view! { <RemoveOthersField /> })}
                            <PasskeyButton ceremony=Ceremony::Invitation token=token() label="Create a passkey".into() then="/today".into() />
                        }.into_any()
                    }
                    Ok(InvitationStatus::Used) => problem_page(
                        "This invitation has already been used",
                        "If you set up a passkey with it, sign in with that passkey. If not, ask your care team for a new invitation.",
                    ),
                    Ok(InvitationStatus::AwaitingApproval) => problem_page(
                        "This link does not work yet",
                        "A second person in your care team must approve it first. Try again once they have. It works for 24 hours.",
                    ),
                    Ok(InvitationStatus::Expired) => problem_page(
                        "This invitation has expired",
                        "Invitations work for 14 days, and recovery links for 24 hours. Ask your care team for a new one.",
                    ),
                    Ok(InvitationStatus::Unknown) | Err(_) => problem_page(
                        "This invitation link does not work",
                        "Check you copied the whole link. If it still does not work, ask your care team for a new invitation.",
                    ),
                }
            }) }}
        </Suspense>
    }
}

pub(super) fn problem_page(heading: &'static str, text: &'static str) -> AnyView {
    view! {
        <PageHeading text=heading />
        <p class="nhsuk-body">{text}</p>
        <p class="nhsuk-body"><a href="/">"Go to the sign-in page"</a></p>
    }
    .into_any()
}

#[component]
pub fn RecoverPage() -> impl IntoView {
    view! {
        <PageHeading text="Use a recovery code" />
        <p class="nhsuk-body">
            "A recovery code lets you set up a new passkey if you have lost yours. Each code works once."
        </p>
        <PasskeySupport />
        <div class="nhsuk-form-group">
            <label class="nhsuk-label" for="recovery-code">"Recovery code"</label>
            <input class="nhsuk-input" id="recovery-code" name="code" type="text" autocomplete="off" spellcheck="false" />
        </div>
        <NameField />
        <RemoveOthersField />
        <PasskeyButton ceremony=Ceremony::Recovery token=String::new() label="Set up a new passkey".into() then="/today".into() />
    }
}

/// A page asked for by someone not signed in: sent to sign in.
#[component]
pub(super) fn SignedOut() -> impl IntoView {
    view! { <crate::ui::GoTo path="/" heading="Please sign in" link="Sign in to Alongside" /> }
}

#[island]
pub fn RecoveryCodesMaker() -> impl IntoView {
    let codes = RwSignal::new(Vec::<String>::new());
    let problem = RwSignal::new(String::new());
    let ready = RwSignal::new(false);
    Effect::new(move |_| ready.set(true));
    let click = move |_| {
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            match super::recovery::create_recovery_codes().await {
                Ok(new) => codes.set(new),
                Err(e) => problem.set(e.to_string()),
            }
        });
    };
    view! {
        <p class="nhsuk-body" hidden=move || ready.get()>"Making recovery codes needs JavaScript."</p>
        <p class="nhsuk-body" role="alert">{move || problem.get()}</p>
        <Show when=move || !codes.get().is_empty()
            fallback=move || view! {
                <button type="button" class="nhsuk-button" hidden=move || !ready.get() on:click=click>"Make new recovery codes"</button>
            }>
            <div class="nhsuk-warning-callout">
                <h2 class="nhsuk-warning-callout__label">"Important"</h2>
                <p>"Write these down or print them now. You will not see them again. Each works once."</p>
            </div>
            <ul class="nhsuk-list" data-testid="recovery-codes">
                {move || codes.get().into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ul>
        </Show>
    }
}

mod account;
mod loader;

pub use account::*;
pub use loader::*;
