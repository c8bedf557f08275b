use app::entities::{audit_event, patient};
use sea_orm::{ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _};
use serde_json::json;

use crate::db_test;
use crate::passkeys::{Browser, Device};
use crate::support::{ORIGIN, TestApp};

/// Signs a demo person up through their printed invitation link.
async fn sign_up_with_link(app: &TestApp, link: &str) -> Browser {
    let token = link
        .split("token=")
        .nth(1)
        .expect("token in link")
        .to_owned();
    let browser = Browser::new(app);
    let status: serde_json::Value = browser
        .form("invitation", &[("token", &token)])
        .await
        .json()
        .await
        .expect("status");
    assert!(status.get("Valid").is_some(), "{status}");
    let res = browser.form("sign_up_start", &[("token", &token)]).await;
    let options: webauthn_rs_proto::CreationChallengeResponse = res.json().await.expect("options");
    let account = uuid::Uuid::from_slice(options.public_key.user.id.as_ref())
        .expect("user id is the account");
    let mut device = Device::new(account);
    let credential = device.register(ORIGIN, options);
    let res = browser
        .json(
            "register_finish",
            json!({ "credential": credential, "name": "" }),
        )
        .await;
    assert_eq!(res.status(), 200);
    browser
}

db_test! {
    async fn care_team_gives_their_patient_a_new_link_and_the_old_one_stops(app) {
        let invites = demo::seed_demo(&app.state.app).await.expect("seed");
        let link_for = |name: &str| invites.iter().find(|i| i.name == name).and_then(|i| i.link.clone()).expect("link");
        let doctor = sign_up_with_link(&app, &link_for("Dr Priya Shah")).await;
        let old_link = link_for("Margaret Evans");
        let margaret = patient::Entity::find()
            .filter(patient::Column::GivenName.eq("Margaret"))
            .one(&app.db)
            .await
            .expect("query")
            .and_then(|p| p.account_id)
            .expect("Margaret's account");

        let page: serde_json::Value = doctor.form("team_invitations", &[]).await.json().await.expect("page");
        let people = page["people"].as_array().expect("people");
        assert_eq!(people.len(), 4, "the other staff member and three patients, never herself");
        assert!(page["new_link"].is_null());

        let res = doctor.form("reinvite", &[("account_id", &margaret.to_string())]).await;
        assert_eq!(res.status(), 200);
        let page: serde_json::Value = doctor.form("team_invitations", &[]).await.json().await.expect("page");
        let new_link = page["new_link"]["link"].as_str().expect("the new link is shown once").to_owned();
        assert_eq!(page["new_link"]["name"], json!("Margaret Evans"));
        let again: serde_json::Value = doctor.form("team_invitations", &[]).await.json().await.expect("page");
        assert!(again["new_link"].is_null(), "and only once");

        let anyone = Browser::new(&app);
        let token = |l: &str| l.split("token=").nth(1).unwrap_or_default().to_owned();
        let new_status: serde_json::Value = anyone.form("invitation", &[("token", &token(&new_link))]).await.json().await.expect("status");
        assert_eq!(new_status["Valid"]["invited_by"], json!("Dr Priya Shah"));
        let old_status: serde_json::Value = anyone.form("invitation", &[("token", &token(&old_link))]).await.json().await.expect("status");
        assert_eq!(old_status, json!("Expired"));
        let audited = audit_event::Entity::find()
            .filter(audit_event::Column::Action.eq("invitation_created"))
            .filter(audit_event::Column::SubjectAccountId.eq(margaret))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(audited, 1);
    }
}

db_test! {
    async fn only_the_persons_own_care_team_can_reinvite_them(app) {
        let invites = demo::seed_demo(&app.state.app).await.expect("seed");
        let link_for = |name: &str| invites.iter().find(|i| i.name == name).and_then(|i| i.link.clone()).expect("link");
        let margaret_browser = sign_up_with_link(&app, &link_for("Margaret Evans")).await;
        let david = patient::Entity::find()
            .filter(patient::Column::GivenName.eq("David"))
            .one(&app.db)
            .await
            .expect("query")
            .and_then(|p| p.account_id)
            .expect("David's account");

        // A patient is not care team.
        assert_eq!(margaret_browser.form("reinvite", &[("account_id", &david.to_string())]).await.status(), 404);
        assert_eq!(margaret_browser.form("team_invitations", &[]).await.status(), 404);

        // Staff of another organisation get the same answer as for a missing person.
        let hillside = app::care_team::enrol::operator::FirstAdmin {
            name: "Other Admin",
            organisation: "Hillside Surgery",
            kind: "gp_practice",
            ods_code: None,
            also_role: None,
        };
        let (_, _, other_link) = app::care_team::enrol::operator::first_admin(&app.db, &app.clock, ORIGIN, &hillside)
            .await
            .expect("invite admin");
        let other_admin = sign_up_with_link(&app, &other_link).await;
        assert_eq!(other_admin.form("reinvite", &[("account_id", &david.to_string())]).await.status(), 404);
        assert_eq!(other_admin.form("reinvite", &[("account_id", &uuid::Uuid::new_v4().to_string())]).await.status(), 404);
        let page: serde_json::Value = other_admin.form("team_invitations", &[]).await.json().await.expect("page");
        assert_eq!(page["people"].as_array().map(Vec::len), Some(0), "only their own organisation, where there is no one else");
    }
}

/// A member of the demo practice in `role`, signed in (a session made directly).
async fn practice_member(app: &TestApp, name: &str, role: &str) -> (uuid::Uuid, String) {
    use sea_orm::{ActiveModelTrait as _, Set};
    let practice = app::entities::organisation::Entity::find()
        .filter(app::entities::organisation::Column::Name.eq("Riverside Medical Practice"))
        .one(&app.db)
        .await
        .expect("query")
        .expect("the demo practice");
    let account = crate::support::make_account(app, name).await;
    app::entities::membership::ActiveModel {
        account_id: Set(account),
        organisation_id: Set(practice.id),
        role: Set(role.into()),
        created_at: Set(app::clock::Clock::now(&app.clock)),
    }
    .insert(&app.db)
    .await
    .expect("membership");
    (
        account,
        crate::support::session_cookie_for(app, account).await,
    )
}

async fn post_as(
    app: &TestApp,
    cookie: &str,
    endpoint: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.client()
        .post(app.url(&format!("/api/auth/{endpoint}")))
        .header("cookie", cookie)
        .header("origin", ORIGIN)
        .form(fields)
        .send()
        .await
        .expect("post")
}

async fn invitations_of(
    app: &TestApp,
    account: uuid::Uuid,
) -> Vec<app::entities::invitation::Model> {
    app::entities::invitation::Entity::find()
        .filter(app::entities::invitation::Column::AccountId.eq(account))
        .all(&app.db)
        .await
        .expect("invitations")
}

db_test! {
    async fn a_healthcare_assistant_cannot_take_over_an_account_and_a_recovery_link_needs_a_second_approver(app) {
        let invites = demo::seed_demo(&app.state.app).await.expect("seed");
        let link_for = |name: &str| invites.iter().find(|i| i.name == name).and_then(|i| i.link.clone()).expect("link");
        let gp_browser = sign_up_with_link(&app, &link_for("Dr Priya Shah")).await;
        let hca = sign_up_with_link(&app, &link_for("Sam Okafor")).await;
        let margaret_browser = sign_up_with_link(&app, &link_for("Margaret Evans")).await;
        let db = app.db.clone();
        let account_of = |name: &'static str| {
            let db = db.clone();
            async move {
                app::entities::account::Entity::find()
                    .filter(app::entities::account::Column::DisplayName.eq(name))
                    .one(&db)
                    .await
                    .expect("query")
                    .expect("account")
                    .id
            }
        };
        let gp = account_of("Dr Priya Shah").await;
        let margaret = account_of("Margaret Evans").await;
        let before = (invitations_of(&app, gp).await.len(), invitations_of(&app, margaret).await.len());

        // The healthcare assistant can make no link: not for the GP, not for a patient.
        assert_eq!(hca.form("team_invitations", &[]).await.status(), 404);
        assert_eq!(hca.form("reinvite", &[("account_id", &gp.to_string())]).await.status(), 404);
        assert_eq!(hca.form("reinvite", &[("account_id", &margaret.to_string())]).await.status(), 404);
        let margaret_patient = patient::Entity::find().filter(patient::Column::AccountId.eq(margaret)).one(&app.db).await.expect("query").expect("patient");
        let res = hca.client.post(app.url("/api/team/new_letter")).header("origin", ORIGIN).form(&[("patient_id", margaret_patient.id.to_string())]).send().await.expect("post");
        assert_eq!(res.status(), 404);
        assert_eq!((invitations_of(&app, gp).await.len(), invitations_of(&app, margaret).await.len()), before, "no link was made");

        // The GP (an administrator) asks for a link for Margaret, who has a passkey: a recovery link.
        assert_eq!(gp_browser.form("reinvite", &[("account_id", &margaret.to_string())]).await.status(), 200);
        let page: serde_json::Value = gp_browser.form("team_invitations", &[]).await.json().await.expect("page");
        let link = page["new_link"]["link"].as_str().expect("the link is shown once").to_owned();
        let token = link.split("token=").nth(1).expect("token").to_owned();
        let pending = &page["pending"][0];
        assert_eq!(pending["name"], json!("Margaret Evans"));
        assert_eq!(pending["can_approve"], json!(false), "not by whoever asked");
        let recovery = invitations_of(&app, margaret).await.into_iter().find(|i| i.recovery).expect("a recovery link");
        assert_eq!(recovery.expires_at - recovery.created_at, chrono::Duration::hours(24));

        // It does not work until someone else approves it, and she cannot approve her own.
        let attacker = crate::passkeys::Browser::new(&app);
        let status: serde_json::Value = attacker.form("invitation", &[("token", &token)]).await.json().await.expect("status");
        assert_eq!(status, json!("AwaitingApproval"));
        assert_eq!(attacker.form("sign_up_start", &[("token", &token)]).await.status(), 422);
        let id = recovery.id.to_string();
        let res = gp_browser.form("approve_recovery", &[("invitation_id", &id)]).await;
        assert_eq!(res.status(), 422);
        assert!(res.text().await.unwrap_or_default().contains("Someone else"));
        assert_eq!(hca.form("approve_recovery", &[("invitation_id", &id)]).await.status(), 404, "nor a healthcare assistant");
        let (_, nurse) = practice_member(&app, "Nurse Ellie Hart", "care_coordinator").await;
        assert_eq!(post_as(&app, &nurse, "approve_recovery", &[("invitation_id", &id)]).await.status(), 200);
        assert_eq!(post_as(&app, &nurse, "approve_recovery", &[("invitation_id", &id)]).await.status(), 422, "once");

        // Margaret hears of it on her devices and in her access log, before anyone uses it.
        let notices = app::entities::reminder_job::Entity::find()
            .filter(app::entities::reminder_job::Column::AccountId.eq(margaret))
            .filter(app::entities::reminder_job::Column::Kind.eq("security"))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(notices, 1);
        let log = app::carers::service::access_log(&app.state.app, margaret).await.expect("log");
        let said: Vec<String> = log.about_me.iter().map(|e| format!("{}: {}", e.who, e.what)).collect();
        assert!(said.contains(&"Dr Priya Shah (care team): asked for a recovery link for your account".to_owned()), "{said:?}");
        assert!(said.contains(&"Nurse Ellie Hart (care team): approved a recovery link for your account".to_owned()), "{said:?}");

        // Used, with "stop my other passkeys": her old passkey and her other sessions end.
        let status: serde_json::Value = attacker.form("invitation", &[("token", &token)]).await.json().await.expect("status");
        assert_eq!(status["Valid"]["recovery"], json!(true));
        let options: webauthn_rs_proto::CreationChallengeResponse = attacker.form("sign_up_start", &[("token", &token)]).await.json().await.expect("options");
        let mut device = Device::new(margaret);
        let credential = device.register(ORIGIN, options);
        let res = attacker.json("register_finish", json!({ "credential": credential, "name": "", "remove_others": true })).await;
        assert_eq!(res.status(), 200);
        assert_eq!(attacker.today().await, 200);
        assert_eq!(margaret_browser.today().await, 302, "her old session ended");
        let keys = app::entities::passkey::Entity::find().filter(app::entities::passkey::Column::AccountId.eq(margaret)).count(&app.db).await.expect("count");
        assert_eq!(keys, 1, "only the new passkey");
        let log = app::carers::service::access_log(&app.state.app, margaret).await.expect("log");
        let said: Vec<String> = log.about_me.iter().map(|e| e.what.clone()).collect();
        assert!(said.contains(&"set up a new passkey with a recovery link".to_owned()), "{said:?}");
        assert!(said.contains(&"stopped your other passkeys working".to_owned()), "{said:?}");
        let notices = app::entities::reminder_job::Entity::find()
            .filter(app::entities::reminder_job::Column::AccountId.eq(margaret))
            .filter(app::entities::reminder_job::Column::Kind.eq("security"))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(notices, 2, "told again once it was used");
    }
}

db_test! {
    async fn a_recovery_link_stops_after_24_hours_and_a_sign_up_link_is_not_a_way_into_an_account_with_a_passkey(app) {
        let invites = demo::seed_demo(&app.state.app).await.expect("seed");
        let link_for = |name: &str| invites.iter().find(|i| i.name == name).and_then(|i| i.link.clone()).expect("link");
        let gp_browser = sign_up_with_link(&app, &link_for("Dr Priya Shah")).await;
        // Sam signs up with his link; a sign-up link made before that, still unused, stops.
        let sam_old = link_for("Sam Okafor");
        let sam = app::entities::account::Entity::find().filter(app::entities::account::Column::DisplayName.eq("Sam Okafor")).one(&app.db).await.expect("q").expect("sam").id;
        sign_up_with_link(&app, &sam_old).await;
        assert_eq!(gp_browser.form("reinvite", &[("account_id", &sam.to_string())]).await.status(), 200);
        let inv = invitations_of(&app, sam).await.into_iter().find(|i| i.used_at.is_none() && i.recovery).expect("a recovery link, since Sam has a passkey");
        let (_, nurse) = practice_member(&app, "Nurse Ellie Hart", "org_admin").await;
        assert_eq!(post_as(&app, &nurse, "approve_recovery", &[("invitation_id", &inv.id.to_string())]).await.status(), 200);
        let page: serde_json::Value = gp_browser.form("team_invitations", &[]).await.json().await.expect("page");
        let token = page["new_link"]["link"].as_str().and_then(|l| l.split("token=").nth(1)).expect("token").to_owned();
        app.clock.advance(chrono::Duration::hours(25));
        let anyone = crate::passkeys::Browser::new(&app);
        let status: serde_json::Value = anyone.form("invitation", &[("token", &token)]).await.json().await.expect("status");
        assert_eq!(status, json!("Expired"));
        assert_eq!(anyone.form("sign_up_start", &[("token", &token)]).await.status(), 422);
    }
}
