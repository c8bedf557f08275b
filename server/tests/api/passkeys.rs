//! Passkey ceremonies end to end over HTTP, with a software authenticator. It makes no resident
//! keys, so each test plays the browser's part: it asks for a non-resident key, names the
//! credential in the sign-in request, and adds the user handle a resident key would return
//! (the user handle is not signed, so the server's checks are exactly those a real passkey meets).
use std::sync::Arc;

use app::entities::{audit_event, passkey, session as session_row};
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use serde_json::json;
use uuid::Uuid;
use webauthn_authenticator_rs::WebauthnAuthenticator as _;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs_proto::{
    AllowCredentials, CreationChallengeResponse, PublicKeyCredential, RequestChallengeResponse,
    ResidentKeyRequirement,
};

use crate::db_test;
use crate::support::{ORIGIN, TestApp};

/// A browser: its own cookie jar, talking to one app.
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

impl Browser {
    pub fn new(app: &TestApp) -> Self {
        Self {
            client: app.client(),
            base: app.base.clone(),
        }
    }

    pub async fn form(&self, endpoint: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}/api/auth/{endpoint}", self.base))
            .form(fields)
            .send()
            .await
            .expect("post a form")
    }

    pub async fn json(&self, endpoint: &str, body: serde_json::Value) -> reqwest::Response {
        self.client
            .post(format!("{}/api/auth/{endpoint}", self.base))
            .json(&body)
            .send()
            .await
            .expect("post json")
    }

    pub async fn today(&self) -> u16 {
        self.client
            .get(format!("{}/today", self.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("get /today")
            .status()
            .as_u16()
    }
}

/// A person's authenticator, remembering the one credential it made.
pub struct Device {
    soft: SoftPasskey,
    pub credential_id: Option<Vec<u8>>,
    pub account: Uuid,
}

impl Device {
    pub fn new(account: Uuid) -> Self {
        Self {
            soft: SoftPasskey::new(true),
            credential_id: None,
            account,
        }
    }

    pub fn register(
        &mut self,
        origin: &str,
        mut options: CreationChallengeResponse,
    ) -> serde_json::Value {
        let sel = options
            .public_key
            .authenticator_selection
            .as_mut()
            .expect("selection");
        assert!(
            sel.require_resident_key,
            "the server asks browsers for a discoverable passkey"
        );
        sel.require_resident_key = false;
        sel.resident_key = Some(ResidentKeyRequirement::Discouraged);
        let cred = self
            .soft
            .do_registration(url::Url::parse(origin).expect("origin"), options)
            .expect("the soft passkey registers");
        self.credential_id = Some(cred.raw_id.clone());
        serde_json::to_value(cred).expect("credential to json")
    }

    pub fn assert(
        &mut self,
        origin: &str,
        mut options: RequestChallengeResponse,
    ) -> PublicKeyCredential {
        options.mediation = None;
        // A look-alike site relaying our challenge can only ask for its own relying party id.
        let url = url::Url::parse(origin).expect("origin");
        options.public_key.rp_id = url.host_str().expect("host").to_owned();
        options.public_key.allow_credentials = vec![AllowCredentials {
            type_: "public-key".into(),
            id: self.credential_id.clone().expect("registered first"),
            transports: None,
        }];
        let mut cred = self
            .soft
            .do_authentication(url::Url::parse(origin).expect("origin"), options)
            .expect("the soft passkey signs");
        cred.response.user_handle = Some(self.account.as_bytes().to_vec());
        cred
    }
}

pub async fn invite(app: &TestApp, name: &str) -> (Uuid, String) {
    let account = crate::support::make_account(app, name).await;
    let token = app::auth::invitation::create(
        &app.db,
        &app.clock,
        app::auth::invitation::NewInvitation {
            account_id: account,
            purpose: app::auth::invitation::Purpose::Patient,
            organisation_id: None,
            patient_id: None,
            invited_by: None,
        },
    )
    .await
    .expect("create an invitation");
    (account, token.0)
}

/// Signs up through the invitation; returns the browser (signed in) and the device.
pub async fn sign_up(app: &TestApp, name: &str) -> (Browser, Device) {
    let (_, browser, device) = sign_up_account(app, name).await;
    (browser, device)
}

/// As [`sign_up`], with the new account's id.
pub async fn sign_up_account(app: &TestApp, name: &str) -> (Uuid, Browser, Device) {
    let (account, token) = invite(app, name).await;
    let browser = Browser::new(app);
    let mut device = Device::new(account);
    let res = browser.form("sign_up_start", &[("token", &token)]).await;
    assert_eq!(res.status(), 200);
    let options: CreationChallengeResponse = res.json().await.expect("creation options");
    let credential = device.register(ORIGIN, options);
    let res = browser
        .json(
            "register_finish",
            json!({ "credential": credential, "name": "My phone" }),
        )
        .await;
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );
    (account, browser, device)
}

pub async fn sign_in(browser: &Browser, device: &mut Device, origin: &str) -> reqwest::Response {
    let res = browser.form("sign_in_start", &[]).await;
    assert_eq!(res.status(), 200);
    let options: RequestChallengeResponse = res.json().await.expect("request options");
    let credential = device.assert(origin, options);
    browser
        .json("sign_in_finish", json!({ "credential": credential }))
        .await
}

async fn audit_count(app: &TestApp, action: &str, outcome: &str) -> u64 {
    audit_event::Entity::find()
        .filter(audit_event::Column::Action.eq(action))
        .filter(audit_event::Column::Outcome.eq(outcome))
        .count(&app.db)
        .await
        .expect("count audit events")
}

db_test! {
    async fn invitation_sign_up_then_sign_out_and_usernameless_sign_in(app) {
        let (browser, mut device) = sign_up(&app, "Margaret Evans").await;
        assert_eq!(browser.today().await, 200, "signed in straight after sign-up");
        let res = browser.form("sign_out", &[]).await;
        assert_eq!(res.status(), 200);
        let clear = res.headers().get("clear-site-data").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert_eq!(clear, "\"cache\", \"storage\"", "the device keeps nothing after sign-out");
        assert_eq!(browser.today().await, 302, "signed out on the server");

        let res = sign_in(&browser, &mut device, ORIGIN).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap_or_default());
        assert_eq!(browser.today().await, 200);
        for action in ["sign_up", "sign_out", "sign_in"] {
            assert_eq!(audit_count(&app, action, "success").await, 1, "{action} is audited");
        }
        let stored = passkey::Entity::find().one(&app.db).await.expect("query").expect("a passkey");
        assert_eq!(stored.name, "My phone");
        assert!(stored.last_used_at.is_some());
    }
}

db_test! {
    async fn a_replayed_assertion_is_refused(app) {
        let (browser, mut device) = sign_up(&app, "Replay Target").await;
        browser.form("sign_out", &[]).await;
        let res = browser.form("sign_in_start", &[]).await;
        let options: RequestChallengeResponse = res.json().await.expect("options");
        let credential = device.assert(ORIGIN, options);
        let first = browser.json("sign_in_finish", json!({ "credential": credential })).await;
        assert_eq!(first.status(), 200);
        browser.form("sign_out", &[]).await;

        // Straight replay: the ceremony is gone.
        let replay = browser.json("sign_in_finish", json!({ "credential": credential })).await;
        assert_eq!(replay.status(), 422);
        // Replay into a fresh ceremony: the challenge does not match.
        browser.form("sign_in_start", &[]).await;
        let replay = browser.json("sign_in_finish", json!({ "credential": credential })).await;
        assert_eq!(replay.status(), 422);
        assert_eq!(browser.today().await, 302);
        assert!(audit_count(&app, "sign_in", "failure").await >= 2);
    }
}

db_test! {
    async fn twenty_concurrent_finishes_of_one_ceremony_make_exactly_one_session(app) {
        let (browser, mut device) = sign_up(&app, "Race Target").await;
        browser.form("sign_out", &[]).await;
        let res = browser.form("sign_in_start", &[]).await;
        let options: RequestChallengeResponse = res.json().await.expect("options");
        let credential = device.assert(ORIGIN, options);
        let browser = Arc::new(browser);
        let attempts = (0..20).map(|_| {
            let browser = browser.clone();
            let body = json!({ "credential": credential });
            tokio::spawn(async move { browser.json("sign_in_finish", body).await.status().as_u16() })
        });
        let statuses: Vec<u16> = futures::future::join_all(attempts)
            .await
            .into_iter()
            .map(|r| r.expect("task"))
            .collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "{statuses:?}");
        let signed_in = session_row::Entity::find()
            .filter(session_row::Column::AccountId.eq(device.account))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(signed_in, 1);
    }
}

db_test! {
    async fn an_assertion_made_for_another_origin_gets_no_session(app) {
        let (browser, mut device) = sign_up(&app, "Phished Person").await;
        browser.form("sign_out", &[]).await;
        let res = sign_in(&browser, &mut device, "https://alongside.evil.example").await;
        assert_eq!(res.status(), 422);
        assert_eq!(browser.today().await, 302);
    }
}

db_test! {
    async fn a_credential_id_registered_to_anyone_is_refused(app) {
        let (_, _) = sign_up(&app, "First Owner").await;
        let first = passkey::Entity::find().one(&app.db).await.expect("query").expect("passkey");

        let (second_account, token) = invite(&app, "Second Person").await;
        let browser = Browser::new(&app);
        let mut device = Device::new(second_account);
        let res = browser.form("sign_up_start", &[("token", &token)]).await;
        let options: CreationChallengeResponse = res.json().await.expect("options");
        let credential = device.register(ORIGIN, options);
        // Someone else already holds this credential id.
        let raw = device.credential_id.clone().expect("id");
        let id = {
            use base64::Engine as _;
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw.as_slice())
        };
        passkey::Entity::update_many()
            .col_expr(passkey::Column::CredentialId, sea_orm::sea_query::Expr::value(id))
            .filter(passkey::Column::Id.eq(first.id))
            .exec(&app.db)
            .await
            .expect("plant the duplicate");
        let res = browser.json("register_finish", json!({ "credential": credential, "name": "" })).await;
        assert_eq!(res.status(), 409);
        assert_eq!(browser.today().await, 302);
        let status = browser.form("invitation", &[("token", &token)]).await.text().await.unwrap_or_default();
        assert!(status.contains("Valid"), "the invitation is still unused: {status}");
    }
}

db_test! {
    async fn a_signature_counter_that_goes_backwards_is_refused_and_audited(app) {
        let (browser, mut device) = sign_up(&app, "Cloned Key").await;
        browser.form("sign_out", &[]).await;
        assert_eq!(sign_in(&browser, &mut device, ORIGIN).await.status(), 200);
        browser.form("sign_out", &[]).await;

        // The server has seen a much higher count than this authenticator will now send.
        let row = passkey::Entity::find().one(&app.db).await.expect("query").expect("passkey");
        let mut stored: serde_json::Value = serde_json::from_str(&row.passkey).expect("json");
        stored["cred"]["counter"] = json!(1000);
        passkey::Entity::update_many()
            .col_expr(passkey::Column::Passkey, sea_orm::sea_query::Expr::value(stored.to_string()))
            .col_expr(passkey::Column::Counter, sea_orm::sea_query::Expr::value(1000_i64))
            .filter(passkey::Column::Id.eq(row.id))
            .exec(&app.db)
            .await
            .expect("raise the stored counter");

        let res = sign_in(&browser, &mut device, ORIGIN).await;
        assert_eq!(res.status(), 422);
        assert_eq!(browser.today().await, 302);
        let flagged = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("sign_in"))
            .filter(audit_event::Column::Outcome.eq("failure"))
            .all(&app.db)
            .await
            .expect("audit");
        assert!(
            flagged.iter().any(|e| e.detail.as_deref().unwrap_or("").contains("counter went backwards")),
            "{flagged:?}"
        );
    }
}

db_test! {
    async fn expired_and_used_invitations_are_refused(app) {
        let (_, token) = invite(&app, "Late Person").await;
        let browser = Browser::new(&app);
        app.clock.advance(chrono::Duration::days(15));
        let status = browser.form("invitation", &[("token", &token)]).await.text().await.unwrap_or_default();
        assert!(status.contains("Expired"), "{status}");
        assert_eq!(browser.form("sign_up_start", &[("token", &token)]).await.status(), 422);

        let (account, token) = invite(&app, "Quick Person").await;
        let mut device = Device::new(account);
        let res = browser.form("sign_up_start", &[("token", &token)]).await;
        let options: CreationChallengeResponse = res.json().await.expect("options");
        let credential = device.register(ORIGIN, options);
        assert_eq!(browser.json("register_finish", json!({ "credential": credential, "name": "" })).await.status(), 200);
        let other = Browser::new(&app);
        let status = other.form("invitation", &[("token", &token)]).await.text().await.unwrap_or_default();
        assert!(status.contains("Used"), "{status}");
        assert_eq!(other.form("sign_up_start", &[("token", &token)]).await.status(), 422);
        let status = other.form("invitation", &[("token", "not-a-real-token")]).await.text().await.unwrap_or_default();
        assert!(status.contains("Unknown"), "{status}");
    }
}

db_test! {
    async fn a_recovery_code_sets_up_a_new_passkey_once(app) {
        let (browser, device) = sign_up(&app, "Forgetful Person").await;
        let codes: Vec<String> = browser.form("recovery_codes", &[]).await.json().await.expect("codes");
        assert_eq!(codes.len(), 10);

        let lost_phone = Browser::new(&app);
        let mut new_device = Device::new(device.account);
        let res = lost_phone.form("recover_start", &[("code", &codes[3].to_lowercase())]).await;
        assert_eq!(res.status(), 200);
        let options: CreationChallengeResponse = res.json().await.expect("options");
        let credential = new_device.register(ORIGIN, options);
        let res = lost_phone.json("register_finish", json!({ "credential": credential, "name": "New phone" })).await;
        assert_eq!(res.status(), 200);
        assert_eq!(lost_phone.today().await, 200);
        assert_eq!(audit_count(&app, "recovery_code", "success").await, 1);

        let again = Browser::new(&app);
        assert_eq!(again.form("recover_start", &[("code", &codes[3])]).await.status(), 422);
        assert_eq!(passkey::Entity::find().count(&app.db).await.expect("count"), 2);
    }
}

db_test! {
    async fn the_last_passkey_cannot_be_removed_and_removing_one_ends_its_sessions(app) {
        let (phone, mut first) = sign_up(&app, "Two Keys").await;
        let keys: Vec<serde_json::Value> = phone.form("passkeys", &[]).await.json().await.expect("list");
        assert_eq!(keys.len(), 1);
        let first_id = keys[0]["id"].as_str().expect("id").to_owned();
        assert_eq!(phone.form("passkey_remove", &[("id", &first_id)]).await.status(), 422);

        // Add a second passkey from a laptop signed in with the first.
        let laptop = Browser::new(&app);
        assert_eq!(sign_in(&laptop, &mut first, ORIGIN).await.status(), 200);
        let mut second = Device::new(first.account);
        let options: CreationChallengeResponse = laptop.form("passkey_add_start", &[]).await.json().await.expect("options");
        let credential = second.register(ORIGIN, options);
        assert_eq!(laptop.json("register_finish", json!({ "credential": credential, "name": "Laptop" })).await.status(), 200);
        assert_eq!(laptop.form("passkey_rename", &[("id", &first_id), ("name", "Old phone")]).await.status(), 200);

        // The laptop (signed in with the first passkey) removes it: the phone's session ends.
        let phone_before = phone.today().await;
        assert_eq!(phone_before, 200);
        assert_eq!(laptop.form("passkey_remove", &[("id", &first_id)]).await.status(), 200);
        assert_eq!(phone.today().await, 302, "a session made with the removed passkey ends");
        assert_eq!(laptop.today().await, 200, "the device making the change stays signed in");
        assert_eq!(audit_count(&app, "passkey_remove", "success").await, 1);
    }
}

db_test! {
    async fn a_person_sees_their_devices_and_can_end_one(app) {
        let (phone, mut device) = sign_up(&app, "Many Devices").await;
        let laptop = Browser::new(&app);
        assert_eq!(sign_in(&laptop, &mut device, ORIGIN).await.status(), 200);
        let devices: Vec<serde_json::Value> = laptop.form("devices", &[]).await.json().await.expect("devices");
        assert_eq!(devices.len(), 2);
        assert_eq!(devices.iter().filter(|d| d["this_device"] == json!(true)).count(), 1);
        let other = devices.iter().find(|d| d["this_device"] == json!(false)).expect("the phone");
        assert!(!other["handle"].as_str().unwrap_or("").is_empty());
        let handle = other["handle"].as_str().unwrap_or_default().to_owned();
        assert_eq!(laptop.form("device_end", &[("handle", &handle)]).await.status(), 200);
        assert_eq!(phone.today().await, 302, "ending a session takes effect on the next request");
        assert_eq!(laptop.today().await, 200);
        assert_eq!(audit_count(&app, "session_end", "success").await, 1);
    }
}

db_test! {
    async fn ceremony_endpoints_are_rate_limited_per_address(app) {
        let browser = Browser::new(&app);
        let mut statuses = Vec::new();
        for _ in 0..70 {
            statuses.push(browser.form("sign_in_start", &[]).await.status().as_u16());
        }
        assert!(statuses[..60].iter().all(|s| *s == 200), "{statuses:?}");
        // The quota refills one request a second, so a slow machine may see one or two more.
        let refused = statuses[60..].iter().filter(|s| **s == 429).count();
        assert!(refused >= 7, "{statuses:?}");
        // Signing out is not an attempt at anything: refused sign-ins from this address do not
        // keep anyone here signed in.
        let res = browser.form("sign_out", &[]).await;
        assert_ne!(res.status().as_u16(), 429, "signing out is never rate limited");
        assert_eq!(browser.form("sign_in_start", &[]).await.status().as_u16(), 429, "sign-in still is");
    }
}

async fn sign_in_starts_from(app: &TestApp, forwarded_for: &str, times: usize) -> Vec<u16> {
    let client = app.client();
    let mut statuses = Vec::new();
    for _ in 0..times {
        let res = client
            .post(app.url("/api/auth/sign_in_start"))
            .header("x-forwarded-for", forwarded_for)
            .send()
            .await
            .expect("post");
        statuses.push(res.status().as_u16());
    }
    statuses
}

#[tokio::test]
async fn the_attempts_each_address_may_make_a_minute_are_a_setting() {
    for backend in [
        crate::support::Backend::Sqlite,
        crate::support::Backend::Postgres,
    ] {
        let app = TestApp::spawn_with(backend, |c| c.attempts_per_address = 5).await;
        let browser = Browser::new(&app);
        let mut statuses = Vec::new();
        for _ in 0..7 {
            statuses.push(browser.form("sign_in_start", &[]).await.status().as_u16());
        }
        app.teardown().await;
        // Five at once, then one every 12 s: the sixth and seventh, a moment later, wait.
        assert_eq!(statuses, [200, 200, 200, 200, 200, 429, 429], "{backend:?}");
    }
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_address_has_its_own_limit() {
    let app = TestApp::spawn_with(crate::support::Backend::Sqlite, |c| c.behind_proxy = true).await;
    // The proxy appends the real client; anything before it is the client's own claim.
    let first = sign_in_starts_from(&app, "203.0.113.9, 198.51.100.1", 70).await;
    let second = sign_in_starts_from(&app, "203.0.113.9, 198.51.100.2", 1).await;
    app.teardown().await;
    assert!(
        first.iter().filter(|s| **s == 429).count() >= 7,
        "{first:?}"
    );
    assert_eq!(
        second,
        [200],
        "another client behind the same proxy is not held back"
    );
}

#[tokio::test]
async fn without_a_proxy_a_forged_forwarded_for_does_not_dodge_the_limit() {
    let app = TestApp::spawn(crate::support::Backend::Sqlite).await;
    let mut statuses = Vec::new();
    for i in 0..70 {
        statuses.extend(sign_in_starts_from(&app, &format!("198.51.100.{i}"), 1).await);
    }
    app.teardown().await;
    assert!(
        statuses.iter().filter(|s| **s == 429).count() >= 7,
        "{statuses:?}"
    );
}

db_test! {
    async fn signing_in_on_a_used_browser_starts_empty_and_ends_the_last_persons_session(app) {
        let (browser, margaret) = sign_up(&app, "Margaret Tester").await;
        let (_, mut david) = sign_up(&app, "David Tester").await;
        // Margaret leaves a form with a problem: her answer waits in her session.
        let res = browser
            .client
            .post(format!("{}/api/reminders/choices", app.base))
            .header("accept", "text/html")
            .header("origin", ORIGIN)
            .form(&[("kind_actions", "on"), ("agenda_days", "3"), ("time_1", "Margaret private words"), ("time_zone", "Europe/London")])
            .send()
            .await
            .expect("post");
        assert_eq!(res.status(), 302, "back to the form");
        let before: Vec<String> = session_row::Entity::find().all(&app.db).await.expect("rows").into_iter().map(|r| r.id).collect();

        // David signs in on the same browser without her signing out.
        assert_eq!(sign_in(&browser, &mut david, ORIGIN).await.status(), 200);
        let html = browser
            .client
            .get(format!("{}/account/reminders", app.base))
            .header("accept", "text/html")
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("page");
        assert!(!html.contains("Margaret private words"), "David never sees her answers");
        assert!(!html.contains("There is a problem"), "nor her form's problems");
        let rows = session_row::Entity::find().all(&app.db).await.expect("rows");
        assert!(rows.iter().all(|r| r.account_id != Some(margaret.account)), "her session ended");
        let new: Vec<_> = rows.iter().filter(|r| !before.contains(&r.id)).collect();
        assert_eq!(new.len(), 1, "one new session, under a new id");
        assert_eq!(new[0].account_id, Some(david.account));
        let data: serde_json::Value = serde_json::from_slice(&new[0].data).expect("json");
        let keys: Vec<&str> = data.as_object().expect("object").keys().map(String::as_str).collect();
        assert!(!keys.contains(&"flash"), "nothing carried over: {keys:?}");
    }
}

db_test! {
    async fn every_instance_counts_toward_one_sign_in_limit_and_old_counts_are_forgotten(app) {
        use sea_orm::ConnectionTrait as _;
        let prepared = server::prepare_with(app.config.clone(), Arc::new(app.clock.clone()), app.db.clone(), app.target.clone()).await.expect("a second instance");
        let second = server::spawn(prepared).await.expect("start it");
        let second_base = format!("http://{}", second.addr);
        let starts = |base: String, times: usize| {
            let client = app.client();
            async move {
                let mut statuses = Vec::new();
                for _ in 0..times {
                    let res = client.post(format!("{base}/api/auth/sign_in_start")).send().await.expect("post");
                    statuses.push(res.status().as_u16());
                }
                statuses
            }
        };
        // 40 attempts from one address at the first instance, then 30 at the second: the
        // second knows of the first 40, so only 20 more fit in the burst of 60.
        let first = starts(app.base.clone(), 40).await;
        let other = starts(second_base.clone(), 30).await;
        assert!(first.iter().all(|s| *s == 200), "{first:?}");
        assert_eq!(other.iter().filter(|s| **s == 200).count(), 20, "{other:?}");
        assert_eq!(other.iter().filter(|s| **s == 429).count(), 10, "{other:?}");
        // Then one more a second: two seconds later, two more, not three.
        app.clock.advance(chrono::Duration::seconds(2));
        let later = starts(second_base.clone(), 3).await;
        assert_eq!(later, [200, 200, 429], "{later:?}");
        // A minute later the whole burst is back.
        app.clock.advance(chrono::Duration::minutes(1));
        assert_eq!(starts(second_base, 1).await, [200]);
        // Counts are kept by hashed address only, and forgotten after ten minutes.
        let count = || async {
            let row = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), "SELECT COUNT(*) AS n FROM rate_limits WHERE key LIKE '%127.0.0.1%'")).await.expect("count").expect("a row");
            row.try_get::<i64>("", "n").expect("n")
        };
        assert_eq!(count().await, 0, "no address is stored as it is");
        app.clock.advance(chrono::Duration::minutes(11));
        app::state::limits::forget_old(&app.db, app::clock::Clock::now(&app.clock)).await.expect("forget");
        let left = app.db.query_one_raw(sea_orm::Statement::from_string(app.db.get_database_backend(), "SELECT COUNT(*) AS n FROM rate_limits")).await.expect("count").expect("a row");
        assert_eq!(left.try_get::<i64>("", "n").expect("n"), 0);
        second.stop().await;
    }
}

db_test! {
    async fn staff_land_on_upcoming_reviews_after_signing_in_and_everyone_else_on_today(app) {
        let (browser, mut device) = sign_up(&app, "Margaret Evans").await;
        browser.form("sign_out", &[]).await;
        let res = sign_in(&browser, &mut device, ORIGIN).await;
        assert_eq!(res.text().await.unwrap_or_default(), "\"/today\"");

        let someone = crate::plan::make_patient(&app, "Dora Tester", "9434765919").await;
        let (nurse, nurse_browser, mut nurse_device) = sign_up_account(&app, "Nurse Ellie Hart").await;
        let org = app::entities::patient::Entity::find_by_id(someone.patient_id)
            .one(&app.db)
            .await
            .unwrap()
            .unwrap()
            .organisation_id;
        sea_orm::ActiveModelTrait::insert(
            app::entities::membership::ActiveModel {
                account_id: sea_orm::Set(nurse),
                organisation_id: sea_orm::Set(org),
                role: sea_orm::Set("clinician".into()),
                created_at: sea_orm::Set(app.now()),
            },
            &app.db,
        )
        .await
        .unwrap();
        nurse_browser.form("sign_out", &[]).await;
        let res = sign_in(&nurse_browser, &mut nurse_device, ORIGIN).await;
        assert_eq!(res.text().await.unwrap_or_default(), "\"/team/reviews\"");
    }
}
