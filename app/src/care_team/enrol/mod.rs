//! Adding a person to the caseload and inviting them: the form (name, date of birth, NHS number
//! with its check digit, conditions, contact details), and an invitation letter to print with
//! the one-time link as a QR code. The link is shown once, from the session, never stored in a
//! page address. `alongside invite-patient` uses the same `service::enrol`.
use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{Checkboxes, ErrorSummary, Flash, FormState, Notice, TextField};
use crate::ui::PageHeading;
use crate::ui::{back_link, param_id};

mod api;
pub use api::*;

mod pages;
pub use pages::*;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct NewPatientForm {
    pub given: String,
    pub family: String,
    /// YYYY-MM-DD
    pub born: String,
    pub nhs_number: String,
    pub phone: String,
    pub email: String,
    /// Condition codes (from `conditions_<code>=on` boxes, or given directly).
    #[serde(skip)]
    pub conditions: Vec<String>,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LetterView {
    pub patient_id: Uuid,
    pub name: String,
    pub practice: String,
    /// The one-time link and its QR code (SVG), only right after it was made.
    pub link: Option<(String, String)>,
    /// The person has a passkey: a new link is a recovery link (approved by a second person).
    pub recovery: bool,
    /// This viewer may make a new link for them (the policy's `Reinvite`).
    pub may_reinvite: bool,
    /// This viewer may open the person's record (an administrator may not): where "back" goes.
    pub may_open_record: bool,
}

/// What is wrong with a phone number and email as entered (both optional): (field, message).
pub fn contact_problems(phone: &str, email: &str) -> Vec<(&'static str, &'static str)> {
    let mut problems = Vec::new();
    let phone = phone.trim();
    let phone_ok = phone
        .chars()
        .all(|c| c.is_ascii_digit() || c == ' ' || c == '+');
    if !phone.is_empty() && (!phone_ok || !(7..=20).contains(&phone.len())) {
        problems.push((
            "phone",
            "Enter a phone number using digits only, for example 07700 900123",
        ));
    }
    let email = email.trim();
    if !email.is_empty()
        && (email.len() > 200 || !email.contains('@') || email.contains(char::is_whitespace))
    {
        problems.push((
            "email",
            "Enter an email address like name@example.com, or leave it empty",
        ));
    }
    problems
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContactForm {
    pub patient_id: String,
    pub phone: String,
    pub email: String,
}

#[cfg(feature = "ssr")]
pub mod operator;
#[cfg(feature = "ssr")]
pub mod service;
