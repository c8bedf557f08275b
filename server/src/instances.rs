//! Several instances of the server behind one load balancer, on one PostgreSQL database,
//! behave as one (#17): migrations take turns under an advisory lock, the pack sweep runs on
//! one instance at a time under a lease, and `/readyz` proves the database takes writes with a
//! heartbeat row per instance. The shared push key is in `reminders::vapid`.
use std::time::Duration;

use app::entities::{heartbeat, lease};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait as _, OnConflict};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait as _, Set, Statement};
use uuid::Uuid;

use crate::db::{self, DbTarget};

/// Any number, the same in every instance: the key of the migration lock.
const MIGRATION_LOCK: i64 = 0x616c_6f6e_6773_6964; // "alongsid"

/// Runs the migrations. On PostgreSQL, under a session advisory lock held on a connection of
/// its own: instances started together take turns, and the later ones find nothing to do
/// (without it, two of three crashed creating the same tables).
pub async fn migrate(db: &DatabaseConnection, target: &DbTarget) -> Result<(), DbErr> {
    let DbTarget::Postgres(_) = target else {
        return db::migrate(db).await;
    };
    let lock = db::connect_one(target).await?;
    let backend = lock.get_database_backend();
    lock.execute_raw(Statement::from_sql_and_values(
        backend,
        "SELECT pg_advisory_lock($1)",
        [MIGRATION_LOCK.into()],
    ))
    .await?;
    let result = db::migrate(db).await;
    // Closing the connection releases the lock too; unlocking first says so plainly.
    let _ = lock
        .execute_raw(Statement::from_sql_and_values(
            backend,
            "SELECT pg_advisory_unlock($1)",
            [MIGRATION_LOCK.into()],
        ))
        .await;
    let _ = lock.close().await;
    result
}

/// Takes (or keeps) the lease `name` for `holder` until `now + ttl`, in one statement: free,
/// expired or already ours, it is ours; held by another instance, it is not. Returns whether
/// `holder` holds it now.
pub async fn try_lease(
    db: &impl ConnectionTrait,
    name: &str,
    holder: Uuid,
    now: DateTime<Utc>,
    ttl: Duration,
) -> Result<bool, DbErr> {
    let until = now + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::seconds(60));
    let taken = lease::Entity::insert(lease::ActiveModel {
        name: Set(name.to_owned()),
        holder: Set(holder),
        expires_at: Set(until),
    })
    .on_conflict(
        OnConflict::column(lease::Column::Name)
            .update_columns([lease::Column::Holder, lease::Column::ExpiresAt])
            .action_and_where(
                Expr::col((lease::Entity, lease::Column::ExpiresAt))
                    .lt(now)
                    .or(Expr::col((lease::Entity, lease::Column::Holder)).eq(holder)),
            )
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(taken == 1)
}

/// Writes this instance's heartbeat: proof that the database takes writes now.
pub async fn beat(
    db: &impl ConnectionTrait,
    instance: Uuid,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    heartbeat::Entity::insert(heartbeat::ActiveModel {
        instance: Set(instance),
        beat_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(heartbeat::Column::Instance)
            .update_column(heartbeat::Column::BeatAt)
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Whether every migration this build knows has run (an instance of a newer build may not
/// serve a database an older schema describes, nor the reverse).
pub async fn migrations_current(db: &DatabaseConnection) -> Result<bool, DbErr> {
    use migration::MigratorTrait as _;
    Ok(migration::Migrator::get_pending_migrations(db)
        .await?
        .is_empty())
}
