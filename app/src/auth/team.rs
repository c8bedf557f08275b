//! The care team's invitations page: a new one-time link for someone of your organisation.
//! Only administrators (and, for patients, the clinicians and care coordinators of their
//! practice) may make one (`access::reinvitable`). For a person who has no passkey yet it is a
//! sign-up link; for a person who has one, it is a *recovery* link, because whoever holds it
//! can add a passkey to that account: it works only after a second member of the care team
//! approves it, for 24 hours, and the person is told on their devices and in their access log.
//! The link is shown once, from the session, so the page works the same with and without
//! JavaScript.
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

/// A recovery link that has not been used yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PendingRecovery {
    pub invitation_id: Uuid,
    pub name: String,
    pub asked_by: String,
    pub until: String,
    /// Who approved it; `None` while it waits.
    pub approved_by: Option<String>,
    /// This viewer may approve it (someone other than whoever asked, and not the person).
    pub can_approve: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamInvitationsView {
    pub people: Vec<TeamPerson>,
    pub pending: Vec<PendingRecovery>,
    /// A link just made, shown once.
    pub new_link: Option<NewLink>,
}

#[server(prefix = "/api/auth", endpoint = "team_invitations")]
pub async fn team_invitations() -> Result<TeamInvitationsView, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::page(&state, &session, account).await
}

#[server(prefix = "/api/auth", endpoint = "reinvite")]
pub async fn reinvite(account_id: Uuid) -> Result<(), AppError> {
    let result = async {
        let state = crate::state::app_state()?;
        let (session, actor) = crate::session::require_account().await?;
        service::reinvite(&state, &session, actor, account_id)
            .await
            .map(|_| ())
    }
    .await;
    crate::forms::finish(
        result,
        "reinvite",
        &(),
        "The new link is below.",
        "/team/invitations",
        "/team/invitations",
    )
    .await
}

#[server(prefix = "/api/auth", endpoint = "approve_recovery")]
pub async fn approve_recovery(invitation_id: Uuid) -> Result<(), AppError> {
    let result = async {
        let state = crate::state::app_state()?;
        let (_, actor) = crate::session::require_account().await?;
        service::approve(&state, actor, invitation_id).await
    }
    .await;
    crate::forms::finish(
        result,
        "approve",
        &(),
        "You approved the recovery link. It works for the rest of its 24 hours.",
        "/team/invitations",
        "/team/invitations",
    )
    .await
}

#[cfg(feature = "ssr")]
pub mod service {
    use sea_orm::sea_query::Expr;
    use sea_orm::{
        ColumnTrait as _, ConnectionTrait, EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
    };
    use tower_sessions::Session;
    use uuid::Uuid;

    use super::{NewLink, PendingRecovery, TeamInvitationsView, TeamPerson};
    use crate::access::{self, Actor, Permission};
    use crate::auth::audit::{self, Entry};
    use crate::auth::invitation::{self, NewInvitation, Purpose};
    use crate::auth::request_info;
    use crate::entities::{account, invitation as invitation_row, passkey, patient};
    use crate::error::AppError;
    use crate::state::AppState;

    use crate::session::NEW_LINK_KEY;

    pub async fn page(
        state: &AppState,
        session: &Session,
        actor: Uuid,
    ) -> Result<TeamInvitationsView, AppError> {
        let now = state.clock.now();
        let me = Actor::new(actor, now);
        let roles = crate::auth::passkeys::service::roles(state, actor).await?;
        if !access::may_reinvite(&roles) {
            return Err(AppError::NotFound);
        }
        // Exactly the people the policy lets this actor give a link to.
        let ids = access::reinvitable(&state.db, me, None).await?;
        let accounts = account::Entity::find()
            .filter(account::Column::Id.is_in(ids.iter().copied()))
            .all(&state.db)
            .await?;
        let patients: Vec<Uuid> = patient::Entity::find()
            .filter(patient::Column::AccountId.is_in(ids.iter().copied()))
            .all(&state.db)
            .await?
            .into_iter()
            .filter_map(|p| p.account_id)
            .collect();
        let with_keys: Vec<Uuid> = passkey::Entity::find()
            .filter(passkey::Column::AccountId.is_in(ids.iter().copied()))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|p| p.account_id)
            .collect();
        let mut people: Vec<TeamPerson> = accounts
            .iter()
            .map(|acc| TeamPerson {
                account_id: acc.id,
                name: acc.display_name.clone(),
                role: if patients.contains(&acc.id) {
                    "Patient"
                } else {
                    "Care team"
                }
                .into(),
                has_passkey: with_keys.contains(&acc.id),
            })
            .collect();
        people.sort_by(|a, b| {
            (a.role.as_str(), a.name.as_str()).cmp(&(b.role.as_str(), b.name.as_str()))
        });
        let open = invitation_row::Entity::find()
            .filter(invitation_row::Column::AccountId.is_in(ids.iter().copied()))
            .filter(invitation_row::Column::Recovery.eq(true))
            .filter(invitation_row::Column::UsedAt.is_null())
            .filter(invitation_row::Column::ExpiresAt.gt(now))
            .all(&state.db)
            .await?;
        let mut staff: Vec<Uuid> = Vec::new();
        for i in &open {
            staff.extend(i.invited_by);
            staff.extend(i.approved_by);
        }
        let names = audit::display_names(&state.db, staff).await?;
        let name_of = |id: Option<Uuid>| {
            id.and_then(|i| names.get(&i).cloned())
                .unwrap_or_else(|| "someone".into())
        };
        let tz = crate::access::zone_of(&state.db, actor).await?;
        let pending = open
            .iter()
            .map(|i| PendingRecovery {
                invitation_id: i.id,
                name: accounts
                    .iter()
                    .find(|a| a.id == i.account_id)
                    .map(|a| a.display_name.clone())
                    .unwrap_or_default(),
                asked_by: name_of(i.invited_by),
                until: i
                    .expires_at
                    .with_timezone(&tz)
                    .format("%-d %B %Y at %H:%M")
                    .to_string(),
                approved_by: i.approved_by.map(|a| name_of(Some(a))),
                can_approve: i.approved_by.is_none() && i.invited_by != Some(actor),
            })
            .collect();
        let new_link = crate::session::take::<(String, String)>(session, NEW_LINK_KEY)
            .await?
            .map(|(name, link)| NewLink { name, link });
        Ok(TeamInvitationsView {
            people,
            pending,
            new_link,
        })
    }

    /// Whether the account has a passkey: then a new link is a recovery link.
    pub async fn has_passkey(db: &impl ConnectionTrait, account: Uuid) -> Result<bool, AppError> {
        Ok(passkey::Entity::find()
            .filter(passkey::Column::AccountId.eq(account))
            .count(db)
            .await?
            > 0)
    }

    /// Makes a new link for `subject` and leaves it in the session for the next page to show
    /// once. Returns whether it is a recovery link (which needs a second member's approval).
    pub async fn reinvite(
        state: &AppState,
        session: &Session,
        actor: Uuid,
        subject: Uuid,
    ) -> Result<bool, AppError> {
        let now = state.clock.now();
        access::check(
            &state.db,
            Actor::new(actor, now),
            Permission::Reinvite,
            access::Subject::Account(subject),
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
        let orgs = access::organisations_of(&state.db, subject).await?;
        let txn =
            crate::state::begin_write_on(&state.db, crate::state::Turn::Account(subject)).await?;
        // Asked inside the transaction, so a passkey added meanwhile makes it a recovery link.
        let recovery = has_passkey(&txn, subject).await?;
        // Only the newest link works: older unused ones stop.
        invitation_row::Entity::update_many()
            .col_expr(invitation_row::Column::ExpiresAt, Expr::value(now))
            .filter(invitation_row::Column::AccountId.eq(subject))
            .filter(invitation_row::Column::UsedAt.is_null())
            .filter(invitation_row::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        let new = NewInvitation {
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
        };
        let token = if recovery {
            invitation::create_recovery(&txn, state.clock.as_ref(), new).await?
        } else {
            invitation::create(&txn, state.clock.as_ref(), new).await?
        };
        let origin = request_info::current();
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry {
                actor: Some(actor),
                subject: Some(subject),
                action: if recovery {
                    "recovery_requested"
                } else {
                    "invitation_created"
                },
                success: true,
                origin: &origin,
                detail: None,
            },
        )
        .await?;
        if recovery {
            // The person hears of it on their own devices before anyone can use it.
            crate::events::record(
                &txn,
                now,
                crate::events::Event::SignInChanged {
                    account: subject,
                    what: "recovery_requested".to_owned(),
                },
            )
            .await?;
        }
        txn.commit().await?;
        state.react().await;
        crate::session::put(
            session,
            NEW_LINK_KEY,
            (name, token.link(&state.settings.public_origin)),
        )
        .await?;
        Ok(recovery)
    }

    /// A second member of the care team approves a recovery link, so it starts to work.
    pub async fn approve(state: &AppState, actor: Uuid, id: Uuid) -> Result<(), AppError> {
        let now = state.clock.now();
        let inv = invitation_row::Entity::find_by_id(id)
            .one(&state.db)
            .await?
            .filter(|i| i.recovery && i.used_at.is_none() && i.expires_at > now)
            .ok_or(AppError::NotFound)?;
        // Whoever may make the link may approve it; the policy answers for the person.
        access::check(
            &state.db,
            Actor::new(actor, now),
            Permission::Reinvite,
            access::Subject::Account(inv.account_id),
        )
        .await?;
        if inv.invited_by == Some(actor) {
            return Err(AppError::field(
                "form",
                "Someone else in the care team must approve a recovery link you asked for.",
            ));
        }
        let txn = crate::state::begin_write(&state.db).await?;
        let done = invitation_row::Entity::update_many()
            .col_expr(invitation_row::Column::ApprovedBy, Expr::value(actor))
            .col_expr(invitation_row::Column::ApprovedAt, Expr::value(now))
            .filter(invitation_row::Column::Id.eq(id))
            .filter(invitation_row::Column::ApprovedBy.is_null())
            .filter(invitation_row::Column::UsedAt.is_null())
            .filter(invitation_row::Column::ExpiresAt.gt(now))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            txn.rollback().await?;
            return Err(AppError::field(
                "form",
                "That recovery link has already been approved, used or stopped.",
            ));
        }
        let origin = request_info::current();
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry {
                actor: Some(actor),
                subject: Some(inv.account_id),
                action: "recovery_approved",
                success: true,
                origin: &origin,
                detail: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
