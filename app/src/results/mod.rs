//! Results, explained: for each kind of result the person has, the latest and previous values,
//! the direction of change, whether it meets the target (in words), and a trend chart drawn on
//! the server with a table alternative. The person sees only results released to them in a
//! preparation pack; until then they do not exist as far as the person's pages are concerned.
pub mod bounds;
pub mod catalogue;
pub mod chart;
#[cfg(feature = "ssr")]
pub mod corrections;
#[cfg(feature = "ssr")]
pub mod import;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use serde::{Deserialize, Serialize};

use crate::auth::pages_support::require_sign_in;
use crate::error::AppError;
use crate::ui::PageHeading;
use catalogue::Assessment;

/// One value of a result, as shown.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// The day it was taken (or, when the lab gave only that, reported), to place it on a chart.
    pub day: chrono::NaiveDate,
    /// The same day in words: "3 March 2026".
    pub date: String,
    /// The value in words with its unit: "58 mmol/mol", "more than 90 mL/min/1.73m²".
    pub text: String,
    pub value: Option<f64>,
    pub value2: Option<f64>,
    /// `value` is a bound the lab gave, not an exact number.
    pub bound: Option<bounds::Bound>,
    /// When Alongside converted the value into its unit: "converted from 6.1 %".
    pub converted: Option<String>,
    /// Only the day the lab reported it is known, not the day it was taken.
    pub reported: bool,
    /// The lab corrected it on this day: "3 December 2026".
    pub corrected: Option<String>,
    /// What it said before each correction, oldest first (for the person, only what they were
    /// shown).
    pub earlier: Vec<Earlier>,
}

/// What a result said before a lab corrected it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Earlier {
    /// "64 mmol/mol".
    pub text: String,
    /// The day it was corrected: "3 December 2026".
    pub until: String,
}

impl Point {
    /// The value with, when converted, what the lab sent: "43 mmol/mol (converted from 6.1 %)".
    pub fn shown(&self) -> String {
        match &self.converted {
            Some(c) => format!("{} ({c})", self.text),
            None => self.text.clone(),
        }
    }

    /// "on 3 March 2026", or "reported on 3 March 2026" when only the report's day is known.
    pub fn when(&self) -> String {
        if self.reported {
            format!("reported on {}", self.date)
        } else {
            format!("on {}", self.date)
        }
    }

    /// "58 mmol/mol on 3 March 2026", or "58 mmol/mol reported on 3 March 2026".
    pub fn dated(&self) -> String {
        format!("{} {}", self.text, self.when())
    }

    /// "Corrected on 3 December 2026: it was 64 mmol/mol before." (see `correction_words`);
    /// nothing for a result never corrected.
    pub fn correction(&self) -> Option<String> {
        let on = self.corrected.as_ref()?;
        Some(correction_words(on, &self.earlier))
    }
}

/// "Corrected on 3 December 2026.", with what it said before: "Corrected on 3 December 2026:
/// it was 64 mmol/mol before." or, after several corrections, "Corrected on 3 December 2026.
/// It was 64 mmol/mol until corrected on 1 December 2026, then 61 mmol/mol until corrected on
/// 3 December 2026."
pub fn correction_words(on: &str, earlier: &[Earlier]) -> String {
    match earlier {
        [] => format!("Corrected on {on}."),
        [one] if one.until == on => format!("Corrected on {on}: it was {} before.", one.text),
        _ => format!(
            "Corrected on {on}. It was {}.",
            earlier
                .iter()
                .map(|e| format!("{} until corrected on {}", e.text, e.until))
                .collect::<Vec<_>>()
                .join(", then ")
        ),
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ResultSummary {
    pub code: String,
    pub name: String,
    pub latest: Point,
    pub previous: Option<Point>,
    /// "Lower than last time, which is better (was 62 mmol/mol on 3 March 2026)."
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
    /// The person's target as shaded bands (two for blood pressure; none where results are
    /// read against bands rather than a target).
    pub bands: Vec<catalogue::Band>,
    /// The size of a meaningful change near the latest result, in its unit; a chart's visible
    /// span is several times this, so that a change that means nothing cannot look like a cliff.
    pub step: Option<f64>,
    /// One sentence describing the trend, for everyone (and for screen readers beside the chart).
    pub trend: String,
}

/// Something in a file that is not a result Alongside shows (another test, a panel that only
/// groups results, a result not yet final): left out and listed, not a reason to refuse the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// "Entry 4" or "Line 12".
    pub place: String,
    /// What it was, as the file names it: "Lipid panel (LOINC 57698-3)".
    pub what: String,
    /// Why it was left out, in plain words: "not something Alongside shows".
    pub why: String,
}

/// What an import did, for the report the nurse reads after uploading.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Imported {
    pub added: u64,
    pub already: u64,
    pub corrected: u64,
    pub removed: u64,
    /// How many people the file's results are for.
    pub people: u64,
    /// One line per result stored or changed: "Entry 2: HbA1c 52 mmol/mol, taken on 3 November
    /// 2026, added".
    pub lines: Vec<String>,
    /// What the file held that is not something Alongside shows, or was older than what is here.
    pub skipped: Vec<Skipped>,
}

/// One result entered by hand by the care team.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultForm {
    pub patient_id: String,
    pub code: String,
    pub value: String,
    pub taken_on: String,
}

#[cfg(feature = "ssr")]
pub mod intake;
#[cfg(feature = "ssr")]
pub mod service;

mod pages;
pub use pages::{ResultPage, ResultsPage};

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn ResultsRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/results") view=ResultsPage ssr=SsrMode::Async />
        <Route path=path!("/results/:code") view=ResultPage ssr=SsrMode::Async />
    }
    .into_inner()
}

mod api;
pub use api::*;
