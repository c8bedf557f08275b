//! The carers feature's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/carers", endpoint = "list")]
pub async fn load_carers() -> Result<CarersView, AppError> {
    let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
    let session = crate::session::from_request().await?;
    service::list(&state, &session, &ctx).await
}

#[server(prefix = "/api/carers", endpoint = "invite")]
pub async fn invite_carer(#[server(flatten)] form: InviteCarerForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
        let made = service::invite(&state, &ctx, &form).await?;
        let session = crate::session::from_request().await?;
        crate::session::put(&session, crate::session::NEW_LINK_KEY, made).await
    }
    .await;
    crate::forms::finish(
        result,
        "carer",
        &form,
        "Your carer is invited. Give them the link below.",
        "/carers",
        "/carers",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "scopes")]
pub async fn change_scopes(#[server(flatten)] form: GrantForm) -> Result<(), AppError> {
    let form_id = format!("grant-{}", form.grant_id.trim());
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
        service::set_scopes(&state, &ctx, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "What they can do is changed.",
        "/carers",
        "/carers",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "revoke")]
pub async fn revoke(#[server(flatten)] form: GrantForm) -> Result<(), AppError> {
    let form_id = format!("grant-{}", form.grant_id.trim());
    let result = async {
        let (state, ctx) = crate::plan::api::ctx(crate::access::Permission::ManageCarers).await?;
        service::end(&state, ctx.actor(), Some(ctx.patient().id), &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "Their access has stopped. They cannot see your plan any more.",
        "/carers",
        "/carers",
    )
    .await
}

/// The care team records a grant for a person who lacks capacity, with its legal basis.
#[server(prefix = "/api/team", endpoint = "carer")]
pub async fn record_grant(#[server(flatten)] form: InviteCarerForm) -> Result<(), AppError> {
    let page = match Uuid::parse_str(form.patient_id.trim()) {
        Ok(id) => format!("/team/people/{id}#carers"),
        Err(_) => "/team".to_owned(),
    };
    let result = async {
        let id = Uuid::parse_str(form.patient_id.trim()).map_err(|_| AppError::NotFound)?;
        let (state, session, ctx) =
            crate::auth::opened::person(crate::access::Permission::RecordCarerGrant, id).await?;
        let made = service::record(&state, &ctx, &form).await?;
        crate::session::put(&session, crate::session::NEW_LINK_KEY, made).await
    }
    .await;
    crate::forms::finish(
        result,
        "carer",
        &form,
        "The carer's access is recorded. Give them the link below.",
        &page,
        &page,
    )
    .await
}

/// The care team ends a grant for safeguarding.
#[server(prefix = "/api/team", endpoint = "carer_end")]
pub async fn end_grant(#[server(flatten)] form: GrantForm) -> Result<(), AppError> {
    let form_id = format!("grant-{}", form.grant_id.trim());
    let result = async {
        let state = crate::state::app_state()?;
        let (_, staff) = crate::session::require_account().await?;
        let actor = crate::access::Actor::new(staff, state.clock.now());
        service::end(&state, actor, None, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "The carer's access has ended.",
        "/team",
        "/team",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "people")]
pub async fn load_people() -> Result<PeopleView, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::people(&state, &session, account).await
}

#[server(prefix = "/api/carers", endpoint = "switch")]
pub async fn switch_person(#[server(flatten)] form: SwitchForm) -> Result<(), AppError> {
    let result = async {
        let state = crate::state::app_state()?;
        let (session, account) = crate::session::require_account().await?;
        service::switch(&state, &session, account, &form.patient_id).await
    }
    .await;
    let next = crate::plan::api::local_path(&form.next, "/today");
    crate::forms::finish(
        result,
        "switch",
        &form,
        "You changed whose plan you are looking at.",
        &next,
        "/people",
    )
    .await
}

#[server(prefix = "/api/carers", endpoint = "access_log")]
pub async fn load_access_log() -> Result<AccessLogView, AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::access_log(&state, account).await
}
