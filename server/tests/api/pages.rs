use crate::db_test;

db_test! {
    async fn sign_in_page_renders_on_the_server_with_the_shell(app) {
        let res = app.client().get(app.url("/")).send().await.expect("get");
        assert_eq!(res.status(), 200);
        let html = res.text().await.expect("body");
        assert!(html.contains("<html lang=\"en-GB\">"));
        assert!(html.contains("<title>Sign in – Alongside</title>"), "{html}");
        assert!(html.contains("Skip to main content"));
        assert!(html.contains("id=\"maincontent\""));
        assert!(html.contains("href=\"/accessibility\""));
        assert!(html.contains("Passkeys need JavaScript"), "the no-JavaScript explanation is in the HTML");
    }
}

db_test! {
    async fn today_sends_a_visitor_who_is_not_signed_in_to_sign_in(app) {
        let res = app
            .client()
            .get(app.url("/today"))
            .header("accept", "text/html")
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), 302);
        assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/"));
    }
}

db_test! {
    async fn today_greets_the_signed_in_person(app) {
        let account = crate::support::make_account(&app, "Margaret Evans").await;
        let cookie = crate::support::session_cookie_for(&app, account).await;
        let res = app.client().get(app.url("/today")).header("cookie", cookie).send().await.expect("get");
        assert_eq!(res.status(), 200);
        let html = res.text().await.expect("body");
        assert!(html.contains("<h1 class=\"nhsuk-heading-l\">Today</h1>"), "{html}");
        assert!(html.contains("Hello, Margaret Evans."));
    }
}

db_test! {
    async fn unknown_page_is_a_plain_english_404(app) {
        let res = app.client().get(app.url("/no-such-page")).send().await.expect("get");
        assert_eq!(res.status(), 404);
        let html = res.text().await.expect("body");
        assert!(html.contains("Page not found"));
        assert!(html.contains("Go to the start page"));
    }
}
