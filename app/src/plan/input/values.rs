//! The plan's values that parse: each is made only by its `parse`, from what a form sent, so a
//! value of the type is valid by construction and a service that takes one needs no check of
//! its own. Their messages are the ones shown beside the field.
use std::fmt;

use super::{SHORT_TEXT, capitalise};

/// Declares a whole-number score from `$min` to `$max`, as the radio buttons send it.
macro_rules! score {
    ($(#[$meta:meta])* $name:ident, $min:literal ..= $max:literal, $what:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
        pub struct $name(u8);

        impl $name {
            pub const MIN: i32 = $min;
            pub const MAX: i32 = $max;

            /// The score as sent ("7"), or the message to show beside the field.
            pub fn parse(raw: &str) -> Result<Self, String> {
                match raw.trim().parse::<u8>() {
                    Ok(n) if (Self::MIN..=Self::MAX).contains(&i32::from(n)) => Ok(Self(n)),
                    _ => Err(format!("Choose {} from {} to {}", $what, $min, $max)),
                }
            }

            /// As stored (an `INTEGER` column).
            pub fn get(self) -> i32 {
                i32::from(self.0)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

score!(
    /// How important a goal is to the person: 1 (a little) to 10 (very).
    Importance, 1..=10, "how important it is"
);

score!(
    /// How confident the person feels they can do an action: 0 (not at all) to 10 (very).
    Confidence, 0..=10, "how confident you feel"
);

/// A goal's title, in the person's words: trimmed, present, at most [`SHORT_TEXT`] characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GoalTitle(String);

impl GoalTitle {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let title = raw.trim();
        if title.is_empty() {
            Err("Enter your goal".to_owned())
        } else if title.chars().count() > SHORT_TEXT {
            Err(format!(
                "{} must be {SHORT_TEXT} characters or fewer",
                capitalise("your goal")
            ))
        } else {
            Ok(Self(title.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GoalTitle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
