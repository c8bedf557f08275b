//! The care team's invitations page: a new one-time link for anyone in your organisation (a
//! person who has not signed up yet, or who lost every passkey). The link is shown once, from
//! the session, so the page works the same with and without JavaScript.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamPerson {
    pub account_id: Uuid,
    pub name: String,
    pub role: String,
    pub has_passkey: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NewLink {
    pub name: String,
    pub link: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamInvitationsView {
    pub people: Vec<TeamPerson>,
    /// A link just made, shown once.
    pub new_link: Option<NewLink>,
}

#[server(prefix = "/api/auth", endpoint = "team_invitations")]
pub async fn team_invitations() -> Result<TeamInvitationsView, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = super::session::require_account().await?;
    service::page(&state, &session, account).await
}

#[server(prefix = "/api/auth", endpoint = "reinvite")]
pub async fn reinvite(account_id: Uuid) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (session, actor) = super::session::require_account().await?;
    service::reinvite(&state, &session, actor, account_id).await?;
    super::passkeys::redirect_plain_form("/team/invitations");
    Ok(())
}

#[cfg(feature = "ssr")]
pub mod service {
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
    use tower_sessions::Session;
    use uuid::Uuid;

    use super::{NewLink, TeamInvitationsView, TeamPerson};
    use crate::auth::audit::{self, Entry};
    use crate::auth::invitation::{self, NewInvitation, Purpose};
    use crate::auth::request_info;
    use crate::entities::{account, invitation as invitation_row, membership, passkey, patient};
    use crate::error::AppError;
    use crate::policy::{self, Action, Actor};
    use crate::state::AppState;

    pub(crate) const FLASH_KEY: &str = "new_invitation_link";

    pub async fn page(
        state: &AppState,
        session: &Session,
        actor: Uuid,
    ) -> Result<TeamInvitationsView, AppError> {
        let orgs = policy::organisations_of(&state.db, actor).await?;
        if orgs.is_empty() {
            return Err(AppError::NotFound);
        }
        let mut people: Vec<TeamPerson> = Vec::new();
        let members = membership::Entity::find()
            .filter(membership::Column::OrganisationId.is_in(orgs.clone()))
            .all(&state.db)
            .await?;
        let patients = patient::Entity::find()
            .filter(patient::Column::OrganisationId.is_in(orgs))
            .filter(patient::Column::AccountId.is_not_null())
            .order_by_asc(patient::Column::FamilyName)
            .all(&state.db)
            .await?;
        let mut ids: Vec<Uuid> = members.iter().map(|m| m.account_id).collect();
        ids.extend(patients.iter().filter_map(|p| p.account_id));
        ids.sort();
        ids.dedup();
        let accounts = account::Entity::find()
            .filter(account::Column::Id.is_in(ids.clone()))
            .all(&state.db)
            .await?;
        let with_keys: Vec<Uuid> = passkey::Entity::find()
            .filter(passkey::Column::AccountId.is_in(ids.clone()))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|p| p.account_id)
            .collect();
        for id in ids {
            let Some(acc) = accounts.iter().find(|a| a.id == id) else {
                continue;
            };
            let role = if patients.iter().any(|p| p.account_id == Some(id)) {
                "Patient"
            } else {
                "Care team"
            };
            people.push(TeamPerson {
                account_id: id,
                name: acc.display_name.clone(),
                role: role.into(),
                has_passkey: with_keys.contains(&id),
            });
        }
        people.sort_by(|a, b| {
            (a.role.as_str(), a.name.as_str()).cmp(&(b.role.as_str(), b.name.as_str()))
        });
        let new_link = session
            .remove::<(String, String)>(FLASH_KEY)
            .await
            .map_err(AppError::internal)?
            .map(|(name, link)| NewLink { name, link });
        Ok(TeamInvitationsView { people, new_link })
    }

    pub async fn reinvite(
        state: &AppState,
        session: &Session,
        actor: Uuid,
        subject: Uuid,
    ) -> Result<(), AppError> {
        policy::check(
            &state.db,
            Actor::new(actor, state.clock.now()),
            Action::Reinvite,
            policy::Subject::Account(subject),
        )
        .await?;
        let name = account::Entity::find_by_id(subject)
            .one(&state.db)
            .await?
            .map(|a| a.display_name)
            .ok_or(AppError::NotFound)?;
        let is_patient = patient::Entity::find()
            .filter(patient::Column::AccountId.eq(subject))
            .one(&state.db)
            .await?;
        let orgs = policy::organisations_of(&state.db, actor).await?;
        let now = state.clock.now();
        let txn = crate::state::begin_write(&state.db).await?;
        // Only the newest link works: older unused ones stop.
        invitation_row::Entity::update_many()
            .col_expr(invitation_row::Column::ExpiresAt, Expr::value(now))
            .filter(invitation_row::Column::AccountId.eq(subject))
            .filter(invitation_row::Column::UsedAt.is_null())
            .filter(invitation_row::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        let token = invitation::create(
            &txn,
            state.clock.as_ref(),
            NewInvitation {
                account_id: subject,
                purpose: if is_patient.is_some() {
                    Purpose::Patient
                } else {
                    Purpose::Staff
                },
                organisation_id: is_patient
                    .as_ref()
                    .map(|p| p.organisation_id)
                    .or(orgs.first().copied()),
                patient_id: is_patient.as_ref().map(|p| p.id),
                invited_by: Some(actor),
            },
        )
        .await?;
        let origin = request_info::current();
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry {
                actor: Some(actor),
                subject: Some(subject),
                action: "invitation_created",
                success: true,
                origin: &origin,
                detail: None,
            },
        )
        .await?;
        txn.commit().await?;
        session
            .insert(FLASH_KEY, (name, token.link(&state.settings.public_origin)))
            .await
            .map_err(AppError::internal)
    }
}
