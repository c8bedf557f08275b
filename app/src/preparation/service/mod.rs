//! Reviews and preparation packs on the server: booking, moving, cancelling and closing a
//! review; releasing a pack (by a person, or by itself N days before); the agenda prompts a
//! practice asks; and the person's answers, kept as a draft until they send them.
//!
//! `reviews` (booking, moving, cancelling, closing), `packs` (prompts and releasing packs),
//! `answers` (the person's preparation page and their answers), `card` (Today's review card), `prompts` (a practice's own
//! agenda prompts).
use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone as _, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, Set,
};
use uuid::Uuid;

use super::{AgendaAnswerView, PackView, PreparationView, ReviewForm, ReviewStatus, ReviewView};
pub use super::{MODES, mode_name};
use crate::access::{PatientCtx, Permission};
use crate::auth::audit;
use crate::entities::{
    account, agenda_answer, agenda_prompt, organisation, patient, patient_condition, plan,
    preparation_pack, review,
};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::plan::service::Ctx;
use crate::state::AppState;

/// The Year of Care prompts a practice asks unless it has written its own.
pub const DEFAULT_PROMPTS: [&str; 5] = [
    "What is important to you right now?",
    "How have things been since your last review?",
    "What would you like to talk about?",
    "Is there anything you would like to change?",
    "Questions you would like to ask",
];

/// Prompts asked only of people with a condition.
pub const CONDITION_PROMPTS: [(&str, &str); 6] = [
    (
        "copd",
        "How is your breathing affecting what you want to do?",
    ),
    (
        "type2_diabetes",
        "How are you getting on with your diabetes day to day?",
    ),
    (
        "type1_diabetes",
        "How are you getting on with your diabetes day to day?",
    ),
    (
        "hypertension",
        "How do you feel about your blood pressure and any medicines for it?",
    ),
    (
        "ckd",
        "Is there anything about your kidneys you would like to understand better?",
    ),
    (
        "heart_failure",
        "Have you noticed more swelling or breathlessness than usual?",
    ),
];

/// The longest answer we keep to one prompt: a page of writing.
pub(super) const MAX_ANSWER: usize = 3000;

/// The person's time zone (London unless they chose another).
pub fn zone(p: &patient::Model) -> chrono_tz::Tz {
    crate::clock::zone(&p.time_zone)
}

/// "Tuesday 1 December 2026 at 10:30", in the person's time zone.
pub fn when_words(p: &patient::Model, at: DateTime<Utc>) -> String {
    at.with_timezone(&zone(p))
        .format("%A %-d %B %Y at %H:%M")
        .to_string()
}

pub fn review_view(p: &patient::Model, r: &review::Model) -> ReviewView {
    let local = r.starts_at.with_timezone(&zone(p));
    ReviewView {
        id: r.id,
        when: when_words(p, r.starts_at),
        date: local.format("%Y-%m-%d").to_string(),
        time: local.format("%H:%M").to_string(),
        with_whom: r.with_whom.clone(),
        mode: r.mode.clone(),
        mode_name: mode_name(&r.mode).to_owned(),
        place: r.place.clone().unwrap_or_default(),
        // Only the three codes are ever written; anything else could not be booked again.
        status: ReviewStatus::parse(&r.status).unwrap_or(ReviewStatus::Cancelled),
        next_review_date: r.next_review_date.map(long_date),
    }
}

mod answers;
mod card;
mod packs;
mod prompts;
mod reviews;

pub use answers::*;
pub use card::*;
pub use packs::*;
pub use prompts::*;
pub use reviews::*;
