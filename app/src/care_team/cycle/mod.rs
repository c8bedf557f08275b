//! The whole cycle for the care team (#19): recall → the information-gathering appointment
//! (the checks for all of a person's conditions at one visit) → results in → the preparation
//! pack (sent by the server's sweep N days before the conversation, N a practice setting) →
//! the conversation → plan agreed → next review due. This module owns the checks appointment
//! (booking it, marking it done), the practice's setting, and the *stage*: where a person is in
//! the cycle, computed from what is recorded (never written on read) for the caseload, the
//! upcoming reviews and the person's page.
use std::collections::BTreeMap;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, IdempotencyKey, Notice, TextField};
use crate::ui::{PageHeading, back_link};

mod api;
pub use api::*;
mod pages;
pub use pages::*;
#[cfg(feature = "ssr")]
pub mod service;

crate::access::vocabulary! {
    /// A check done at the information-gathering appointment (`checks_appointments.checks`,
    /// space-separated).
    Check {
        Bloods = "bloods", "Bloods";
        BloodPressure = "blood_pressure", "Blood pressure";
        Weight = "weight", "Weight";
        Urine = "urine", "Urine";
        FootCheck = "foot_check", "Foot check";
        EyeScreening = "eye_screening", "Eye screening";
        Questionnaires = "questionnaires", "Questionnaires";
    }
}

impl Check {
    /// The checks a stored set holds; codes it does not know are left out.
    pub fn parse_all(stored: &str) -> Vec<Check> {
        let mut out: Vec<Check> = stored.split_whitespace().filter_map(Check::parse).collect();
        out.sort_by_key(|c| Check::ALL.iter().position(|a| a == c));
        out.dedup();
        out
    }

    /// The stored form of a set of checks.
    pub fn join(checks: &[Check]) -> String {
        checks
            .iter()
            .map(|c| c.code())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// "Bloods, blood pressure and weight".
    pub fn words(checks: &[Check]) -> String {
        let names: Vec<String> = checks
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i == 0 {
                    c.label().to_owned()
                } else {
                    c.label().to_lowercase()
                }
            })
            .collect();
        match names.split_last() {
            None => "None".to_owned(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

crate::access::vocabulary! {
    /// Where a checks appointment stands (`checks_appointments.status`).
    ChecksStatus {
        Booked = "booked", "Booked";
        Done = "done", "Done";
        Cancelled = "cancelled", "Cancelled";
    }
}

crate::access::vocabulary! {
    /// Where a person is in the cycle, in the cycle's order (the caseload's filter offers
    /// them so). Computed, never stored: see `service::stage`.
    Stage {
        ReviewDue = "review_due", "Review due";
        ReviewBooked = "review_booked", "Review booked";
        ChecksBooked = "checks_booked", "Checks booked";
        ChecksDone = "checks_done", "Checks done, waiting for results";
        ResultsIn = "results_in", "Results in";
        PackSent = "pack_sent", "Pack sent";
        AnswersIn = "answers_in", "Answers in";
        PlanAgreed = "plan_agreed", "Plan agreed";
    }
}

/// How close "next review due by" must be (or past) for someone to be recalled.
pub const RECALL_WEEKS: i64 = 8;

/// A person's place in the cycle, as the lists show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StageView {
    pub stage: Stage,
    /// "Plan agreed, next review due by 3 March 2027", "Checks booked for …".
    pub text: String,
    /// The due-by date passed with no conversation booked, or a booked one passed unclosed.
    pub overdue: bool,
}

/// The checks appointment as the person's team page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChecksView {
    pub id: Uuid,
    pub when: String,
    pub place: String,
    pub with_whom: String,
    pub status: ChecksStatus,
    pub planned: Vec<Check>,
    pub done: Vec<Check>,
    /// The appointment's day has come, so it can be marked done.
    pub due: bool,
}

/// The cycle part of a person's team page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CycleView {
    pub stage: StageView,
    /// The booked checks appointment, else the latest done one in this cycle.
    pub checks: Option<ChecksView>,
    /// The usual checks for the person's conditions, ticked when booking.
    pub suggested: Vec<Check>,
    pub can_manage: bool,
}

/// The usual checks for a set of conditions (NICE, the diabetes care processes), all at one
/// visit.
pub fn suggested_checks(conditions: &[String]) -> Vec<Check> {
    use Check::*;
    let mut out = Vec::new();
    for c in conditions {
        out.extend_from_slice(match c.as_str() {
            "type2_diabetes" | "type1_diabetes" => &[
                Bloods,
                BloodPressure,
                Weight,
                Urine,
                FootCheck,
                EyeScreening,
            ][..],
            "hypertension" | "ckd" => &[Bloods, BloodPressure, Weight, Urine][..],
            "copd" => &[BloodPressure, Weight, Questionnaires][..],
            "asthma" => &[Questionnaires][..],
            "heart_failure" | "coronary_heart_disease" => &[Bloods, BloodPressure, Weight][..],
            _ => &[][..],
        });
    }
    Check::parse_all(&Check::join(&out))
}

/// Booking the checks: `checks_<code>=on` boxes arrive in `rest`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChecksForm {
    pub patient_id: String,
    pub date: String,
    pub time: String,
    pub place: String,
    pub with_whom: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

/// Marking the checks done (`done_<code>=on`) or cancelling them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChecksDoneForm {
    pub patient_id: String,
    pub appointment_id: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

/// The practice's settings page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PracticeView {
    pub organisation_id: Uuid,
    pub name: String,
    pub pack_release_days: i32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PracticeForm {
    pub organisation_id: String,
    pub pack_release_days: String,
}

/// Days before the conversation the pack goes out: what new practices start with, and the range
/// a practice may choose.
pub const PACK_DAYS_DEFAULT: i32 = 7;
pub const PACK_DAYS_MIN: i32 = 1;
pub const PACK_DAYS_MAX: i32 = 28;

/// "Send the pack N days before": a number in range, or the message beside the field.
pub fn parse_pack_days(text: &str) -> Result<i32, AppError> {
    let message = format!(
        "Enter a whole number of days from {PACK_DAYS_MIN} to {PACK_DAYS_MAX}, for example 7"
    );
    match text.trim().parse::<i32>() {
        Ok(n) if (PACK_DAYS_MIN..=PACK_DAYS_MAX).contains(&n) => Ok(n),
        _ => Err(AppError::field("pack_release_days", message)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_checks_read_back_in_the_forms_order_without_unknown_codes() {
        assert_eq!(
            Check::parse_all("weight bloods  xray weight"),
            vec![Check::Bloods, Check::Weight]
        );
        assert_eq!(
            Check::join(&[Check::Bloods, Check::FootCheck]),
            "bloods foot_check"
        );
        assert_eq!(
            Check::words(&[Check::Bloods, Check::BloodPressure, Check::Urine]),
            "Bloods, blood pressure and urine"
        );
    }

    #[test]
    fn one_visit_suggests_the_checks_for_every_condition() {
        let both = suggested_checks(&["copd".into(), "hypertension".into()]);
        assert_eq!(
            both,
            vec![
                Check::Bloods,
                Check::BloodPressure,
                Check::Weight,
                Check::Urine,
                Check::Questionnaires
            ]
        );
        assert!(suggested_checks(&[]).is_empty());
    }

    #[test]
    fn the_pack_days_setting_takes_1_to_28() {
        assert_eq!(parse_pack_days(" 7 ").ok(), Some(7));
        assert_eq!(parse_pack_days("28").ok(), Some(28));
        for bad in ["0", "29", "-1", "seven", "", "7.5"] {
            assert!(parse_pack_days(bad).is_err(), "{bad}");
        }
    }
}
