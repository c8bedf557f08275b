//! A form post sent again with the same idempotency key (the button pressed again after "this
//! may not be saved", a reload, the phone's queue) is done once, and the resend lands where the
//! first one did. Over real HTTP, on both databases.
use app::entities::goal;
use sea_orm::{ConnectionTrait as _, EntityTrait as _, PaginatorTrait as _};

use crate::db_test;
use crate::plan::{Person, goal_fields, make_patient, page, post_form, post_json};
use crate::support::TestApp;

const FIELD: &str = "idempotency_key";

/// The key the goal form drew for this person just now.
async fn key_from_form(app: &TestApp, who: &Person) -> String {
    let form = page(app, who, "/plan/goals/new").await;
    let start = form
        .find(&format!(r#"name="{FIELD}" value=""#))
        .map(|i| i + FIELD.len() + 15)
        .expect("the goal form carries a key");
    form[start..start + 36].to_owned()
}

fn with_key<'a>(fields: Vec<(&'a str, &'a str)>, key: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut fields = fields;
    fields.push((FIELD, key));
    fields
}

async fn goals(app: &TestApp) -> u64 {
    goal::Entity::find().count(&app.db).await.expect("count")
}

db_test! {
    async fn a_goal_sent_three_times_with_the_forms_key_is_saved_once_and_each_resend_lands_where_the_first_did(app) {
        let me = make_patient(&app, "Ida Tester", "9434765919").await;
        let key = key_from_form(&app, &me).await;
        assert_ne!(key, key_from_form(&app, &me).await, "each drawing of the form has its own key");
        let fields = with_key(goal_fields("Walk the dog", "7"), &key);
        let first = post_form(&app, &me, "/api/plan/goal", &fields).await;
        assert!(first.1.starts_with("/plan/goals/") && first.1 != "/plan/goals/new", "{first:?}");
        for _ in 0..2 {
            assert_eq!(post_form(&app, &me, "/api/plan/goal", &fields).await, first);
        }
        assert_eq!(goals(&app).await, 1, "one goal, not three");
        let shown = page(&app, &me, &first.1).await;
        assert!(shown.contains("Walk the dog"));
        assert_eq!(shown.matches("is saved").count(), 1, "the notice, once");

        // A fresh drawing of the form is a new goal, even with the same words.
        let other = key_from_form(&app, &me).await;
        let again = post_form(&app, &me, "/api/plan/goal", &with_key(goal_fields("Walk the dog", "7"), &other)).await;
        assert_ne!(again.1, first.1);
        assert_eq!(goals(&app).await, 2);
    }
}

db_test! {
    async fn eight_sends_of_one_key_at_once_make_one_goal_and_all_land_on_it(app) {
        let me = make_patient(&app, "Ida Tester", "9434765919").await;
        let key = key_from_form(&app, &me).await;
        let me = std::sync::Arc::new(me);
        let sends = (0..8).map(|_| {
            let (app, me, key) = (app.clone(), me.clone(), key.clone());
            tokio::spawn(async move {
                let fields = with_key(goal_fields("Swim on Tuesdays", "6"), &key);
                post_form(&app, &me, "/api/plan/goal", &fields).await
            })
        });
        let answers: Vec<_> = futures::future::join_all(sends)
            .await
            .into_iter()
            .map(|r| r.expect("a send"))
            .collect();
        assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
        assert!(answers[0].1.starts_with("/plan/goals/") && answers[0].1 != "/plan/goals/new", "{answers:?}");
        assert_eq!(goals(&app).await, 1);
    }
}

db_test! {
    async fn a_refused_send_lets_its_key_go_so_sending_it_again_signed_in_saves_it(app) {
        let me = make_patient(&app, "Ida Tester", "9434765919").await;
        let key = key_from_form(&app, &me).await;
        let fields = with_key(goal_fields("Garden on Sundays", "5"), &key);
        // Signed out (as the phone's queue finds after a session ended): refused, nothing saved.
        let stranger = Person { cookie: "alongside=ended".into(), ..me };
        let (status, _) = post_json(&app, &stranger, "/api/plan/goal", &fields).await;
        assert_eq!(status, 401);
        let me = Person { cookie: make_patient_cookie(&app, &stranger).await, ..stranger };
        let (_, location) = post_form(&app, &me, "/api/plan/goal", &fields).await;
        assert!(location.starts_with("/plan/goals/") && location != "/plan/goals/new", "{location}");
        assert_eq!(goals(&app).await, 1);
    }
}

db_test! {
    async fn a_resend_of_a_post_cut_off_by_a_stopped_server_is_told_we_cannot_tell_and_saves_nothing(app) {
        let me = make_patient(&app, "Ida Tester", "9434765919").await;
        let key = key_from_form(&app, &me).await;
        // What a server killed half way through the first post leaves: the key claimed, no outcome.
        app.db
            .execute_unprepared(&format!(
                "INSERT INTO idempotency_keys (key, path, created_at) VALUES ('{key}', '/api/plan/goal', CURRENT_TIMESTAMP)"
            ))
            .await
            .expect("claim");
        let res = app
            .client()
            .post(app.url("/api/plan/goal"))
            .header("cookie", &me.cookie)
            .header("accept", "text/html")
            .form(&with_key(goal_fields("Cycle to work", "9"), &key))
            .send()
            .await
            .expect("post");
        assert_eq!(res.status().as_u16(), 409);
        let body = res.text().await.expect("body");
        assert!(body.contains("we cannot tell yet whether the first one was saved"), "{body}");
        assert!(!body.contains('{'), "a page, not JSON: {body}");
        assert_eq!(goals(&app).await, 0, "never a second copy");
    }
}

db_test! {
    async fn a_key_used_on_one_form_does_nothing_on_another(app) {
        let me = make_patient(&app, "Ida Tester", "9434765919").await;
        let key = key_from_form(&app, &me).await;
        post_form(&app, &me, "/api/plan/goal", &with_key(goal_fields("Walk the dog", "7"), &key)).await;
        let (status, _) = post_json(&app, &me, "/api/plan/about_me", &[("about", "I like dogs"), (FIELD, &key)]).await;
        assert_eq!(status, 409);
    }
}

/// A new session for the same person (signed in again).
async fn make_patient_cookie(app: &TestApp, who: &Person) -> String {
    crate::support::session_cookie_for(app, who.account_id).await
}
