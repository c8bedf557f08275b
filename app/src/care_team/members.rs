//! An organisation's members, managed by its administrators: invite someone with a role (they
//! join by a one-time link and their own passkey), change their roles, or remove them. Access
//! follows at once, because the policy reads memberships on every request. An organisation
//! always keeps at least one administrator.
use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::Role;
use crate::auth::pages_support::{load, render};
use crate::auth::team::NewLink;
use crate::error::AppError;
use crate::forms::{Checkboxes, ErrorSummary, Flash, FormState, Notice, Radios, TextField};
use crate::ui::PageHeading;
use crate::ui::back_link;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    pub account_id: Uuid,
    pub name: String,
    /// Role codes.
    pub roles: Vec<String>,
    pub signed_up: bool,
    pub is_me: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembersView {
    pub organisation_id: Uuid,
    pub organisation: String,
    pub members: Vec<MemberRow>,
    pub new_link: Option<NewLink>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteMemberForm {
    pub organisation_id: String,
    pub name: String,
    pub role: String,
}

/// Roles arrive as `roles_<code>=on` in `rest`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub organisation_id: String,
    pub account_id: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

pub fn role_name(code: &str) -> &'static str {
    Role::parse(code).map_or("Member", Role::label)
}

#[server(prefix = "/api/team", endpoint = "members")]
pub async fn load_members() -> Result<MembersView, AppError> {
    let (state, session, ctx) =
        super::open_staff(crate::access::Permission::ManageMembers, None).await?;
    service::view(&state, &session, &ctx).await
}

#[server(prefix = "/api/team", endpoint = "member_invite")]
pub async fn invite_member(#[server(flatten)] form: InviteMemberForm) -> Result<(), AppError> {
    let result = async {
        let (state, session, ctx) = super::open_staff(
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
        let (state, _, ctx) = super::open_staff(
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
        let (state, _, ctx) = super::open_staff(
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

#[cfg(feature = "ssr")]
pub mod service {
    use sea_orm::sea_query::Expr;
    use sea_orm::{
        ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
        QueryFilter as _, QueryOrder as _, Set,
    };
    use tower_sessions::Session;
    use uuid::Uuid;

    use super::{InviteMemberForm, MemberForm, MemberRow, MembersView};
    use crate::access::Role;
    use crate::access::StaffCtx;
    use crate::auth::audit;
    use crate::auth::invitation::{self, Joining, Purpose};
    use crate::auth::team::NewLink;
    use crate::entities::{
        account, invitation as invitation_row, membership, organisation, passkey,
    };
    use crate::error::AppError;
    use crate::session::NEW_LINK_KEY;
    use crate::state::AppState;

    pub async fn view(
        state: &AppState,
        session: &Session,
        ctx: &StaffCtx,
    ) -> Result<MembersView, AppError> {
        let (org, actor) = (ctx.organisation(), ctx.actor().account_id);
        let name = organisation::Entity::find_by_id(org)
            .one(&state.db)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let rows = membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(org))
            .all(&state.db)
            .await?;
        let mut ids: Vec<Uuid> = rows.iter().map(|m| m.account_id).collect();
        ids.sort();
        ids.dedup();
        let accounts = account::Entity::find()
            .filter(account::Column::Id.is_in(ids.clone()))
            .order_by_asc(account::Column::DisplayName)
            .all(&state.db)
            .await?;
        let with_keys: Vec<Uuid> = passkey::Entity::find()
            .filter(passkey::Column::AccountId.is_in(ids))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|p| p.account_id)
            .collect();
        let members = accounts
            .into_iter()
            .map(|a| MemberRow {
                roles: Role::ALL
                    .iter()
                    .map(|r| r.code())
                    .filter(|code| rows.iter().any(|m| m.account_id == a.id && m.role == *code))
                    .map(str::to_owned)
                    .collect(),
                signed_up: with_keys.contains(&a.id),
                is_me: a.id == actor,
                account_id: a.id,
                name: a.display_name,
            })
            .collect();
        let new_link = crate::session::take::<(String, String)>(session, NEW_LINK_KEY)
            .await?
            .map(|(name, link)| NewLink { name, link });
        Ok(MembersView {
            organisation_id: org,
            organisation: name,
            members,
            new_link,
        })
    }

    /// Invites a new member: their account, role and one-time link (returned, shown once).
    pub async fn invite(
        state: &AppState,
        ctx: &StaffCtx,
        form: &InviteMemberForm,
    ) -> Result<(Uuid, NewLink), AppError> {
        let (org, actor) = (ctx.organisation(), ctx.actor().account_id);
        let name = form.name.trim();
        let mut errors = std::collections::BTreeMap::new();
        if name.is_empty() {
            errors.insert("name".to_owned(), vec!["Enter their full name".to_owned()]);
        } else if name.chars().count() > 200 {
            errors.insert(
                "name".to_owned(),
                vec!["Their name must be 200 characters or fewer".to_owned()],
            );
        }
        if Role::parse(&form.role).is_none() {
            errors.insert("role".to_owned(), vec!["Choose their role".to_owned()]);
        }
        if !errors.is_empty() {
            return Err(AppError::Validation(errors));
        }
        let now = state.clock.now();
        let txn = crate::state::begin_write(&state.db).await?;
        let (account_id, token) = invitation::new_account(
            &txn,
            state.clock.as_ref(),
            name,
            Joining {
                purpose: Purpose::Staff,
                organisation_id: Some(org),
                patient_id: None,
                invited_by: Some(actor),
            },
        )
        .await?;
        membership::ActiveModel {
            account_id: Set(account_id),
            organisation_id: Set(org),
            role: Set(form.role.clone()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
        audit::account_event(
            &txn,
            state.clock.as_ref(),
            actor,
            account_id,
            "member_invited",
        )
        .await?;
        txn.commit().await?;
        let link = NewLink {
            name: name.to_owned(),
            link: token.link(&state.settings.public_origin),
        };
        Ok((account_id, link))
    }

    /// Someone must still be able to manage the organisation afterwards.
    async fn keeps_an_admin(
        db: &impl ConnectionTrait,
        org: Uuid,
        without: Uuid,
    ) -> Result<bool, AppError> {
        Ok(membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(org))
            .filter(membership::Column::Role.eq(Role::OrgAdmin.code()))
            .filter(membership::Column::AccountId.ne(without))
            .one(db)
            .await?
            .is_some())
    }

    async fn member_of(
        db: &impl ConnectionTrait,
        org: Uuid,
        account: &str,
    ) -> Result<Uuid, AppError> {
        let id = crate::care_team::id_of(account)?;
        membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(org))
            .filter(membership::Column::AccountId.eq(id))
            .one(db)
            .await?
            .map(|m| m.account_id)
            .ok_or(AppError::NotFound)
    }

    pub async fn set_roles(
        state: &AppState,
        ctx: &StaffCtx,
        form: &MemberForm,
    ) -> Result<(), AppError> {
        let (org, actor) = (ctx.organisation(), ctx.actor().account_id);
        let chosen: Vec<&str> = Role::ALL
            .iter()
            .map(|r| r.code())
            .filter(|c| form.rest.contains_key(&format!("roles_{c}")))
            .collect();
        if chosen.is_empty() {
            return Err(AppError::field(
                "roles",
                "Choose at least one role, or remove them from the organisation",
            ));
        }
        let txn =
            crate::state::begin_write_on(&state.db, crate::state::Turn::Organisation(org)).await?;
        let who = member_of(&txn, org, &form.account_id).await?;
        if !chosen.contains(&Role::OrgAdmin.code()) && !keeps_an_admin(&txn, org, who).await? {
            return Err(AppError::field(
                "roles",
                "The organisation needs at least one administrator",
            ));
        }
        membership::Entity::delete_many()
            .filter(membership::Column::OrganisationId.eq(org))
            .filter(membership::Column::AccountId.eq(who))
            .exec(&txn)
            .await?;
        let now = state.clock.now();
        for role in chosen {
            membership::ActiveModel {
                account_id: Set(who),
                organisation_id: Set(org),
                role: Set(role.to_owned()),
                created_at: Set(now),
            }
            .insert(&txn)
            .await?;
        }
        audit::account_event(
            &txn,
            state.clock.as_ref(),
            actor,
            who,
            "member_roles_changed",
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn remove(
        state: &AppState,
        ctx: &StaffCtx,
        form: &MemberForm,
    ) -> Result<(), AppError> {
        let (org, actor) = (ctx.organisation(), ctx.actor().account_id);
        let txn =
            crate::state::begin_write_on(&state.db, crate::state::Turn::Organisation(org)).await?;
        let who = member_of(&txn, org, &form.account_id).await?;
        if !keeps_an_admin(&txn, org, who).await? {
            return Err(AppError::field(
                "roles",
                "The organisation needs at least one administrator",
            ));
        }
        membership::Entity::delete_many()
            .filter(membership::Column::OrganisationId.eq(org))
            .filter(membership::Column::AccountId.eq(who))
            .exec(&txn)
            .await?;
        // A link not yet used stops working too.
        let now = state.clock.now();
        invitation_row::Entity::update_many()
            .col_expr(invitation_row::Column::ExpiresAt, Expr::value(now))
            .filter(invitation_row::Column::AccountId.eq(who))
            .filter(invitation_row::Column::UsedAt.is_null())
            .filter(invitation_row::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        audit::account_event(&txn, state.clock.as_ref(), actor, who, "member_removed").await?;
        txn.commit().await?;
        Ok(())
    }
}

fn member_card(m: MemberRow, org: Uuid, flash: &Flash) -> AnyView {
    let state = FormState::new(format!("roles-{}", m.account_id), flash);
    let roles = m
        .roles
        .iter()
        .map(|r| role_name(r))
        .collect::<Vec<_>>()
        .join(", ");
    let status = if m.signed_up {
        "Signed up"
    } else {
        "Not signed up yet"
    };
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading nhsuk-heading-s">{m.name.clone()}{m.is_me.then_some(" (you)")}</h2>
                <p class="nhsuk-body-s">{format!("{roles}. {status}.")}</p>
                <ErrorSummary state=state.clone() />
                <form method="post" action={crate::ui::post_to::<crate::care_team::members::ChangeRoles>()} data-enhance="" novalidate>
                    <IdempotencyKey />
                    <input type="hidden" name="organisation_id" value=org.to_string() />
                    <input type="hidden" name="account_id" value=m.account_id.to_string() />
                    <Checkboxes state=state.clone() name="roles" legend=format!("Roles for {}", m.name)
                        options=Role::options() chosen=m.roles.clone() />
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Save roles"</button>
                </form>
                <form method="post" action={crate::ui::post_to::<crate::care_team::members::RemoveMember>()} data-enhance="">
                    <IdempotencyKey />
                    <input type="hidden" name="organisation_id" value=org.to_string() />
                    <input type="hidden" name="account_id" value=m.account_id.to_string() />
                    <button type="submit" class="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-0">
                        {format!("Remove {} from the organisation", m.name)}
                    </button>
                </form>
            </div>
        </div>
    }
    .into_any()
}

#[component]
pub fn MembersPage() -> impl IntoView {
    render(load(load_members), |v: MembersView, flash: Flash| {
        let state = FormState::new("invite", &flash);
        let org = v.organisation_id;
        let cards = v
            .members
            .into_iter()
            .map(|m| member_card(m, org, &flash))
            .collect_view();
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text=format!("Members of {}", v.organisation) />
            {v.new_link.clone().map(|new| view! {
                <div class="nhsuk-card nhsuk-card--feature" data-testid="new-invitation">
                    <div class="nhsuk-card__content nhsuk-card__content--feature">
                        <h2 class="nhsuk-card--feature__heading nhsuk-heading-m">{format!("Invitation link for {}", new.name)}</h2>
                        <p class="nhsuk-body">"Give this link to them only. It works once, for 14 days. You will not see it again."</p>
                        <p class="nhsuk-body"><code>{new.link}</code></p>
                    </div>
                </div>
            })}
            <h2 class="nhsuk-heading-m">"Invite someone"</h2>
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::care_team::members::InviteMember>()} data-enhance="" id="invite" novalidate>
                <IdempotencyKey />
                <input type="hidden" name="organisation_id" value=org.to_string() />
                <TextField state=state.clone() name="name" label="Full name".into() value=String::new() autocomplete="off" />
                <Radios state=state.clone() name="role" legend="Role".into() options=Role::options() value=String::new() />
                <button type="submit" class="nhsuk-button">"Invite"</button>
            </form>
            <h2 class="nhsuk-heading-m">"Members"</h2>
            {cards}
        }
    })
}
