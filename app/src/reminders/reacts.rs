//! How reminders follow what other features change (see `crate::events`): a person's
//! situation changed, so their queued reminders are brought up to date; a session ended, so
//! that device gets no more; something changed about signing in, so every device is told.
use sea_orm::DatabaseTransaction;

use crate::error::AppError;
use crate::events::{Event, Happened, Reactor};

pub struct Reminders;

#[async_trait::async_trait]
impl Reactor for Reminders {
    fn name(&self) -> &'static str {
        "reminders"
    }

    async fn react(&self, txn: &DatabaseTransaction, happened: &Happened) -> Result<(), AppError> {
        match &happened.event {
            Event::PersonChanged { patient } => {
                // Two reactions for one person at once would each cancel what the other wrote.
                crate::db::wait_turn(txn, crate::db::Turn::Patient(*patient)).await?;
                super::service::sync_patient(txn, happened.now, *patient).await
            }
            Event::SessionEnded { session, .. } => {
                super::service::remove_for_session(txn, session).await
            }
            Event::SignInChanged { account, what } => {
                // Keyed by when it happened, so the notice is the same one however late this runs.
                super::service::security_notice(txn, happened.at, *account, what).await
            }
            Event::AccountActivated { .. } => Ok(()),
        }
    }
}
