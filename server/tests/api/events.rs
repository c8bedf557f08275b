//! Domain events (#18): what one feature records in its transaction, the features above it
//! react to once, whole or not at all, however many requests and sweeps reach for it at once.
use std::sync::{Arc, Mutex};

use app::entities::domain_event;
use app::error::AppError;
use app::events::{Event, Happened, Reactor, Reactors};
use sea_orm::{
    ColumnTrait as _, DatabaseTransaction, EntityTrait as _, PaginatorTrait as _, QueryFilter as _,
};
use uuid::Uuid;

use crate::db_test;

/// Notes every person it is told about; fails (after writing an event of its own, which must
/// not stay) when told to.
struct Witness {
    seen: Arc<Mutex<Vec<Uuid>>>,
    fail: bool,
}

#[async_trait::async_trait]
impl Reactor for Witness {
    fn name(&self) -> &'static str {
        "witness"
    }

    async fn react(&self, txn: &DatabaseTransaction, happened: &Happened) -> Result<(), AppError> {
        let Event::PersonChanged { patient } = happened.event else {
            return Ok(());
        };
        if self.fail {
            app::events::record(
                txn,
                happened.now,
                Event::AccountActivated { account: patient },
            )
            .await?;
            return Err(AppError::internal("the witness fails, as asked"));
        }
        self.seen.lock().expect("not poisoned").push(patient);
        Ok(())
    }
}

fn witness(fail: bool) -> (Arc<Reactors>, Arc<Mutex<Vec<Uuid>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let reactors = Reactors(vec![Box::new(Witness {
        seen: seen.clone(),
        fail,
    })]);
    (Arc::new(reactors), seen)
}

async fn pending(app: &crate::support::TestApp) -> u64 {
    domain_event::Entity::find()
        .filter(domain_event::Column::DoneAt.is_null())
        .count(&app.db)
        .await
        .expect("count")
}

db_test! {
    async fn every_event_is_reacted_to_exactly_once_when_four_sweeps_reach_for_them_at_once(app) {
        let now = app.now();
        let people: Vec<Uuid> = (0..30).map(|_| Uuid::new_v4()).collect();
        for p in &people {
            app::events::record(&app.db, now, Event::PersonChanged { patient: *p }).await.expect("recorded");
        }
        let (reactors, seen) = witness(false);
        let sweeps: Vec<_> = (0..4)
            .map(|_| {
                let (db, reactors) = (app.db.clone(), reactors.clone());
                tokio::spawn(async move { app::events::react(&db, now, &reactors).await })
            })
            .collect();
        let mut handled = 0;
        for sweep in sweeps {
            handled += sweep.await.expect("joined").expect("the sweep ran");
        }
        let mut seen = seen.lock().expect("not poisoned").clone();
        assert_eq!(seen.len(), 30, "each event once, no more and no fewer: {seen:?}");
        assert_eq!(handled, 30, "the sweeps' own counts agree");
        seen.sort();
        let mut expected = people.clone();
        expected.sort();
        assert_eq!(seen, expected);
        assert_eq!(pending(&app).await, 0, "all marked done");
        // Done is done: another sweep finds nothing to do.
        assert_eq!(app::events::react(&app.db, now, &reactors).await.expect("ran"), 0);
    }
}

db_test! {
    async fn a_reaction_that_fails_leaves_nothing_behind_is_tried_again_and_is_set_aside_after_five_tries(app) {
        let now = app.now();
        let person = Uuid::new_v4();
        app::events::record(&app.db, now, Event::PersonChanged { patient: person }).await.expect("recorded");
        let (failing, _) = witness(true);
        for attempt in 1..=5 {
            assert_eq!(app::events::react(&app.db, now, &failing).await.expect("ran"), 0);
            let rows = domain_event::Entity::find().all(&app.db).await.expect("rows");
            assert_eq!(rows.len(), 1, "what the failed reaction wrote was rolled back: {rows:?}");
            assert_eq!(rows[0].attempts, attempt);
            assert!(rows[0].done_at.is_none(), "still to do");
        }
        // Set aside: a working reactor no longer gets it, so it cannot hold the others up.
        let (working, seen) = witness(false);
        let next = Uuid::new_v4();
        app::events::record(&app.db, now, Event::PersonChanged { patient: next }).await.expect("recorded");
        assert_eq!(app::events::react(&app.db, now, &working).await.expect("ran"), 1);
        assert_eq!(*seen.lock().expect("not poisoned"), vec![next]);
    }
}
