//! Bad input at every server function: malformed, oversized, wrong-typed and control-character
//! bodies, as a signed-in person and as nobody. Whatever arrives, the answer is a 4xx in plain
//! words (never a 5xx, never the deserialiser's text or our type names), the connection is
//! never dropped, and any redirect stays on this site.
use crate::db_test;
use crate::plan::make_patient;
use crate::support::{ORIGIN, session_cookie_for};

/// Every field name our forms use, so each function meets values it would read.
const FIELDS: &[&str] = &[
    "id",
    "account_id",
    "patient_id",
    "action",
    "goal",
    "day",
    "back",
    "next",
    "outcome",
    "note",
    "title",
    "name",
    "code",
    "value",
    "token",
    "handle",
    "invitation_id",
    "device",
    "endpoint",
    "p256dh",
    "auth",
    "grant_id",
    "review_id",
    "prompt",
    "answer",
    "taken_on",
    "why",
    "importance",
    "status",
    "what",
    "frequency",
    "confidence",
    "time_zone",
    "agenda_days",
    "scopes",
    "org",
    "role",
    "email",
    "phone",
    "credential",
    "remove_others",
    "client_id",
];

/// What an answer must never show: deserialiser words, Rust paths, type names.
const INTERNAL: &[&str] = &[
    "missing field",
    "invalid type",
    "unknown variant",
    "expected ",
    "at line",
    "::",
    "Deserialization",
    "Args(",
    "serde",
    "panicked",
    "Uuid",
    "NaiveDate",
    "String",
];

enum Body {
    Form(Vec<(String, String)>),
    Raw(&'static str, Vec<u8>),
}

fn cases() -> Vec<(&'static str, Body)> {
    let with = |value: &str| {
        Body::Form(
            FIELDS
                .iter()
                .map(|f| ((*f).to_owned(), value.to_owned()))
                .collect(),
        )
    };
    vec![
        ("empty form", Body::Form(Vec::new())),
        ("control characters", with("/\t/evil.example\n\u{1}")),
        ("backslashes", with("/\\evil.example")),
        ("wrong types", with("not-a-number-or-id")),
        ("huge numbers", with("99999999999999999999999999")),
        ("long text", with(&"x".repeat(20_000))),
        (
            "not a form",
            Body::Raw("application/x-www-form-urlencoded", b"%%%=&&=%zz".to_vec()),
        ),
        (
            "broken json",
            Body::Raw("application/json", b"{\"credential\": ".to_vec()),
        ),
        (
            "json of the wrong shape",
            Body::Raw(
                "application/json",
                b"{\"credential\": 5, \"name\": []}".to_vec(),
            ),
        ),
        (
            "not utf-8",
            Body::Raw(
                "application/x-www-form-urlencoded",
                vec![0xff, 0xfe, b'=', 0x80],
            ),
        ),
    ]
}

fn check(what: &str, status: u16, location: Option<&str>, body: &str, problems: &mut Vec<String>) {
    if status >= 500 {
        problems.push(format!("{what}: status {status}: {body:.200}"));
    }
    if let Some(word) = INTERNAL.iter().find(|w| body.contains(*w)) {
        // Pages (HTML) name things like "::" in no place a person reads; only error answers count.
        if status >= 400 {
            problems.push(format!("{what}: shows {word:?}: {body:.200}"));
        }
    }
    if let Some(to) = location {
        let local = to.starts_with('/')
            && !to.starts_with("//")
            && !to.chars().any(|c| c.is_control() || c == '\\');
        if !local {
            problems.push(format!("{what}: redirects off-site to {to:?}"));
        }
    }
}

db_test! {
    async fn every_server_function_answers_bad_input_with_a_plain_4xx_and_never_drops_the_connection(app) {
        let me = make_patient(&app, "Fuzz Tester", "9434765919").await;
        let mut functions: Vec<(String, String)> = leptos::server_fn::axum::server_fn_paths()
            .map(|(path, method)| (path.to_owned(), method.to_string()))
            .collect();
        functions.sort();
        assert!(functions.len() > 60, "every server function is registered: {}", functions.len());
        let mut problems = Vec::new();
        let mut sent = 0;
        for (path, method) in &functions {
            // A fresh minute (so the sign-in rate limit does not answer for the function) and
            // a fresh session (some functions sign out or end sessions) for each.
            app.clock.advance(chrono::Duration::minutes(1));
            let cookie = session_cookie_for(&app, me.account_id).await;
            for signed_in in [true, false] {
                for accept in ["application/json", "text/html"] {
                    for (case, body) in cases() {
                        let mut req = if method == "GET" {
                            app.client().get(format!("{}?{}", app.url(path), "id=%01%09&back=/%09/evil"))
                        } else {
                            app.client().post(app.url(path))
                        };
                        req = req.header("accept", accept);
                        if signed_in {
                            req = req.header("cookie", &cookie);
                        }
                        req = match body {
                            Body::Form(fields) => req.form(&fields),
                            Body::Raw(kind, bytes) => req.header("content-type", kind).body(bytes),
                        };
                        let what = format!("{method} {path} ({case}, {accept}, signed in: {signed_in})");
                        let res = match req.send().await {
                            Ok(res) => res,
                            Err(err) => {
                                problems.push(format!("{what}: no answer: {err}"));
                                continue;
                            }
                        };
                        sent += 1;
                        let status = res.status().as_u16();
                        let location = res.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
                        let text = res.text().await.unwrap_or_default();
                        check(&what, status, location.as_deref(), &text, &mut problems);
                    }
                }
            }
        }
        // Too large: refused as such before it is read.
        app.clock.advance(chrono::Duration::minutes(1));
        for (accept, says) in [("text/html", "That was too large to send"), ("application/json", "\"TooLarge\"")] {
            let big = app.client().post(app.url("/api/plan/log")).header("cookie", &me.cookie).header("accept", accept).header("content-type", "application/x-www-form-urlencoded").body(vec![b'a'; 3 * 1024 * 1024]).send().await.expect("an answer");
            assert_eq!(big.status().as_u16(), 413);
            let text = big.text().await.unwrap_or_default();
            assert!(text.contains(says), "{accept}: {text}");
        }
        assert!(problems.is_empty(), "{} of {sent} answers were wrong:\n{}", problems.len(), problems.join("\n"));
        let _ = ORIGIN;
    }
}
