//! The kill -9 durability test (issue #17): is every goal the server said it saved still there
//! after the server process is killed without warning, and is none saved twice when a form post
//! whose answer was lost is sent again? `make bench-durability` runs it in release mode, once on
//! a SQLite file and once on a fresh PostgreSQL database.
//!
//! The real `alongside serve` binary runs as a child process (a kill must take the whole process,
//! its pool and its half-answered requests with it). Eight writers post new goals through the
//! no-JavaScript form, each with a fresh `idempotency_key`, and send the same post again, as a
//! browser or a person would, for as long as the answer is lost. Meanwhile the server is killed
//! ten times and restarted on the same port. Afterwards the database is read directly: a goal
//! the server acknowledged (redirected to its page) but that is not there is lost; a title with
//! two rows was saved twice.
use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::clock::{SharedClock, SystemClock};
use app::entities::{goal, patient};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, Database, EntityTrait as _, QueryFilter as _,
    QuerySelect as _,
};
use server::db::DbTarget;
use tower_sessions::SessionStore as _;

const WRITERS: usize = 8;
const KILLS: usize = 10;
/// Writers keep going this long after the last restart, so writes land on a settled server too.
const AFTER_LAST: Duration = Duration::from_secs(1);
/// More than the 5 s a resend waits for the first post's answer before the server says it
/// cannot tell (`server::idempotency`), so that answer arrives instead of a timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
const RESEND_AFTER: Duration = Duration::from_millis(50);
const POLL: Duration = Duration::from_millis(50);
const START_DEADLINE: Duration = Duration::from_secs(60);

#[derive(Clone, Copy, Debug)]
enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// One backend's result: a row of the table.
struct Outcome {
    backend: Backend,
    kills: usize,
    acknowledged: usize,
    unknown: usize,
    refused: usize,
    refused_statuses: Vec<u16>,
    lost: usize,
    duplicates: usize,
    /// Titles not acknowledged (unknown or refused) that were saved anyway, once.
    saved_unacknowledged: usize,
    resends: usize,
    /// Acknowledged before the first kill, between each kill and the next, and after the last.
    between_kills: Vec<usize>,
    seconds: f64,
}

/// What one writer saw.
#[derive(Default)]
struct Tally {
    sent: Vec<String>,
    acknowledged: Vec<String>,
    unknown: usize,
    refused: Vec<u16>,
    resends: usize,
}

enum Answer {
    Acknowledged,
    /// No answer (connection error, timeout) or a 5xx: the post may or may not have been saved.
    Lost,
    Conflict,
    Refused(u16),
}

/// The server binary as a child process on a fixed port, started again after each kill.
struct Server {
    bin: PathBuf,
    env: Vec<(&'static str, String)>,
    dir: PathBuf,
    log: PathBuf,
    base: String,
    child: Option<Child>,
}

impl Server {
    fn start(&mut self) -> anyhow::Result<()> {
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log)
            .with_context(|| format!("cannot open {}", self.log.display()))?;
        let mut command = Command::new(&self.bin);
        // Only our settings: the server refuses an `ALONGSIDE_` variable it does not know (such
        // as our own `ALONGSIDE_BIN`), and one from the shell would change the run.
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("ALONGSIDE_") {
                command.env_remove(name);
            }
        }
        let child = command
            .arg("serve")
            // Away from the repository, so no alongside.toml there is read.
            .current_dir(&self.dir)
            .envs(self.env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()
            .with_context(|| format!("cannot start {}", self.bin.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Waits until `/healthz` answers 200, or the process has exited.
    async fn healthy(&mut self, client: &reqwest::Client) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_DEADLINE;
        let url = format!("{}/healthz", self.base);
        loop {
            if let Some(child) = self.child.as_mut()
                && let Some(status) = child.try_wait()?
            {
                anyhow::bail!("the server exited ({status}):\n{}", self.log_tail());
            }
            if let Ok(res) = client.get(&url).send().await
                && res.status() == reqwest::StatusCode::OK
            {
                return Ok(());
            }
            if Instant::now() > deadline {
                anyhow::bail!("the server did not become healthy:\n{}", self.log_tail());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// kill -9 (`Child::kill` sends SIGKILL on Unix), then reaps it.
    async fn kill(&mut self) -> anyhow::Result<()> {
        let Some(mut child) = self.child.take() else {
            return Ok(());
        };
        child.kill()?;
        while child.try_wait()?.is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().ok();
            child.wait().ok();
        }
    }
}

/// The pause before kill `i`: between 1.0 and 2.0 s, varied so kills land at different points
/// of the writers' requests.
fn pause_before(i: usize) -> Duration {
    Duration::from_millis(1000 + (i as u64 * 377) % 1001)
}

async fn post_goal(
    client: &reqwest::Client,
    url: &str,
    cookie: &str,
    origin: &str,
    title: &str,
    key: &str,
) -> Answer {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("title", title)
        .append_pair("why", "durability")
        .append_pair("importance", "5")
        .append_pair("success", "done")
        .append_pair("target_date", "")
        .append_pair("status", "in_progress")
        .append_pair("idempotency_key", key)
        .finish();
    let res = client
        .post(url)
        .header("cookie", cookie)
        .header("accept", "text/html")
        .header("origin", origin)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await;
    let Ok(res) = res else {
        return Answer::Lost;
    };
    let status = res.status();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Read the body too: an answer cut off half way is no answer.
    if res.bytes().await.is_err() || status.is_server_error() {
        return Answer::Lost;
    }
    match status.as_u16() {
        302 | 303
            if location
                .as_deref()
                .is_some_and(|l| l.starts_with("/plan/goals/") && l != "/plan/goals/new") =>
        {
            Answer::Acknowledged
        }
        409 => Answer::Conflict,
        other => Answer::Refused(other),
    }
}

async fn writer(
    n: usize,
    client: reqwest::Client,
    url: String,
    cookie: String,
    origin: String,
    stop: Arc<AtomicBool>,
    acked: Arc<AtomicUsize>,
) -> Tally {
    let mut tally = Tally::default();
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let title = format!("w{n}-{i}");
        let key = uuid::Uuid::new_v4().to_string();
        tally.sent.push(title.clone());
        let mut resent = false;
        loop {
            match post_goal(&client, &url, &cookie, &origin, &title, &key).await {
                Answer::Acknowledged => {
                    acked.fetch_add(1, Ordering::Relaxed);
                    tally.acknowledged.push(title);
                    break;
                }
                Answer::Lost => {
                    tally.resends += 1;
                    resent = true;
                    tokio::time::sleep(RESEND_AFTER).await;
                }
                // The server cannot tell whether the first post was saved.
                Answer::Conflict if resent => {
                    tally.unknown += 1;
                    break;
                }
                Answer::Conflict => {
                    tally.refused.push(409);
                    break;
                }
                Answer::Refused(status) => {
                    tally.refused.push(status);
                    break;
                }
            }
        }
    }
    tally
}

/// A PostgreSQL database of its own on the admin server, dropped by [`drop_database`].
async fn create_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    let admin = Database::connect(admin_url)
        .await
        .with_context(|| format!("cannot reach PostgreSQL at {admin_url}"))?;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    admin.close().await.ok();
    let mut url = url::Url::parse(admin_url)?;
    url.set_path(name);
    Ok(url.to_string())
}

async fn drop_database(admin_url: &str, name: &str) {
    if let Ok(admin) = Database::connect(admin_url).await {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .ok();
        admin.close().await.ok();
    }
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

/// Migrates and seeds the database with the library, and writes a signed-in session for
/// Margaret, the demo patient. Returns the session cookie.
async fn prepare(config: server::config::Config) -> anyhow::Result<String> {
    let clock: SharedClock = Arc::new(SystemClock);
    let prepared = server::prepare(config.clone(), clock.clone()).await?;
    let db = prepared.state.app.db.clone();
    demo::seed_demo(&prepared.state.app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let margaret = patient::Entity::find()
        .filter(patient::Column::GivenName.eq("Margaret"))
        .one(&db)
        .await?
        .and_then(|p| p.account_id)
        .ok_or_else(|| anyhow::anyhow!("no demo patient"))?;
    // Written the way sign-in writes it, with an idle expiry that outlives the run.
    let store = server::sessions::DbSessionStore::new(
        db.clone(),
        clock.clone(),
        Duration::from_secs(6 * 3600),
        Duration::from_secs(12 * 3600),
    );
    let mut record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: [(
            app::session::ACCOUNT_KEY.to_owned(),
            serde_json::to_value(margaret)?,
        )]
        .into_iter()
        .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(6),
    };
    store.create(&mut record).await?;
    drop((prepared, store));
    db.close().await?;
    Ok(format!("alongside={}", record.id))
}

/// How many rows each title has.
async fn rows_by_title(target: &DbTarget) -> anyhow::Result<HashMap<String, usize>> {
    let db = server::db::connect(target).await?;
    let titles: Vec<String> = goal::Entity::find()
        .select_only()
        .column(goal::Column::Title)
        .into_tuple()
        .all(&db)
        .await?;
    db.close().await?;
    let mut rows = HashMap::new();
    for title in titles {
        *rows.entry(title).or_insert(0) += 1;
    }
    Ok(rows)
}

async fn run(backend: Backend, dir: &Path, database_url: &str) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let port = free_port()?;
    // The passkey relying party must be a name, not an address; requests go to the address,
    // so `localhost` resolving to ::1 first cannot matter.
    let origin = format!("http://localhost:{port}");
    let base = format!("http://127.0.0.1:{port}");
    let config = server::config::Config {
        public_origin: origin.clone(),
        listen: format!("127.0.0.1:{port}"),
        database_url: database_url.to_owned(),
        data_dir: dir.to_owned(),
        log: "warn".into(),
        ..server::config::Config::default()
    };
    let target = DbTarget::from_settings(&config.database_url, &config.data_dir);
    let cookie = prepare(config.clone()).await?;

    let here = std::env::current_dir()?;
    let bin = std::env::var_os("ALONGSIDE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/alongside"));
    let mut server = Server {
        bin: here.join(bin),
        env: vec![
            ("ALONGSIDE_DATABASE_URL", config.database_url.clone()),
            ("ALONGSIDE_DATA_DIR", dir.display().to_string()),
            ("ALONGSIDE_LISTEN", config.listen.clone()),
            ("ALONGSIDE_PUBLIC_ORIGIN", origin.clone()),
            // Static files only; the form posts do not need them.
            (
                "ALONGSIDE_SITE_ROOT",
                here.join("target/site").display().to_string(),
            ),
            ("ALONGSIDE_LOG", "warn".into()),
        ],
        dir: dir.to_owned(),
        log: dir.join("server.log"),
        base: base.clone(),
        child: None,
    };
    let health = reqwest::Client::builder()
        .timeout(Duration::from_secs(1))
        .build()?;
    let run_started = Instant::now();
    server.start()?;
    server.healthy(&health).await?;

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()?;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicUsize::new(0));
    let url = format!("{base}/api/plan/goal");
    let writers: Vec<_> = (0..WRITERS)
        .map(|n| {
            tokio::spawn(writer(
                n,
                client.clone(),
                url.clone(),
                cookie.clone(),
                origin.clone(),
                stop.clone(),
                acked.clone(),
            ))
        })
        .collect();

    let mut marks = vec![0];
    let killed: anyhow::Result<()> = async {
        for i in 0..KILLS {
            tokio::time::sleep(pause_before(i)).await;
            marks.push(acked.load(Ordering::Relaxed));
            server.kill().await?;
            server.start()?;
            server.healthy(&health).await?;
        }
        Ok(())
    }
    .await;
    if let Err(err) = killed {
        // The server is not coming back: the writers would resend for ever.
        for w in &writers {
            w.abort();
        }
        return Err(err);
    }
    tokio::time::sleep(AFTER_LAST).await;
    stop.store(true, Ordering::Relaxed);
    let mut tally = Tally::default();
    for w in writers {
        let t = w.await?;
        tally.sent.extend(t.sent);
        tally.acknowledged.extend(t.acknowledged);
        tally.unknown += t.unknown;
        tally.refused.extend(t.refused);
        tally.resends += t.resends;
    }
    let run_seconds = run_started.elapsed().as_secs_f64();
    marks.push(tally.acknowledged.len());
    let between_kills = marks.windows(2).map(|w| w[1] - w[0]).collect();
    server.kill().await?;

    let rows = rows_by_title(&target).await?;
    let count = |title: &str| rows.get(title).copied().unwrap_or(0);
    let acknowledged: HashSet<&str> = tally.acknowledged.iter().map(String::as_str).collect();
    let lost = acknowledged.iter().filter(|t| count(t) == 0).count();
    let duplicates = tally.sent.iter().filter(|t| count(t) > 1).count();
    let saved_unacknowledged = tally
        .sent
        .iter()
        .filter(|t| !acknowledged.contains(t.as_str()) && count(t) == 1)
        .count();
    let mut refused_statuses = tally.refused.clone();
    refused_statuses.sort_unstable();
    refused_statuses.dedup();
    eprintln!(
        "{}: done in {:.1} s (including preparing and checking)",
        backend.name(),
        started.elapsed().as_secs_f64()
    );
    Ok(Outcome {
        backend,
        kills: KILLS,
        acknowledged: tally.acknowledged.len(),
        unknown: tally.unknown,
        refused: tally.refused.len(),
        refused_statuses,
        lost,
        duplicates,
        saved_unacknowledged,
        resends: tally.resends,
        between_kills,
        seconds: run_seconds,
    })
}

async fn run_on(backend: Backend) -> anyhow::Result<Outcome> {
    let dir = std::env::temp_dir().join(format!("alongside-durability-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let outcome = match backend {
        Backend::Sqlite => run(backend, &dir, "").await,
        Backend::Postgres => {
            let admin = std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("alongside_durability_{}", uuid::Uuid::new_v4().simple());
            match create_database(&admin, &name).await {
                Ok(url) => {
                    let outcome = run(backend, &dir, &url).await;
                    drop_database(&admin, &name).await;
                    outcome
                }
                Err(err) => Err(err),
            }
        }
    };
    std::fs::remove_dir_all(&dir).ok();
    outcome
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let clock: SharedClock = Arc::new(SystemClock);
    println!(
        "kill -9 durability, {} CPU cores, {WRITERS} writers, {KILLS} kills 1.0-2.0 s apart, started {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        clock.now().format("%Y-%m-%d %H:%M UTC"),
    );
    let mut outcomes = Vec::new();
    let mut failures = Vec::new();
    for backend in [Backend::Sqlite, Backend::Postgres] {
        match run_on(backend).await {
            Ok(outcome) => outcomes.push(outcome),
            Err(err) => failures.push(format!("{}: {err:#}", backend.name())),
        }
    }
    println!(
        "| backend | kills | writes acknowledged | unknown | refused | lost | duplicates | run s |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for o in &outcomes {
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.1} |",
            o.backend.name(),
            o.kills,
            o.acknowledged,
            o.unknown,
            o.refused,
            o.lost,
            o.duplicates,
            o.seconds
        );
    }
    for o in &outcomes {
        println!(
            "{}: {} resends; {} posts not acknowledged were saved anyway (once){}",
            o.backend.name(),
            o.resends,
            o.saved_unacknowledged,
            if o.refused_statuses.is_empty() {
                String::new()
            } else {
                format!("; refused with {:?}", o.refused_statuses)
            }
        );
        println!(
            "{}: acknowledged before the first kill, between kills, after the last: {:?}",
            o.backend.name(),
            o.between_kills
        );
        // A kill tests something only if posts were being saved just before it. A writer whose
        // post was cut off after the server claimed its key waits (up to 5 s per resend) to be
        // told whether it was saved; kills sooner than that keep it waiting.
        let live = o
            .between_kills
            .iter()
            .take(o.kills)
            .filter(|&&n| n > 0)
            .count();
        println!(
            "{}: {live} of {} kills came while goals were being acknowledged",
            o.backend.name(),
            o.kills
        );
        if o.lost > 0 || o.duplicates > 0 {
            failures.push(format!(
                "{}: {} acknowledged goals lost, {} titles saved more than once",
                o.backend.name(),
                o.lost,
                o.duplicates
            ));
        }
    }
    anyhow::ensure!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}
