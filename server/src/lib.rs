//! The server shell: configuration, start-up, the router and its layers, health checks, the
//! session store and the command line. Features live in the `app` crate.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

/// Every binary that runs the server (the `alongside` command, the tests, the benchmarks) uses
/// mimalloc: see BENCHMARKS.md, "What bought what" under the Today page.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Asks mimalloc to commit the memory of its arenas as it is used, not all at once. On Linux it
/// commits them eagerly by default, and memory it has given back then still counts in the
/// process's resident size: idle RSS was 71 MB instead of 51 (#21's budget is 60 MB;
/// BENCHMARKS.md, "Mixed load"). The same as `MIMALLOC_ARENA_EAGER_COMMIT=0`, without relying on
/// whoever starts the server to set it. The option is read when an arena is made, and the first
/// is made at the first allocation, which the runtime makes before `main`: the `alongside`
/// command calls this from `.init_array` (`main.rs`). Set in `main`, it changed nothing (idle
/// RSS stayed at 70 MB).
pub fn tune_allocator() {
    // mimalloc's `mi_option_arena_eager_commit` (the same number in its v2 and v3 headers; the
    // crate's bindings name only some options).
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    // SAFETY: `mi_option_set` writes one entry of mimalloc's option table, which mimalloc set up
    // in its constructor before `main`; it takes plain integers and is safe from any thread.
    unsafe { libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0) }
}

pub mod assets;
pub mod config;
pub mod db;
pub mod http;
pub mod idempotency;
pub mod instances;
pub mod reminders;
pub mod sessions;
mod upload;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::clock::SharedClock;
use app::state::limits::Limits;
use app::state::{AppState, PublicSettings};
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRef, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use sea_orm::DatabaseConnection;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::trace::TraceLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::config::Config;
use crate::db::DbTarget;
use crate::http::HttpPolicy;
use crate::sessions::DbSessionStore;

/// Everything a handler may need, reachable from axum state and (for the app) Leptos context.
#[derive(Clone, Debug)]
pub struct ServerState {
    pub leptos: LeptosOptions,
    pub app: AppState,
    pub db_target: DbTarget,
    /// Sends push reminders (the workers share it, and with it its connections).
    pub push: Arc<reminders::Sender>,
    /// This instance, among several on one database (its heartbeat, its leases).
    pub instance: uuid::Uuid,
}

impl FromRef<ServerState> for LeptosOptions {
    fn from_ref(state: &ServerState) -> Self {
        state.leptos.clone()
    }
}

impl FromRef<ServerState> for AppState {
    fn from_ref(state: &ServerState) -> Self {
        state.app.clone()
    }
}

/// A connected, migrated database and the state built on it.
pub struct Prepared {
    pub state: ServerState,
    pub store: DbSessionStore,
    pub config: Config,
}

pub async fn prepare(config: Config, clock: SharedClock) -> anyhow::Result<Prepared> {
    let target = DbTarget::from_settings(&config.database_url, &config.data_dir);
    let db = db::connect_with(&target, config.db_pool())
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database ({}): {e}", target.describe()))?;
    instances::migrate(&db, &target)
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate the database: {e}"))?;
    // Actions from before the streak read model (#21) get theirs now, once.
    let filled = app::plan::service::fill_streaks(&db, clock.now())
        .await
        .map_err(|e| anyhow::anyhow!("cannot work out streaks: {e}"))?;
    if filled > 0 {
        tracing::info!(actions = filled, "streaks worked out");
    }
    prepare_with(config, clock, db, target).await
}

pub async fn prepare_with(
    config: Config,
    clock: SharedClock,
    db: DatabaseConnection,
    db_target: DbTarget,
) -> anyhow::Result<Prepared> {
    let webauthn = app::state::webauthn_for(&config.public_origin).map_err(|e| {
        anyhow::anyhow!("setting public_origin cannot be a passkey relying party: {e}")
    })?;
    let assets = assets::load(&config.site_root);
    let vapid = reminders::vapid::shared(&db, &config.data_dir, clock.now()).await?;
    let push_public_key = vapid.public_key.clone();
    let push_services = config.push_services()?;
    let push = Arc::new(reminders::Sender::new(
        vapid,
        push_services.clone(),
        config.push_contact(),
        Duration::from_secs(u64::from(config.push_timeout_seconds)),
        usize::try_from(config.reminder_concurrency).unwrap_or(64),
    )?);
    let leptos = LeptosOptions::builder()
        .output_name(assets.app.clone())
        .site_root(config.site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .build();
    let store = DbSessionStore::new(
        db.clone(),
        clock.clone(),
        Duration::from_secs(u64::from(config.session_idle_minutes) * 60),
        Duration::from_secs(u64::from(config.session_max_hours) * 3600),
    );
    let app = AppState {
        db,
        clock,
        settings: Arc::new(PublicSettings {
            public_origin: config.public_origin.clone(),
            assets,
            session_idle: chrono::Duration::minutes(i64::from(config.session_idle_minutes)),
            push_public_key,
            push_services,
        }),
        webauthn: Arc::new(webauthn),
        limits: Arc::new(Limits {
            per_ip: config.attempts_per_address,
            ..Limits::default()
        }),
        wake_reminders: Arc::new(tokio::sync::Notify::new()),
        reactors: Arc::new(app::shell::reactors()),
        remembered: app::state::remembered::Remembered::keeping(config.remembered_pages),
    };
    Ok(Prepared {
        state: ServerState {
            leptos,
            app,
            db_target,
            push,
            instance: uuid::Uuid::new_v4(),
        },
        store,
        config,
    })
}

pub fn router(prepared: &Prepared) -> Router {
    let state = prepared.state.clone();
    let state_for_limits = state.app.clone();
    let keys = idempotency::Keys {
        db: state.app.db.clone(),
        clock: state.app.clock.clone(),
    };
    let config = &prepared.config;
    let app_state = state.app.clone();
    let routes = route_list();
    let leptos = state.leptos.clone();

    let context = {
        let app_state = app_state.clone();
        move || {
            provide_context(app_state.clone());
            app::shell::provide_csp_nonce();
            app::access::provide_request_scope();
        }
    };

    let policy = HttpPolicy {
        public_origin: config.public_origin.clone().into(),
        https: config.is_https(),
    };
    let cookie_name = if config.is_https() {
        "__Host-alongside"
    } else {
        "alongside"
    };
    let sessions = SessionManagerLayer::new(prepared.store.clone())
        .with_name(cookie_name)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(config.is_https())
        .with_path("/")
        // The cookie lives as long as the browser does and is sent out only when a session is
        // made or changed: the server alone decides when a session ends (idle and absolute
        // limits, in the store), so no answer needs to send the cookie again just to slide
        // its expiry. Such refreshes were what let an answer from before sign-in, arriving
        // after it, put the old session's cookie back and sign the person out.
        .with_expiry(Expiry::OnSessionEnd);

    let pkg = ServeDir::new(config.site_root.join("pkg"))
        .precompressed_br()
        .precompressed_gzip();
    let nhs_assets = ServeDir::new(config.site_root.join("assets"));

    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/sw.js", get(service_worker))
        .route(
            "/team/results/import",
            axum::routing::post(upload::import_results).layer(
                axum::extract::DefaultBodyLimit::max(
                    upload::MAX_UPLOAD_BYTES + upload::FORM_ROOM as usize,
                ),
            ),
        )
        // The plan as a FHIR Bundle: downloads and the read API (`app::fhir::routes`).
        .merge(app::fhir::routes())
        // Registers the pages and every server function at its own path and method (so a
        // POST-only function answers GET with 405).
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let leptos = leptos.clone();
            move || app::shell(leptos.clone())
        })
        .nest_service("/pkg", pkg)
        .nest_service("/assets", nhs_assets)
        .fallback(leptos_axum::file_and_error_handler_with_context::<ServerState, _>(
            context,
            app::shell,
        ))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http().make_span_with(|req: &Request<Body>| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    // The path only: query strings can carry invitation tokens.
                    tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.uri().path())
                }))
                .layer(PropagateRequestIdLayer::x_request_id())
                .layer(CompressionLayer::new().br(true).gzip(true))
                .layer(axum::middleware::from_fn_with_state(
                    policy.clone(),
                    http::security_headers,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    policy,
                    http::reject_cross_site,
                ))
                .layer(axum::middleware::from_fn(http::server_fn_error_status))
                .layer(axum::middleware::from_fn_with_state(
                    keys,
                    idempotency::once,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    Duration::from_secs(u64::from(config.request_timeout_seconds)),
                    http::deadline,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    config.behind_proxy,
                    http::client_ip,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state_for_limits,
                    http::limit_ceremonies,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    (prepared.store.clone(), cookie_name),
                    crate::sessions::keep_newer_session_cookie,
                ))
                .layer(sessions),
        )
}

/// The app's routes, worked out once per process. Working them out runs the app with data
/// loading switched off for the whole process (leptos_router's `SuppressResourceLoad` is a
/// global flag), so a page on another server in the same process (the test suite runs many)
/// whose data started loading in that moment would wait for ever. Once, before any server
/// answers, it cannot catch a page half way.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App)).clone()
}

/// The service worker, with this build's shell files and a version made from their names.
async fn service_worker(State(state): State<ServerState>) -> Response {
    let assets = &state.app.settings.assets;
    let shell = [
        "/offline".to_owned(),
        format!("/pkg/{}", assets.css),
        format!("/pkg/{}.js", assets.app),
        format!("/pkg/{}_bg.wasm", assets.app),
        "/favicon.svg".to_owned(),
        format!("/pkg/{}", assets.phone),
        "/manifest.webmanifest".to_owned(),
        "/icons/icon-192.png".to_owned(),
    ];
    let list = serde_json::to_string(&shell).unwrap_or_else(|_| "[]".to_owned());
    // The build's file names carry content hashes, so together with the worker's own code they
    // name the version.
    let version = {
        use sha2::Digest as _;
        let digest = sha2::Sha256::new()
            .chain_update(list.as_bytes())
            .chain_update(include_str!("sw.js").as_bytes())
            .finalize();
        digest
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let body = include_str!("sw.js")
        .replace("__VERSION__", &version)
        .replace("__SHELL__", &list);
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (
                header::HeaderName::from_static("service-worker-allowed"),
                "/",
            ),
        ],
        body,
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

/// Ready to serve: the database answers, takes a write (this instance's heartbeat) within two
/// seconds, and has every migration this build knows. `/healthz` only says the process lives.
async fn readyz(State(state): State<ServerState>) -> Response {
    match readiness(&state).await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(why) => {
            tracing::warn!(why, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, why).into_response()
        }
    }
}

async fn readiness(state: &ServerState) -> Result<(), &'static str> {
    let db = &state.app.db;
    if !db::is_ready(db, &state.db_target).await {
        return Err("database unavailable");
    }
    let beat = instances::beat(db, state.instance, state.app.clock.now());
    if !matches!(
        tokio::time::timeout(Duration::from_secs(2), beat).await,
        Ok(Ok(()))
    ) {
        return Err("database not taking writes");
    }
    match instances::migrations_current(db).await {
        Ok(true) => Ok(()),
        Ok(false) => Err("database migrations pending"),
        Err(_) => Err("database unavailable"),
    }
}

/// A running server: its address, and a way to stop it.
pub struct Running {
    pub addr: SocketAddr,
    shutdown: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    pub async fn stop(self) {
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }
}

/// Binds (port 0 picks a free port), starts serving in the background and returns at once.
pub async fn spawn(prepared: Prepared) -> anyhow::Result<Running> {
    let listener = tokio::net::TcpListener::bind(prepared.config.listen_addr()?).await?;
    let addr = listener.local_addr()?;
    let router = router(&prepared);
    let cleanup = prepared
        .store
        .spawn_cleanup(Duration::from_secs(60), prepared.state.app.clone());
    let packs = spawn_pack_release(
        prepared.state.app.clone(),
        prepared.state.instance,
        Duration::from_secs(60),
    );
    let worker = prepared.config.reminder_worker.then(|| {
        reminders::Worker::new(
            prepared.state.app.clone(),
            prepared.state.push.clone(),
            worker_settings(&prepared.config),
        )
        .spawn()
    });
    let (shutdown, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let result = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = rx.await;
        })
        .await;
        cleanup.abort();
        packs.abort();
        if let Some(worker) = worker {
            worker.abort();
        }
        result
    });
    Ok(Running {
        addr,
        shutdown,
        task,
    })
}

/// The reminder worker's settings from the configuration.
pub fn worker_settings(config: &Config) -> reminders::WorkerSettings {
    reminders::WorkerSettings::new(
        usize::try_from(config.reminder_concurrency).unwrap_or(64),
        Duration::from_secs(u64::from(config.push_timeout_seconds)),
        config.reminder_max_attempts,
    )
}

/// Sends preparation packs that have come due (N days before each review) every `every`. Only
/// this sweep releases packs by themselves (pages only read), each once, in a transaction. With
/// several instances, the one holding the sweep's lease runs it; if that instance stops, another
/// takes the lease over once it expires (two intervals).
fn spawn_pack_release(
    app: app::state::AppState,
    instance: uuid::Uuid,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        // Not at once: start-up (and a test's set-up) has the database to itself first.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            let now = app.clock.now();
            match instances::try_lease(&app.db, "pack_sweep", instance, now, every * 2).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(err) => {
                    tracing::warn!(error = %err, "could not take the pack sweep's lease");
                    continue;
                }
            }
            match app::preparation::service::sweep_due_packs(&app.db, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(packs = n, "preparation packs released"),
                Err(err) => tracing::warn!(error = %err, "releasing due packs failed"),
            }
            // Their reminders ("your preparation is ready").
            app.react().await;
        }
    })
}

/// Serves until SIGTERM or Ctrl-C, then lets requests in flight finish.
pub async fn serve(prepared: Prepared) -> anyhow::Result<()> {
    // Installed before the server says it is listening: a SIGTERM that arrives right after
    // that line must stop it gracefully, not kill it.
    let shutdown = shutdown_signal()?;
    let config_grace = prepared.config.shutdown_grace_seconds;
    let running = spawn(prepared).await?;
    tracing::info!("listening on http://{}", running.addr);
    shutdown.await;
    let grace = Duration::from_secs(u64::from(config_grace));
    tracing::info!(?grace, "shutting down: finishing the requests in flight");
    if tokio::time::timeout(grace, running.stop()).await.is_err() {
        tracing::warn!(
            ?grace,
            "requests still running after the shutdown deadline: stopping anyway"
        );
    }
    Ok(())
}

/// Registers the handlers now; the returned future finishes on SIGTERM or Ctrl-C.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut terminate = signal(SignalKind::terminate())?;
        let mut interrupt = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = terminate.recv() => {},
                _ = interrupt.recv() => {},
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}

/// The log filter for a `log` setting. Whatever the setting, the passkey libraries never log
/// below info: at debug they write credential material (public keys, attestation, client data).
pub fn log_filter(setting: &str) -> tracing_subscriber::EnvFilter {
    let filter = tracing_subscriber::EnvFilter::try_new(setting)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    [
        "webauthn_rs_core=info",
        "webauthn_rs=info",
        "webauthn_rs_proto=info",
    ]
    .into_iter()
    .filter_map(|d| d.parse().ok())
    .fold(filter, tracing_subscriber::EnvFilter::add_directive)
}

#[cfg(test)]
mod log_tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn debug_logging_never_writes_what_the_passkey_library_says_below_info() {
        let out = Captured::default();
        let writer = out.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(super::log_filter("debug"))
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(target: "webauthn_rs_core::core", "credential public key AAAA");
            tracing::debug!(target: "server::reminders", "a reminder step");
            tracing::info!(target: "webauthn_rs_core::core", "registration finished");
        });
        let text = String::from_utf8(out.0.lock().map(|b| b.clone()).unwrap_or_default())
            .unwrap_or_default();
        assert!(!text.contains("credential public key"), "{text}");
        assert!(text.contains("a reminder step"), "{text}");
        assert!(text.contains("registration finished"), "{text}");
    }
}
