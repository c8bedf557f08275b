//! The Today page's throughput benchmark (issues #4 and #21): requests per second and p99
//! latency of the Today page for a demo patient with two years of logs, beside a bare axum
//! "hello" handler, a server-rendered page with no data (the accessibility statement) and a
//! signed-in page with no data (More: what being signed in costs), measured the same way in
//! the same run, on SQLite and on PostgreSQL; the clinician's conversation view of the same
//! person (issue #19: p99 at most 50 ms); and the FHIR export of the same person (issue #20: at
//! most 50 ms each). `make bench` runs it in release mode.
//!
//! Both servers run in this process and the load comes from this process too (a pool of
//! keep-alive connections), so the comparison is like for like on this machine.
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::clock::{SharedClock, SystemClock};
use app::entities::patient;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use tower_sessions::SessionStore as _;

const CONCURRENCY: usize = 16;
const WARM_UP: Duration = Duration::from_secs(2);
const MEASURE: Duration = Duration::from_secs(10);
/// FHIR exports timed, one after another.
const EXPORTS: usize = 200;

struct Figures {
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: usize,
}

async fn load(url: &str, cookie: Option<&str>, for_how_long: Duration) -> Figures {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let deadline = Instant::now() + for_how_long;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, cookie) = (client.clone(), url.to_owned(), cookie.map(str::to_owned));
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0;
            while Instant::now() < deadline {
                let started = Instant::now();
                let mut req = client.get(&url).header("accept", "text/html");
                if let Some(c) = &cookie {
                    req = req.header("cookie", c);
                }
                match req.send().await {
                    Ok(res) if res.status().is_success() => {
                        let _ = res.bytes().await;
                        latencies.push(started.elapsed());
                    }
                    _ => errors += 1,
                }
            }
            (latencies, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for task in tasks {
        let (l, e) = task.await.expect("load task");
        all.extend(l);
        errors += e;
    }
    all.sort();
    let pick = |q: f64| {
        all.get(((all.len() as f64 * q) as usize).min(all.len().saturating_sub(1)))
            .map(|d| d.as_secs_f64() * 1000.0)
            .unwrap_or(0.0)
    };
    Figures {
        rps: all.len() as f64 / for_how_long.as_secs_f64(),
        p50_ms: pick(0.50),
        p99_ms: pick(0.99),
        errors,
    }
}

/// One page or file, signed in.
async fn fetch(url: &str, cookie: &str) -> anyhow::Result<String> {
    Ok(reqwest::Client::new()
        .get(url)
        .header("cookie", cookie)
        .send()
        .await?
        .text()
        .await?)
}

/// One request at a time, `n` times: the time each answer took, whole (headers and body), in
/// milliseconds as (p50, p99, max). For the FHIR export, whose budget is per export, not a rate.
async fn one_at_a_time(url: &str, cookie: &str, n: usize) -> anyhow::Result<(f64, f64, f64)> {
    let client = reqwest::Client::new();
    let mut took = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let res = client.get(url).header("cookie", cookie).send().await?;
        anyhow::ensure!(res.status().is_success(), "{url} answered {}", res.status());
        let _ = res.bytes().await?;
        took.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    took.sort_by(f64::total_cmp);
    let pick = |q: f64| took[((took.len() as f64 * q) as usize).min(took.len() - 1)];
    Ok((pick(0.50), pick(0.99), took.last().copied().unwrap_or(0.0)))
}

/// A signed-in session for `account`, written the way sign-in writes it; its cookie.
async fn signed_in(
    store: &server::sessions::DbSessionStore,
    account: uuid::Uuid,
) -> anyhow::Result<String> {
    let mut record = tower_sessions::session::Record {
        id: tower_sessions::session::Id::default(),
        data: [(
            app::session::ACCOUNT_KEY.to_owned(),
            serde_json::to_value(account)?,
        )]
        .into_iter()
        .collect(),
        expiry_date: time::OffsetDateTime::now_utc() + time::Duration::minutes(30),
    };
    store.create(&mut record).await?;
    Ok(format!("alongside={}", record.id))
}

/// PostgreSQL for the second run: a fresh database on this server, dropped afterwards.
const POSTGRES_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let hello = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hello_url = format!("http://{}/", hello.local_addr()?);
    tokio::spawn(async move {
        let router = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
        axum::serve(hello, router).await
    });
    println!(
        "Today page benchmark, {} CPU cores, {CONCURRENCY} connections, {} s each, started {}",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        MEASURE.as_secs(),
        chrono::Utc::now().format("%Y-%m-%d %H:%M UTC"),
    );
    load(&hello_url, None, WARM_UP).await;
    let bare = load(&hello_url, None, MEASURE).await;
    println!(
        "bare axum hello: {:.0} requests/s, p99 {:.2} ms",
        bare.rps, bare.p99_ms
    );
    run(&bare, "SQLite", String::new()).await?;
    let name = format!("alongside_bench_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(POSTGRES_ADMIN).await?;
    use sea_orm::ConnectionTrait as _;
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await?;
    let result = run(
        &bare,
        "PostgreSQL",
        format!("postgres://postgres@127.0.0.1:5432/{name}"),
    )
    .await;
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .ok();
    result
}

/// Seeds the demo on this database and measures every page against `bare`.
async fn run(bare: &Figures, backend: &str, database_url: String) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("alongside-bench-{}", uuid::Uuid::new_v4()));
    let config = server::config::Config {
        public_origin: "http://localhost:3000".into(),
        listen: "127.0.0.1:0".into(),
        data_dir: dir.clone(),
        log: "warn".into(),
        database_url,
        ..server::config::Config::default()
    };
    let clock: SharedClock = Arc::new(SystemClock);
    let prepared = server::prepare(config.clone(), clock.clone()).await?;
    let db = prepared.state.app.db.clone();
    demo::seed_demo(&prepared.state.app)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let margaret_record = patient::Entity::find()
        .filter(patient::Column::GivenName.eq("Margaret"))
        .one(&db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no demo patient"))?;
    let margaret = margaret_record
        .account_id
        .ok_or_else(|| anyhow::anyhow!("no demo patient account"))?;
    let doctor = app::entities::account::Entity::find()
        .filter(app::entities::account::Column::DisplayName.eq("Dr Priya Shah"))
        .one(&db)
        .await?
        .map(|a| a.id)
        .ok_or_else(|| anyhow::anyhow!("no demo clinician"))?;

    // A signed-in session, written the way sign-in writes it.
    let store = server::sessions::DbSessionStore::new(
        db.clone(),
        clock.clone(),
        Duration::from_secs(30 * 60),
        Duration::from_secs(12 * 3600),
    );
    let cookie = signed_in(&store, margaret).await?;
    let doctor_cookie = signed_in(&store, doctor).await?;
    let running = server::spawn(prepared).await?;
    let today = format!("http://{}/today", running.addr);
    let conversation = format!(
        "http://{}/team/people/{}/conversation",
        running.addr, margaret_record.id
    );

    let accessibility = format!("http://{}/accessibility", running.addr);

    let page = fetch(&today, &cookie).await?;
    anyhow::ensure!(
        page.contains("Check my feet for cuts or colour changes"),
        "the Today page did not show Margaret's actions"
    );

    let view = fetch(&conversation, &doctor_cookie).await?;
    anyhow::ensure!(
        view.contains("What Margaret did"),
        "the conversation view did not show Margaret's story"
    );

    // The FHIR export (issue #20: a person with two years of data in at most 50 ms): the
    // person's own download and the clinician's, one at a time.
    let export = format!("http://{}/plan/export", running.addr);
    let team_export = format!(
        "http://{}/team/people/{}/export",
        running.addr, margaret_record.id
    );
    let bundle = fetch(&export, &cookie).await?;
    anyhow::ensure!(
        bundle.contains("\"resourceType\": \"CarePlan\""),
        "the export did not carry Margaret's plan"
    );
    one_at_a_time(&export, &cookie, 20).await?;
    let own_export = one_at_a_time(&export, &cookie, EXPORTS).await?;
    let team_copy = one_at_a_time(&team_export, &doctor_cookie, EXPORTS).await?;
    // The conversation view as one clinician opening it meets it: one request at a time, so the
    // figure is the time to render it, not the queue of 16 at once on this machine's cores.
    one_at_a_time(&conversation, &doctor_cookie, 20).await?;
    let alone = one_at_a_time(&conversation, &doctor_cookie, EXPORTS).await?;

    println!("\n## {backend}\n");
    load(&accessibility, None, WARM_UP).await;
    let empty = load(&accessibility, None, MEASURE).await;
    // More: signed in, with no data of the person's (only who is signed in, from the session),
    // so what any signed-in page costs before it reads or draws anything of its own.
    let more = format!("http://{}/more", running.addr);
    load(&more, Some(&cookie), WARM_UP).await;
    let signed_in_empty = load(&more, Some(&cookie), MEASURE).await;
    load(&today, Some(&cookie), WARM_UP).await;
    let page = load(&today, Some(&cookie), MEASURE).await;
    // `BENCH_TODAY_HOLD=<seconds>`: the remembered Today kept under the same load that long
    // more, for a profiler to attach to this process (`perf record -p`), measuring nothing.
    if let Some(hold) = std::env::var("BENCH_TODAY_HOLD")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
    {
        eprintln!(
            "holding Today ({backend}) under load for {hold} s: process {}",
            std::process::id()
        );
        load(&today, Some(&cookie), Duration::from_secs(hold)).await;
    }
    load(&conversation, Some(&doctor_cookie), WARM_UP).await;
    let talk = load(&conversation, Some(&doctor_cookie), MEASURE).await;
    // The same Today from a second server over the same database that keeps no pages
    // (`remembered_pages = 0`): what each visit costs when it is read afresh (a first visit,
    // or the first after a change), side by side with the remembered one.
    let afresh = {
        let config = server::config::Config {
            remembered_pages: 0,
            ..config.clone()
        };
        let running = server::spawn(server::prepare(config, clock.clone()).await?).await?;
        let today = format!("http://{}/today", running.addr);
        load(&today, Some(&cookie), WARM_UP).await;
        let figures = load(&today, Some(&cookie), MEASURE).await;
        running.stop().await;
        figures
    };
    println!("| handler ({backend}) | requests/s | p50 ms | p99 ms | errors |");
    println!("|---|---|---|---|---|");
    for (name, f) in [
        ("bare axum hello", bare),
        ("accessibility statement (SSR, no data)", &empty),
        ("More (SSR, signed in, no data)", &signed_in_empty),
        ("Today page, 2 years of logs", &page),
        (
            "Today page, read afresh every visit (remembered_pages = 0)",
            &afresh,
        ),
        ("conversation view (clinician), same person", &talk),
    ] {
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} |",
            f.rps, f.p50_ms, f.p99_ms, f.errors
        );
    }
    // What each page sends (HTML, before compression): rendering is most of a remembered
    // Today's cost, and it grows with the page.
    let size = |url: String, cookie: Option<String>| async move {
        let mut req = reqwest::Client::new()
            .get(&url)
            .header("accept", "text/html");
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        anyhow::Ok(req.send().await?.bytes().await?.len() as f64 / 1024.0)
    };
    println!(
        "Page sizes (HTML, uncompressed): accessibility statement {:.1} KB, More {:.1} KB, Today {:.1} KB",
        size(accessibility.clone(), None).await?,
        size(more.clone(), Some(cookie.clone())).await?,
        size(today.clone(), Some(cookie.clone())).await?
    );
    println!(
        "More (signed in, no data) is {:.1}% of the accessibility page's rate; Today is {:.1}% of More's",
        100.0 * signed_in_empty.rps / empty.rps.max(1.0),
        100.0 * page.rps / signed_in_empty.rps.max(1.0)
    );
    let share = 100.0 * page.rps / empty.rps.max(1.0);
    let goal = if backend == "SQLite" { 50.0 } else { 30.0 };
    let verdict = |met: bool| if met { "met" } else { "NOT met" };
    println!(
        "Today is {share:.1}% of the accessibility page's rate (goal: at least {goal:.0}%): {}",
        verdict(share >= goal)
    );
    println!(
        "Today read afresh every visit is {:.1}% of the accessibility page's rate; remembered, Today serves {:.1} times as many",
        100.0 * afresh.rps / empty.rps.max(1.0),
        page.rps / afresh.rps.max(1.0)
    );
    println!(
        "Today is {:.1}% of the bare handler's rate (goal: at least 10%): {}",
        100.0 * page.rps / bare.rps.max(1.0),
        verdict(page.rps >= bare.rps / 10.0)
    );
    println!(
        "Today p99 {:.2} ms at {CONCURRENCY} connections (goal: at most 20 ms): {}",
        page.p99_ms,
        verdict(page.p99_ms <= 20.0)
    );
    println!(
        "Conversation view p99 {:.2} ms at {CONCURRENCY} connections; one at a time ({EXPORTS}) p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (goal: at most 50 ms at p99): {} at {CONCURRENCY} connections, {} one at a time",
        talk.p99_ms,
        alone.0,
        alone.1,
        alone.2,
        verdict(talk.p99_ms <= 50.0),
        verdict(alone.1 <= 50.0)
    );
    println!(
        "FHIR export of the same person ({} KB), one at a time, {EXPORTS} each:",
        bundle.len() / 1024
    );
    println!("| export | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|");
    for (name, (p50, p99, max)) in [
        ("the person's own (/plan/export)", own_export),
        ("the clinician's (/team/people/:id/export)", team_copy),
    ] {
        println!("| {name} | {p50:.2} | {p99:.2} | {max:.2} |");
    }
    println!(
        "FHIR export p99 {:.2} ms (goal: at most 50 ms)",
        own_export.1.max(team_copy.1)
    );
    running.stop().await;
    std::fs::remove_dir_all(dir).ok();
    Ok(())
}
