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

#[component]
pub fn RemindersPage() -> impl IntoView {
    render(load(load_reminders), |v: RemindersView, flash: Flash| {
        let state = FormState::new("choices", &flash);
        let devices = if v.devices.is_empty() {
            view! { <p class="nhsuk-body" id="no-devices">"No devices get reminders yet."</p> }
                .into_any()
        } else {
            view! {
                <ul class="nhsuk-list" id="reminder-devices">
                    {v.devices.iter().map(|d| {
                        let sent = d.last_sent.clone().map(|s| format!(" Last reminder {s}.")).unwrap_or_default();
                        view! {
                            <li class="app-device">
                                <p class="nhsuk-body nhsuk-u-margin-bottom-2"><strong>{d.label.clone()}</strong>{format!(". Added {}.{sent}", d.added)}</p>
                                <form method="post" action={crate::ui::post_to::<crate::reminders::RemoveDevice>()} data-enhance="" class="app-inline-form">
                                    <IdempotencyKey />
                                    <input type="hidden" name="device" value=d.id.to_string() />
                                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">
                                        {format!("Stop reminders on {}", d.label)}
                                    </button>
                                </form>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <form method="post" action={crate::ui::post_to::<crate::reminders::SendTest>()} data-enhance="" class="app-inline-form">
                    <IdempotencyKey />
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Send a test reminder"</button>
                </form>
            }
            .into_any()
        };
        let c = v.choices.clone();
        let zones: Vec<(String, String)> = {
            let mut list: Vec<String> = TIME_ZONES.iter().map(|z| (*z).to_owned()).collect();
            if !list.contains(&c.time_zone) {
                list.insert(0, c.time_zone.clone());
            }
            list.into_iter()
                .map(|z| (z.clone(), z.replace('_', " ")))
                .collect()
        };
        let days: Vec<(String, String)> = (1..=7)
            .map(|n| {
                (
                    n.to_string(),
                    if n == 1 {
                        "1 day before".to_owned()
                    } else {
                        format!("{n} days before")
                    },
                )
            })
            .collect();
        let whose = if v.own_plan { "your" } else { "their" };
        let agenda_label = if v.own_plan {
            "How long before your review should we remind you about the questions?"
        } else {
            "How long before their review should we remind you about the questions?"
        };
        let actions_legend = format!("When to remind you about {whose} actions");
        let time_labels = [
            "First time",
            "Second time (optional)",
            "Third time (optional)",
        ];
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text="Reminders" />
            <p class="nhsuk-body">{if v.own_plan {
                "Alongside can remind you about your review and the things in your plan."
            } else {
                "Alongside can remind you about the reviews and plans of the people you help."
            }}</p>
            <p class="nhsuk-body">"A reminder never says anything about your health. It says \"you have a reminder\". You open Alongside to see what it is about."</p>

            <h2 class="nhsuk-heading-m">"Reminders on this device"</h2>
            // The phone's script takes this away and shows the button instead.
            <p class="nhsuk-body" id="push-needs-script">"To get reminders on this device, turn on JavaScript in your browser. You can still choose what you are reminded about below."</p>
            // Shown by the phone's script: turning reminders on asks the browser for permission,
            // and only when the person taps the button.
            <div id="push-device" hidden data-public-key=v.public_key.clone()>
                <p class="nhsuk-body" data-push-state="">"Reminders are off on this device."</p>
                <button type="button" class="nhsuk-button" data-push-on="">"Turn on reminders on this device"</button>
            </div>

            <h2 class="nhsuk-heading-m">"Devices that get reminders"</h2>
            {devices}

            <h2 class="nhsuk-heading-m">"What to remind you about"</h2>
            {(!v.helping.is_empty()).then(|| view! {
                <div class="nhsuk-inset-text">
                    <p>"You also get reminders for the people you help, as their permission allows:"</p>
                    <ul class="nhsuk-list nhsuk-list--bullet">
                        {v.helping.iter().map(|h| view! { <li>{h.clone()}</li> }).collect_view()}
                    </ul>
                </div>
            })}
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::reminders::SaveChoices>()} data-enhance="" id="choices" novalidate>
                <IdempotencyKey />
                <Checkboxes state=state.clone() name="kind" legend="Remind me".into()
                    options=kind_options(v.own_plan) chosen=c.kinds.clone() />
                <Select state=state.clone() name="agenda_days" label=agenda_label
                    options=days value=c.agenda_days.clone() />
                <fieldset class="nhsuk-fieldset">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">{actions_legend}</legend>
                    <div class="nhsuk-hint">"Use the 24-hour clock, for example 09:00 or 18:30. You get one reminder at each time, whatever is due."</div>
                    {["time_1", "time_2", "time_3"].into_iter().zip(time_labels).enumerate().map(|(i, (name, label))| {
                        let value = c.times.get(i).cloned().unwrap_or_default();
                        view! { <TextField state=state.clone() name=name label=label.into() value=value kind="time" class="nhsuk-input--width-10" /> }
                    }).collect_view()}
                </fieldset>
                <fieldset class="nhsuk-fieldset">
                    <legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">"Quiet hours"</legend>
                    <div class="nhsuk-hint">"No reminders between these times. A reminder that falls in them waits until they end. Leave both empty for no quiet hours."</div>
                    <TextField state=state.clone() name="quiet_from" label="From".into() value=c.quiet_from.clone() kind="time" class="nhsuk-input--width-10" />
                    <TextField state=state.clone() name="quiet_until" label="Until".into() value=c.quiet_until.clone() kind="time" class="nhsuk-input--width-10" />
                </fieldset>
                <Select state=state.clone() name="time_zone" label="Your time zone"
                    hint="Reminders follow this clock, and the clocks changing." options=zones value=c.time_zone.clone() />
                <button type="submit" class="nhsuk-button">"Save my choices"</button>
            </form>
        }
    })
}

/// Where a notification's tap lands: it checks the reminder is this account's, and for a carer
/// looking at someone else's plan, offers to switch to the person it is about.
#[component]
pub fn OpenReminderPage() -> impl IntoView {
    let id = crate::ui::param_id("id");
    render(
        load(move || async move {
            match id {
                Some(id) => open_reminder(id).await,
                None => Err(AppError::NotFound),
            }
        }),
        |v: OpenView, _flash: Flash| {
            match v.about {
            None => view! { <crate::ui::GoTo path=v.target.clone() heading="Your reminder" link="Open your reminder" /> }.into_any(),
            Some((person, name)) => view! {
                <PageHeading text="Your reminder" />
                <p class="nhsuk-body">{format!("This reminder is about {name}'s plan.")}</p>
                <form method="post" action={crate::ui::post_to::<crate::carers::SwitchPerson>()}>
                    <IdempotencyKey />
                    <input type="hidden" name="patient_id" value=person.to_string() />
                    <input type="hidden" name="next" value=v.target.clone() />
                    <button type="submit" class="nhsuk-button">{format!("Look at {name}'s plan")}</button>
                </form>
            }
            .into_any(),
        }
        },
    )
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
