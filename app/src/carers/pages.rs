//! The carers' pages: the person's "People who help you", a carer's "People you help", and
//! the access log everyone can read about themselves.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;

use super::{
    AccessLogView, CarersView, GrantView, LogEntry, PeopleView, load_access_log, load_carers,
    load_people,
};
use crate::access::Scope;
use crate::auth::pages_support::{load, render};
use crate::forms::{Checkboxes, ErrorSummary, Flash, FormState, Notice, TextField};
use crate::ui::PageHeading;
use crate::ui::back_link;

fn grant_card(g: GrantView, flash: &Flash) -> AnyView {
    let state = FormState::new(format!("grant-{}", g.id), flash);
    let can = g
        .scopes
        .iter()
        .map(|s| super::scope_name(s))
        .collect::<Vec<_>>()
        .join(", ");
    let id = g.id.to_string();
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{format!("{} ({})", g.carer_name, g.relationship)}</h3>
                <p class="nhsuk-body-s">{format!("{}. Can: {can}.", g.status)}
                    {g.ends_on.clone().map(|d| format!(" Until {d}."))}
                    {format!(" Given by: {}.", g.granted_by)}</p>
                {g.live.then(|| view! {
                    <ErrorSummary state=state.clone() />
                    <form method="post" action={crate::ui::post_to::<crate::carers::ChangeScopes>()} data-enhance="" novalidate>
                        <IdempotencyKey />
                        <input type="hidden" name="grant_id" value=id.clone() />
                        <Checkboxes state=state.clone() name="scopes" legend=format!("What {} can do", g.carer_name)
                            options=Scope::options() chosen=g.scopes.clone() />
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Save"</button>
                    </form>
                    <form method="post" action={crate::ui::post_to::<crate::carers::Revoke>()} data-enhance="">
                        <IdempotencyKey />
                        <input type="hidden" name="grant_id" value=id.clone() />
                        <button type="submit" class="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-0">
                            {format!("Stop {}'s access", g.carer_name)}
                        </button>
                    </form>
                })}
            </div>
        </div>
    }
    .into_any()
}

/// The fields for inviting a carer; the care team's form adds the legal basis.
pub(crate) fn invite_fields(state: &FormState) -> AnyView {
    view! {
        <TextField state=state.clone() name="name" label="Their full name".into() value=String::new() autocomplete="off" />
        <TextField state=state.clone() name="relationship" label="How they are related".into()
            hint="For example: daughter, husband, friend." value=String::new() class="nhsuk-input--width-20" />
        <Checkboxes state=state.clone() name="scopes" legend="What can they do?".into()
            hint="Logging or changing the plan includes seeing it." options=Scope::options() chosen=Vec::new() />
        <TextField state=state.clone() name="ends_on" label="Until (optional)".into()
            hint="Leave empty to keep it until you stop it." kind="date" class="nhsuk-input--width-10" value=String::new() />
    }
    .into_any()
}

pub(crate) fn new_link_card(new: crate::auth::team::NewLink) -> impl IntoView {
    view! {
        <div class="nhsuk-card nhsuk-card--feature" data-testid="new-invitation">
            <div class="nhsuk-card__content nhsuk-card__content--feature">
                <h2 class="nhsuk-card--feature__heading nhsuk-heading-m">{format!("Invitation link for {}", new.name)}</h2>
                <p class="nhsuk-body">"Give this link to them only. It works once, for 14 days. You will not see it again."</p>
                <p class="nhsuk-body"><code class="app-link-text">{new.link}</code></p>
            </div>
        </div>
    }
}

#[component]
pub fn CarersPage() -> impl IntoView {
    render(load(load_carers), |v: CarersView, flash: Flash| {
        let state = FormState::new("carer", &flash);
        let cards = v
            .grants
            .into_iter()
            .map(|g| grant_card(g, &flash))
            .collect_view();
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text="People who help you" />
            <p class="nhsuk-body">"A carer can help with your plan from their own phone, with their own sign-in. You choose what they can do, and you can change it or stop it at any time."</p>
            {v.new_link.map(new_link_card)}
            {cards}
            <h2 class="nhsuk-heading-m">"Invite someone who helps you"</h2>
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::carers::InviteCarer>()} data-enhance="" id="carer" novalidate>
                <IdempotencyKey />
                {invite_fields(&state)}
                <button type="submit" class="nhsuk-button">"Invite"</button>
            </form>
            <p class="nhsuk-body"><a href="/account/access-log">"See who has looked at your record"</a></p>
        }
    })
}

#[component]
pub fn PeoplePage() -> impl IntoView {
    render(load(load_people), |v: PeopleView, flash: Flash| {
        view! {
            <Notice flash=flash.clone() />
            <PageHeading text="People you help" />
            <p class="nhsuk-body">"Choose whose plan to look at."</p>
            <ul class="nhsuk-list">
                {v.people.into_iter().map(|p| view! {
                    <li class="app-note">
                        <p class="nhsuk-body nhsuk-u-margin-bottom-1">
                            <strong>{p.name.clone()}</strong>{format!(" ({}). You can: {}.", p.relationship, p.scopes)}
                        </p>
                        {if p.current {
                            view! { <p class="nhsuk-body"><strong class="nhsuk-tag">"Looking at now"</strong></p> }.into_any()
                        } else {
                            view! {
                                <form method="post" action={crate::ui::post_to::<crate::carers::SwitchPerson>()}>
                                    <IdempotencyKey />
                                    <input type="hidden" name="patient_id" value=p.patient_id.to_string() />
                                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">{format!("Look at {}'s plan", p.name)}</button>
                                </form>
                            }.into_any()
                        }}
                    </li>
                }).collect_view()}
            </ul>
            {(v.has_own_plan && !v.own_current).then(|| view! {
                <form method="post" action={crate::ui::post_to::<crate::carers::SwitchPerson>()}>
                    <IdempotencyKey />
                    <input type="hidden" name="patient_id" value="me" />
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Go back to my own plan"</button>
                </form>
            })}
            <p class="nhsuk-body"><a href="/account/access-log">"See what you have done as a carer"</a></p>
        }
    })
}

fn log_table(caption: &'static str, who: &'static str, entries: Vec<LogEntry>) -> AnyView {
    if entries.is_empty() {
        return view! { <p class="nhsuk-body">"Nothing yet."</p> }.into_any();
    }
    view! {
        <table class="nhsuk-table-responsive">
            <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">{caption}</caption>
            <thead class="nhsuk-table__head">
                <tr>
                    <th scope="col">"When"</th>
                    <th scope="col">{who}</th>
                    <th scope="col">"What"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {entries.into_iter().map(|e| view! {
                    <tr class="nhsuk-table__row">
                        <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">"When "</span>{e.when}</td>
                        <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">{format!("{who} ")}</span>{e.who}</td>
                        <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">"What "</span>{e.what}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn AccessLogPage() -> impl IntoView {
    render(load(load_access_log), |v: AccessLogView, _flash: Flash| {
        let carer = !v.mine.is_empty();
        view! {
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text="Who has looked at your record" />
            <p class="nhsuk-body">"Every time your care team or a carer looks at or changes your record, it is written here. Newest first."</p>
            {log_table("Who looked at or changed your record", "Who", v.about_me)}
            {carer.then(|| view! {
                <h2 class="nhsuk-heading-m">"What you have done as a carer"</h2>
                {log_table("What you did as a carer", "Whose record", v.mine)}
            })}
        }
    })
}
