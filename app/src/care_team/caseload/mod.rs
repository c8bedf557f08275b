//! The caseload: the people of the care team's organisations, with filters (review due within
//! N weeks, pack sent or not, agenda returned or not, overdue) and search by name or NHS number.
//! The filters live in the session, not the address: a search holds a name or an NHS number,
//! which must not end up in browser history or server logs. The list comes a page at a time
//! (`/team?page=2`), found, counted and ordered in the database, so a practice of 10,000 people
//! costs what one of a hundred does.
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
pub mod query;
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
        self.page_address(1)
    }

    /// The address of one page of the caseload with these filters.
    pub fn page_address(&self, page: u64) -> String {
        let mut query = Vec::new();
        if page > 1 {
            query.push(format!("page={page}"));
        }
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
    /// This page's rows.
    pub rows: Vec<CaseloadRow>,
    /// How many people match the filters; a long list is counted only so far past this page
    /// (`more`).
    pub total: u64,
    /// More than `total` people match.
    pub more: bool,
    /// Which page this is, from 1.
    pub page: u64,
    pub page_size: u64,
}

impl CaseloadView {
    /// How many pages the people counted fill (at least one, perhaps empty); with `more`,
    /// there are pages after these.
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.page_size.max(1)).max(1)
    }

    /// "Showing 51 to 100 of 9,874", or "of more than 1,050" when the count stopped.
    pub fn showing(&self) -> String {
        let first = (self.page - 1) * self.page_size + 1;
        let last = first + self.rows.len() as u64 - 1;
        format!(
            "Showing {} to {} of {}{}",
            thousands(first),
            thousands(last),
            if self.more { "more than " } else { "" },
            thousands(self.total)
        )
    }
}

/// 9874 as "9,874".
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The page numbers a pager shows: the first, the last, and those beside the current one;
/// `None` where pages are left out. With `more` (pages after these, not counted), no last
/// page: the list ends in `None`.
pub fn pager(current: u64, pages: u64, more: bool) -> Vec<Option<u64>> {
    let mut out = Vec::new();
    for n in 1..=pages {
        let near = n == 1 || (n == pages && !more) || n.abs_diff(current) <= 1;
        if near {
            out.push(Some(n));
        } else if out.last().is_some_and(Option::is_some) {
            out.push(None);
        }
    }
    if more && out.last().is_some_and(Option::is_some) {
        out.push(None);
    }
    out
}

#[cfg(feature = "ssr")]
use crate::session::CASELOAD_FILTER_KEY as FILTER_KEY;

fn yes(b: bool) -> &'static str {
    if b { "Yes" } else { "No" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_numbers_have_thousands_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(9_874), "9,874");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn the_pager_shows_the_ends_and_the_neighbours_of_the_current_page() {
        assert_eq!(pager(1, 1, false), vec![Some(1)]);
        assert_eq!(pager(1, 3, false), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(
            pager(5, 198, false),
            vec![Some(1), None, Some(4), Some(5), Some(6), None, Some(198)]
        );
        assert_eq!(
            pager(198, 198, false),
            vec![Some(1), None, Some(197), Some(198)]
        );
    }

    #[test]
    fn a_list_counted_only_so_far_has_no_last_page_in_its_pager() {
        assert_eq!(pager(1, 20, true), vec![Some(1), Some(2), None]);
        assert_eq!(
            pager(7, 26, true),
            vec![Some(1), None, Some(6), Some(7), Some(8), None]
        );
        let view = |page: u64, rows: usize, total: u64, more: bool| CaseloadView {
            filter: CaseloadFilter::default(),
            stages: StageFilter::default(),
            rows: vec![sample_row(); rows],
            total,
            more,
            page,
            page_size: 50,
        };
        assert_eq!(
            view(1, 50, 1_000, true).showing(),
            "Showing 1 to 50 of more than 1,000"
        );
        assert_eq!(
            view(21, 50, 1_060, false).showing(),
            "Showing 1,001 to 1,050 of 1,060"
        );
    }

    fn sample_row() -> CaseloadRow {
        CaseloadRow {
            patient_id: Uuid::nil(),
            name: "Sam Jones".into(),
            nhs_number: "943 476 5919".into(),
            born: "1 January 1960".into(),
            conditions: String::new(),
            review: "Not set".into(),
            pack_sent: false,
            agenda_returned: false,
            overdue: false,
            stage: crate::care_team::cycle::StageView {
                stage: crate::care_team::cycle::Stage::ReviewDue,
                text: String::new(),
                overdue: false,
            },
            shared: false,
        }
    }

    #[test]
    fn a_page_address_keeps_the_stage_filters() {
        let s = StageFilter::parse(Some("results_in"), Some("on"));
        assert_eq!(s.page_address(1), "/team?stage=results_in&overdue=on");
        assert_eq!(
            s.page_address(3),
            "/team?page=3&stage=results_in&overdue=on"
        );
        assert_eq!(StageFilter::default().page_address(2), "/team?page=2");
    }
}
