//! The reminders benchmark (issue #9): 10,000 reminders due in the same minute, sent through
//! the real worker (lease, policy, schedule checks, VAPID signing, aes128gcm encryption, HTTP)
//! to the local mock push service, which checks each VAPID header as a real one would. Reports
//! sends per second and the time until the last one is acknowledged. `make bench-reminders`
//! runs it in release mode, on SQLite and (when `TEST_POSTGRES_URL` reaches a server) on
//! PostgreSQL.
//!
//! Two scenarios: every person's daily-actions reminder at 9 o'clock (the realistic peak: each
//! needs a policy check and a look at the day's actions, and writes the next slot), and plain
//! test reminders (the sending path alone).
#[path = "../tests/api/push_mock.rs"]
mod push_mock;

use std::sync::Arc;
use std::time::Instant;

use app::clock::{ManualClock, SharedClock};
use app::entities::{
    account, goal, organisation, patient, plan_action, push_subscription, reminder_job,
};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait as _, ConnectionTrait as _, Database, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, Set,
};
use server::config::Config;
use server::db::DbTarget;
use uuid::Uuid;

const PEOPLE: usize = 10_000;
const WORKERS: usize = 2;

#[derive(Clone, Copy, PartialEq)]
enum Scenario {
    Actions,
    Plain,
}

struct Figures {
    backend: &'static str,
    scenario: &'static str,
    seconds: f64,
    sent: u64,
    accepted: usize,
}

async fn database(postgres: bool, scratch: &std::path::Path) -> Option<(DbTarget, Option<String>)> {
    if !postgres {
        return Some((DbTarget::Sqlite(scratch.join("bench.db")), None));
    }
    let admin_url = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let admin = Database::connect(&admin_url).await.ok()?;
    let name = format!("alongside_bench_{}", Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .ok()?;
    admin.close().await.ok();
    let mut url = url::Url::parse(&admin_url).ok()?;
    url.set_path(&name);
    Some((DbTarget::Postgres(url.to_string()), Some(name)))
}

async fn run(postgres: bool, scenario: Scenario) -> Option<Figures> {
    let scratch = std::env::temp_dir().join(format!("alongside-bench-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&scratch).ok()?;
    let (target, pg_name) = database(postgres, &scratch).await?;
    let db = server::db::connect(&target).await.expect("database");
    server::db::migrate(&db).await.expect("migrate");
    // 09:00 in London on a winter's day: the slot everyone chose.
    let slot = chrono::DateTime::parse_from_rfc3339("2026-12-03T09:00:00Z")
        .expect("time")
        .with_timezone(&Utc);
    let clock = ManualClock::new(slot - Duration::hours(12));
    let shared: SharedClock = Arc::new(clock.clone());
    let config = Config {
        data_dir: scratch.clone(),
        site_root: scratch.join("site"),
        reminder_worker: false,
        // The mock push service on loopback stands in for a real one.
        push_services: "http://127.0.0.1:*".into(),
        ..Config::default()
    };
    let prepared = server::prepare_with(config.clone(), shared, db.clone(), target)
        .await
        .expect("prepare");
    let mock = push_mock::MockPush::start(prepared.state.push.public_key(), false).await;

    // 10,000 people, each with a phone and (for the actions scenario) one daily action.
    let now = app::clock::Clock::now(&clock);
    let org = Uuid::new_v4();
    let org_row = organisation::ActiveModel {
        id: Set(org),
        name: Set("Bench Practice".into()),
        kind: Set("gp_practice".into()),
        ods_code: Set(None),
        created_at: Set(now),
        pack_release_days: Set(14),
    };
    organisation::Entity::insert(org_row)
        .exec_without_returning(&db)
        .await
        .expect("organisation");
    let mut jobs = Vec::new();
    for chunk in (0..PEOPLE).collect::<Vec<_>>().chunks(1000) {
        let (mut accounts, mut people, mut goals, mut actions, mut devices) =
            (vec![], vec![], vec![], vec![], vec![]);
        for i in chunk {
            let (a, p) = (Uuid::new_v4(), Uuid::new_v4());
            accounts.push(account::ActiveModel {
                id: Set(a),
                display_name: Set(format!("Person {i}")),
                created_at: Set(now),
            });
            people.push(patient::ActiveModel {
                id: Set(p),
                account_id: Set(Some(a)),
                organisation_id: Set(org),
                given_name: Set(format!("Person{i}")),
                family_name: Set("Bench".into()),
                date_of_birth: Set(NaiveDate::from_ymd_opt(1950, 1, 1).unwrap_or_default()),
                nhs_number: Set(format!("{:010}", i)),
                phone: Set(None),
                email: Set(None),
                time_zone: Set("Europe/London".into()),
                created_at: Set(now),
                data_version: sea_orm::ActiveValue::NotSet,
            });
            let g = Uuid::new_v4();
            goals.push(goal::ActiveModel {
                id: Set(g),
                patient_id: Set(p),
                title: Set("Keep moving".into()),
                why: Set(String::new()),
                importance: Set(8),
                success: Set(String::new()),
                target_date: Set(None),
                status: Set("in_progress".into()),
                conditions: Set(String::new()),
                created_at: Set(now),
            });
            actions.push(plan_action::ActiveModel {
                id: Set(Uuid::new_v4()),
                patient_id: Set(p),
                goal_id: Set(g),
                what: Set("Walk".into()),
                who_kind: Set("me".into()),
                who_name: Set(String::new()),
                frequency: Set("daily".into()),
                times_per_week: Set(None),
                weekdays: Set(String::new()),
                due_by: Set(None),
                time_of_day: Set("any".into()),
                confidence: Set(7),
                status: Set("in_progress".into()),
                starts_on: Set(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap_or_default()),
                created_at: Set(now),
                streak_through: Set(None),
                streak_count: Set(0),
            });
            devices.push(mock.device(&format!("d{i}")).row(a, now));
            let (key, kind, person, stale) = match scenario {
                Scenario::Actions => (
                    format!("actions:{p}:{a}:{}", slot.timestamp()),
                    "actions",
                    Some(p),
                    slot + Duration::hours(15),
                ),
                Scenario::Plain => (
                    format!("plain:{i}"),
                    "test",
                    None,
                    slot + Duration::hours(1),
                ),
            };
            // All due within the same minute.
            jobs.push(reminder_job::ActiveModel {
                id: Set(Uuid::new_v4()),
                key: Set(key),
                account_id: Set(a),
                patient_id: Set(person),
                kind: Set(kind.into()),
                about_id: Set(None),
                due_at: Set(slot - Duration::seconds((*i % 60) as i64)),
                stale_at: Set(Some(stale)),
                status: Set("scheduled".into()),
                attempts: Set(0),
                lease_owner: Set(None),
                lease_until: Set(None),
                delivered: Set(String::new()),
                last_error: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
                finished_at: Set(None),
            });
        }
        account::Entity::insert_many(accounts)
            .exec_without_returning(&db)
            .await
            .expect("accounts");
        patient::Entity::insert_many(people)
            .exec_without_returning(&db)
            .await
            .expect("people");
        if scenario == Scenario::Actions {
            goal::Entity::insert_many(goals)
                .exec_without_returning(&db)
                .await
                .expect("goals");
            plan_action::Entity::insert_many(actions)
                .exec_without_returning(&db)
                .await
                .expect("actions");
        }
        push_subscription::Entity::insert_many(devices)
            .exec_without_returning(&db)
            .await
            .expect("devices");
    }
    for chunk in jobs.chunks(1000) {
        reminder_job::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(&db)
            .await
            .expect("jobs");
    }
    let due = reminder_job::Entity::find().count(&db).await.unwrap_or(0);
    assert_eq!(due as usize, PEOPLE);

    clock.set(slot);
    let settings = server::worker_settings(&config);
    let workers: Vec<server::reminders::Worker> = (0..WORKERS)
        .map(|_| {
            server::reminders::Worker::new(
                prepared.state.app.clone(),
                prepared.state.push.clone(),
                settings.clone(),
            )
        })
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in workers {
        tasks.push(tokio::spawn(async move {
            let mut sent = 0u64;
            loop {
                match w.run_once().await {
                    Ok(r) if r.leased == 0 => return sent,
                    Ok(r) => sent += r.finished.sent as u64,
                    Err(e) => panic!("worker step failed: {e}"),
                }
            }
        }));
    }
    let mut sent = 0;
    for t in tasks {
        sent += t.await.unwrap_or(0);
    }
    let seconds = started.elapsed().as_secs_f64();
    let accepted = mock.accepted();
    assert!(
        mock.rejected().is_empty(),
        "the push service refused: {:?}",
        mock.rejected().first()
    );
    let left = reminder_job::Entity::find()
        .filter(reminder_job::Column::DueAt.lte(slot))
        .filter(reminder_job::Column::Status.ne("sent"))
        .count(&db)
        .await
        .unwrap_or(0);
    assert_eq!(left, 0, "every due reminder sent");
    mock.stop();
    db.close().await.ok();
    if let Some(name) = pg_name
        && let Ok(admin) = Database::connect(
            std::env::var("TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into()),
        )
        .await
    {
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .ok();
    }
    std::fs::remove_dir_all(&scratch).ok();
    Some(Figures {
        backend: if postgres { "PostgreSQL" } else { "SQLite" },
        scenario: match scenario {
            Scenario::Actions => "daily actions at 09:00",
            Scenario::Plain => "plain (sending only)",
        },
        seconds,
        sent,
        accepted,
    })
}

#[tokio::main]
async fn main() {
    println!(
        "{PEOPLE} reminders due in the same minute, {WORKERS} workers (concurrency 64 each), mock push service on loopback"
    );
    println!("| database | reminders | sent | sends/s | last acknowledged after |");
    println!("|---|---|---|---|---|");
    for postgres in [false, true] {
        for scenario in [Scenario::Actions, Scenario::Plain] {
            match run(postgres, scenario).await {
                Some(f) => println!(
                    "| {} | {} | {} ({} accepted) | {:.0} | {:.1} s |",
                    f.backend,
                    f.scenario,
                    f.sent,
                    f.accepted,
                    f.sent as f64 / f.seconds,
                    f.seconds
                ),
                None => {
                    println!("| PostgreSQL | skipped: not reachable at TEST_POSTGRES_URL | | | |")
                }
            }
        }
    }
}
