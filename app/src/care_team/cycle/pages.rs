//! The cycle's page pieces: the stage tag, the checks section of the person's team page, and the
//! practice's settings page.
use super::*;
use crate::forms::Checkboxes;
use crate::ui::row;

/// The stage as a tag, with "Overdue" beside it when it is.
pub fn stage_tag(stage: &StageView) -> impl IntoView + use<> {
    let colour = match stage.stage {
        Stage::ReviewDue => "nhsuk-tag--orange",
        Stage::PlanAgreed => "nhsuk-tag--green",
        Stage::AnswersIn => "nhsuk-tag--purple",
        _ => "nhsuk-tag--blue",
    };
    let overdue = stage.overdue;
    // The words add a date or a time to the tag's; the same words twice say nothing more.
    let more = (stage.text != stage.stage.label()).then(|| stage.text.clone());
    view! {
        {overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
        <strong class=format!("nhsuk-tag {colour}")>{stage.stage.label()}</strong>
        {more.map(|t| view! { <br /><span class="nhsuk-body-s">{t}</span> })}
    }
}

fn options_of(checks: &[Check]) -> Vec<(String, String)> {
    checks
        .iter()
        .map(|c| (c.code().to_owned(), c.label().to_owned()))
        .collect()
}

fn codes(checks: &[Check]) -> Vec<String> {
    checks.iter().map(|c| c.code().to_owned()).collect()
}

fn hidden(name: &'static str, value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value /> }
}

fn book_form(patient_id: Uuid, suggested: &[Check], flash: &Flash) -> AnyView {
    let state = FormState::new("checks", flash);
    view! {
        <ErrorSummary state=state.clone() />
        <form method="post" action={crate::ui::post_to::<BookChecks>()} data-enhance="" id="checks" novalidate>
            <IdempotencyKey />
            {hidden("patient_id", patient_id.to_string())}
            <TextField state=state.clone() name="date" label="Date".into() kind="date" hint="For example 2026-12-01." value=String::new() class="nhsuk-input--width-10" />
            <TextField state=state.clone() name="time" label="Time".into() kind="time" hint="On the 24-hour clock, for example 10:30." value=String::new() class="nhsuk-input--width-10" />
            <TextField state=state.clone() name="place" label="Where".into() value=String::new() />
            <TextField state=state.clone() name="with_whom" label="With whom".into() hint="For example Healthcare assistant." value=String::new() />
            <Checkboxes state=state.clone() name="checks" legend="Which checks".into() hint="Ticked: the usual checks for their conditions. One visit does them all." options=options_of(Check::ALL) chosen=codes(suggested) />
            <button type="submit" class="nhsuk-button">"Book the checks"</button>
        </form>
    }
    .into_any()
}

/// The checks section of the person's team page: where they are in the cycle, the checks
/// appointment, and (for those who may) booking it and marking it done.
pub fn checks_section(patient_id: Uuid, cycle: &CycleView, flash: &Flash) -> AnyView {
    let manage = cycle.can_manage;
    let body = match cycle.checks.clone() {
        None => view! {
            <p class="nhsuk-body">"No checks are booked."</p>
            {manage.then(|| view! {
                <h3 class="nhsuk-heading-s">"Book the checks"</h3>
                {book_form(patient_id, &cycle.suggested, flash)}
            })}
        }
        .into_any(),
        Some(c) if c.status == ChecksStatus::Booked => {
            let done = FormState::new("checks-done", flash);
            view! {
                <dl class="nhsuk-summary-list">
                    {row("When", c.when.clone())}
                    {row("Where", c.place.clone())}
                    {row("With", c.with_whom.clone())}
                    {row("Checks", Check::words(&c.planned))}
                </dl>
                {manage.then(|| view! {
                    <ErrorSummary state=done.clone() />
                    {if c.due {
                        view! {
                            <form method="post" action={crate::ui::post_to::<MarkChecksDone>()} data-enhance="" id="checks-done" novalidate>
                                <IdempotencyKey />
                                {hidden("patient_id", patient_id.to_string())}
                                {hidden("appointment_id", c.id.to_string())}
                                <Checkboxes state=done.clone() name="done" legend="Which checks were done?".into() options=options_of(Check::ALL) chosen=codes(&c.planned) />
                                <button type="submit" class="nhsuk-button">"Mark the checks done"</button>
                            </form>
                        }.into_any()
                    } else {
                        view! { <p class="nhsuk-body">"Mark them done on the day of the checks."</p> }.into_any()
                    }}
                    <form method="post" action={crate::ui::post_to::<CancelChecks>()} data-enhance="" id="checks-cancel">
                        <IdempotencyKey />
                        {hidden("patient_id", patient_id.to_string())}
                        {hidden("appointment_id", c.id.to_string())}
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Cancel these checks"</button>
                    </form>
                })}
            }
            .into_any()
        }
        Some(c) => view! {
            <dl class="nhsuk-summary-list">
                {row("Done", format!("{}, {} with {}", c.when, c.place, c.with_whom))}
                {row("Checks done", Check::words(&c.done))}
            </dl>
            {manage.then(|| view! {
                <details class="nhsuk-details">
                    <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"Book more checks"</span></summary>
                    <div class="nhsuk-details__text">{book_form(patient_id, &[], flash)}</div>
                </details>
            })}
        }
        .into_any(),
    };
    view! {
        <h2 class="nhsuk-heading-m" id="cycle">"Where they are in the cycle"</h2>
        <p class="nhsuk-body">{stage_tag(&cycle.stage)}</p>
        <h3 class="nhsuk-heading-s">"Checks before the review"</h3>
        {body}
    }
    .into_any()
}

/// The practice's settings, for its administrator.
#[component]
pub fn PracticePage() -> impl IntoView {
    render(load(load_practice), |v: PracticeView, flash: Flash| {
        let state = FormState::new("practice", &flash);
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text="Practice settings" />
            <p class="nhsuk-body">{v.name.clone()}</p>
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<SavePractice>()} data-enhance="" id="practice" novalidate>
                <IdempotencyKey />
                <input type="hidden" name="organisation_id" value=v.organisation_id.to_string() />
                <TextField state=state.clone() name="pack_release_days" label="Send the preparation pack this many days before the review".into() kind="number" hint="From 1 to 28 days. The pack goes by itself, once, with the results entered by then." value=v.pack_release_days.to_string() class="nhsuk-input--width-4" />
                <button type="submit" class="nhsuk-button">"Save"</button>
            </form>
        }
    })
}
