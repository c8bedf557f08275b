//! The sharing feature's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/sharing", endpoint = "view")]
pub async fn load_sharing() -> Result<SharingView, AppError> {
    let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageSharing).await?;
    service::view(&state, &ctx).await
}

#[server(prefix = "/api/sharing", endpoint = "share")]
pub async fn share(#[server(flatten)] form: ShareForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageSharing).await?;
        service::share(&state, &ctx, &form.organisation).await
    }
    .await;
    crate::forms::finish(
        result,
        "share",
        &form,
        "Your plan is now shared with that team.",
        "/sharing",
        "/sharing",
    )
    .await
}

#[server(prefix = "/api/sharing", endpoint = "stop")]
pub async fn stop_sharing(#[server(flatten)] form: ShareForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageSharing).await?;
        service::stop(&state, &ctx, &form.organisation).await
    }
    .await;
    crate::forms::finish(
        result,
        "stop",
        &form,
        "You have stopped sharing with that team. They can no longer see your plan.",
        "/sharing",
        "/sharing",
    )
    .await
}
