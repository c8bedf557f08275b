//! The geometry of a result's trend chart, kept apart from drawing so it can be tested: results
//! placed by their real dates, a y axis with round numbers that always shows the target and
//! never spans less than several meaningful differences (so 136 then 141 cannot look like a
//! cliff), and date labels that do not collide on a 320-pixel-wide phone.
use chrono::{Datelike as _, NaiveDate};

use super::Point;
use super::catalogue::Band;

/// The drawing's own units; the SVG scales to the width it is given.
pub const WIDTH: f64 = 320.0;
pub const HEIGHT: f64 = 210.0;
/// Room for the y labels on the left, the unit above and the date labels below.
const LEFT: f64 = 44.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 26.0;
const BOTTOM: f64 = 30.0;
/// Keeps the first and last dots off the axes.
const INSET: f64 = 12.0;
/// The closest two date labels may be: "May 2025" in the chart's 12-unit Arial is about 53 wide.
pub const LABEL_GAP: f64 = 58.0;
/// Half a date label, to keep the first and last inside the drawing.
const LABEL_HALF: f64 = 28.0;
/// The y axis spans at least this many meaningful differences.
pub const SPAN_IN_STEPS: f64 = 5.0;
/// Months between date labels, the fewest that keep them `LABEL_GAP` apart.
const MONTH_STEPS: [u32; 9] = [1, 2, 3, 4, 6, 12, 24, 60, 120];

/// Where everything goes, in the drawing's units (y grows downwards).
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    /// (y, label), bottom to top.
    pub y_ticks: Vec<(f64, String)>,
    /// (x of the tick, x of its label, label), oldest first.
    pub x_ticks: Vec<(f64, f64, String)>,
    /// The number (a blood pressure's top number), oldest first.
    pub line: Vec<(f64, f64)>,
    /// A blood pressure's bottom number; empty for other results.
    pub second: Vec<(f64, f64)>,
    /// One per band: (top, bottom, the y of the target's own line when it has one).
    pub bands: Vec<(f64, f64, Option<f64>)>,
    /// The results the lab gave as a bound, drawn as an open dot with an arrow.
    pub arrows: Vec<Arrow>,
}

/// A result the lab gave as a bound ("more than 90"): an open dot at the bound with an arrow
/// pointing the way the real value lies.
#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    /// Which point of `line` it is.
    pub index: usize,
    pub x: f64,
    pub y: f64,
    /// The y of the arrow's tip: above the dot for "more than", below for "less than", and
    /// never outside the plot.
    pub tip: f64,
    pub up: bool,
}

/// How long a bound's arrow is, in the drawing's units.
pub const ARROW: f64 = 22.0;

/// A round step for about four gaps across `span`: 1, 2 or 5 times a power of ten.
fn nice_step(span: f64) -> f64 {
    let raw = span / 4.0;
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * power)
}

/// A tick value with as many decimals as its step needs.
fn tick_label(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()) as usize
    };
    format!("{v:.decimals$}")
}

/// The y axis: (lowest, highest, step), round numbers around the values and band edges.
fn y_range(values: &[f64], bands: &[Band], step_size: Option<f64>) -> (f64, f64, f64) {
    let edges = bands.iter().flat_map(|b| [b.low, b.high]).flatten();
    let all: Vec<f64> = values
        .iter()
        .copied()
        .chain(edges)
        .filter(|v| v.is_finite())
        .collect();
    let mut lo = all.iter().copied().fold(f64::INFINITY, f64::min);
    let mut hi = all.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0, 1.0);
    }
    // With no meaningful difference known, a tenth of the value (and never nothing).
    let step = step_size
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or_else(|| (hi.abs() / 10.0).max(1.0));
    let least = SPAN_IN_STEPS * step;
    if hi - lo < least {
        let grow = (least - (hi - lo)) / 2.0;
        lo -= grow;
        hi += grow;
    }
    // No result here is below zero; neither is the axis.
    if lo < 0.0 && all.iter().all(|v| *v >= 0.0) {
        hi -= lo;
        lo = 0.0;
    }
    let tick = nice_step(hi - lo);
    let lo = (lo / tick).floor() * tick;
    let hi = (hi / tick).ceil() * tick;
    (lo, hi.max(lo + tick), tick)
}

fn month_start(year: i32, month0: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year + (month0 / 12) as i32, month0 % 12 + 1, 1)
}

/// Month starts every `every` months (January-aligned) from `first` to `last`.
fn month_ticks(first: NaiveDate, last: NaiveDate, every: u32) -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut month0 = first.month0();
    let mut year = first.year();
    if first.day() != 1 {
        month0 += 1;
    }
    while !month0.is_multiple_of(every) {
        month0 += 1;
    }
    while let Some(day) = month_start(year, month0) {
        if day > last {
            break;
        }
        out.push(day);
        month0 += every;
        // Keep `month0` small so years roll over cleanly.
        year += (month0 / 12) as i32;
        month0 %= 12;
    }
    out
}

/// Lays out a chart of `points` (oldest first) with the target `bands`; `None` when fewer than
/// two results have numbers.
pub fn layout(points: &[Point], bands: &[Band], step_size: Option<f64>) -> Option<Layout> {
    let numbered: Vec<&Point> = points.iter().filter(|p| p.value.is_some()).collect();
    if numbered.len() < 2 {
        return None;
    }
    let (left, right, top, bottom) = (LEFT, WIDTH - RIGHT, TOP, HEIGHT - BOTTOM);
    let mut values: Vec<f64> = numbered
        .iter()
        .flat_map(|p| [p.value, p.value2])
        .flatten()
        .collect();
    // Room past each bound the way its arrow points (a meaningful difference, or a tenth):
    // the axis then shows that the value may lie beyond it. Never below zero for a result that
    // cannot be negative.
    let beyond: Vec<f64> = numbered
        .iter()
        .filter_map(|p| {
            let (v, b) = (p.value?, p.bound?);
            let room = step_size
                .filter(|s| s.is_finite() && *s > 0.0)
                .unwrap_or_else(|| (v.abs() / 10.0).max(1.0));
            Some(match (b.upward(), v >= 0.0) {
                (true, _) => v + room,
                (false, true) => (v - room).max(0.0),
                (false, false) => v - room,
            })
        })
        .collect();
    values.extend(beyond);
    let (mut lo, mut hi, mut tick) = y_range(&values, bands, step_size);
    // Room inside the plot for each arrow: where a bound sits too near the edge its arrow
    // points to, stretch the axis to make room (a few tries; the arrow is cut short after).
    for _ in 0..3 {
        let need = (ARROW + 2.0) / (bottom - top) * (hi - lo);
        let short: Vec<f64> = numbered
            .iter()
            .filter_map(|p| {
                let (v, b) = (p.value?, p.bound?);
                match b.upward() {
                    true if v + need > hi => Some(v + need),
                    false if v - need < lo && lo > 0.0 => Some((v - need).max(0.0)),
                    _ => None,
                }
            })
            .collect();
        if short.is_empty() {
            break;
        }
        values.extend(short);
        (lo, hi, tick) = y_range(&values, bands, step_size);
    }
    let y = |v: f64| bottom - (v - lo) / (hi - lo) * (bottom - top);

    let first = numbered.iter().map(|p| p.day).min()?;
    let last = numbered.iter().map(|p| p.day).max()?;
    let days = (last - first).num_days() as f64;
    let width = right - left - 2.0 * INSET;
    let x = |d: NaiveDate| {
        if days > 0.0 {
            left + INSET + (d - first).num_days() as f64 / days * width
        } else {
            left + INSET + width / 2.0
        }
    };
    let per_day = if days > 0.0 { width / days } else { width };
    let every = MONTH_STEPS
        .into_iter()
        .find(|m| f64::from(*m) * 30.44 * per_day >= LABEL_GAP)
        .unwrap_or(120);
    let mut ticks = month_ticks(first, last, every);
    if ticks.is_empty() {
        ticks.push(first);
    }
    let x_ticks = ticks
        .into_iter()
        .map(|d| {
            let at = x(d);
            let label_at = at.clamp(LABEL_HALF, WIDTH - LABEL_HALF);
            (at, label_at, d.format("%b %Y").to_string())
        })
        .collect();

    let count = ((hi - lo) / tick).round() as usize;
    let y_ticks = (0..=count)
        .map(|i| {
            let v = lo + i as f64 * tick;
            (y(v), tick_label(v, tick))
        })
        .collect();
    let line = numbered
        .iter()
        .filter_map(|p| p.value.map(|v| (x(p.day), y(v))))
        .collect();
    // `numbered` all have a value, so its indices are `line`'s.
    let arrows = numbered
        .iter()
        .enumerate()
        .filter_map(|(index, p)| {
            let (v, b) = (p.value?, p.bound?);
            let (at, up) = (y(v), b.upward());
            let tip = if up { at - ARROW } else { at + ARROW };
            Some(Arrow {
                index,
                x: x(p.day),
                y: at,
                tip: tip.clamp(top, bottom),
                up,
            })
        })
        .collect();
    let second = numbered
        .iter()
        .filter_map(|p| p.value2.map(|v| (x(p.day), y(v))))
        .collect();
    let bands = bands
        .iter()
        .map(|b| {
            let high = b.high.map_or(top, |h| y(h).clamp(top, bottom));
            let low = b.low.map_or(bottom, |l| y(l).clamp(top, bottom));
            (high, low, b.high.map(|h| y(h).clamp(top, bottom)))
        })
        .collect();
    Some(Layout {
        left,
        right,
        top,
        bottom,
        y_ticks,
        x_ticks,
        line,
        second,
        bands,
        arrows,
    })
}

/// Points as "x,y x,y" for an SVG polyline.
pub fn polyline(points: &[(f64, f64)]) -> String {
    points
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::bounds::Bound;
    use crate::results::catalogue;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn point(day: NaiveDate, value: f64, value2: Option<f64>) -> Point {
        Point {
            day,
            date: String::new(),
            text: String::new(),
            value: Some(value),
            value2,
            bound: None,
            converted: None,
            reported: false,
            corrected: None,
            earlier: Vec::new(),
        }
    }

    /// Five results over two years, the last a fortnight before "now", like the demo's.
    fn two_years(values: [(f64, Option<f64>); 5]) -> Vec<Point> {
        let now = day(2026, 11, 20);
        [730, 548, 365, 182, 14]
            .into_iter()
            .zip(values)
            .map(|(ago, (v, v2))| point(now - chrono::Duration::days(ago), v, v2))
            .collect()
    }

    fn value_at(l: &Layout, y: f64) -> f64 {
        // Reads a y position back as a number, from the first and last ticks.
        let (y0, v0) = (l.y_ticks[0].0, l.y_ticks[0].1.parse::<f64>().unwrap());
        let last = l.y_ticks.last().unwrap();
        let (y1, v1) = (last.0, last.1.parse::<f64>().unwrap());
        v0 + (y - y0) / (y1 - y0) * (v1 - v0)
    }

    #[test]
    fn results_are_placed_by_their_dates_not_evenly() {
        let pts = vec![
            point(day(2026, 1, 1), 50.0, None),
            point(day(2026, 1, 11), 52.0, None),
            point(day(2026, 12, 27), 54.0, None),
        ];
        let l = layout(&pts, &[], Some(5.0)).unwrap();
        let (a, b, c) = (l.line[0].0, l.line[1].0, l.line[2].0);
        assert!(
            (b - a) * 30.0 < c - b,
            "10 days is a small step, 350 a long one"
        );
        assert!(a > l.left && c < l.right, "dots stay inside the axes");
    }

    #[test]
    fn a_small_change_does_not_look_like_a_cliff() {
        // The example: a top number of 136 then 141, with the usual target.
        let bp = two_years([
            (148.0, Some(88.0)),
            (142.0, Some(86.0)),
            (138.0, Some(84.0)),
            (136.0, Some(82.0)),
            (141.0, Some(85.0)),
        ]);
        let bands = catalogue::target_bands("blood_pressure", 60, None);
        let l = layout(&bp, &bands, Some(10.0)).unwrap();
        let drop = l.line[3].1 - l.line[4].1;
        let plot = l.bottom - l.top;
        assert!(
            drop > 0.0 && drop < plot / 8.0,
            "5 mmHg rises less than an eighth of the chart, not {drop} of {plot}"
        );
        let lowest = value_at(&l, l.bottom);
        let highest = value_at(&l, l.top);
        assert!(lowest <= 60.0 && highest >= 148.0, "{lowest}..{highest}");
        assert_eq!(l.second.len(), 5, "the bottom number has its own line");
        assert_eq!(l.bands.len(), 2, "each number has its own target band");
    }

    #[test]
    fn the_axis_spans_several_meaningful_differences_and_shows_the_target() {
        // Cholesterol 2.5 then 2.6 against a target of 2.6: a meaningful difference is 0.5.
        let pts = vec![
            point(day(2026, 3, 1), 2.5, None),
            point(day(2026, 9, 1), 2.6, None),
        ];
        let bands = catalogue::target_bands("non_hdl_cholesterol", 60, None);
        let l = layout(&pts, &bands, Some(0.5)).unwrap();
        let span = value_at(&l, l.top) - value_at(&l, l.bottom);
        assert!(span >= SPAN_IN_STEPS * 0.5 - 1e-9, "span {span}");
        let (band_top, band_bottom, edge) = l.bands[0];
        assert_eq!(band_bottom, l.bottom, "'2.6 or lower' runs to the bottom");
        assert!((value_at(&l, band_top) - 2.6).abs() < 1e-9);
        assert_eq!(edge, Some(band_top));
        // HbA1c far above a target of 48 still shows the target.
        let high = vec![
            point(day(2026, 3, 1), 80.0, None),
            point(day(2026, 9, 1), 84.0, None),
        ];
        let bands = catalogue::target_bands("hba1c", 60, None);
        let l = layout(&high, &bands, Some(5.0)).unwrap();
        assert!(value_at(&l, l.bottom) <= 48.0);
    }

    #[test]
    fn y_ticks_are_round_and_the_axis_never_goes_below_zero() {
        assert_eq!(nice_step(88.0), 50.0);
        assert_eq!(nice_step(25.0), 10.0);
        assert_eq!(nice_step(2.5), 1.0);
        assert_eq!(nice_step(1.2), 0.5);
        let pts = vec![
            point(day(2026, 3, 1), 0.4, None),
            point(day(2026, 9, 1), 0.9, None),
        ];
        let l = layout(&pts, &[], Some(1.0)).unwrap();
        assert_eq!(l.y_ticks[0].1, "0");
        for (_, label) in &l.y_ticks {
            let v: f64 = label.parse().unwrap();
            assert!(v >= 0.0 && (v * 10.0 - (v * 10.0).round()).abs() < 1e-9);
        }
        assert_eq!(tick_label(2.5, 0.5), "2.5");
        assert_eq!(tick_label(140.0, 20.0), "140");
    }

    #[test]
    fn date_labels_are_months_spaced_wide_enough_for_a_phone() {
        for pts in [
            two_years([(50.0, None); 5]),
            vec![
                point(day(2026, 1, 5), 50.0, None),
                point(day(2026, 4, 20), 52.0, None),
            ],
            vec![
                point(day(2016, 1, 5), 50.0, None),
                point(day(2026, 4, 20), 52.0, None),
            ],
        ] {
            let l = layout(&pts, &[], Some(5.0)).unwrap();
            assert!(!l.x_ticks.is_empty());
            for pair in l.x_ticks.windows(2) {
                assert!(pair[1].1 - pair[0].1 >= LABEL_GAP - 1e-9, "{:?}", l.x_ticks);
            }
            for (at, label_at, label) in &l.x_ticks {
                assert!(*at >= l.left && *at <= l.right, "{label} inside the axis");
                assert!(*label_at >= LABEL_HALF && *label_at <= WIDTH - LABEL_HALF);
                assert!(
                    label.len() == 8 && label.ends_with(char::is_numeric),
                    "{label}"
                );
            }
        }
        let ticks = month_ticks(day(2024, 11, 20), day(2026, 11, 6), 6);
        assert_eq!(
            ticks,
            vec![
                day(2025, 1, 1),
                day(2025, 7, 1),
                day(2026, 1, 1),
                day(2026, 7, 1)
            ]
        );
    }

    #[test]
    fn a_bound_is_an_open_dot_with_an_arrow_the_way_the_value_lies() {
        let mut pts = vec![
            point(day(2026, 1, 1), 85.0, None),
            point(day(2026, 6, 1), 88.0, None),
            point(day(2026, 11, 1), 90.0, None),
        ];
        pts[2].bound = Some(Bound::More);
        let l = layout(&pts, &[], Some(5.0)).unwrap();
        assert_eq!(l.arrows.len(), 1, "only the bound has an arrow");
        let a = &l.arrows[0];
        assert_eq!((a.index, a.x, a.y), (2, l.line[2].0, l.line[2].1));
        assert!(a.up, "more than 90 points up");
        assert!((a.y - a.tip - ARROW).abs() < 1e-9, "a full-length arrow");
        assert!(a.tip >= l.top, "the arrow stays inside the plot");
        assert!(
            value_at(&l, l.top) >= 95.0,
            "the axis goes past the bound by a meaningful difference, to {}",
            value_at(&l, l.top)
        );
        // Less than 3 (ACR): down, and the axis stays at zero or above.
        let mut acr = vec![
            point(day(2026, 1, 1), 4.0, None),
            point(day(2026, 6, 1), 3.0, None),
        ];
        acr[1].bound = Some(Bound::Less);
        let l = layout(&acr, &[], Some(3.0)).unwrap();
        let a = &l.arrows[0];
        assert!(!a.up && a.tip > a.y && a.tip <= l.bottom);
        assert_eq!(l.y_ticks[0].1, "0");
        assert!(layout(&pts[..2], &[], Some(5.0)).unwrap().arrows.is_empty());
    }

    #[test]
    fn one_result_is_not_a_trend() {
        assert_eq!(
            layout(&[point(day(2026, 1, 1), 5.0, None)], &[], None),
            None
        );
        let same_day = vec![
            point(day(2026, 1, 1), 5.0, None),
            point(day(2026, 1, 1), 6.0, None),
        ];
        let l = layout(&same_day, &[], None).unwrap();
        assert_eq!(l.x_ticks.len(), 1);
        assert_eq!(polyline(&l.line[..1]).split(' ').count(), 1);
    }
}
