//! Devices: adding and removing them, the test reminder, security notices, and the page a reminder opens.
use super::*;

/// A subscription's keys: the browser's P-256 public key (65 bytes, uncompressed) and its
/// 16-byte authentication secret, both base64url.
pub(super) fn check_keys(p256dh: &str, auth: &str) -> bool {
    let decode = |s: &str| URL_SAFE_NO_PAD.decode(s.trim().trim_end_matches('='));
    matches!(decode(p256dh), Ok(k) if k.len() == 65 && k[0] == 4)
        && matches!(decode(auth), Ok(a) if a.len() == 16)
}

pub async fn add_device(
    state: &AppState,
    session: &Session,
    account: Uuid,
    form: &DeviceForm,
) -> Result<(), AppError> {
    // Only the push services browsers use (see `push_services`): never an address of ours.
    if !state.settings.push_services.allows(&form.endpoint) {
        return Err(AppError::field(
            "endpoint",
            "This browser gave an address for reminders that we cannot use.",
        ));
    }
    if !check_keys(&form.p256dh, &form.auth) {
        return Err(AppError::field(
            "p256dh",
            "This browser gave keys for reminders that we cannot use.",
        ));
    }
    let now = state.clock.now();
    let origin = crate::auth::request_info::current();
    let session_id = session.id().map(|id| id.to_string());
    let txn = crate::state::begin_write(&state.db).await?;
    let existing = push_subscription::Entity::find()
        .filter(push_subscription::Column::Endpoint.eq(form.endpoint.trim()))
        .one(&txn)
        .await?;
    let moved_from = existing
        .as_ref()
        .map(|e| e.account_id)
        .filter(|a| *a != account);
    match existing {
        // The same device again (a new sign-in there, or a refreshed key): it now belongs to
        // whoever is signed in on it, and to their session.
        Some(row) => {
            let same_account = row.account_id == account;
            let mut row: push_subscription::ActiveModel = row.into();
            row.account_id = Set(account);
            row.p256dh = Set(form.p256dh.trim().to_owned());
            row.auth = Set(form.auth.trim().to_owned());
            row.label = Set(origin.device.clone());
            row.session_id = Set(session_id);
            if !same_account {
                row.created_at = Set(now);
                row.last_sent_at = Set(None);
            }
            row.update(&txn).await?;
        }
        None => {
            let count = push_subscription::Entity::find()
                .filter(push_subscription::Column::AccountId.eq(account))
                .count(&txn)
                .await?;
            if count >= MAX_DEVICES {
                return Err(AppError::field(
                    "endpoint",
                    format!(
                        "{MAX_DEVICES} devices already get your reminders. Stop reminders on one of them first."
                    ),
                ));
            }
            push_subscription::ActiveModel {
                id: Set(Uuid::new_v4()),
                account_id: Set(account),
                endpoint: Set(form.endpoint.trim().to_owned()),
                p256dh: Set(form.p256dh.trim().to_owned()),
                auth: Set(form.auth.trim().to_owned()),
                label: Set(origin.device.clone()),
                session_id: Set(session_id),
                created_at: Set(now),
                last_sent_at: Set(None),
            }
            .insert(&txn)
            .await?;
            audit::record(
                &txn,
                state.clock.as_ref(),
                Entry::own(account, "reminder_device_added", &origin),
            )
            .await?;
        }
    }
    sync_account(&txn, now, account).await?;
    if let Some(before) = moved_from {
        sync_account(&txn, now, before).await?;
    }
    txn.commit().await?;
    Ok(())
}

pub async fn remove_device(state: &AppState, account: Uuid, device: &str) -> Result<(), AppError> {
    let id = Uuid::parse_str(device.trim()).map_err(|_| AppError::NotFound)?;
    let now = state.clock.now();
    let txn = crate::state::begin_write(&state.db).await?;
    let gone = push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::Id.eq(id))
        .filter(push_subscription::Column::AccountId.eq(account))
        .exec(&txn)
        .await?;
    if gone.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    let origin = crate::auth::request_info::current();
    audit::record(
        &txn,
        state.clock.as_ref(),
        Entry::own(account, "reminder_device_removed", &origin),
    )
    .await?;
    sync_account(&txn, now, account).await?;
    txn.commit().await?;
    Ok(())
}

/// Signing out on a device (or ending its session from another) stops its reminders.
pub async fn remove_for_session(
    db: &impl ConnectionTrait,
    session_id: &str,
) -> Result<(), AppError> {
    push_subscription::Entity::delete_many()
        .filter(push_subscription::Column::SessionId.eq(session_id))
        .exec(db)
        .await?;
    Ok(())
}

/// A reminder to every device of the account, now, to check they work: at most one a minute.
pub async fn send_test(state: &AppState, account: Uuid) -> Result<(), AppError> {
    let devices = push_subscription::Entity::find()
        .filter(push_subscription::Column::AccountId.eq(account))
        .count(&state.db)
        .await?;
    if devices == 0 {
        return Err(AppError::field(
            "form",
            "Turn on reminders on a device first.",
        ));
    }
    let now = state.clock.now();
    let job = Desired {
        key: format!("test:{account}:{}", now.timestamp() / 60),
        account,
        patient: None,
        kind: "test",
        about: None,
        due: now,
        stale: Some(now + Duration::hours(1)),
    };
    insert_jobs(&state.db, now, &[job]).await?;
    state.wake_reminders.notify_one();
    Ok(())
}

/// Tells the account's devices, at once, that something changed about how it signs in (a
/// recovery link was asked for, a passkey was added with one). Written in the caller's
/// transaction; it says nothing about health and ignores quiet hours and reminder choices.
pub async fn security_notice(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account: Uuid,
    what: &str,
) -> Result<(), AppError> {
    let job = Desired {
        key: format!("security:{account}:{what}:{}", now.timestamp()),
        account,
        patient: None,
        kind: SECURITY,
        about: None,
        due: now,
        stale: Some(now + Duration::days(1)),
    };
    insert_jobs(db, now, &[job]).await
}

/// The kind of a security notice (see [`security_notice`]).
pub const SECURITY: &str = "security";

/// The page a reminder's kind opens.
pub fn target_of(kind: &str) -> &'static str {
    match kind {
        "pack_ready" | "agenda_due" | "review_tomorrow" => "/preparation",
        "actions" => "/today",
        SECURITY => "/account/access-log",
        _ => "/account/reminders",
    }
}

/// The policy action a reminder kind needs.
pub fn action_of(kind: &str) -> Option<Permission> {
    match kind {
        "review_tomorrow" => Some(Permission::RemindAboutReview),
        "pack_ready" | "agenda_due" => Some(Permission::RemindAboutPreparation),
        "actions" => Some(Permission::RemindAboutActions),
        _ => None,
    }
}

pub async fn open(
    state: &AppState,
    session: &Session,
    account: Uuid,
    id: Uuid,
) -> Result<OpenView, AppError> {
    let job = reminder_job::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .filter(|j| j.account_id == account)
        .ok_or(AppError::NotFound)?;
    let target = target_of(&job.kind).to_owned();
    let (Some(person), Some(action)) = (job.patient_id, action_of(&job.kind)) else {
        return Ok(OpenView {
            target,
            about: None,
        });
    };
    let actor = Actor::new(account, state.clock.now());
    access::check(&state.db, actor, action, Subject::Patient(person)).await?;
    let current = crate::access::current_person(state, session, account)
        .await?
        .map(|p| p.id);
    if current == Some(person) {
        return Ok(OpenView {
            target,
            about: None,
        });
    }
    let p = patient::Entity::find_by_id(person)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(OpenView {
        target,
        about: Some((p.id, format!("{} {}", p.given_name, p.family_name))),
    })
}
