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
use crate::forms::{ErrorSummary, Flash, FormState, Notice, Radios, Select, TextField, options};
use crate::ui::PageHeading;

mod api;
pub use api::*;

#[cfg(feature = "ssr")]
pub mod service;

mod pages;
pub use pages::*;

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

/// The stage filters, from the address (`/team?stage=results_in&overdue=on`): a GET form, since
/// a stage names no one. An unknown stage shows everyone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageFilter {
    pub stage: Option<crate::care_team::cycle::Stage>,
    pub overdue: bool,
}

impl StageFilter {
    pub fn parse(stage: Option<&str>, overdue: Option<&str>) -> Self {
        Self {
            stage: stage.and_then(crate::care_team::cycle::Stage::parse),
            overdue: overdue == Some("on"),
        }
    }

    /// The caseload's address with these filters.
    pub fn address(&self) -> String {
        let mut query = Vec::new();
        if let Some(s) = self.stage {
            query.push(format!("stage={}", s.code()));
        }
        if self.overdue {
            query.push("overdue=on".to_owned());
        }
        if query.is_empty() {
            "/team".to_owned()
        } else {
            format!("/team?{}", query.join("&"))
        }
    }
}

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
    /// Where they are in the cycle.
    pub stage: crate::care_team::cycle::StageView,
    /// On the list because the person chose to share with this organisation.
    pub shared: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseloadView {
    pub filter: CaseloadFilter,
    pub stages: StageFilter,
    pub rows: Vec<CaseloadRow>,
    pub total: usize,
}

#[cfg(feature = "ssr")]
use crate::session::CASELOAD_FILTER_KEY as FILTER_KEY;

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}
