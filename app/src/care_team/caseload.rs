//! The caseload: the people of the care team's organisations, with filters (review due within
//! N weeks, pack sent or not, agenda returned or not, overdue) and search by name or NHS number.
//! The filters live in the session, not the address: a search holds a name or an NHS number,
//! which must not end up in browser history or server logs.
use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, Notice, Radios, TextField, options};
use crate::ui::PageHeading;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseloadFilter {
    /// A name (or part of one), or a whole NHS number.
    pub search: String,
    /// "", "2", "4" or "8": a review booked or due within that many weeks.
    pub due: String,
    /// "", "sent" or "not_sent".
    pub pack: String,
    /// "", "returned" or "not_returned".
    pub agenda: String,
    /// "on" for overdue reviews only.
    pub overdue: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

pub const DUE: [(&str, &str); 4] = [
    ("", "Any time"),
    ("2", "Within 2 weeks"),
    ("4", "Within 4 weeks"),
    ("8", "Within 8 weeks"),
];
pub const PACK: [(&str, &str); 3] = [("", "Either"), ("sent", "Sent"), ("not_sent", "Not sent")];
pub const AGENDA: [(&str, &str); 3] = [
    ("", "Either"),
    ("returned", "Returned"),
    ("not_returned", "Not returned"),
];

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseloadRow {
    pub patient_id: Uuid,
    pub name: String,
    pub nhs_number: String,
    pub born: String,
    pub conditions: String,
    /// "Booked: Tuesday 1 December 2026 at 10:30", "Due 3 March 2027" or "Not set".
    pub review: String,
    pub pack_sent: bool,
    pub agenda_returned: bool,
    pub overdue: bool,
    /// On the list because the person chose to share with this organisation.
    pub shared: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseloadView {
    pub filter: CaseloadFilter,
    pub rows: Vec<CaseloadRow>,
    pub total: usize,
}

#[server(prefix = "/api/team", endpoint = "caseload")]
pub async fn load_caseload() -> Result<CaseloadView, AppError> {
    let (state, session, ctx) =
        super::open_staff(crate::access::Permission::ListCaseload, None).await?;
    let filter: CaseloadFilter = crate::session::read(&session, FILTER_KEY)
        .await?
        .unwrap_or_default();
    service::caseload(&state, &ctx, filter).await
}

#[cfg(feature = "ssr")]
use crate::session::CASELOAD_FILTER_KEY as FILTER_KEY;

/// Keeps the filters for this browser's caseload page (or clears them).
#[server(prefix = "/api/team", endpoint = "caseload_filter")]
pub async fn filter_caseload(#[server(flatten)] form: CaseloadFilter) -> Result<(), AppError> {
    let result = async {
        let (session, _) = crate::session::require_account().await?;
        let clear = form.rest.contains_key("clear");
        let mut filter = if clear {
            CaseloadFilter::default()
        } else {
            form.clone()
        };
        filter.rest.clear();
        service::check(&filter)?;
        crate::session::put(&session, FILTER_KEY, filter).await
    }
    .await;
    crate::forms::finish(
        result,
        "caseload",
        &form,
        "The list is updated.",
        "/team",
        "/team",
    )
    .await
}

#[cfg(feature = "ssr")]
pub mod service {
    use chrono::Duration;
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
    use uuid::Uuid;

    use super::{CaseloadFilter, CaseloadRow, CaseloadView};
    use crate::access::{self, StaffCtx};
    use crate::entities::{patient, patient_condition, plan, preparation_pack, review};
    use crate::error::AppError;
    use crate::nhs_number::NhsNumber;
    use crate::plan::schedule::long_date;
    use crate::preparation::service::when_words;
    use crate::state::AppState;

    /// A search that is all digits must be a whole, valid NHS number.
    pub fn check(filter: &CaseloadFilter) -> Result<(), AppError> {
        let s = filter.search.trim();
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == ' ') {
            NhsNumber::parse(s).map_err(|e| AppError::field("search", e.to_string()))?;
        }
        Ok(())
    }

    pub async fn caseload(
        state: &AppState,
        ctx: &StaffCtx,
        filter: CaseloadFilter,
    ) -> Result<CaseloadView, AppError> {
        // The people whose records the reader may open, through the access layer's filter
        // (the same rules a check uses, in one query): so no row links to "not found".
        let orgs = ctx.orgs().to_vec();
        let now = state.clock.now();
        let visible =
            access::visible_people(&state.db, ctx.actor(), access::Permission::ReadRecord).await?;
        let people = patient::Entity::find()
            .filter(visible)
            .order_by_asc(patient::Column::FamilyName)
            .order_by_asc(patient::Column::GivenName)
            .all(&state.db)
            .await?;
        let total = people.len();
        let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
        let conditions = patient_condition::Entity::find()
            .filter(patient_condition::Column::PatientId.is_in(ids.clone()))
            .all(&state.db)
            .await?;
        let booked = review::Entity::find()
            .filter(review::Column::PatientId.is_in(ids.clone()))
            .filter(review::Column::Status.eq(crate::preparation::ReviewStatus::Scheduled.code()))
            .all(&state.db)
            .await?;
        let packs = preparation_pack::Entity::find()
            .filter(preparation_pack::Column::ReviewId.is_in(booked.iter().map(|r| r.id)))
            .all(&state.db)
            .await?;
        let plans = plan::Entity::find()
            .filter(plan::Column::PatientId.is_in(ids))
            .all(&state.db)
            .await?;
        let search = filter.search.trim().to_lowercase();
        let number = NhsNumber::parse(&search).ok();
        let weeks: Option<i64> = filter.due.parse().ok();
        let mut rows = Vec::new();
        for p in people {
            let name = format!("{} {}", p.given_name, p.family_name);
            let matches = match &number {
                Some(n) => p.nhs_number == n.as_str(),
                None => search.is_empty() || name.to_lowercase().contains(&search),
            };
            if !matches {
                continue;
            }
            let r = booked.iter().find(|r| r.patient_id == p.id);
            let pack = r.and_then(|r| packs.iter().find(|k| k.review_id == Some(r.id)));
            let pack_sent = pack.is_some_and(|k| k.released_at.is_some());
            let agenda_returned = pack.is_some_and(|k| k.submitted_at.is_some());
            let due_date = plans
                .iter()
                .find(|pl| pl.patient_id == p.id)
                .and_then(|pl| pl.review_date);
            let today = crate::plan::service::today_in(&p.time_zone, now);
            let overdue = match r {
                Some(r) => r.starts_at < now,
                None => due_date.is_some_and(|d| d < today),
            };
            let within = weeks.is_none_or(|w| match r {
                Some(r) => r.starts_at <= now + Duration::weeks(w),
                None => due_date.is_some_and(|d| d <= today + Duration::weeks(w)),
            });
            let keep = within
                && match filter.pack.as_str() {
                    "sent" => pack_sent,
                    "not_sent" => !pack_sent,
                    _ => true,
                }
                && match filter.agenda.as_str() {
                    "returned" => agenda_returned,
                    "not_returned" => !agenda_returned,
                    _ => true,
                }
                && (filter.overdue != "on" || overdue);
            if !keep {
                continue;
            }
            let review = match (r, due_date) {
                (Some(r), _) => format!("Booked: {}", when_words(&p, r.starts_at)),
                (None, Some(d)) => format!("Due {}", long_date(d)),
                (None, None) => "Not set".to_owned(),
            };
            rows.push(CaseloadRow {
                patient_id: p.id,
                name,
                nhs_number: super::super::service::spaced(&p.nhs_number),
                born: long_date(p.date_of_birth),
                conditions: conditions
                    .iter()
                    .filter(|c| c.patient_id == p.id)
                    .map(|c| crate::plan::condition_name(&c.condition))
                    .collect::<Vec<_>>()
                    .join(", "),
                review,
                pack_sent,
                agenda_returned,
                overdue,
                shared: !orgs.contains(&p.organisation_id),
            });
        }
        Ok(CaseloadView {
            filter,
            rows,
            total,
        })
    }
}

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

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
