//! `make bench-scale` (issue #21 item 4): Alongside at practice scale. For 1,000, 10,000 and
//! 100,000 people, on SQLite (a file in a temporary folder) and on PostgreSQL (a fresh database
//! on 127.0.0.1:5432, dropped afterwards):
//!
//! 1. migrates, seeds the demo practice through the services (Margaret, with two years of logs,
//!    and Dr Priya Shah), then generates everyone else directly in SQL (INSERT … SELECT over a
//!    numbers table: a recursive CTE on SQLite, `generate_series` on PostgreSQL): practices of up
//!    to 10,000 people (the demo's practice is filled to 10,000, or to the whole size below
//!    that), their accounts, conditions, plans, reviews held, booked and cancelled, packs,
//!    checks appointments, results, carers for some, goals and actions for a share, and two
//!    years of logs for a smaller share (Margaret's own, copied);
//! 2. runs one Today request (Margaret) and one caseload first page (Dr Priya) with every
//!    statement captured (`set_metric_callback`), and EXPLAINs each one: a full scan of a large
//!    table on these hot paths fails the run (after the figures are printed);
//! 3. measures, one request at a time through real HTTP, Today's p50/p99, the caseload's first
//!    page (and the same page filtered by stage) and logging an action (a form POST).
//!
//! `BENCH_SCALE_SIZES=1000,10000` runs fewer sizes; `BENCH_SCALE_DATABASES=sqlite` one database;
//! `BENCH_POSTGRES_URL` names the PostgreSQL server (its `postgres` database is used only to
//! create and drop the bench's own); `BENCH_SCALE_KEEP=1` keeps the databases to look into.
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::clock::{SharedClock, SystemClock};
use app::entities::{account, patient, plan_action};
use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, DatabaseBackend, DatabaseConnection, EntityTrait as _,
    QueryFilter as _, Statement, TransactionTrait as _,
};
use server::db::DbTarget;
use tower_sessions::SessionStore as _;

const SIZES: [u64; 3] = [1_000, 10_000, 100_000];
/// The most people one practice has.
const PRACTICE: u64 = 10_000;
/// Requests timed for each figure, after a warm-up: enough that the p99 the budget is about is
/// the 20th slowest, not the 3rd (one hiccup of the machine moved a p99 of 300 by half).
const REQUESTS: usize = 2_000;
/// For the caseload filtered by stage (about 100 ms each, and not in the budget).
const BY_STAGE_REQUESTS: usize = 300;
const WARM_UP: usize = 30;
/// Per cent of people with goals and actions; of people with two years of logs (a part of the
/// first); with a carer; with an account of their own.
const PLANNING: u64 = 30;
const LOGGING: u64 = 5;
const CARERS: u64 = 5;
const SIGNED_UP: u64 = 70;
/// A table with this many rows or more is large: scanning it whole on a hot path fails.
const LARGE: i64 = 10_000;
/// The allowed growth from 1,000 people to 100,000.
const FLAT: f64 = 1.5;

/// p50 and p99 of one kind of request, in milliseconds.
#[derive(Clone, Copy, Default)]
struct Timing {
    p50: f64,
    p99: f64,
}

struct Run {
    database: &'static str,
    people: u64,
    generated_in: Duration,
    /// The generating statements that took a second or more.
    slowest: Vec<String>,
    rows: BTreeMap<String, i64>,
    today: Timing,
    today_statements: usize,
    caseload: Timing,
    caseload_statements: usize,
    /// The caseload's statements while it was timed, slowest first (median ms, times run, text).
    caseload_parts: Vec<(f64, usize, String)>,
    by_stage: Timing,
    logging: Timing,
    plans: Vec<Verdict>,
}

/// One statement of a hot path and what its plan says.
struct Verdict {
    path: &'static str,
    sql: String,
    plan: Vec<String>,
    /// The large tables it reads whole.
    full_scans: Vec<String>,
    /// Its WHERE starts with a term that is false whatever the row (an empty list), which the
    /// database tests once before reading anything.
    reads_nothing: bool,
}

impl Verdict {
    /// A full scan of a large table on a path that must not have one (the stage filter is
    /// measured, and its plans shown, but it is not a first page).
    fn fails(&self) -> bool {
        !self.full_scans.is_empty() && !self.reads_nothing && self.path != BY_STAGE
    }

    fn words(&self) -> String {
        match (self.full_scans.is_empty(), self.reads_nothing) {
            (true, _) => "no full scan of a large table".to_owned(),
            (false, true) => format!(
                "reads nothing: its WHERE is false before any row (an empty list), so the plan's scan of {} never runs",
                self.full_scans.join(", ")
            ),
            (false, false) => format!("FULL SCAN of {}", self.full_scans.join(", ")),
        }
    }
}

const BY_STAGE: &str = "caseload by stage (not a first page)";

#[derive(Clone, Copy, PartialEq)]
enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    fn name(self) -> &'static str {
        match self {
            Db::Sqlite => "SQLite",
            Db::Postgres => "PostgreSQL",
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes: Vec<u64> = match std::env::var("BENCH_SCALE_SIZES") {
        Ok(list) => list
            .split(',')
            .map(|s| s.trim().parse())
            .collect::<Result<_, _>>()?,
        Err(_) => SIZES.to_vec(),
    };
    let databases: Vec<Db> = match std::env::var("BENCH_SCALE_DATABASES") {
        Ok(list) if list.trim() == "sqlite" => vec![Db::Sqlite],
        Ok(list) if list.trim() == "postgres" => vec![Db::Postgres],
        _ => vec![Db::Sqlite, Db::Postgres],
    };
    let admin_url = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let clock: SharedClock = Arc::new(SystemClock);
    println!(
        "Practice-scale benchmark, {} CPU cores, {REQUESTS} requests one at a time for each figure ({BY_STAGE_REQUESTS} for the caseload by stage), started {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        clock.now().format("%Y-%m-%d %H:%M UTC"),
    );
    let mut runs = Vec::new();
    for &db in &databases {
        for &people in &sizes {
            let run = one(db, people, &admin_url, clock.clone()).await?;
            print_run(&run);
            runs.push(run);
        }
    }
    print_summary(&runs);
    let scans: Vec<&Verdict> = runs
        .iter()
        .flat_map(|r| r.plans.iter())
        .filter(|v| v.fails())
        .collect();
    anyhow::ensure!(
        scans.is_empty(),
        "{} hot-path statements scan a large table whole (see above)",
        scans.len()
    );
    Ok(())
}

/// One database at one size: made, filled, measured, dropped.
async fn one(which: Db, people: u64, admin_url: &str, clock: SharedClock) -> anyhow::Result<Run> {
    let dir = std::env::temp_dir().join(format!("alongside-scale-{}", uuid::Uuid::new_v4()));
    let pg_name = format!("alongside_scale_{}", uuid::Uuid::new_v4().simple());
    let database_url = match which {
        Db::Sqlite => String::new(),
        Db::Postgres => {
            let admin = sea_orm::Database::connect(admin_url).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE {pg_name}"))
                .await?;
            admin.close().await?;
            match admin_url.rsplit_once('/') {
                Some((server, _)) => format!("{server}/{pg_name}"),
                None => anyhow::bail!("BENCH_POSTGRES_URL has no database name"),
            }
        }
    };
    let config = server::config::Config {
        public_origin: "http://localhost:3000".into(),
        listen: "127.0.0.1:0".into(),
        data_dir: dir.clone(),
        database_url,
        log: "warn".into(),
        reminder_worker: false,
        ..server::config::Config::default()
    };
    let result = measure(which, people, config, clock).await;
    if std::env::var_os("BENCH_SCALE_KEEP").is_some() {
        println!("kept: {} {pg_name}", dir.display());
        return result;
    }
    if which == Db::Postgres {
        let admin = sea_orm::Database::connect(admin_url).await?;
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {pg_name} WITH (FORCE)"))
            .await?;
        admin.close().await?;
    }
    std::fs::remove_dir_all(dir).ok();
    result
}

async fn measure(
    which: Db,
    people: u64,
    config: server::config::Config,
    clock: SharedClock,
) -> anyhow::Result<Run> {
    // Migrated, with the demo practice built through the services.
    let prepared = server::prepare(config.clone(), clock.clone()).await?;
    let db = prepared.state.app.db.clone();
    demo::seed_demo(&prepared.state.app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    drop(prepared);
    let anchors = Anchors::find(&db).await?;
    let started = Instant::now();
    let slowest = generate(&db, people, &anchors, clock.now()).await?;
    let generated_in = started.elapsed();
    let rows = counts(&db).await?;
    db.close().await?;

    // The server, on a connection whose every statement can be captured.
    let target = DbTarget::from_settings(&config.database_url, &config.data_dir);
    let mut db = server::db::connect_with(&target, config.db_pool()).await?;
    let capture = Capture::default();
    let sink = capture.clone();
    db.set_metric_callback(move |info| sink.take(info.statement, info.elapsed));
    let prepared = server::prepare_with(config.clone(), clock.clone(), db.clone(), target).await?;
    let store = server::sessions::DbSessionStore::new(
        db.clone(),
        clock.clone(),
        Duration::from_secs(60 * 60),
        Duration::from_secs(12 * 3600),
    );
    let margaret = signed_in(&store, anchors.margaret_account).await?;
    let priya = signed_in(&store, anchors.priya).await?;
    let running = server::spawn(prepared).await?;
    let base = format!("http://{}", running.addr);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;

    let today = Request::get(&client, &format!("{base}/today"), &margaret);
    let caseload = Request::get(&client, &format!("{base}/team"), &priya);
    let by_stage = Request::get(&client, &format!("{base}/team?stage=review_due"), &priya);
    let action = anchors.action.to_string();
    let logging = Request::post(
        &client,
        &format!("{base}/api/plan/log"),
        &margaret,
        vec![("action", action), ("outcome", "done".into())],
    );
    let page = today.text().await?;
    anyhow::ensure!(
        page.contains("Check my feet for cuts or colour changes"),
        "the Today page did not show Margaret's actions"
    );
    let list = caseload.text().await?;
    // Counted no further than a thousand past the page's start.
    let practice = people.min(PRACTICE);
    let ahead = app::care_team::caseload::query::COUNT_AHEAD;
    let of = if practice > ahead {
        format!("more than {}", app::care_team::caseload::thousands(ahead))
    } else {
        app::care_team::caseload::thousands(practice)
    };
    anyhow::ensure!(
        list.contains(&format!("Showing 1 to 50 of {of}")),
        "the caseload did not show a page of the whole practice"
    );

    // Every statement of one request of each hot path, and its plan.
    let today_sql = capture.during(|| today.send()).await?;
    let caseload_sql = capture.during(|| caseload.send()).await?;
    let by_stage_sql = capture.during(|| by_stage.send()).await?;
    let logging_sql = capture.during(|| logging.send()).await?;
    let mut plans = Vec::new();
    for (path, statements) in [
        ("Today", &today_sql),
        ("caseload", &caseload_sql),
        (BY_STAGE, &by_stage_sql),
        ("logging", &logging_sql),
    ] {
        plans.extend(explain(&db, which, path, statements, &rows).await?);
    }

    let today_t = timed(&today, REQUESTS).await?;
    capture.time();
    let caseload_t = timed(&caseload, REQUESTS).await?;
    let caseload_parts = capture.timings();
    let by_stage_t = timed(&by_stage, BY_STAGE_REQUESTS).await?;
    let logging_t = timed(&logging, REQUESTS).await?;
    running.stop().await;
    db.close().await?;
    Ok(Run {
        database: which.name(),
        people,
        generated_in,
        slowest,
        rows,
        today: today_t,
        today_statements: today_sql.len(),
        caseload: caseload_t,
        caseload_statements: caseload_sql.len(),
        caseload_parts,
        by_stage: by_stage_t,
        logging: logging_t,
        plans,
    })
}

/// The demo's rows the generated ones hang from or copy.
struct Anchors {
    practice: uuid::Uuid,
    margaret: uuid::Uuid,
    margaret_account: uuid::Uuid,
    priya: uuid::Uuid,
    /// One of Margaret's actions, to log.
    action: uuid::Uuid,
}

impl Anchors {
    async fn find(db: &DatabaseConnection) -> anyhow::Result<Self> {
        let margaret = patient::Entity::find()
            .filter(patient::Column::GivenName.eq("Margaret"))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo patient"))?;
        let priya = account::Entity::find()
            .filter(account::Column::DisplayName.eq("Dr Priya Shah"))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo clinician"))?;
        let action = plan_action::Entity::find()
            .filter(plan_action::Column::PatientId.eq(margaret.id))
            .filter(plan_action::Column::What.eq("Check my feet for cuts or colour changes"))
            .one(db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no demo action"))?;
        Ok(Self {
            practice: margaret.organisation_id,
            margaret: margaret.id,
            margaret_account: margaret
                .account_id
                .ok_or_else(|| anyhow::anyhow!("no demo patient account"))?,
            priya: priya.id,
            action: action.id,
        })
    }
}

/// SQL text that differs between the two databases: ids (a 16-byte blob on SQLite, `uuid` on
/// PostgreSQL), times and dates (RFC 3339 text on SQLite, as sqlx writes them) and numbers.
struct Dialect {
    backend: DatabaseBackend,
    now: DateTime<Utc>,
}

impl Dialect {
    /// A new id: a fixed tag in the first ten bytes, `n` in the last six.
    fn id(&self, tag: u32, n: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => {
                format!("('{tag:08x}-0000-4000-8000-' || lpad(to_hex({n}), 12, '0'))::uuid")
            }
            _ => format!("unhex('{tag:08x}000040008000' || printf('%012x', {n}))"),
        }
    }

    /// Another row's id made new for person `n`: `n` in the first six bytes, its last ten (so
    /// copies made in order of `n` land in order in the index).
    fn copy_id(&self, of: &str, n: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => format!(
                "(substr(lpad(to_hex({n}), 12, '0'), 1, 8) || '-' || substr(lpad(to_hex({n}), 12, '0'), 9, 4) \
                 || substr(({of})::text, 14))::uuid"
            ),
            _ => format!("unhex(printf('%012x', {n}) || substr(hex({of}), 13))"),
        }
    }

    fn uuid(&self, id: uuid::Uuid) -> String {
        match self.backend {
            DatabaseBackend::Postgres => format!("'{id}'::uuid"),
            _ => format!("x'{}'", id.simple()),
        }
    }

    /// This moment moved by `days` (an SQL expression) and `hours`.
    fn at(&self, days: &str, hours: i64) -> String {
        let now = self.now.format("%Y-%m-%d %H:%M:%S");
        match self.backend {
            DatabaseBackend::Postgres => format!(
                "(TIMESTAMPTZ '{now}+00' + ({days}) * INTERVAL '1 day' + INTERVAL '{hours} hours')"
            ),
            _ => format!(
                "strftime('%Y-%m-%dT%H:%M:%S+00:00', '{now}', ({days}) || ' days', '{hours} hours')"
            ),
        }
    }

    /// Today moved by `days` (an SQL expression).
    fn date(&self, days: &str) -> String {
        let today = self.now.format("%Y-%m-%d");
        match self.backend {
            DatabaseBackend::Postgres => format!("(DATE '{today}' + ({days})::int)"),
            _ => format!("date('{today}', ({days}) || ' days')"),
        }
    }

    /// A number from 0 to 999,999 that looks random for person `n` (`salt` picks the series).
    fn roll(&self, n: &str, salt: u64) -> String {
        format!("((({n}) * 2654435761 + {}) % 1000003)", salt * 7919)
    }

    /// Whether person `n` is in the first `pct` per cent of series `salt`.
    fn share(&self, n: &str, salt: u64, pct: u64) -> String {
        format!("({} % 100 < {pct})", self.roll(n, salt))
    }

    fn padded(&self, n: &str) -> String {
        match self.backend {
            DatabaseBackend::Postgres => format!("lpad(({n})::text, 9, '0')"),
            _ => format!("printf('%09d', {n})"),
        }
    }
}

const FAMILY: [&str; 40] = [
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes",
    "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood", "Turner", "Martin",
    "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King", "Baker", "Harrison",
    "Morgan", "Allen",
];
const GIVEN: [&str; 30] = [
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Grace", "Sophia", "Lily", "Freya", "Emily",
    "Oliver", "George", "Harry", "Noah", "Jack", "Leo", "Arthur", "Muhammad", "Oscar", "Charlie",
    "Jean", "Brian", "Susan", "Peter", "Linda", "David", "Anne", "John", "Aisha", "Priya",
];

/// Tags of the generated ids, one a kind of row.
const ORG: u32 = 0xa1;
const STAFF: u32 = 0xa2;
const ACCOUNT: u32 = 0xa3;
const PERSON: u32 = 0xa4;
const HELD: u32 = 0xa5;
const BOOKED: u32 = 0xa6;
const CANCELLED: u32 = 0xa7;
const PACK_HELD: u32 = 0xa8;
const PACK_BOOKED: u32 = 0xa9;
const CHECKS_DONE: u32 = 0xaa;
const CHECKS_BOOKED: u32 = 0xab;
const RESULT: u32 = 0xb0;
const CARER: u32 = 0xac;

/// Everyone but the demo's three, in SQL, in one transaction; the statements that took a second
/// or more.
async fn generate(
    db: &DatabaseConnection,
    people: u64,
    anchors: &Anchors,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<String>> {
    let backend = db.get_database_backend();
    let d = Dialect { backend, now };
    let demo_people: u64 = patient::Entity::find()
        .filter(patient::Column::OrganisationId.eq(anchors.practice))
        .all(db)
        .await?
        .len() as u64;
    let n = people.saturating_sub(demo_people);
    // The demo's practice is filled first; then practices of PRACTICE people each.
    let home = n.min(PRACTICE.saturating_sub(demo_people));
    let practices = (n - home).div_ceil(PRACTICE);
    let big = match backend {
        DatabaseBackend::Postgres => "BIGINT",
        _ => "INTEGER",
    };
    let fill = match backend {
        DatabaseBackend::Postgres => {
            format!("INSERT INTO bench_n (i) SELECT generate_series(1, {n})")
        }
        _ => format!(
            "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < {n}) \
             INSERT INTO bench_n (i) SELECT i FROM s"
        ),
    };
    let names = |table: &str, list: &[&str]| {
        let rows: Vec<String> = list
            .iter()
            .enumerate()
            .map(|(k, name)| format!("({k}, '{name}')"))
            .collect();
        format!("INSERT INTO {table} (k, name) VALUES {}", rows.join(", "))
    };
    let i = "n.i";
    let org = format!(
        "CASE WHEN {i} <= {home} THEN {} ELSE {} END",
        d.uuid(anchors.practice),
        d.id(ORG, &format!("({i} - {home} - 1) / {PRACTICE} + 1"))
    );
    let person = d.id(PERSON, i);
    let named = format!(
        "FROM bench_n n JOIN bench_family f ON f.k = {} % {} JOIN bench_given g ON g.k = {} % {}",
        d.roll(i, 1),
        FAMILY.len(),
        d.roll(i, 2),
        GIVEN.len()
    );
    let signed_up = d.share(i, 3, SIGNED_UP);
    let agreed = d.share(i, 4, 85);
    let agreed_days = format!("-30 - {} % 300", d.roll(i, 5));
    let booked = d.share(i, 6, 12);
    let booked_days = format!("1 + {} % 42", d.roll(i, 7));
    let margaret = d.uuid(anchors.margaret);
    let priya = d.uuid(anchors.priya);
    let planning = d.share(i, 8, PLANNING);
    let logging = d.share(i, 8, LOGGING);
    let carer = format!("({signed_up} AND {})", d.share(i, 9, CARERS));

    let mut sql = vec![
        format!("CREATE TABLE bench_n (i {big} PRIMARY KEY)"),
        fill,
        format!("CREATE TABLE bench_family (k {big} PRIMARY KEY, name VARCHAR(40))"),
        names("bench_family", &FAMILY),
        format!("CREATE TABLE bench_given (k {big} PRIMARY KEY, name VARCHAR(40))"),
        names("bench_given", &GIVEN),
        format!("CREATE TABLE bench_condition (k {big} PRIMARY KEY, name VARCHAR(40))"),
        names(
            "bench_condition",
            &[
                "type2_diabetes",
                "hypertension",
                "copd",
                "asthma",
                "ckd",
                "heart_failure",
            ],
        ),
        // The other practices, each with a clinician.
        format!(
            "INSERT INTO organisations (id, name, kind, ods_code, created_at, pack_release_days) \
             SELECT {}, 'Practice ' || {i}, 'gp_practice', NULL, {}, 7 FROM bench_n n WHERE {i} <= {practices}",
            d.id(ORG, i),
            d.at("-900", 0)
        ),
        format!(
            "INSERT INTO accounts (id, display_name, created_at) \
             SELECT {}, 'Dr Practice ' || {i}, {} FROM bench_n n WHERE {i} <= {practices}",
            d.id(STAFF, i),
            d.at("-900", 0)
        ),
        format!(
            "INSERT INTO memberships (account_id, organisation_id, role, created_at) \
             SELECT {}, {}, 'clinician', {} FROM bench_n n WHERE {i} <= {practices}",
            d.id(STAFF, i),
            d.id(ORG, i),
            d.at("-900", 0)
        ),
        // People, most signed up.
        format!(
            "INSERT INTO accounts (id, display_name, created_at) \
             SELECT {}, g.name || ' ' || f.name, {} {named} WHERE {signed_up}",
            d.id(ACCOUNT, i),
            d.at("-700", 0)
        ),
        format!(
            "INSERT INTO patients (id, account_id, organisation_id, given_name, family_name, \
             date_of_birth, nhs_number, phone, email, time_zone, created_at) \
             SELECT {person}, CASE WHEN {signed_up} THEN {} END, {org}, g.name, f.name, {}, \
             '7' || {}, NULL, NULL, 'Europe/London', {} {named}",
            d.id(ACCOUNT, i),
            d.date(&format!("-20000 - {} % 12000", d.roll(i, 10))),
            d.padded(i),
            d.at("-730", 0)
        ),
        format!(
            "INSERT INTO patient_conditions (patient_id, condition) \
             SELECT {person}, c.name FROM bench_n n JOIN bench_condition c ON c.k = {} % 6",
            d.roll(i, 11)
        ),
        format!(
            "INSERT INTO patient_conditions (patient_id, condition) \
             SELECT {person}, c.name FROM bench_n n JOIN bench_condition c \
             ON c.k = ({} % 6 + 1 + {} % 5) % 6 WHERE {}",
            d.roll(i, 11),
            d.roll(i, 12),
            d.share(i, 13, 50)
        ),
        // Plans: most agreed at their last review, due again within the year (some overdue).
        format!(
            "INSERT INTO plans (patient_id, review_date, review_with, agreed_at, agreed_by, \
             written_by, agreed_with, representative) \
             SELECT {person}, {}, NULL, CASE WHEN {agreed} THEN {} END, NULL, NULL, \
             CASE WHEN {agreed} THEN 'person' END, NULL FROM bench_n n WHERE {}",
            d.date(&format!("{} % 425 - 60", d.roll(i, 14))),
            d.at(&agreed_days, 10),
            d.share(i, 15, 90)
        ),
        format!(
            "INSERT INTO reviews (id, patient_id, organisation_id, starts_at, with_whom, mode, \
             place, status, next_review_date, created_by, created_at, updated_at) \
             SELECT {}, {person}, {org}, {}, 'Dr Priya Shah', 'in_person', 'Room 2', 'held', \
             {}, {priya}, {}, {} FROM bench_n n WHERE {agreed}",
            d.id(HELD, i),
            d.at(&agreed_days, 9),
            d.date(&format!("{} % 425 - 60", d.roll(i, 14))),
            d.at(&format!("{agreed_days} - 30"), 0),
            d.at(&agreed_days, 11)
        ),
        format!(
            "INSERT INTO reviews (id, patient_id, organisation_id, starts_at, with_whom, mode, \
             place, status, next_review_date, created_by, created_at, updated_at) \
             SELECT {}, {person}, {org}, {}, 'Dr Priya Shah', 'in_person', 'Room 2', 'scheduled', \
             NULL, {priya}, {}, {} FROM bench_n n WHERE {booked}",
            d.id(BOOKED, i),
            d.at(&booked_days, 10),
            d.at("-20", 0),
            d.at("-20", 0)
        ),
        format!(
            "INSERT INTO reviews (id, patient_id, organisation_id, starts_at, with_whom, mode, \
             place, status, next_review_date, created_by, created_at, updated_at) \
             SELECT {}, {person}, {org}, {}, 'Dr Priya Shah', 'phone', NULL, 'cancelled', \
             NULL, {priya}, {}, {} FROM bench_n n WHERE {}",
            d.id(CANCELLED, i),
            d.at(&format!("-{} % 90", d.roll(i, 16)), 15),
            d.at("-120", 0),
            d.at("-100", 0),
            d.share(i, 17, 3)
        ),
        // Packs: last year's answered; this cycle's sent a week before.
        format!(
            "INSERT INTO preparation_packs (id, patient_id, released_at, released_by, created_at, \
             review_id, opened_at, submitted_at, submitted_by, automatic) \
             SELECT {}, {person}, {}, NULL, {}, {}, {}, {}, NULL, TRUE FROM bench_n n WHERE {agreed}",
            d.id(PACK_HELD, i),
            d.at(&format!("{agreed_days} - 7"), 8),
            d.at(&format!("{agreed_days} - 7"), 8),
            d.id(HELD, i),
            d.at(&format!("{agreed_days} - 6"), 19),
            d.at(&format!("{agreed_days} - 2"), 20)
        ),
        format!(
            "INSERT INTO preparation_packs (id, patient_id, released_at, released_by, created_at, \
             review_id, opened_at, submitted_at, submitted_by, automatic) \
             SELECT {}, {person}, {}, NULL, {}, {}, NULL, \
             CASE WHEN {} THEN {} END, NULL, TRUE \
             FROM bench_n n WHERE {booked} AND {booked_days} <= 7",
            d.id(PACK_BOOKED, i),
            d.at("-1", 0),
            d.at("-1", 0),
            d.id(BOOKED, i),
            d.share(i, 18, 50),
            d.at("0", -2)
        ),
        // Checks: done for many this cycle, booked for some.
        format!(
            "INSERT INTO checks_appointments (id, patient_id, organisation_id, starts_at, place, \
             with_whom, status, checks, done_checks, done_at, done_by, created_by, created_at, \
             updated_at) \
             SELECT {}, {person}, {org}, {}, 'Treatment room 2', 'Healthcare assistant', 'done', \
             'bloods blood_pressure weight', 'bloods blood_pressure weight', {}, {priya}, {priya}, {}, {} \
             FROM bench_n n WHERE {}",
            d.id(CHECKS_DONE, i),
            d.at(&format!("-{} % 25", d.roll(i, 19)), 9),
            d.at(&format!("-{} % 25", d.roll(i, 19)), 10),
            d.at("-40", 0),
            d.at(&format!("-{} % 25", d.roll(i, 19)), 10),
            d.share(i, 20, 40)
        ),
        format!(
            "INSERT INTO checks_appointments (id, patient_id, organisation_id, starts_at, place, \
             with_whom, status, checks, done_checks, done_at, done_by, created_by, created_at, \
             updated_at) \
             SELECT {}, {person}, {org}, {}, 'Treatment room 2', 'Healthcare assistant', 'booked', \
             'bloods blood_pressure weight', NULL, NULL, NULL, {priya}, {}, {} \
             FROM bench_n n WHERE {}",
            d.id(CHECKS_BOOKED, i),
            d.at(&format!("1 + {} % 20", d.roll(i, 21)), 9),
            d.at("-3", 0),
            d.at("-3", 0),
            d.share(i, 22, 8)
        ),
    ];
    // Results: an HbA1c and a blood pressure every six months for two years.
    for slot in 0..4u32 {
        let days = format!("-{} - {} % 60", slot * 180, d.roll(i, 23 + u64::from(slot)));
        sql.push(format!(
            "INSERT INTO observations (id, patient_id, code, value_num, value_num2, value_code, \
             unit, taken_at, source, created_at, status, dated_by) \
             SELECT {}, {person}, 'hba1c', 40 + {} % 40, NULL, NULL, 'mmol/mol', {}, 'import', {}, \
             'final', 'taken' FROM bench_n n",
            d.id(RESULT + slot * 2, i),
            d.roll(i, 30 + u64::from(slot)),
            d.at(&days, 9),
            d.at(&days, 30)
        ));
        sql.push(format!(
            "INSERT INTO observations (id, patient_id, code, value_num, value_num2, value_code, \
             unit, taken_at, source, created_at, status, dated_by) \
             SELECT {}, {person}, 'blood_pressure', 115 + {} % 40, 70 + {} % 25, NULL, 'mmHg', {}, \
             'practice', {}, 'final', 'taken' FROM bench_n n",
            d.id(RESULT + slot * 2 + 1, i),
            d.roll(i, 40 + u64::from(slot)),
            d.roll(i, 50 + u64::from(slot)),
            d.at(&days, 9),
            d.at(&days, 9)
        ));
    }
    // Goals and actions for a share (Margaret's, copied), and her two years of logs for a
    // smaller share; carers for some.
    sql.extend([
        format!(
            "INSERT INTO goals (id, patient_id, title, why, importance, success, target_date, \
             status, conditions, created_at) \
             SELECT {}, {person}, x.title, x.why, x.importance, x.success, x.target_date, x.status, \
             x.conditions, x.created_at FROM goals x CROSS JOIN bench_n n \
             WHERE x.patient_id = {margaret} AND {planning} ORDER BY n.i",
            d.copy_id("x.id", i)
        ),
        format!(
            "INSERT INTO plan_actions (id, patient_id, goal_id, what, who_kind, who_name, \
             frequency, times_per_week, weekdays, due_by, time_of_day, confidence, status, \
             starts_on, created_at) \
             SELECT {}, {person}, {}, x.what, x.who_kind, x.who_name, x.frequency, \
             x.times_per_week, x.weekdays, x.due_by, x.time_of_day, x.confidence, x.status, \
             x.starts_on, x.created_at FROM plan_actions x CROSS JOIN bench_n n \
             WHERE x.patient_id = {margaret} AND {planning} ORDER BY n.i",
            d.copy_id("x.id", i),
            d.copy_id("x.goal_id", i)
        ),
        format!(
            "INSERT INTO action_logs (id, action_id, patient_id, day, outcome, note, logged_at, \
             logged_by, client_id) \
             SELECT {}, {}, {person}, x.day, x.outcome, x.note, x.logged_at, {}, NULL \
             FROM action_logs x CROSS JOIN bench_n n \
             WHERE x.patient_id = {margaret} AND {logging} AND {signed_up} \
             ORDER BY n.i, x.action_id, x.day",
            d.copy_id("x.id", i),
            d.copy_id("x.action_id", i),
            d.id(ACCOUNT, i)
        ),
        format!(
            "INSERT INTO accounts (id, display_name, created_at) \
             SELECT {}, 'Carer of ' || g.name, {} {named} WHERE {carer}",
            d.id(CARER, i),
            d.at("-200", 0)
        ),
        format!(
            "INSERT INTO carer_grants (id, patient_id, carer_account_id, relationship, scopes, \
             status, ends_on, granted_by, granted_by_kind, legal_basis, created_at, activated_at, \
             ended_at, ended_by, ended_reason) \
             SELECT {}, {person}, {}, x.relationship, x.scopes, x.status, x.ends_on, {}, \
             x.granted_by_kind, x.legal_basis, x.created_at, x.activated_at, x.ended_at, \
             x.ended_by, x.ended_reason FROM carer_grants x CROSS JOIN bench_n n \
             WHERE x.patient_id = {margaret} AND {carer}",
            d.copy_id("x.id", i),
            d.id(CARER, i),
            d.id(ACCOUNT, i)
        ),
        "DROP TABLE bench_n".into(),
        "DROP TABLE bench_family".into(),
        "DROP TABLE bench_given".into(),
        "DROP TABLE bench_condition".into(),
    ]);
    let txn = db.begin().await?;
    if backend == DatabaseBackend::Postgres {
        // The rows are consistent by construction: no foreign-key trigger a row (as a restore
        // does), which takes the millions of logs from minutes to seconds.
        txn.execute_unprepared("SET LOCAL session_replication_role = replica")
            .await?;
    }
    let mut slow = Vec::new();
    for statement in &sql {
        let started = Instant::now();
        txn.execute_unprepared(statement)
            .await
            .map_err(|e| anyhow::anyhow!("{e}\n{statement}"))?;
        let took = started.elapsed().as_secs_f64();
        if took >= 1.0 {
            let what: String = statement
                .split(" SELECT")
                .next()
                .unwrap_or("")
                .chars()
                .take(40)
                .collect();
            slow.push(format!("{what}… {took:.1} s"));
        }
    }
    let started = Instant::now();
    txn.commit().await?;
    if backend == DatabaseBackend::Postgres {
        // What autovacuum would soon do after a load this size: statistics for the planner,
        // and the pages marked all-visible (a count can then read an index alone, as it can
        // in a practice's settled database).
        db.execute_unprepared("VACUUM ANALYZE").await?;
    }
    slow.push(format!(
        "commit (and VACUUM ANALYZE) {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(slow)
}

/// Rows in each table.
async fn counts(db: &DatabaseConnection) -> anyhow::Result<BTreeMap<String, i64>> {
    let backend = db.get_database_backend();
    let list = match backend {
        DatabaseBackend::Postgres => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
        }
        _ => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    };
    let mut out = BTreeMap::new();
    for row in db
        .query_all_raw(Statement::from_string(backend, list))
        .await?
    {
        let name: String = row.try_get("", "name")?;
        let count = db
            .query_one_raw(Statement::from_string(
                backend,
                format!("SELECT COUNT(*) AS n FROM \"{name}\""),
            ))
            .await?
            .map(|r| r.try_get::<i64>("", "n"))
            .transpose()?
            .unwrap_or(0);
        out.insert(name, count);
    }
    Ok(out)
}

/// How long each statement took, by its text.
type Took = BTreeMap<String, Vec<Duration>>;

/// The statements run while a request is answered.
#[derive(Clone, Default)]
struct Capture {
    on: Arc<AtomicBool>,
    taken: Arc<Mutex<Vec<Statement>>>,
    /// While timing: how long each statement took, by its text.
    times: Arc<Mutex<Option<Took>>>,
}

impl Capture {
    fn take(&self, statement: &Statement, took: Duration) {
        if self.on.load(Ordering::SeqCst) {
            self.taken
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(statement.clone());
        }
        if let Some(times) = self
            .times
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            times.entry(statement.sql.clone()).or_default().push(took);
        }
    }

    /// Starts noting how long each statement takes.
    fn time(&self) {
        *self.times.lock().unwrap_or_else(|p| p.into_inner()) = Some(BTreeMap::new());
    }

    /// The statements noted since `time`, slowest (by median) first: their median in ms, how
    /// many times each ran, and the start of their text.
    fn timings(&self) -> Vec<(f64, usize, String)> {
        let times = self
            .times
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .unwrap_or_default();
        let mut out: Vec<(f64, usize, String)> = times
            .into_iter()
            .map(|(sql, mut took)| {
                took.sort();
                let median = took[took.len() / 2].as_secs_f64() * 1000.0;
                let start: String = sql.chars().take(90).collect();
                (median, took.len(), start)
            })
            .collect();
        out.sort_by(|a, b| b.0.total_cmp(&a.0));
        out
    }

    async fn during<F, T>(&self, request: impl FnOnce() -> F) -> anyhow::Result<Vec<Statement>>
    where
        F: std::future::Future<Output = anyhow::Result<T>>,
    {
        self.taken.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.on.store(true, Ordering::SeqCst);
        let answer = request().await;
        self.on.store(false, Ordering::SeqCst);
        answer?;
        Ok(std::mem::take(
            &mut *self.taken.lock().unwrap_or_else(|p| p.into_inner()),
        ))
    }
}

/// Each statement's plan, and the large tables it reads whole: `SCAN t` in SQLite's plan (with
/// or without an index: all of it), `Seq Scan on t` in PostgreSQL's.
async fn explain(
    db: &DatabaseConnection,
    which: Db,
    path: &'static str,
    statements: &[Statement],
    rows: &BTreeMap<String, i64>,
) -> anyhow::Result<Vec<Verdict>> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for s in statements {
        let head = s.sql.trim_start().to_uppercase();
        if !["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
            .iter()
            .any(|k| head.starts_with(k))
            || !seen.insert(s.sql.clone())
        {
            continue;
        }
        let prefix = match which {
            Db::Sqlite => "EXPLAIN QUERY PLAN ",
            Db::Postgres => "EXPLAIN ",
        };
        let explained = Statement {
            sql: format!("{prefix}{}", s.sql),
            values: s.values.clone(),
            db_backend: s.db_backend,
        };
        let plan: Vec<String> = db
            .query_all_raw(explained)
            .await?
            .into_iter()
            .map(|row| match which {
                Db::Sqlite => row.try_get::<String>("", "detail"),
                Db::Postgres => row.try_get::<String>("", "QUERY PLAN"),
            })
            .collect::<Result<_, _>>()?;
        let aliases = aliases(&s.sql, rows);
        let mut full_scans = Vec::new();
        for line in &plan {
            let scanned = match which {
                Db::Sqlite => line.trim().strip_prefix("SCAN "),
                Db::Postgres => line.split("Seq Scan on ").nth(1),
            };
            let Some(name) = scanned.and_then(|rest| rest.split_whitespace().next()) else {
                continue;
            };
            let name = name.trim_matches('"');
            let table = aliases.get(name).map_or(name, String::as_str);
            if rows.get(table).is_some_and(|&n| n >= LARGE) {
                full_scans.push(table.to_owned());
            }
        }
        out.push(Verdict {
            path,
            reads_nothing: constant_false(s),
            sql: s.sql.clone(),
            plan,
            full_scans,
        });
    }
    Ok(out)
}

/// Whether the statement's WHERE opens with `? = ?` (or `$1 = $2`) over two different values and
/// nothing but AND after it: how an empty `IN` list is written. Both databases evaluate such a
/// term once, before the first row.
fn constant_false(s: &Statement) -> bool {
    let Some((before, after)) = s.sql.split_once(" WHERE ") else {
        return false;
    };
    if before.contains("(SELECT") {
        return false;
    }
    let term: Vec<&str> = after.splitn(4, ' ').collect();
    if term.len() < 3 || term[1] != "=" {
        return false;
    }
    let rest = term.get(3).copied().unwrap_or("");
    if !(rest.is_empty() || rest.starts_with("AND ")) {
        return false;
    }
    let index = |p: &str| -> Option<usize> {
        match p {
            "?" => Some(before.matches('?').count()),
            _ => p.strip_prefix('$')?.parse::<usize>().ok()?.checked_sub(1),
        }
    };
    let (Some(a), Some(b)) = (index(term[0]), index(term[2])) else {
        return false;
    };
    let b = if term[2] == "?" { a + 1 } else { b };
    let values = s.values.as_ref().map(|v| &v.0);
    match (values.and_then(|v| v.get(a)), values.and_then(|v| v.get(b))) {
        (Some(x), Some(y)) => x != y,
        _ => false,
    }
}

/// `"table" AS "alias"` in a statement, alias to table.
fn aliases(sql: &str, rows: &BTreeMap<String, i64>) -> BTreeMap<String, String> {
    let words: Vec<&str> = sql.split_whitespace().collect();
    let mut out = BTreeMap::new();
    for w in words.windows(3) {
        let (table, alias) = (w[0].trim_matches('"'), w[2].trim_matches(['"', ')', ',']));
        if w[1].eq_ignore_ascii_case("AS") && rows.contains_key(table) {
            out.insert(alias.to_owned(), table.to_owned());
        }
    }
    out
}

/// A signed-in session for `account`, as sign-in writes it; the cookie that carries it.
async fn signed_in(
    store: &server::sessions::DbSessionStore,
    account: uuid::Uuid,
) -> anyhow::Result<String> {
    let data = [(
        app::session::ACCOUNT_KEY.to_owned(),
        serde_json::to_value(account)?,
    )];
    let mut record = tower_sessions::session::Record {
        id: Default::default(),
        data: data.into_iter().collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
    };
    store.create(&mut record).await?;
    Ok(format!("alongside={}", record.id))
}

/// One kind of request, signed in, to send again and again.
struct Request {
    client: reqwest::Client,
    url: String,
    cookie: String,
    form: Option<Vec<(&'static str, String)>>,
}

impl Request {
    fn get(client: &reqwest::Client, url: &str, cookie: &str) -> Self {
        Self {
            client: client.clone(),
            url: url.to_owned(),
            cookie: cookie.to_owned(),
            form: None,
        }
    }

    fn post(
        client: &reqwest::Client,
        url: &str,
        cookie: &str,
        form: Vec<(&'static str, String)>,
    ) -> Self {
        Self {
            form: Some(form),
            ..Self::get(client, url, cookie)
        }
    }

    async fn send(&self) -> anyhow::Result<reqwest::Response> {
        let req = match &self.form {
            None => self.client.get(&self.url),
            Some(form) => self
                .client
                .post(&self.url)
                .header("origin", "http://localhost:3000")
                .form(form),
        };
        let res = req
            .header("cookie", &self.cookie)
            .header("accept", "text/html")
            .send()
            .await?;
        let status = res.status();
        anyhow::ensure!(
            status.is_success() || status.is_redirection(),
            "{} answered {status}",
            self.url
        );
        Ok(res)
    }

    async fn text(&self) -> anyhow::Result<String> {
        Ok(self.send().await?.text().await?)
    }
}

/// `WARM_UP` requests, then `requests` timed (or `BENCH_SCALE_REQUESTS`), one at a time, each
/// read to its end.
async fn timed(request: &Request, requests: usize) -> anyhow::Result<Timing> {
    let requests = std::env::var("BENCH_SCALE_REQUESTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(requests)
        .max(1);
    for _ in 0..WARM_UP.min(requests) {
        request.send().await?.bytes().await?;
    }
    let mut took = Vec::with_capacity(requests);
    for _ in 0..requests {
        let started = Instant::now();
        request.send().await?.bytes().await?;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    took.sort_by(f64::total_cmp);
    let at = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
    Ok(Timing {
        p50: at(0.50),
        p99: at(0.99),
    })
}

fn print_run(r: &Run) {
    let big: Vec<String> = r
        .rows
        .iter()
        .filter(|(_, n)| **n >= LARGE)
        .map(|(t, n)| format!("{t} {}", app::care_team::caseload::thousands(*n as u64)))
        .collect();
    println!(
        "\n### {} people on {}: generated in {:.1} s (large tables: {})",
        app::care_team::caseload::thousands(r.people),
        r.database,
        r.generated_in.as_secs_f64(),
        big.join(", ")
    );
    if !r.slowest.is_empty() {
        println!("(slowest steps: {})", r.slowest.join("; "));
    }
    for v in &r.plans {
        let verdict = v.words();
        let sql: String = if !v.fails() {
            v.sql.chars().take(160).collect()
        } else {
            v.sql.clone()
        };
        println!("- {}: {verdict}\n    {sql}", v.path);
        for line in &v.plan {
            println!("      {line}");
        }
    }
    println!("Where the caseload's first page spends its database time (median per statement):");
    for (median, runs, sql) in &r.caseload_parts {
        println!("- {median:.3} ms ({runs} runs): {sql}");
    }
}

fn print_summary(runs: &[Run]) {
    println!(
        "\n| database | people | generated in | Today p50 / p99 ms (statements) | caseload first page p50 / p99 ms (statements) | caseload by stage p50 / p99 ms | logging p50 / p99 ms | hot-path full scans |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for r in runs {
        let scans = r.plans.iter().filter(|v| v.fails()).count();
        println!(
            "| {} | {} | {:.1} s | {:.2} / {:.2} ({}) | {:.2} / {:.2} ({}) | {:.2} / {:.2} | {:.2} / {:.2} | {} |",
            r.database,
            app::care_team::caseload::thousands(r.people),
            r.generated_in.as_secs_f64(),
            r.today.p50,
            r.today.p99,
            r.today_statements,
            r.caseload.p50,
            r.caseload.p99,
            r.caseload_statements,
            r.by_stage.p50,
            r.by_stage.p99,
            r.logging.p50,
            r.logging.p99,
            scans
        );
    }
    for database in ["SQLite", "PostgreSQL"] {
        let at = |people: u64| {
            runs.iter()
                .find(|r| r.database == database && r.people == people)
        };
        let (Some(small), Some(large)) = (at(1_000), at(100_000)) else {
            continue;
        };
        let today = large.today.p99 / small.today.p99;
        let caseload = large.caseload.p99 / small.caseload.p99;
        let met = today <= FLAT && caseload <= FLAT;
        println!(
            "{database}: Today p99 and the caseload's first page at 100k within {FLAT}× of the 1k figure: {} (Today p99 {:.2} → {:.2} ms, {today:.2}×; caseload p99 {:.2} → {:.2} ms, {caseload:.2}×)",
            if met { "met" } else { "NOT met" },
            small.today.p99,
            large.today.p99,
            small.caseload.p99,
            large.caseload.p99,
        );
    }
}
