//! The caseload page: filters and search, and the list.
use super::*;

#[component]
pub fn CaseloadPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map().get_untracked();
    let (stage, overdue, page) = (query.get("stage"), query.get("overdue"), query.get("page"));
    render(
        load(move || load_caseload(stage.clone(), overdue.clone(), page.clone())),
        |v: CaseloadView, flash: Flash| {
            let state = FormState::new("caseload", &flash);
            let f = v.filter.clone();
            let stages = v.stages;
            let mut stage_options = vec![(String::new(), "Any stage".to_owned())];
            stage_options.extend(crate::care_team::cycle::Stage::options());
            let showing = v.showing();
            let pager = Pager(&v);
            let table = if v.rows.is_empty() {
                view! { <p class="nhsuk-body">"No one matches these filters."</p> }.into_any()
            } else {
                view! {
                <table class="nhsuk-table-responsive">
                    <caption class="nhsuk-table__caption">{showing}</caption>
                    <thead class="nhsuk-table__head">
                        <tr>
                            <th scope="col">"Person"</th>
                            <th scope="col">"Stage"</th>
                            <th scope="col">"Review"</th>
                            <th scope="col">"Pack sent"</th>
                            <th scope="col">"Agenda returned"</th>
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {v.rows.into_iter().map(|r| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">
                                    <span class="nhsuk-table-responsive__heading">"Person "</span>
                                    <a href=format!("/team/people/{}", r.patient_id)>{r.name.clone()}</a>
                                    {r.shared.then(|| view! { " "<strong class="nhsuk-tag nhsuk-tag--blue">"Shared with you"</strong> })}
                                    <br /><span class="nhsuk-body-s">{format!("NHS number {}. Born {}. {}", r.nhs_number, r.born, r.conditions)}</span>
                                </td>
                                <td class="nhsuk-table__cell">
                                    <span class="nhsuk-table-responsive__heading">"Stage "</span>
                                    {crate::care_team::cycle::stage_tag(&r.stage)}
                                </td>
                                <td class="nhsuk-table__cell">
                                    <span class="nhsuk-table-responsive__heading">"Review "</span>
                                    {r.review.clone()}
                                </td>
                                <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">"Pack sent "</span>{yes(r.pack_sent)}</td>
                                <td class="nhsuk-table__cell"><span class="nhsuk-table-responsive__heading">"Agenda returned "</span>{yes(r.agenda_returned)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {pager}
            }
            .into_any()
            };
            view! {
                <Notice flash=flash.clone() />
                <PageHeading text="Caseload" />
                <p class="nhsuk-body">
                    <a class="nhsuk-button nhsuk-button--secondary" href="/team/patients/new">"Add a person"</a>
                </p>
                <form method="get" action="/team" id="stages">
                    <Select state=FormState::new("stages", &Flash::default()) name="stage" label="Stage in the cycle" options=stage_options value=stages.stage.map(|s| s.code().to_owned()).unwrap_or_default() />
                    <div class="nhsuk-form-group">
                        <div class="nhsuk-checkboxes">
                            <div class="nhsuk-checkboxes__item">
                                <input class="nhsuk-checkboxes__input" id="stages-overdue" name="overdue" type="checkbox" value="on" checked=stages.overdue />
                                <label class="nhsuk-label nhsuk-checkboxes__label" for="stages-overdue">"Overdue only"</label>
                            </div>
                        </div>
                    </div>
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Show this stage"</button>
                </form>
                <ErrorSummary state=state.clone() />
                <form method="post" action={crate::ui::post_to::<crate::care_team::caseload::FilterCaseload>()} data-enhance="" id="caseload" novalidate>
                    <IdempotencyKey />
                    {stages.stage.map(|s| view! { <input type="hidden" name="stage" value=s.code() /> })}
                    {stages.overdue.then(|| view! { <input type="hidden" name="overdue" value="on" /> })}
                    <TextField state=state.clone() name="search" label="Search by name or NHS number".into() value=f.search.clone() />
                    <Radios state=state.clone() name="due" legend="Review booked or due".into() options=options(&DUE) value=f.due.clone() inline=true />
                    <Radios state=state.clone() name="pack" legend="Preparation pack".into() options=options(&PACK) value=f.pack.clone() inline=true />
                    <Radios state=state.clone() name="agenda" legend="Agenda".into() options=options(&AGENDA) value=f.agenda.clone() inline=true />
                    <button type="submit" class="nhsuk-button">"Show"</button>
                    " "
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary" name="clear" value="1">"Clear filters"</button>
                </form>
                {table}
            }
        },
    )
}

/// Links to the other pages of the list, keeping the address's filters (the session's stay as
/// they are): plain links, so they work with no JavaScript.
#[allow(non_snake_case)]
fn Pager(v: &CaseloadView) -> Option<impl IntoView + use<>> {
    let (pages, more) = (v.pages(), v.more);
    if pages <= 1 && !more {
        return None;
    }
    let (current, stages) = (v.page, v.stages);
    let previous = (current > 1).then(|| {
        view! {
            <a href=stages.page_address(current - 1) rel="prev" class="nhsuk-pagination__previous">
                <span class="nhsuk-pagination__title">"Previous"<span class="nhsuk-u-visually-hidden">" page"</span></span>
            </a>
        }
    });
    let next = (current < pages || more).then(|| {
        view! {
            <a href=stages.page_address(current + 1) rel="next" class="nhsuk-pagination__next">
                <span class="nhsuk-pagination__title">"Next"<span class="nhsuk-u-visually-hidden">" page"</span></span>
            </a>
        }
    });
    let items = pager(current, pages, more)
        .into_iter()
        .map(|n| match n {
            Some(n) => view! {
                <li class=if n == current {
                    "nhsuk-pagination__item nhsuk-pagination__item--current"
                } else {
                    "nhsuk-pagination__item"
                }>
                    <a class="nhsuk-pagination__link" href=stages.page_address(n) aria-label=format!("Page {n}")
                        aria-current=(n == current).then_some("page")>{n}</a>
                </li>
            }
            .into_any(),
            None => view! { <li class="nhsuk-pagination__item nhsuk-pagination__item--ellipsis">"⋯"</li> }.into_any(),
        })
        .collect_view();
    Some(view! {
        <nav class="nhsuk-pagination nhsuk-pagination--numbered" role="navigation" aria-label="Pages of the caseload">
            {previous}
            <ul class="nhsuk-pagination__list">{items}</ul>
            {next}
        </nav>
    })
}
