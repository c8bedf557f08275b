//! Push reminders (#9): what a person (or a carer) wants to be reminded about and when, the
//! devices that get reminders, and the page where they choose. A reminder never says anything
//! about someone's health: it says "you have a reminder", and the details are in the app.
//!
//! The schedule lives in the database (`service::sync_patient` keeps each person's reminder
//! jobs in step with their reviews, packs, carers and choices: in the same transaction as a
//! change made here, and as a reaction (`reacts`) to the events other features record); the server's worker leases due jobs (`queue`), sends them and records what each
//! push service answered.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{Checkboxes, ErrorSummary, Flash, FormState, Notice, Select, TextField};
use crate::ui::PageHeading;
use crate::ui::back_link;

mod pages;
pub use pages::*;

#[cfg(feature = "ssr")]
pub mod queue;
#[cfg(feature = "ssr")]
pub mod reacts;
#[cfg(feature = "ssr")]
pub mod schedule;
#[cfg(feature = "ssr")]
pub mod service;

/// The kinds a person can turn on or off, in the order the page lists them.
pub const KINDS: [(&str, &str); 4] = [
    ("pack_ready", "When the questions for your review are ready"),
    (
        "agenda_due",
        "If you have not answered those questions a few days before your review",
    ),
    ("review_tomorrow", "The day before your review"),
    ("actions", "The things in your plan to do each day"),
];

/// Time zones offered on the form (any other real one is kept if already chosen).
pub const TIME_ZONES: [&str; 24] = [
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Atlantic/Canary",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Warsaw",
    "Europe/Athens",
    "Europe/Istanbul",
    "Africa/Lagos",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Hong_Kong",
    "Australia/Sydney",
    "Pacific/Auckland",
    "America/New_York",
    "America/Toronto",
    "America/Los_Angeles",
    "UTC",
];

/// How many times of day a person can choose for action reminders.
pub const MAX_ACTION_TIMES: usize = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeviceView {
    pub id: Uuid,
    /// "Chrome on Android".
    pub label: String,
    pub added: String,
    pub last_sent: Option<String>,
}

/// The choices as the form shows them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ChoicesView {
    pub kinds: Vec<String>,
    pub agenda_days: String,
    /// Always `MAX_ACTION_TIMES` entries, `""` for an unused one.
    pub times: Vec<String>,
    pub quiet_from: String,
    pub quiet_until: String,
    pub time_zone: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RemindersView {
    /// The server's VAPID public key (base64url), which a browser needs to subscribe.
    pub public_key: String,
    pub devices: Vec<DeviceView>,
    pub choices: ChoicesView,
    /// For a carer: "Margaret Evans (mother): review, preparation and action reminders".
    pub helping: Vec<String>,
    /// Whether this account has a plan of its own (a carer may not).
    pub own_plan: bool,
}

/// What the reminders form posts. Checkboxes post `kind_<code>=on`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ChoicesForm {
    pub kind_pack_ready: Option<String>,
    pub kind_agenda_due: Option<String>,
    pub kind_review_tomorrow: Option<String>,
    pub kind_actions: Option<String>,
    pub agenda_days: String,
    pub time_1: String,
    pub time_2: String,
    pub time_3: String,
    pub quiet_from: String,
    pub quiet_until: String,
    pub time_zone: String,
}

/// A browser's push subscription, as `PushSubscription.toJSON()` gives it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeviceForm {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RemoveDeviceForm {
    pub device: String,
}

/// Where a reminder's notification leads, once the signed-in account may see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenView {
    /// The page to go to.
    pub target: String,
    /// For a carer looking at someone else's plan: whose plan the reminder is about, and their
    /// name, so they can switch.
    pub about: Option<(Uuid, String)>,
}

/// The kinds in words for this reader: about their own review and plan, or (for a carer with
/// no plan of their own) about the reviews and plans of the people they help.
fn kind_options(own_plan: bool) -> Vec<(String, String)> {
    KINDS
        .iter()
        .map(|(c, l)| {
            let words = if own_plan {
                (*l).to_owned()
            } else {
                l.replace("your review", "their review")
                    .replace("your plan", "their plan")
            };
            ((*c).to_owned(), words)
        })
        .collect()
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn RemindersRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/account/reminders") view=RemindersPage ssr=SsrMode::Async />
        <Route path=path!("/reminders/:id") view=OpenReminderPage ssr=SsrMode::Async />
    }
    .into_inner()
}

mod api;
pub use api::*;
