//! The person's results pages: the list, and one result explained with its trend (a chart
//! and the same numbers as a table).
use super::*;

pub(super) fn assessment_view(a: Option<Assessment>) -> impl IntoView {
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
    let data = ArcResource::new_blocking(|| (), |_| load_results());
    require_sign_in(move |viewer| {
        // To a carer, the person by name: "Mary Jones's results".
        let other = viewer.acting_for.clone();
        let heading = match &other {
            Some(name) => format!("{name}'s results"),
            None => "Your results".to_owned(),
        };
        let data = data.clone();
        view! {
            <PageHeading text=heading />
            <Suspense>
                {move || {
                    let other = other.clone();
                    let data = data.clone();
                    Suspend::new(async move {
                    match data.await {
                        Ok(list) if list.is_empty() => view! {
                            <p class="nhsuk-body">{match &other {
                                Some(name) => format!("{name}'s care team has not shared any results with them yet."),
                                None => "Your care team has not shared any results with you yet. They send them before your review, explained, once a clinician has looked at them.".to_owned(),
                            }}</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <p class="nhsuk-body">{match &other {
                                Some(name) => format!("The results {name}'s care team has shared with them, with what they mean."),
                                None => "The results your care team has shared with you, with what they mean.".to_owned(),
                            }}</p>
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
                })}}
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
    let data = ArcResource::new_blocking(move || code.clone(), load_result);
    require_sign_in(move |viewer| {
        let whose = match &viewer.acting_for {
            Some(name) => format!("{name}'s"),
            None => "Your".to_owned(),
        };
        let data = data.clone();
        view! {
            <Suspense>
                {move || {
                    let whose = whose.clone();
                    let data = data.clone();
                    Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! {
                            <div class="nhsuk-back-link"><a class="nhsuk-back-link__link" href="/results">{format!("{whose} results")}</a></div>
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
                                <caption class="nhsuk-table__caption nhsuk-table__caption--s">{format!("All {} {} results", if whose == "Your" { "your".to_owned() } else { whose.clone() }, d.summary.name)}</caption>
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
                            <p class="nhsuk-body"><a href="/results">{format!("{whose} results")}</a></p>
                        }.into_any(),
                    }
                })}}
            </Suspense>
        }
    })
}

/// A line chart of the numbers, drawn on the server. The table beside it has the same values.
#[component]
pub(super) fn TrendChart(points: Vec<Point>) -> impl IntoView {
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
