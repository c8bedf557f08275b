//! The care team's pages. Like the person's pages they render on the server and every form
//! works without JavaScript.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;

use super::*;
use crate::auth::pages_support::{load, render};
use crate::forms::{ErrorSummary, Flash, FormState, Notice, Radios, Select, TextField, options};
use crate::preparation::{MODES, ReviewStatus};
use crate::ui::PageHeading;
use crate::ui::{back_link, param_id, row};

fn yes_no(b: bool) -> &'static str {
    if b { "Yes" } else { "Not yet" }
}

#[component]
pub fn TeamReviewsPage() -> impl IntoView {
    render(load(load_team_reviews), |v: ReviewsView, flash: Flash| {
        let rows = v.booked;
        let body = if rows.is_empty() {
            view! { <p class="nhsuk-body">"No reviews are booked in the next 6 weeks."</p> }
                .into_any()
        } else {
            view! {
                <table class="nhsuk-table-responsive">
                    <caption class="nhsuk-table__caption">"Booked reviews, soonest first"</caption>
                    <thead class="nhsuk-table__head">
                        <tr>
                            <th scope="col">"Person"</th>
                            <th scope="col">"Stage"</th>
                            <th scope="col">"Review"</th>
                            <th scope="col">"Pack sent"</th>
                            <th scope="col">"Opened"</th>
                            <th scope="col">"Agenda returned"</th>
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {rows.into_iter().map(|r| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">
                                    <span class="nhsuk-table-responsive__heading">"Person "</span>
                                    <a href=format!("/team/people/{}", r.patient_id)>{r.name.clone()}</a>
                                    <br /><span class="nhsuk-body-s">{format!("NHS number {}", r.nhs_number)}</span>
                                </td>
                                <td class="nhsuk-table__cell">
                                    <span class="nhsuk-table-responsive__heading">"Stage "</span>
                                    {super::cycle::stage_tag(&r.stage)}
                                </td>
                                <td class="nhsuk-table__cell">
                                    <span class="nhsuk-table-responsive__heading">"Review "</span>
                                    {format!("{}, {} with {}", r.when, r.mode_name.to_lowercase(), r.with_whom)}
                                </td>
                                <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">"Pack sent "</span>{r.pack.clone()}</td>
                                <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">"Opened "</span>{yes_no(r.opened)}</td>
                                <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">"Agenda returned "</span>{r.returned.clone().unwrap_or_else(|| "Not yet".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
            .into_any()
        };
        view! {
            <Notice flash=flash.clone() />
            <PageHeading text="Upcoming reviews" />
            <p class="nhsuk-body">"Where each person is in the cycle: recall, checks, results, preparation pack, the conversation, the agreed plan. "
                <a href="/team">"The whole caseload, by stage"</a></p>
            {body}
            <h2 class="nhsuk-heading-m">"No review booked"</h2>
            {if v.unbooked.is_empty() {
                view! { <p class="nhsuk-body">"Everyone has a review booked."</p> }.into_any()
            } else {
                view! {
                    <ul class="nhsuk-list">
                        {v.unbooked.into_iter().map(|p| view! {
                            <li>
                                <a href=format!("/team/people/{}", p.patient_id)>{p.name.clone()}</a>
                                {format!(", NHS number {}", p.nhs_number)}
                                <br />{super::cycle::stage_tag(&p.stage)}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            <p class="nhsuk-body"><a href="/team/results/import">"Import results from a file"</a></p>
        }
    })
}

fn result_kinds(numbers_only: bool) -> Vec<(String, String)> {
    crate::results::catalogue::KINDS
        .iter()
        .filter(|k| !numbers_only || k.better.is_some())
        .map(|k| (k.code.to_owned(), k.name.to_owned()))
        .collect()
}

pub(super) fn hidden(name: &'static str, value: String) -> impl IntoView {
    view! { <input type="hidden" name=name value=value /> }
}

fn review_form(person: &TeamPersonView, existing: Option<&ReviewView>, flash: &Flash) -> AnyView {
    let state = FormState::new("review", flash);
    let (date, time, with_whom, mode, place, id) = existing
        .map(|r| {
            (
                r.date.clone(),
                r.time.clone(),
                r.with_whom.clone(),
                r.mode.clone(),
                r.place.clone(),
                r.id.to_string(),
            )
        })
        .unwrap_or_else(|| {
            (
                String::new(),
                String::new(),
                String::new(),
                "in_person".into(),
                String::new(),
                String::new(),
            )
        });
    let button = if existing.is_some() {
        "Move the review"
    } else {
        "Book the review"
    };
    view! {
        <ErrorSummary state=state.clone() />
        <form method="post" action={crate::ui::post_to::<crate::care_team::BookReview>()} data-enhance="" id="review" novalidate>
            <IdempotencyKey />
            {hidden("patient_id", person.patient_id.to_string())}
            {hidden("review_id", id)}
            <TextField state=state.clone() name="date" label="Date".into() kind="date" hint="For example 2026-12-01." value=date class="nhsuk-input--width-10" />
            <TextField state=state.clone() name="time" label="Time".into() kind="time" hint="On the 24-hour clock, for example 10:30." value=time class="nhsuk-input--width-10" />
            <TextField state=state.clone() name="with_whom" label="With whom".into() value=with_whom />
            <Radios state=state.clone() name="mode" legend="How".into() options=options(&MODES) value=mode inline=true />
            <TextField state=state.clone() name="place" label="Where (for a review in person)".into() value=place />
            <button type="submit" class="nhsuk-button">{button}</button>
        </form>
    }
    .into_any()
}

fn reviews_section(person: &TeamPersonView, flash: &Flash) -> AnyView {
    let upcoming = person.upcoming.clone();
    let manage = person.can_manage;
    let booked = match upcoming {
        None => view! {
            <p class="nhsuk-body">"No review is booked."</p>
            {manage.then(|| view! {
                <h3 class="nhsuk-heading-s">"Book a review"</h3>
                {review_form(person, None, flash)}
            })}
        }
        .into_any(),
        Some(r) => {
            let held = FormState::new("held", flash);
            let started = person.started;
            view! {
                <dl class="nhsuk-summary-list">
                    {row("When", r.when.clone())}
                    {row("With", r.with_whom.clone())}
                    {row("How", r.mode_name.clone())}
                    {row("Where", r.place.clone())}
                    {row("Preparation pack", person.pack_status.clone())}
                </dl>
                {(manage && started).then(|| view! {
                    <h3 class="nhsuk-heading-s">"After the review"</h3>
                    <ErrorSummary state=held.clone() />
                    <form method="post" action={crate::ui::post_to::<crate::care_team::CloseReview>()} data-enhance="" id="held" novalidate>
                        <IdempotencyKey />
                        {hidden("patient_id", person.patient_id.to_string())}
                        {hidden("review_id", r.id.to_string())}
                        <TextField state=held.clone() name="next_date" label="When is the next review due?".into() kind="date" value=String::new() class="nhsuk-input--width-10" />
                        <button type="submit" class="nhsuk-button">"Record the review as held"</button>
                    </form>
                })}
                {(manage && !started).then(|| view! {
                    <details class="nhsuk-details">
                        <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"Move this review"</span></summary>
                        <div class="nhsuk-details__text">{review_form(person, Some(&r), flash)}</div>
                    </details>
                    <form method="post" action={crate::ui::post_to::<crate::care_team::CancelReview>()} data-enhance="" id="cancel">
                        <IdempotencyKey />
                        {hidden("patient_id", person.patient_id.to_string())}
                        {hidden("review_id", r.id.to_string())}
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Cancel this review"</button>
                    </form>
                })}
            }
            .into_any()
        }
    };
    view! {
        <h2 class="nhsuk-heading-m" id="reviews">"Review"</h2>
        {booked}
        {(!person.past.is_empty()).then(|| view! {
            <h3 class="nhsuk-heading-s">"Earlier reviews"</h3>
            <ul class="nhsuk-list">
                {person.past.iter().map(|r| view! {
                    <li>{match (r.status, &r.next_review_date) {
                        (ReviewStatus::Held, Some(next)) => format!("{}: held. Next review due {next}.", r.when),
                        (ReviewStatus::Held, None) => format!("{}: held.", r.when),
                        _ => format!("{}: cancelled.", r.when),
                    }}</li>
                }).collect_view()}
            </ul>
        })}
    }
    .into_any()
}

/// The person's answers to their agenda prompts, as they sent them.
pub(super) fn answers_list(answers: Vec<crate::preparation::AgendaAnswerView>) -> impl IntoView {
    view! {
        <dl class="nhsuk-summary-list">
            {answers.into_iter().map(|a| view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">{a.prompt}</dt>
                    <dd class="nhsuk-summary-list__value app-pre-line">{if a.answer.is_empty() { "No answer".to_owned() } else { a.answer }}</dd>
                </div>
            }).collect_view()}
        </dl>
    }
}

fn agenda_section(person: &TeamPersonView, flash: &Flash) -> AnyView {
    let release = FormState::new("release", flash);
    let answers = match &person.pack {
        None => view! { <p class="nhsuk-body">"Their preparation pack has not been sent yet."</p> }
            .into_any(),
        Some(pack) => {
            let status = match &pack.submitted {
                Some(s) => format!("{s}."),
                None if pack.opened => {
                    "They have opened their pack but not sent their answers yet.".into()
                }
                None => "They have not opened their pack yet.".into(),
            };
            let answers = pack.answers.clone();
            view! {
                <p class="nhsuk-body"><strong>{status}</strong></p>
                {pack.submitted.is_some().then(|| answers_list(answers))}
            }
            .into_any()
        }
    };
    view! {
        <h2 class="nhsuk-heading-m" id="agenda">"Their agenda"</h2>
        {answers}
        {person.can_release.then(|| view! {
            <ErrorSummary state=release.clone() />
            <form method="post" action={crate::ui::post_to::<crate::care_team::ReleaseNow>()} data-enhance="" id="release">
                <IdempotencyKey />
                {hidden("patient_id", person.patient_id.to_string())}
                <p class="nhsuk-body-s">"Sending the pack shares every result entered so far. It goes by itself before the review; send it now if a clinician has already looked at the results."</p>
                <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Send the preparation pack now"</button>
            </form>
        })}
    }
    .into_any()
}

/// The latest of each result, whether the person has seen it, and their own targets.
pub(super) fn results_table(person: &TeamPersonView) -> AnyView {
    if person.results.is_empty() {
        view! { <p class="nhsuk-body">"No results yet."</p> }.into_any()
    } else {
        view! {
            <table class="nhsuk-table">
                <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Latest results"</caption>
                <thead class="nhsuk-table__head">
                    <tr class="nhsuk-table__row">
                        <th class="nhsuk-table__header" scope="col">"Result"</th>
                        <th class="nhsuk-table__header" scope="col">"Latest"</th>
                        <th class="nhsuk-table__header" scope="col">"Shared with them"</th>
                    </tr>
                </thead>
                <tbody class="nhsuk-table__body">
                    {person.results.iter().map(|r| view! {
                        <tr class="nhsuk-table__row">
                            <td class="nhsuk-table__cell">{r.name.clone()}
                                {r.own_target.clone().map(|t| view! { <br /><span class="nhsuk-body-s">{format!("Own target: {t}")}</span> })}
                            </td>
                            <td class="nhsuk-table__cell">{format!("{} {}", r.latest, r.when)}
                                {r.corrections.iter().map(|c| view! { <br /><span class="nhsuk-body-s">{c.clone()}</span> }).collect_view()}
                                {r.assessment.clone().map(|a| view! { <br /><span class="nhsuk-body-s">{a}</span> })}
                                {r.change.clone().map(|c| view! { <br /><span class="nhsuk-body-s">{c}</span> })}
                            </td>
                            <td class="nhsuk-table__cell">{if r.shared { "Yes" } else { "Not yet" }}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    }
}

fn results_section(person: &TeamPersonView, flash: &Flash) -> AnyView {
    let table = results_table(person);
    let entry = FormState::new("result", flash);
    let target = FormState::new("target", flash);
    let id = person.patient_id.to_string();
    view! {
        <h2 class="nhsuk-heading-m" id="results">"Their results"</h2>
        {table}
        {person.can_enter.then(|| view! {
            <h3 class="nhsuk-heading-s" id="add-result">"Add a result"</h3>
            <ErrorSummary state=entry.clone() />
            <form method="post" action={crate::ui::post_to::<crate::care_team::AddResult>()} data-enhance="" id="result" novalidate>
                <IdempotencyKey />
                {hidden("patient_id", id.clone())}
                <Select state=entry.clone() name="code" label="Result" prompt="Choose a result" options=result_kinds(false) />
                <TextField state=entry.clone() name="value" label="Value".into() hint="A number, blood pressure as 142/88, or the words of a coded result such as Low risk." value=String::new() class="nhsuk-input--width-10" />
                <TextField state=entry.clone() name="taken_on" label="Date taken".into() kind="date" value=String::new() class="nhsuk-input--width-10" />
                <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Add result"</button>
            </form>
        })}
        {person.can_target.then(|| view! {
            <h3 class="nhsuk-heading-s" id="own-target">"Agree a target of their own"</h3>
            <ErrorSummary state=target.clone() />
            <form method="post" action={crate::ui::post_to::<crate::care_team::SetTarget>()} data-enhance="" id="target" novalidate>
                <IdempotencyKey />
                {hidden("patient_id", id.clone())}
                <Select state=target.clone() name="code" label="Result" prompt="Choose a result" options=result_kinds(true) />
                <TextField state=target.clone() name="value" label="Their target".into() hint="For example 53, or 130/80 for blood pressure. Leave empty to go back to the usual target." value=String::new() class="nhsuk-input--width-10" />
                <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Save target"</button>
            </form>
        })}
    }
    .into_any()
}

fn carers_section(person: &TeamPersonView, flash: &Flash) -> AnyView {
    let state = FormState::new("carer", flash);
    let grants = person
        .carers
        .iter()
        .map(|g| {
            let end = FormState::new(format!("grant-{}", g.id), flash);
            let can = g.scopes.iter().map(|s| crate::carers::scope_name(s)).collect::<Vec<_>>().join(", ");
            view! {
                <li class="app-note">
                    <p class="nhsuk-body nhsuk-u-margin-bottom-1"><strong>{format!("{} ({})", g.carer_name, g.relationship)}</strong>
                        {format!(". {}. Can: {can}. Given by: {}.", g.status, g.granted_by)}</p>
                    {(g.live && person.can_record_carer).then(|| view! {
                        <details class="nhsuk-details" open=end.has_errors()>
                            <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">{format!("End {}'s access (safeguarding)", g.carer_name)}</span></summary>
                            <div class="nhsuk-details__text">
                                <ErrorSummary state=end.clone() />
                                <form method="post" action={crate::ui::post_to::<crate::carers::EndGrant>()} data-enhance="" novalidate>
                                    <IdempotencyKey />
                                    {hidden("grant_id", g.id.to_string())}
                                    <TextField state=end.clone() name="reason" label="Why is it ending?".into() value=String::new() />
                                    <button type="submit" class="nhsuk-button nhsuk-button--warning">"End access now"</button>
                                </form>
                            </div>
                        </details>
                    })}
                </li>
            }
        })
        .collect_view();
    view! {
        <h2 class="nhsuk-heading-m" id="carers">"Carers"</h2>
        {person.carers.is_empty().then(|| view! { <p class="nhsuk-body">"No carers."</p> })}
        <ul class="nhsuk-list">{grants}</ul>
        {person.can_record_carer.then(|| view! {
            <details class="nhsuk-details" open=state.has_errors()>
                <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"Record a carer for someone who cannot decide"</span></summary>
                <div class="nhsuk-details__text">
                    <p class="nhsuk-body">"When the person can decide, they invite carers themselves from their own phone."</p>
                    <ErrorSummary state=state.clone() />
                    <form method="post" action={crate::ui::post_to::<crate::carers::RecordGrant>()} data-enhance="" id="carer" novalidate>
                        <IdempotencyKey />
                        {hidden("patient_id", person.patient_id.to_string())}
                        {crate::carers::pages::invite_fields(&state)}
                        <Radios state=state.clone() name="legal_basis" legend="Legal basis".into() options=options(&crate::carers::LEGAL_BASES) value=String::new() />
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Record and make their link"</button>
                    </form>
                </div>
            </details>
        })}
    }
    .into_any()
}

fn contact_section(person: &TeamPersonView, flash: &Flash) -> AnyView {
    let state = FormState::new("contact", flash);
    let shown = |v: &str| {
        if v.is_empty() {
            "Not given".to_owned()
        } else {
            v.to_owned()
        }
    };
    view! {
        <h2 class="nhsuk-heading-m" id="contact">"Contact details"</h2>
        <dl class="nhsuk-summary-list">
            {row("Mobile phone", shown(&person.phone))}
            {row("Email", shown(&person.email))}
        </dl>
        {person.can_edit_contact.then(|| view! {
            <details class="nhsuk-details" open=state.has_errors()>
                <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"Change contact details"</span></summary>
                <div class="nhsuk-details__text">
                    <ErrorSummary state=state.clone() />
                    <form method="post" action={crate::ui::post_to::<crate::care_team::enrol::EditContact>()} data-enhance="" id="contact-form" novalidate>
                        <IdempotencyKey />
                        {hidden("patient_id", person.patient_id.to_string())}
                        <TextField state=state.clone() name="phone" label="Mobile phone (optional)".into() kind="tel" value=person.phone.clone() class="nhsuk-input--width-20" autocomplete="off" />
                        <TextField state=state.clone() name="email" label="Email (optional)".into() kind="email" value=person.email.clone() autocomplete="off" />
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Save contact details"</button>
                    </form>
                </div>
            </details>
        })}
    }
    .into_any()
}

#[component]
pub fn TeamPersonPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    render(
        load(move || load_team_person(id)),
        |person: TeamPersonView, flash: Flash| {
            view! {
                <Notice flash=flash.clone() />
                {back_link("/team".into(), "Caseload")}
                <PageHeading text=person.name.clone() />
                <p class="nhsuk-body">
                    <a class="nhsuk-button" href=format!("/team/people/{}/conversation", person.patient_id)>"Open the conversation view"</a>
                </p>
                <p class="nhsuk-body"><a href=format!("/team/people/{}/letter", person.patient_id)>"Invitation letter"</a></p>
                {person.can_export.then(|| view! {
                    <p class="nhsuk-body"><a href=format!("/team/people/{}/export", person.patient_id) download="alongside-plan.fhir.json">{format!("Download {}'s plan for another health or care system (FHIR file)", person.name)}</a></p>
                })}
                <p class="nhsuk-body">{format!("NHS number {}. Born {}.", person.nhs_number, person.born)}
                    {(!person.conditions.is_empty()).then(|| format!(" {}.", person.conditions.join(", ")))}</p>
                {super::cycle::checks_section(person.patient_id, &person.cycle, &flash)}
                {reviews_section(&person, &flash)}
                <div class="nhsuk-grid-row">
                    <div class="nhsuk-grid-column-one-half">{agenda_section(&person, &flash)}</div>
                    <div class="nhsuk-grid-column-one-half">{results_section(&person, &flash)}</div>
                </div>
                {contact_section(&person, &flash)}
                {carers_section(&person, &flash)}
            }
        },
    )
}

/// Import needs no data: it is a file upload. The flash carries the outcome. Only someone who
/// may enter results somewhere sees the page.
#[cfg(feature = "ssr")]
async fn nothing() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    let actor = crate::access::Actor::new(account, state.clock.now());
    if crate::access::orgs_where(&state.db, actor, crate::access::Permission::EnterResults)
        .await?
        .is_empty()
    {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The import page, with the report of the import just made on this browser (once).
#[server(prefix = "/api/team", endpoint = "import_page")]
pub async fn load_import_page() -> Result<Option<crate::results::Imported>, AppError> {
    nothing().await?;
    let session = crate::session::from_request().await?;
    crate::session::take(&session, crate::results::intake::REPORT_KEY).await
}

/// What the last import did: each result, and what was left out and why.
fn import_report(done: crate::results::Imported) -> impl IntoView {
    const SHOWN: usize = 200;
    let more = done.lines.len().saturating_sub(SHOWN);
    let people = done.people;
    view! {
        <section aria-labelledby="import-report">
            <h2 class="nhsuk-heading-m" id="import-report">"What this import did"</h2>
            <p class="nhsuk-body">{format!("Results for {people} {}.", if people == 1 { "person" } else { "people" })}</p>
            {(!done.lines.is_empty()).then(|| view! {
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {done.lines.into_iter().take(SHOWN).map(|l| view! { <li>{l}</li> }).collect_view()}
                </ul>
                {(more > 0).then(|| view! { <p class="nhsuk-body">{format!("And {more} more.")}</p> })}
            })}
            {(!done.skipped.is_empty()).then(|| view! {
                <h3 class="nhsuk-heading-s">"Not imported"</h3>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {done.skipped.into_iter().map(|s| view! { <li>{format!("{}: {}: {}", s.place, s.what, s.why)}</li> }).collect_view()}
                </ul>
            })}
        </section>
    }
}

#[component]
pub fn ImportResultsPage() -> impl IntoView {
    render(
        load(load_import_page),
        |report: Option<crate::results::Imported>, flash: Flash| {
            let state = FormState::new("import", &flash);
            let problems = state.errors("file");
            let error = !problems.is_empty();
            view! {
                <Notice flash=flash.clone() />
                {back_link("/team/reviews".into(), "Upcoming reviews")}
                <PageHeading text="Import results" />
                {report.map(import_report)}
                <p class="nhsuk-body">"Upload a CSV file, or FHIR R4 results as JSON: a Bundle, one Observation, or NDJSON (one resource per line, as bulk exports give), up to 20 MB. If a result in the file is wrong, nothing from it is added: fix what is listed and upload it again. Uploading the same file twice adds nothing twice. A corrected (amended) result replaces the earlier one; tests Alongside does not show are left out and listed."</p>
                <details class="nhsuk-details">
                    <summary class="nhsuk-details__summary"><span class="nhsuk-details__summary-text">"What the CSV file must look like"</span></summary>
                    <div class="nhsuk-details__text">
                        <p>"A first line naming the columns nhs_number, result, value and taken_on (unit is optional). For example:"</p>
                        <pre class="app-code">"nhs_number,result,value,taken_on\n9434765919,hba1c,52,2026-11-03\n9434765919,blood_pressure,142/88,2026-11-03"</pre>
                    </div>
                </details>
                {error.then(|| view! {
                    <div class="nhsuk-error-summary" aria-labelledby="import-problems" role="alert" tabindex="-1" data-autofocus="">
                        <h2 class="nhsuk-error-summary__title" id="import-problems">"Nothing was imported. Fix these and upload the file again"</h2>
                        <div class="nhsuk-error-summary__body">
                            <ul class="nhsuk-list nhsuk-error-summary__list">
                                {problems.iter().map(|p| view! { <li><a href="#import-file">{p.clone()}</a></li> }).collect_view()}
                            </ul>
                        </div>
                    </div>
                })}
                <form method="post" action="/team/results/import" enctype="multipart/form-data" id="import">
                    <div class=if error { "nhsuk-form-group nhsuk-form-group--error" } else { "nhsuk-form-group" }>
                        <label class="nhsuk-label" for="import-file">"File of results"</label>
                        <input class="nhsuk-file-upload" id="import-file" name="file" type="file" accept=".csv,.json,text/csv,application/json,application/fhir+json" />
                    </div>
                    <button type="submit" class="nhsuk-button">"Import"</button>
                </form>
            }
        },
    )
}
