//! The caseload page: filters and search, and the list.
use super::*;

#[component]
pub fn CaseloadPage() -> impl IntoView {
    render(load(load_caseload), |v: CaseloadView, flash: Flash| {
        let state = FormState::new("caseload", &flash);
        let f = v.filter.clone();
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
                                    <span class="nhsuk-table-responsive__heading">"Review "</span>
                                    {r.overdue.then(|| view! { <strong class="nhsuk-tag nhsuk-tag--red">"Overdue"</strong>" " })}
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
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::care_team::caseload::FilterCaseload>()} data-enhance="" id="caseload" novalidate>
                <IdempotencyKey />
                <TextField state=state.clone() name="search" label="Search by name or NHS number".into() value=f.search.clone() />
                <Radios state=state.clone() name="due" legend="Review booked or due".into() options=options(&DUE) value=f.due.clone() inline=true />
                <Radios state=state.clone() name="pack" legend="Preparation pack".into() options=options(&PACK) value=f.pack.clone() inline=true />
                <Radios state=state.clone() name="agenda" legend="Agenda".into() options=options(&AGENDA) value=f.agenda.clone() inline=true />
                <div class="nhsuk-form-group">
                    <div class="nhsuk-checkboxes">
                        <div class="nhsuk-checkboxes__item">
                            <input class="nhsuk-checkboxes__input" id="caseload-overdue" name="overdue" type="checkbox" value="on" checked=f.overdue == "on" />
                            <label class="nhsuk-label nhsuk-checkboxes__label" for="caseload-overdue">"Overdue reviews only"</label>
                        </div>
                    </div>
                </div>
                <button type="submit" class="nhsuk-button">"Show"</button>
                " "
                <button type="submit" class="nhsuk-button nhsuk-button--secondary" name="clear" value="1">"Clear filters"</button>
            </form>
            {table}
        }
    })
}
