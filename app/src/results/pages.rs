//! The person's results pages: the list, and one result explained with its trend (a chart
//! and the same numbers as a table).
use super::bounds::Bound;
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
                                        <p class="nhsuk-body-l nhsuk-u-margin-bottom-2">{format!("{} ", r.latest.shown())}<span class="nhsuk-body-s">{r.latest.when()}</span></p>
                                        {r.latest.correction().map(|c| view! { <p class="nhsuk-body-s"><strong>{c}</strong></p> })}
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
                            <p class="nhsuk-body-l">{format!("{} {}", d.summary.latest.shown(), d.summary.latest.when())}</p>
                            {d.summary.latest.correction().map(|c| view! { <p class="nhsuk-body"><strong>{c}</strong></p> })}
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
                            <TrendChart points=d.points.clone() bands=d.bands.clone() step=d.step unit=d.unit.clone() name=d.summary.name.clone() />
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
                                            <td class="nhsuk-table__cell">{if p.reported { format!("Reported on {}", p.date) } else { p.date.clone() }}</td>
                                            <td class="nhsuk-table__cell">{p.shown()}
                                                {p.correction().map(|c| view! { <br /><span class="nhsuk-body-s">{c}</span> })}
                                            </td>
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

/// A chart of the numbers, drawn on the server: dated x axis, a y axis with the unit, the target
/// shaded, and for blood pressure both numbers with a key in words. The table after it has the
/// same values, and the chart's label says so.
#[component]
pub(super) fn TrendChart(
    points: Vec<Point>,
    bands: Vec<catalogue::Band>,
    step: Option<f64>,
    unit: String,
    name: String,
) -> impl IntoView {
    let Some(l) = chart::layout(&points, &bands, step) else {
        return ().into_any();
    };
    let two = !l.second.is_empty();
    let (first, last) = (
        points.first().map(|p| p.date.clone()).unwrap_or_default(),
        points.last().map(|p| p.date.clone()).unwrap_or_default(),
    );
    let label = format!(
        "Chart of {} results for {name}, from {first} to {last}{}.{} The table below has the same numbers.",
        points.len(),
        match (bands.len(), two) {
            (0, _) => "",
            (_, true) => ", with the targets for both numbers shaded",
            (_, false) => ", with the target shaded",
        },
        if l.arrows.is_empty() {
            ""
        } else {
            " An arrow marks a result the lab gave as a bound, not an exact number."
        }
    );
    let (left, right, top, bottom) = (l.left, l.right, l.top, l.bottom);
    let px = |v: f64| format!("{v:.1}");
    let band_views = l
        .bands
        .iter()
        .map(|(high, low, edge)| {
            view! {
                <rect class="app-chart__band" x=px(left) y=px(*high) width=px(right - left) height=px(low - high) />
                {edge.map(|y| view! { <line class="app-chart__target" x1=px(left) x2=px(right) y1=px(y) y2=px(y) /> })}
            }
        })
        .collect_view();
    let y_views = l
        .y_ticks
        .iter()
        .map(|(y, text)| {
            view! {
                <line class="app-chart__grid" x1=px(left) x2=px(right) y1=px(*y) y2=px(*y) />
                <text class="app-chart__label" x=px(left - 6.0) y=px(y + 4.0) text-anchor="end">{text.clone()}</text>
            }
        })
        .collect_view();
    let x_views = l
        .x_ticks
        .iter()
        .map(|(at, label_at, text)| {
            view! {
                <line class="app-chart__axis" x1=px(*at) x2=px(*at) y1=px(bottom) y2=px(bottom + 5.0) />
                <text class="app-chart__label app-chart__date" x=px(*label_at) y=px(bottom + 19.0) text-anchor="middle">{text.clone()}</text>
            }
        })
        .collect_view();
    let dots = l
        .line
        .iter()
        .enumerate()
        .filter(|(i, _)| !l.arrows.iter().any(|a| a.index == *i))
        .map(|(_, (x, y))| view! { <circle class="app-chart__dot" cx=px(*x) cy=px(*y) r="4" /> })
        .collect_view();
    // A bound: an open dot, and an arrow from its edge the way the real value lies.
    let arrows = l
        .arrows
        .iter()
        .map(|a| {
            let way = if a.up { -1.0 } else { 1.0 };
            let head = format!(
                "{},{} {},{} {},{}",
                px(a.x - 5.0),
                px(a.tip - way * 8.0),
                px(a.x + 5.0),
                px(a.tip - way * 8.0),
                px(a.x),
                px(a.tip)
            );
            view! {
                <line class="app-chart__arrow" x1=px(a.x) x2=px(a.x) y1=px(a.y + way * 4.0) y2=px(a.tip - way * 7.0) />
                <polygon class="app-chart__arrowhead" points=head />
                <circle class="app-chart__dot app-chart__dot--bound" cx=px(a.x) cy=px(a.y) r="4" />
            }
        })
        .collect_view();
    let bounds: Vec<_> = points.iter().filter_map(|p| p.bound).collect();
    let bound_key = |up: bool| {
        let these: Vec<Bound> = bounds
            .iter()
            .copied()
            .filter(|b| b.upward() == up)
            .collect();
        if these.is_empty() {
            return None;
        }
        let strict = if up { Bound::More } else { Bound::Less };
        let words = match (up, these.iter().all(|b| *b == strict)) {
            (true, true) => "more than this",
            (true, false) => "this or more",
            (false, true) => "less than this",
            (false, false) => "this or less",
        };
        Some(format!(
            "Open dot with an arrow pointing {}: the lab gave a bound, not an exact number. The result is {words}.",
            if up { "up" } else { "down" }
        ))
    };
    let (up_key, down_key) = (bound_key(true), bound_key(false));
    let dot_words = if points.iter().any(|p| p.reported) {
        "Each dot is one result, placed on the date it was taken (or, where the lab gave only that, the date it was reported)"
    } else {
        "Each dot is one result, placed on the date it was taken"
    };
    let squares = l
        .second
        .iter()
        .map(|(x, y)| view! { <rect class="app-chart__dot app-chart__dot--second" x=px(x - 3.5) y=px(y - 3.5) width="7" height="7" /> })
        .collect_view();
    let line = chart::polyline(&l.line);
    let second = two.then(|| chart::polyline(&l.second));
    view! {
        <figure class="app-chart-figure">
            <svg class="app-chart app-chart--trend" viewBox=format!("0 0 {} {}", chart::WIDTH, chart::HEIGHT) width=chart::WIDTH height=chart::HEIGHT role="img" aria-label=label>
                {band_views}
                {y_views}
                <text class="app-chart__label" x="0" y="13">{unit}</text>
                <line class="app-chart__axis" x1=px(left) x2=px(left) y1=px(top) y2=px(bottom) />
                <line class="app-chart__axis" x1=px(left) x2=px(right) y1=px(bottom) y2=px(bottom) />
                {x_views}
                <polyline class="app-chart__line" points=line fill="none" />
                {second.map(|s| view! { <polyline class="app-chart__line app-chart__line--second" points=s fill="none" /> })}
                {dots}
                {arrows}
                {squares}
            </svg>
            <ul class="app-chart__key nhsuk-list nhsuk-body-s">
                {if two {
                    view! {
                        <li><KeySwatch kind="line" />"Solid line, round dots: the top number (systolic)"</li>
                        <li><KeySwatch kind="second" />"Dashed line, square dots: the bottom number (diastolic)"</li>
                    }.into_any()
                } else {
                    view! { <li><KeySwatch kind="line" />{dot_words}</li> }.into_any()
                }}
                {up_key.map(|k| view! { <li><KeySwatch kind="up" />{k}</li> })}
                {down_key.map(|k| view! { <li><KeySwatch kind="down" />{k}</li> })}
                {bands.into_iter().map(|b| view! { <li><KeySwatch kind="band" />{format!("Shaded band: {}", b.words)}</li> }).collect_view()}
            </ul>
        </figure>
    }
    .into_any()
}

/// A small picture of what a line of the key describes, beside its words.
#[component]
fn KeySwatch(kind: &'static str) -> impl IntoView {
    let drawing = match kind {
        "band" => view! {
            <rect class="app-chart__band" x="0" y="2" width="28" height="12" />
            <line class="app-chart__target" x1="0" x2="28" y1="2" y2="2" />
        }
        .into_any(),
        "up" | "down" => {
            // The dot at one end of the swatch, the arrow running to the other.
            let (dot, line_from, line_to, head) = if kind == "up" {
                ("11.5", "7.5", "5", "10,6 18,6 14,0.5")
            } else {
                ("4.5", "8.5", "11", "10,10 18,10 14,15.5")
            };
            view! {
                <line class="app-chart__arrow" x1="14" x2="14" y1=line_from y2=line_to />
                <polygon class="app-chart__arrowhead" points=head />
                <circle class="app-chart__dot app-chart__dot--bound" cx="14" cy=dot r="3.5" />
            }
            .into_any()
        }
        "second" => view! {
            <line class="app-chart__line app-chart__line--second" x1="0" x2="28" y1="8" y2="8" />
            <rect class="app-chart__dot app-chart__dot--second" x="10.5" y="4.5" width="7" height="7" />
        }
        .into_any(),
        _ => view! {
            <line class="app-chart__line" x1="0" x2="28" y1="8" y2="8" />
            <circle class="app-chart__dot" cx="14" cy="8" r="4" />
        }
        .into_any(),
    };
    view! {
        <svg class="app-chart__swatch" viewBox="0 0 28 16" width="28" height="16" aria-hidden="true" focusable="false">{drawing}</svg>
    }
}
