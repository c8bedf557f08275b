//! What the plan's forms send, parsed into checked values. Every rule lives here, so the server
//! enforces it whatever the browser did; each message names what to fix, in plain words, and is
//! shown beside its field.
//!
//! The checker and the history's field-by-field diff are here; `about` (about me, the
//! contingency plan and its contacts), `goals` (goals and actions), `support` (support and
//! signposting), `values` (the values made only by parsing: `GoalTitle`, `Importance`,
//! `Confidence`).
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::schedule::{Frequency, WEEKDAYS, weekday_code};
use crate::error::AppError;

pub const LONG_TEXT: usize = 2000;
pub const SHORT_TEXT: usize = 200;
pub const NOTE_TEXT: usize = 500;

/// Collects messages per field; `finish` turns them into one `AppError::Validation`.
#[derive(Default)]
pub struct Checker {
    errors: BTreeMap<String, Vec<String>>,
}

impl Checker {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors
            .entry(field.to_owned())
            .or_default()
            .push(message.into());
    }

    /// Trimmed text, checked for presence and length.
    pub fn text(
        &mut self,
        field: &str,
        value: &str,
        what: &str,
        required: bool,
        max: usize,
    ) -> String {
        let value = value.trim();
        if required && value.is_empty() {
            self.fail(field, format!("Enter {what}"));
        } else if value.chars().count() > max {
            self.fail(
                field,
                format!("{} must be {max} characters or fewer", capitalise(what)),
            );
        }
        value.to_owned()
    }

    /// A whole number from `min` to `max`.
    pub fn number(&mut self, field: &str, value: &str, what: &str, min: i32, max: i32) -> i32 {
        match value.trim().parse::<i32>() {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                self.fail(field, format!("Choose {what} from {min} to {max}"));
                min
            }
        }
    }

    /// An optional date in the form the date input sends (YYYY-MM-DD).
    pub fn date(&mut self, field: &str, value: &str, what: &str) -> Option<NaiveDate> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => {
                self.fail(
                    field,
                    format!("Enter {what} as a real date, for example 31 3 2027"),
                );
                None
            }
        }
    }

    /// One of the allowed codes.
    pub fn choice(
        &mut self,
        field: &str,
        value: &str,
        allowed: &[(&str, &str)],
        what: &str,
    ) -> String {
        if allowed.iter().any(|(code, _)| *code == value) {
            value.to_owned()
        } else {
            self.fail(field, format!("Choose {what}"));
            allowed
                .first()
                .map(|(c, _)| (*c).to_owned())
                .unwrap_or_default()
        }
    }

    /// A value that parses (see `values`): the value, or its message beside `field`.
    pub fn take<T>(&mut self, field: &str, parsed: Result<T, String>) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(message) => {
                self.fail(field, message);
                None
            }
        }
    }

    /// Like [`finish`](Self::finish), for a value built from what [`take`](Self::take) gave:
    /// `make` is called only when nothing failed, so every `take` gave a value.
    pub fn finish_with<T>(self, make: impl FnOnce() -> Option<T>) -> Result<T, AppError> {
        if !self.errors.is_empty() {
            return Err(AppError::Validation(self.errors));
        }
        make().ok_or_else(|| {
            // Cannot happen: a `take` that gave nothing also left a message.
            AppError::Validation(BTreeMap::from([(
                "form".to_owned(),
                vec!["Check the form and try again".to_owned()],
            )]))
        })
    }

    pub fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

pub(super) fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Named fields of a record, for showing changes in the history.
pub trait Versioned {
    fn fields(&self) -> Vec<(&'static str, String)>;
}

/// A field that changed: its label, and the value before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The fields whose values differ.
pub fn diff(before: Option<&dyn Versioned>, after: &dyn Versioned) -> Vec<FieldChange> {
    let old: Vec<(&str, String)> = before.map(|b| b.fields()).unwrap_or_default();
    after
        .fields()
        .into_iter()
        .filter_map(|(label, value)| {
            let was = old
                .iter()
                .find(|(l, _)| *l == label)
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
            (was != value).then(|| FieldChange {
                field: label.to_owned(),
                before: was,
                after: value,
            })
        })
        .collect()
}

mod about;
mod goals;
mod support;
mod values;

pub use about::*;
pub use goals::*;
pub use support::*;
pub use values::*;

#[cfg(test)]
mod tests;
