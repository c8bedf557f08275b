//! Reminders on the server: an account's choices and devices, and the schedule. `sync_patient`
//! works out every reminder a person's situation calls for (their next review, its pack, their
//! actions, who may be reminded) and makes the queue match, so each change that affects
//! reminders only has to call it in its own transaction.
use std::collections::{BTreeMap, HashMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::queue::{CANCELLED, RETRYING, SCHEDULED};
use super::schedule::{Quiet, after_quiet, at_local, end_of_day, local_day, next_slot};
use super::{
    ChoicesForm, ChoicesView, DeviceForm, DeviceView, MAX_ACTION_TIMES, OpenView, RemindersView,
};
use crate::access::{self, Actor, Permission, Subject};
use crate::auth::audit::{self, Entry};
use crate::entities::{
    carer_grant, patient, plan_action, preparation_pack, push_subscription, reminder_job,
    reminder_preference, review,
};
use crate::error::AppError;
use crate::state::AppState;

pub const DEFAULT_TIME_ZONE: &str = "Europe/London";
const MAX_DEVICES: u64 = 10;
/// "Your review is tomorrow" goes out at this time the evening before, on the recipient's clock.
const REVIEW_EVE: (u32, u32) = (18, 0);
/// "You have not answered the questions" goes out at this time of day.
const AGENDA_AT: (u32, u32) = (10, 0);
/// "Your preparation is ready" is news only for this long after the pack goes out.
const PACK_READY_FRESH: Duration = Duration::days(1);

fn hm((h, m): (u32, u32)) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

/// What an account wants to be reminded about, when, and when never.
#[derive(Clone, Debug, PartialEq)]
pub struct Preferences {
    pub pack_ready: bool,
    pub agenda_due: bool,
    pub agenda_days: u32,
    pub review_tomorrow: bool,
    pub actions: bool,
    pub action_times: Vec<NaiveTime>,
    pub quiet: Option<Quiet>,
    pub tz: Tz,
}

impl Preferences {
    /// Everything on, actions at 9 in the morning, nothing between 9 at night and 8 in the
    /// morning.
    pub fn defaults(tz: Tz) -> Self {
        Self {
            pack_ready: true,
            agenda_due: true,
            agenda_days: 3,
            review_tomorrow: true,
            actions: true,
            action_times: vec![hm((9, 0))],
            quiet: Some(Quiet {
                from: hm((21, 0)),
                until: hm((8, 0)),
            }),
            tz,
        }
    }

    fn from_row(row: &reminder_preference::Model) -> Self {
        let quiet = match (
            row.quiet_from.as_deref().and_then(parse_time),
            row.quiet_until.as_deref().and_then(parse_time),
        ) {
            (Some(from), Some(until)) => Some(Quiet { from, until }),
            _ => None,
        };
        Self {
            pack_ready: row.pack_ready,
            agenda_due: row.agenda_due,
            agenda_days: u32::try_from(row.agenda_days).unwrap_or(3),
            review_tomorrow: row.review_tomorrow,
            actions: row.actions,
            action_times: row
                .action_times
                .split_whitespace()
                .filter_map(parse_time)
                .collect(),
            quiet,
            tz: crate::clock::zone(&row.time_zone),
        }
    }

    /// Whether this kind of reminder is on (a test reminder always is).
    pub fn wants(&self, kind: &str) -> bool {
        match kind {
            "pack_ready" => self.pack_ready,
            "agenda_due" => self.agenda_due,
            "review_tomorrow" => self.review_tomorrow,
            "actions" => self.actions && !self.action_times.is_empty(),
            _ => true,
        }
    }
}

fn parse_time(text: &str) -> Option<NaiveTime> {
    let text = text.trim();
    NaiveTime::parse_from_str(text, "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(text, "%H:%M:%S"))
        .ok()
}

fn time_text(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// The choices of several accounts; those who never chose get the defaults, on the clock of
/// their own plan (or London's).
pub async fn preferences_for(
    db: &impl ConnectionTrait,
    accounts: &[Uuid],
) -> Result<HashMap<Uuid, Preferences>, AppError> {
    let mut out: HashMap<Uuid, Preferences> = reminder_preference::Entity::find()
        .filter(reminder_preference::Column::AccountId.is_in(accounts.iter().copied()))
        .all(db)
        .await?
        .iter()
        .map(|row| (row.account_id, Preferences::from_row(row)))
        .collect();
    let missing: Vec<Uuid> = accounts
        .iter()
        .filter(|a| !out.contains_key(a))
        .copied()
        .collect();
    if !missing.is_empty() {
        let zones: HashMap<Uuid, Tz> = patient::Entity::find()
            .filter(patient::Column::AccountId.is_in(missing.iter().copied()))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|p| Some((p.account_id?, p.time_zone.parse().ok()?)))
            .collect();
        for a in missing {
            let tz = zones.get(&a).copied().unwrap_or(chrono_tz::Europe::London);
            out.insert(a, Preferences::defaults(tz));
        }
    }
    Ok(out)
}

pub async fn preferences_of(
    db: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Preferences, AppError> {
    preferences_for(db, &[account])
        .await?
        .remove(&account)
        .ok_or_else(|| AppError::internal("no reminder preferences"))
}

/// Checks the reminders form: every problem beside its field, nothing kept on a refusal.
pub fn check_choices(form: &ChoicesForm) -> Result<Preferences, AppError> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut err = |field: &str, msg: String| errors.entry(field.to_owned()).or_default().push(msg);
    let on = |v: &Option<String>| v.as_deref() == Some("on");
    let agenda_days = match form.agenda_days.trim().parse::<u32>() {
        Ok(n) if (1..=7).contains(&n) => n,
        _ => {
            err(
                "agenda_days",
                "Choose how many days before your review, from 1 to 7".into(),
            );
            3
        }
    };
    let mut times: Vec<NaiveTime> = Vec::new();
    let mut bad_time = false;
    for (field, text) in [
        ("time_1", &form.time_1),
        ("time_2", &form.time_2),
        ("time_3", &form.time_3),
    ] {
        if text.trim().is_empty() {
            continue;
        }
        match parse_time(text) {
            None => {
                bad_time = true;
                err(
                    field,
                    "Enter a time on the 24-hour clock, for example 09:00".into(),
                )
            }
            Some(t) if times.contains(&t) => {
                err(field, format!("You have chosen {} already", time_text(t)))
            }
            Some(t) => times.push(t),
        }
    }
    let actions = on(&form.kind_actions);
    if actions && times.is_empty() && !bad_time {
        err(
            "time_1",
            "Enter a time for reminders about your actions, or untick them".into(),
        );
    }
    let quiet_from = form.quiet_from.trim();
    let quiet_until = form.quiet_until.trim();
    let mut quiet = None;
    match (quiet_from.is_empty(), quiet_until.is_empty()) {
        (true, true) => {}
        (false, true) => err("quiet_until", "Enter when your quiet hours end".into()),
        (true, false) => err("quiet_from", "Enter when your quiet hours start".into()),
        (false, false) => match (parse_time(quiet_from), parse_time(quiet_until)) {
            (Some(from), Some(until)) if from == until => err(
                "quiet_until",
                "Quiet hours must end at a different time from when they start".into(),
            ),
            (Some(from), Some(until)) => quiet = Some(Quiet { from, until }),
            (from, until) => {
                if from.is_none() {
                    err(
                        "quiet_from",
                        "Enter a time on the 24-hour clock, for example 21:00".into(),
                    );
                }
                if until.is_none() {
                    err(
                        "quiet_until",
                        "Enter a time on the 24-hour clock, for example 08:00".into(),
                    );
                }
            }
        },
    }
    if let Some(q) = quiet
        && actions
    {
        for (i, t) in times.iter().enumerate() {
            if q.contains(*t) {
                err(
                    &format!("time_{}", i + 1),
                    format!(
                        "{} is in your quiet hours ({} to {}). Choose another time, or change your quiet hours",
                        time_text(*t),
                        time_text(q.from),
                        time_text(q.until)
                    ),
                );
            }
        }
    }
    let tz = match form.time_zone.trim().parse::<Tz>() {
        Ok(tz) => tz,
        Err(_) => {
            err("time_zone", "Choose your time zone from the list".into());
            chrono_tz::Europe::London
        }
    };
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    times.sort();
    Ok(Preferences {
        pack_ready: on(&form.kind_pack_ready),
        agenda_due: on(&form.kind_agenda_due),
        agenda_days,
        review_tomorrow: on(&form.kind_review_tomorrow),
        actions,
        action_times: times,
        quiet,
        tz,
    })
}

fn choices_view(p: &Preferences) -> ChoicesView {
    let mut times: Vec<String> = p.action_times.iter().map(|t| time_text(*t)).collect();
    times.resize(MAX_ACTION_TIMES, String::new());
    ChoicesView {
        kinds: super::KINDS
            .iter()
            .map(|(k, _)| *k)
            .filter(|k| p.wants(k) || (*k == "actions" && p.actions))
            .map(str::to_owned)
            .collect(),
        agenda_days: p.agenda_days.to_string(),
        times,
        quiet_from: p.quiet.map(|q| time_text(q.from)).unwrap_or_default(),
        quiet_until: p.quiet.map(|q| time_text(q.until)).unwrap_or_default(),
        time_zone: p.tz.name().to_owned(),
    }
}

pub async fn view(state: &AppState, account: Uuid) -> Result<RemindersView, AppError> {
    let prefs = preferences_of(&state.db, account).await?;
    let devices = push_subscription::Entity::find()
        .filter(push_subscription::Column::AccountId.eq(account))
        .order_by_asc(push_subscription::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let date = |at: DateTime<Utc>| {
        at.with_timezone(&prefs.tz)
            .format("%-d %B %Y at %H:%M")
            .to_string()
    };
    let now = state.clock.now();
    // The people this account is reminded about as a carer: for each kind of reminder, the
    // access layer's list (one query each, never a check per person).
    let actor = Actor::new(account, now);
    let kinds = [
        (Permission::RemindAboutReview, "their review"),
        (Permission::RemindAboutPreparation, "getting ready for it"),
        (Permission::RemindAboutActions, "their actions"),
    ];
    let mut reminded: Vec<(Uuid, &str)> = Vec::new();
    for (action, words) in kinds {
        let visible = access::visible_people(&state.db, actor, action).await?;
        for p in patient::Entity::find()
            .filter(visible)
            .all(&state.db)
            .await?
        {
            // Their own reminders are listed above, not as someone they help.
            if p.account_id != Some(account) {
                reminded.push((p.id, words));
            }
        }
    }
    let people = patient::Entity::find()
        .filter(patient::Column::Id.is_in(reminded.iter().map(|(id, _)| *id)))
        .all(&state.db)
        .await?;
    let mut helping = Vec::new();
    for g in carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(account))
        .filter(carer_grant::Column::Status.eq(crate::access::GrantStatus::Active.code()))
        .filter(carer_grant::Column::PatientId.is_in(people.iter().map(|p| p.id)))
        .all(&state.db)
        .await?
    {
        let Some(p) = people.iter().find(|p| p.id == g.patient_id) else {
            continue;
        };
        let about: Vec<&str> = reminded
            .iter()
            .filter(|(id, _)| *id == p.id)
            .map(|(_, words)| *words)
            .collect();
        helping.push(format!(
            "{} {} ({}): reminders about {}",
            p.given_name,
            p.family_name,
            g.relationship.to_lowercase(),
            crate::plan::schedule::join_words(&about)
        ));
    }
    Ok(RemindersView {
        public_key: state.settings.push_public_key.clone(),
        devices: devices
            .into_iter()
            .map(|d| DeviceView {
                id: d.id,
                label: d.label,
                added: date(d.created_at),
                last_sent: d.last_sent_at.map(date),
            })
            .collect(),
        choices: choices_view(&prefs),
        helping,
        own_plan: crate::access::own_patient(state, account).await?.is_some(),
    })
}

pub async fn save_choices(
    state: &AppState,
    account: Uuid,
    form: &ChoicesForm,
) -> Result<(), AppError> {
    let p = check_choices(form)?;
    let now = state.clock.now();
    let txn = crate::state::begin_write(&state.db).await?;
    reminder_preference::Entity::insert(reminder_preference::ActiveModel {
        account_id: Set(account),
        pack_ready: Set(p.pack_ready),
        agenda_due: Set(p.agenda_due),
        agenda_days: Set(i32::try_from(p.agenda_days).unwrap_or(3)),
        review_tomorrow: Set(p.review_tomorrow),
        actions: Set(p.actions),
        action_times: Set(p
            .action_times
            .iter()
            .map(|t| time_text(*t))
            .collect::<Vec<_>>()
            .join(" ")),
        quiet_from: Set(p.quiet.map(|q| time_text(q.from))),
        quiet_until: Set(p.quiet.map(|q| time_text(q.until))),
        time_zone: Set(p.tz.name().to_owned()),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(reminder_preference::Column::AccountId)
            .update_columns([
                reminder_preference::Column::PackReady,
                reminder_preference::Column::AgendaDue,
                reminder_preference::Column::AgendaDays,
                reminder_preference::Column::ReviewTomorrow,
                reminder_preference::Column::Actions,
                reminder_preference::Column::ActionTimes,
                reminder_preference::Column::QuietFrom,
                reminder_preference::Column::QuietUntil,
                reminder_preference::Column::TimeZone,
                reminder_preference::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    sync_account(&txn, now, account).await?;
    txn.commit().await?;
    state.wake_reminders.notify_one();
    Ok(())
}

/// A subscription's keys: the browser's P-256 public key (65 bytes, uncompressed) and its
/// 16-byte authentication secret, both base64url.
fn check_keys(p256dh: &str, auth: &str) -> bool {
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

/// A reminder the schedule calls for.
#[derive(Clone, Debug)]
pub struct Desired {
    pub key: String,
    pub account: Uuid,
    /// The person it is about (none for a test reminder).
    pub patient: Option<Uuid>,
    pub kind: &'static str,
    pub about: Option<Uuid>,
    pub due: DateTime<Utc>,
    pub stale: Option<DateTime<Utc>>,
}

/// Writes reminder jobs that are not there yet (by key); existing ones are left as they are.
pub async fn insert_jobs(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    jobs: &[Desired],
) -> Result<(), AppError> {
    if jobs.is_empty() {
        return Ok(());
    }
    let rows = jobs.iter().map(|d| reminder_job::ActiveModel {
        id: Set(Uuid::new_v4()),
        key: Set(d.key.clone()),
        account_id: Set(d.account),
        patient_id: Set(d.patient),
        kind: Set(d.kind.to_owned()),
        about_id: Set(d.about),
        due_at: Set(d.due),
        stale_at: Set(d.stale),
        status: Set(SCHEDULED.to_owned()),
        attempts: Set(0),
        lease_owner: Set(None),
        lease_until: Set(None),
        delivered: Set(String::new()),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        finished_at: Set(None),
    });
    reminder_job::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([reminder_job::Column::Key])
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Every person whose reminders this account's choices or devices affect: their own plan and
/// the people they help (or used to).
pub async fn sync_account(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    account: Uuid,
) -> Result<(), AppError> {
    let mut people: Vec<Uuid> = patient::Entity::find()
        .filter(patient::Column::AccountId.eq(account))
        .all(db)
        .await?
        .into_iter()
        .map(|p| p.id)
        .collect();
    people.extend(
        carer_grant::Entity::find()
            .filter(carer_grant::Column::CarerAccountId.eq(account))
            .all(db)
            .await?
            .into_iter()
            .map(|g| g.patient_id),
    );
    people.sort();
    people.dedup();
    for p in people {
        sync_patient(db, now, p).await?;
    }
    Ok(())
}

/// The reminders one recipient should get about this person, as things stand.
#[allow(clippy::too_many_arguments)]
fn desired_for(
    now: DateTime<Utc>,
    person: &patient::Model,
    account: Uuid,
    allowed: &[Permission],
    prefs: &Preferences,
    next_review: Option<&review::Model>,
    pack: Option<&preparation_pack::Model>,
    has_actions: bool,
) -> Vec<Desired> {
    let tz = prefs.tz;
    let quiet = |at: DateTime<Utc>| after_quiet(tz, prefs.quiet, at);
    let mut out = Vec::new();
    if let Some(r) = next_review {
        let day = local_day(tz, r.starts_at);
        if allowed.contains(&Permission::RemindAboutReview) && prefs.review_tomorrow {
            let due = quiet(at_local(tz, day - Duration::days(1), hm(REVIEW_EVE)).max(now));
            if due < r.starts_at {
                out.push(Desired {
                    // A moved review is a new reminder; the old one is cancelled.
                    key: format!(
                        "review_tomorrow:{}:{}:{account}",
                        r.id,
                        r.starts_at.timestamp()
                    ),
                    account,
                    patient: Some(person.id),
                    kind: "review_tomorrow",
                    about: Some(r.id),
                    due,
                    stale: Some(r.starts_at),
                });
            }
        }
        if let Some(pack) = pack
            && let Some(released) = pack.released_at
            && allowed.contains(&Permission::RemindAboutPreparation)
        {
            if prefs.pack_ready && released + PACK_READY_FRESH > now {
                out.push(Desired {
                    key: format!("pack_ready:{}:{account}", pack.id),
                    account,
                    patient: Some(person.id),
                    kind: "pack_ready",
                    about: Some(pack.id),
                    due: quiet(released.max(now)),
                    stale: Some(r.starts_at),
                });
            }
            let ask = at_local(
                tz,
                day - Duration::days(i64::from(prefs.agenda_days)),
                hm(AGENDA_AT),
            );
            // Not when the pack itself went out after that point: its own reminder says it all.
            if prefs.agenda_due && pack.submitted_at.is_none() && ask > released {
                let due = quiet(ask.max(now));
                if due < r.starts_at {
                    out.push(Desired {
                        key: format!("agenda_due:{}:{account}", pack.id),
                        account,
                        patient: Some(person.id),
                        kind: "agenda_due",
                        about: Some(pack.id),
                        due,
                        stale: Some(r.starts_at),
                    });
                }
            }
        }
    }
    if has_actions && allowed.contains(&Permission::RemindAboutActions) {
        out.extend(next_action_job(now, person.id, account, prefs));
    }
    out
}

/// The recipient's next action reminder about this person: at the first of their chosen times
/// after `now`, no use after that day ends.
pub fn next_action_job(
    now: DateTime<Utc>,
    person: Uuid,
    account: Uuid,
    prefs: &Preferences,
) -> Option<Desired> {
    if !prefs.wants("actions") {
        return None;
    }
    let slot = next_slot(prefs.tz, &prefs.action_times, now)?;
    let due = after_quiet(prefs.tz, prefs.quiet, slot);
    Some(Desired {
        key: format!("actions:{person}:{account}:{}", slot.timestamp()),
        account,
        patient: Some(person),
        kind: "actions",
        about: None,
        due,
        stale: Some(end_of_day(prefs.tz, slot).max(due + Duration::hours(1))),
    })
}

/// Writes the reminders wanted, given the jobs already there with any of their keys: new ones
/// are inserted; times of ones still scheduled move with the person's choices (quiet hours,
/// days before) until they are sent; one cancelled by an earlier choice comes back if it is
/// wanted again. Sent, dead and dropped ones stay as they are, so nothing goes twice.
async fn write_jobs(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    desired: &[Desired],
    existing: &[reminder_job::Model],
) -> Result<(), AppError> {
    let by_key: HashMap<&str, &reminder_job::Model> =
        existing.iter().map(|j| (j.key.as_str(), j)).collect();
    let mut fresh = Vec::new();
    for d in desired {
        match by_key.get(d.key.as_str()) {
            None => fresh.push(d.clone()),
            Some(j)
                if j.status == CANCELLED
                    || (j.status == SCHEDULED && (j.due_at != d.due || j.stale_at != d.stale)) =>
            {
                let mut row: reminder_job::ActiveModel = (*j).clone().into();
                row.status = Set(SCHEDULED.to_owned());
                row.due_at = Set(d.due);
                row.stale_at = Set(d.stale);
                row.attempts = Set(0);
                row.finished_at = Set(None);
                row.updated_at = Set(now);
                row.update(db).await?;
            }
            Some(_) => {}
        }
    }
    for chunk in fresh.chunks(500) {
        insert_jobs(db, now, chunk).await?;
    }
    Ok(())
}

/// Writes these reminders (see `write_jobs`), looking up which are there already.
pub async fn upsert_jobs(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    desired: &[Desired],
) -> Result<(), AppError> {
    for chunk in desired.chunks(500) {
        let existing = reminder_job::Entity::find()
            .filter(reminder_job::Column::Key.is_in(chunk.iter().map(|d| d.key.clone())))
            .all(db)
            .await?;
        write_jobs(db, now, chunk, &existing).await?;
    }
    Ok(())
}

/// Makes the person's queued reminders match their situation: the reminders it calls for are
/// written (once, by key), ones scheduled for later that it no longer calls for are cancelled,
/// and ones already due are left to the worker, which checks them again before sending. Runs
/// in the same transaction as a change to reminder choices or devices (here), and as the
/// reaction to `Event::PersonChanged` (reviews, packs, answers, actions, carers' grants).
pub async fn sync_patient(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    patient_id: Uuid,
) -> Result<(), AppError> {
    let Some(person) = patient::Entity::find_by_id(patient_id).one(db).await? else {
        return Ok(());
    };
    let mut recipients = access::reminder_recipients(db, now, &person).await?;
    // Only accounts with a device to send to get jobs at all.
    let with_devices: HashSet<Uuid> = push_subscription::Entity::find()
        .filter(push_subscription::Column::AccountId.is_in(recipients.iter().map(|(a, _)| *a)))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.account_id)
        .collect();
    recipients.retain(|(a, _)| with_devices.contains(a));
    let accounts: Vec<Uuid> = recipients.iter().map(|(a, _)| *a).collect();
    let prefs = preferences_for(db, &accounts).await?;
    let next_review = crate::preparation::service::upcoming(db, person.id)
        .await?
        .filter(|r| r.starts_at > now);
    let pack = match &next_review {
        Some(r) => {
            preparation_pack::Entity::find()
                .filter(preparation_pack::Column::ReviewId.eq(r.id))
                .one(db)
                .await?
        }
        None => None,
    };
    let has_actions = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.eq(person.id))
        .filter(plan_action::Column::Status.eq("in_progress"))
        .count(db)
        .await?
        > 0;
    let desired: Vec<Desired> = recipients
        .iter()
        .filter_map(|(account, allowed)| {
            let p = prefs.get(account)?;
            Some(desired_for(
                now,
                &person,
                *account,
                allowed,
                p,
                next_review.as_ref(),
                pack.as_ref(),
                has_actions,
            ))
        })
        .flatten()
        .collect();

    let keys: Vec<String> = desired.iter().map(|d| d.key.clone()).collect();
    let existing = reminder_job::Entity::find()
        .filter(reminder_job::Column::PatientId.eq(person.id))
        .filter(
            sea_orm::Condition::any()
                .add(reminder_job::Column::Status.is_in([SCHEDULED, RETRYING]))
                .add(reminder_job::Column::Key.is_in(keys)),
        )
        .all(db)
        .await?;
    write_jobs(db, now, &desired, &existing).await?;
    let wanted: HashSet<&str> = desired.iter().map(|d| d.key.as_str()).collect();
    let gone: Vec<Uuid> = existing
        .iter()
        .filter(|j| j.status == SCHEDULED || j.status == RETRYING)
        .filter(|j| j.due_at > now && !wanted.contains(j.key.as_str()))
        .map(|j| j.id)
        .collect();
    if !gone.is_empty() {
        reminder_job::Entity::update_many()
            .col_expr(
                reminder_job::Column::Status,
                sea_orm::sea_query::Expr::value(CANCELLED),
            )
            .col_expr(
                reminder_job::Column::FinishedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .col_expr(
                reminder_job::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now),
            )
            .filter(reminder_job::Column::Id.is_in(gone))
            .exec(db)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ChoicesForm {
        ChoicesForm {
            kind_pack_ready: Some("on".into()),
            kind_agenda_due: None,
            kind_review_tomorrow: Some("on".into()),
            kind_actions: Some("on".into()),
            agenda_days: "3".into(),
            time_1: "18:30".into(),
            time_2: "08:00".into(),
            time_3: String::new(),
            quiet_from: "22:00".into(),
            quiet_until: "07:00".into(),
            time_zone: "Europe/London".into(),
        }
    }

    #[test]
    fn good_choices_are_read_in_order() {
        let p = check_choices(&form()).unwrap();
        assert!(p.pack_ready && !p.agenda_due && p.review_tomorrow && p.actions);
        assert_eq!(p.action_times, vec![hm((8, 0)), hm((18, 30))]);
        assert_eq!(
            p.quiet,
            Some(Quiet {
                from: hm((22, 0)),
                until: hm((7, 0))
            })
        );
    }

    #[test]
    fn every_problem_is_reported_beside_its_field() {
        let bad = ChoicesForm {
            agenda_days: "9".into(),
            time_1: "25:00".into(),
            time_2: "08:00".into(),
            time_3: "08:00".into(),
            quiet_from: "22:00".into(),
            quiet_until: String::new(),
            time_zone: "Mars/Olympus".into(),
            ..form()
        };
        let Err(AppError::Validation(errors)) = check_choices(&bad) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "agenda_days",
                "quiet_until",
                "time_1",
                "time_3",
                "time_zone"
            ]
        );
        assert_eq!(errors["time_3"], ["You have chosen 08:00 already"]);
    }

    #[test]
    fn an_action_time_in_quiet_hours_is_refused() {
        let bad = ChoicesForm {
            time_1: "23:00".into(),
            ..form()
        };
        let Err(AppError::Validation(errors)) = check_choices(&bad) else {
            panic!("refused");
        };
        assert!(errors["time_1"][0].starts_with("23:00 is in your quiet hours (22:00 to 07:00)"));
    }

    #[test]
    fn action_reminders_need_a_time() {
        let bad = ChoicesForm {
            time_1: String::new(),
            time_2: String::new(),
            ..form()
        };
        assert!(check_choices(&bad).is_err());
        let off = ChoicesForm {
            kind_actions: None,
            ..bad
        };
        assert!(check_choices(&off).is_ok());
    }

    #[test]
    fn only_real_push_keys_are_kept() {
        let key = URL_SAFE_NO_PAD.encode([4u8; 65]);
        let auth = URL_SAFE_NO_PAD.encode([1u8; 16]);
        assert!(check_keys(&key, &auth));
        assert!(!check_keys(&URL_SAFE_NO_PAD.encode([4u8; 33]), &auth));
        assert!(!check_keys(&key, "short"));
    }
}
