//! The accessibility statement.
use super::*;

#[component]
pub fn AccessibilityStatement() -> impl IntoView {
    view! {
        <PageHeading text="Accessibility statement" />
        <p class="nhsuk-body-l">"We want as many people as possible to be able to use Alongside."</p>
        <p class="nhsuk-body">"You should be able to:"</p>
        <ul class="nhsuk-list nhsuk-list--bullet">
            <li>"make the text bigger, up to 400%, without losing anything"</li>
            <li>"use every page with a keyboard only"</li>
            <li>"use every page with a screen reader"</li>
            <li>"use the main pages with JavaScript turned off"</li>
            <li>"read every chart as a table too"</li>
        </ul>
        <h2 class="nhsuk-heading-m">"How we check"</h2>
        <p class="nhsuk-body">
            "We aim to meet the Web Content Accessibility Guidelines (WCAG) 2.2 at level AA. "
            "Every page is checked automatically on a phone-sized and a desktop-sized screen "
            "each time we change the service."
        </p>
        <h2 class="nhsuk-heading-m">"Tell us about a problem"</h2>
        <p class="nhsuk-body">
            "If something does not work for you, tell your care team. "
            "They will pass it on to us and we will reply within 5 working days."
        </p>
    }
}
