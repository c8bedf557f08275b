//! The person's plan, shaped on the PRSB care and support plan: about me, goals, actions and
//! their logs, the contingency plan, support and signposting, and the history of every change.
//! The person owns it; carers (#7) and care teams (#6) reach it only through `policy`.
use leptos::prelude::*;
pub mod api;
pub mod input;
pub(crate) mod pages;
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod service;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use pages::{
    AboutMePage, ActionPage, ContingencyPage, GoalPage, HistoryPage, MyPlanPage, NewActionPage,
    NewGoalPage, SupportPage, TodayActionCard,
};

use input::{AboutMe, ActionForm, Contingency, GoalForm};
use schedule::{Outcome, Progress, WeekSummary};

/// Long-term conditions Alongside knows, by code, with the name a person would use.
pub const CONDITIONS: [(&str, &str); 8] = [
    ("type2_diabetes", "Type 2 diabetes"),
    ("type1_diabetes", "Type 1 diabetes"),
    ("hypertension", "High blood pressure"),
    ("copd", "COPD (a long-term lung condition)"),
    ("asthma", "Asthma"),
    ("ckd", "Chronic kidney disease"),
    ("heart_failure", "Heart failure"),
    ("coronary_heart_disease", "Coronary heart disease"),
];

pub fn condition_name(code: &str) -> String {
    CONDITIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| (*n).to_owned())
        .unwrap_or_else(|| code.replace('_', " "))
}

/// "Last updated by Priya Shah (care team) on 3 March 2027".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Updated {
    pub by: String,
    pub kind: String,
    pub on: String,
}

impl Updated {
    pub fn describe(&self) -> String {
        let role = match self.kind.as_str() {
            "carer" => " (carer)",
            "professional" => " (care team)",
            _ => "",
        };
        format!("Last updated by {}{role} on {}", self.by, self.on)
    }
}

/// One day's record for an action, in the last week.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayLog {
    /// YYYY-MM-DD, as the forms send it.
    pub day: String,
    /// "Today", "Yesterday", "Friday 20 November".
    pub label: String,
    pub outcome: Option<Outcome>,
    pub note: Option<String>,
    /// Someone other than the person logged it: "Sian Evans (carer)".
    pub by: Option<String>,
    /// The viewer may take it back: the person, or the carer who logged it.
    #[serde(default)]
    pub may_undo: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionView {
    pub id: Uuid,
    pub goal_id: Uuid,
    pub goal_title: String,
    pub what: String,
    pub who: String,
    pub how_often: String,
    /// Empty when any time suits.
    pub time_of_day: String,
    pub confidence: i32,
    pub status: String,
    pub status_label: String,
    /// The saved values, for the edit form.
    pub form: ActionForm,
    pub weeks: Vec<WeekSummary>,
    pub streak: Option<String>,
    /// Today first, then the 7 days before it.
    pub recent: Vec<DayLog>,
    /// The viewer may record days for it (the person, or a carer allowed to log; in progress).
    #[serde(default)]
    pub may_log: bool,
    /// Who is looking, on the action's own page (`None` in lists).
    #[serde(default)]
    pub viewing: Option<Viewing>,
    pub due_today: bool,
    /// In progress and done by the person or a carer (a professional's actions are not logged).
    pub loggable: bool,
}

/// A note the person (or someone for them) wrote when logging an action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedNote {
    /// "Tuesday 3 March".
    pub day: String,
    /// "Done", "Partly done" or "Not today".
    pub outcome: String,
    pub note: String,
    /// Who logged it, when it was not the person: "Sian Evans (carer)".
    pub by: Option<String>,
}

/// One action since the last review: how often it was done, with what the person noted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ActionStory {
    pub id: Uuid,
    pub goal_title: String,
    pub what: String,
    pub how_often: String,
    pub status: String,
    pub status_label: String,
    pub done: u32,
    pub partly: u32,
    pub not_done: u32,
    pub streak: Option<String>,
    /// Confidence when the period began (or when the action was made, if later); `None` when
    /// nothing is known of it then.
    pub confidence_then: Option<i32>,
    pub confidence_now: i32,
    /// Newest first, at most [`NOTES_SHOWN`].
    pub notes: Vec<LoggedNote>,
    /// Notes written in the period beyond those shown.
    pub more_notes: usize,
}

/// Each action shows this many of its newest notes in the conversation view.
pub const NOTES_SHOWN: usize = 8;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GoalView {
    pub id: Uuid,
    pub form: GoalForm,
    pub title: String,
    pub why: String,
    pub importance: i32,
    pub success: String,
    pub target_date: Option<String>,
    pub status_label: String,
    pub conditions: Vec<String>,
    pub progress: Progress,
    pub actions: Vec<ActionView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactView {
    pub id: Uuid,
    pub name: String,
    pub role: String,
    pub phone: String,
    pub tel: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SupportView {
    pub id: Uuid,
    pub name: String,
    pub why: String,
    pub contact: String,
    pub goal_title: Option<String>,
    pub status: String,
    pub status_label: String,
}

/// The whole plan, in the PRSB order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanView {
    pub person_name: String,
    pub nhs_number: String,
    pub date_of_birth: String,
    /// The person's conditions: (code, name).
    pub conditions: Vec<(String, String)>,
    /// YYYY-MM-DD in the person's time zone.
    pub today: String,
    pub about_me: AboutMe,
    pub about_me_updated: Option<Updated>,
    pub goals: Vec<GoalView>,
    pub goals_updated: Option<Updated>,
    pub contingency: Contingency,
    pub contacts: Vec<ContactView>,
    pub contingency_updated: Option<Updated>,
    pub support: Vec<SupportView>,
    pub support_updated: Option<Updated>,
    /// When the next review is due by ("2 December 2027"), as agreed or recorded when the last
    /// one was held. Not a booked review: that is an appointment of its own (`preparation`).
    pub review_date: Option<String>,
    pub review_with: Option<String>,
    /// The next review date as YYYY-MM-DD (for forms).
    pub review_on: Option<String>,
    pub agreement: Option<Agreement>,
    #[serde(default)]
    pub viewing: Viewing,
}

/// The plan was agreed in a care and support planning conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agreement {
    pub on: String,
    /// "Dr Priya Shah, Riverside Medical Practice".
    pub written_by: String,
    /// `person` or `representative`.
    pub with: String,
    pub representative: Option<String>,
    /// Someone changed the plan after it was agreed.
    pub changed_since: bool,
}

/// One step in the plan's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeView {
    pub at: String,
    pub by: String,
    pub kind: String,
    pub section: String,
    pub summary: String,
    pub changes: Vec<input::FieldChange>,
}

/// A plan's history, newest first, and who is looking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryView {
    pub viewing: Viewing,
    pub changes: Vec<ChangeView>,
}

/// Who is looking at a person's pages, so the pages speak to them rightly ("Your plan", or
/// "Margaret's plan" for a carer) and offer only what the policy lets them do.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewing {
    /// The person themself.
    pub own: bool,
    /// The person's first name.
    pub given_name: String,
    pub change_plan: bool,
    pub log_actions: bool,
    pub read_results: bool,
    pub answer_agenda: bool,
}

impl Viewing {
    /// "Your" to the person, "Margaret's" to anyone else.
    pub fn whose(&self) -> String {
        if self.own {
            "Your".into()
        } else {
            format!("{}'s", self.given_name)
        }
    }

    /// "you" or "Margaret", inside a sentence.
    pub fn who(&self) -> String {
        if self.own {
            "you".into()
        } else {
            self.given_name.clone()
        }
    }

    /// "your" or "Margaret's", inside a sentence.
    pub fn whose_lower(&self) -> String {
        if self.own {
            "your".into()
        } else {
            format!("{}'s", self.given_name)
        }
    }
}

/// What the Today page shows a person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TodayView {
    pub today: String,
    pub today_label: String,
    pub due: Vec<ActionView>,
    pub has_actions: bool,
    /// When the next review is due by (not a booked review: see `preparation::ReviewCard`).
    pub review_date: Option<String>,
    pub review_with: Option<String>,
    /// When the plan was last agreed ("14 December 2026").
    pub agreed_on: Option<String>,
    /// Changes the care team (or a carer) made to the plan in the last 14 days.
    pub news: Vec<ChangeView>,
    #[serde(default)]
    pub viewing: Viewing,
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn PlanRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/plan") view=MyPlanPage ssr=SsrMode::Async />
        <Route path=path!("/plan/about-me") view=AboutMePage ssr=SsrMode::Async />
        <Route path=path!("/plan/goals/new") view=NewGoalPage ssr=SsrMode::Async />
        <Route path=path!("/plan/goals/:id") view=GoalPage ssr=SsrMode::Async />
        <Route path=path!("/plan/goals/:id/actions/new") view=NewActionPage ssr=SsrMode::Async />
        <Route path=path!("/plan/actions/:id") view=ActionPage ssr=SsrMode::Async />
        <Route path=path!("/plan/contingency") view=ContingencyPage ssr=SsrMode::Async />
        <Route path=path!("/plan/support") view=SupportPage ssr=SsrMode::Async />
        <Route path=path!("/plan/history") view=HistoryPage ssr=SsrMode::Async />
    }
    .into_inner()
}
