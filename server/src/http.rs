//! The HTTP shell's own layers: security headers with a per-request CSP nonce, cache rules,
//! and the cross-site request check that server functions do not do for themselves.
use std::sync::Arc;

use app::auth::request_info::ClientIp;
use app::shell::CspNonce;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use rand::RngCore as _;

#[derive(Clone, Debug)]
pub struct HttpPolicy {
    pub public_origin: Arc<str>,
    pub https: bool,
}

/// Adds the security headers to every response, and a fresh CSP nonce to every request so the
/// page's hydration script (and nothing injected) may run.
pub async fn security_headers(
    State(policy): State<HttpPolicy>,
    mut req: Request,
    next: Next,
) -> Response {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::STANDARD.encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let path = req.uri().path().to_owned();

    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
         manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    );
    set(headers, header::CONTENT_SECURITY_POLICY, &csp);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // same-origin: our own no-JavaScript form posts need the Referer to come back to the page.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(
        headers,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    );
    set(headers, "cross-origin-opener-policy", "same-origin");
    if policy.https {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=63072000; includeSubDomains",
        );
    }
    if !headers.contains_key(header::CACHE_CONTROL) || !is_static(&path) {
        set(headers, header::CACHE_CONTROL, cache_rule(&path));
    }
    res
}

/// Static files carry no personal data. Everything else might, so nothing else is stored.
fn cache_rule(path: &str) -> &'static str {
    if path.starts_with("/pkg/") {
        // Names carry a content hash: a new build means a new name.
        "public, max-age=31536000, immutable"
    } else if is_static(path) {
        "public, max-age=86400"
    } else {
        "no-store"
    }
}

fn is_static(path: &str) -> bool {
    path.starts_with("/pkg/")
        || path.starts_with("/assets/")
        || path.starts_with("/icons/")
        || matches!(
            path,
            "/favicon.svg"
                | "/favicon.ico"
                | "/robots.txt"
                | "/manifest.webmanifest"
                // Holds nothing personal, so the service worker may keep it.
                | "/offline"
        )
}

fn set(headers: &mut HeaderMap, name: impl header::IntoHeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Refuses a state-changing request unless it says it came from one of our own pages: its
/// `Origin` is our public origin or, for the rare browser request without one, its `Referer`
/// starts there. `Sec-Fetch-Site` is never trusted over them, and a request that says neither
/// is refused (every browser sends `Origin` on a POST; a request without it cannot be shown
/// to have come from us).
pub async fn reject_cross_site(
    State(policy): State<HttpPolicy>,
    req: Request,
    next: Next,
) -> Response {
    if is_safe_method(req.method()) || is_same_site(req.headers(), &policy.public_origin) {
        next.run(req).await
    } else {
        tracing::warn!("refused a cross-site {} request", req.method());
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            Body::from("This request came from another website, so we did not act on it."),
        )
            .into_response()
    }
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

fn is_same_site(headers: &HeaderMap, public_origin: &str) -> bool {
    // Fetch metadata may add a refusal, never an acceptance.
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return false;
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        return origin.as_bytes() == public_origin.as_bytes();
    }
    let Some(referer) = headers.get(header::REFERER).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    // The Referer's own origin, compared whole (`https://a.example.evil.example/` must fail).
    url::Url::parse(referer)
        .map(|u| u.origin().ascii_serialization() == public_origin)
        .unwrap_or(false)
}

/// Server functions answer every error with 500. Here, in one place, an `AppError` gets the
/// status it stands for (400, 401, 403, 404, 409, 413, 422), so clients and logs can tell them
/// apart, and a browser that asked for a page (a form posted without our script) gets a page
/// in plain English rather than the error's JSON. A body declared larger than [`MAX_BODY`] is
/// refused before anything reads it.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let wants_page = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The results upload takes files up to its own, larger limit (its route's body limit too).
    let upload = req.uri().path() == crate::upload::PAGE;
    let limit = if upload {
        crate::upload::MAX_UPLOAD_BYTES as u64 + crate::upload::FORM_ROOM
    } else {
        MAX_BODY
    };
    if let Some(size) = declared.filter(|n| *n > limit) {
        if size <= DRAIN_LIMIT.max(limit * 3) {
            // Read what is being sent, and throw it away, before answering: closing on a
            // client still sending makes its system reset the connection, and the client
            // sees a broken connection instead of this answer (a race a fast server loses).
            use futures::StreamExt as _;
            let mut body = req.into_body().into_data_stream();
            let drain = async { while let Some(Ok(_)) = body.next().await {} };
            let _ = tokio::time::timeout(std::time::Duration::from_secs(10), drain).await;
        }
        if upload {
            return crate::upload::too_big_answer(wants_page);
        }
        return answer(app::AppError::TooLarge, wants_page);
    }
    let res = next.run(req).await;
    if !res.headers().contains_key("serverfnerror") {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    match serde_json::from_slice::<app::AppError>(&bytes) {
        Ok(err) if wants_page => answer(err, true),
        Ok(err) => {
            parts.status =
                StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// Every request has an overall deadline (setting `request_timeout_seconds`). One that runs
/// past it is stopped (its transaction, never committed, is rolled back) and the person gets
/// the plain "having trouble" answer rather than a browser left waiting.
pub async fn deadline(
    State(limit): State<std::time::Duration>,
    req: Request,
    next: Next,
) -> Response {
    let wants_page = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!(?limit, "a request ran past its deadline and was stopped");
            answer(app::AppError::Unavailable, wants_page)
        }
    }
}

/// The most a request body may carry: far more than any form or results file.
pub const MAX_BODY: u64 = 2 * 1024 * 1024;
/// A body declared larger than [`MAX_BODY`] but no larger than this is read and discarded
/// before the 413, so the client hears it; anything larger is refused at once.
const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// An error as its status, with the error's JSON (for our script and programs) or a short
/// page (for a browser).
pub(crate) fn answer(err: app::AppError, page: bool) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if !page {
        let body = serde_json::to_string(&err).unwrap_or_default();
        return (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from(body),
        )
            .into_response();
    }
    let heading = match err {
        app::AppError::NotFound | app::AppError::Forbidden => "You cannot do that here",
        app::AppError::Unauthorized => "Please sign in",
        app::AppError::Internal { .. } => "Sorry, there is a problem with Alongside",
        _ => "Sorry, that did not work",
    };
    let text = html_escape(&err.to_string());
    let body = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{heading} - Alongside</title></head><body><main>\
         <h1>{heading}</h1><p>{text}</p><p><a href=\"/today\">Go to Today</a></p>\
         </main></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        Body::from(body),
    )
        .into_response()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Works out the client's address once: the TCP peer, or, behind a trusted reverse proxy, the
/// last address in `X-Forwarded-For` (the one our proxy added; earlier ones are the client's
/// word and could be forged).
pub async fn client_ip(State(behind_proxy): State<bool>, mut req: Request, next: Next) -> Response {
    let peer = req
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|info| info.0.ip());
    let forwarded = behind_proxy
        .then(|| {
            req.headers()
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
                .next_back()
        })
        .flatten();
    if let Some(ip) = forwarded.or(peer) {
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// The endpoints that take an attempt at a credential or a token: a passkey ceremony, an
/// invitation's or a recovery code's token. The rest of `/api/auth/` (signing out, a person's
/// own devices and passkeys, the team's invitations) is for someone already signed in and is
/// never refused: a person on a shared computer who presses "Sign out" must be signed out, and
/// a practice behind one address must not use up its neighbours' sign-in attempts by doing so.
const CEREMONIES: [&str; 7] = [
    "/api/auth/sign_in_start",
    "/api/auth/sign_in_finish",
    "/api/auth/sign_up_start",
    "/api/auth/register_finish",
    "/api/auth/recover_start",
    "/api/auth/passkey_add_start",
    "/api/auth/invitation",
];

/// Every passkey ceremony endpoint is rate limited per client address, counted in the
/// database so all instances share the limit, so nobody can hammer sign-in or invitation
/// tokens.
pub async fn limit_ceremonies(
    State(app): State<app::state::AppState>,
    req: Request,
    next: Next,
) -> Response {
    if CEREMONIES.contains(&req.uri().path())
        && let Some(ClientIp(ip)) = req.extensions().get::<ClientIp>().copied()
    {
        let allowed = app::state::limits::allow(
            &app.db,
            app.clock.now(),
            &format!("address:{ip}"),
            app.limits.per_ip,
        )
        .await;
        match allowed {
            Ok(true) => {}
            Ok(false) => {
                tracing::warn!("rate limited a sign-in request");
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "60")],
                    Body::from("Too many attempts. Wait a minute, then try again."),
                )
                    .into_response();
            }
            // Already logged with its reference; the person is told in plain words.
            Err(err) => {
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "5")],
                    Body::from(err.to_string()),
                )
                    .into_response();
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn cross_site_fetch_metadata_is_refused_even_with_a_matching_origin() {
        let h = headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://a.example"),
        ]);
        assert!(!is_same_site(&h, "https://a.example"));
    }

    #[test]
    fn the_origin_decides_then_the_referer_and_saying_neither_is_refused() {
        let us = "https://a.example";
        let same = |pairs: &[(&'static str, &'static str)]| is_same_site(&headers(pairs), us);
        assert!(!same(&[
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://evil.example")
        ]));
        assert!(!same(&[]));
        assert!(!same(&[("sec-fetch-site", "same-origin")]));
        assert!(!same(&[("origin", "null")]));
        assert!(same(&[("referer", "https://a.example/today?x=1")]));
        assert!(!same(&[("referer", "https://a.example.evil.example/")]));
        assert!(!same(&[(
            "referer",
            "https://evil.example/https://a.example"
        )]));
        assert!(!same(&[("referer", "not a url")]));
    }

    #[test]
    fn foreign_origin_is_refused_when_fetch_metadata_is_absent() {
        assert!(!is_same_site(
            &headers(&[("origin", "https://evil.example")]),
            "https://a.example"
        ));
        assert!(is_same_site(
            &headers(&[("origin", "https://a.example")]),
            "https://a.example"
        ));
    }

    #[test]
    fn only_static_paths_may_be_cached() {
        assert_eq!(
            cache_rule("/pkg/alongside-abc.wasm"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_rule("/today"), "no-store");
        assert_eq!(cache_rule("/api/whoami"), "no-store");
    }
}
