//! Results, explained: for each kind of result the person has, the latest and previous values,
//! the direction of change, whether it meets the target (in words), and a trend chart drawn on
//! the server with a table alternative. The person sees only results released to them in a
//! preparation pack; until then they do not exist as far as the person's pages are concerned.
pub mod catalogue;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::auth::pages_support::require_sign_in;
use crate::error::AppError;
use crate::shell::PageHeading;
use catalogue::Assessment;

/// One value of a result, as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub date: String,
    pub text: String,
    pub value: Option<f64>,
    pub value2: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultSummary {
    pub code: String,
    pub name: String,
    pub latest: Point,
    pub previous: Option<Point>,
    /// "Lower than last time (was 62 on 3 March 2026)."
    pub change: String,
    pub assessment: Option<Assessment>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultDetail {
    pub summary: ResultSummary,
    pub what: String,
    pub why: String,
    pub numbers: String,
    pub unit: String,
    /// Oldest first.
    pub points: Vec<Point>,
    /// One sentence describing the trend, for everyone (and for screen readers beside the chart).
    pub trend: String,
}

#[server(prefix = "/api/results", endpoint = "list")]
pub async fn load_results() -> Result<Vec<ResultSummary>, AppError> {
    let (state, ctx) = service::ctx().await?;
    service::summaries(&state, &ctx).await
}

#[server(prefix = "/api/results", endpoint = "detail")]
pub async fn load_result(code: String) -> Result<ResultDetail, AppError> {
    let (state, ctx) = service::ctx().await?;
    service::detail(&state, &ctx, &code).await
}

#[cfg(feature = "ssr")]
pub mod service {
    use chrono::{Datelike as _, NaiveDate};
    use sea_orm::{ActiveModelTrait as _, Set};
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
    use uuid::Uuid;

    use super::catalogue::{self, Better, coded_words, show};
    use super::{Point, ResultDetail, ResultSummary};
    use crate::entities::{observation, patient, preparation_pack};
    use crate::error::AppError;
    use crate::plan::schedule::long_date;
    use crate::plan::service::{Ctx, for_patient, own_patient};
    use crate::policy::{self, Action, Actor, Subject};
    use crate::state::AppState;

    pub async fn ctx() -> Result<(AppState, Ctx), AppError> {
        let state = crate::state::app_state()?;
        let (_, account) = crate::auth::session::require_account().await?;
        let patient = own_patient(&state, account)
            .await?
            .ok_or(AppError::NotFound)?;
        let ctx = for_patient(&state, account, Action::ReadResults, patient).await?;
        Ok((state, ctx))
    }

    /// Results the person may see: those entered before their latest released pack.
    pub async fn visible(state: &AppState, ctx: &Ctx) -> Result<Vec<observation::Model>, AppError> {
        let released = preparation_pack::Entity::find()
            .filter(preparation_pack::Column::PatientId.eq(ctx.patient.id))
            .filter(preparation_pack::Column::ReleasedAt.is_not_null())
            .order_by_desc(preparation_pack::Column::ReleasedAt)
            .one(&state.db)
            .await?
            .and_then(|p| p.released_at);
        let Some(released) = released else {
            return Ok(Vec::new());
        };
        Ok(observation::Entity::find()
            .filter(observation::Column::PatientId.eq(ctx.patient.id))
            .filter(observation::Column::CreatedAt.lte(released))
            .order_by_asc(observation::Column::TakenAt)
            .all(&state.db)
            .await?)
    }

    /// A care-team member releases everything entered so far to the person.
    pub async fn release(state: &AppState, staff: Uuid, patient_id: Uuid) -> Result<(), AppError> {
        policy::check(
            &state.db,
            Actor { account_id: staff },
            Action::ReleaseResults,
            Subject::Patient(patient_id),
        )
        .await?;
        let now = state.clock.now();
        preparation_pack::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(patient_id),
            released_at: Set(Some(now)),
            released_by: Set(Some(staff)),
            created_at: Set(now),
        }
        .insert(&state.db)
        .await?;
        Ok(())
    }

    fn point(o: &observation::Model, unit: &str) -> Point {
        let text = match (o.value_num, o.value_num2, &o.value_code) {
            (Some(a), Some(b), _) => format!("{}/{} {unit}", show(a), show(b)),
            (Some(a), None, _) => format!("{} {unit}", show(a)),
            (None, _, Some(c)) => coded_words(c),
            _ => String::new(),
        };
        Point {
            date: long_date(o.taken_at.date_naive()),
            text: text.trim().to_owned(),
            value: o.value_num,
            value2: o.value_num2,
        }
    }

    fn age_on(born: NaiveDate, day: NaiveDate) -> u32 {
        let mut age = day.year() - born.year();
        if (day.month(), day.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        u32::try_from(age).unwrap_or(0)
    }

    fn summarise(
        p: &patient::Model,
        today: NaiveDate,
        rows: &[&observation::Model],
    ) -> Option<ResultSummary> {
        let latest_row = rows.last()?;
        let kind = catalogue::kind(&latest_row.code)?;
        let latest = point(latest_row, kind.unit);
        let previous = rows.len().checked_sub(2).map(|i| point(rows[i], kind.unit));
        let change = match (rows.len().checked_sub(2).map(|i| rows[i]), kind.better) {
            (Some(prev), _) if prev.value_num.is_none() => {
                if prev.value_code == latest_row.value_code {
                    "The same as last time.".to_owned()
                } else {
                    format!(
                        "Last time it was: {}.",
                        previous
                            .as_ref()
                            .map(|p| p.text.clone())
                            .unwrap_or_default()
                    )
                }
            }
            (Some(prev), better) => {
                let (a, b) = (
                    prev.value_num.unwrap_or(0.0),
                    latest_row.value_num.unwrap_or(0.0),
                );
                let was = previous
                    .as_ref()
                    .map(|p| format!("{} on {}", p.text, p.date))
                    .unwrap_or_default();
                let direction = if (b - a).abs() < 1e-9 {
                    "The same as last time".to_owned()
                } else {
                    let word = if b > a { "Higher" } else { "Lower" };
                    let judgement = match better {
                        Some(Better::Lower) if b < a => ", which is better",
                        Some(Better::Higher) if b > a => ", which is better",
                        Some(_) => ", which is worse",
                        None => "",
                    };
                    format!("{word} than last time{judgement}")
                };
                format!("{direction} (was {was}).")
            }
            (None, _) => "This is your first result of this kind.".to_owned(),
        };
        let age = age_on(p.date_of_birth, today);
        Some(ResultSummary {
            code: kind.code.to_owned(),
            name: kind.name.to_owned(),
            latest,
            previous,
            change,
            assessment: catalogue::assess(
                kind.code,
                latest_row.value_num,
                latest_row.value_num2,
                latest_row.value_code.as_deref(),
                age,
                None,
            ),
        })
    }

    pub async fn summaries(state: &AppState, ctx: &Ctx) -> Result<Vec<ResultSummary>, AppError> {
        let rows = visible(state, ctx).await?;
        Ok(catalogue::KINDS
            .iter()
            .filter_map(|k| {
                let mine: Vec<&observation::Model> =
                    rows.iter().filter(|r| r.code == k.code).collect();
                summarise(&ctx.patient, ctx.today, &mine)
            })
            .collect())
    }

    pub async fn detail(state: &AppState, ctx: &Ctx, code: &str) -> Result<ResultDetail, AppError> {
        let kind = catalogue::kind(code).ok_or(AppError::NotFound)?;
        let rows = visible(state, ctx).await?;
        let mine: Vec<&observation::Model> = rows.iter().filter(|r| r.code == kind.code).collect();
        let summary = summarise(&ctx.patient, ctx.today, &mine).ok_or(AppError::NotFound)?;
        let points: Vec<Point> = mine.iter().map(|o| point(o, kind.unit)).collect();
        let trend = match (points.first(), points.last()) {
            (Some(first), Some(last)) if points.len() > 1 => format!(
                "{} results from {} to {}: from {} to {}.",
                points.len(),
                first.date,
                last.date,
                first.text,
                last.text
            ),
            _ => "There is one result so far.".to_owned(),
        };
        Ok(ResultDetail {
            summary,
            what: kind.what.to_owned(),
            why: kind.why.to_owned(),
            numbers: kind.numbers.to_owned(),
            unit: kind.unit.to_owned(),
            points,
            trend,
        })
    }
}

fn assessment_view(a: Option<Assessment>) -> impl IntoView {
    a.map(|a| {
        let tag = match a.meets_target {
            Some(true) => Some(("nhsuk-tag nhsuk-tag--green", "Meets target")),
            Some(false) => Some(("nhsuk-tag nhsuk-tag--orange", "Above target")),
            None => None,
        };
        view! {
            <p class="nhsuk-body">
                {tag.map(|(class, text)| view! { <strong class=class>{text}</strong>" " })}
                {a.words}
            </p>
        }
    })
}

#[component]
pub fn ResultsPage() -> impl IntoView {
    let data = Resource::new_blocking(|| (), |_| load_results());
    require_sign_in(move |_| {
        view! {
            <PageHeading text="Your results" />
            <Suspense>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="nhsuk-body">"Your care team has not shared any results with you yet. They send them before your review, explained, once a clinician has looked at them."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <p class="nhsuk-body">"The results your care team has shared with you, with what they mean."</p>
                            {list.into_iter().map(|r| view! {
                                <div class="nhsuk-card">
                                    <div class="nhsuk-card__content">
                                        <h2 class="nhsuk-card__heading nhsuk-heading-s">
                                            <a href=format!("/results/{}", r.code)>{r.name.clone()}</a>
                                        </h2>
                                        <p class="nhsuk-body-l nhsuk-u-margin-bottom-2">{format!("{} ", r.latest.text)}<span class="nhsuk-body-s">{format!("on {}", r.latest.date)}</span></p>
                                        {assessment_view(r.assessment.clone())}
                                        <p class="nhsuk-body-s">{r.change.clone()}</p>
                                    </div>
                                </div>
                            }).collect_view()}
                        }.into_any(),
                        Err(err) => view! { <p class="nhsuk-body">{err.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}

#[component]
pub fn ResultPage() -> impl IntoView {
    let code = use_params_map()
        .get_untracked()
        .get("code")
        .unwrap_or_default();
    let data = Resource::new_blocking(move || code.clone(), load_result);
    require_sign_in(move |_| {
        view! {
            <Suspense>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! {
                            <div class="nhsuk-back-link"><a class="nhsuk-back-link__link" href="/results">"Your results"</a></div>
                            <PageHeading text=d.summary.name.clone() />
                            <p class="nhsuk-body-l">{format!("{} on {}", d.summary.latest.text, d.summary.latest.date)}</p>
                            {assessment_view(d.summary.assessment.clone())}
                            <p class="nhsuk-body">{d.summary.change.clone()}</p>
                            <h2 class="nhsuk-heading-m">"What it is"</h2>
                            <p class="nhsuk-body">{d.what.clone()}</p>
                            <h2 class="nhsuk-heading-m">"Why it matters"</h2>
                            <p class="nhsuk-body">{d.why.clone()}</p>
                            <h2 class="nhsuk-heading-m">"What the numbers mean"</h2>
                            <p class="nhsuk-body">{d.numbers.clone()}</p>
                            <h2 class="nhsuk-heading-m">"Over time"</h2>
                            <p class="nhsuk-body">{d.trend.clone()}</p>
                            <TrendChart points=d.points.clone() />
                            <table class="nhsuk-table">
                                <caption class="nhsuk-table__caption nhsuk-table__caption--s">{format!("All your {} results", d.summary.name)}</caption>
                                <thead class="nhsuk-table__head">
                                    <tr class="nhsuk-table__row">
                                        <th class="nhsuk-table__header" scope="col">"Date"</th>
                                        <th class="nhsuk-table__header" scope="col">"Result"</th>
                                    </tr>
                                </thead>
                                <tbody class="nhsuk-table__body">
                                    {d.points.iter().rev().map(|p| view! {
                                        <tr class="nhsuk-table__row">
                                            <td class="nhsuk-table__cell">{p.date.clone()}</td>
                                            <td class="nhsuk-table__cell">{p.text.clone()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(_) => view! {
                            <PageHeading text="Result not found" />
                            <p class="nhsuk-body"><a href="/results">"Your results"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        }
    })
}

/// A line chart of the numbers, drawn on the server. The table beside it has the same values.
#[component]
fn TrendChart(points: Vec<Point>) -> impl IntoView {
    let values: Vec<f64> = points.iter().filter_map(|p| p.value).collect();
    if values.len() < 2 {
        return ().into_any();
    }
    let (w, h, pad) = (320.0_f64, 120.0_f64, 10.0_f64);
    let max = values.iter().cloned().fold(f64::MIN, f64::max);
    let min = values.iter().cloned().fold(f64::MAX, f64::min);
    let span = (max - min).max(1e-9);
    let step = (w - 2.0 * pad) / (values.len() - 1) as f64;
    let coords: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            (
                pad + i as f64 * step,
                h - pad - (v - min) / span * (h - 2.0 * pad),
            )
        })
        .collect();
    let line = coords
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    view! {
        <svg class="app-chart" viewBox=format!("0 0 {w} {h}") width=w height=h aria-hidden="true" focusable="false">
            <polyline points=line class="app-chart__line" fill="none" />
            {coords.into_iter().map(|(x, y)| view! { <circle cx=format!("{x:.1}") cy=format!("{y:.1}") r="4" class="app-chart__dot" /> }).collect_view()}
        </svg>
    }
    .into_any()
}
