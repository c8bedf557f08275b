//! Domain events: how a feature tells the features above it that something changed, without
//! calling them (the house's layers, `crate::layers`, forbid that).
//!
//! A service writes the event with [`record`] in the same transaction as the change, so the
//! two are saved together or not at all. Right after the commit the service asks the state to
//! [`react`](crate::state::AppState::react): each pending event is claimed and handed to every
//! [`Reactor`] in one transaction, and marked done in it, so a reaction happens once and never
//! half. Anything a crash left pending is picked up by the server's minute sweep. The reactors
//! themselves are registered by the shell, the one module that knows every feature.
use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _,
    Set,
};
use uuid::Uuid;

use crate::entities::domain_event;
use crate::error::AppError;

/// What happened. Each names the person or account it is about and carries no health data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Something that decides which reminders a person gets changed: their actions, a review
    /// booked, moved or cancelled, a preparation pack released or answered, a carer's grant.
    PersonChanged { patient: Uuid },
    /// A session ended (signed out, or ended from another device).
    SessionEnded { account: Uuid, session: String },
    /// An account got its first passkey: what was waiting for it (a carer's grant) can start.
    AccountActivated { account: Uuid },
    /// Something changed about how an account signs in (`what` names it, e.g.
    /// `recovery_requested`); the account's devices are told at once.
    SignInChanged { account: Uuid, what: String },
}

impl Event {
    fn kind(&self) -> &'static str {
        match self {
            Event::PersonChanged { .. } => "person_changed",
            Event::SessionEnded { .. } => "session_ended",
            Event::AccountActivated { .. } => "account_activated",
            Event::SignInChanged { .. } => "sign_in_changed",
        }
    }

    fn parts(&self) -> (Uuid, Option<String>) {
        match self {
            Event::PersonChanged { patient } => (*patient, None),
            Event::SessionEnded { account, session } => (*account, Some(session.clone())),
            Event::AccountActivated { account } => (*account, None),
            Event::SignInChanged { account, what } => (*account, Some(what.clone())),
        }
    }

    fn from_row(row: &domain_event::Model) -> Option<Event> {
        let detail = || row.detail.clone();
        Some(match row.kind.as_str() {
            "person_changed" => Event::PersonChanged {
                patient: row.subject,
            },
            "session_ended" => Event::SessionEnded {
                account: row.subject,
                session: detail()?,
            },
            "account_activated" => Event::AccountActivated {
                account: row.subject,
            },
            "sign_in_changed" => Event::SignInChanged {
                account: row.subject,
                what: detail()?,
            },
            _ => return None,
        })
    }
}

/// Writes `event` in the caller's transaction (the one that made the change).
pub async fn record(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    event: Event,
) -> Result<(), AppError> {
    let (subject, detail) = event.parts();
    domain_event::ActiveModel {
        id: Set(Uuid::new_v4()),
        kind: Set(event.kind().to_owned()),
        subject: Set(subject),
        detail: Set(detail),
        created_at: Set(now),
        attempts: Set(0),
        done_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// An event being reacted to.
#[derive(Clone, Debug)]
pub struct Happened {
    pub event: Event,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// Now, as the reaction runs.
    pub now: DateTime<Utc>,
}

/// A feature's reaction to events. It runs inside the transaction that marks the event done:
/// if it fails, nothing it wrote stays and the event is tried again.
#[async_trait::async_trait]
pub trait Reactor: Send + Sync {
    /// For logs: which feature is reacting.
    fn name(&self) -> &'static str;
    async fn react(&self, txn: &DatabaseTransaction, happened: &Happened) -> Result<(), AppError>;
}

/// Every feature's reactor, in the order they run.
#[derive(Default)]
pub struct Reactors(pub Vec<Box<dyn Reactor>>);

impl std::fmt::Debug for Reactors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|r| r.name()))
            .finish()
    }
}

/// After this many failed reactions an event is set aside (and logged) so it cannot hold the
/// others up.
const MAX_ATTEMPTS: i32 = 5;
/// Events handled at most per call; the next call (or the sweep) takes the rest.
const BATCH: u64 = 200;
/// Done events are kept this long, for looking into what happened, then forgotten.
const KEEP_DAYS: i64 = 7;

/// Reacts to every pending event, each once, oldest first; returns how many were handled.
/// Safe to run from several requests and instances at once: an event is claimed by the
/// statement that marks it done, so only one transaction can have it, and that transaction
/// also holds the reactions.
pub async fn react(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    reactors: &Reactors,
) -> Result<usize, AppError> {
    let pending = domain_event::Entity::find()
        .filter(domain_event::Column::DoneAt.is_null())
        .filter(domain_event::Column::Attempts.lt(MAX_ATTEMPTS))
        .order_by_asc(domain_event::Column::CreatedAt)
        .order_by_asc(domain_event::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut handled = 0;
    for row in pending {
        match react_to(db, now, reactors, &row).await {
            Ok(true) => handled += 1,
            Ok(false) => {}
            Err(err) if row.attempts + 1 >= MAX_ATTEMPTS => {
                tracing::error!(event = %row.id, kind = %row.kind, error = %err, "reacting to an event failed {MAX_ATTEMPTS} times; it is set aside");
                count_failure(db, &row).await?;
            }
            Err(err) => {
                tracing::warn!(event = %row.id, kind = %row.kind, error = %err, "reacting to an event failed; it will be tried again");
                count_failure(db, &row).await?;
            }
        }
    }
    Ok(handled)
}

/// Counts a failed reaction.
async fn count_failure(db: &DatabaseConnection, row: &domain_event::Model) -> Result<(), AppError> {
    domain_event::Entity::update_many()
        .col_expr(
            domain_event::Column::Attempts,
            Expr::col(domain_event::Column::Attempts).add(1),
        )
        .filter(domain_event::Column::Id.eq(row.id))
        .filter(domain_event::Column::DoneAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Claims one event and runs every reactor on it, in one transaction. `false` if another
/// transaction had already handled it.
async fn react_to(
    db: &DatabaseConnection,
    now: DateTime<Utc>,
    reactors: &Reactors,
    row: &domain_event::Model,
) -> Result<bool, AppError> {
    let txn = crate::db::begin_write(db).await?;
    let claimed = domain_event::Entity::update_many()
        .col_expr(domain_event::Column::DoneAt, Expr::value(now))
        .filter(domain_event::Column::Id.eq(row.id))
        .filter(domain_event::Column::DoneAt.is_null())
        .exec(&txn)
        .await?;
    if claimed.rows_affected == 0 {
        txn.rollback().await?;
        return Ok(false);
    }
    let Some(event) = Event::from_row(row) else {
        // Written by a newer version of the server: left done here, and said so.
        tracing::warn!(event = %row.id, kind = %row.kind, "an event of a kind this server does not know was skipped");
        txn.commit().await?;
        return Ok(false);
    };
    let happened = Happened {
        event,
        at: row.created_at,
        now,
    };
    for reactor in &reactors.0 {
        reactor.react(&txn, &happened).await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// Forgets events handled more than a week ago; the cleanup sweep calls this.
pub async fn forget_old(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<(), AppError> {
    domain_event::Entity::delete_many()
        .filter(domain_event::Column::DoneAt.lt(now - Duration::days(KEEP_DAYS)))
        .exec(db)
        .await?;
    Ok(())
}
