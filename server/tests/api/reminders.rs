//! Push reminders end to end, through a mock push service that checks VAPID and decrypts what
//! it gets: devices and choices over real HTTP, the schedule kept in step with the review
//! cycle and carers' grants, the worker's leases, retries, dead letters and pruning, and
//! every reminder sent exactly once by two workers on each database.
use std::collections::HashMap;

use app::entities::{action_log, carer_grant, push_subscription, reminder_job};
use app::reminders::queue;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ColumnTrait as _, EntityTrait as _, PaginatorTrait as _, QueryFilter as _, QueryOrder as _,
};
use server::reminders::Worker;
use uuid::Uuid;

use crate::db_test;
use crate::plan::{Person, goal_and_action, make_patient, page, post_form, post_json};
use crate::preparation::{again, book, booking, day, staff};
use crate::push_mock::{Gate, MockPush, Reply, Subscription};
use crate::support::{Backend, TestApp, make_account};

fn utc(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn mock_for(app: &TestApp) -> MockPush {
    MockPush::start(app.state.push.public_key(), true).await
}

async fn add_device(app: &TestApp, who: &Person, sub: &Subscription) -> (u16, String) {
    post_json(
        app,
        who,
        "/api/reminders/device",
        &[
            ("endpoint", &sub.endpoint),
            ("p256dh", &sub.p256dh),
            ("auth", &sub.auth),
        ],
    )
    .await
}

async fn with_device(app: &TestApp, who: &Person, mock: &MockPush, id: &str) -> Subscription {
    let sub = mock.device(id);
    let (status, body) = add_device(app, who, &sub).await;
    assert_eq!(status, 200, "{body}");
    sub
}

fn worker(app: &TestApp) -> Worker {
    Worker::new(
        app.state.app.clone(),
        app.state.push.clone(),
        server::worker_settings(&app.config),
    )
}

async fn jobs_of(app: &TestApp, kind: &str) -> Vec<reminder_job::Model> {
    reminder_job::Entity::find()
        .filter(reminder_job::Column::Kind.eq(kind))
        .order_by_asc(reminder_job::Column::DueAt)
        .all(&app.db)
        .await
        .unwrap()
}

/// The notification holds words and a link to our own page, nothing else: no name, no
/// clinician, no place, no condition, no result.
fn assert_no_health_data(payload: &serde_json::Value, forbidden: &[&str]) {
    let obj = payload.as_object().expect("a JSON object");
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(keys, ["body", "tag", "title", "url"], "{payload}");
    let text = payload.to_string().to_lowercase();
    for word in forbidden {
        assert!(
            !text.contains(&word.to_lowercase()),
            "{word:?} in {payload}"
        );
    }
    let url = payload["url"].as_str().unwrap();
    assert!(
        url.starts_with("/reminders/") || url == "/account/reminders",
        "{url}"
    );
}

const FORBIDDEN: &[&str] = &[
    "tester", "dr test", "room 3", "copd", "hba1c", "diabetes", "walk",
];

#[test]
fn rfc8291_appendix_a_message_decrypts_to_its_plaintext() {
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s)
            .unwrap()
    };
    let plain = crate::push_mock::decrypt(
        &b64("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"),
        &b64("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"),
        &b64("BTBZMqHH6r4Tts7J_aSIgg"),
        &b64("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"),
    )
    .expect("the RFC's message decrypts");
    assert_eq!(
        String::from_utf8(plain).unwrap(),
        "When I grow up, I want to be a watermelon"
    );
}

db_test! {
    async fn a_test_reminder_arrives_signed_encrypted_and_saying_nothing_about_health(app) {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Tess Tester", "9434765919").await;
        let sub = with_device(&app, &me, &mock, "phone").await;
        let (status, location) = post_form(&app, &me, "/api/reminders/test", &[]).await;
        assert_eq!((status, location.as_str()), (302, "/account/reminders"));

        let report = worker(&app).run_once().await.expect("a step");
        assert_eq!((report.leased, report.messages, report.finished.sent), (1, 1, 1));
        assert!(mock.rejected().is_empty(), "{:?}", mock.rejected());
        let got = mock.received_by("phone");
        assert_eq!(got.len(), 1);
        let m = &got[0];
        // What a real push service checks: VAPID for this origin, at most a day, a contact.
        assert_eq!(m.claims["aud"], mock.origin.as_str());
        assert_eq!(m.claims["sub"], "mailto:alongside@localhost");
        let exp = m.claims["exp"].as_i64().unwrap();
        assert!(exp - chrono::Utc::now().timestamp() <= 24 * 3600 && exp > chrono::Utc::now().timestamp());
        // One topic per reminder, so an offline phone keeps only one copy.
        let job = &jobs_of(&app, "test").await[0];
        assert_eq!(m.topic.as_deref(), Some(job.id.simple().to_string().as_str()));
        assert!(m.ttl > 0 && m.ttl <= 3600, "{}", m.ttl);
        assert_eq!(m.payload["title"], "Alongside: this is a test reminder");
        assert_eq!(m.payload["tag"], format!("alongside-{}", job.id.simple()));
        assert_no_health_data(&m.payload, FORBIDDEN);
        assert_eq!(job.status, "sent");

        // The device list shows when it last got one; a second step sends nothing more.
        let device = push_subscription::Entity::find().filter(push_subscription::Column::Endpoint.eq(sub.endpoint.as_str())).one(&app.db).await.unwrap().unwrap();
        assert!(device.last_sent_at.is_some());
        assert_eq!(worker(&app).run_once().await.unwrap().leased, 0);
        assert_eq!(mock.accepted(), 1);
        mock.stop();
    }
}

db_test! {
    async fn the_review_cycle_brings_pack_ready_unanswered_questions_and_review_tomorrow_once_each(app) {
        app.clock.set(utc("2026-12-02T09:00:00Z"));
        let mock = mock_for(&app).await;
        let mut me = make_patient(&app, "Rhian Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        let mut dr = staff(&app, &me, "clinician").await;
        // 10 days away: inside the practice's 14 days, so the pack goes out as it is booked.
        book(&app, &dr, &me, 10).await;
        let w = worker(&app);

        let step = w.run_once().await.unwrap();
        assert_eq!(step.finished.sent, 1, "{step:?}");
        let first = mock.received();
        assert_eq!(first[0].payload["title"], "Your review preparation is ready");
        let pack_job = &jobs_of(&app, "pack_ready").await[0];
        assert_eq!(first[0].payload["url"], format!("/reminders/{}", pack_job.id));

        // Three days before, at 10 in the morning, the questions are still unanswered.
        let agenda = &jobs_of(&app, "agenda_due").await[0];
        assert_eq!(agenda.due_at, utc("2026-12-09T10:00:00Z"));
        app.clock.set(utc("2026-12-09T09:59:00Z"));
        assert_eq!(w.run_once().await.unwrap().leased, 0, "not before its time");
        app.clock.set(utc("2026-12-09T10:00:00Z"));
        assert_eq!(w.run_once().await.unwrap().finished.sent, 1);
        assert_eq!(mock.received()[1].payload["title"], "Alongside: you have a reminder");

        // The evening before, with the time.
        let eve = &jobs_of(&app, "review_tomorrow").await[0];
        assert_eq!(eve.due_at, utc("2026-12-11T18:00:00Z"));
        app.clock.set(utc("2026-12-11T18:00:00Z"));
        assert_eq!(w.run_once().await.unwrap().finished.sent, 1);
        let got = mock.received();
        assert_eq!(got[2].payload["title"], "Alongside: your review is tomorrow at 10:30");
        for m in &got {
            assert_no_health_data(&m.payload, FORBIDDEN);
        }
        assert_eq!(w.run_once().await.unwrap().leased, 0);
        assert_eq!(mock.accepted(), 3, "each reminder exactly once");

        // The notification's page: the person's own reminder opens their preparation.
        again(&app, &mut me).await;
        let res = app.client().get(app.url(&format!("/reminders/{}", pack_job.id))).header("cookie", &me.cookie).header("accept", "text/html").send().await.unwrap();
        assert_eq!((res.status().as_u16(), res.headers().get("location").and_then(|v| v.to_str().ok())), (302, Some("/preparation")));
        // Someone else's reminder is not found.
        again(&app, &mut dr).await;
        let res = app.client().get(app.url(&format!("/reminders/{}", pack_job.id))).header("cookie", &dr.cookie).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 404);
        mock.stop();
    }
}

db_test! {
    async fn answering_moving_and_cancelling_change_the_reminders_in_the_same_transaction(app) {
        app.clock.set(utc("2026-12-02T09:00:00Z"));
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Owen Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        let dr = staff(&app, &me, "clinician").await;
        let review = book(&app, &dr, &me, 10).await;
        assert_eq!(jobs_of(&app, "agenda_due").await[0].status, "scheduled");

        // Sending the answers stops "you have not answered".
        let (status, _) = post_json(&app, &me, "/api/preparation/answers", &[("intent", "send"), ("answer_0", "My breathing")]).await;
        assert_eq!(status, 200);
        assert_eq!(jobs_of(&app, "agenda_due").await[0].status, "cancelled");

        // Moving the review moves "review tomorrow" (a new reminder; the old one is cancelled).
        let id = me.patient_id.to_string();
        let rid = review.to_string();
        let date = day(&app, 12);
        let mut moved = booking(&id, &date);
        moved.push(("review_id", &rid));
        assert_eq!(post_json(&app, &dr, "/api/team/review", &moved).await.0, 200);
        let eves = jobs_of(&app, "review_tomorrow").await;
        let statuses: Vec<(&str, DateTime<Utc>)> = eves.iter().map(|j| (j.status.as_str(), j.due_at)).collect();
        assert_eq!(statuses, [("cancelled", utc("2026-12-11T18:00:00Z")), ("scheduled", utc("2026-12-13T18:00:00Z"))]);

        // Cancelling it leaves nothing to remind about: what was scheduled is cancelled, and
        // the "preparation is ready" that was already due is dropped when the worker sees it.
        assert_eq!(post_json(&app, &dr, "/api/team/review_cancel", &[("patient_id", &id), ("review_id", &rid)]).await.0, 200);
        let step = worker(&app).run_once().await.unwrap();
        assert_eq!((step.leased, step.finished.dropped, mock.accepted()), (1, 1, 0));
        let left = reminder_job::Entity::find().filter(reminder_job::Column::Status.is_in(["scheduled", "retrying"])).count(&app.db).await.unwrap();
        assert_eq!(left, 0);
        mock.stop();
    }
}

db_test! {
    async fn ended_subscriptions_are_removed_when_the_push_service_says_gone_or_not_found(app) {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Gwen Tester", "9434765919").await;
        with_device(&app, &me, &mock, "old-phone").await;
        with_device(&app, &me, &mock, "old-laptop").await;
        with_device(&app, &me, &mock, "new-phone").await;
        mock.script("old-phone", &[Reply::Status(410, None)]);
        mock.script("old-laptop", &[Reply::Status(404, None)]);
        post_form(&app, &me, "/api/reminders/test", &[]).await;
        let step = worker(&app).run_once().await.unwrap();
        assert_eq!((step.messages, step.finished.pruned, step.finished.sent), (3, 2, 1));
        let left: Vec<String> = push_subscription::Entity::find().all(&app.db).await.unwrap().into_iter().map(|d| d.endpoint).collect();
        assert_eq!(left, [format!("{}/push/new-phone", mock.origin)]);
        assert_eq!(mock.received_by("new-phone").len(), 1);
        mock.stop();
    }
}

db_test! {
    async fn too_many_requests_waits_as_long_as_retry_after_says_then_sends_once(app) {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Ravi Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        mock.script("phone", &[Reply::Status(429, Some("120"))]);
        post_form(&app, &me, "/api/reminders/test", &[]).await;
        let w = worker(&app);
        let start = app::clock::Clock::now(&app.clock);
        assert_eq!(w.run_once().await.unwrap().finished.retrying, 1);
        let job = &jobs_of(&app, "test").await[0];
        assert_eq!((job.status.as_str(), job.last_error.as_deref()), ("retrying", Some("push service answered 429")));
        let wait = job.due_at - start;
        assert!(wait >= Duration::seconds(120) && wait <= Duration::seconds(132), "{wait:?}");
        assert_eq!(w.run_once().await.unwrap().leased, 0, "it waits");
        app.clock.set(job.due_at);
        assert_eq!(w.run_once().await.unwrap().finished.sent, 1);
        assert_eq!((mock.attempts("phone"), mock.received_by("phone").len()), (2, 1));
        mock.stop();
    }
}

db_test! {
    async fn an_unavailable_push_service_is_retried_with_growing_waits_then_dead_lettered(app) {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Dai Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        let max = app.config.reminder_max_attempts as usize;
        mock.script("phone", &vec![Reply::Status(503, None); max]);
        post_form(&app, &me, "/api/reminders/test", &[]).await;
        let w = worker(&app);
        let mut waits = Vec::new();
        for attempt in 1..=max {
            let now = app::clock::Clock::now(&app.clock);
            let step = w.run_once().await.unwrap();
            assert_eq!(step.leased, 1, "attempt {attempt}");
            let job = &jobs_of(&app, "test").await[0];
            if attempt < max {
                assert_eq!(job.status, "retrying");
                waits.push(job.due_at - now);
                app.clock.set(job.due_at);
            } else {
                assert_eq!((job.status.as_str(), job.attempts as usize), ("dead", max));
            }
        }
        // Exponential with jitter: each wait within half to one and a half of 30 s × 2^n.
        for (n, wait) in waits.iter().enumerate() {
            let base = 30_000 * (1i64 << n);
            let ms = wait.num_milliseconds();
            assert!(ms >= base / 2 && ms <= base * 3 / 2, "wait {n}: {ms} ms");
        }
        assert_eq!(mock.received().len(), 0);
        // The job went out of date for the hour the test reminder lasts, but it was dead first.
        let status = queue::status(&app.db, app::clock::Clock::now(&app.clock)).await.unwrap();
        assert_eq!((status.dead, status.retrying, status.due), (1, 0, 0));
        let lines = server::reminders::worker::describe_status(&status);
        assert!(lines.contains("       1  dead (given up)"), "{lines}");
        assert!(lines.contains("push service answered 503"), "{lines}");
        assert_eq!(w.run_once().await.unwrap().leased, 0, "a dead reminder stays dead");
        mock.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_push_service_times_out_and_the_reminder_is_tried_again() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.push_timeout_seconds = 1).await;
    let mock = mock_for(&app).await;
    let me = make_patient(&app, "Sam Tester", "9434765919").await;
    with_device(&app, &me, &mock, "phone").await;
    mock.script("phone", &[Reply::Stall]);
    post_form(&app, &me, "/api/reminders/test", &[]).await;
    let w = worker(&app);
    let started = std::time::Instant::now();
    assert_eq!(w.run_once().await.unwrap().finished.retrying, 1);
    let took = started.elapsed();
    let job = jobs_of(&app, "test").await.remove(0);
    app.clock.set(job.due_at);
    let second = w.run_once().await.unwrap();
    let got = mock.received_by("phone").len();
    mock.stop();
    app.teardown().await;
    assert!(
        took < std::time::Duration::from_secs(5),
        "gave up after {took:?}"
    );
    assert_eq!(job.last_error.as_deref(), Some("timed out"));
    assert_eq!((second.finished.sent, got), (1, 1));
}

db_test! {
    async fn a_reminder_that_reached_one_device_is_retried_only_to_the_other(app) {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Bea Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        with_device(&app, &me, &mock, "tablet").await;
        mock.script("tablet", &[Reply::Status(500, None)]);
        post_form(&app, &me, "/api/reminders/test", &[]).await;
        let w = worker(&app);
        assert_eq!(w.run_once().await.unwrap().messages, 2);
        let job = &jobs_of(&app, "test").await[0];
        app.clock.set(job.due_at);
        assert_eq!(w.run_once().await.unwrap().messages, 1, "only the tablet again");
        assert_eq!((mock.received_by("phone").len(), mock.received_by("tablet").len()), (1, 1));
        assert_eq!(jobs_of(&app, "test").await[0].status, "sent");
        mock.stop();
    }
}

db_test! {
    async fn two_workers_send_ten_thousand_due_reminders_exactly_once(app) {
        let mock = mock_for(&app).await;
        // 100 people with a phone each, 100 reminders each, all due in the same minute.
        let now = app::clock::Clock::now(&app.clock);
        let mut accounts = Vec::new();
        let mut devices = Vec::new();
        for i in 0..100 {
            let account = make_account(&app, &format!("Person {i}")).await;
            devices.push(mock.device(&format!("p{i}")).row(account, now));
            accounts.push(account);
        }
        push_subscription::Entity::insert_many(devices).exec_without_returning(&app.db).await.unwrap();
        let jobs: Vec<app::reminders::service::Desired> = (0..10_000)
            .map(|i| app::reminders::service::Desired {
                key: format!("load:{i}"),
                account: accounts[i % 100],
                patient: None,
                kind: "test",
                about: None,
                due: now - Duration::seconds((i % 60) as i64),
                stale: Some(now + Duration::hours(1)),
            })
            .collect();
        for chunk in jobs.chunks(1000) {
            app::reminders::service::insert_jobs(&app.db, now, chunk).await.unwrap();
        }

        let (a, b) = (worker(&app), worker(&app));
        let run = |w: Worker| async move {
            let mut sent = 0;
            loop {
                let r = w.run_once().await.expect("a step");
                if r.leased == 0 {
                    return sent;
                }
                sent += r.finished.sent;
            }
        };
        let started = std::time::Instant::now();
        let (sent_a, sent_b) = tokio::join!(run(a), run(b));
        println!("two workers: {sent_a} + {sent_b} reminders in {:?}", started.elapsed());
        assert_eq!(sent_a + sent_b, 10_000);
        assert!(sent_a > 0 && sent_b > 0, "both workers took part");
        assert!(mock.rejected().is_empty(), "{:?}", mock.rejected().first());
        let mut per_topic: HashMap<String, usize> = HashMap::new();
        for m in mock.received() {
            *per_topic.entry(m.topic.unwrap_or_default()).or_default() += 1;
        }
        assert_eq!(per_topic.len(), 10_000);
        assert!(per_topic.values().all(|n| *n == 1), "a reminder went twice");
        let unsent = reminder_job::Entity::find().filter(reminder_job::Column::Status.ne("sent")).count(&app.db).await.unwrap();
        assert_eq!(unsent, 0);
        mock.stop();
    }
}

/// The database goes away while a batch is out with the push services: what they answered is
/// recorded once it is back, not dropped (which would send the reminder again when the lease
/// ran out). The two-worker test once failed this way on a busy machine, where a second
/// connection did not open within the pool's 3 seconds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reminder_sent_while_the_database_is_away_is_recorded_when_it_is_back_and_never_sent_twice()
 {
    let app = TestApp::spawn_behind_proxy(|_| {}).await;
    let outcome = futures::FutureExt::catch_unwind(std::panic::AssertUnwindSafe(async {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Rae Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        let gate = Gate::default();
        mock.script("phone", &[Reply::Hold(gate.clone())]);
        post_form(&app, &me, "/api/reminders/test", &[]).await;
        let w = worker(&app);
        let mut step = tokio::spawn({
            let w = w.clone();
            async move { w.run_once().await }
        });
        // The message is with the push service; the database goes before it answers.
        gate.arrived().await;
        let proxy = app.proxy.as_ref().expect("a proxy");
        proxy.cut();
        gate.open();
        // The worker cannot record the answer, and tries again (each try after the first is a
        // new connection, refused).
        tokio::select! {
            _ = proxy.refused_at_least(2) => {}
            ended = &mut step => panic!("the step gave up while the database was away: {ended:?}"),
        }
        proxy.mend();
        let report = step
            .await
            .expect("the step ran")
            .expect("the answer is recorded once the database is back");
        assert_eq!(report.finished.sent, 1);
        let job = jobs_of(&app, "test").await.remove(0);
        assert_eq!(job.status, "sent");
        // Long after its lease would have run out, nothing is sent again.
        app.clock.advance(Duration::hours(2));
        assert_eq!(w.run_once().await.expect("a step").leased, 0);
        assert_eq!(mock.received_by("phone").len(), 1);
        mock.stop();
    }))
    .await;
    app.teardown().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

db_test! {
    async fn a_lease_that_runs_out_is_taken_by_another_worker_and_sent_once(app) {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Lea Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        post_form(&app, &me, "/api/reminders/test", &[]).await;
        // A worker takes it and dies before sending.
        let now = app::clock::Clock::now(&app.clock);
        let taken = queue::lease(&app.db, "worker-that-died", now, Duration::minutes(2), 10).await.unwrap();
        assert_eq!(taken.len(), 1);
        let other = worker(&app);
        assert_eq!(other.run_once().await.unwrap().leased, 0, "the lease holds");
        let status = queue::status(&app.db, now).await.unwrap();
        assert_eq!(status.in_flight, 1);
        app.clock.advance(Duration::minutes(2) + Duration::seconds(1));
        assert_eq!(queue::status(&app.db, app::clock::Clock::now(&app.clock)).await.unwrap().lease_expired, 1);
        assert_eq!(other.run_once().await.unwrap().finished.sent, 1);
        assert_eq!(mock.received_by("phone").len(), 1);
        mock.stop();
    }
}

db_test! {
    async fn a_reminder_due_while_the_server_was_down_is_sent_once_or_dropped_when_stale(app) {
        app.clock.set(utc("2026-12-02T09:00:00Z"));
        let mock = mock_for(&app).await;
        let late = make_patient(&app, "Ann Tester", "9434765919").await;
        let stale = make_patient(&app, "Ben Tester", "9434765927").await;
        with_device(&app, &late, &mock, "ann").await;
        with_device(&app, &stale, &mock, "ben").await;
        let dr = staff(&app, &late, "clinician").await;
        book(&app, &dr, &late, 20).await;
        book(&app, &dr, &stale, 21).await;
        // Both evening-before reminders come due while nothing runs. The server is back at
        // 20:00 the evening before Ann's review, and after Ben's has started.
        app.clock.set(utc("2026-12-21T20:00:00Z"));
        let w = worker(&app);
        w.run_once().await.unwrap();
        assert_eq!(mock.received_by("ann").iter().filter(|m| m.payload["title"].as_str().unwrap().contains("tomorrow")).count(), 1);
        app.clock.set(utc("2026-12-23T11:00:00Z"));
        let step = w.run_once().await.unwrap();
        assert!(step.finished.dropped >= 1, "{step:?}");
        let ben: Vec<reminder_job::Model> = jobs_of(&app, "review_tomorrow").await.into_iter().filter(|j| j.account_id == stale.account_id).collect();
        assert_eq!((ben[0].status.as_str(), ben[0].last_error.as_deref()), ("dropped", Some("stale")));
        assert!(mock.received_by("ben").iter().all(|m| !m.payload["title"].as_str().unwrap().contains("tomorrow")));
        assert_eq!(mock.received_by("ann").iter().filter(|m| m.payload["title"].as_str().unwrap().contains("tomorrow")).count(), 1, "sent once, not again");
        mock.stop();
    }
}

/// Saves reminder choices through the form, as a browser without JavaScript does.
async fn choose(app: &TestApp, who: &Person, fields: &[(&str, &str)]) -> (u16, String) {
    post_form(app, who, "/api/reminders/choices", fields).await
}

db_test! {
    async fn one_action_reminder_per_time_slot_at_the_chosen_time_across_the_clocks_going_forward(app) {
        // Friday 27 March 2026, London on GMT; the clocks go forward early on Sunday 29th.
        app.clock.set(utc("2026-03-27T12:00:00Z"));
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Cara Tester", "9434765919").await;
        for _ in 0..3 {
            goal_and_action(&app, &me).await;
        }
        with_device(&app, &me, &mock, "phone").await;
        let (status, _) = choose(&app, &me, &[("kind_actions", "on"), ("agenda_days", "3"), ("time_1", "09:00"), ("time_2", "19:00"), ("quiet_from", "22:00"), ("quiet_until", "07:00"), ("time_zone", "Europe/London")]).await;
        assert_eq!(status, 302);
        let w = worker(&app);
        let mut sent_at = Vec::new();
        for _ in 0..5 {
            let next = jobs_of(&app, "actions").await.into_iter().find(|j| j.status == "scheduled").expect("the next slot");
            app.clock.set(next.due_at);
            let step = w.run_once().await.unwrap();
            assert_eq!((step.leased, step.messages), (1, 1), "three actions due, one notification");
            sent_at.push(next.due_at);
        }
        assert_eq!(sent_at, [
            utc("2026-03-27T19:00:00Z"),
            utc("2026-03-28T09:00:00Z"),
            utc("2026-03-28T19:00:00Z"),
            // 9 in the morning British Summer Time.
            utc("2026-03-29T08:00:00Z"),
            utc("2026-03-29T18:00:00Z"),
        ]);
        for m in mock.received() {
            assert_eq!(m.payload["title"], "Alongside: you have a reminder");
            assert_no_health_data(&m.payload, FORBIDDEN);
        }

        // With everything logged for the day, the evening slot has nothing to say.
        let next = jobs_of(&app, "actions").await.into_iter().find(|j| j.status == "scheduled").unwrap();
        assert_eq!(next.due_at, utc("2026-03-30T08:00:00Z"));
        app.clock.set(utc("2026-03-30T12:00:00Z"));
        let mut me = me;
        again(&app, &mut me).await;
        for a in app::entities::plan_action::Entity::find().all(&app.db).await.unwrap() {
            let (status, body) = post_json(&app, &me, "/api/plan/log", &[("action", &a.id.to_string()), ("day", "2026-03-30"), ("outcome", "done"), ("client_id", &Uuid::new_v4().to_string())]).await;
            assert_eq!(status, 200, "{body}");
        }
        assert_eq!(action_log::Entity::find().count(&app.db).await.unwrap(), 3);
        // The 09:00 one, picked up late, finds nothing left to do and says nothing.
        let before = mock.accepted();
        assert_eq!(w.run_once().await.unwrap().finished.dropped, 1);
        assert_eq!(mock.accepted(), before);
        let evening = jobs_of(&app, "actions").await.into_iter().find(|j| j.status == "scheduled").unwrap();
        assert_eq!(evening.due_at, utc("2026-03-30T18:00:00Z"));
        app.clock.set(evening.due_at);
        let step = w.run_once().await.unwrap();
        assert_eq!((step.finished.dropped, mock.accepted()), (1, before));
        mock.stop();
    }
}

db_test! {
    async fn quiet_hours_hold_a_reminder_until_they_end(app) {
        // 22:30 in London in December.
        app.clock.set(utc("2026-12-02T22:30:00Z"));
        let mock = mock_for(&app).await;
        let mut me = make_patient(&app, "Nia Tester", "9434765919").await;
        with_device(&app, &me, &mock, "phone").await;
        let dr = staff(&app, &me, "clinician").await;
        book(&app, &dr, &me, 10).await;
        let pack = &jobs_of(&app, "pack_ready").await[0];
        // The default quiet hours, 21:00 to 08:00.
        assert_eq!(pack.due_at, utc("2026-12-03T08:00:00Z"));
        let w = worker(&app);
        assert_eq!(w.run_once().await.unwrap().leased, 0);
        // Quiet hours chosen after a reminder came due still hold it back when it is sent.
        app.clock.set(utc("2026-12-03T08:00:00Z"));
        again(&app, &mut me).await;
        let (status, _) = choose(&app, &me, &[("kind_pack_ready", "on"), ("kind_review_tomorrow", "on"), ("agenda_days", "3"), ("quiet_from", "07:30"), ("quiet_until", "09:15"), ("time_zone", "Europe/London")]).await;
        assert_eq!(status, 302);
        let pack = &jobs_of(&app, "pack_ready").await[0];
        assert_eq!(pack.due_at, utc("2026-12-03T09:15:00Z"), "the schedule moved with the choice");
        app.clock.set(utc("2026-12-03T09:15:00Z"));
        assert_eq!(w.run_once().await.unwrap().finished.sent, 1);
        assert_eq!(mock.received()[0].payload["title"], "Your review preparation is ready");

        // The sender checks quiet hours again as it sends: a reminder written before the
        // choice changed (by another instance, say) waits too, without counting as a try.
        app::entities::reminder_preference::Entity::update_many()
            .col_expr(app::entities::reminder_preference::Column::QuietFrom, sea_orm::sea_query::Expr::value("17:00"))
            .col_expr(app::entities::reminder_preference::Column::QuietUntil, sea_orm::sea_query::Expr::value("19:00"))
            .exec(&app.db).await.unwrap();
        app.clock.set(utc("2026-12-11T18:00:00Z"));
        let step = w.run_once().await.unwrap();
        assert_eq!((step.finished.deferred, step.finished.sent), (1, 0));
        let eve = &jobs_of(&app, "review_tomorrow").await[0];
        assert_eq!((eve.status.as_str(), eve.due_at, eve.attempts), ("scheduled", utc("2026-12-11T19:00:00Z"), 0));
        app.clock.set(eve.due_at);
        assert_eq!(w.run_once().await.unwrap().finished.sent, 1);
        mock.stop();
    }
}

/// A carer of `of` with these scopes, signed in, and their grant.
async fn carer(app: &TestApp, of: &Person, name: &str, scopes: &str) -> (Person, Uuid) {
    let person = crate::carers::carer(app, of, name, scopes, "active", None).await;
    let grant = carer_grant::Entity::find()
        .filter(carer_grant::Column::CarerAccountId.eq(person.account_id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the grant")
        .id;
    (person, grant)
}

db_test! {
    async fn carers_get_only_the_reminders_their_grant_allows_and_none_once_it_ends(app) {
        app.clock.set(utc("2026-12-02T09:00:00Z"));
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Mair Tester", "9434765919").await;
        goal_and_action(&app, &me).await;
        let (seer, _) = carer(&app, &me, "Seer Son", "read_plan reminders").await;
        let (helper, helper_grant) = carer(&app, &me, "Helper Son", "log_actions answer_agenda reminders").await;
        let (quiet, _) = carer(&app, &me, "Quiet Son", "read_plan log_actions answer_agenda").await;
        with_device(&app, &seer, &mock, "seer").await;
        with_device(&app, &helper, &mock, "helper").await;
        with_device(&app, &quiet, &mock, "quiet").await;
        let dr = staff(&app, &me, "clinician").await;
        book(&app, &dr, &me, 10).await;
        let kinds = |account: Uuid| {
            let db = app.db.clone();
            async move {
                let mut k: Vec<String> = reminder_job::Entity::find().filter(reminder_job::Column::AccountId.eq(account)).all(&db).await.unwrap().into_iter().map(|j| j.kind).collect();
                k.sort();
                k
            }
        };
        // Seeing the plan: the review only. Logging and answering: everything. No reminders scope: nothing.
        assert_eq!(kinds(seer.account_id).await, ["review_tomorrow"]);
        assert_eq!(kinds(helper.account_id).await, ["actions", "agenda_due", "pack_ready", "review_tomorrow"]);
        assert!(kinds(quiet.account_id).await.is_empty());
        // Each carer's reminders page says whom they are reminded about, and about what: the
        // same rules as the jobs.
        let seer_page = crate::plan::page(&app, &seer, "/account/reminders").await;
        assert!(seer_page.contains("Mair Tester (daughter): reminders about their review<"), "{seer_page}");
        let helper_page = crate::plan::page(&app, &helper, "/account/reminders").await;
        assert!(helper_page.contains("Mair Tester (daughter): reminders about their review, getting ready for it and their actions<"), "{helper_page}");
        let quiet_page = crate::plan::page(&app, &quiet, "/account/reminders").await;
        assert!(!quiet_page.contains("reminders about"), "{quiet_page}");

        let w = worker(&app);
        w.run_once().await.unwrap();
        let to_helper = mock.received_by("helper");
        assert_eq!(to_helper.len(), 1);
        // A carer's notification does not say whose review, or that it is theirs.
        assert_eq!(to_helper[0].payload["title"], "Alongside: you have a reminder");
        assert_no_health_data(&to_helper[0].payload, &["mair", "tester", "dr test"]);
        // A carer who helps one person goes straight to the page the reminder is about.
        let job = jobs_of(&app, "pack_ready").await.into_iter().find(|j| j.account_id == helper.account_id).unwrap();
        let res = app.client().get(app.url(&format!("/reminders/{}", job.id))).header("cookie", &helper.cookie).header("accept", "text/html").send().await.unwrap();
        assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/preparation"));
        // Whatever the request says it accepts (a tap's navigation does not always say HTML):
        // never a blank page.
        for accept in ["*/*", "application/json"] {
            let res = app.client().get(app.url(&format!("/reminders/{}", job.id))).header("cookie", &helper.cookie).header("accept", accept).send().await.unwrap();
            assert_eq!(res.status(), 302, "Accept: {accept}");
            assert_eq!(res.headers().get("location").and_then(|v| v.to_str().ok()), Some("/preparation"), "Accept: {accept}");
        }

        // The person stops the helper's access: their reminders stop with it.
        let (status, _) = post_json(&app, &me, "/api/carers/revoke", &[("grant_id", &helper_grant.to_string())]).await;
        assert_eq!(status, 200);
        let pending = reminder_job::Entity::find().filter(reminder_job::Column::AccountId.eq(helper.account_id)).filter(reminder_job::Column::Status.eq("scheduled")).count(&app.db).await.unwrap();
        assert_eq!(pending, 0);
        // And a job already due when a grant ends is dropped, not sent.
        let (late, late_grant) = carer(&app, &me, "Late Son", "read_plan reminders").await;
        with_device(&app, &late, &mock, "late").await;
        carer_grant::Entity::update_many().col_expr(carer_grant::Column::Status, sea_orm::sea_query::Expr::value("revoked")).filter(carer_grant::Column::Id.eq(late_grant)).exec(&app.db).await.unwrap();
        app.clock.set(utc("2026-12-11T18:00:00Z"));
        w.run_once().await.unwrap();
        assert!(mock.received_by("late").is_empty());
        assert_eq!(mock.received_by("seer").len(), 1, "the review reminder");
        mock.stop();
    }
}

db_test! {
    async fn reminder_choices_are_checked_field_by_field_and_nothing_is_saved_on_a_refusal(app) {
        let me = make_patient(&app, "Iwan Tester", "9434765919").await;
        let (status, body) = post_json(&app, &me, "/api/reminders/choices", &[("kind_actions", "on"), ("agenda_days", "0"), ("time_1", "9am"), ("quiet_from", "22:00"), ("time_zone", "Narnia/Lamp_Post")]).await;
        assert_eq!(status, 422);
        for field in ["agenda_days", "time_1", "quiet_until", "time_zone"] {
            assert!(body.contains(field), "{field}: {body}");
        }
        assert!(body.contains("Enter a time on the 24-hour clock, for example 09:00"), "{body}");
        assert_eq!(app::entities::reminder_preference::Entity::find().count(&app.db).await.unwrap(), 0);

        // Without JavaScript: back to the form with the answers and each message by its field.
        let (status, location) = choose(&app, &me, &[("kind_actions", "on"), ("agenda_days", "3"), ("time_1", "23:30"), ("quiet_from", "22:00"), ("quiet_until", "07:00"), ("time_zone", "Europe/London")]).await;
        assert_eq!((status, location.as_str()), (302, "/account/reminders"));
        let html = page(&app, &me, "/account/reminders").await;
        assert!(html.contains("There is a problem"));
        assert!(html.contains("23:30 is in your quiet hours (22:00 to 07:00)"), "{html}");
        assert!(html.contains("value=\"23:30\""), "the answer is kept");

        // Good choices are saved and shown.
        let (status, _) = choose(&app, &me, &[("kind_review_tomorrow", "on"), ("kind_actions", "on"), ("agenda_days", "5"), ("time_1", "08:15"), ("quiet_from", ""), ("quiet_until", ""), ("time_zone", "Europe/Dublin")]).await;
        assert_eq!(status, 302);
        let html = page(&app, &me, "/account/reminders").await;
        assert!(html.contains("Your reminder choices are saved."));
        assert!(html.contains("value=\"08:15\""));
        assert!(html.contains("<option value=\"Europe/Dublin\" selected"), "{html}");
        let saved = app::reminders::service::preferences_of(&app.db, me.account_id).await.unwrap();
        assert!(!saved.pack_ready && !saved.agenda_due && saved.review_tomorrow && saved.actions);
        assert_eq!((saved.agenda_days, saved.quiet, saved.tz.name()), (5, None, "Europe/Dublin"));
    }
}

db_test! {
    async fn a_device_belongs_to_one_account_and_signing_out_there_removes_it(app) {
        let mock = mock_for(&app).await;
        let ann = make_patient(&app, "Ann Tester", "9434765919").await;
        let bob = make_patient(&app, "Bob Tester", "9434765927").await;
        let shared = mock.device("shared-phone");
        assert_eq!(add_device(&app, &ann, &shared).await.0, 200);
        let html = page(&app, &ann, "/account/reminders").await;
        assert!(html.contains("Stop reminders on A browser on an unknown device"), "{html}");
        assert!(html.contains(&format!("data-public-key=\"{}\"", app.state.push.public_key())), "the page has the key to subscribe with");

        // Bob signs in on the same phone: the device is his now, not Ann's.
        assert_eq!(add_device(&app, &bob, &shared).await.0, 200);
        let owners: Vec<Uuid> = push_subscription::Entity::find().all(&app.db).await.unwrap().into_iter().map(|d| d.account_id).collect();
        assert_eq!(owners, [bob.account_id]);
        assert!(page(&app, &ann, "/account/reminders").await.contains("No devices get reminders yet."));

        // Ann cannot remove Bob's device; bad subscriptions are refused and nothing is kept.
        let id = push_subscription::Entity::find().one(&app.db).await.unwrap().unwrap().id.to_string();
        assert_eq!(post_json(&app, &ann, "/api/reminders/remove", &[("device", &id)]).await.0, 404);
        let mut bad = mock.device("bad");
        bad.auth = "c2hvcnQ".into();
        assert_eq!(add_device(&app, &ann, &bad).await.0, 422);
        let mut cleartext = mock.device("cleartext");
        cleartext.endpoint = "ftp://push.example/1".into();
        let (status, body) = add_device(&app, &ann, &cleartext).await;
        assert_eq!(status, 422);
        assert!(body.contains("cannot use"), "{body}");
        assert_eq!(push_subscription::Entity::find().count(&app.db).await.unwrap(), 1);

        // Signing out on that phone stops its reminders.
        let res = app.client().post(app.url("/api/auth/sign_out")).header("cookie", &bob.cookie).header("origin", crate::support::ORIGIN).send().await.unwrap();
        assert!(res.status().is_success() || res.status().is_redirection(), "{}", res.status());
        assert_eq!(push_subscription::Entity::find().count(&app.db).await.unwrap(), 0);
        mock.stop();
    }
}

db_test! {
    async fn a_push_address_inside_our_network_or_off_the_list_is_refused_and_nothing_is_kept(app) {
        let mock = mock_for(&app).await;
        let me = make_patient(&app, "Pam Tester", "9434765919").await;
        let port = mock.origin.rsplit(':').next().unwrap().to_owned();
        for endpoint in [
            format!("http://127.0.0.2:{port}/internal-admin"),
            format!("http://localhost:{port}/push/x"),
            "http://169.254.169.254/latest/meta-data/".to_owned(),
            "https://10.0.0.5/push/x".to_owned(),
            "https://[::1]/push/x".to_owned(),
            "https://fcm.googleapis.com.evil.example/fcm/send/x".to_owned(),
            "http://fcm.googleapis.com/fcm/send/x".to_owned(),
            "https://user@fcm.googleapis.com/fcm/send/x".to_owned(),
        ] {
            let mut sub = mock.device("phone");
            sub.endpoint = endpoint.clone();
            let (status, body) = add_device(&app, &me, &sub).await;
            assert_eq!(status, 422, "{endpoint}: {body}");
            assert!(body.contains("cannot use"), "{endpoint}: {body}");
        }
        assert_eq!(push_subscription::Entity::find().count(&app.db).await.unwrap(), 0);
        // The mock (on an allowed address) is still accepted, so the refusals above are the list's.
        with_device(&app, &me, &mock, "phone").await;
        mock.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_saved_before_the_list_changed_gets_nothing_from_off_the_list() {
    // The server runs with only the real push services allowed; a device row already points at
    // a local address (saved under an older setting, or written some other way).
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.push_services = app::state::push_services::DEFAULT_PUSH_SERVICES.into();
    })
    .await;
    let mock = mock_for(&app).await;
    let me = make_patient(&app, "Pat Tester", "9434765919").await;
    let (status, _) = add_device(&app, &me, &mock.device("new")).await;
    assert_eq!(status, 422, "a local address is refused under this setting");
    push_subscription::Entity::insert(mock.device("old").row(me.account_id, app.now()))
        .exec(&app.db)
        .await
        .unwrap();
    post_form(&app, &me, "/api/reminders/test", &[]).await;
    let report = worker(&app).run_once().await.expect("a step");
    let attempts = mock.attempts("old");
    let job = jobs_of(&app, "test").await.remove(0);
    mock.stop();
    app.teardown().await;
    assert_eq!(report.leased, 1);
    assert_eq!(attempts, 0, "nothing was posted to the local address");
    assert_eq!(report.finished.sent, 0);
    assert!(
        job.last_error
            .as_deref()
            .unwrap_or("")
            .contains("not a push service we send to"),
        "{job:?}"
    );
}

db_test! {
    async fn every_instance_signs_with_the_one_push_key_in_the_database_and_a_key_file_of_its_own_refuses_to_start(app) {
        use server::reminders::vapid;
        let now = app::clock::Clock::now(&app.clock);
        let key = app.state.push.public_key().to_owned();
        assert_eq!(key.len(), 87, "65 bytes, base64url");
        // A second instance with a data folder of its own signs with the same key, and keeps
        // nothing private on its disk.
        let other = crate::support::scratch_dir();
        let second = vapid::shared(&app.db, &other, now).await.unwrap();
        assert_eq!(second.public_key, key);
        assert!(!other.join(vapid::KEY_FILE).exists());
        // An instance that made a key of its own before refuses to start, rather than sign
        // reminders no browser subscribed for.
        let odd = crate::support::scratch_dir();
        let own = jwt_simple::prelude::ES256KeyPair::generate().to_pem().unwrap();
        std::fs::write(odd.join(vapid::KEY_FILE), &own).unwrap();
        let refused = vapid::shared(&app.db, &odd, now).await.unwrap_err().to_string();
        assert!(refused.contains("is not the one every instance signs with"), "{refused}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(odd.join(vapid::KEY_FILE)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "a key file others could read is made private");
        }
        // Where no key is shared yet (a database from before), the first instance's own key
        // file becomes the shared key, so the subscriptions made with it keep working.
        app::entities::server_secret::Entity::delete_many().exec(&app.db).await.unwrap();
        let adopted = vapid::shared(&app.db, &odd, now).await.unwrap();
        let again = vapid::shared(&app.db, &other, now).await.unwrap();
        assert_ne!(adopted.public_key, key);
        assert_eq!(again.public_key, adopted.public_key);
        let _ = std::fs::remove_dir_all(other);
        let _ = std::fs::remove_dir_all(odd);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_worker_sends_a_test_reminder_as_soon_as_it_is_asked() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.reminder_worker = true).await;
    let mock = mock_for(&app).await;
    let me = make_patient(&app, "Wyn Tester", "9434765919").await;
    with_device(&app, &me, &mock, "phone").await;
    let asked = std::time::Instant::now();
    post_form(&app, &me, "/api/reminders/test", &[]).await;
    while mock.accepted() == 0 && asked.elapsed() < std::time::Duration::from_secs(4) {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    let took = asked.elapsed();
    let got = mock.accepted();
    mock.stop();
    app.teardown().await;
    assert_eq!(got, 1);
    // Woken at once, not on the next five-second poll.
    assert!(took < std::time::Duration::from_secs(2), "{took:?}");
}
