//! The plan's pages. They render on the server; forms post with or without JavaScript (see
//! `forms`), and nothing here needs the browser to run code.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use uuid::Uuid;

use super::api::*;
use super::input::{
    ABOUT_ME_FIELDS, ACTION_STATUSES, CONTINGENCY_FIELDS, FREQUENCIES, GOAL_STATUSES,
    SUPPORT_STATUSES, TIMES_OF_DAY, WHO,
};
use super::schedule::{Outcome, WEEKDAYS, WeekSummary, long_date};
use super::{ActionView, GoalView, PlanView, Updated};
use crate::auth::pages_support::{load, render};
use crate::forms::{
    Checkboxes, ErrorSummary, Flash, FormState, Notice, Radios, Select, TextArea, TextField,
    options,
};
use crate::ui::{PageHeading, back_link, param_id, row};

pub(super) fn updated_line(updated: Option<Updated>) -> impl IntoView {
    updated.map(|u| view! { <p class="nhsuk-body-s app-updated">{u.describe()}</p> })
}

/// Summary-list rows for a section's fields (`(name, label, hint)`), leaving out empty ones.
pub(super) fn labelled_rows(
    fields: &[(&'static str, &'static str, &'static str)],
    values: &[&String],
) -> impl IntoView + use<> {
    fields
        .iter()
        .zip(values)
        .map(|((_, label, _), value)| row(label, (*value).clone()))
        .collect_view()
}

// ---------- My plan ----------

/// "You agreed this plan with Dr Priya Shah, Riverside Medical Practice on 3 March 2027."
/// (To anyone else: "Margaret agreed this plan…".)
pub(crate) fn agreement_note(
    a: super::Agreement,
    viewing: &super::Viewing,
) -> impl IntoView + use<> {
    let who = match (&a.representative, viewing.own) {
        (Some(r), true) => format!("Your representative, {r}, agreed this plan"),
        (Some(r), false) => format!("{} representative, {r}, agreed this plan", viewing.whose()),
        (None, true) => "You agreed this plan".to_owned(),
        (None, false) => format!("{} agreed this plan", viewing.given_name),
    };
    view! {
        <div class="nhsuk-inset-text" id="agreement">
            <p>{format!("{who} with {} on {}.", a.written_by, a.on)}</p>
            {a.changed_since.then(|| view! { <p>"It has changed since then."</p> })}
        </div>
    }
}

#[component]
pub fn MyPlanPage() -> impl IntoView {
    render(load(my_plan), |plan: PlanView, flash: Flash| {
        let about = plan.about_me.clone();
        let about_rows = labelled_rows(&ABOUT_ME_FIELDS, &about.values());
        let about_empty = about.values().iter().all(|v| v.trim().is_empty());
        let cont = plan.contingency.clone();
        let cont_rows = labelled_rows(&CONTINGENCY_FIELDS, &cont.values());
        let conditions = plan
            .conditions
            .iter()
            .map(|(_, n)| n.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let v = plan.viewing.clone();
        let who = v.who();
        let whose = v.whose();
        let whose_lower = v.whose_lower();
        let name = v.given_name.clone();
        let own = v.own;
        let change = v.change_plan;
        view! {
            <Notice flash=flash />
            <PageHeading text=format!("{whose} plan") />
            {if own {
                view! { <p class="nhsuk-body">"Your care and support plan, in your words. You can change it at any time. Your care team works on it with you."</p> }.into_any()
            } else if change {
                view! { <p class="nhsuk-body">{format!("{name}'s care and support plan, in their words. {name} owns it; they have asked you to help keep it up to date.")}</p> }.into_any()
            } else {
                view! { <p class="nhsuk-body">{format!("{name}'s care and support plan, in their words. {name} has let you read it.")}</p> }.into_any()
            }}
            <dl class="nhsuk-summary-list">
                {row("Name", plan.person_name.clone())}
                {row("Date of birth", plan.date_of_birth.clone())}
                {row("NHS number", plan.nhs_number.clone())}
                {row("Conditions", conditions)}
                {row("Next review due by", plan.review_date.clone().map(|d| match &plan.review_with {
                    Some(with) => format!("{d}, with {with}"),
                    None => d,
                }).unwrap_or_default())}
            </dl>
            {plan.agreement.clone().map(move |a| agreement_note(a, &v))}
            <ul class="nhsuk-list app-no-print">
                <li><a href="/plan/history">{format!("See every change to {whose_lower} plan")}</a></li>
                <li>{format!("To print {whose_lower} plan or save it as a PDF, use your browser's print option.")}</li>
                <li><a href="/plan/export" download="alongside-plan.fhir.json">{format!("Download {whose_lower} plan as a file other health and care systems can read")}</a>" (a FHIR file)"</li>
            </ul>
            <section id="about-me" aria-labelledby="about-me-title">
                <h2 class="nhsuk-heading-m" id="about-me-title">"About me"</h2>
                {updated_line(plan.about_me_updated.clone())}
                {if about_empty {
                    view! { <p class="nhsuk-body">{if own { "You have not written anything here yet.".to_owned() } else { format!("{name} has not written anything here yet.") }}</p> }.into_any()
                } else {
                    view! { <dl class="nhsuk-summary-list">{about_rows}</dl> }.into_any()
                }}
                {change.then(|| view! { <p class="nhsuk-body app-no-print"><a href="/plan/about-me">"Change \"About me\""</a></p> })}
            </section>

            <section id="goals" aria-labelledby="goals-title">
                <h2 class="nhsuk-heading-m" id="goals-title">{if own { "My goals and actions".to_owned() } else { format!("{name}'s goals and actions") }}</h2>
                {updated_line(plan.goals_updated.clone())}
                {plan.goals.is_empty().then(|| view! { <p class="nhsuk-body">"No goals yet."</p> })}
                {plan.goals.iter().cloned().map(|g| view! { <GoalSummary goal=g change=change who=who.clone() /> }).collect_view()}
                {change.then(|| view! { <p class="nhsuk-body app-no-print"><a href="/plan/goals/new">"Add a goal"</a></p> })}
            </section>

            <section id="contingency" aria-labelledby="contingency-title">
                <h2 class="nhsuk-heading-m" id="contingency-title">"If things get worse"</h2>
                {updated_line(plan.contingency_updated.clone())}
                <dl class="nhsuk-summary-list">{cont_rows}</dl>
                <ContactList contacts=plan.contacts.clone() removable=false />
                {change.then(|| view! { <p class="nhsuk-body app-no-print"><a href="/plan/contingency">"Change what to do if things get worse"</a></p> })}
            </section>

            <section id="support" aria-labelledby="support-title">
                <h2 class="nhsuk-heading-m" id="support-title">"Support and groups"</h2>
                {updated_line(plan.support_updated.clone())}
                {plan.support.is_empty().then(|| view! { <p class="nhsuk-body">"Nothing here yet."</p> })}
                <ul class="nhsuk-list">
                    {plan.support.iter().cloned().map(|s| view! {
                        <li>
                            <strong>{s.name}</strong>{format!(" – {}", s.status_label)}
                            {(!s.why.is_empty()).then(|| view! { <br /><span class="app-pre-line">{s.why}</span> })}
                            {(!s.contact.is_empty()).then(|| view! { <br />{format!("Contact: {}", s.contact)} })}
                        </li>
                    }).collect_view()}
                </ul>
                {change.then(|| view! { <p class="nhsuk-body app-no-print"><a href="/plan/support">"Change support and groups"</a></p> })}
            </section>
            // Shown by the phone's script (public/phone.js): keeping a copy is a choice made on each phone, never by default.
            // Last on the page: the script shows it after the page has loaded, and a box appearing
            // above a link would move the link from under a finger already on its way to it.
            {own.then(|| view! {
            <section id="keep-plan" class="app-no-print" hidden aria-labelledby="keep-plan-title">
                <h2 class="nhsuk-heading-s" id="keep-plan-title">"Read your plan with no signal"</h2>
                <p class="nhsuk-body">"You can keep a copy of your plan and today's actions on this phone, to read when you have no signal. Anyone who can open this phone could read it, so only do this on a phone that is yours. Signing out removes it."</p>
                <p class="nhsuk-body" data-keep-plan-state="">"Your plan is not kept on this phone."</p>
                <button type="button" class="nhsuk-button nhsuk-button--secondary">"Keep my plan on this phone"</button>
            </section>
            })}
        }
    })
}

#[component]
pub(super) fn GoalSummary(goal: GoalView, change: bool, who: String) -> impl IntoView {
    view! {
        <div class="nhsuk-card app-goal">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{goal.title.clone()}</h3>
                <dl class="nhsuk-summary-list">
                    {row("Why it matters", goal.why.clone())}
                    {row("How important", format!("{} out of 10", goal.importance))}
                    {row("What success looks like", goal.success.clone())}
                    {row("Target date", goal.target_date.clone().unwrap_or_default())}
                    {row("Status", goal.status_label.clone())}
                    {row("Linked to", goal.conditions.join(", "))}
                </dl>
                <GoalProgress goal=goal.clone() who=who />
                <h4 class="nhsuk-heading-xs">"Actions"</h4>
                {goal.actions.is_empty().then(|| view! { <p class="nhsuk-body">"No actions yet."</p> })}
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {goal.actions.iter().map(|a| view! {
                        <li>
                            <a href=format!("/plan/actions/{}", a.id)>{a.what.clone()}</a>
                            {format!(". {}. Who: {}. Confidence {} out of 10. {}.", a.how_often, a.who, a.confidence, a.status_label)}
                            {a.streak.clone().map(|s| view! { " " <span class="app-streak">{format!("Streak: {s}")}</span> })}
                        </li>
                    }).collect_view()}
                </ul>
                {change.then(|| view! { <p class="nhsuk-body app-no-print"><a href=format!("/plan/goals/{}", goal.id)>"Change this goal or add an action"</a></p> })}
            </div>
        </div>
    }
}

#[component]
pub(crate) fn GoalProgress(goal: GoalView, who: String) -> impl IntoView {
    let pct = goal.progress.percent();
    // An achieved goal is done, whatever its actions' last weeks say.
    if goal.form.status == "achieved" {
        return view! {
            <div class="app-progress">
                <p class="nhsuk-body"><strong>"Achieved."</strong></p>
            </div>
        }
        .into_any();
    }
    view! {
        <div class="app-progress">
            <p class="nhsuk-body">{goal.progress.describe(4, &who)}</p>
            {(goal.progress.planned > 0).then(|| view! {
                <progress class="app-progress__bar" max="100" value=pct.min(100) aria-hidden="true"></progress>
            })}
        </div>
    }
    .into_any()
}

mod goals;
mod sections;

pub use goals::*;
pub use sections::*;
