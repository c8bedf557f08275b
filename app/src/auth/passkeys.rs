//! Passkey ceremonies and passkey management. Sign-up is by invitation (or recovery code) only;
//! sign-in is usernameless with user verification required. The relying party comes from the
//! configured public origin, never from request headers.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use webauthn_rs_proto::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

use crate::error::AppError;

/// What the invitation page shows before someone registers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum InvitationStatus {
    Valid {
        name: String,
        organisation: Option<String>,
        invited_by: Option<String>,
        purpose: String,
        /// A recovery link: the account has passkeys already, so the person may remove them.
        #[serde(default)]
        recovery: bool,
    },
    /// A recovery link that a second member of the care team has not approved yet.
    AwaitingApproval,
    Used,
    Expired,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PasskeySummary {
    pub id: Uuid,
    pub name: String,
    pub created: String,
    pub last_used: Option<String>,
    pub synced: bool,
}

#[server(prefix = "/api/auth", endpoint = "invitation")]
pub async fn check_invitation(token: String) -> Result<InvitationStatus, AppError> {
    let state = crate::state::app_state()?;
    service::invitation_status(&state, &token).await
}

#[server(prefix = "/api/auth", endpoint = "sign_up_start")]
pub async fn start_sign_up(token: String) -> Result<CreationChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::start_sign_up(&state, &session, &token).await
}

#[server(prefix = "/api/auth", endpoint = "recover_start")]
pub async fn start_recovery(code: String) -> Result<CreationChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::start_recovery(&state, &session, &code).await
}

#[server(prefix = "/api/auth", endpoint = "passkey_add_start")]
pub async fn start_add_passkey() -> Result<CreationChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::start_add_passkey(&state, &session, account).await
}

/// Finishes any registration: sign-up, recovery or adding another passkey.
#[server(prefix = "/api/auth", endpoint = "register_finish", input = Json)]
pub async fn finish_registration(
    credential: RegisterPublicKeyCredential,
    name: String,
    /// On recovery: remove every other passkey of the account (and end its sessions).
    remove_others: Option<bool>,
) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::finish_registration(
        &state,
        &session,
        &credential,
        &name,
        remove_others.unwrap_or(false),
    )
    .await
}

#[server(prefix = "/api/auth", endpoint = "sign_in_start")]
pub async fn start_sign_in() -> Result<RequestChallengeResponse, AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::start_sign_in(&state, &session).await
}

#[server(prefix = "/api/auth", endpoint = "sign_in_finish", input = Json)]
pub async fn finish_sign_in(credential: PublicKeyCredential) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    service::finish_sign_in(&state, &session, &credential).await
}

#[server(prefix = "/api/auth", endpoint = "passkeys")]
pub async fn list_passkeys() -> Result<Vec<PasskeySummary>, AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::list_passkeys(&state, account).await
}

#[server(prefix = "/api/auth", endpoint = "passkey_rename")]
pub async fn rename_passkey(id: Uuid, name: String) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (_, account) = crate::session::require_account().await?;
    service::rename_passkey(&state, account, id, &name).await?;
    redirect_plain_form("/account/passkeys");
    Ok(())
}

#[server(prefix = "/api/auth", endpoint = "passkey_remove")]
pub async fn remove_passkey(id: Uuid) -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    service::remove_passkey(&state, &session, account, id).await?;
    redirect_plain_form("/account/passkeys");
    Ok(())
}

#[server(prefix = "/api/auth", endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let state = crate::state::app_state()?;
    let session = crate::session::from_request().await?;
    if let Some(account) = crate::session::current_account(&session).await? {
        let origin = super::request_info::current();
        let txn = crate::state::begin_write(&state.db).await?;
        super::audit::record(
            &txn,
            state.clock.as_ref(),
            super::audit::Entry::own(account, "sign_out", &origin),
        )
        .await?;
        // This device's reminders stop with its sign-in (the reminders feature reacts).
        if let Some(id) = session.id() {
            crate::events::record(
                &txn,
                state.clock.now(),
                crate::events::Event::SessionEnded {
                    account,
                    session: id.to_string(),
                },
            )
            .await?;
        }
        txn.commit().await?;
        state.react().await;
    }
    crate::session::sign_out(&session).await?;
    // The browser empties everything this site kept on the device: the service worker's
    // caches, storage and any offline queue, so a shared phone keeps nothing of this person.
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(
            axum::http::header::HeaderName::from_static("clear-site-data"),
            axum::http::HeaderValue::from_static("\"cache\", \"storage\""),
        );
    }
    redirect_plain_form("/");
    Ok(())
}

/// After a plain (no-JavaScript) form post, go to `path` rather than back to the form.
#[cfg(feature = "ssr")]
pub fn redirect_plain_form(path: &str) {
    leptos_axum::redirect(path);
}

#[cfg(feature = "ssr")]
pub mod service {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use sea_orm::sea_query::Expr;
    use sea_orm::{
        ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _,
        QueryOrder as _, Set, SqlErr,
    };
    use tower_sessions::Session;
    use webauthn_rs::prelude::{
        Credential, DiscoverableAuthentication, Passkey, PasskeyRegistration, WebauthnError,
    };

    use super::*;
    use crate::auth::audit::{self, Entry};
    use crate::auth::ceremony::{self, Kind, Purpose};
    use crate::auth::invitation::hash_token;
    use crate::auth::recovery;
    use crate::auth::request_info;
    use crate::entities::{
        account, invitation, membership, organisation, passkey, recovery_code,
        session as session_row,
    };
    use crate::session::{self, CEREMONY_KEY, Origin};
    use crate::state::AppState;

    const FAILED_SIGN_IN: &str =
        "We could not sign you in with that passkey. Try again, or use a different passkey.";
    const START_AGAIN: &str = "That took too long or was already used. Please start again.";

    fn fail(message: &str) -> AppError {
        AppError::field("passkey", message)
    }

    async fn audit(
        state: &AppState,
        actor: Option<Uuid>,
        action: &'static str,
        success: bool,
        origin: &Origin,
        detail: Option<&str>,
    ) -> Result<(), AppError> {
        audit::record(
            &state.db,
            state.clock.as_ref(),
            Entry {
                actor,
                subject: actor,
                action,
                success,
                origin,
                detail: detail.map(str::to_owned),
            },
        )
        .await
    }

    /// Audits a refused sign-in and gives the one answer every refusal gets, so nothing tells
    /// an attacker which accounts or passkeys exist.
    async fn refuse_sign_in(
        state: &AppState,
        actor: Option<Uuid>,
        origin: &Origin,
        why: &str,
    ) -> Result<AppError, AppError> {
        audit(state, actor, "sign_in", false, origin, Some(why)).await?;
        Ok(fail(FAILED_SIGN_IN))
    }

    pub async fn invitation_status(
        state: &AppState,
        token: &str,
    ) -> Result<InvitationStatus, AppError> {
        let Some(inv) = invitation::Entity::find()
            .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
            .one(&state.db)
            .await?
        else {
            return Ok(InvitationStatus::Unknown);
        };
        if inv.used_at.is_some() {
            return Ok(InvitationStatus::Used);
        }
        if inv.expires_at <= state.clock.now() {
            return Ok(InvitationStatus::Expired);
        }
        if inv.recovery && inv.approved_by.is_none() {
            return Ok(InvitationStatus::AwaitingApproval);
        }
        let name = account::Entity::find_by_id(inv.account_id)
            .one(&state.db)
            .await?
            .map(|a| a.display_name)
            .unwrap_or_default();
        let organisation = match inv.organisation_id {
            Some(id) => organisation::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .map(|o| o.name),
            None => None,
        };
        let invited_by = match inv.invited_by {
            Some(id) => account::Entity::find_by_id(id)
                .one(&state.db)
                .await?
                .map(|a| a.display_name),
            None => None,
        };
        let purpose = match inv.purpose.as_str() {
            "patient" => "see and keep your care and support plan",
            "staff" => "join the care team",
            "carer" => "help look after someone's care and support plan",
            "admin" => "manage your organisation on Alongside",
            _ => "use Alongside",
        }
        .to_owned();
        Ok(InvitationStatus::Valid {
            name,
            organisation,
            invited_by,
            purpose,
            recovery: inv.recovery,
        })
    }

    async fn existing_credentials(
        state: &AppState,
        account_id: Uuid,
    ) -> Result<Vec<webauthn_rs::prelude::CredentialID>, AppError> {
        let rows = passkey::Entity::find()
            .filter(passkey::Column::AccountId.eq(account_id))
            .all(&state.db)
            .await?;
        Ok(rows
            .iter()
            .filter_map(|row| serde_json::from_str::<Passkey>(&row.passkey).ok())
            .map(|pk| pk.cred_id().clone())
            .collect())
    }

    async fn start_registration(
        state: &AppState,
        session: &Session,
        account_id: Uuid,
        purpose: Purpose,
    ) -> Result<CreationChallengeResponse, AppError> {
        let account = account::Entity::find_by_id(account_id)
            .one(&state.db)
            .await?
            .ok_or_else(|| fail(START_AGAIN))?;
        let exclude = existing_credentials(state, account_id).await?;
        let (mut challenge, reg_state) = state
            .webauthn
            .start_passkey_registration(
                account_id,
                &account.display_name,
                &account.display_name,
                Some(exclude),
            )
            .map_err(AppError::internal)?;
        // Usernameless sign-in needs a discoverable credential, so ask the browser for one.
        // (Registration checks do not depend on this hint.)
        if let Some(selection) = challenge.public_key.authenticator_selection.as_mut() {
            selection.require_resident_key = true;
            selection.resident_key = Some(webauthn_rs_proto::ResidentKeyRequirement::Required);
        }
        let owner = session::ceremony_owner(session).await?;
        ceremony::put(
            &state.db,
            state.clock.as_ref(),
            Kind::Register,
            owner,
            challenge.public_key.challenge.as_ref(),
            &reg_state,
            purpose,
        )
        .await?;
        Ok(challenge)
    }

    pub async fn start_sign_up(
        state: &AppState,
        session: &Session,
        token: &str,
    ) -> Result<CreationChallengeResponse, AppError> {
        let inv = invitation::Entity::find()
            .filter(invitation::Column::TokenHash.eq(hash_token(token.trim())))
            .filter(invitation::Column::UsedAt.is_null())
            .filter(invitation::Column::ExpiresAt.gt(state.clock.now()))
            .one(&state.db)
            .await?
            .ok_or_else(|| fail("This invitation link does not work any more. Ask your care team for a new one."))?;
        if inv.recovery && inv.approved_by.is_none() {
            return Err(fail(
                "This link starts to work once a second member of your care team has approved it.",
            ));
        }
        start_registration(
            state,
            session,
            inv.account_id,
            Purpose {
                account_id: Some(inv.account_id),
                invitation_id: Some(inv.id),
                recovery_code_id: None,
            },
        )
        .await
    }

    pub async fn start_recovery(
        state: &AppState,
        session: &Session,
        code: &str,
    ) -> Result<CreationChallengeResponse, AppError> {
        let origin = request_info::current();
        let Some(row) = recovery::find_unused(&state.db, code).await? else {
            audit(
                state,
                None,
                "recovery_code",
                false,
                &origin,
                Some("unknown or used code"),
            )
            .await?;
            return Err(AppError::field(
                "code",
                "That recovery code does not work. Check it and try again.",
            ));
        };
        start_registration(
            state,
            session,
            row.account_id,
            Purpose {
                account_id: Some(row.account_id),
                invitation_id: None,
                recovery_code_id: Some(row.id),
            },
        )
        .await
    }

    pub async fn start_add_passkey(
        state: &AppState,
        session: &Session,
        account_id: Uuid,
    ) -> Result<CreationChallengeResponse, AppError> {
        start_registration(
            state,
            session,
            account_id,
            Purpose {
                account_id: Some(account_id),
                ..Purpose::default()
            },
        )
        .await
    }

    pub fn parse_name(name: &str, origin: &Origin) -> Result<String, AppError> {
        let name = name.trim();
        if name.chars().count() > 60 {
            return Err(AppError::field(
                "name",
                "Use 60 characters or fewer for the name",
            ));
        }
        Ok(if name.is_empty() {
            format!("Passkey on {}", origin.device)
        } else {
            name.to_owned()
        })
    }

    async fn take_ceremony<S: serde::de::DeserializeOwned>(
        state: &AppState,
        session: &Session,
        client_data_json: &[u8],
        kind: Kind,
    ) -> Result<Option<(S, Purpose)>, AppError> {
        let Some(owner) = session
            .get::<Uuid>(CEREMONY_KEY)
            .await
            .map_err(AppError::internal)?
        else {
            return Ok(None);
        };
        let Some(challenge) = ceremony::answered_challenge(client_data_json) else {
            return Ok(None);
        };
        ceremony::take(&state.db, state.clock.as_ref(), owner, &challenge, kind).await
    }

    pub async fn finish_registration(
        state: &AppState,
        session: &Session,
        credential: &RegisterPublicKeyCredential,
        name: &str,
        remove_others: bool,
    ) -> Result<(), AppError> {
        let origin = request_info::current();
        let name = parse_name(name, &origin)?;
        let Some((reg_state, purpose)) = take_ceremony::<PasskeyRegistration>(
            state,
            session,
            credential.response.client_data_json.as_ref(),
            Kind::Register,
        )
        .await?
        else {
            audit(
                state,
                None,
                "passkey_register",
                false,
                &origin,
                Some("no ceremony under way"),
            )
            .await?;
            return Err(fail(START_AGAIN));
        };
        let account_id = purpose
            .account_id
            .ok_or_else(|| AppError::internal("registration without an account"))?;
        let signed_in_as = session::current_account(session).await?;
        let adding = purpose.invitation_id.is_none() && purpose.recovery_code_id.is_none();
        if adding && signed_in_as != Some(account_id) {
            return Err(AppError::Unauthorized);
        }
        let new_key = match state
            .webauthn
            .finish_passkey_registration(credential, &reg_state)
        {
            Ok(pk) => pk,
            Err(err) => {
                audit(
                    state,
                    Some(account_id),
                    "passkey_register",
                    false,
                    &origin,
                    Some(&err.to_string()),
                )
                .await?;
                return Err(fail("We could not set up that passkey. Please try again."));
            }
        };
        let credential_id = URL_SAFE_NO_PAD.encode(new_key.cred_id().as_slice());
        let duplicate = passkey::Entity::find()
            .filter(passkey::Column::CredentialId.eq(credential_id.as_str()))
            .one(&state.db)
            .await?
            .is_some();
        if duplicate {
            audit(
                state,
                Some(account_id),
                "passkey_register",
                false,
                &origin,
                Some("credential already registered"),
            )
            .await?;
            return Err(AppError::Conflict(
                "That passkey is already set up. Try signing in with it.".into(),
            ));
        }

        let now = state.clock.now();
        let cred = Credential::from(new_key.clone());
        let passkey_id = Uuid::new_v4();
        let txn = crate::state::begin_write(&state.db).await?;
        let mut recovering = purpose.recovery_code_id.is_some();
        if let Some(invitation_id) = purpose.invitation_id {
            // A recovery link works only once approved (checked again here, in the write).
            let used = invitation::Entity::update_many()
                .col_expr(invitation::Column::UsedAt, Expr::value(now))
                .filter(invitation::Column::Id.eq(invitation_id))
                .filter(invitation::Column::UsedAt.is_null())
                .filter(invitation::Column::ExpiresAt.gt(now))
                .filter(
                    sea_orm::Condition::any()
                        .add(invitation::Column::Recovery.eq(false))
                        .add(invitation::Column::ApprovedBy.is_not_null()),
                )
                .exec(&txn)
                .await?;
            if used.rows_affected != 1 {
                txn.rollback().await?;
                return Err(fail(
                    "This invitation has already been used. Ask your care team for a new one.",
                ));
            }
            // A carer's grant starts working once they can sign in (the carers feature reacts).
            crate::events::record(
                &txn,
                now,
                crate::events::Event::AccountActivated {
                    account: account_id,
                },
            )
            .await?;
            recovering |= invitation::Entity::find_by_id(invitation_id)
                .one(&txn)
                .await?
                .is_some_and(|i| i.recovery);
        }
        if let Some(code_id) = purpose.recovery_code_id {
            let used = recovery_code::Entity::update_many()
                .col_expr(recovery_code::Column::UsedAt, Expr::value(now))
                .filter(recovery_code::Column::Id.eq(code_id))
                .filter(recovery_code::Column::AccountId.eq(account_id))
                .filter(recovery_code::Column::UsedAt.is_null())
                .exec(&txn)
                .await?;
            if used.rows_affected != 1 {
                txn.rollback().await?;
                return Err(AppError::field(
                    "code",
                    "That recovery code has already been used.",
                ));
            }
        }
        let inserted = passkey::ActiveModel {
            id: Set(passkey_id),
            account_id: Set(account_id),
            credential_id: Set(credential_id),
            name: Set(name),
            passkey: Set(serde_json::to_string(&new_key).map_err(AppError::internal)?),
            counter: Set(i64::from(cred.counter)),
            backup_eligible: Set(cred.backup_eligible),
            backup_state: Set(cred.backup_state),
            created_at: Set(now),
            last_used_at: Set(Some(now)),
        }
        .insert(&txn)
        .await;
        match inserted {
            Ok(_) => {}
            Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
                txn.rollback().await?;
                return Err(AppError::Conflict(
                    "That passkey is already set up. Try signing in with it.".into(),
                ));
            }
            Err(err) => return Err(err.into()),
        }
        if recovering && remove_others {
            // The person lost a device or fears someone else has it: every other passkey
            // stops, and every session signed in with one ends (this browser signs in below).
            passkey::Entity::delete_many()
                .filter(passkey::Column::AccountId.eq(account_id))
                .filter(passkey::Column::Id.ne(passkey_id))
                .exec(&txn)
                .await?;
            session_row::Entity::delete_many()
                .filter(session_row::Column::AccountId.eq(account_id))
                .exec(&txn)
                .await?;
            // Their devices were told when the link was asked for; now they stop getting
            // reminders with their sessions.
            crate::entities::push_subscription::Entity::delete_many()
                .filter(crate::entities::push_subscription::Column::AccountId.eq(account_id))
                .exec(&txn)
                .await?;
            audit::record(
                &txn,
                state.clock.as_ref(),
                Entry::own(account_id, "passkeys_removed_on_recovery", &origin),
            )
            .await?;
        }
        let action = if purpose.recovery_code_id.is_some() {
            "recovery_code"
        } else if recovering {
            "recovery_link_used"
        } else if purpose.invitation_id.is_some() {
            "sign_up"
        } else {
            "passkey_add"
        };
        if recovering {
            // Every device of the account is told at once (the reminders feature reacts).
            crate::events::record(
                &txn,
                now,
                crate::events::Event::SignInChanged {
                    account: account_id,
                    what: action.to_owned(),
                },
            )
            .await?;
        }
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry {
                actor: Some(account_id),
                subject: Some(account_id),
                action,
                success: true,
                origin: &origin,
                detail: None,
            },
        )
        .await?;
        txn.commit().await?;
        state.react().await;
        if !adding {
            session::sign_in(session, account_id, passkey_id, &origin).await?;
        }
        Ok(())
    }

    pub async fn start_sign_in(
        state: &AppState,
        session: &Session,
    ) -> Result<RequestChallengeResponse, AppError> {
        let (challenge, auth_state) = state
            .webauthn
            .start_discoverable_authentication()
            .map_err(AppError::internal)?;
        let owner = session::ceremony_owner(session).await?;
        ceremony::put(
            &state.db,
            state.clock.as_ref(),
            Kind::Authenticate,
            owner,
            challenge.public_key.challenge.as_ref(),
            &auth_state,
            Purpose::default(),
        )
        .await?;
        Ok(challenge)
    }

    pub async fn finish_sign_in(
        state: &AppState,
        session: &Session,
        credential: &PublicKeyCredential,
    ) -> Result<(), AppError> {
        let origin = request_info::current();
        let Some((auth_state, _)) = take_ceremony::<DiscoverableAuthentication>(
            state,
            session,
            credential.response.client_data_json.as_ref(),
            Kind::Authenticate,
        )
        .await?
        else {
            return Err(refuse_sign_in(state, None, &origin, "no ceremony under way").await?);
        };
        let Ok((account_id, cred_id)) = state
            .webauthn
            .identify_discoverable_authentication(credential)
        else {
            return Err(refuse_sign_in(state, None, &origin, "no user handle").await?);
        };
        let allowed = crate::state::limits::allow(
            &state.db,
            state.clock.now(),
            &format!("account:{account_id}"),
            state.limits.per_account,
        )
        .await?;
        if !allowed {
            audit(
                state,
                Some(account_id),
                "sign_in",
                false,
                &origin,
                Some("rate limited"),
            )
            .await?;
            return Err(fail("Too many attempts. Wait a minute, then try again."));
        }
        let credential_id = URL_SAFE_NO_PAD.encode(cred_id);
        let Some(row) = passkey::Entity::find()
            .filter(passkey::Column::CredentialId.eq(credential_id))
            .filter(passkey::Column::AccountId.eq(account_id))
            .one(&state.db)
            .await?
        else {
            return Err(refuse_sign_in(state, None, &origin, "unknown passkey").await?);
        };
        let mut key: Passkey = serde_json::from_str(&row.passkey).map_err(AppError::internal)?;
        let result = match state
            .webauthn
            .finish_discoverable_authentication_v2(credential, auth_state, &key)
        {
            Ok(result) => result,
            Err(WebauthnError::CredentialPossibleCompromise) => {
                tracing::warn!(passkey = %row.id, "passkey signature counter went backwards: refused");
                let why = "signature counter went backwards: possible cloned passkey";
                return Err(refuse_sign_in(state, Some(account_id), &origin, why).await?);
            }
            Err(err) => {
                return Err(
                    refuse_sign_in(state, Some(account_id), &origin, &err.to_string()).await?,
                );
            }
        };
        key.update_credential(&result);
        // Compare-and-swap on the counter: two sign-ins racing with one passkey cannot both win.
        let now = state.clock.now();
        let updated = passkey::Entity::update_many()
            .col_expr(
                passkey::Column::Counter,
                Expr::value(i64::from(result.counter())),
            )
            .col_expr(
                passkey::Column::BackupState,
                Expr::value(result.backup_state()),
            )
            .col_expr(
                passkey::Column::BackupEligible,
                Expr::value(result.backup_eligible()),
            )
            .col_expr(
                passkey::Column::Passkey,
                Expr::value(serde_json::to_string(&key).map_err(AppError::internal)?),
            )
            .col_expr(passkey::Column::LastUsedAt, Expr::value(now))
            .filter(passkey::Column::Id.eq(row.id))
            .filter(passkey::Column::Counter.eq(row.counter))
            .exec(&state.db)
            .await?;
        if updated.rows_affected != 1 {
            return Err(refuse_sign_in(
                state,
                Some(account_id),
                &origin,
                "passkey used twice at once",
            )
            .await?);
        }
        session::sign_in(session, account_id, row.id, &origin).await?;
        audit(state, Some(account_id), "sign_in", true, &origin, None).await
    }

    fn day(t: chrono::DateTime<chrono::Utc>) -> String {
        t.format("%-d %B %Y").to_string()
    }

    pub async fn list_passkeys(
        state: &AppState,
        account_id: Uuid,
    ) -> Result<Vec<PasskeySummary>, AppError> {
        let rows = passkey::Entity::find()
            .filter(passkey::Column::AccountId.eq(account_id))
            .order_by_asc(passkey::Column::CreatedAt)
            .all(&state.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| PasskeySummary {
                id: r.id,
                name: r.name,
                created: day(r.created_at),
                last_used: r.last_used_at.map(day),
                synced: r.backup_eligible,
            })
            .collect())
    }

    pub async fn rename_passkey(
        state: &AppState,
        account_id: Uuid,
        id: Uuid,
        name: &str,
    ) -> Result<(), AppError> {
        let origin = request_info::current();
        let name = name.trim();
        if name.is_empty() {
            return Err(AppError::field("name", "Enter a name for this passkey"));
        }
        let name = parse_name(name, &origin)?;
        let updated = passkey::Entity::update_many()
            .col_expr(passkey::Column::Name, Expr::value(name))
            .filter(passkey::Column::Id.eq(id))
            .filter(passkey::Column::AccountId.eq(account_id))
            .exec(&state.db)
            .await?;
        if updated.rows_affected != 1 {
            return Err(AppError::NotFound);
        }
        audit(
            state,
            Some(account_id),
            "passkey_rename",
            true,
            &origin,
            None,
        )
        .await
    }

    pub async fn remove_passkey(
        state: &AppState,
        session: &Session,
        account_id: Uuid,
        id: Uuid,
    ) -> Result<(), AppError> {
        let origin = request_info::current();
        let txn = crate::state::begin_write_on(&state.db, crate::state::Turn::Account(account_id))
            .await?;
        let mine = passkey::Entity::find()
            .filter(passkey::Column::AccountId.eq(account_id))
            .all(&txn)
            .await?;
        if !mine.iter().any(|p| p.id == id) {
            return Err(AppError::NotFound);
        }
        if mine.len() < 2 {
            return Err(AppError::field(
                "passkey",
                "You cannot remove your only passkey. Add another passkey first.",
            ));
        }
        passkey::Entity::delete_by_id(id).exec(&txn).await?;
        // Sessions signed in with that passkey end too (a lost phone stops working at once),
        // except the one making this change.
        let current = session.id().map(|id| id.to_string()).unwrap_or_default();
        session_row::Entity::delete_many()
            .filter(session_row::Column::PasskeyId.eq(id))
            .filter(session_row::Column::Id.ne(current))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry::own(account_id, "passkey_remove", &origin),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// The roles an account holds (a person can hold several).
    pub async fn roles(state: &AppState, account_id: Uuid) -> Result<Vec<String>, AppError> {
        let mut roles: Vec<String> = membership::Entity::find()
            .filter(membership::Column::AccountId.eq(account_id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|m| m.role)
            .collect();
        let is_patient = crate::entities::patient::Entity::find()
            .filter(crate::entities::patient::Column::AccountId.eq(account_id))
            .one(&state.db)
            .await?
            .is_some();
        if is_patient {
            roles.push("patient".into());
        }
        let is_carer = crate::entities::carer_grant::Entity::find()
            .filter(crate::entities::carer_grant::Column::CarerAccountId.eq(account_id))
            .filter(
                crate::entities::carer_grant::Column::Status
                    .eq(crate::access::GrantStatus::Active.code()),
            )
            .one(&state.db)
            .await?
            .is_some();
        if is_carer {
            roles.push("carer".into());
        }
        Ok(roles)
    }
}
