//! Registering a passkey: from an invitation, a recovery code or link, or a signed-in person adding one.
use super::*;

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

pub(super) async fn existing_credentials(
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

pub(super) async fn start_registration(
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
        .ok_or_else(|| {
            fail("This invitation link does not work any more. Ask your care team for a new one.")
        })?;
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
