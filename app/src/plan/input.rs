//! What the plan's forms send, parsed into checked values. Every rule lives here, so the server
//! enforces it whatever the browser did; each message names what to fix, in plain words, and is
//! shown beside its field.
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

    pub fn finish<T>(self, value: T) -> Result<T, AppError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(AppError::Validation(self.errors))
        }
    }
}

fn capitalise(s: &str) -> String {
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

// ---------- About me ----------

pub const ABOUT_ME_FIELDS: [(&str, &str, &str); 8] = [
    (
        "what_matters",
        "What matters most to me",
        "What makes a good day, and what you want your care to help with.",
    ),
    (
        "important_people",
        "People who are important to me",
        "Family, friends, pets, anyone who helps you.",
    ),
    (
        "communication",
        "How I communicate and how to talk with me",
        "For example: large print, a hearing loop, no phone calls before 10am.",
    ),
    ("please_do", "Please do", "Things that help you."),
    (
        "please_dont",
        "Please don't",
        "Things that upset you or make things harder.",
    ),
    ("support_how_when", "How and when to support me", ""),
    ("also_worth_knowing", "Also worth knowing about me", ""),
    (
        "supported_by",
        "Who helped me write this",
        "The name of a carer or advocate, if someone helped you.",
    ),
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AboutMe {
    pub what_matters: String,
    pub important_people: String,
    pub communication: String,
    pub please_do: String,
    pub please_dont: String,
    pub support_how_when: String,
    pub also_worth_knowing: String,
    pub supported_by: String,
}

impl AboutMe {
    pub fn values(&self) -> [&String; 8] {
        [
            &self.what_matters,
            &self.important_people,
            &self.communication,
            &self.please_do,
            &self.please_dont,
            &self.support_how_when,
            &self.also_worth_knowing,
            &self.supported_by,
        ]
    }

    pub fn parse(raw: &AboutMe) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let values = raw.values();
        let mut out: Vec<String> = Vec::with_capacity(8);
        for ((field, label, _), value) in ABOUT_ME_FIELDS.iter().zip(values) {
            let max = if *field == "supported_by" {
                SHORT_TEXT
            } else {
                LONG_TEXT
            };
            out.push(c.text(field, value, &format!("\"{label}\""), false, max));
        }
        let mut it = out.into_iter();
        let mut next = || it.next().unwrap_or_default();
        c.finish(Self {
            what_matters: next(),
            important_people: next(),
            communication: next(),
            please_do: next(),
            please_dont: next(),
            support_how_when: next(),
            also_worth_knowing: next(),
            supported_by: next(),
        })
    }
}

impl Versioned for AboutMe {
    fn fields(&self) -> Vec<(&'static str, String)> {
        ABOUT_ME_FIELDS
            .iter()
            .zip(self.values())
            .map(|((_, label, _), v)| (*label, v.clone()))
            .collect()
    }
}

// ---------- Goals ----------

pub const GOAL_STATUSES: [(&str, &str); 4] = [
    ("not_started", "Not started"),
    ("in_progress", "In progress"),
    ("achieved", "Achieved"),
    ("stopped", "Stopped"),
];

/// The codes of the ticked checkboxes named `<prefix>_<code>`.
pub fn ticked(rest: &BTreeMap<String, String>, prefix: &str) -> Vec<String> {
    rest.iter()
        .filter(|(_, v)| v.as_str() == "on")
        .filter_map(|(k, _)| k.strip_prefix(prefix).and_then(|k| k.strip_prefix('_')))
        .map(str::to_owned)
        .collect()
}

/// The goal form as sent. Checkboxes arrive as `conditions_<code>=on` in `rest`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    pub title: String,
    pub why: String,
    pub importance: String,
    pub success: String,
    pub target_date: String,
    pub status: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Goal {
    pub title: String,
    pub why: String,
    pub importance: i32,
    pub success: String,
    pub target_date: Option<NaiveDate>,
    pub status: String,
    pub conditions: Vec<String>,
}

impl Goal {
    /// `allowed_conditions` are the person's own conditions (code, name).
    pub fn parse(
        raw: &GoalForm,
        allowed_conditions: &[(String, String)],
    ) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let title = c.text("title", &raw.title, "your goal", true, SHORT_TEXT);
        let why = c.text("why", &raw.why, "why it matters", false, LONG_TEXT);
        let importance = c.number("importance", &raw.importance, "how important it is", 1, 10);
        let success = c.text(
            "success",
            &raw.success,
            "what success looks like",
            false,
            LONG_TEXT,
        );
        let target_date = c.date("target_date", &raw.target_date, "the target date");
        let status = c.choice(
            "status",
            &raw.status,
            &GOAL_STATUSES,
            "where you are with this goal",
        );
        let mut conditions = Vec::new();
        for code in &ticked(&raw.rest, "conditions") {
            if allowed_conditions.iter().any(|(c, _)| c == code) {
                conditions.push(code.clone());
            } else {
                c.fail("conditions", "Choose only conditions from the list");
            }
        }
        conditions.sort();
        conditions.dedup();
        c.finish(Self {
            title,
            why,
            importance,
            success,
            target_date,
            status,
            conditions,
        })
    }
}

pub fn label_of<'a>(options: &'a [(&'a str, &'a str)], code: &str) -> &'a str {
    options
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

impl Versioned for Goal {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Goal", self.title.clone()),
            ("Why it matters", self.why.clone()),
            ("Importance", self.importance.to_string()),
            ("What success looks like", self.success.clone()),
            (
                "Target date",
                self.target_date
                    .map(super::schedule::long_date)
                    .unwrap_or_default(),
            ),
            ("Status", label_of(&GOAL_STATUSES, &self.status).to_owned()),
            ("Linked conditions", self.conditions.join(", ")),
        ]
    }
}

// ---------- Actions ----------

pub const WHO: [(&str, &str); 3] = [
    ("me", "Me"),
    ("carer", "A carer"),
    ("professional", "A named professional"),
];
pub const FREQUENCIES: [(&str, &str); 4] = [
    ("daily", "Every day"),
    ("weekly", "A number of times a week"),
    ("weekdays", "On chosen days of the week"),
    ("once", "Once, by a date"),
];
pub const TIMES_OF_DAY: [(&str, &str); 4] = [
    ("any", "Any time"),
    ("morning", "Morning"),
    ("afternoon", "Afternoon"),
    ("evening", "Evening"),
];
pub const ACTION_STATUSES: [(&str, &str); 3] = [
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("not_doing", "Not doing"),
];

/// The action form as sent. Day checkboxes arrive as `weekdays_<mon…sun>=on` in `rest`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    pub goal: String,
    pub what: String,
    pub who_kind: String,
    pub who_name: String,
    pub frequency: String,
    pub times_per_week: String,
    pub due_by: String,
    pub time_of_day: String,
    pub confidence: String,
    pub status: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub what: String,
    pub who_kind: String,
    pub who_name: String,
    pub frequency: Frequency,
    pub time_of_day: String,
    pub confidence: i32,
    pub status: String,
}

impl Action {
    pub fn parse(raw: &ActionForm) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let what = c.text("what", &raw.what, "what you will do", true, SHORT_TEXT);
        let who_kind = c.choice("who_kind", &raw.who_kind, &WHO, "who will do it");
        let who_name = c.text(
            "who_name",
            &raw.who_name,
            "their name",
            who_kind != "me",
            SHORT_TEXT,
        );
        let kind = c.choice("frequency", &raw.frequency, &FREQUENCIES, "how often");
        let frequency = match kind.as_str() {
            "weekly" => Frequency::TimesPerWeek(c.number(
                "times_per_week",
                &raw.times_per_week,
                "how many times a week",
                1,
                7,
            ) as u32),
            "weekdays" => {
                let chosen = ticked(&raw.rest, "weekdays");
                let days: Vec<_> = WEEKDAYS
                    .iter()
                    .filter(|(_, code, _)| chosen.iter().any(|w| w == code))
                    .map(|(d, _, _)| *d)
                    .collect();
                if days.is_empty() {
                    c.fail("weekdays", "Choose at least one day");
                }
                Frequency::Weekdays(days)
            }
            "once" => match c.date("due_by", &raw.due_by, "the date") {
                Some(by) => Frequency::Once { by },
                None => {
                    if raw.due_by.trim().is_empty() {
                        c.fail("due_by", "Enter the date to do it by");
                    }
                    Frequency::Daily
                }
            },
            _ => Frequency::Daily,
        };
        let time_of_day = c.choice(
            "time_of_day",
            &raw.time_of_day,
            &TIMES_OF_DAY,
            "a time of day",
        );
        let confidence = c.number(
            "confidence",
            &raw.confidence,
            "how confident you feel",
            0,
            10,
        );
        let status = c.choice(
            "status",
            &raw.status,
            &ACTION_STATUSES,
            "where you are with this action",
        );
        let who_name = if who_kind == "me" {
            String::new()
        } else {
            who_name
        };
        c.finish(Self {
            what,
            who_kind,
            who_name,
            frequency,
            time_of_day,
            confidence,
            status,
        })
    }

    /// The stored columns: (kind, times a week, weekdays, due by).
    pub fn frequency_parts(&self) -> (&'static str, Option<i32>, String, Option<NaiveDate>) {
        match &self.frequency {
            Frequency::Daily => ("daily", None, String::new(), None),
            Frequency::TimesPerWeek(n) => ("weekly", Some(*n as i32), String::new(), None),
            Frequency::Weekdays(days) => (
                "weekdays",
                None,
                days.iter()
                    .map(|d| weekday_code(*d))
                    .collect::<Vec<_>>()
                    .join(" "),
                None,
            ),
            Frequency::Once { by } => ("once", None, String::new(), Some(*by)),
        }
    }

    pub fn who_text(&self) -> String {
        who_text(&self.who_kind, &self.who_name)
    }
}

pub fn who_text(kind: &str, name: &str) -> String {
    match kind {
        "me" => "Me".into(),
        _ if name.is_empty() => label_of(&WHO, kind).to_owned(),
        _ => name.to_owned(),
    }
}

impl Versioned for Action {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("What", self.what.clone()),
            ("Who", self.who_text()),
            ("How often", self.frequency.describe()),
            (
                "Time of day",
                label_of(&TIMES_OF_DAY, &self.time_of_day).to_owned(),
            ),
            ("Confidence", format!("{} out of 10", self.confidence)),
            (
                "Status",
                label_of(&ACTION_STATUSES, &self.status).to_owned(),
            ),
        ]
    }
}

// ---------- Contingency ----------

pub const CONTINGENCY_FIELDS: [(&str, &str, &str); 4] = [
    (
        "warning_signs",
        "Early warning signs",
        "How you know things are getting worse.",
    ),
    (
        "what_to_do",
        "What to do",
        "The steps to take if you notice them.",
    ),
    ("coping", "Things that help me cope", ""),
    (
        "anticipatory",
        "Medicines or equipment to keep ready",
        "For example a rescue pack of tablets, or a spacer.",
    ),
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contingency {
    pub warning_signs: String,
    pub what_to_do: String,
    pub coping: String,
    pub anticipatory: String,
}

impl Contingency {
    pub fn values(&self) -> [&String; 4] {
        [
            &self.warning_signs,
            &self.what_to_do,
            &self.coping,
            &self.anticipatory,
        ]
    }

    pub fn parse(raw: &Contingency) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let v: Vec<String> = CONTINGENCY_FIELDS
            .iter()
            .zip(raw.values())
            .map(|((field, label, _), value)| {
                c.text(field, value, &format!("\"{label}\""), false, LONG_TEXT)
            })
            .collect();
        let mut it = v.into_iter();
        let mut next = || it.next().unwrap_or_default();
        c.finish(Self {
            warning_signs: next(),
            what_to_do: next(),
            coping: next(),
            anticipatory: next(),
        })
    }
}

impl Versioned for Contingency {
    fn fields(&self) -> Vec<(&'static str, String)> {
        CONTINGENCY_FIELDS
            .iter()
            .zip(self.values())
            .map(|((_, label, _), v)| (*label, v.clone()))
            .collect()
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub phone: String,
}

impl Contact {
    pub fn parse(raw: &Contact) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let name = c.text("name", &raw.name, "their name", true, SHORT_TEXT);
        let role = c.text("role", &raw.role, "who they are", false, SHORT_TEXT);
        let phone = raw.phone.trim().to_owned();
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone
            .chars()
            .all(|ch| ch.is_ascii_digit() || " +()-".contains(ch));
        if phone.is_empty() {
            c.fail("phone", "Enter a phone number");
        } else if !allowed || !(3..=15).contains(&digits) {
            c.fail("phone", "Enter a phone number, like 01632 960 001 or 111");
        }
        c.finish(Self { name, role, phone })
    }

    /// The number for a `tel:` link: digits and a leading plus only.
    pub fn tel(&self) -> String {
        self.phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect()
    }
}

impl Versioned for Contact {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![(
            "Contact",
            format!("{} ({}) {}", self.name, self.role, self.phone),
        )]
    }
}

// ---------- Support and signposting ----------

pub const SUPPORT_STATUSES: [(&str, &str); 4] = [
    ("suggested", "Not tried yet"),
    ("tried", "Tried it"),
    ("not_helping", "Didn't help"),
    ("helping", "Helping"),
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SupportForm {
    pub name: String,
    pub why: String,
    pub contact: String,
    pub goal: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Support {
    pub name: String,
    pub why: String,
    pub contact: String,
    pub goal: Option<uuid::Uuid>,
}

impl Support {
    pub fn parse(raw: &SupportForm) -> Result<Self, AppError> {
        let mut c = Checker::default();
        let name = c.text(
            "name",
            &raw.name,
            "the name of the service or group",
            true,
            SHORT_TEXT,
        );
        let why = c.text("why", &raw.why, "why it might help", false, LONG_TEXT);
        let contact = c.text(
            "contact",
            &raw.contact,
            "how to contact them",
            false,
            SHORT_TEXT,
        );
        let goal = if raw.goal.trim().is_empty() {
            None
        } else {
            match uuid::Uuid::parse_str(raw.goal.trim()) {
                Ok(id) => Some(id),
                Err(_) => {
                    c.fail("goal", "Choose a goal from the list");
                    None
                }
            }
        };
        c.finish(Self {
            name,
            why,
            contact,
            goal,
        })
    }
}

impl Versioned for Support {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("Service or group", self.name.clone()),
            ("Why", self.why.clone()),
            ("How to contact", self.contact.clone()),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action_form() -> ActionForm {
        ActionForm {
            goal: String::new(),
            what: "Walk to the post office and back".into(),
            who_kind: "me".into(),
            who_name: String::new(),
            frequency: "weekly".into(),
            times_per_week: "3".into(),
            due_by: String::new(),
            time_of_day: "morning".into(),
            confidence: "7".into(),
            status: "in_progress".into(),
            rest: BTreeMap::new(),
        }
    }

    #[test]
    fn a_goal_needs_words_and_an_importance_from_1_to_10() {
        let raw = GoalForm {
            title: "   ".into(),
            importance: "11".into(),
            status: "in_progress".into(),
            ..Default::default()
        };
        let Err(AppError::Validation(errors)) = Goal::parse(&raw, &[]) else {
            panic!("expected validation errors");
        };
        assert_eq!(errors["title"], ["Enter your goal"]);
        assert_eq!(
            errors["importance"],
            ["Choose how important it is from 1 to 10"]
        );
    }

    #[test]
    fn a_goal_can_only_link_the_persons_own_conditions() {
        let raw = GoalForm {
            title: "Keep my feet healthy".into(),
            importance: "8".into(),
            status: "not_started".into(),
            rest: BTreeMap::from([("conditions_copd".to_owned(), "on".to_owned())]),
            ..Default::default()
        };
        let mine = [("type2_diabetes".to_owned(), "Type 2 diabetes".to_owned())];
        assert!(Goal::parse(&raw, &mine).is_err());
        let ok = GoalForm {
            rest: BTreeMap::from([("conditions_type2_diabetes".to_owned(), "on".to_owned())]),
            ..raw
        };
        assert_eq!(
            Goal::parse(&ok, &mine).unwrap().conditions,
            ["type2_diabetes"]
        );
    }

    #[test]
    fn long_text_over_the_limit_is_refused() {
        let raw = AboutMe {
            what_matters: "a".repeat(LONG_TEXT + 1),
            ..Default::default()
        };
        let err = AboutMe::parse(&raw).unwrap_err();
        assert!(err.messages_for("what_matters")[0].contains("2000 characters or fewer"));
    }

    #[test]
    fn an_action_for_a_professional_needs_their_name() {
        let raw = ActionForm {
            who_kind: "professional".into(),
            ..action_form()
        };
        assert_eq!(
            Action::parse(&raw).unwrap_err().messages_for("who_name"),
            ["Enter their name"]
        );
    }

    #[test]
    fn weekly_actions_need_1_to_7_times_and_chosen_days_need_a_day() {
        let raw = ActionForm {
            times_per_week: "0".into(),
            ..action_form()
        };
        assert!(
            !Action::parse(&raw)
                .unwrap_err()
                .messages_for("times_per_week")
                .is_empty()
        );
        let raw = ActionForm {
            frequency: "weekdays".into(),
            ..action_form()
        };
        assert_eq!(
            Action::parse(&raw).unwrap_err().messages_for("weekdays"),
            ["Choose at least one day"]
        );
        let raw = ActionForm {
            frequency: "weekdays".into(),
            rest: BTreeMap::from([
                ("weekdays_mon".to_owned(), "on".to_owned()),
                ("weekdays_fri".to_owned(), "on".to_owned()),
            ]),
            ..action_form()
        };
        assert_eq!(Action::parse(&raw).unwrap().frequency_parts().2, "mon fri");
    }

    #[test]
    fn confidence_runs_from_0_to_10() {
        assert_eq!(
            Action::parse(&ActionForm {
                confidence: "0".into(),
                ..action_form()
            })
            .unwrap()
            .confidence,
            0
        );
        assert!(
            Action::parse(&ActionForm {
                confidence: "eleven".into(),
                ..action_form()
            })
            .is_err()
        );
    }

    #[test]
    fn phone_numbers_are_checked_and_tel_links_keep_only_digits() {
        let bad = Contact {
            name: "GP".into(),
            role: String::new(),
            phone: "call me".into(),
        };
        assert!(Contact::parse(&bad).is_err());
        let ok = Contact::parse(&Contact {
            phone: "+44 (0)1632 960001".into(),
            ..bad
        })
        .unwrap();
        assert_eq!(ok.tel(), "+4401632960001");
    }

    #[test]
    fn history_lists_only_the_fields_that_changed() {
        let before = Action::parse(&action_form()).unwrap();
        let after = Action::parse(&ActionForm {
            confidence: "9".into(),
            ..action_form()
        })
        .unwrap();
        let changes = diff(Some(&before), &after);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "Confidence");
        assert_eq!(
            (changes[0].before.as_str(), changes[0].after.as_str()),
            ("7 out of 10", "9 out of 10")
        );
    }
}
