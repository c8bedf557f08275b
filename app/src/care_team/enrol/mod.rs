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

#[server(prefix = "/api/team", endpoint = "add_patient")]
pub async fn add_patient(#[server(flatten)] form: NewPatientForm) -> Result<(), AppError> {
    let mut made = None;
    let result = async {
        let mut form = form.clone();
        form.conditions = crate::plan::input::ticked(&form.rest, "conditions");
        let (state, session, ctx) =
            crate::auth::opened::staff(crate::access::Permission::AddPatients, None).await?;
        let (patient_id, name, link) = service::add(&state, &ctx, &form).await?;
        crate::session::put(&session, crate::session::NEW_LINK_KEY, (name, link)).await?;
        made = Some(patient_id);
        Ok(())
    }
    .await;
    let next = made
        .map(|id| format!("/team/people/{id}/letter"))
        .unwrap_or_else(|| "/team".into());
    crate::forms::finish(
        result,
        "patient",
        &form,
        "They are added. Print this letter for them, or read the link to them.",
        &next,
        "/team/patients/new",
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "letter")]
pub async fn load_letter(patient_id: Uuid) -> Result<LetterView, AppError> {
    let (state, session, ctx) =
        crate::auth::opened::person(crate::access::Permission::ReadLetter, patient_id).await?;
    service::letter(&state, &session, &ctx).await
}

/// A new one-time link (and letter) for someone who has not signed up or lost their passkeys.
#[server(prefix = "/api/team", endpoint = "new_letter")]
pub async fn new_letter(patient_id: Uuid) -> Result<(), AppError> {
    let mut recovery = false;
    let result = async {
        let (state, session, ctx) =
            crate::auth::opened::person(crate::access::Permission::ReadLetter, patient_id).await?;
        let account = ctx.actor().account_id;
        let subject = service::account_of(&ctx)?;
        recovery = crate::auth::team::service::reinvite(&state, &session, account, subject).await?;
        Ok(())
    }
    .await;
    let letter = format!("/team/people/{patient_id}/letter");
    crate::forms::finish(
        result,
        "letter",
        &(),
        if recovery {
            "This is a recovery link: it works once someone else in the care team approves it on the Invitation links page."
        } else {
            "Here is the new letter. Any older link has stopped working."
        },
        &letter,
        &letter,
    )
    .await
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

/// The care team corrects a person's phone number or email.
#[server(prefix = "/api/team", endpoint = "contact")]
pub async fn edit_contact(#[server(flatten)] form: ContactForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = super::open_person(
            crate::access::Permission::EditContact,
            super::id_of(&form.patient_id)?,
        )
        .await?;
        service::edit_contact(&state, &ctx, &form).await
    }
    .await;
    let page = match Uuid::parse_str(form.patient_id.trim()) {
        Ok(id) => format!("/team/people/{id}#contact"),
        Err(_) => "/team".to_owned(),
    };
    crate::forms::finish(
        result,
        "contact",
        &form,
        "Their contact details are saved.",
        &page,
        &page,
    )
    .await
}

#[cfg(feature = "ssr")]
pub mod operator;
#[cfg(feature = "ssr")]
pub mod service;

#[component]
pub fn NewPatientPage() -> impl IntoView {
    render(
        load(|| async { Ok::<(), AppError>(()) }),
        |_: (), flash: Flash| {
            let state = FormState::new("patient", &flash);
            view! {
                {back_link("/team".into(), "Caseload")}
                <PageHeading text="Add a person" />
                <p class="nhsuk-body">"They get a letter with a one-time link to set up Alongside with a passkey on their phone."</p>
                <ErrorSummary state=state.clone() />
                <form method="post" action={crate::ui::post_to::<crate::care_team::enrol::AddPatient>()} data-enhance="" id="patient" novalidate>
                    <IdempotencyKey />
                    <TextField state=state.clone() name="given" label="First name".into() value=String::new() autocomplete="off" />
                    <TextField state=state.clone() name="family" label="Last name".into() value=String::new() autocomplete="off" />
                    <TextField state=state.clone() name="born" label="Date of birth".into() kind="date" hint="For example 1955-06-01." value=String::new() class="nhsuk-input--width-10" />
                    <TextField state=state.clone() name="nhs_number" label="NHS number".into() hint="10 digits, for example 943 476 5919. We check the last digit." value=String::new() class="nhsuk-input--width-10" />
                    <Checkboxes state=state.clone() name="conditions" legend="Long-term conditions".into()
                        options=crate::forms::options(&crate::plan::CONDITIONS) chosen=Vec::new() />
                    <TextField state=state.clone() name="phone" label="Mobile phone (optional)".into() kind="tel" value=String::new() class="nhsuk-input--width-20" autocomplete="off" />
                    <TextField state=state.clone() name="email" label="Email (optional)".into() kind="email" value=String::new() autocomplete="off" />
                    <button type="submit" class="nhsuk-button">"Add and make their letter"</button>
                </form>
            }
        },
    )
}

#[component]
pub fn LetterPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    render(
        load(move || load_letter(id)),
        |v: LetterView, flash: Flash| {
            let body = match v.link.clone() {
            Some((link, svg)) => view! {
                <div class="app-letter">
                    <p class="nhsuk-body">{format!("Dear {},", v.name)}</p>
                    <p class="nhsuk-body">{format!("{} uses Alongside to help you get ready for your reviews, see your results explained and keep your own care plan.", v.practice)}</p>
                    <p class="nhsuk-body">{if v.recovery {
                        "To set up a new passkey, scan this code with your phone's camera, or type the address below. The link works once, for 24 hours."
                    } else {
                        "To set it up, scan this code with your phone's camera, or type the address below. The link works once, for 14 days."
                    }}</p>
                    <div class="app-qr" inner_html=svg role="img" aria-label="QR code of the link below"></div>
                    <p class="nhsuk-body app-link-text">{link}</p>
                    <p class="nhsuk-body">"If you need help, ask at reception."</p>
                </div>
                <p class="nhsuk-body app-no-print">"Use your browser's Print to print this letter: only the letter is printed."</p>
            }
            .into_any(),
            None if v.may_reinvite => view! {
                <p class="nhsuk-body">"For safety, the link is shown only once, when it is made. Make a new one to print a new letter: any older link stops working."</p>
            }
            .into_any(),
            None => view! {
                <p class="nhsuk-body">"For safety, the link is shown only once, when it is made. An administrator, clinician or care coordinator can make a new one."</p>
            }
            .into_any(),
        };
            let state = FormState::new("letter", &flash);
            view! {
                <Notice flash=flash.clone() />
                <div class="app-no-print">{if v.may_open_record {
                    back_link(format!("/team/people/{}", v.patient_id), "Back to their page")
                } else {
                    back_link("/today".to_owned(), "Back to Today")
                }}</div>
                <PageHeading text=format!("Invitation letter for {}", v.name) />
                <ErrorSummary state=state />
                {body}
                {v.may_reinvite.then(|| view! {
                    <form method="post" action={crate::ui::post_to::<crate::care_team::enrol::NewLetter>()} class="app-no-print">
                        <IdempotencyKey />
                        <input type="hidden" name="patient_id" value=v.patient_id.to_string() />
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Make a new link and letter"</button>
                    </form>
                })}
            }
        },
    )
}
