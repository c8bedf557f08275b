//! A push service for the tests and the reminders benchmark. It checks what a real one checks
//! before it accepts a message: the VAPID `Authorization` header (an ES256 JWT signed by the
//! key it names, that key being the server's published one, `aud` this service's origin, `exp`
//! no more than 24 hours ahead, a `sub` to contact), `Content-Encoding: aes128gcm`, a `TTL`,
//! a well-formed `Topic`, and the 4 KB size limit. Then, as the browser would, it decrypts the
//! message with the subscription's private key and auth secret (RFC 8291), so a test can read
//! exactly what a person's device would show. Each device can be told how to answer.
#![allow(dead_code)]
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier as _;
use p256::ecdsa::{Signature, VerifyingKey};

/// How a device's push service answers its next message.
#[derive(Clone, Debug)]
pub enum Reply {
    Created,
    /// A status, with a `Retry-After` value when given.
    Status(u16, Option<&'static str>),
    /// Never answers.
    Stall,
    /// Answers `Created`, but only once the test opens the gate.
    Hold(Gate),
}

/// Holds a message's answer until the test says: the test learns the message has arrived,
/// does what it must while the sender waits, then lets the answer go.
#[derive(Clone, Debug, Default)]
pub struct Gate {
    arrived: Arc<tokio::sync::Notify>,
    open: Arc<tokio::sync::Notify>,
}

impl Gate {
    /// Waits until a held message has arrived.
    pub async fn arrived(&self) {
        self.arrived.notified().await;
    }

    /// Lets the held answer go.
    pub fn open(&self) {
        self.open.notify_one();
    }
}

/// A browser's subscription, as the page would send it to the server.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub endpoint: String,
    pub p256dh: String,
    pub auth: String,
}

impl Subscription {
    /// The row the server keeps for it, for tests that set up many devices at once.
    pub fn row(
        self,
        account: uuid::Uuid,
        now: chrono::DateTime<chrono::Utc>,
    ) -> app::entities::push_subscription::ActiveModel {
        use sea_orm::Set;
        app::entities::push_subscription::ActiveModel {
            id: Set(uuid::Uuid::new_v4()),
            account_id: Set(account),
            endpoint: Set(self.endpoint),
            p256dh: Set(self.p256dh),
            auth: Set(self.auth),
            label: Set("Chrome on Android".into()),
            session_id: Set(None),
            created_at: Set(now),
            last_sent_at: Set(None),
        }
    }
}

struct Device {
    keys: ece::EcKeyComponents,
    auth: Vec<u8>,
    script: VecDeque<Reply>,
}

/// A message accepted for a device, decrypted.
#[derive(Clone, Debug)]
pub struct Received {
    pub device: String,
    pub topic: Option<String>,
    pub ttl: u32,
    pub urgency: Option<String>,
    pub claims: serde_json::Value,
    pub payload: serde_json::Value,
}

struct Shared {
    origin: String,
    server_key: Vec<u8>,
    decrypt: bool,
    devices: Mutex<HashMap<String, Device>>,
    received: Mutex<Vec<Received>>,
    /// Every message that arrived, accepted or not, by device.
    attempts: Mutex<HashMap<String, usize>>,
    /// Why messages were refused, for tests to show.
    rejected: Mutex<Vec<String>>,
    /// Tokens already checked (a real service would cache them too).
    good_tokens: Mutex<HashSet<String>>,
}

pub struct MockPush {
    pub origin: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

fn now_unix() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl MockPush {
    /// Starts on a free port of 127.0.0.1. `server_key` is the VAPID public key (base64url)
    /// the server publishes; `decrypt` is off only in the benchmark, where a real push service
    /// would not decrypt either.
    pub async fn start(server_key: &str, decrypt: bool) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the mock push service");
        let origin = format!("http://{}", listener.local_addr().expect("address"));
        let shared = Arc::new(Shared {
            origin: origin.clone(),
            server_key: URL_SAFE_NO_PAD
                .decode(server_key)
                .expect("server key is base64url"),
            decrypt,
            devices: Mutex::new(HashMap::new()),
            received: Mutex::new(Vec::new()),
            attempts: Mutex::new(HashMap::new()),
            rejected: Mutex::new(Vec::new()),
            good_tokens: Mutex::new(HashSet::new()),
        });
        let app = Router::new()
            .route("/push/{id}", post(receive))
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.ok();
        });
        Self {
            origin,
            shared,
            task,
        }
    }

    /// A new device subscribed with this service: its endpoint and keys.
    pub fn device(&self, id: &str) -> Subscription {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().expect("device keys");
        let keys = pair.raw_components().expect("key components");
        let sub = Subscription {
            endpoint: format!("{}/push/{id}", self.origin),
            p256dh: URL_SAFE_NO_PAD.encode(pair.pub_as_raw().expect("public key")),
            auth: URL_SAFE_NO_PAD.encode(auth),
        };
        self.shared.devices.lock().unwrap().insert(
            id.to_owned(),
            Device {
                keys,
                auth: auth.to_vec(),
                script: VecDeque::new(),
            },
        );
        sub
    }

    /// The device's next answers, in order; `Created` once they run out.
    pub fn script(&self, id: &str, replies: &[Reply]) {
        if let Some(d) = self.shared.devices.lock().unwrap().get_mut(id) {
            d.script.extend(replies.iter().cloned());
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.shared.received.lock().unwrap().clone()
    }

    pub fn received_by(&self, id: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.device == id)
            .collect()
    }

    pub fn accepted(&self) -> usize {
        self.shared.received.lock().unwrap().len()
    }

    pub fn attempts(&self, id: &str) -> usize {
        self.shared
            .attempts
            .lock()
            .unwrap()
            .get(id)
            .copied()
            .unwrap_or(0)
    }

    pub fn rejected(&self) -> Vec<String> {
        self.shared.rejected.lock().unwrap().clone()
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

/// Decrypts an aes128gcm message (RFC 8188 with RFC 8291 keys) as the browser does.
pub fn decrypt(private: &[u8], public: &[u8], auth: &[u8], body: &[u8]) -> Result<Vec<u8>, String> {
    let keys = ece::EcKeyComponents::new(private.to_vec(), public.to_vec());
    ece::decrypt(&keys, auth, body).map_err(|e| e.to_string())
}

fn refuse(shared: &Shared, status: StatusCode, why: String) -> Response {
    shared.rejected.lock().unwrap().push(why.clone());
    (status, why).into_response()
}

/// Checks the VAPID header; the JWT's claims when it is good.
fn check_vapid(shared: &Shared, headers: &HeaderMap) -> Result<serde_json::Value, String> {
    let value = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .ok_or("no Authorization header")?;
    let rest = value
        .strip_prefix("vapid ")
        .ok_or("not a vapid Authorization")?;
    let mut token = None;
    let mut key = None;
    for part in rest.split(',') {
        let part = part.trim();
        if let Some(t) = part.strip_prefix("t=") {
            token = Some(t.to_owned());
        } else if let Some(k) = part.strip_prefix("k=") {
            key = Some(k.to_owned());
        }
    }
    let (token, key) = (token.ok_or("no t=")?, key.ok_or("no k=")?);
    let key = URL_SAFE_NO_PAD
        .decode(key)
        .map_err(|_| "k is not base64url")?;
    if key != shared.server_key {
        return Err("k is not the server's published key".into());
    }
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("the JWT does not have three parts".into());
    };
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(h).map_err(|_| "bad JWT header")?)
            .map_err(|_| "bad JWT header")?;
    if header["alg"] != "ES256" {
        return Err(format!("JWT alg is {}", header["alg"]));
    }
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(c).map_err(|_| "bad JWT claims")?)
            .map_err(|_| "bad JWT claims")?;
    if !shared.good_tokens.lock().unwrap().contains(&token) {
        let verifying = VerifyingKey::from_sec1_bytes(&key).map_err(|_| "k is not a P-256 key")?;
        let signature =
            Signature::from_slice(&URL_SAFE_NO_PAD.decode(s).map_err(|_| "bad JWT signature")?)
                .map_err(|_| "bad JWT signature")?;
        verifying
            .verify(format!("{h}.{c}").as_bytes(), &signature)
            .map_err(|_| "the JWT signature does not verify with k")?;
        shared.good_tokens.lock().unwrap().insert(token.clone());
    }
    if claims["aud"] != shared.origin.as_str() {
        return Err(format!("aud is {}, not {}", claims["aud"], shared.origin));
    }
    let exp = claims["exp"].as_u64().ok_or("no exp")?;
    let now = now_unix();
    if exp <= now || exp > now + 24 * 3600 {
        return Err(format!(
            "exp is {} seconds from now",
            exp as i64 - now as i64
        ));
    }
    let sub = claims["sub"].as_str().unwrap_or("");
    if !(sub.starts_with("mailto:") || sub.starts_with("https:")) {
        return Err(format!("sub is {sub:?}"));
    }
    Ok(claims)
}

async fn receive(
    State(shared): State<Arc<Shared>>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    *shared
        .attempts
        .lock()
        .unwrap()
        .entry(id.clone())
        .or_default() += 1;
    let device = {
        let mut devices = shared.devices.lock().unwrap();
        let Some(d) = devices.get_mut(&id) else {
            return (StatusCode::NOT_FOUND, "no such subscription").into_response();
        };
        (d.keys.clone(), d.auth.clone(), d.script.pop_front())
    };
    let claims = match check_vapid(&shared, &headers) {
        Ok(c) => c,
        Err(why) => return refuse(&shared, StatusCode::FORBIDDEN, why),
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    if header("content-encoding").as_deref() != Some("aes128gcm") {
        return refuse(
            &shared,
            StatusCode::BAD_REQUEST,
            "Content-Encoding is not aes128gcm".into(),
        );
    }
    let Some(ttl) = header("ttl").and_then(|t| t.parse::<u32>().ok()) else {
        return refuse(&shared, StatusCode::BAD_REQUEST, "no TTL".into());
    };
    let topic = header("topic");
    if let Some(t) = &topic
        && (t.len() > 32
            || !t
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
    {
        return refuse(&shared, StatusCode::BAD_REQUEST, format!("bad Topic {t}"));
    }
    if body.len() > 4096 {
        return refuse(
            &shared,
            StatusCode::PAYLOAD_TOO_LARGE,
            "over 4096 bytes".into(),
        );
    }
    match device.2 {
        Some(Reply::Stall) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            return StatusCode::GATEWAY_TIMEOUT.into_response();
        }
        Some(Reply::Status(code, retry_after)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return match retry_after {
                Some(after) => (status, [("retry-after", after)]).into_response(),
                None => status.into_response(),
            };
        }
        Some(Reply::Hold(gate)) => {
            gate.arrived.notify_one();
            gate.open.notified().await;
        }
        Some(Reply::Created) | None => {}
    }
    let payload = if shared.decrypt {
        match ece::decrypt(&device.0, &device.1, &body) {
            Ok(plain) => match serde_json::from_slice(&plain) {
                Ok(v) => v,
                Err(_) => {
                    return refuse(
                        &shared,
                        StatusCode::BAD_REQUEST,
                        "the message is not JSON".into(),
                    );
                }
            },
            Err(e) => {
                return refuse(
                    &shared,
                    StatusCode::BAD_REQUEST,
                    format!("cannot decrypt: {e}"),
                );
            }
        }
    } else {
        serde_json::Value::Null
    };
    shared.received.lock().unwrap().push(Received {
        device: id.clone(),
        topic,
        ttl,
        urgency: header("urgency"),
        claims,
        payload,
    });
    (
        StatusCode::CREATED,
        [(
            "location",
            format!("{}/message/{}", shared.origin, uuid::Uuid::new_v4()),
        )],
    )
        .into_response()
}
