//! Getting ready for a review: the care and support planning conversation itself (when, with
//! whom, how, where), the preparation pack released before it, and the agenda prompts the person
//! answers to set what they want to talk about. Answers are a draft until sent, and can change
//! until the review starts. The care team's side of the same data is in `care_team`.
use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, Notice, TextArea};
use crate::ui::PageHeading;

#[cfg(feature = "ssr")]
pub mod service;

pub const MODES: [(&str, &str); 3] = [
    ("in_person", "In person"),
    ("phone", "By phone"),
    ("video", "By video call"),
];

pub fn mode_name(code: &str) -> &'static str {
    MODES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or("In person")
}

/// The review form, for booking and for moving.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub patient_id: String,
    pub review_id: String,
    pub date: String,
    pub time: String,
    pub with_whom: String,
    pub mode: String,
    pub place: String,
}

crate::access::vocabulary! {
    /// Where a review stands (`reviews.status`): booked, held or cancelled. Only a booked
    /// review is ever moved, prepared for or reminded about.
    ReviewStatus {
        Scheduled = "scheduled", "Booked";
        Held = "held", "Held";
        Cancelled = "cancelled", "Cancelled";
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub id: Uuid,
    /// "Tuesday 1 December 2026 at 10:30"
    pub when: String,
    pub date: String,
    pub time: String,
    pub with_whom: String,
    pub mode: String,
    pub mode_name: String,
    pub place: String,
    pub status: ReviewStatus,
    pub next_review_date: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgendaAnswerView {
    pub position: i32,
    pub prompt: String,
    pub answer: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PackView {
    pub released_on: String,
    pub opened: bool,
    /// "Sent by Margaret Jones on …", once sent.
    pub submitted: Option<String>,
    /// Answers can change until the review starts.
    pub editable: bool,
    pub answers: Vec<AgendaAnswerView>,
}

/// A practice's agenda prompts as its administrator sees them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromptSet {
    pub organisation_id: Uuid,
    pub organisation: String,
    /// The practice has its own set (else it asks the Year of Care set, shown here, which
    /// becomes its own at the first change).
    pub own: bool,
    pub prompts: Vec<PromptRow>,
    /// For each condition: the questions a person with it is asked, in order.
    pub previews: Vec<(String, Vec<String>)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromptRow {
    /// `None` while the practice asks the Year of Care set.
    pub id: Option<Uuid>,
    /// "Everyone", or the condition's name.
    pub asked_of: String,
    pub text: String,
}

/// Today's card while a review is booked: the appointment, and how getting ready is going.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewCard {
    pub review: ReviewView,
    /// Once the pack is out (and the viewer may answer): the questions so far.
    pub questions: Option<Questions>,
    /// The pack is out and the viewer may see results: "Your results are ready".
    pub results_ready: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Questions {
    pub answered: usize,
    pub asked: usize,
    /// The answers have been sent to the care team.
    pub sent: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreparationView {
    pub review: Option<ReviewView>,
    pub pack: Option<PackView>,
    /// Who is looking: the person, or a carer helping them get ready.
    #[serde(default)]
    pub viewing: crate::plan::Viewing,
}

/// The agenda form: `answer_<position>` fields, and which button was pressed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgendaForm {
    /// `draft` (save and finish later) or `send`.
    pub intent: String,
    #[serde(flatten)]
    pub answers: BTreeMap<String, String>,
}

#[component]
pub fn PreparationPage() -> impl IntoView {
    render(
        load(load_preparation),
        |v: PreparationView, flash: Flash| {
            let state = FormState::new("agenda", &flash);
            let who = v.viewing.clone();
            let whose = who.whose();
            let review = match v.review.clone() {
            None if who.own => view! {
                <p class="nhsuk-body">"You do not have a review booked yet. Your care team will tell you when it is."</p>
            }
            .into_any(),
            None => view! {
                <p class="nhsuk-body">{format!("{} does not have a review booked yet. The care team will tell {} when it is.", who.given_name, who.given_name)}</p>
            }
            .into_any(),
            Some(r) => view! {
                <h2 class="nhsuk-heading-m">{format!("{whose} review")}</h2>
                <dl class="nhsuk-summary-list">
                    <div class="nhsuk-summary-list__row">
                        <dt class="nhsuk-summary-list__key">"When"</dt>
                        <dd class="nhsuk-summary-list__value">{r.when.clone()}</dd>
                    </div>
                    <div class="nhsuk-summary-list__row">
                        <dt class="nhsuk-summary-list__key">"With"</dt>
                        <dd class="nhsuk-summary-list__value">{r.with_whom.clone()}</dd>
                    </div>
                    <div class="nhsuk-summary-list__row">
                        <dt class="nhsuk-summary-list__key">"How"</dt>
                        <dd class="nhsuk-summary-list__value">{r.mode_name.clone()}</dd>
                    </div>
                    {(!r.place.is_empty()).then(|| view! {
                        <div class="nhsuk-summary-list__row">
                            <dt class="nhsuk-summary-list__key">"Where"</dt>
                            <dd class="nhsuk-summary-list__value">{r.place.clone()}</dd>
                        </div>
                    })}
                </dl>
            }
            .into_any(),
        };
            let pack = match (v.review.is_some(), v.pack.clone()) {
            (false, _) => ().into_any(),
            (true, None) if who.own => view! {
                <p class="nhsuk-body">"About 2 weeks before your review, your care team will send your results, explained, and some questions to help you think about what you want to talk about."</p>
            }
            .into_any(),
            (true, None) => view! {
                <p class="nhsuk-body">{format!("About 2 weeks before the review, the care team will send {} results, explained, and some questions to help {} think about what to talk about.", who.whose_lower(), who.given_name)}</p>
            }
            .into_any(),
            (true, Some(pack)) => agenda_form(pack, &who, state.clone()).into_any(),
        };
            let (heading, intro) = if who.own {
                ("Get ready for your review".to_owned(), "Your review is a conversation about what matters to you. Thinking about it first helps you get the most from it.".to_owned())
            } else {
                (
                    format!("Get ready for {} review", who.whose_lower()),
                    format!(
                        "{whose} review is a conversation about what matters to {}. Thinking about it first helps {} get the most from it.",
                        who.given_name, who.given_name
                    ),
                )
            };
            view! {
                <Notice flash=flash.clone() />
                <PageHeading text=heading />
                <p class="nhsuk-body">{intro}</p>
                {review}
                {pack}
            }
        },
    )
}

fn agenda_form(pack: PackView, who: &crate::plan::Viewing, state: FormState) -> impl IntoView {
    let own = who.own;
    let status = match (&pack.submitted, pack.editable, own) {
        (Some(sent), true, true) => {
            format!("{sent}. You can still change your answers until your review starts.")
        }
        (Some(sent), true, false) => {
            format!("{sent}. The answers can still change until the review starts.")
        }
        (Some(sent), false, _) => format!("{sent}."),
        (None, true, true) => {
            "Your answers are a draft. Your care team sees them only when you send them.".to_owned()
        }
        (None, true, false) => {
            "These answers are a draft. The care team sees them only once they are sent.".to_owned()
        }
        (None, false, true) => {
            "Your review has started, so these answers can no longer change.".to_owned()
        }
        (None, false, false) => {
            "The review has started, so these answers can no longer change.".to_owned()
        }
    };
    let whose = who.whose();
    let whose_lower = who.whose_lower();
    // The results link only for someone who may see the results.
    let results_link = who.read_results.then(|| {
        view! { <a href="/results">{format!("See {whose_lower} results, explained")}</a> }
    });
    let shared = if own {
        format!(
            "Your care team shared your latest results on {}. ",
            pack.released_on
        )
    } else {
        format!(
            "The care team shared {whose_lower} latest results on {}. ",
            pack.released_on
        )
    };
    let talk = if own {
        "What you want to talk about".to_owned()
    } else {
        format!("What {} wants to talk about", who.given_name)
    };
    let send_label = match (pack.submitted.is_some(), own) {
        (true, true) => "Send my changes".to_owned(),
        (true, false) => "Send the changes".to_owned(),
        (false, true) => "Send to my care team".to_owned(),
        (false, false) => format!("Send to {whose_lower} care team"),
    };
    let intro = view! {
        <h2 class="nhsuk-heading-m">{format!("{whose} results")}</h2>
        <p class="nhsuk-body">{shared}{results_link}</p>
        <h2 class="nhsuk-heading-m">{talk}</h2>
        <p class="nhsuk-body">"Answer as many or as few as you like. A few words is fine."</p>
        <p class="nhsuk-body" id="agenda-status"><strong>{status}</strong></p>
    };
    if !pack.editable {
        return view! {
            {intro}
            <dl class="nhsuk-summary-list">
                {pack.answers.into_iter().map(|a| view! {
                    <div class="nhsuk-summary-list__row">
                        <dt class="nhsuk-summary-list__key">{a.prompt}</dt>
                        <dd class="nhsuk-summary-list__value app-pre-line">{if a.answer.is_empty() { "No answer".to_owned() } else { a.answer }}</dd>
                    </div>
                }).collect_view()}
            </dl>
        }
        .into_any();
    }
    let sent = pack.submitted.is_some();
    let fields = pack
        .answers
        .into_iter()
        .map(|a| {
            view! {
                <TextArea state=state.clone() name=format!("answer_{}", a.position) label=a.prompt value=a.answer rows=4 />
            }
        })
        .collect_view();
    // Autosave keeps a draft as the person writes; once sent, changes go only when they say.
    view! {
        {intro}
        <ErrorSummary state=state.clone() />
        <form method="post" action={crate::ui::post_to::<crate::preparation::SaveAgenda>()} data-enhance="" data-autosave=(!sent).then_some("") id="agenda" novalidate>
            <IdempotencyKey />
            {fields}
            <div class="app-button-row">
                <button type="submit" class="nhsuk-button" name="intent" value="send">
                    {send_label}
                </button>
                {(!sent).then(|| view! {
                    " "
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary" name="intent" value="draft">
                        "Save and finish later"
                    </button>
                })}
            </div>
            // Below the buttons, never above: a draft saved as the person presses a button
            // (leaving the answer saves it) must not move the button from under their finger,
            // or the press lands beside it and nothing is saved or said.
            <p class="nhsuk-body-s" id="autosave-status"></p>
        </form>
    }
    .into_any()
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn PreparationRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/preparation") view=PreparationPage ssr=SsrMode::Async />
    }
    .into_inner()
}

mod api;
pub use api::*;
