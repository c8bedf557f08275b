use std::sync::Arc;

use app::entities::session;
use chrono::Duration;
use sea_orm::{EntityTrait as _, PaginatorTrait as _};
use tower_sessions::ExpiredDeletion as _;

use crate::db_test;
use crate::support::{TestApp, make_account, session_cookie_for};

async fn today_status(app: &TestApp, cookie: &str) -> u16 {
    app.client()
        .get(app.url("/today"))
        .header("accept", "text/html")
        .header("cookie", cookie)
        .send()
        .await
        .expect("get /today")
        .status()
        .as_u16()
}

db_test! {
    async fn an_idle_session_ends_after_the_inactivity_timeout(app) {
        let account = make_account(&app, "Idle Person").await;
        let cookie = session_cookie_for(&app, account).await;
        assert_eq!(today_status(&app, &cookie).await, 200);
        app.clock.advance(Duration::minutes(29));
        assert_eq!(today_status(&app, &cookie).await, 200, "activity within 30 minutes keeps it");
        app.clock.advance(Duration::minutes(29));
        assert_eq!(today_status(&app, &cookie).await, 200, "each visit restarts the 30 minutes");
        app.clock.advance(Duration::minutes(31));
        assert_eq!(today_status(&app, &cookie).await, 302, "31 idle minutes end it");
    }
}

db_test! {
    async fn a_person_busy_for_longer_than_the_timeout_stays_signed_in_until_thirty_idle_minutes(app) {
        let account = make_account(&app, "Busy Reader").await;
        let cookie = session_cookie_for(&app, account).await;
        // A page every 50 seconds for 40 minutes: the session is not rewritten on every page,
        // but its expiry keeps moving.
        for _ in 0..48 {
            app.clock.advance(Duration::seconds(50));
            assert_eq!(today_status(&app, &cookie).await, 200);
        }
        let row = session::Entity::find().one(&app.db).await.expect("read").expect("a session");
        let lag = app::clock::Clock::now(&app.clock) + Duration::minutes(30) - row.expires_at;
        assert!(lag < Duration::minutes(1), "the stored expiry is at most a minute behind: {lag}");
        app.clock.advance(Duration::minutes(28));
        assert_eq!(today_status(&app, &cookie).await, 200, "28 idle minutes keep it");
        app.clock.advance(Duration::minutes(31));
        assert_eq!(today_status(&app, &cookie).await, 302, "31 idle minutes end it");
    }
}

db_test! {
    async fn a_busy_session_still_ends_at_the_absolute_cap(app) {
        let account = make_account(&app, "Busy Person").await;
        let cookie = session_cookie_for(&app, account).await;
        // Active every 25 minutes for 11 hours 40 minutes: still signed in.
        for _ in 0..28 {
            app.clock.advance(Duration::minutes(25));
            assert_eq!(today_status(&app, &cookie).await, 200);
        }
        // Past 12 hours from sign-in, activity no longer helps.
        app.clock.advance(Duration::minutes(25));
        assert_eq!(today_status(&app, &cookie).await, 302);
    }
}

db_test! {
    async fn expired_sessions_are_deleted_from_the_store(app) {
        let a = make_account(&app, "Stays").await;
        let b = make_account(&app, "Goes").await;
        let _old = session_cookie_for(&app, b).await;
        app.clock.advance(Duration::minutes(20));
        let fresh = session_cookie_for(&app, a).await;
        app.clock.advance(Duration::minutes(15));
        let store = server::sessions::DbSessionStore::new(
            app.db.clone(),
            Arc::new(app.clock.clone()),
            std::time::Duration::from_secs(30 * 60),
            std::time::Duration::from_secs(12 * 3600),
        );
        store.delete_expired().await.expect("delete expired");
        assert_eq!(session::Entity::find().count(&app.db).await.expect("count"), 1);
        assert_eq!(today_status(&app, &fresh).await, 200);
    }
}

db_test! {
    async fn the_store_keeps_the_account_so_devices_can_be_listed(app) {
        use sea_orm::{ColumnTrait as _, QueryFilter as _};
        let account = make_account(&app, "Two Phones").await;
        session_cookie_for(&app, account).await;
        session_cookie_for(&app, account).await;
        let mine = session::Entity::find()
            .filter(session::Column::AccountId.eq(account))
            .count(&app.db)
            .await
            .expect("count");
        assert_eq!(mine, 2);
    }
}

/// The app's session store over the test database, as the server makes it.
fn store(app: &TestApp) -> Arc<server::sessions::DbSessionStore> {
    Arc::new(server::sessions::DbSessionStore::new(
        app.db.clone(),
        Arc::new(app.clock.clone()),
        std::time::Duration::from_secs(30 * 60),
        std::time::Duration::from_secs(12 * 3600),
    ))
}

/// One request's view of the session named by `cookie`, as tower-sessions gives it to a handler.
fn request(store: &Arc<server::sessions::DbSessionStore>, cookie: &str) -> tower_sessions::Session {
    let id = cookie
        .trim_start_matches("alongside=")
        .parse()
        .expect("a session id");
    tower_sessions::Session::new(Some(id), store.clone(), None)
}

db_test! {
    async fn a_request_that_only_read_the_session_never_undoes_what_another_wrote(app) {
        // The draft autosave (reads the session) and "Save and finish later" (leaves a notice)
        // of one browser in flight together: the autosave finishing last must not put back
        // the session as it read it, or the notice is lost.
        let account = make_account(&app, "Two Requests").await;
        let cookie = session_cookie_for(&app, account).await;
        let store = store(&app);
        // Long enough since sign-in that a reader refreshes the stored expiry.
        app.clock.advance(Duration::minutes(5));
        let autosave = request(&store, &cookie);
        let submit = request(&store, &cookie);
        assert!(autosave.get::<uuid::Uuid>("account_id").await.expect("read").is_some());
        assert!(submit.get::<uuid::Uuid>("account_id").await.expect("read").is_some());
        submit.insert("flash", "Your answers are saved").await.expect("insert");
        submit.save().await.expect("save the submit");
        autosave.save().await.expect("save the autosave");

        let next_page = request(&store, &cookie);
        assert_eq!(
            next_page.get::<String>("flash").await.expect("read").as_deref(),
            Some("Your answers are saved"),
            "the notice survives the slower request"
        );
    }
}

db_test! {
    async fn two_requests_that_change_different_things_both_keep_their_change(app) {
        let account = make_account(&app, "Two Tabs").await;
        let cookie = session_cookie_for(&app, account).await;
        let store = store(&app);
        let one = request(&store, &cookie);
        let two = request(&store, &cookie);
        one.get::<String>("caseload").await.expect("read");
        two.get::<String>("flash").await.expect("read");
        one.insert("caseload", "due in 2 weeks").await.expect("insert");
        two.insert("flash", "The review is booked").await.expect("insert");
        one.save().await.expect("save one");
        two.save().await.expect("save two");

        let after = request(&store, &cookie);
        assert_eq!(after.get::<String>("caseload").await.expect("read").as_deref(), Some("due in 2 weeks"));
        assert_eq!(after.get::<String>("flash").await.expect("read").as_deref(), Some("The review is booked"));
        assert_eq!(
            after.get::<uuid::Uuid>("account_id").await.expect("read"),
            Some(account),
            "still signed in"
        );
    }
}

db_test! {
    async fn many_requests_of_one_session_that_each_leave_something_all_keep_it(app) {
        // A clinician adding several people from several tabs at once: each request leaves the
        // new person's letter in the session. Every one must be answered as saved (each person
        // was added) and every one's change kept; none may fail because the others wrote first.
        let account = make_account(&app, "Many Tabs").await;
        let cookie = session_cookie_for(&app, account).await;
        let store = store(&app);
        let requests: Vec<_> = (0..16).map(|_| request(&store, &cookie)).collect();
        for (i, r) in requests.iter().enumerate() {
            r.get::<String>(&format!("letter{i}")).await.expect("read");
            r.insert(&format!("letter{i}"), format!("Person {i}")).await.expect("insert");
        }
        let saved = futures::future::join_all(requests.iter().map(|r| r.save())).await;
        let failed: Vec<_> = saved.iter().filter_map(|s| s.as_ref().err().map(|e| e.to_string())).collect();
        assert!(failed.is_empty(), "every save succeeds: {failed:?}");

        let after = request(&store, &cookie);
        for i in 0..16 {
            assert_eq!(
                after.get::<String>(&format!("letter{i}")).await.expect("read"),
                Some(format!("Person {i}")),
                "request {i}'s change is kept"
            );
        }
        assert_eq!(after.get::<uuid::Uuid>("account_id").await.expect("read"), Some(account), "still signed in");
    }
}

db_test! {
    async fn a_session_ended_while_one_of_its_requests_is_in_flight_stays_ended(app) {
        let account = make_account(&app, "Ended Elsewhere").await;
        let cookie = session_cookie_for(&app, account).await;
        let store = store(&app);
        app.clock.advance(Duration::minutes(5));
        let reader = request(&store, &cookie);
        let writer = request(&store, &cookie);
        reader.get::<String>("flash").await.expect("read");
        writer.get::<String>("flash").await.expect("read");
        // "End this device" from another phone deletes the row...
        let ender = request(&store, &cookie);
        ender.get::<String>("flash").await.expect("read");
        ender.delete().await.expect("end the session");
        // ...and the requests still in flight finish afterwards.
        writer.insert("flash", "Saved").await.expect("insert");
        writer.save().await.expect("save the writer");
        reader.save().await.expect("save the reader");
        assert_eq!(
            session::Entity::find().count(&app.db).await.expect("count"),
            0,
            "no request wrote the ended session back"
        );
        assert_eq!(today_status(&app, &cookie).await, 302, "signed out for good");
    }
}

db_test! {
    async fn a_device_ended_while_it_keeps_sending_requests_is_signed_out_every_time(app) {
        use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
        let account = make_account(&app, "Busy Phone").await;
        let laptop = session_cookie_for(&app, account).await;
        for trial in 0..20 {
            let phone = session_cookie_for(&app, account).await;
            let id = phone.trim_start_matches("alongside=").to_owned();
            let stop = Arc::new(AtomicBool::new(false));
            let sent = Arc::new(AtomicUsize::new(0));
            let mut tasks = Vec::new();
            // Four tasks of the phone: page reads, and form posts that leave a notice in the session.
            for task in 0..4 {
                let (client, base, phone) = (app.client(), app.base.clone(), phone.clone());
                let (stop, sent) = (stop.clone(), sent.clone());
                tasks.push(tokio::spawn(async move {
                    while !stop.load(Ordering::Acquire) {
                        let res = if task % 2 == 0 {
                            client.get(format!("{base}/today")).header("accept", "text/html").header("cookie", &phone).send().await
                        } else {
                            client.post(format!("{base}/api/reminders/test")).header("accept", "text/html").header("origin", crate::support::ORIGIN).header("cookie", &phone).send().await
                        };
                        assert!(res.expect("the server answers").status().as_u16() < 500);
                        sent.fetch_add(1, Ordering::AcqRel);
                    }
                }));
            }
            while sent.load(Ordering::Acquire) < 4 {
                tokio::task::yield_now().await;
            }
            // "End this device" on the laptop while the phone's requests are in flight.
            let res = app.client().post(app.url("/api/auth/device_end")).header("origin", crate::support::ORIGIN).header("cookie", &laptop).form(&[("handle", app::auth::invitation::hash_token(&id))]).send().await.expect("end");
            assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
            let ended_at = sent.load(Ordering::Acquire);
            while sent.load(Ordering::Acquire) < ended_at + 8 {
                tokio::task::yield_now().await;
            }
            stop.store(true, Ordering::Release);
            for t in tasks {
                t.await.expect("task");
            }
            assert_eq!(today_status(&app, &phone).await, 302, "trial {trial}: the phone is signed out");
            let row = session::Entity::find_by_id(id.clone()).one(&app.db).await.expect("read");
            assert!(row.is_none(), "trial {trial}: no request wrote the session back");
        }
        assert_eq!(today_status(&app, &laptop).await, 200, "the laptop stays signed in");
    }
}

db_test! {
    async fn an_answer_about_an_ended_session_never_overwrites_the_browsers_newer_cookie(app) {
        // A page or file still loading from before sign-in finishes after sign-in replaced its
        // session. Its answer must not set the browser's cookie back to the old session (nor
        // remove the cookie): the person would be signed straight out again.
        let account = make_account(&app, "Just Signed In").await;
        let old = session_cookie_for(&app, account).await;
        let id = old.trim_start_matches("alongside=").to_owned();
        let store = store(&app);
        let loaded_before = request(&store, &old);
        loaded_before.get::<uuid::Uuid>("account_id").await.expect("read");
        loaded_before.insert("flash", "Saved").await.expect("a form's notice");
        session::Entity::delete_by_id(id.clone()).exec(&app.db).await.expect("sign-in replaces it");

        // Loaded before it ended, saved after: the store notes it ended (and writes nothing).
        loaded_before.save().await.expect("save");
        assert!(store.was_ended(&id));

        // Loaded after it ended: the answer carries no cookie at all, for pages and files alike.
        for path in ["/today", "/", "/accessibility", "/healthz"] {
            let res = app.client().get(app.url(path)).header("accept", "text/html").header("cookie", &old).send().await.expect("get");
            let cookies: Vec<&str> = res.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).filter(|c| c.starts_with("alongside=")).collect();
            assert!(cookies.is_empty(), "{path}: {cookies:?}");
        }
        assert_eq!(session::Entity::find().count(&app.db).await.expect("count"), 0, "and nothing came back");

        // A live session's pages do not send the cookie again just to read.
        let live = session_cookie_for(&app, account).await;
        app.clock.advance(Duration::minutes(5));
        let res = app.client().get(app.url("/today")).header("accept", "text/html").header("cookie", &live).send().await.expect("get");
        assert_eq!(res.status(), 200);
        assert!(res.headers().get("set-cookie").is_none(), "{:?}", res.headers().get("set-cookie"));
    }
}

/// Who is signed in, as the store handed it over with this reading of the session.
async fn who_with(session: &tower_sessions::Session) -> app::access::Who {
    session
        .get::<app::access::Who>(app::session::WHO_KEY)
        .await
        .expect("read")
        .expect("who is signed in, read with the session")
}

db_test! {
    async fn who_is_signed_in_comes_with_each_reading_of_the_session_and_is_never_written_to_it(app) {
        use sea_orm::ActiveModelTrait as _;
        let person = crate::plan::make_patient(&app, "Nora Stored", "9434765919").await;
        let store = store(&app);
        let first = request(&store, &person.cookie);
        let who = who_with(&first).await;
        assert_eq!(who.account_id, person.account_id);
        assert_eq!(who.own.as_ref().map(|p| p.id), Some(person.patient_id), "her own record");
        assert!(who.memberships.is_empty() && !who.helps_someone);

        // The request changes the session: what is stored holds its change, never who she is.
        first.insert("flash", "Your goal is saved").await.expect("insert");
        first.save().await.expect("save");
        let row = session::Entity::find_by_id(person.cookie.trim_start_matches("alongside=").to_owned())
            .one(&app.db)
            .await
            .expect("read the row")
            .expect("the session is there");
        let stored = String::from_utf8(row.data).expect("JSON");
        assert!(stored.contains("Your goal is saved"), "{stored}");
        for never in ["__who", "__loaded", "9434765919", "Stored"] {
            assert!(!stored.contains(never), "{never} was written to the session: {stored}");
        }

        // A role given between two requests is in the next one's reading.
        let org = app::entities::patient::Entity::find_by_id(person.patient_id)
            .one(&app.db)
            .await
            .expect("read")
            .expect("her record")
            .organisation_id;
        app::entities::membership::ActiveModel {
            account_id: sea_orm::Set(person.account_id),
            organisation_id: sea_orm::Set(org),
            role: sea_orm::Set("clinician".into()),
            created_at: sea_orm::Set(chrono::Utc::now()),
        }
        .insert(&app.db)
        .await
        .expect("a role");
        let who = who_with(&request(&store, &person.cookie)).await;
        assert_eq!(who.memberships, vec![(org, "clinician".to_owned())]);
    }
}
