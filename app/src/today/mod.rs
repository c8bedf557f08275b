//! The Today page: what a person should look at first. Issue #4 fills it with due actions.
use leptos::prelude::*;

use crate::auth::pages_support::require_sign_in;
use crate::shell::PageHeading;

#[component]
pub fn TodayPage() -> impl IntoView {
    require_sign_in(|viewer| {
        view! {
            <PageHeading text="Today" />
            <p class="nhsuk-body-l">{format!("Hello, {}.", viewer.display_name)}</p>
            <p class="nhsuk-body">"There is nothing for you to do today."</p>
            {viewer.roles.iter().any(|r| r != "patient").then(|| view! {
                <h2 class="nhsuk-heading-m">"Care team"</h2>
                <ul class="nhsuk-list">
                    <li><a href="/team/invitations">"Invitation links"</a></li>
                </ul>
            })}
            <h2 class="nhsuk-heading-m">"Your account"</h2>
            <ul class="nhsuk-list">
                <li><a href="/account/passkeys">"Your passkeys"</a></li>
                <li><a href="/account/devices">"Your devices"</a></li>
                <li><a href="/account/recovery-codes">"Recovery codes"</a></li>
            </ul>
            <form method="post" action="/api/auth/sign_out">
                <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Sign out"</button>
            </form>
        }
    })
}
