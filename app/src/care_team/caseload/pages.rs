//! The caseload page: filters and search, and the list.
use super::*;

#[component]
pub fn CaseloadPage() -> impl IntoView {
    let query = leptos_router::hooks::use_query_map().get_untracked();
    let (stage, overdue) = (query.get("stage"), query.get("overdue"));
    render(
        load(move || load_caseload(stage.clone(), overdue.clone())),
        |v: CaseloadView, flash: Flash| {
            let state = FormState::new("caseload", &flash);
            let f = v.filter.clone();
            let stages = v.stages;
            let mut stage_options = vec![(String::new(), "Any stage".to_owned())];
            stage_options.extend(crate::care_team::cycle::Stage::options());
            let shown = v.rows.len();
            let table = if v.rows.is_empty() {
                view! { <p class="nhsuk-body">"No one matches these filters."</p> }.into_any()
            } else {
                view! {
                <table class="nhsuk-table-responsive">
                    <caption class="nhsuk-table__caption">{format!("{shown} of {} people", v.total)}</caption>
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
