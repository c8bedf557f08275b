//! The cycle's server functions: who is asking (through the access layer), then the service.
use super::*;
#[cfg(feature = "ssr")]
use crate::access::Permission;

/// The person's record, opened by the signed-in member of staff to manage their checks.
#[cfg(feature = "ssr")]
async fn open_checks(
    patient_id: &str,
) -> Result<(crate::state::AppState, crate::access::PatientCtx), AppError> {
    let id = crate::care_team::id_of(patient_id)?;
    crate::care_team::open_person(Permission::ManageChecks, id).await
}

#[cfg(feature = "ssr")]
fn ticked(rest: &BTreeMap<String, String>, prefix: &str) -> Vec<String> {
    crate::plan::input::ticked(rest, prefix)
}

/// Books the information-gathering appointment (the checks for all the person's conditions).
#[server(prefix = "/api/team", endpoint = "checks")]
pub async fn book_checks(#[server(flatten)] form: ChecksForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_checks(&form.patient_id).await?;
        service::book(&state, &ctx, &form, &ticked(&form.rest, "checks")).await
    }
    .await;
    let page = crate::care_team::person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "checks",
        &form,
        "The checks are booked.",
        &page,
        &page,
    )
    .await
}

/// Marks the checks done, with which were done.
#[server(prefix = "/api/team", endpoint = "checks_done")]
pub async fn mark_checks_done(#[server(flatten)] form: ChecksDoneForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_checks(&form.patient_id).await?;
        let id = crate::care_team::id_of(&form.appointment_id)?;
        service::mark_done(&state, &ctx, id, &ticked(&form.rest, "done")).await
    }
    .await;
    let page = crate::care_team::person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "checks-done",
        &form,
        "The checks are marked done.",
        &page,
        &page,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "checks_cancel")]
pub async fn cancel_checks(#[server(flatten)] form: ChecksDoneForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_checks(&form.patient_id).await?;
        service::cancel(&state, &ctx, crate::care_team::id_of(&form.appointment_id)?).await
    }
    .await;
    let page = crate::care_team::person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "checks-done",
        &form,
        "The checks are cancelled.",
        &page,
        &page,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "practice")]
pub async fn load_practice() -> Result<PracticeView, AppError> {
    let (state, _, ctx) = crate::care_team::open_staff(Permission::ManagePractice, None).await?;
    service::practice(&state, &ctx).await
}

#[server(prefix = "/api/team", endpoint = "practice_save")]
pub async fn save_practice(#[server(flatten)] form: PracticeForm) -> Result<(), AppError> {
    let result = async {
        let (state, _, ctx) =
            crate::care_team::open_staff(Permission::ManagePractice, Some(&form.organisation_id))
                .await?;
        service::save_practice(&state, &ctx, &form.pack_release_days).await
    }
    .await;
    crate::forms::finish(
        result,
        "practice",
        &form,
        "The setting is saved. Packs not yet sent follow it from now on.",
        "/team/practice",
        "/team/practice",
    )
    .await
}
