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
        let invites = server::seed::seed_demo(&app.db, &app.clock, ORIGIN).await.expect("seed");
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
        assert_eq!(people.len(), 5, "two staff and three patients");
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
        let invites = server::seed::seed_demo(&app.db, &app.clock, ORIGIN).await.expect("seed");
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
        let other_link = server::seed::invite_admin(&app.db, &app.clock, ORIGIN, "Other Admin", "Hillside Surgery", "gp_practice", None)
            .await
            .expect("invite admin");
        let other_admin = sign_up_with_link(&app, &other_link).await;
        assert_eq!(other_admin.form("reinvite", &[("account_id", &david.to_string())]).await.status(), 404);
        assert_eq!(other_admin.form("reinvite", &[("account_id", &uuid::Uuid::new_v4().to_string())]).await.status(), 404);
        let page: serde_json::Value = other_admin.form("team_invitations", &[]).await.json().await.expect("page");
        assert_eq!(page["people"].as_array().map(Vec::len), Some(1), "only their own organisation");
    }
}
