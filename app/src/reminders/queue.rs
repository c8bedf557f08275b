//! The durable reminder queue: workers lease due jobs, decide what each one still calls for,
//! and record what every device's push service answered.
//!
//! Why our own small table and not a job-queue crate: a reminder must be written in the same
//! sea-orm transaction as the change that causes it (a review booked, a pack released), and
//! cancelled or moved by its key when that change is undone, on SQLite and PostgreSQL alike.
//! The queues that fit our sqlx 0.9 (apalis-sqlite / apalis-postgres) enqueue through their own
//! sqlx pool, outside our transactions, and keep jobs in their own shape; graphile_worker is
//! PostgreSQL only. Leasing is one statement: on PostgreSQL `FOR UPDATE SKIP LOCKED`, so
//! several instances never take the same job; on SQLite the statement holds the write lock.
use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbBackend, EntityTrait as _, QueryFilter as _, Statement,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::schedule::{after_quiet, retry_delay};
use super::service::{action_of, preferences_for};
use crate::access::{self, Actor, Capacity, Subject};
use crate::entities::{patient, preparation_pack, push_subscription, reminder_job, review};
use crate::error::AppError;

pub const SCHEDULED: &str = "scheduled";
pub const SENDING: &str = "sending";
pub const RETRYING: &str = "retrying";
pub const SENT: &str = "sent";
pub const DEAD: &str = "dead";
pub const DROPPED: &str = "dropped";
pub const CANCELLED: &str = "cancelled";

/// Why a job was dropped, when the next one in its chain should still be written.
const STALE: &str = "stale";
const NOTHING_DUE: &str = "nothing due";

/// Leases up to `limit` jobs that are due (or whose last lease ran out) to `owner` until
/// `now + lease_for`, oldest first. No two owners ever hold the same job.
pub async fn lease(
    db: &impl ConnectionTrait,
    owner: &str,
    now: DateTime<Utc>,
    lease_for: Duration,
    limit: u64,
) -> Result<Vec<reminder_job::Model>, AppError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "UPDATE reminder_jobs SET status = 'sending', lease_owner = $1, lease_until = $2, \
             attempts = attempts + 1, updated_at = $3 \
             WHERE id IN (SELECT id FROM reminder_jobs \
               WHERE (status IN ('scheduled', 'retrying') AND due_at <= $3) \
                  OR (status = 'sending' AND lease_until < $3) \
               ORDER BY due_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING *"
        }
        _ => {
            "UPDATE reminder_jobs SET status = 'sending', lease_owner = ?1, lease_until = ?2, \
             attempts = attempts + 1, updated_at = ?3 \
             WHERE id IN (SELECT id FROM reminder_jobs \
               WHERE (status IN ('scheduled', 'retrying') AND due_at <= ?3) \
                  OR (status = 'sending' AND lease_until < ?3) \
               ORDER BY due_at LIMIT ?4) \
             RETURNING *"
        }
    };
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let stmt = Statement::from_sql_and_values(
        backend,
        sql,
        [
            owner.into(),
            (now + lease_for).into(),
            now.into(),
            limit.into(),
        ],
    );
    Ok(reminder_job::Entity::find()
        .from_raw_sql(stmt)
        .all(db)
        .await?)
}

/// What a notification carries: words with no health data in them, the page a tap opens, and
/// a tag so the same reminder shows once however often it is delivered.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payload {
    pub title: String,
    pub body: String,
    pub url: String,
    pub tag: String,
}

/// The RFC 8030 topic of a job's messages: a push service keeps only the newest message with
/// the same topic for a device that is offline (32 base64url characters at most).
pub fn topic(job: &reminder_job::Model) -> String {
    job.id.simple().to_string()
}

/// What to do with a leased job.
#[derive(Clone, Debug)]
pub enum Plan {
    Send {
        payload: Payload,
        devices: Vec<push_subscription::Model>,
        /// How long a push service should keep it for a device that is offline.
        ttl: u32,
    },
    /// No longer of use: stale, turned off, not allowed any more, nothing to say, no device.
    Drop(&'static str),
    /// In quiet hours now: try again at this time.
    Defer(DateTime<Utc>),
}

/// How one device's push service answered.
#[derive(Clone, Debug, PartialEq)]
pub enum DeviceOutcome {
    Delivered,
    /// 404 or 410: the subscription has ended; it is removed.
    Gone,
    /// 429, 5xx, a timeout or no connection: try again (after what the service asked, if it did).
    Retry {
        after: Option<Duration>,
        reason: String,
    },
    /// Any other refusal: trying again will not help.
    Failed(String),
}

fn words(kind: &str, capacity: Capacity, review_time: Option<String>) -> (String, String) {
    let open = "Open Alongside to see it.".to_owned();
    match (kind, capacity) {
        ("test", _) => (
            "Alongside: this is a test reminder".into(),
            "Reminders work on this device.".into(),
        ),
        (super::service::SECURITY, _) => (
            "Alongside: a change to how you sign in".into(),
            "Open Alongside to check it was you or your care team.".into(),
        ),
        ("pack_ready", Capacity::Patient) => ("Your review preparation is ready".into(), open),
        ("review_tomorrow", Capacity::Patient) => (
            match review_time {
                Some(t) => format!("Alongside: your review is tomorrow at {t}"),
                None => "Alongside: your review is tomorrow".into(),
            },
            "Open Alongside for the details.".into(),
        ),
        _ => ("Alongside: you have a reminder".into(), open),
    }
}

/// Decides, for each leased job, whether it still calls for a notification and to which of
/// the account's devices. A fixed number of queries for the batch, plus one or two per job
/// about a review, a pack or a day's actions.
pub async fn plan_batch(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    jobs: &[reminder_job::Model],
) -> Result<Vec<Plan>, AppError> {
    let accounts: Vec<Uuid> = jobs
        .iter()
        .map(|j| j.account_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let mut devices: HashMap<Uuid, Vec<push_subscription::Model>> = HashMap::new();
    for d in push_subscription::Entity::find()
        .filter(push_subscription::Column::AccountId.is_in(accounts.iter().copied()))
        .all(db)
        .await?
    {
        devices.entry(d.account_id).or_default().push(d);
    }
    let prefs = preferences_for(db, &accounts).await?;
    let people: HashMap<Uuid, patient::Model> = patient::Entity::find()
        .filter(patient::Column::Id.is_in(jobs.iter().filter_map(|j| j.patient_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();

    // What is left to do today, for everyone with an action reminder in the batch.
    let days: Vec<(Uuid, chrono::NaiveDate)> = jobs
        .iter()
        .filter(|j| j.kind == "actions")
        .filter_map(|j| people.get(&j.patient_id?))
        .map(|p| (p.id, crate::plan::service::today_in(&p.time_zone, now)))
        .collect();
    let left = crate::plan::service::actions_left(db, &days).await?;
    let context = Context {
        devices,
        prefs,
        people,
        left,
    };
    let mut plans = Vec::with_capacity(jobs.len());
    for job in jobs {
        plans.push(plan_one(db, now, job, &context).await?);
    }
    Ok(plans)
}

/// What a batch's plans share, read once.
struct Context {
    devices: HashMap<Uuid, Vec<push_subscription::Model>>,
    prefs: HashMap<Uuid, super::service::Preferences>,
    people: HashMap<Uuid, patient::Model>,
    /// Actions still to do today, by person.
    left: HashMap<Uuid, usize>,
}

async fn plan_one(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    job: &reminder_job::Model,
    context: &Context,
) -> Result<Plan, AppError> {
    let Context {
        devices,
        prefs,
        people,
        left,
    } = context;
    if job.stale_at.is_some_and(|s| s <= now) {
        return Ok(Plan::Drop(STALE));
    }
    let Some(p) = prefs.get(&job.account_id) else {
        return Ok(Plan::Drop("no account"));
    };
    let mut capacity = Capacity::Patient;
    let mut review_time = None;
    // A test reminder and a security notice go at once, to the account's own devices.
    if job.kind != "test" && job.kind != super::service::SECURITY {
        if !p.wants(&job.kind) {
            return Ok(Plan::Drop("turned off"));
        }
        let later = after_quiet(p.tz, p.quiet, now);
        if later > now {
            return Ok(Plan::Defer(later));
        }
        let (Some(person), Some(action)) = (
            job.patient_id.and_then(|id| people.get(&id)),
            action_of(&job.kind),
        ) else {
            return Ok(Plan::Drop("no person"));
        };
        // Asked again now: a grant narrowed or ended since the job was written stops it.
        match access::check(
            db,
            Actor::new(job.account_id, now),
            action,
            Subject::Patient(person.id),
        )
        .await
        {
            Ok(c) => capacity = c,
            Err(AppError::NotFound) => return Ok(Plan::Drop("not allowed")),
            Err(e) => return Err(e),
        }
        match job.kind.as_str() {
            "review_tomorrow" => {
                let r = match job.about_id {
                    Some(id) => review::Entity::find_by_id(id).one(db).await?,
                    None => None,
                };
                match r {
                    Some(r)
                        if r.status == crate::preparation::ReviewStatus::Scheduled.code()
                            && r.starts_at > now =>
                    {
                        review_time =
                            Some(r.starts_at.with_timezone(&p.tz).format("%H:%M").to_string());
                    }
                    _ => return Ok(Plan::Drop("review changed")),
                }
            }
            "pack_ready" | "agenda_due" => {
                let pack = match job.about_id {
                    Some(id) => preparation_pack::Entity::find_by_id(id).one(db).await?,
                    None => None,
                };
                let Some(pack) = pack.filter(|pk| pk.released_at.is_some()) else {
                    return Ok(Plan::Drop("no pack"));
                };
                if job.kind == "agenda_due" && pack.submitted_at.is_some() {
                    return Ok(Plan::Drop("answered"));
                }
                let booked = match pack.review_id {
                    Some(id) => review::Entity::find_by_id(id).one(db).await?,
                    None => None,
                };
                if !booked.is_some_and(|r| {
                    r.status == crate::preparation::ReviewStatus::Scheduled.code()
                        && r.starts_at > now
                }) {
                    return Ok(Plan::Drop("review changed"));
                }
            }
            "actions" => {
                if left.get(&person.id).copied().unwrap_or(0) == 0 {
                    return Ok(Plan::Drop(NOTHING_DUE));
                }
            }
            _ => return Ok(Plan::Drop("unknown kind")),
        }
    }
    let done: HashSet<&str> = job.delivered.split_whitespace().collect();
    let to: Vec<push_subscription::Model> = devices
        .get(&job.account_id)
        .map(|list| {
            list.iter()
                .filter(|d| !done.contains(d.id.to_string().as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    if to.is_empty() {
        return Ok(Plan::Drop("no devices"));
    }
    let (title, body) = words(&job.kind, capacity, review_time);
    let ttl = job
        .stale_at
        .map(|s| (s - now).num_seconds())
        .unwrap_or(86_400)
        .clamp(60, 86_400);
    Ok(Plan::Send {
        payload: Payload {
            title,
            body,
            // Every tap goes through the reminder's own page, which checks it is this
            // account's and, for a carer, whose plan it is about.
            url: format!("/reminders/{}", job.id),
            tag: format!("alongside-{}", job.id.simple()),
        },
        devices: to,
        ttl: u32::try_from(ttl).unwrap_or(86_400),
    })
}

/// What became of a leased job.
#[derive(Clone, Debug)]
pub enum JobOutcome {
    Planned(Plan),
    /// It was sent to these devices, which answered so.
    Sent(Vec<(Uuid, DeviceOutcome)>),
}

/// Counts of what a batch came to, for the worker's log and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Finished {
    pub sent: usize,
    pub retrying: usize,
    pub dead: usize,
    pub dropped: usize,
    pub deferred: usize,
    /// Subscriptions removed because their push service said they had ended.
    pub pruned: usize,
}

/// Records each leased job's result, in one transaction. Only the owner's lease is written:
/// a job whose lease ran out and was taken by another worker is that worker's now.
pub async fn finish_batch(
    db: &sea_orm::DatabaseConnection,
    now: DateTime<Utc>,
    owner: &str,
    results: Vec<(reminder_job::Model, JobOutcome)>,
    max_attempts: u32,
    mut jitter: impl FnMut() -> f64 + Send,
) -> Result<Finished, AppError> {
    let mut out = Finished::default();
    let txn = crate::state::begin_write(db).await?;
    let mut gone: Vec<Uuid> = Vec::new();
    let mut reached: Vec<Uuid> = Vec::new();
    let mut sent_jobs: Vec<Uuid> = Vec::new();
    // Action reminders done with, whose next time slot's reminder is written: (person, account).
    let mut chains: Vec<(Uuid, Uuid)> = Vec::new();
    for (job, result) in results {
        let update = reminder_job::Entity::update_many()
            .filter(reminder_job::Column::Id.eq(job.id))
            .filter(reminder_job::Column::LeaseOwner.eq(owner))
            .col_expr(
                reminder_job::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                reminder_job::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(reminder_job::Column::UpdatedAt, Expr::value(now));
        let ended =
            |u: sea_orm::UpdateMany<reminder_job::Entity>, status: &str, error: Option<String>| {
                u.col_expr(reminder_job::Column::Status, Expr::value(status.to_owned()))
                    .col_expr(reminder_job::Column::FinishedAt, Expr::value(now))
                    .col_expr(reminder_job::Column::LastError, Expr::value(error))
            };
        // The chain goes on after a reminder that went (or could not go), or found nothing to do
        // that day. One dropped because it is not wanted or allowed any more stops: the change
        // that wants it again writes the next.
        let chain_on = match &result {
            JobOutcome::Planned(Plan::Drop(reason)) => [STALE, NOTHING_DUE].contains(reason),
            JobOutcome::Planned(_) => false,
            JobOutcome::Sent(_) => true,
        };
        if job.kind == "actions"
            && chain_on
            && let Some(p) = job.patient_id
        {
            chains.push((p, job.account_id));
        }
        match result {
            JobOutcome::Planned(Plan::Drop(reason)) => {
                out.dropped += 1;
                ended(update, DROPPED, Some(reason.to_owned()))
                    .exec(&txn)
                    .await?;
            }
            JobOutcome::Planned(Plan::Defer(at)) => {
                out.deferred += 1;
                update
                    .col_expr(reminder_job::Column::Status, Expr::value(SCHEDULED))
                    .col_expr(reminder_job::Column::DueAt, Expr::value(at))
                    // Waiting for quiet hours to end is not a failed attempt.
                    .col_expr(
                        reminder_job::Column::Attempts,
                        Expr::col(reminder_job::Column::Attempts).sub(1),
                    )
                    .exec(&txn)
                    .await?;
            }
            JobOutcome::Planned(Plan::Send { .. }) => {
                // The worker always sends what it planned; a plan coming back unsent is a bug
                // in the worker, so let the lease run out and try again.
                tracing::warn!(job = %job.id, "a planned reminder came back unsent");
            }
            JobOutcome::Sent(outcomes) => {
                let mut delivered: Vec<String> = job
                    .delivered
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect();
                let mut retry_after: Option<Option<Duration>> = None;
                let mut failure: Option<String> = None;
                for (device, outcome) in outcomes {
                    match outcome {
                        DeviceOutcome::Delivered => {
                            reached.push(device);
                            delivered.push(device.to_string());
                        }
                        DeviceOutcome::Gone => {
                            gone.push(device);
                            delivered.push(device.to_string());
                        }
                        DeviceOutcome::Retry { after, reason } => {
                            failure = Some(reason);
                            retry_after = Some(match (retry_after.flatten(), after) {
                                (Some(a), Some(b)) => Some(a.max(b)),
                                (a, b) => a.or(b),
                            });
                        }
                        DeviceOutcome::Failed(reason) => {
                            failure.get_or_insert(reason);
                        }
                    }
                }
                let attempts = u32::try_from(job.attempts).unwrap_or(u32::MAX);
                match (retry_after, failure) {
                    (None, None) => sent_jobs.push(job.id),
                    (Some(after), reason) if attempts < max_attempts => {
                        out.retrying += 1;
                        let due = now + retry_delay(attempts, after, jitter());
                        update
                            .col_expr(reminder_job::Column::Status, Expr::value(RETRYING))
                            .col_expr(reminder_job::Column::DueAt, Expr::value(due))
                            .col_expr(
                                reminder_job::Column::Delivered,
                                Expr::value(delivered.join(" ")),
                            )
                            .col_expr(reminder_job::Column::LastError, Expr::value(reason))
                            .exec(&txn)
                            .await?;
                    }
                    (_, reason) => {
                        out.dead += 1;
                        ended(update, DEAD, reason)
                            .col_expr(
                                reminder_job::Column::Delivered,
                                Expr::value(delivered.join(" ")),
                            )
                            .exec(&txn)
                            .await?;
                    }
                }
            }
        }
    }
    // The common case in one statement: every device took it.
    for chunk in sent_jobs.chunks(500) {
        out.sent += chunk.len();
        reminder_job::Entity::update_many()
            .filter(reminder_job::Column::Id.is_in(chunk.iter().copied()))
            .filter(reminder_job::Column::LeaseOwner.eq(owner))
            .col_expr(reminder_job::Column::Status, Expr::value(SENT))
            .col_expr(reminder_job::Column::FinishedAt, Expr::value(now))
            .col_expr(reminder_job::Column::UpdatedAt, Expr::value(now))
            .col_expr(
                reminder_job::Column::LeaseOwner,
                Expr::value(Option::<String>::None),
            )
            .col_expr(
                reminder_job::Column::LeaseUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                reminder_job::Column::LastError,
                Expr::value(Option::<String>::None),
            )
            .exec(&txn)
            .await?;
    }
    for chunk in reached.chunks(500) {
        push_subscription::Entity::update_many()
            .filter(push_subscription::Column::Id.is_in(chunk.iter().copied()))
            .col_expr(push_subscription::Column::LastSentAt, Expr::value(now))
            .exec(&txn)
            .await?;
    }
    if !gone.is_empty() {
        out.pruned = gone.len();
        push_subscription::Entity::delete_many()
            .filter(push_subscription::Column::Id.is_in(gone))
            .exec(&txn)
            .await?;
    }
    if !chains.is_empty() {
        let accounts: Vec<Uuid> = chains.iter().map(|(_, a)| *a).collect();
        let prefs = preferences_for(&txn, &accounts).await?;
        let next: Vec<super::service::Desired> = chains
            .iter()
            .filter_map(|(person, account)| {
                super::service::next_action_job(now, *person, *account, prefs.get(account)?)
            })
            .collect();
        super::service::upsert_jobs(&txn, now, &next).await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// How many jobs are in each state, for `alongside reminders status`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Status {
    pub due: u64,
    pub scheduled: u64,
    pub in_flight: u64,
    pub lease_expired: u64,
    pub retrying: u64,
    pub dead: u64,
    pub sent_last_day: u64,
    pub dropped_last_day: u64,
    /// The latest dead jobs: (id, kind, attempts, last error).
    pub recent_dead: Vec<(Uuid, String, i32, String)>,
}

pub async fn status(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Status, AppError> {
    use reminder_job::Column as C;
    use sea_orm::sea_query::SimpleExpr;
    use sea_orm::{PaginatorTrait as _, QueryOrder as _, QuerySelect as _};
    let day_ago = now - Duration::days(1);
    let always = || Expr::value(true);
    // (status, and what else must hold) for each count, in the order of `Status`'s fields.
    let asks: [(&str, SimpleExpr); 8] = [
        (SCHEDULED, C::DueAt.lte(now)),
        (SCHEDULED, C::DueAt.gt(now)),
        (SENDING, C::LeaseUntil.gte(now)),
        (SENDING, C::LeaseUntil.lt(now)),
        (RETRYING, always()),
        (DEAD, always()),
        (SENT, C::FinishedAt.gte(day_ago)),
        (DROPPED, C::FinishedAt.gte(day_ago)),
    ];
    let mut counts = [0u64; 8];
    for (n, (status, also)) in asks.into_iter().enumerate() {
        counts[n] = reminder_job::Entity::find()
            .filter(C::Status.eq(status))
            .filter(also)
            .count(db)
            .await?;
    }
    let [
        due,
        scheduled,
        in_flight,
        lease_expired,
        retrying,
        dead,
        sent_last_day,
        dropped_last_day,
    ] = counts;
    Ok(Status {
        due,
        scheduled,
        in_flight,
        lease_expired,
        retrying,
        dead,
        sent_last_day,
        dropped_last_day,
        recent_dead: reminder_job::Entity::find()
            .filter(C::Status.eq(DEAD))
            .order_by_desc(C::FinishedAt)
            .limit(10)
            .all(db)
            .await?
            .into_iter()
            .map(|j| (j.id, j.kind, j.attempts, j.last_error.unwrap_or_default()))
            .collect(),
    })
}
