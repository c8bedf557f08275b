//! The practice's agenda prompts, kept by its administrator: add a question (for everyone or
//! for people with one condition), reword, reorder or retire one, and see the list as a person
//! with each condition will. A practice asks the Year of Care set until it changes something;
//! then the set becomes its own. Answers keep the wording they were answered against (a pack
//! copies its prompts when it is released). The service is `preparation::service::prompts`.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, IdempotencyKey, Notice, Select, TextArea};
use crate::preparation::PromptSet;
use crate::ui::{PageHeading, back_link};

mod api;
pub use api::*;
mod pages;
pub use pages::*;

/// Adding a question: `condition` is empty for everyone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AddPromptForm {
    pub organisation_id: String,
    pub condition: String,
    pub text: String,
}

/// Rewording (`text`), moving (`direction`: `up` or `down`) or retiring one question.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromptForm {
    pub organisation_id: String,
    pub prompt_id: String,
    pub text: String,
    pub direction: String,
}
