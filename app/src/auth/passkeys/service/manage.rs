//! A person's own passkeys (listed, renamed, removed) and an account's roles.
use super::*;

pub(super) fn day(t: chrono::DateTime<chrono::Utc>) -> String {
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
    let txn =
        crate::state::begin_write_on(&state.db, crate::state::Turn::Account(account_id)).await?;
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
    // The request's one reading of who is signed in (#21).
    Ok(crate::access::who(&state.db, account_id).await?.roles())
}
