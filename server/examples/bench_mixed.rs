//! The mixed-load benchmark (issue #21 item 5): what the practice's patients do most, through
//! real HTTP with signed-in sessions — 30% Today, 30% their plan, 30% their results and 10%
//! logging an action — at 1, 8, 32 and 128 keep-alive connections, on a SQLite file and on a
//! fresh PostgreSQL database, with the server's memory. `make bench-mixed` runs it in release
//! mode.
//!
//! The release `alongside serve` runs as a child process, so its memory is its own: resident
//! memory (VmRSS) once seeded and warmed up, before any load, and the most seen while under
//! load (sampled every 100 ms, and the kernel's high-water mark VmHWM). The load comes from
//! this process, each connection a task of its own with one keep-alive connection and its own
//! session, as one device would be. Every answer is checked as a person would notice: a page
//! is a 200 carrying its own heading and no problem message, a log is the form's redirect
//! back to Today. A failure the person could not see at once (a log whose redirect carries
//! "having trouble" in the session for the next page) is logged by the server, so warnings
//! and errors in the server's log during a step are counted too.
//!
//! The people are the demo's three patients (each with two years of logs, plans and results);
//! connection `i` is signed in as patient `i mod 3` with a session of its own.
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read as _, Seek as _, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use app::clock::{SharedClock, SystemClock};
use app::entities::{patient, plan_action};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, Database, EntityTrait as _, QueryFilter as _,
    QuerySelect as _,
};
use tower_sessions::SessionStore as _;
use uuid::Uuid;

const STEPS: [usize; 4] = [1, 8, 32, 128];
const WARM_UP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);
const SAMPLE_EVERY: Duration = Duration::from_millis(100);
/// Longer than the server's own deadline (20 s), so its answer arrives rather than ours.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const START_DEADLINE: Duration = Duration::from_secs(60);
/// Before idle memory is read: each person's three pages and a log, this many times.
const WARM_ROUNDS: usize = 5;
/// Then a pause, so what the warm-up left in flight has finished.
const SETTLE: Duration = Duration::from_secs(1);
const OUTCOMES: [&str; 3] = ["done", "partly", "not_today"];
/// What a page shows when it could not do its work (some pages say it with a 200).
const PROBLEMS: [&str; 3] = [
    "Sorry, there is a problem",
    "Something went wrong on our side",
    "Alongside is having trouble",
];

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Today,
    Plan,
    Results,
    Log,
}

impl Kind {
    const ALL: [Self; 4] = [Self::Today, Self::Plan, Self::Results, Self::Log];

    /// 30% Today, 30% plan, 30% results, 10% logging.
    fn pick(roll: u64) -> Self {
        match roll % 100 {
            0..30 => Self::Today,
            30..60 => Self::Plan,
            60..90 => Self::Results,
            _ => Self::Log,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Today => "Today",
            Self::Plan => "plan",
            Self::Results => "results",
            Self::Log => "logging",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Self::Today => "/today",
            Self::Plan => "/plan",
            Self::Results => "/results",
            Self::Log => "/api/plan/log",
        }
    }

    /// The page's own heading, there only when the page drew for a signed-in person.
    fn heading(self) -> &'static str {
        match self {
            Self::Today => ">Today</h1>",
            Self::Plan => ">Your plan</h1>",
            Self::Results => ">Your results</h1>",
            Self::Log => "",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// One of the demo's patients, and the actions they can log.
struct Person {
    name: String,
    actions: Vec<Uuid>,
}

/// One connection's identity: whose session it carries.
#[derive(Clone)]
struct Conn {
    person: Arc<Person>,
    cookie: String,
}

/// Where the server is and the origin its forms come from.
#[derive(Clone)]
struct Target {
    base: String,
    origin: String,
}

/// A small deterministic generator (xorshift64*), one per connection, so a run's mix repeats.
struct Dice(u64);

impl Dice {
    fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn roll(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11
    }

    fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() {
            return None;
        }
        items.get(self.roll() as usize % items.len())
    }
}

/// One request, as the load saw it.
struct Sample {
    kind: Kind,
    /// From the start of the measured window.
    started: Duration,
    took: Duration,
    error: Option<String>,
}

/// One kind's latencies in a step.
#[derive(Clone, Copy, Default)]
struct KindFigures {
    count: usize,
    p50_ms: f64,
    p99_ms: f64,
}

/// One row of the table: one backend at one number of connections.
struct StepFigures {
    connections: usize,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
    error_examples: BTreeMap<String, usize>,
    by_kind: [KindFigures; 4],
    server_warnings: usize,
    warning_examples: Vec<String>,
    peak_rss_kb: u64,
}

/// One backend's run.
struct Outcome {
    backend: Backend,
    people: Vec<String>,
    idle_rss_kb: u64,
    hwm_kb: u64,
    steps: Vec<StepFigures>,
}

impl Outcome {
    fn step(&self, connections: usize) -> Option<&StepFigures> {
        self.steps.iter().find(|s| s.connections == connections)
    }

    /// The most memory seen under load: the samples' and the kernel's high-water mark.
    fn peak_kb(&self) -> u64 {
        self.steps
            .iter()
            .map(|s| s.peak_rss_kb)
            .max()
            .unwrap_or(0)
            .max(self.hwm_kb)
    }
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// A number from `/proc/<pid>/status`, in kB (`VmRSS`, `VmHWM`).
fn proc_status_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Samples the server's VmRSS on a thread of its own until stopped; the most seen.
struct RssSampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RssSampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let thread = {
            let (stop, peak) = (stop.clone(), peak.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kb) = proc_status_kb(pid, "VmRSS") {
                        peak.fetch_max(kb, Ordering::Relaxed);
                    }
                    std::thread::sleep(SAMPLE_EVERY);
                }
            })
        };
        Self {
            stop,
            peak,
            thread: Some(thread),
        }
    }

    fn finish(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

/// The server binary as a child process.
struct Server {
    child: Child,
    log: PathBuf,
}

impl Server {
    fn start(bin: &Path, dir: &Path, env: &[(&str, String)], log: PathBuf) -> anyhow::Result<Self> {
        let out = File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let mut command = Command::new(bin);
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
            .current_dir(dir)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        Ok(Self { child, log })
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits until `/healthz` answers 200, or the process has exited.
    async fn healthy(&mut self, base: &str) -> anyhow::Result<()> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(1))
            .build()?;
        let deadline = Instant::now() + START_DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait()? {
                anyhow::bail!("the server exited ({status}):\n{}", self.log_tail());
            }
            if let Ok(res) = client.get(format!("{base}/healthz")).send().await
                && res.status().is_success()
            {
                return Ok(());
            }
            anyhow::ensure!(
                Instant::now() < deadline,
                "the server did not answer /healthz within {START_DEADLINE:?}:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// How far the log has got, to read what a step adds.
    fn log_len(&self) -> u64 {
        std::fs::metadata(&self.log).map(|m| m.len()).unwrap_or(0)
    }

    /// The warning and error lines the server logged since `from`.
    fn warnings_since(&self, from: u64) -> Vec<String> {
        let mut text = String::new();
        if let Ok(mut file) = File::open(&self.log)
            && file.seek(SeekFrom::Start(from)).is_ok()
        {
            file.read_to_string(&mut text).ok();
        }
        text.lines()
            .filter(|l| l.contains("WARN") || l.contains("ERROR"))
            .map(|l| strip_ansi(l).chars().take(240).collect())
            .collect()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// The log's colour codes out, to show a line in a report.
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// One keep-alive connection, as one device.
fn client() -> anyhow::Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(REQUEST_TIMEOUT)
        .build()?)
}

/// One request of `kind` for `conn`, checked as the person would notice; the page's body when
/// it was a page.
async fn request(
    client: &reqwest::Client,
    target: &Target,
    conn: &Conn,
    kind: Kind,
    dice: &mut Dice,
) -> Result<String, String> {
    let url = format!("{}{}", target.base, kind.path());
    let res = match kind {
        Kind::Log => {
            let action = dice
                .choose(&conn.person.actions)
                .ok_or_else(|| format!("{} has no action to log", conn.person.name))?;
            let outcome = dice.choose(&OUTCOMES).copied().unwrap_or("done");
            // The fields Today's log form sends (the day left to the server: today).
            let body = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("idempotency_key", &Uuid::new_v4().to_string())
                .append_pair("action", &action.to_string())
                .append_pair("back", "/today")
                .append_pair("day", "")
                .append_pair("note", "")
                .append_pair("outcome", outcome)
                .finish();
            client
                .post(&url)
                .header("cookie", &conn.cookie)
                .header("accept", "text/html")
                .header("origin", &target.origin)
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
        }
        _ => {
            client
                .get(&url)
                .header("cookie", &conn.cookie)
                .header("accept", "text/html")
                .send()
                .await
        }
    };
    let res = res.map_err(|e| format!("{}: no answer ({})", kind.name(), short(&e)))?;
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = res
        .text()
        .await
        .map_err(|e| format!("{}: answer cut off ({})", kind.name(), short(&e)))?;
    match kind {
        Kind::Log => match (status, location.as_deref()) {
            (302 | 303, Some("/today")) => Ok(body),
            (302 | 303, Some(other)) => Err(format!("logging: sent to {other}")),
            _ => Err(format!("logging: {status}")),
        },
        _ if status != 200 => Err(format!(
            "{}: {status}{}",
            kind.name(),
            location.map(|l| format!(" to {l}")).unwrap_or_default()
        )),
        _ => {
            if let Some(problem) = PROBLEMS.iter().find(|p| body.contains(**p)) {
                Err(format!("{}: \"{problem}\"", kind.name()))
            } else if !body.contains(kind.heading()) {
                Err(format!("{}: 200 without its heading", kind.name()))
            } else {
                Ok(body)
            }
        }
    }
}

/// A transport error's kind, without its address.
fn short(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "cannot connect"
    } else if err.is_body() || err.is_decode() {
        "body"
    } else {
        "other"
    }
}

/// Each person's pages and a log form that comes back to Today with its notice, as a person
/// would see them; then the warm-up before memory is read idle.
async fn preflight(target: &Target, conns: &[Conn]) -> anyhow::Result<()> {
    let client = client()?;
    let mut dice = Dice::new(7);
    for conn in conns {
        for kind in [Kind::Today, Kind::Plan, Kind::Results] {
            request(&client, target, conn, kind, &mut dice)
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", conn.person.name))?;
        }
        request(&client, target, conn, Kind::Log, &mut dice)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", conn.person.name))?;
        let today = request(&client, target, conn, Kind::Today, &mut dice)
            .await
            .map_err(|e| anyhow::anyhow!("{}: {e}", conn.person.name))?;
        anyhow::ensure!(
            today.contains("Saved: "),
            "{}: after logging, Today did not say it was saved",
            conn.person.name
        );
    }
    for _ in 0..WARM_ROUNDS {
        for conn in conns {
            for kind in Kind::ALL {
                request(&client, target, conn, kind, &mut dice)
                    .await
                    .map_err(|e| anyhow::anyhow!("warm-up, {}: {e}", conn.person.name))?;
            }
        }
    }
    Ok(())
}

/// One connection's loop: requests one after another until `end`; those started from
/// `measure_from` on are kept.
async fn connection(
    target: Target,
    conn: Conn,
    seed: u64,
    measure_from: Instant,
    end: Instant,
) -> anyhow::Result<Vec<Sample>> {
    let client = client()?;
    let mut dice = Dice::new(seed);
    let mut samples = Vec::new();
    loop {
        let started = Instant::now();
        if started >= end {
            break;
        }
        let kind = Kind::pick(dice.roll());
        let outcome = request(&client, &target, &conn, kind, &mut dice).await;
        if started >= measure_from {
            samples.push(Sample {
                kind,
                started: started - measure_from,
                took: started.elapsed(),
                error: outcome.err(),
            });
        }
    }
    Ok(samples)
}

fn percentile(sorted: &[Duration], q: f64) -> f64 {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// `n` connections for the warm-up and the measured window, with the server's memory sampled
/// throughout.
async fn step(
    target: &Target,
    conns: &[Conn],
    n: usize,
    server: &Server,
) -> anyhow::Result<StepFigures> {
    let log_from = server.log_len();
    let sampler = RssSampler::start(server.pid());
    let measure_from = Instant::now() + WARM_UP;
    let end = measure_from + MEASURE;
    let tasks: Vec<_> = conns
        .iter()
        .cycle()
        .take(n)
        .enumerate()
        .map(|(i, conn)| {
            tokio::spawn(connection(
                target.clone(),
                conn.clone(),
                (n * 1000 + i) as u64,
                measure_from,
                end,
            ))
        })
        .collect();
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    let peak_rss_kb = sampler.finish();
    let warnings = server.warnings_since(log_from);

    // The window runs until the last request started in it has its answer.
    let window = samples
        .iter()
        .map(|s| s.started + s.took)
        .max()
        .unwrap_or(MEASURE)
        .max(MEASURE);
    let mut error_examples = BTreeMap::new();
    let mut all = Vec::new();
    let mut per_kind: [Vec<Duration>; 4] = Default::default();
    for s in &samples {
        match &s.error {
            Some(e) => *error_examples.entry(e.clone()).or_insert(0) += 1,
            None => {
                all.push(s.took);
                per_kind[s.kind.index()].push(s.took);
            }
        }
    }
    all.sort();
    let mut by_kind = [KindFigures::default(); 4];
    for (figures, mut took) in by_kind.iter_mut().zip(per_kind) {
        took.sort();
        *figures = KindFigures {
            count: took.len(),
            p50_ms: percentile(&took, 0.50),
            p99_ms: percentile(&took, 0.99),
        };
    }
    Ok(StepFigures {
        connections: n,
        rps: all.len() as f64 / window.as_secs_f64(),
        p50_ms: percentile(&all, 0.50),
        p99_ms: percentile(&all, 0.99),
        errors: samples.len() - all.len(),
        error_examples,
        by_kind,
        server_warnings: warnings.len(),
        warning_examples: warnings.into_iter().take(3).collect(),
        peak_rss_kb,
    })
}

/// A signed-in session for `account`, written the way sign-in writes it, with an expiry that
/// outlives the run; its cookie.
async fn signed_in(
    store: &server::sessions::DbSessionStore,
    account: Uuid,
) -> anyhow::Result<String> {
    let mut record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: [(
            app::session::ACCOUNT_KEY.to_owned(),
            serde_json::to_value(account)?,
        )]
        .into_iter()
        .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(6),
    };
    store.create(&mut record).await?;
    Ok(format!("alongside={}", record.id))
}

/// Migrates and seeds the database with the library (the server is not running yet), and
/// signs the demo's patients in: one session per connection of the largest step, connection
/// `i` for person `i mod people`.
async fn prepare(config: server::config::Config) -> anyhow::Result<(Vec<Arc<Person>>, Vec<Conn>)> {
    let clock: SharedClock = Arc::new(SystemClock);
    let prepared = server::prepare(config, clock.clone()).await?;
    let db = prepared.state.app.db.clone();
    demo::seed_demo(&prepared.state.app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let patients: Vec<(Uuid, Option<Uuid>, String)> = patient::Entity::find()
        .select_only()
        .column(patient::Column::Id)
        .column(patient::Column::AccountId)
        .column(patient::Column::GivenName)
        .into_tuple()
        .all(&db)
        .await?;
    let mut people = Vec::new();
    for (id, account, name) in patients {
        let Some(account) = account else { continue };
        let actions: Vec<Uuid> = plan_action::Entity::find()
            .select_only()
            .column(plan_action::Column::Id)
            .filter(plan_action::Column::PatientId.eq(id))
            .filter(plan_action::Column::Status.eq("in_progress"))
            .into_tuple()
            .all(&db)
            .await?;
        anyhow::ensure!(!actions.is_empty(), "{name} has no action to log");
        people.push((account, Arc::new(Person { name, actions })));
    }
    anyhow::ensure!(!people.is_empty(), "the demo has no patients");
    people.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    let persons = people.iter().map(|(_, p)| p.clone()).collect();
    let store = server::sessions::DbSessionStore::new(
        db.clone(),
        clock.clone(),
        Duration::from_secs(6 * 3600),
        Duration::from_secs(12 * 3600),
    );
    let most = STEPS.iter().copied().max().unwrap_or(1);
    let mut conns = Vec::with_capacity(most);
    for (account, person) in people.iter().cycle().take(most) {
        conns.push(Conn {
            person: person.clone(),
            cookie: signed_in(&store, *account).await?,
        });
    }
    drop((prepared, store));
    db.close().await?;
    Ok((persons, conns))
}

fn free_port() -> anyhow::Result<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

async fn run(backend: Backend, dir: &Path, database_url: &str) -> anyhow::Result<Outcome> {
    let port = free_port()?;
    // The passkey relying party must be a name, not an address; requests go to the address.
    let target = Target {
        origin: format!("http://localhost:{port}"),
        base: format!("http://127.0.0.1:{port}"),
    };
    let config = server::config::Config {
        public_origin: target.origin.clone(),
        listen: format!("127.0.0.1:{port}"),
        database_url: database_url.to_owned(),
        data_dir: dir.to_owned(),
        log: "warn".into(),
        ..server::config::Config::default()
    };
    let (people, conns) = prepare(config.clone()).await?;

    let here = std::env::current_dir()?;
    let bin = std::env::var_os("ALONGSIDE_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target/release/alongside"));
    let env = [
        ("ALONGSIDE_DATABASE_URL", config.database_url.clone()),
        ("ALONGSIDE_DATA_DIR", dir.display().to_string()),
        ("ALONGSIDE_LISTEN", config.listen.clone()),
        ("ALONGSIDE_PUBLIC_ORIGIN", target.origin.clone()),
        (
            "ALONGSIDE_SITE_ROOT",
            here.join("target/site").display().to_string(),
        ),
        ("ALONGSIDE_LOG", "warn".into()),
    ];
    let mut server = Server::start(&here.join(bin), dir, &env, dir.join("server.log"))?;
    server.healthy(&target.base).await?;

    // The first connections are one for each person.
    preflight(&target, &conns[..people.len()]).await?;
    tokio::time::sleep(SETTLE).await;
    let idle_rss_kb = proc_status_kb(server.pid(), "VmRSS")
        .ok_or_else(|| anyhow::anyhow!("cannot read the server's VmRSS"))?;
    eprintln!(
        "{}: idle {:.1} MB; load at {STEPS:?} connections",
        backend.name(),
        mb(idle_rss_kb)
    );

    let mut steps = Vec::new();
    for n in STEPS {
        let figures = step(&target, &conns, n, &server).await?;
        eprintln!(
            "{}: {n} connections: {:.0} requests/s, p99 {:.1} ms, {} errors",
            backend.name(),
            figures.rps,
            figures.p99_ms,
            figures.errors
        );
        steps.push(figures);
    }
    let hwm_kb = proc_status_kb(server.pid(), "VmHWM").unwrap_or(0);
    drop(server);
    Ok(Outcome {
        backend,
        people: people.iter().map(|p| p.name.clone()).collect(),
        idle_rss_kb,
        hwm_kb,
        steps,
    })
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

async fn run_on(backend: Backend) -> anyhow::Result<Outcome> {
    let dir = std::env::temp_dir().join(format!("alongside-mixed-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    let outcome = match backend {
        Backend::Sqlite => run(backend, &dir, "").await,
        Backend::Postgres => {
            let admin = std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            let name = format!("alongside_mixed_{}", Uuid::new_v4().simple());
            match create_database(&admin, &name).await {
                Ok(url) => {
                    // `run` stops the server (dropping it) before it returns, error or not.
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

fn print_tables(o: &Outcome) {
    println!();
    println!(
        "### {} ({} patients: {}; server idle {:.1} MB)",
        o.backend.name(),
        o.people.len(),
        o.people.join(", "),
        mb(o.idle_rss_kb)
    );
    println!();
    println!(
        "| connections | requests/s | p50 ms | p99 ms | errors | server log warnings | peak RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|");
    for s in &o.steps {
        println!(
            "| {} | {:.0} | {:.1} | {:.1} | {} | {} | {:.1} |",
            s.connections,
            s.rps,
            s.p50_ms,
            s.p99_ms,
            s.errors,
            s.server_warnings,
            mb(s.peak_rss_kb)
        );
    }
    println!();
    println!("p50 / p99 ms of each kind of request (how many answered well):");
    println!();
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
    println!("| connections | {} |", names.join(" | "));
    println!("|---|{}", "---|".repeat(names.len()));
    for s in &o.steps {
        let cells: Vec<String> = s
            .by_kind
            .iter()
            .map(|k| format!("{:.1} / {:.1} ({})", k.p50_ms, k.p99_ms, k.count))
            .collect();
        println!("| {} | {} |", s.connections, cells.join(" | "));
    }
    println!();
    println!(
        "{}: VmHWM (the server's peak resident memory over the whole run) {:.1} MB",
        o.backend.name(),
        mb(o.hwm_kb)
    );
    for s in &o.steps {
        for (what, count) in &s.error_examples {
            println!(
                "{}, {} connections: {count} × {what}",
                o.backend.name(),
                s.connections
            );
        }
        for line in &s.warning_examples {
            println!(
                "{}, {} connections, server log: {line}",
                o.backend.name(),
                s.connections
            );
        }
    }
}

fn met(ok: bool) -> &'static str {
    if ok { "met" } else { "NOT met" }
}

fn print_budgets(outcomes: &[Outcome]) {
    println!();
    let sqlite = outcomes
        .iter()
        .find(|o| matches!(o.backend, Backend::Sqlite))
        .and_then(|o| o.step(32));
    match sqlite {
        Some(s) => println!(
            "Budget: ≥ 2,000 requests/s at 32 connections on SQLite, p99 ≤ 100 ms: {:.0} requests/s, p99 {:.1} ms: {}",
            s.rps,
            s.p99_ms,
            met(s.rps >= 2000.0 && s.p99_ms <= 100.0)
        ),
        None => println!(
            "Budget: ≥ 2,000 requests/s at 32 connections on SQLite, p99 ≤ 100 ms: not measured"
        ),
    }
    let at_128: Vec<(String, usize, usize)> = outcomes
        .iter()
        .filter_map(|o| {
            o.step(128)
                .map(|s| (o.backend.name().to_owned(), s.errors, s.server_warnings))
        })
        .collect();
    let figures: Vec<String> = at_128
        .iter()
        .map(|(name, errors, warnings)| {
            format!("{name} {errors} errors, {warnings} server log warnings")
        })
        .collect();
    println!(
        "Budget: 0 errors at 128 connections: {}: {}",
        figures.join("; "),
        met(at_128.len() == outcomes.len()
            && !at_128.is_empty()
            && at_128.iter().all(|(_, e, w)| *e == 0 && *w == 0))
    );
    let memory: Vec<String> = outcomes
        .iter()
        .map(|o| {
            format!(
                "{} {:.1} MB idle, {:.1} MB under load",
                o.backend.name(),
                mb(o.idle_rss_kb),
                mb(o.peak_kb())
            )
        })
        .collect();
    println!(
        "Budget: RSS ≤ 60 MB idle, ≤ 150 MB under load: {}: {}",
        memory.join("; "),
        met(!outcomes.is_empty()
            && outcomes
                .iter()
                .all(|o| mb(o.idle_rss_kb) <= 60.0 && mb(o.peak_kb()) <= 150.0))
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let clock: SharedClock = Arc::new(SystemClock);
    println!(
        "Mixed load (30% Today, 30% plan, 30% results, 10% logging), {} CPU cores, {} s after a {} s warm-up at each of {STEPS:?} connections, started {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        MEASURE.as_secs(),
        WARM_UP.as_secs(),
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
    for o in &outcomes {
        print_tables(o);
    }
    print_budgets(&outcomes);
    anyhow::ensure!(failures.is_empty(), "{}", failures.join("\n"));
    Ok(())
}
