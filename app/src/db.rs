//! Helpers for talking to either database (server only): write transactions that take the
//! lock they need up front, turns on one thing, and raw statements written once for both.

/// The same raw statement for both databases, written with `$1` parameters: PostgreSQL numbers
/// its parameters `$1`, SQLite `?1`.
pub fn statement(
    db: &impl sea_orm::ConnectionTrait,
    sql: &str,
    values: Vec<sea_orm::Value>,
) -> sea_orm::Statement {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => sql.to_owned(),
        _ => sql.replace('$', "?"),
    };
    sea_orm::Statement::from_sql_and_values(backend, sql, values)
}

/// What a write transaction that checks before it changes takes its turn on.
#[derive(Clone, Copy, Debug)]
pub enum Turn {
    /// One account's ways in: its passkeys, recovery codes and sign-up links.
    Account(uuid::Uuid),
    /// One organisation's members and their roles.
    Organisation(uuid::Uuid),
    /// One person's queued reminders, brought up to date from their situation.
    Patient(uuid::Uuid),
    /// Imports of results: each decides from what is stored (is this a correction, a repeat?).
    ResultsImport,
}

impl Turn {
    /// The same number in every instance for the same thing (a different one per kind).
    fn key(self) -> i64 {
        let (tag, id) = match self {
            Turn::Account(id) => (0x6163_636f_756e_7400_u64, id), // "account"
            Turn::Organisation(id) => (0x6f72_6761_6e69_7300_u64, id), // "organis"
            Turn::Patient(id) => (0x7061_7469_656e_7400_u64, id), // "patient"
            Turn::ResultsImport => (0x7265_7375_6c74_7300_u64, uuid::Uuid::nil()), // "results"
        };
        let (high, low) = id.as_u64_pair();
        i64::from_ne_bytes((high ^ low ^ tag).to_ne_bytes())
    }
}

/// Starts a write transaction that waits its turn on `turn`: for a change that checks first
/// ("is this their last passkey?", "is there another administrator?"), so two such changes at
/// once cannot both pass the check (two removals leaving no passkey, two administrators
/// demoting each other). SQLite's `BEGIN IMMEDIATE` already lets one writer in at a time; on
/// PostgreSQL a transaction-scoped advisory lock on the thing does, released at commit or
/// rollback. Changes to different things never wait for each other.
pub async fn begin_write_on(
    db: &sea_orm::DatabaseConnection,
    turn: Turn,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    let txn = begin_write(db).await?;
    wait_turn(&txn, turn).await?;
    Ok(txn)
}

/// Waits for `turn` inside a write transaction already begun (see [`begin_write_on`]).
pub async fn wait_turn(
    txn: &sea_orm::DatabaseTransaction,
    turn: Turn,
) -> Result<(), sea_orm::DbErr> {
    use sea_orm::ConnectionTrait as _;
    if txn.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        txn.execute_raw(sea_orm::Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [turn.key().into()],
        ))
        .await?;
    }
    Ok(())
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (`BEGIN
/// IMMEDIATE`): a transaction that reads first and writes later cannot wait for another writer
/// (SQLite answers "database is locked" at once rather than risk a deadlock), while one that
/// asks for the lock up front simply waits its turn. PostgreSQL ignores the option.
pub async fn begin_write(
    db: &sea_orm::DatabaseConnection,
) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr> {
    use sea_orm::TransactionTrait as _;
    db.begin_with_options(sea_orm::TransactionOptions {
        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Selects every column of `E` from the table named (or aliased) `table` in `q`, each as
/// `<table>_<column>`, so a row decodes into `E`'s model with the prefix `<table>_`: for one
/// statement that reads several tables' rows at once (#21).
pub fn every_column<E: sea_orm::EntityTrait>(
    q: &mut sea_orm::sea_query::SelectStatement,
    table: &str,
) {
    use sea_orm::Iterable as _;
    use sea_orm::sea_query::{Alias, Expr};
    for c in E::Column::iter() {
        q.expr_as(
            Expr::col((Alias::new(table), c)),
            Alias::new(format!("{table}_{}", sea_orm::IdenStatic::as_str(&c))),
        );
    }
}

/// The rows of a statement led by one row (a pack, an organisation) with its children left
/// joined: the leading row's `lead` column (read from the first row), and the children decoded
/// from the columns [`every_column`] named `<prefix>_…` (none when the lead has no children,
/// whose one row has them all NULL).
pub fn led_rows<T, M>(
    rows: &[sea_orm::QueryResult],
    lead: &str,
    prefix: &str,
) -> Result<(Option<T>, Vec<M>), sea_orm::DbErr>
where
    T: sea_orm::TryGetable,
    M: sea_orm::FromQueryResult,
{
    let lead = match rows.first() {
        Some(row) => row.try_get::<Option<T>>("", lead)?,
        None => None,
    };
    let prefix = format!("{prefix}_");
    let mut children = Vec::with_capacity(rows.len());
    for row in rows {
        if let Some(child) = M::from_query_result_optional(row, &prefix)? {
            children.push(child);
        }
    }
    Ok((lead, children))
}
