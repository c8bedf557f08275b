//! The care and support planning conversation, from the professional's side: what the person
//! wants to talk about beside their results and their current plan; goals and actions written
//! together in the person's own words; the plan marked agreed with them (or their
//! representative), with who wrote it and when it is next reviewed; and the care team's
//! working notes, which are never part of the person's plan.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::TeamPersonView;
use super::pages::{answers_list, hidden, results_table};
use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, Notice, Radios, TextArea, TextField};
use crate::plan::input::{ActionForm, Contact, Contingency, GoalForm, SupportForm};
use crate::plan::pages::GoalProgress;
use crate::plan::pages::{
    ActionFormView, ContingencyForms, GoalFormView, SupportForm as SupportFormView,
};
use crate::plan::{ActionStory, GoalView, PlanView};
use crate::ui::PageHeading;
use crate::ui::{back_link, param_id};

mod api;
pub use api::*;

#[cfg(feature = "ssr")]
pub mod service;

mod pages;
pub use pages::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    pub by: String,
    pub at: String,
    pub body: String,
}

/// The person's story since their last review: what the conversation is for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoryView {
    /// "since their plan was agreed on 3 March 2026", "in the last 12 weeks".
    pub period: String,
    pub actions: Vec<ActionStory>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub person: TeamPersonView,
    pub plan: PlanView,
    pub story: StoryView,
    /// The organisation the professional works for here (their notes belong to it).
    pub organisation: String,
    pub notes: Vec<NoteView>,
    pub can_change: bool,
    pub can_agree: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgreeForm {
    pub patient_id: String,
    /// `person` or `representative`.
    pub agreed_with: String,
    pub representative: String,
    pub next_review: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub patient_id: String,
    pub body: String,
}

pub const AGREED_WITH: [(&str, &str); 2] = [
    ("person", "The person"),
    ("representative", "Their representative"),
];

/// Notes longer than this are refused: a working note is a note, not a record system.
pub const NOTE_LIMIT: usize = 4000;

/// The person's pages on the care team's side: `/team/people/<id>`.
#[cfg(feature = "ssr")]
fn person_base(patient_id: &str) -> String {
    match Uuid::parse_str(patient_id.trim()) {
        Ok(id) => format!("/team/people/{id}"),
        Err(_) => "/team".to_owned(),
    }
}

#[cfg(feature = "ssr")]
fn conversation_page(patient_id: &str, anchor: &str) -> String {
    format!("{}/conversation#{anchor}", person_base(patient_id))
}
