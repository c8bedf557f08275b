//! Enrolment's server functions: who is asking (through the access layer), then the service.
use super::*;

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

/// The care team corrects a person's phone number or email.
#[server(prefix = "/api/team", endpoint = "contact")]
pub async fn edit_contact(#[server(flatten)] form: ContactForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::EditContact,
            crate::care_team::id_of(&form.patient_id)?,
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
