//! The reminder worker: lease a batch of due jobs, decide what each still calls for, send to
//! every device at once (up to a bound), and record the answers. `run_once` is one such step,
//! so tests drive the worker deterministically; `spawn` repeats it, sleeping between polls
//! unless woken by a reminder that has just come due.
use std::sync::Arc;
use std::time::Duration;

use app::AppError;
use app::reminders::queue::{self, DeviceOutcome, Finished, JobOutcome, Plan};
use app::state::AppState;
use futures::StreamExt as _;
use uuid::Uuid;

use super::Sender;

#[derive(Clone, Debug)]
pub struct WorkerSettings {
    /// Jobs leased at a time.
    pub batch: u64,
    /// Sends in flight at once.
    pub concurrency: usize,
    /// How long a lease lasts: longer than the slowest batch can take, so a job is only taken
    /// again when its worker has really gone.
    pub lease: chrono::Duration,
    /// Attempts before a reminder is given up on (dead-lettered).
    pub max_attempts: u32,
    /// How often to look for due jobs when not woken.
    pub poll: Duration,
}

impl WorkerSettings {
    pub fn new(concurrency: usize, send_timeout: Duration, max_attempts: u32) -> Self {
        let concurrency = concurrency.max(1);
        let batch: u64 = 500;
        // Every send in the batch timing out, one round of `concurrency` after another, twice.
        let rounds = batch.div_ceil(concurrency as u64) + 1;
        let worst = send_timeout.as_secs().max(1) * rounds * 2;
        Self {
            batch,
            concurrency,
            lease: chrono::Duration::seconds(i64::try_from(worst).unwrap_or(3600).max(60)),
            max_attempts: max_attempts.max(1),
            poll: Duration::from_secs(5),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub leased: usize,
    /// Messages handed to push services (one per device).
    pub messages: usize,
    pub finished: Finished,
}

#[derive(Clone)]
pub struct Worker {
    pub app: AppState,
    pub sender: Arc<Sender>,
    pub owner: String,
    pub settings: WorkerSettings,
}

impl Worker {
    pub fn new(app: AppState, sender: Arc<Sender>, settings: WorkerSettings) -> Self {
        Self {
            app,
            sender,
            owner: format!("worker-{}", Uuid::new_v4().simple()),
            settings,
        }
    }

    /// One step: lease, plan, send, record.
    pub async fn run_once(&self) -> Result<Report, AppError> {
        let db = &self.app.db;
        let now = self.app.clock.now();
        let jobs = self
            .patiently("lease", || {
                queue::lease(
                    db,
                    &self.owner,
                    now,
                    self.settings.lease,
                    self.settings.batch,
                )
            })
            .await?;
        if jobs.is_empty() {
            return Ok(Report::default());
        }
        let plans = self
            .patiently("plan", || queue::plan_batch(db, now, &jobs))
            .await?;
        let mut outcomes: Vec<JobOutcome> = Vec::with_capacity(jobs.len());
        let mut sends = Vec::new();
        for (i, plan) in plans.into_iter().enumerate() {
            match plan {
                Plan::Send {
                    payload,
                    devices,
                    ttl,
                } => {
                    let body: Arc<[u8]> = serde_json::to_vec(&payload)
                        .map_err(AppError::internal)?
                        .into();
                    let topic = queue::topic(&jobs[i]);
                    for device in devices {
                        sends.push((i, device, body.clone(), topic.clone(), ttl));
                    }
                    outcomes.push(JobOutcome::Sent(Vec::new()));
                }
                other => outcomes.push(JobOutcome::Planned(other)),
            }
        }
        let messages = sends.len();
        let results: Vec<(usize, Uuid, DeviceOutcome)> = futures::stream::iter(sends)
            .map(|(i, device, body, topic, ttl)| {
                let sender = self.sender.clone();
                let clock = self.app.clock.clone();
                async move {
                    let outcome = sender.send(&device, &body, &topic, ttl, clock.now()).await;
                    (i, device.id, outcome)
                }
            })
            .buffer_unordered(self.settings.concurrency)
            .collect()
            .await;
        for (i, device, outcome) in results {
            if let Some(JobOutcome::Sent(list)) = outcomes.get_mut(i) {
                list.push((device, outcome));
            }
        }
        let leased = jobs.len();
        // What the push services answered is recorded, or those messages go again when the
        // lease runs out: this step above all waits for a database that is away.
        let results: Vec<_> = jobs.into_iter().zip(outcomes).collect();
        let finished = self
            .patiently("record", || {
                queue::finish_batch(
                    db,
                    self.app.clock.now(),
                    &self.owner,
                    results.clone(),
                    self.settings.max_attempts,
                    rand::random::<f64>,
                )
            })
            .await?;
        Ok(Report {
            leased,
            messages,
            finished,
        })
    }

    /// Runs one of a step's database calls, and runs it again while the database is away
    /// (`Unavailable`: no connection within the pool's few seconds, or the connection
    /// dropped), backing off up to the length of a lease. A request gives up at once so a
    /// person is told; the worker has nobody waiting, and giving up costs more: a batch
    /// leased and not planned waits a whole lease, and one sent and not recorded is sent
    /// again. (A busy machine once kept a second connection from opening within 3 s.)
    async fn patiently<T, F, Fut>(&self, step: &'static str, call: F) -> Result<T, AppError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, AppError>>,
    {
        use backon::Retryable as _;
        let within = self
            .settings
            .lease
            .to_std()
            .unwrap_or(Duration::from_secs(60));
        call.retry(
            backon::ExponentialBuilder::default()
                .with_min_delay(Duration::from_millis(100))
                .with_max_delay(Duration::from_secs(5))
                .without_max_times()
                .with_total_delay(Some(within)),
        )
        .when(|e| matches!(e, AppError::Unavailable))
        .notify(|_, after| {
            tracing::warn!(
                step,
                retry_in_ms = after.as_millis() as u64,
                "the database is away; the reminder worker waits for it"
            )
        })
        .await
    }

    /// Runs until the task is aborted.
    pub fn spawn(self) -> tokio::task::JoinHandle<()> {
        tokio::spawn(async move {
            loop {
                match self.run_once().await {
                    Ok(r) if r.leased > 0 => {
                        tracing::info!(
                            leased = r.leased,
                            sent = r.finished.sent,
                            retrying = r.finished.retrying,
                            dead = r.finished.dead,
                            dropped = r.finished.dropped,
                            "reminders"
                        );
                        continue;
                    }
                    Ok(_) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "sending reminders failed; trying again soon")
                    }
                }
                tokio::select! {
                    _ = self.app.wake_reminders.notified() => {}
                    _ = tokio::time::sleep(self.settings.poll) => {}
                }
            }
        })
    }
}

/// `alongside reminders status`, as lines for the terminal.
pub fn describe_status(s: &queue::Status) -> String {
    let mut out = String::from("Reminders\n");
    for (count, what) in [
        (s.due, "due now, waiting for a worker"),
        (s.scheduled, "scheduled for later"),
        (s.in_flight, "in flight (leased by a worker)"),
        (
            s.lease_expired,
            "in flight but their worker stopped (taken again when due)",
        ),
        (s.retrying, "retrying after a push service said not now"),
        (s.dead, "dead (given up)"),
        (s.sent_last_day, "sent in the last 24 hours"),
        (
            s.dropped_last_day,
            "dropped in the last 24 hours (stale, turned off or nothing to say)",
        ),
    ] {
        out.push_str(&format!("  {count:>8}  {what}\n"));
    }
    if !s.recent_dead.is_empty() {
        out.push_str("Latest dead reminders (no content is kept):\n");
        for (id, kind, attempts, error) in &s.recent_dead {
            out.push_str(&format!(
                "  {id}  {kind:<16} {attempts} attempts  {error}\n"
            ));
        }
    }
    out
}
