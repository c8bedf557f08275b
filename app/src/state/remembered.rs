//! Pages remembered between requests (#21): what a person's own pages show (Today, their plan,
//! their results) is kept in this server's memory after it is first read, and shown again
//! while nothing under it has changed, instead of being read from the database every time.
//!
//! "Nothing has changed" is decided by the database, not by this process: every change to
//! what a person's pages show moves their `patients.data_version` in the same transaction
//! (triggers; see the migration `m20261205_000019_data_version`), whichever server instance,
//! import or tool made it. The version comes with the person's own row, which every request
//! reads first (who is signed in, and whom they are looking at), so a remembered page is
//! matched against a version read *before* anything the page would read: a change committed
//! after that is either in what is read now or moves the version the next request sees.
//!
//! What else a page depends on is in the key or the entry: who is looking (a carer's view is
//! never a person's own), the person's today (dates, "due today"), and the moment the page
//! would change by time alone (a review starting, news growing old), after which the entry is
//! not used. Only the person and their carers are served from here: a professional's
//! permissions come from their practice's memberships, which the version does not follow.
//!
//! Access is decided before this is reached: a remembered page is only ever handed to a
//! request whose `PatientCtx` the access layer has just opened, and only the access layer
//! makes a [`Key`].
use std::any::Any;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::error::AppError;
use crate::state::AppState;

/// This server's remembered pages (shared by its requests through [`AppState`]): at most the
/// number the `remembered_pages` setting gives (a Today page or a plan is a few kilobytes).
/// When full, the ones least likely to be used again go first (quick_cache's S3-FIFO). None
/// kept: every page is read afresh.
#[derive(Clone)]
pub struct Remembered(Option<Arc<quick_cache::sync::Cache<Key, Entry>>>);

/// What a remembered page is found by. The access layer makes it, from the context it has
/// just opened (`PatientCtx::remembered_as`), and makes none for a professional.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub page: &'static str,
    /// Anything the page takes besides the person (a result's code).
    pub detail: String,
    pub viewer: Uuid,
    pub patient: Uuid,
    pub version: i64,
    pub today: NaiveDate,
}

#[derive(Clone)]
struct Entry {
    value: Arc<dyn Any + Send + Sync>,
    until: Option<DateTime<Utc>>,
}

impl Remembered {
    /// A store keeping at most `pages` (0: none).
    pub fn keeping(pages: u32) -> Self {
        Self((pages > 0).then(|| {
            Arc::new(quick_cache::sync::Cache::new(
                usize::try_from(pages).unwrap_or(usize::MAX),
            ))
        }))
    }
}

impl std::fmt::Debug for Remembered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remembered")
            .field("pages", &self.0.as_ref().map(|cache| cache.len()))
            .finish()
    }
}

/// A page's data as read, and the moment it would change by time alone (if before the
/// person's midnight, when it changes anyway).
pub struct Fresh<T> {
    pub value: T,
    pub until: Option<DateTime<Utc>>,
}

impl<T> Fresh<T> {
    /// Data that changes only when the person's data or their day does.
    pub fn for_the_day(value: T) -> Self {
        Self { value, until: None }
    }
}

/// A page's data for `key` (none: not remembered): remembered if nothing under it has
/// changed, read by `read` (and remembered) otherwise. Read once however many ask at once:
/// after a change, every request for the person's page misses together, and each reading it
/// afresh made the server slower the more connections it served (`make bench-mixed`: 1,601
/// requests/s at 8, 1,205 at 32, 900 at 128). The first reads; the others wait for what it
/// read (holding no connection), or, if its read fails or is abandoned, the next reads.
pub async fn page<T, Read, Reading>(
    state: &AppState,
    key: Option<Key>,
    read: Read,
) -> Result<T, AppError>
where
    T: Clone + Send + Sync + 'static,
    Read: FnOnce() -> Reading,
    Reading: Future<Output = Result<Fresh<T>, AppError>>,
{
    use quick_cache::sync::{EntryAction, EntryResult};
    let (Some(key), Some(cache)) = (key, &state.remembered.0) else {
        return Ok(read().await?.value);
    };
    let now = state.clock.now();
    let found = cache
        .entry_async(&key, |_, entry| {
            if entry.until.is_none_or(|until| now < until) {
                EntryAction::Retain(entry.value.clone())
            } else {
                // Time has moved the page on: read again, the others waiting for it.
                EntryAction::ReplaceWithGuard
            }
        })
        .await;
    let guard = match found {
        EntryResult::Retained(value) => match value.downcast::<T>() {
            Ok(value) => return Ok(T::clone(&value)),
            // Another type under this key (a key names its page, so never): read, keep none.
            Err(_) => None,
        },
        EntryResult::Vacant(guard) | EntryResult::Replaced(guard, _) => Some(guard),
        _ => None,
    };
    let fresh = read().await?;
    if let Some(guard) = guard {
        // Refused only when the store is full of hotter pages: then it is simply not kept.
        let _ = guard.insert(Entry {
            value: Arc::new(fresh.value.clone()),
            until: fresh.until,
        });
    }
    Ok(fresh.value)
}
