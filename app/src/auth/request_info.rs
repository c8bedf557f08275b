//! Where a request came from, for the audit log and the devices page: the peer address and a
//! short, human description of the browser (never the full user-agent string).
use std::net::IpAddr;

use leptos::prelude::use_context;

use crate::session::Origin;

/// The client's address, worked out once per request by the server shell (the peer, or what
/// a trusted reverse proxy says the peer was).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

pub fn current() -> Origin {
    let parts = use_context::<axum::http::request::Parts>();
    let ip = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<ClientIp>())
        .map(|ClientIp(ip)| ip.to_string())
        .unwrap_or_default();
    let ua = parts
        .as_ref()
        .and_then(|p| p.headers.get(axum::http::header::USER_AGENT))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Origin {
        device: describe_device(ua),
        ip,
    }
}

/// "Chrome on Android", "Safari on iPhone", … Good enough for a person to recognise a device.
pub fn describe_device(ua: &str) -> String {
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") || ua.contains("CriOS/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else {
        "A browser"
    };
    let system = if ua.contains("iPhone") {
        "iPhone"
    } else if ua.contains("iPad") {
        "iPad"
    } else if ua.contains("Android") {
        "Android"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        "Mac"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        "an unknown device"
    };
    format!("{browser} on {system}")
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn names_common_phones_and_computers() {
        let pixel = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36";
        assert_eq!(describe_device(pixel), "Chrome on Android");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_device(iphone), "Safari on iPhone");
        assert_eq!(describe_device(""), "A browser on an unknown device");
    }
}
