//! Sends one push message to one device: signed with our VAPID key and encrypted (aes128gcm)
//! by the `web-push` crate, and sent with one shared reqwest client, so connections to a push
//! service are pooled (an https push service speaks HTTP/2 to it, many sends on one
//! connection). Every send has a timeout; the answer is sorted into what the queue needs.
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::entities::push_subscription;
use app::reminders::queue::DeviceOutcome;
use app::reminders::schedule::parse_retry_after;
use app::state::push_services::{PushServices, is_public};
use chrono::{DateTime, Utc};
use web_push::{
    ContentEncoding, SubscriptionInfo, Urgency, VapidSignature, WebPushError,
    WebPushMessageBuilder, request_builder,
};

use super::vapid::VapidKey;

/// Looks push services' names up and keeps only public internet addresses, so a name that
/// points inside our network (or is changed to, after it was checked) is never reached.
/// Addresses written as such in an allowed entry (a local test service) are not looked up.
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(format!("{host} has no public internet address").into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// A signature names its push service (`aud`) and lasts 12 hours; we reuse one for an hour.
const SIGNATURE_REUSE: Duration = Duration::from_secs(3600);

pub struct Sender {
    client: reqwest::Client,
    key: VapidKey,
    /// Where messages may go; checked again before each send (a device saved under an older
    /// setting, or a row written some other way, is never trusted).
    services: PushServices,
    /// The `sub` claim: how a push service's operator can reach ours.
    contact: String,
    signatures: Mutex<HashMap<String, (VapidSignature, Instant)>>,
}

impl std::fmt::Debug for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sender")
            .field("key", &self.key)
            .field("contact", &self.contact)
            .finish_non_exhaustive()
    }
}

/// `scheme://host[:port]` of an endpoint: the audience its push service checks. (web-push's
/// own default leaves the port out.)
pub fn audience(endpoint: &str) -> Option<String> {
    let url = url::Url::parse(endpoint).ok()?;
    let origin = url.origin();
    origin.is_tuple().then(|| origin.ascii_serialization())
}

impl Sender {
    pub fn new(
        key: VapidKey,
        services: PushServices,
        contact: String,
        timeout: Duration,
        concurrency: usize,
    ) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .pool_max_idle_per_host(concurrency)
            .user_agent("Alongside reminders")
            // A push service answers; it never sends us on somewhere else.
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(PublicOnly))
            .build()?;
        Ok(Self {
            client,
            key,
            services,
            contact,
            signatures: Mutex::new(HashMap::new()),
        })
    }

    pub fn public_key(&self) -> &str {
        &self.key.public_key
    }

    fn signature(
        &self,
        info: &SubscriptionInfo,
        aud: &str,
    ) -> Result<VapidSignature, WebPushError> {
        if let Ok(cache) = self.signatures.lock()
            && let Some((sig, at)) = cache.get(aud)
            && at.elapsed() < SIGNATURE_REUSE
        {
            return Ok(sig.clone());
        }
        let mut builder = self.key.signer.clone().add_sub_info(info);
        builder.add_claim("sub", self.contact.as_str());
        builder.add_claim("aud", aud);
        let sig = builder.build()?;
        if let Ok(mut cache) = self.signatures.lock() {
            cache.insert(aud.to_owned(), (sig.clone(), Instant::now()));
        }
        Ok(sig)
    }

    /// Sends `payload` (at most about 3 KB: the crate refuses more) to one device.
    pub async fn send(
        &self,
        device: &push_subscription::Model,
        payload: &[u8],
        topic: &str,
        ttl: u32,
        now: DateTime<Utc>,
    ) -> DeviceOutcome {
        let info = SubscriptionInfo::new(
            device.endpoint.as_str(),
            device.p256dh.as_str(),
            device.auth.as_str(),
        );
        let Some(aud) = audience(&device.endpoint) else {
            return DeviceOutcome::Failed("not a push address".into());
        };
        if !self.services.allows(&device.endpoint) {
            return DeviceOutcome::Failed("not a push service we send to".into());
        }
        let message = (|| {
            let mut builder = WebPushMessageBuilder::new(&info);
            builder.set_payload(ContentEncoding::Aes128Gcm, payload);
            builder.set_vapid_signature(self.signature(&info, &aud)?);
            builder.set_ttl(ttl);
            builder.set_topic(topic.to_owned());
            builder.set_urgency(Urgency::Normal);
            builder.build()
        })();
        let message = match message {
            Ok(m) => m,
            Err(WebPushError::PayloadTooLarge) => {
                return DeviceOutcome::Failed("message too large".into());
            }
            Err(_) => return DeviceOutcome::Failed("the device's keys are not usable".into()),
        };
        let (parts, body) = request_builder::build_request::<Vec<u8>>(message).into_parts();
        let mut request = self.client.post(parts.uri.to_string()).body(body);
        for (name, value) in &parts.headers {
            request = request.header(name.as_str(), value.as_bytes());
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => {
                return DeviceOutcome::Retry {
                    after: None,
                    reason: "timed out".into(),
                };
            }
            Err(_) => {
                return DeviceOutcome::Retry {
                    after: None,
                    reason: "could not reach the push service".into(),
                };
            }
        };
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now));
        // Read the (small) answer so the connection can carry the next message.
        let finished = response.bytes().await.is_ok();
        match status {
            200..=299 if finished => DeviceOutcome::Delivered,
            200..=299 => DeviceOutcome::Retry {
                after: None,
                reason: "the answer was cut off".into(),
            },
            404 | 410 => DeviceOutcome::Gone,
            429 | 500..=599 => DeviceOutcome::Retry {
                after: retry_after,
                reason: format!("push service answered {status}"),
            },
            _ => DeviceOutcome::Failed(format!("push service answered {status}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{PublicOnly, audience};
    use reqwest::dns::Resolve as _;

    #[tokio::test]
    async fn a_name_that_leads_into_our_own_network_is_never_reached() {
        let name = "localhost".parse().expect("a name");
        let Err(why) = PublicOnly.resolve(name).await else {
            panic!("localhost resolved to an address we would post to");
        };
        assert!(
            why.to_string().contains("no public internet address"),
            "{why}"
        );
    }

    #[test]
    fn the_audience_is_the_endpoints_origin_with_its_port() {
        assert_eq!(
            audience("https://fcm.googleapis.com/fcm/send/abc").as_deref(),
            Some("https://fcm.googleapis.com")
        );
        assert_eq!(
            audience("http://127.0.0.1:4567/push/1").as_deref(),
            Some("http://127.0.0.1:4567")
        );
        assert_eq!(audience("not a url"), None);
    }
}
