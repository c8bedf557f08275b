//! On the server: the database side.
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, Set,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{InviteMemberForm, MemberForm, MemberRow, MembersView};
use crate::access::Role;
use crate::access::StaffCtx;
use crate::auth::audit;
use crate::auth::invitation::{self, Joining, Purpose};
use crate::auth::team::NewLink;
use crate::entities::{account, invitation as invitation_row, membership, organisation, passkey};
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

async fn member_of(db: &impl ConnectionTrait, org: Uuid, account: &str) -> Result<Uuid, AppError> {
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

pub async fn remove(state: &AppState, ctx: &StaffCtx, form: &MemberForm) -> Result<(), AppError> {
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
