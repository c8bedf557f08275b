//! The session keys Alongside keeps, and the only code that reads or writes them: other
//! modules name a key from here and go through `put`, `take` and the functions below.
use tower_sessions::Session;
use uuid::Uuid;

use crate::error::AppError;

/// Session key holding the signed-in account's id. The session store copies it (and the device,
/// address and passkey keys below) into columns so a person's devices can be listed and ended.
pub const ACCOUNT_KEY: &str = "account_id";
pub const DEVICE_KEY: &str = "device";
pub const IP_KEY: &str = "ip";
pub const PASSKEY_KEY: &str = "passkey_id";
/// The person whose plan a carer has chosen to look at (#7); the policy still decides.
pub const ACTING_FOR_KEY: &str = "acting_for";
/// A random id naming this browser as the owner of the passkey ceremonies it starts (their
/// state is in the ceremonies table).
pub const CEREMONY_KEY: &str = "ceremony_owner";
/// What a form post sent and what was wrong with it, shown once by the page it returns to.
pub const FLASH_KEY: &str = "flash";
/// A new sign-up or recovery link (who it is for, the link), shown once to whoever made it.
pub const NEW_LINK_KEY: &str = "new_invitation_link";
/// The filters a care-team member chose for their caseload on this browser.
pub const CASELOAD_FILTER_KEY: &str = "caseload_filter";

pub async fn from_request() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(AppError::internal)
}

/// Who the session was signed in as when the store read it: the session store reads the
/// session and its account's `Who` (the access layer's) in one statement and hands the second
/// to the request under this key. Like every key starting with two underscores, the store never
/// writes it to the database.
pub const WHO_KEY: &str = "__who";

pub async fn current_account(session: &Session) -> Result<Option<Uuid>, AppError> {
    session
        .get::<Uuid>(ACCOUNT_KEY)
        .await
        .map_err(AppError::from)
}

/// The signed-in account, or `Unauthorized`.
pub async fn require_account() -> Result<(Session, Uuid), AppError> {
    let session = from_request().await?;
    let account = current_account(&session)
        .await?
        .ok_or(AppError::Unauthorized)?;
    Ok((session, account))
}

/// Takes a one-time value (a notice, a link shown once) out of the session. Reading a page
/// with nothing to take changes nothing, so its answer does not send the cookie again.
pub async fn take<T: serde::de::DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, AppError> {
    let found = session.get_value(key).await?;
    if found.is_none() {
        return Ok(None);
    }
    Ok(session.remove::<T>(key).await?)
}

/// Keeps a one-time value (see [`take`]) in the session.
pub async fn put<T: serde::Serialize + Send + Sync>(
    session: &Session,
    key: &str,
    value: T,
) -> Result<(), AppError> {
    session.insert(key, value).await.map_err(AppError::internal)
}

/// Reads a value kept with [`put`], leaving it there.
pub async fn read<T: serde::de::DeserializeOwned>(
    session: &Session,
    key: &str,
) -> Result<Option<T>, AppError> {
    session.get::<T>(key).await.map_err(AppError::internal)
}

/// The owner id of this browser's passkey ceremonies, if it has started one.
pub async fn existing_ceremony_owner(session: &Session) -> Result<Option<Uuid>, AppError> {
    session
        .get::<Uuid>(CEREMONY_KEY)
        .await
        .map_err(AppError::internal)
}

pub async fn acting_for(session: &Session) -> Result<Option<Uuid>, AppError> {
    session
        .get::<Uuid>(ACTING_FOR_KEY)
        .await
        .map_err(AppError::internal)
}

/// `None` goes back to the account's own plan.
pub async fn set_acting_for(session: &Session, person: Option<Uuid>) -> Result<(), AppError> {
    match person {
        Some(id) => session
            .insert(ACTING_FOR_KEY, id)
            .await
            .map_err(AppError::internal),
        None => take::<Uuid>(session, ACTING_FOR_KEY).await.map(|_| ()),
    }
}

/// This browser's ceremony owner id, made on first use.
pub async fn ceremony_owner(session: &Session) -> Result<Uuid, AppError> {
    if let Some(owner) = session
        .get::<Uuid>(CEREMONY_KEY)
        .await
        .map_err(AppError::internal)?
    {
        return Ok(owner);
    }
    let owner = Uuid::new_v4();
    session
        .insert(CEREMONY_KEY, owner)
        .await
        .map_err(AppError::internal)?;
    Ok(owner)
}

/// What the "Your devices" page shows about where a session was started.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub device: String,
    pub ip: String,
}

/// Signs `account_id` in on this session. It starts empty, under a fresh id: nothing of
/// whoever used this browser before (unsaved answers, a carer's chosen person, filters)
/// carries over, the old session ends, and an id planted before sign-in (session fixation) is
/// worthless afterwards. The new session's absolute lifetime counts from now.
pub async fn sign_in(
    session: &Session,
    account_id: Uuid,
    passkey_id: Uuid,
    origin: &Origin,
) -> Result<(), AppError> {
    session.clear().await;
    session.cycle_id().await.map_err(AppError::internal)?;
    let put = |key: &'static str, value: serde_json::Value| async move {
        session
            .insert_value(key, value)
            .await
            .map_err(AppError::internal)
    };
    put(ACCOUNT_KEY, serde_json::json!(account_id)).await?;
    put(PASSKEY_KEY, serde_json::json!(passkey_id)).await?;
    put(DEVICE_KEY, serde_json::json!(origin.device)).await?;
    put(IP_KEY, serde_json::json!(origin.ip)).await?;
    Ok(())
}

/// Ends the session on the server and clears it in the browser.
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session.flush().await.map_err(AppError::internal)
}
