//! Where reminders may be sent. A browser hands us its push service's address when the person
//! turns reminders on, and our server then posts to it: so a person could name any address
//! (our own admin pages, a cloud provider's metadata service at 169.254.169.254) and make the
//! server post there. Only the push services browsers really use are accepted: an allow-list of
//! https hosts, and no address inside a private, loopback or link-local network, checked again
//! after the name is looked up (the server's sender resolves names through [`is_public`]).
//!
//! A test configuration may name a local mock push service by its exact IP address and port
//! (`http://127.0.0.1:*` for any port); the server refuses such entries when it runs on https.
use std::net::IpAddr;

/// The push services of Chrome, Edge, Firefox and Safari (and the browsers built on them).
pub const DEFAULT_PUSH_SERVICES: &str = "https://fcm.googleapis.com, https://*.push.services.mozilla.com, https://*.notify.windows.com, https://*.push.apple.com";

#[derive(Clone, Debug, PartialEq, Eq)]
enum Host {
    /// This name exactly.
    Name(String),
    /// Any name ending in `.suffix` (written `*.suffix`).
    Under(String),
    /// This address exactly (a local test service).
    Address(IpAddr),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    https: bool,
    host: Host,
    /// `None`: any port.
    port: Option<u16>,
}

/// The push services reminders may go to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushServices(Vec<Entry>);

impl Default for PushServices {
    fn default() -> Self {
        // The built-in list is known to parse (a unit test says so).
        Self::parse(DEFAULT_PUSH_SERVICES).unwrap_or(Self(Vec::new()))
    }
}

impl PushServices {
    /// Parses a comma-separated list of `https://host`, `https://*.domain` or (for tests)
    /// `http://1.2.3.4:port` entries, `:*` meaning any port.
    pub fn parse(list: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for raw in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (body, any_port) = match raw.strip_suffix(":*") {
                Some(body) => (body, true),
                None => (raw, false),
            };
            let (under, body) = match body.strip_prefix("https://*.") {
                Some(rest) => (true, format!("https://{rest}")),
                None => (false, body.to_owned()),
            };
            let url = url::Url::parse(&body).map_err(|_| format!("{raw}: not a web address"))?;
            let https = match url.scheme() {
                "https" => true,
                "http" => false,
                _ => return Err(format!("{raw}: start each entry with https://")),
            };
            if url.path() != "/" || url.query().is_some() || !url.username().is_empty() {
                return Err(format!("{raw}: give only the scheme, host and port"));
            }
            let host = match url.host() {
                Some(url::Host::Domain(d)) if under => Host::Under(d.to_owned()),
                Some(url::Host::Domain(d)) => Host::Name(d.to_owned()),
                Some(url::Host::Ipv4(ip)) if !under => Host::Address(IpAddr::V4(ip)),
                Some(url::Host::Ipv6(ip)) if !under => Host::Address(IpAddr::V6(ip)),
                _ => return Err(format!("{raw}: not a host name")),
            };
            if !https && !matches!(host, Host::Address(_)) {
                return Err(format!(
                    "{raw}: only a test service named by its IP address may use http://"
                ));
            }
            let port = if any_port {
                None
            } else {
                url.port_or_known_default()
            };
            entries.push(Entry { https, host, port });
        }
        Ok(Self(entries))
    }

    /// Entries fit only for tests: plain http, or an address rather than a name.
    pub fn test_only_entries(&self) -> Vec<String> {
        self.0
            .iter()
            .filter(|e| !e.https || matches!(e.host, Host::Address(_)))
            .map(|e| match &e.host {
                Host::Address(ip) => ip.to_string(),
                Host::Name(n) | Host::Under(n) => n.clone(),
            })
            .collect()
    }

    /// Whether reminders may be posted to this address. A name that is allowed must still
    /// resolve to public addresses when the message is sent.
    pub fn allows(&self, endpoint: &str) -> bool {
        let Ok(url) = url::Url::parse(endpoint.trim()) else {
            return false;
        };
        if endpoint.len() > 2000 || !url.username().is_empty() || url.password().is_some() {
            return false;
        }
        let https = match url.scheme() {
            "https" => true,
            "http" => false,
            _ => return false,
        };
        let Some(port) = url.port_or_known_default() else {
            return false;
        };
        let host = match url.host() {
            Some(url::Host::Domain(d)) => Host::Name(d.to_ascii_lowercase()),
            Some(url::Host::Ipv4(ip)) => Host::Address(IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Host::Address(IpAddr::V6(ip)),
            None => return false,
        };
        self.0.iter().any(|e| {
            e.https == https
                && e.port.is_none_or(|p| p == port)
                && match (&e.host, &host) {
                    (Host::Name(a), Host::Name(b)) => a == b,
                    (Host::Under(a), Host::Name(b)) => {
                        b.strip_suffix(a.as_str()).is_some_and(|s| s.ends_with('.'))
                    }
                    (Host::Address(a), Host::Address(b)) => a == b,
                    _ => false,
                }
        })
    }
}

/// An address on the public internet: not loopback, private, link-local, shared (CGNAT),
/// multicast, documentation, benchmarking or otherwise reserved. Push services live there.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
                || (a == 198 && (18..20).contains(&b)) // benchmarking
                || a >= 240) // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || first == 0x0064 && v6.segments()[1] == 0xff9b) // NAT64, maps IPv4 inside
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_list_takes_the_push_services_browsers_use_and_nothing_else() {
        let services = PushServices::default();
        assert_eq!(services.0.len(), 4, "every built-in entry parses");
        for ok in [
            "https://fcm.googleapis.com/fcm/send/abc:def",
            "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
            "https://db5p.notify.windows.com/w/?token=BQYAAA",
            "https://web.push.apple.com/QGx0Zfk",
        ] {
            assert!(services.allows(ok), "{ok}");
        }
        for refused in [
            "http://fcm.googleapis.com/fcm/send/abc",
            "https://fcm.googleapis.com:8443/fcm/send/abc",
            "https://evilfcm.googleapis.com.example/x",
            "https://notify.windows.com.evil.example/x",
            "https://evilpush.services.mozilla.com/x",
            "https://127.0.0.1/internal-admin",
            "http://127.0.0.1:3000/internal-admin",
            "http://169.254.169.254/latest/meta-data/",
            "https://user:pw@fcm.googleapis.com/x",
            "javascript:alert(1)",
            "not a url",
        ] {
            assert!(!services.allows(refused), "{refused}");
        }
        assert!(services.test_only_entries().is_empty());
    }

    #[test]
    fn a_test_service_is_named_by_its_address_and_any_port_only_when_asked() {
        let services =
            PushServices::parse("https://fcm.googleapis.com, http://127.0.0.1:*").expect("parses");
        assert!(services.allows("http://127.0.0.1:41234/push/device"));
        assert!(!services.allows("http://127.0.0.2:41234/push/device"));
        assert!(!services.allows("http://localhost:41234/push/device"));
        assert_eq!(services.test_only_entries(), ["127.0.0.1"]);
        let one_port = PushServices::parse("http://127.0.0.1:9000").expect("parses");
        assert!(one_port.allows("http://127.0.0.1:9000/x"));
        assert!(!one_port.allows("http://127.0.0.1:9001/x"));
    }

    #[test]
    fn entries_that_are_not_push_services_are_refused_with_a_reason() {
        for bad in [
            "fcm.googleapis.com",
            "http://push.example.org",
            "https://*.",
            "https://bad host",
            "https://push.example.org:port",
        ] {
            assert!(PushServices::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn only_public_internet_addresses_count_as_public() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(
                !is_public(private.parse().expect("an address")),
                "{private}"
            );
        }
        for public in [
            "142.250.180.10",
            "2a00:1450:4009:81f::200a",
            "17.253.144.10",
        ] {
            assert!(is_public(public.parse().expect("an address")), "{public}");
        }
    }
}
