//! The care team feature's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/team", endpoint = "reviews")]
pub async fn load_team_reviews() -> Result<ReviewsView, AppError> {
    let (state, _, ctx) = open_staff(crate::access::Permission::ManageReviews, None).await?;
    service::reviews(&state, &ctx).await
}

#[server(prefix = "/api/team", endpoint = "person")]
pub async fn load_team_person(patient_id: Uuid) -> Result<TeamPersonView, AppError> {
    let (state, ctx) = open_person(crate::access::Permission::ReadRecord, patient_id).await?;
    service::person(&state, &ctx).await
}

/// Books a review, or moves the one named by `review_id`.
#[server(prefix = "/api/team", endpoint = "review")]
pub async fn book_review(#[server(flatten)] form: ReviewForm) -> Result<(), AppError> {
    use crate::preparation::service as prep;
    let moving = !form.review_id.trim().is_empty();
    let result = async {
        let (state, ctx) = open_person(
            crate::access::Permission::ManageReviews,
            id_of(&form.patient_id)?,
        )
        .await?;
        if moving {
            prep::move_review(&state, &ctx, id_of(&form.review_id)?, &form).await
        } else {
            prep::schedule(&state, &ctx, &form).await.map(|_| ())
        }
    }
    .await;
    let page = person_page(&form.patient_id);
    let notice = if moving {
        "The review is moved."
    } else {
        "The review is booked."
    };
    crate::forms::finish(result, "review", &form, notice, &page, &page).await
}

#[server(prefix = "/api/team", endpoint = "review_cancel")]
pub async fn cancel_review(#[server(flatten)] form: ReviewActionForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_person(
            crate::access::Permission::ManageReviews,
            id_of(&form.patient_id)?,
        )
        .await?;
        crate::preparation::service::cancel_review(&state, &ctx, id_of(&form.review_id)?).await
    }
    .await;
    let page = person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "cancel",
        &form,
        "The review is cancelled.",
        &page,
        &page,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "review_held")]
pub async fn close_review(#[server(flatten)] form: ReviewActionForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_person(
            crate::access::Permission::ManageReviews,
            id_of(&form.patient_id)?,
        )
        .await?;
        crate::preparation::service::review_held(
            &state,
            &ctx,
            id_of(&form.review_id)?,
            &form.next_date,
        )
        .await
    }
    .await;
    let page = person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "held",
        &form,
        "The review is recorded as held, with the date the next one is due.",
        &page,
        &page,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "release")]
pub async fn release_now(#[server(flatten)] form: ReviewActionForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_person(
            crate::access::Permission::ReleaseResults,
            id_of(&form.patient_id)?,
        )
        .await?;
        crate::preparation::service::release(&state, &ctx).await
    }
    .await;
    let page = person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "release",
        &form,
        "The preparation pack is sent: they can now see their results.",
        &page,
        &page,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "result")]
pub async fn add_result(#[server(flatten)] form: ResultForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_person(
            crate::access::Permission::EnterResults,
            id_of(&form.patient_id)?,
        )
        .await?;
        crate::results::service::add_manual(&state, &ctx, &form).await
    }
    .await;
    let page = person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "result",
        &form,
        "The result is added. The person sees it when their next pack is sent.",
        &format!("{page}#results"),
        &format!("{page}#add-result"),
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "target")]
pub async fn set_target(#[server(flatten)] form: TargetForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = open_person(
            crate::access::Permission::SetTargets,
            id_of(&form.patient_id)?,
        )
        .await?;
        crate::results::service::set_target(&state, &ctx, &form.code, &form.value).await
    }
    .await;
    let page = person_page(&form.patient_id);
    crate::forms::finish(
        result,
        "target",
        &form,
        "Their own target is saved.",
        &format!("{page}#results"),
        &format!("{page}#own-target"),
    )
    .await
}
