use crate::db_test;
use crate::support::{Backend, ORIGIN, TestApp};

db_test! {
    async fn pages_carry_security_headers_and_are_never_cached(app) {
        let res = app.client().get(app.url("/")).send().await.expect("home page");
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert_eq!(get("cache-control"), "no-store");
        assert_eq!(get("x-content-type-options"), "nosniff");
        assert_eq!(get("referrer-policy"), "same-origin");
        assert!(get("permissions-policy").contains("camera=()"));
        assert!(get("x-request-id").len() >= 32, "every response names its request");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS over plain http");
        let csp = get("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("object-src 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");

        // Every script on the page carries the nonce from this response's policy, and only it.
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .expect("the CSP names a nonce")
            .to_owned();
        let html = res.text().await.expect("body");
        let scripts = html.matches("<script").count();
        assert!(scripts >= 1);
        assert_eq!(html.matches(&format!("nonce=\"{nonce}\"")).count(), scripts, "{html}");
    }
}

db_test! {
    async fn each_response_gets_a_fresh_nonce(app) {
        let client = app.client();
        let csp = |res: &reqwest::Response| {
            res.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
        };
        let a = client.get(app.url("/")).send().await.expect("first");
        let b = client.get(app.url("/")).send().await.expect("second");
        assert_ne!(csp(&a), csp(&b));
    }
}

db_test! {
    async fn cross_site_posts_are_refused_and_same_site_posts_pass(app) {
        let client = app.client();
        let url = app.url("/api/auth/whoami");
        let foreign = client.post(&url).header("sec-fetch-site", "cross-site").send().await.expect("post");
        assert_eq!(foreign.status(), 403);
        let foreign_origin = client.post(&url).header("origin", "https://evil.example").send().await.expect("post");
        assert_eq!(foreign_origin.status(), 403);

        let same = client
            .post(&url)
            .header("sec-fetch-site", "same-origin")
            .header("origin", ORIGIN)
            .send()
            .await
            .expect("post");
        assert_ne!(same.status(), 403);
        // Nobody is signed in, so the server function says so rather than answering.
        assert_eq!(same.status(), 401);

        // `Origin` decides, whatever `Sec-Fetch-Site` claims; failing it, the `Referer`; a
        // post that says neither where it came from is refused.
        let bare = reqwest::Client::new();
        let lying = bare.post(&url).header("sec-fetch-site", "same-origin").header("origin", "https://evil.example").send().await.expect("post");
        assert_eq!(lying.status(), 403);
        let nowhere = bare.post(&url).send().await.expect("post");
        assert_eq!(nowhere.status(), 403, "neither Origin nor Referer");
        let null = bare.post(&url).header("origin", "null").send().await.expect("post");
        assert_eq!(null.status(), 403);
        let referred = bare.post(&url).header("referer", format!("{ORIGIN}/today")).send().await.expect("post");
        assert_eq!(referred.status(), 401, "our own page in the Referer");
        let referred_away = bare.post(&url).header("referer", "https://evil.example/localhost:3000/").send().await.expect("post");
        assert_eq!(referred_away.status(), 403);
        let look_alike = bare.post(&url).header("referer", format!("{ORIGIN}.evil.example/")).send().await.expect("post");
        assert_eq!(look_alike.status(), 403);
    }
}

db_test! {
    async fn server_functions_are_not_reachable_by_get(app) {
        let res = app.client().get(app.url("/api/auth/whoami")).send().await.expect("get");
        assert_eq!(res.status(), 405);
    }
}

db_test! {
    async fn html_is_compressed_with_brotli_or_gzip(app) {
        let client = reqwest::Client::builder().no_brotli().no_gzip().build().expect("client");
        let br = client.get(app.url("/")).header("accept-encoding", "br").send().await.expect("get");
        assert_eq!(br.headers().get("content-encoding").map(|v| v.as_bytes()), Some(&b"br"[..]));
        let gz = client.get(app.url("/")).header("accept-encoding", "gzip").send().await.expect("get");
        assert_eq!(gz.headers().get("content-encoding").map(|v| v.as_bytes()), Some(&b"gzip"[..]));
    }
}

#[tokio::test]
async fn hashed_assets_are_served_precompressed_and_cached_for_a_year() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let pkg = app.config.site_root.join("pkg");
    std::fs::create_dir_all(&pkg).expect("pkg dir");
    std::fs::write(pkg.join("alongside-0123.wasm"), b"\0asm plain").expect("write");
    std::fs::write(pkg.join("alongside-0123.wasm.br"), b"brotli bytes").expect("write");
    let client = reqwest::Client::builder()
        .no_brotli()
        .build()
        .expect("client");
    let res = client
        .get(app.url("/pkg/alongside-0123.wasm"))
        .header("accept-encoding", "br")
        .send()
        .await
        .expect("get");
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.bytes().await.unwrap_or_default();
    app.teardown().await;
    assert_eq!(status, 200);
    assert_eq!(
        headers.get("content-encoding").map(|v| v.as_bytes()),
        Some(&b"br"[..])
    );
    assert_eq!(&body[..], b"brotli bytes");
    assert_eq!(
        headers.get("cache-control").and_then(|v| v.to_str().ok()),
        Some("public, max-age=31536000, immutable")
    );
}

#[tokio::test]
async fn https_origin_adds_hsts_and_a_host_prefixed_secure_cookie() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.public_origin = "https://alongside.example.org".into();
    })
    .await;
    let account = crate::support::make_account(&app, "Test Person").await;
    let cookie = crate::support::session_cookie_for(&app, account).await;
    let cookie = cookie.replacen("alongside=", "__Host-alongside=", 1);
    let cookie_again = cookie.clone();
    // A form post that leaves a notice changes the session, so its answer sets the cookie.
    let res = app
        .client()
        .post(app.url("/api/reminders/test"))
        .header("cookie", cookie)
        .header("origin", "https://alongside.example.org")
        .header("accept", "text/html")
        .send()
        .await
        .expect("post");
    let headers = res.headers().clone();
    let body = app
        .client()
        .get(app.url("/today"))
        .header("cookie", cookie_again)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .unwrap_or_default();
    app.teardown().await;
    let hsts = headers
        .get("strict-transport-security")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(hsts.contains("max-age="), "{hsts}");
    let set_cookie = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert!(set_cookie.starts_with("__Host-alongside="), "{set_cookie}");
    assert!(set_cookie.contains("Secure"), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly"), "{set_cookie}");
    assert!(set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    assert!(set_cookie.contains("Path=/"), "{set_cookie}");
    assert!(!set_cookie.contains("Domain="), "{set_cookie}");
    assert!(body.contains("Hello, Test Person."), "{body}");
}

db_test! {
    async fn the_service_worker_manifest_and_offline_page_are_served_with_the_right_types(app) {
        let res = app.client().get(app.url("/sw.js")).send().await.expect("sw");
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(get("content-type").starts_with("text/javascript"), "{}", get("content-type"));
        assert_eq!(get("service-worker-allowed"), "/");
        assert_eq!(get("cache-control"), "no-store", "browsers always fetch a new worker");
        let sw = res.text().await.unwrap();
        assert!(sw.contains("const VERSION = \"") && !sw.contains("__VERSION__"), "{sw}");
        assert!(sw.contains("\"/offline\"") && sw.contains("_bg.wasm"), "the shell is precached: {sw}");

        // The manifest is a static file of the site.
        let site = app.config.site_root.clone();
        std::fs::create_dir_all(&site).unwrap();
        std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../public/manifest.webmanifest"), site.join("manifest.webmanifest")).unwrap();
        let res = app.client().get(app.url("/manifest.webmanifest")).send().await.expect("manifest");
        assert_eq!(res.status(), 200);
        let h = res.headers().clone();
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert_eq!(get("content-type"), "application/manifest+json");
        assert_eq!(get("cache-control"), "public, max-age=86400");
        let m: serde_json::Value = res.json().await.unwrap();
        assert_eq!((m["start_url"].as_str(), m["scope"].as_str(), m["display"].as_str()), (Some("/today"), Some("/"), Some("standalone")));
        let icons = m["icons"].as_array().unwrap();
        for (size, purpose) in [("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")] {
            assert!(icons.iter().any(|i| i["sizes"] == size && i["purpose"] == purpose), "{size} {purpose}");
        }

        let offline = app.client().get(app.url("/offline")).send().await.unwrap();
        // The worker keeps nothing marked no-store, and the offline page holds nothing personal.
        assert_eq!(offline.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("public, max-age=86400"));
        assert!(offline.text().await.unwrap().contains("You are offline"));
        assert!(sw.contains("no-store"), "the worker refuses to keep no-store answers: {sw}");
        let home = app.client().get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(home.contains("rel=\"manifest\" href=\"/manifest.webmanifest\""));
        assert!(home.contains("navigator.serviceWorker.register('/sw.js'"), "registered on every page");
    }
}

db_test! {
    // Building a server's routes runs the app once with data loading switched off for the whole
    // process. A page whose data started loading in that moment used to wait for ever.
    async fn pages_keep_loading_while_another_server_in_the_process_builds_its_routes(app) {
        use futures::StreamExt as _;
        let account = crate::support::make_account(&app, "Steady Reader").await;
        let cookie = crate::support::session_cookie_for(&app, account).await;
        let prepared = server::prepare_with(
            app.config.clone(),
            std::sync::Arc::new(app.clock.clone()),
            app.db.clone(),
            app.target.clone(),
        ).await
        .expect("prepare a second server");
        let building = tokio::task::spawn_blocking(move || {
            for _ in 0..150 {
                drop(server::router(&prepared));
            }
        });
        let client = app.client();
        let answers: Vec<Result<u16, String>> = futures::stream::iter(0..300)
            .map(|_| {
                let request = client
                    .get(app.url("/today"))
                    .header("accept", "text/html")
                    .header("cookie", cookie.clone());
                async move {
                    let res = request.send().await.map_err(|e| e.to_string())?;
                    let status = res.status().as_u16();
                    res.text().await.map_err(|e| e.to_string())?;
                    Ok(status)
                }
            })
            .buffer_unordered(6)
            .collect()
            .await;
        building.await.expect("routes built");
        let unanswered = answers.iter().filter(|a| a.is_err()).count();
        assert_eq!(unanswered, 0, "pages that never finished: {unanswered} of 300");
        assert!(answers.iter().all(|a| a == &Ok(200)), "{answers:?}");
    }
}
