//! `TestApp`: a server on port 0 over a fresh database, with a manual clock, torn down after.
#![allow(dead_code)]
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;

use app::clock::{ManualClock, SharedClock};
use chrono::Utc;
use futures::FutureExt as _;
use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection};
use server::config::Config;
use server::db::DbTarget;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub const ORIGIN: &str = "http://localhost:3000";
/// The real push services, and the local mock (`push_mock.rs`) on any port of 127.0.0.1.
pub const TEST_PUSH_SERVICES: &str = "https://fcm.googleapis.com, https://*.push.services.mozilla.com, https://*.notify.windows.com, https://*.push.apple.com, http://127.0.0.1:*";

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub db: DatabaseConnection,
    pub clock: ManualClock,
    pub target: DbTarget,
    pub config: Config,
    /// The server's state, for driving its reminder worker by hand.
    pub state: server::ServerState,
    running: Option<server::Running>,
    scratch: PathBuf,
    pg_name: Option<String>,
    /// Between the server and PostgreSQL, for fault tests (`spawn_behind_proxy`).
    pub proxy: Option<FaultProxy>,
}

/// A TCP proxy the test can cut, as a database that goes away would be (existing connections
/// dropped, new ones closed at once), or stall, as an unreachable network would (connections
/// held open, nothing forwarded), until it is mended.
pub struct FaultProxy {
    pub port: u16,
    mode: tokio::sync::watch::Sender<Link>,
    links: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
    accept: tokio::task::JoinHandle<()>,
    /// How many connections were closed at once because the database was cut.
    refused: tokio::sync::watch::Sender<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Link {
    Up,
    Down,
    Stalled,
}

impl FaultProxy {
    async fn start(upstream: String) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the proxy");
        let port = listener.local_addr().expect("its address").port();
        let (mode, _) = tokio::sync::watch::channel(Link::Up);
        let (refused, _) = tokio::sync::watch::channel(0usize);
        let links: Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>> = Arc::default();
        let accept = tokio::spawn({
            let (mode, links, refused) = (mode.clone(), links.clone(), refused.clone());
            async move {
                while let Ok((mut inbound, _)) = listener.accept().await {
                    let mut seen = mode.subscribe();
                    let now = *seen.borrow_and_update();
                    let link = match now {
                        Link::Down => {
                            // Dropped: the connection closes at once.
                            refused.send_modify(|n| *n += 1);
                            continue;
                        }
                        // Held open, never answered.
                        Link::Stalled => tokio::spawn(async move {
                            let _held = inbound;
                            std::future::pending::<()>().await;
                        }),
                        Link::Up => {
                            let upstream = upstream.clone();
                            tokio::spawn(async move {
                                let Ok(mut outbound) =
                                    tokio::net::TcpStream::connect(upstream).await
                                else {
                                    return;
                                };
                                let stalled = tokio::select! {
                                    _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound) => false,
                                    _ = seen.wait_for(|m| *m == Link::Stalled) => true,
                                };
                                if stalled {
                                    // Stop forwarding, keep both ends open.
                                    let _held = (inbound, outbound);
                                    std::future::pending::<()>().await;
                                }
                            })
                        }
                    };
                    links.lock().expect("links").push(link.abort_handle());
                }
            }
        });
        Self {
            port,
            mode,
            links,
            accept,
            refused,
        }
    }

    fn drop_links(&self) {
        for link in self.links.lock().expect("links").drain(..) {
            link.abort();
        }
    }

    /// The database goes away: every connection through the proxy drops, new ones are refused.
    pub fn cut(&self) {
        self.mode.send_replace(Link::Down);
        self.drop_links();
    }

    /// Waits until `n` connections in all have been refused while the database was cut: the
    /// server has tried (and tried again) to reach it.
    pub async fn refused_at_least(&self, n: usize) {
        let mut seen = self.refused.subscribe();
        seen.wait_for(|count| *count >= n).await.ok();
    }

    /// The network stalls: connections stay open but nothing gets through either way.
    pub fn stall(&self) {
        self.mode.send_replace(Link::Stalled);
    }

    /// The database is back (stalled connections are closed, so the pool makes fresh ones).
    pub fn mend(&self) {
        if *self.mode.borrow() == Link::Stalled {
            self.drop_links();
        }
        self.mode.send_replace(Link::Up);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.cut();
    }
}

pub fn admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub fn scratch_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alongside-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(backend: Backend, adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_inner(backend, adjust, false).await
    }

    /// A PostgreSQL app whose server reaches its database only through a TCP proxy the test
    /// controls (`app.proxy`), with a small pool; the test's own `db` connects directly.
    pub async fn spawn_behind_proxy(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_inner(Backend::Postgres, adjust, true).await
    }

    async fn spawn_inner(
        backend: Backend,
        adjust: impl FnOnce(&mut Config),
        proxied: bool,
    ) -> Self {
        let scratch = scratch_dir();
        let (target, pg_name) = match backend {
            Backend::Sqlite => (DbTarget::Sqlite(scratch.join("alongside.db")), None),
            Backend::Postgres => {
                let name = format!("alongside_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url()).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is not reachable at {} ({e}). The database tests run on \
                         PostgreSQL too: start it, or set TEST_POSTGRES_URL.",
                        admin_url()
                    )
                });
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create a test database");
                admin.close().await.ok();
                let mut url = url::Url::parse(&admin_url()).expect("TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                (DbTarget::Postgres(url.to_string()), Some(name))
            }
        };
        let mut config = Config {
            public_origin: ORIGIN.into(),
            listen: "127.0.0.1:0".into(),
            data_dir: scratch.clone(),
            site_root: scratch.join("site"),
            // Tests run the reminder worker themselves, one step at a time.
            reminder_worker: false,
            push_services: TEST_PUSH_SERVICES.into(),
            ..Config::default()
        };
        adjust(&mut config);
        let db = server::db::connect(&target)
            .await
            .expect("connect to the test database");
        server::db::migrate(&db)
            .await
            .expect("migrate the test database");
        let clock = ManualClock::new(start_time());
        let shared: SharedClock = Arc::new(clock.clone());
        let (server_db, server_target, proxy) = match (&target, proxied) {
            (DbTarget::Postgres(url), true) => {
                let mut url = url::Url::parse(url).expect("a URL");
                let upstream = format!(
                    "{}:{}",
                    url.host_str().unwrap_or("127.0.0.1"),
                    url.port().unwrap_or(5432)
                );
                let proxy = FaultProxy::start(upstream).await;
                url.set_port(Some(proxy.port)).expect("a port");
                let through = DbTarget::Postgres(url.to_string());
                let pool = server::db::Pool {
                    size: 4,
                    acquire_timeout: std::time::Duration::from_secs(3),
                };
                let db = server::db::connect_with(&through, pool)
                    .await
                    .expect("connect through the proxy");
                (db, through, Some(proxy))
            }
            _ => (db.clone(), target.clone(), None),
        };
        let prepared = server::prepare_with(config.clone(), shared, server_db, server_target)
            .await
            .expect("prepare the server");
        let state = prepared.state.clone();
        let running = server::spawn(prepared).await.expect("start the server");
        Self {
            backend,
            base: format!("http://{}", running.addr),
            db,
            clock,
            target,
            config,
            state,
            running: Some(running),
            scratch,
            pg_name,
            proxy,
        }
    }

    /// Runs the server's minute sweep now, at the manual clock's time: what releases packs
    /// that have come due (pages never do).
    pub async fn sweep_packs(&self) -> usize {
        let released = app::preparation::service::sweep_due_packs(
            &self.db,
            app::clock::Clock::now(&self.clock),
        )
        .await
        .expect("the pack sweep runs");
        self.state.app.react().await;
        released
    }

    /// The test's clock now: what the server reads. Tests take dates from here, not the real
    /// time, so that a run that began late in the evening (or under `TEST_CLOCK_START`) agrees
    /// with the server about what day it is.
    pub fn now(&self) -> chrono::DateTime<Utc> {
        app::clock::Clock::now(&self.clock)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client: keeps cookies, does not follow redirects (tests look at them).
    /// A request that gets no answer in a minute fails its test, naming the address, rather than
    /// holding up the whole run.
    /// A client that behaves like a browser on our pages: it keeps cookies and says where its
    /// posts come from (`Origin`), which the server insists on.
    pub fn client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::ORIGIN,
            reqwest::header::HeaderValue::from_static(ORIGIN),
        );
        reqwest::Client::builder()
            .default_headers(headers)
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .expect("build an HTTP client")
    }

    pub async fn teardown(mut self) {
        if let Some(running) = self.running.take() {
            running.stop().await;
        }
        self.db.clone().close().await.ok();
        if let Some(name) = &self.pg_name
            && let Ok(admin) = Database::connect(admin_url()).await
        {
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .ok();
            admin.close().await.ok();
        }
        std::fs::remove_dir_all(&self.scratch).ok();
    }
}

/// Runs a test body against a fresh app, tears the app down whatever happens, then reports.
pub async fn run_on<F, Fut>(backend: Backend, body: F)
where
    F: FnOnce(Arc<TestApp>) -> Fut,
    Fut: Future<Output = ()>,
{
    let app = Arc::new(TestApp::spawn(backend).await);
    let outcome = AssertUnwindSafe(body(app.clone())).catch_unwind().await;
    match Arc::try_unwrap(app) {
        Ok(app) => app.teardown().await,
        Err(_) => panic!("the test kept a handle on the app"),
    }
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL, named `<test>::sqlite` and
/// `<test>::postgres` in the output.
#[macro_export]
macro_rules! db_test {
    ($(#[$meta:meta])* async fn $name:ident($app:ident) $body:block) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            async fn body($app: std::sync::Arc<$crate::support::TestApp>) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::support::run_on($crate::support::Backend::Sqlite, body).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::support::run_on($crate::support::Backend::Postgres, body).await;
            }
        }
    };
}

/// Signs `account_id` in the way the app does, by writing a session record, and returns the
/// cookie a browser would send.
pub async fn session_cookie_for(app: &TestApp, account_id: uuid::Uuid) -> String {
    use tower_sessions::SessionStore as _;
    use tower_sessions::session::{Id, Record};
    let store = server::sessions::DbSessionStore::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        std::time::Duration::from_secs(u64::from(app.config.session_idle_minutes) * 60),
        std::time::Duration::from_secs(u64::from(app.config.session_max_hours) * 3600),
    );
    let mut data = std::collections::HashMap::new();
    data.insert(
        app::session::ACCOUNT_KEY.to_owned(),
        serde_json::to_value(account_id).expect("uuid to json"),
    );
    let mut record = Record {
        id: Id::default(),
        data,
        expiry_date: time::OffsetDateTime::now_utc()
            + time::Duration::minutes(i64::from(app.config.session_idle_minutes)),
    };
    store.create(&mut record).await.expect("store a session");
    format!("alongside={}", record.id)
}

/// Makes an account and returns its id.
pub async fn make_account(app: &TestApp, name: &str) -> uuid::Uuid {
    use sea_orm::{ActiveModelTrait as _, Set};
    let id = uuid::Uuid::new_v4();
    app::entities::account::ActiveModel {
        id: Set(id),
        display_name: Set(name.into()),
        created_at: Set(Utc::now()),
    }
    .insert(&app.db)
    .await
    .expect("insert an account");
    id
}

/// Where every test's clock starts: now, or `TEST_CLOCK_START` (RFC 3339) to run the suite as if
/// it began at another time of day or year. A test that passes at noon and fails at half past
/// ten at night (a booking "20 days on" landing before its start time) is found this way and
/// then run again at that time.
fn start_time() -> chrono::DateTime<Utc> {
    match std::env::var("TEST_CLOCK_START") {
        Ok(at) if !at.trim().is_empty() => chrono::DateTime::parse_from_rfc3339(at.trim())
            .expect("TEST_CLOCK_START as RFC 3339, for example 2026-12-04T22:30:00Z")
            .with_timezone(&Utc),
        _ => Utc::now(),
    }
}

/// A second server over the app's database, with `config`, whose connection counts every
/// statement it runs (the session's read included) and keeps the start of each: for tests of
/// how many round trips a page takes. Started just now, so no background sweep (the first
/// runs a minute after start) is counted.
pub struct CountingServer {
    pub running: server::Running,
    pub statements: Arc<std::sync::atomic::AtomicUsize>,
    pub seen: Arc<std::sync::Mutex<Vec<String>>>,
}

impl CountingServer {
    pub async fn start(app: &TestApp, config: Config) -> Self {
        let mut db = server::db::connect(&app.target).await.expect("connect");
        let statements = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let seen: Arc<std::sync::Mutex<Vec<String>>> = Arc::default();
        let (counter, said) = (statements.clone(), seen.clone());
        db.set_metric_callback(move |info| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if let Ok(mut said) = said.lock() {
                said.push(info.statement.sql.chars().take(160).collect());
            }
        });
        let prepared =
            server::prepare_with(config, Arc::new(app.clock.clone()), db, app.target.clone())
                .await
                .expect("prepare");
        let running = server::spawn(prepared).await.expect("serve");
        Self {
            running,
            statements,
            seen,
        }
    }

    /// Starts counting afresh.
    pub fn reset(&self) {
        self.statements
            .store(0, std::sync::atomic::Ordering::SeqCst);
        self.seen.lock().expect("not poisoned").clear();
    }

    pub fn count(&self) -> usize {
        self.statements.load(std::sync::atomic::Ordering::SeqCst)
    }
}
