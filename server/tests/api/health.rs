use crate::db_test;
use crate::support::Backend;

db_test! {
    async fn health_and_readiness_answer_when_the_database_is_up(app) {
        let client = app.client();
        let health = client.get(app.url("/healthz")).send().await.expect("healthz");
        assert_eq!(health.status(), 200);
        let ready = client.get(app.url("/readyz")).send().await.expect("readyz");
        assert_eq!(ready.status(), 200);
        assert_eq!(ready.text().await.unwrap_or_default(), "ready");
    }
}

db_test! {
    async fn readiness_fails_when_the_database_is_gone_and_the_process_keeps_serving(app) {
        use sea_orm::{ConnectionTrait as _, Database};
        match app.backend {
            Backend::Sqlite => {
                let server::db::DbTarget::Sqlite(path) = &app.target else { unreachable!() };
                std::fs::remove_file(path).expect("remove the database file");
            }
            Backend::Postgres => {
                let server::db::DbTarget::Postgres(url) = &app.target else { unreachable!() };
                let name = url::Url::parse(url).expect("url").path().trim_start_matches('/').to_owned();
                let admin = Database::connect(
                    std::env::var("TEST_POSTGRES_URL")
                        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
                )
                .await
                .expect("admin connection");
                admin
                    .execute_unprepared(&format!("DROP DATABASE \"{name}\" WITH (FORCE)"))
                    .await
                    .expect("drop the app's database");
                admin.close().await.ok();
            }
        }
        let client = app.client();
        let ready = client.get(app.url("/readyz")).send().await.expect("readyz");
        assert_eq!(ready.status(), 503);
        // Still alive: liveness and pages keep answering.
        let health = client.get(app.url("/healthz")).send().await.expect("healthz");
        assert_eq!(health.status(), 200);
        let page = client.get(app.url("/accessibility")).send().await.expect("a page");
        assert_eq!(page.status(), 200);
    }
}

db_test! {
    async fn readiness_fails_while_the_database_refuses_writes_and_recovers_without_a_restart(app) {
        use sea_orm::{ConnectionTrait as _, TransactionTrait as _};
        let client = app.client();
        assert_eq!(client.get(app.url("/readyz")).send().await.unwrap().status(), 200);
        // Another process holds the write lock (SQLite) or locks the table (PostgreSQL): reads
        // still work, writes wait.
        let other = server::db::connect_one(&app.target).await.expect("a second connection");
        let held = match app.backend {
            Backend::Sqlite => app::state::begin_write(&other).await.expect("take the write lock"),
            Backend::Postgres => {
                let txn = other.begin().await.expect("begin");
                txn.execute_unprepared("LOCK TABLE heartbeats IN ACCESS EXCLUSIVE MODE").await.expect("lock");
                txn
            }
        };
        let started = std::time::Instant::now();
        let ready = client.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 503);
        assert_eq!(ready.text().await.unwrap(), "database not taking writes");
        assert!(started.elapsed() < std::time::Duration::from_secs(4), "answered within the check's 2 s, not the lock's wait");
        assert_eq!(client.get(app.url("/healthz")).send().await.unwrap().status(), 200, "alive all the same");
        held.rollback().await.expect("let go");
        assert_eq!(client.get(app.url("/readyz")).send().await.unwrap().status(), 200, "ready again, no restart");
        other.close().await.ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_database_goes_away_people_are_told_plainly_within_seconds_and_it_comes_back_without_a_restart()
 {
    let app = crate::support::TestApp::spawn_behind_proxy(|_| {}).await;
    let outcome = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(async {
        let me = crate::plan::make_patient(&app, "Dora Tester", "9434765919").await;
        let get = |path: &'static str| {
            app.client()
                .get(app.url(path))
                .header("cookie", &me.cookie)
                .header("accept", "text/html")
                .send()
        };
        assert_eq!(get("/today").await.unwrap().status(), 200, "through the proxy, all is well");

        app.proxy.as_ref().expect("a proxy").cut();
        let started = std::time::Instant::now();
        let today = get("/today").await.unwrap();
        let waited = started.elapsed();
        assert_eq!(today.status(), 503);
        let body = today.text().await.unwrap();
        assert!(
            body.contains("Alongside is having trouble right now. What you saved is safe. Try again in a minute."),
            "{body}"
        );
        assert!(waited < std::time::Duration::from_secs(3), "told within 3 s, not left waiting: {waited:?}");
        // What needs no database keeps working for a signed-in person.
        for path in ["/sw.js", "/offline", "/healthz"] {
            assert_eq!(get(path).await.unwrap().status(), 200, "{path} while the database is away");
        }
        assert_eq!(get("/readyz").await.unwrap().status(), 503);
        // A write is refused the same plain way, and changes nothing.
        let post = app
            .client()
            .post(app.url("/api/plan/about_me"))
            .header("cookie", &me.cookie)
            .header("accept", "application/json")
            .form(&[("what_matters", "Gardening")])
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 503);
        let said = post.text().await.unwrap();
        assert!(said.contains("Unavailable") && !said.contains("Sqlx") && !said.contains("Connection"), "{said}");

        app.proxy.as_ref().expect("a proxy").mend();
        assert_eq!(get("/today").await.unwrap().status(), 200, "back, with no restart");
        assert_eq!(get("/readyz").await.unwrap().status(), 200);
    }))
    .await;
    app.teardown().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_started_together_on_an_empty_postgresql_database_all_start_and_sign_alike()
{
    use sea_orm::{ConnectionTrait as _, Database};
    let admin_url = crate::support::admin_url();
    let name = format!("alongside_test_{}", uuid::Uuid::new_v4().simple());
    let admin = Database::connect(&admin_url).await.expect("PostgreSQL");
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create");
    let mut url = url::Url::parse(&admin_url).expect("a URL");
    url.set_path(&name);
    // Each with a data folder of its own, as on separate machines.
    let dirs: Vec<_> = (0..3).map(|_| crate::support::scratch_dir()).collect();
    let starts = dirs.iter().map(|dir| {
        let config = server::config::Config {
            database_url: url.to_string(),
            data_dir: dir.clone(),
            site_root: dir.join("site"),
            listen: "127.0.0.1:0".into(),
            reminder_worker: false,
            ..server::config::Config::default()
        };
        let clock: app::clock::SharedClock = std::sync::Arc::new(app::clock::SystemClock);
        server::prepare(config, clock)
    });
    let started = futures::future::join_all(starts).await;
    let keys: Vec<String> = started
        .iter()
        .map(|p| match p {
            Ok(p) => p.state.push.public_key().to_owned(),
            Err(e) => panic!("an instance failed to start: {e:#}"),
        })
        .collect();
    drop(started);
    admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .ok();
    admin.close().await.ok();
    for dir in dirs {
        let _ = std::fs::remove_dir_all(dir);
    }
    assert!(
        keys.iter().all(|k| *k == keys[0]),
        "one push key for all: {keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_database_never_keeps_a_person_waiting_past_the_deadline_and_nothing_is_half_saved()
 {
    use sea_orm::EntityTrait as _;
    let app = crate::support::TestApp::spawn_behind_proxy(|c| c.request_timeout_seconds = 2).await;
    let outcome = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(async {
        let me = crate::plan::make_patient(&app, "Dora Tester", "9434765919").await;
        let today = || {
            app.client()
                .get(app.url("/today"))
                .header("cookie", &me.cookie)
                .header("accept", "text/html")
                .send()
        };
        assert_eq!(today().await.unwrap().status(), 200);

        // The network to the database stalls: connections stay open, nothing comes back.
        app.proxy.as_ref().expect("a proxy").stall();
        let started = std::time::Instant::now();
        let page = today().await.unwrap();
        assert_eq!(page.status(), 503);
        assert!(
            page.text()
                .await
                .unwrap()
                .contains("Alongside is having trouble right now.")
        );
        let post = app
            .client()
            .post(app.url("/api/plan/about_me"))
            .header("cookie", &me.cookie)
            .header("accept", "application/json")
            .form(&[("what_matters", "Gardening"), ("supported_by", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(post.status(), 503);
        let waited = started.elapsed();
        assert!(
            waited < std::time::Duration::from_secs(6),
            "two requests, each stopped at the 2 s deadline: {waited:?}"
        );

        app.proxy.as_ref().expect("a proxy").mend();
        assert_eq!(
            today().await.unwrap().status(),
            200,
            "back, with no restart"
        );
        let saved = app::entities::about_me::Entity::find()
            .all(&app.db)
            .await
            .unwrap();
        assert!(
            saved.iter().all(|a| !a.what_matters.contains("Gardening")),
            "nothing half-saved: {saved:?}"
        );
    }))
    .await;
    app.teardown().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}
