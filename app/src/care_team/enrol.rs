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
pub mod service {
    use std::collections::BTreeMap;

    use chrono::NaiveDate;
    use sea_orm::{
        ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
        QueryFilter as _, Set,
    };
    use tower_sessions::Session;
    use uuid::Uuid;

    use super::{ContactForm, LetterView, NewPatientForm, contact_problems};
    use crate::access::{self, PatientCtx, Permission, StaffCtx};
    use crate::auth::invitation::{self, NewInvitation, Purpose};
    use crate::clock::Clock;
    use crate::entities::{account, organisation, patient, patient_condition};
    use crate::error::AppError;
    use crate::nhs_number::NhsNumber;
    use crate::state::AppState;

    /// Corrects a person's phone and email, for a record opened to edit them (`EditContact`).
    pub async fn edit_contact(
        state: &AppState,
        ctx: &PatientCtx,
        form: &ContactForm,
    ) -> Result<(), AppError> {
        ctx.opened_for(Permission::EditContact)?;
        let (staff, p) = (ctx.actor().account_id, ctx.patient());
        let problems = contact_problems(&form.phone, &form.email);
        if !problems.is_empty() {
            let mut errors = BTreeMap::new();
            for (field, message) in problems {
                errors.insert(field.to_owned(), vec![message.to_owned()]);
            }
            return Err(AppError::Validation(errors));
        }
        let (phone, email) = (form.phone.trim(), form.email.trim());
        let txn = crate::state::begin_write(&state.db).await?;
        let mut row: patient::ActiveModel = p.clone().into();
        row.phone = Set((!phone.is_empty()).then(|| phone.to_owned()));
        row.email = Set((!email.is_empty()).then(|| email.to_owned()));
        row.update(&txn).await?;
        crate::auth::audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "contact_changed")
            .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn enrol(
        db: &sea_orm::DatabaseConnection,
        clock: &dyn Clock,
        public_origin: &str,
        org: Uuid,
        invited_by: Option<Uuid>,
        form: &NewPatientForm,
    ) -> Result<(Uuid, String, String), AppError> {
        let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut fail = |field: &str, message: &str| {
            errors
                .entry(field.to_owned())
                .or_default()
                .push(message.to_owned());
        };
        let (given, family) = (form.given.trim(), form.family.trim());
        if given.is_empty() || given.chars().count() > 100 {
            fail("given", "Enter a first name of 1 to 100 characters");
        }
        if family.is_empty() || family.chars().count() > 100 {
            fail("family", "Enter a last name of 1 to 100 characters");
        }
        let today = crate::plan::service::today_in("Europe/London", clock.now());
        let born = NaiveDate::parse_from_str(form.born.trim(), "%Y-%m-%d").ok();
        match born {
            None => fail(
                "born",
                "Enter the date of birth as a real date, for example 1955-06-01",
            ),
            Some(d) if d > today => fail("born", "The date of birth must not be in the future"),
            Some(d) if d < today - chrono::Duration::days(125 * 366) => {
                fail("born", "Check the year of birth")
            }
            Some(_) => {}
        }
        let nhs = NhsNumber::parse(&form.nhs_number);
        if let Err(err) = &nhs {
            fail("nhs_number", &err.to_string());
        }
        for condition in &form.conditions {
            if !crate::plan::CONDITIONS.iter().any(|(c, _)| c == condition) {
                let known: Vec<&str> = crate::plan::CONDITIONS.iter().map(|(c, _)| *c).collect();
                fail("condition", &format!("Use one of: {}", known.join(", ")));
            }
        }
        for (field, message) in contact_problems(&form.phone, &form.email) {
            fail(field, message);
        }
        let (phone, email) = (form.phone.trim(), form.email.trim());
        let (Some(born), Ok(nhs), true) = (born, nhs, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        let txn = crate::state::begin_write(db).await?;
        if patient::Entity::find()
            .filter(patient::Column::NhsNumber.eq(nhs.as_str()))
            .one(&txn)
            .await?
            .is_some()
        {
            return Err(AppError::field(
                "nhs_number",
                "Someone with that NHS number is already registered",
            ));
        }
        let now = clock.now();
        let name = format!("{given} {family}");
        let account_id = Uuid::new_v4();
        account::ActiveModel {
            id: Set(account_id),
            display_name: Set(name.clone()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let patient_id = Uuid::new_v4();
        patient::ActiveModel {
            id: Set(patient_id),
            account_id: Set(Some(account_id)),
            organisation_id: Set(org),
            given_name: Set(given.into()),
            family_name: Set(family.into()),
            date_of_birth: Set(born),
            nhs_number: Set(nhs.as_str().into()),
            phone: Set((!phone.is_empty()).then(|| phone.to_owned())),
            email: Set((!email.is_empty()).then(|| email.to_owned())),
            time_zone: Set("Europe/London".into()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        let mut conditions = form.conditions.clone();
        conditions.sort();
        conditions.dedup();
        for condition in conditions {
            patient_condition::ActiveModel {
                patient_id: Set(patient_id),
                condition: Set(condition),
            }
            .insert(&txn)
            .await?;
        }
        let token = invitation::create(
            &txn,
            clock,
            NewInvitation {
                account_id,
                purpose: Purpose::Patient,
                organisation_id: Some(org),
                patient_id: Some(patient_id),
                invited_by,
            },
        )
        .await?;
        txn.commit().await?;
        Ok((patient_id, name, token.link(public_origin)))
    }

    /// A care-team member adds a person to their practice.
    pub async fn add(
        state: &AppState,
        ctx: &StaffCtx,
        form: &NewPatientForm,
    ) -> Result<(Uuid, String, String), AppError> {
        let (org, staff) = (ctx.organisation(), ctx.actor().account_id);
        let made = enrol(
            &state.db,
            state.clock.as_ref(),
            &state.settings.public_origin,
            org,
            Some(staff),
            form,
        )
        .await?;
        if let Some(p) = patient::Entity::find_by_id(made.0).one(&state.db).await? {
            crate::auth::audit::staff_touch(
                &state.db,
                state.clock.as_ref(),
                staff,
                &p,
                "patient_added",
            )
            .await?;
        }
        Ok(made)
    }

    /// The person's account, for a record opened to see their letter (`ReadLetter`).
    pub fn account_of(ctx: &PatientCtx) -> Result<Uuid, AppError> {
        ctx.opened_for(Permission::ReadLetter)?;
        ctx.patient().account_id.ok_or(AppError::NotFound)
    }

    /// The QR code of a link, as an SVG drawing.
    pub fn qr_svg(link: &str) -> Result<String, AppError> {
        let code = qrcode::QrCode::new(link.as_bytes()).map_err(AppError::internal)?;
        Ok(code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build())
    }

    async fn practice_name(db: &impl ConnectionTrait, org: Uuid) -> Result<String, AppError> {
        Ok(organisation::Entity::find_by_id(org)
            .one(db)
            .await?
            .map(|o| o.name)
            .unwrap_or_default())
    }

    pub async fn letter(
        state: &AppState,
        session: &Session,
        ctx: &PatientCtx,
    ) -> Result<LetterView, AppError> {
        ctx.opened_for(Permission::ReadLetter)?;
        let p = ctx.patient();
        let patient_id = p.id;
        let link =
            crate::session::take::<(String, String)>(session, crate::session::NEW_LINK_KEY).await?;
        let link = match link {
            Some((_, link)) => Some((qr_svg(&link)?, link)),
            None => None,
        };
        let (recovery, may_reinvite) = match p.account_id {
            Some(account) => (
                crate::auth::team::service::has_passkey(&state.db, account).await?,
                access::check(
                    &state.db,
                    ctx.actor(),
                    Permission::Reinvite,
                    access::Subject::Account(account),
                )
                .await
                .is_ok(),
            ),
            None => (false, false),
        };
        Ok(LetterView {
            patient_id,
            name: format!("{} {}", p.given_name, p.family_name),
            practice: practice_name(&state.db, p.organisation_id).await?,
            link: link.map(|(svg, link)| (link, svg)),
            recovery,
            may_reinvite,
            may_open_record: ctx.may(&state.db, Permission::ReadRecord).await?,
        })
    }
}

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
