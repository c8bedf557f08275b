//! Signing in with a passkey.
use super::*;

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
            return Err(refuse_sign_in(state, Some(account_id), &origin, &err.to_string()).await?);
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
