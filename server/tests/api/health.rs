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
