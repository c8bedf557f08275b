//! Members' server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/team", endpoint = "members")]
pub async fn load_members() -> Result<MembersView, AppError> {
    let (state, session, ctx) =
        crate::care_team::open_staff(crate::access::Permission::ManageMembers, None).await?;
    service::view(&state, &session, &ctx).await
}

#[server(prefix = "/api/team", endpoint = "member_invite")]
pub async fn invite_member(#[server(flatten)] form: InviteMemberForm) -> Result<(), AppError> {
    let result = async {
        let (state, session, ctx) = crate::care_team::open_staff(
            crate::access::Permission::ManageMembers,
            Some(&form.organisation_id),
        )
        .await?;
        let (_, made) = service::invite(&state, &ctx, &form).await?;
        crate::session::put(
            &session,
            crate::session::NEW_LINK_KEY,
            (made.name, made.link),
        )
        .await
    }
    .await;
    crate::forms::finish(
        result,
        "invite",
        &form,
        "They are invited. Give them the link below.",
        "/team/members",
        "/team/members",
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "member_roles")]
pub async fn change_roles(#[server(flatten)] form: MemberForm) -> Result<(), AppError> {
    let form_id = format!("roles-{}", form.account_id.trim());
    let result = async {
        let (state, _, ctx) = crate::care_team::open_staff(
            crate::access::Permission::ManageMembers,
            Some(&form.organisation_id),
        )
        .await?;
        service::set_roles(&state, &ctx, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "Their roles are changed.",
        "/team/members",
        "/team/members",
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "member_remove")]
pub async fn remove_member(#[server(flatten)] form: MemberForm) -> Result<(), AppError> {
    let form_id = format!("roles-{}", form.account_id.trim());
    let result = async {
        let (state, _, ctx) = crate::care_team::open_staff(
            crate::access::Permission::ManageMembers,
            Some(&form.organisation_id),
        )
        .await?;
        service::remove(&state, &ctx, &form).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "They are removed from the organisation and can no longer see anyone's record.",
        "/team/members",
        "/team/members",
    )
    .await
}
