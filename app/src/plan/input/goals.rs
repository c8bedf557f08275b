//! Goals and their actions.
use super::*;

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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Goal {
    pub title: GoalTitle,
    pub why: String,
    pub importance: Importance,
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
        let title = c.take("title", GoalTitle::parse(&raw.title));
        let why = c.text("why", &raw.why, "why it matters", false, LONG_TEXT);
        let importance = c.take("importance", Importance::parse(&raw.importance));
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
        c.finish_with(|| {
            Some(Self {
                title: title?,
                why,
                importance: importance?,
                success,
                target_date,
                status,
                conditions,
            })
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
            ("Goal", self.title.to_string()),
            ("Why it matters", self.why.clone()),
            ("Importance", self.importance.to_string()),
            ("What success looks like", self.success.clone()),
            (
                "Target date",
                self.target_date
                    .map(crate::plan::schedule::long_date)
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
    pub confidence: Confidence,
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
        let confidence = c.take("confidence", Confidence::parse(&raw.confidence));
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
        c.finish_with(|| {
            Some(Self {
                what,
                who_kind,
                who_name,
                frequency,
                time_of_day,
                confidence: confidence?,
                status,
            })
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
