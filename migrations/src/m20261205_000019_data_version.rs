//! A version for each person's data (#21): `patients.data_version` moves on whenever anything a
//! person's own pages show changes — their plan, goals, actions and logs, the plan's history,
//! reviews, packs and their answers, results and their corrections, targets, conditions,
//! carers' grants, sharing — and whenever their own row does. Database triggers move it, in
//! the same transaction as the change, whichever server instance (or tool) made it, so a page
//! remembered for one version can never be shown once anything under it has changed: the
//! version is the shared signal that lets each instance keep pages in memory (`app::state::remembered`).
//!
//! Tables that name a person but that no page of theirs shows are left out on purpose:
//! `invitations` and `reminder_jobs` (the reminder worker writes these all day; moving the
//! version for each would throw away what was remembered for nothing) and `working_notes`
//! (the care team's own notes, shown only on staff pages, which are never remembered).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Tables with a `patient_id` whose rows a person's pages show.
pub const DIRECT: &[&str] = &[
    "about_me",
    "action_logs",
    "carer_grants",
    "checks_appointments",
    "contingency",
    "contingency_contacts",
    "goals",
    "observations",
    "patient_conditions",
    "plans",
    "plan_actions",
    "plan_changes",
    "preparation_packs",
    "result_targets",
    "reviews",
    "share_consents",
    "support_items",
];

/// Tables that reach a person through another table: (table, its column, the table it points
/// at).
pub const THROUGH: &[(&str, &str, &str)] = &[
    ("agenda_answers", "pack_id", "preparation_packs"),
    ("observation_versions", "observation_id", "observations"),
];

/// Tables naming a person that deliberately do not move the version (see above).
pub const LEFT_OUT: &[&str] = &["invitations", "reminder_jobs", "working_notes"];

const EVENTS: [(&str, &str); 3] = [
    ("insert", "INSERT"),
    ("update", "UPDATE"),
    ("delete", "DELETE"),
];

/// Which person a row belongs to, as SQL over `row` (`NEW` or `OLD`).
fn person_of(row: &str, through: Option<(&str, &str)>) -> String {
    match through {
        None => format!("{row}.patient_id"),
        Some((column, table)) => {
            format!("(SELECT patient_id FROM {table} WHERE id = {row}.{column})")
        }
    }
}

fn sqlite_triggers(table: &str, through: Option<(&str, &str)>) -> Vec<String> {
    EVENTS
        .iter()
        .map(|(name, event)| {
            let people = match *event {
                "INSERT" => person_of("NEW", through),
                "DELETE" => person_of("OLD", through),
                _ => format!(
                    "{}, {}",
                    person_of("OLD", through),
                    person_of("NEW", through)
                ),
            };
            format!(
                "CREATE TRIGGER {table}_moves_version_on_{name} AFTER {event} ON {table} \
                 FOR EACH ROW BEGIN \
                 UPDATE patients SET data_version = data_version + 1 WHERE id IN ({people}); END"
            )
        })
        .collect()
}

fn postgres_function(name: &str, through: Option<(&str, &str)>) -> String {
    let (old, new) = (person_of("OLD", through), person_of("NEW", through));
    format!(
        "CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ \
         BEGIN \
           IF TG_OP = 'INSERT' THEN \
             UPDATE patients SET data_version = data_version + 1 WHERE id = {new}; \
           ELSIF TG_OP = 'DELETE' THEN \
             UPDATE patients SET data_version = data_version + 1 WHERE id = {old}; \
           ELSE \
             UPDATE patients SET data_version = data_version + 1 WHERE id IN ({old}, {new}); \
           END IF; \
           RETURN NULL; \
         END $$"
    )
}

/// On PostgreSQL the version moves at commit (a deferred constraint trigger), still inside the
/// transaction that made the change. Moved at once, it would lock the person's row in the
/// middle of the transaction, between the other rows it locks; two writes for one person that
/// lock those rows in different orders (a log's row then its action's, beside a retry that
/// changes only the action) would then wait for each other until PostgreSQL ended one of them
/// as a deadlock. Taken last, the person's row closes no circle (SQLite has one writer at a
/// time, so its triggers need not wait).
fn postgres_trigger(table: &str, function: &str) -> String {
    format!(
        "CREATE CONSTRAINT TRIGGER {table}_moves_version \
         AFTER INSERT OR UPDATE OR DELETE ON {table} DEFERRABLE INITIALLY DEFERRED \
         FOR EACH ROW EXECUTE FUNCTION {function}()"
    )
}

fn function_for(through: Option<(&str, &str)>) -> String {
    match through {
        None => "alongside_move_version".into(),
        Some((_, table)) => format!("alongside_move_version_through_{table}"),
    }
}

fn every_table() -> impl Iterator<Item = (&'static str, Option<(&'static str, &'static str)>)> {
    DIRECT.iter().map(|t| (*t, None)).chain(
        THROUGH
            .iter()
            .map(|(t, column, target)| (*t, Some((*column, *target)))),
    )
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared(
            "ALTER TABLE patients ADD COLUMN data_version BIGINT NOT NULL DEFAULT 0",
        )
        .await?;
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => {
                // A change to the person's own row moves it too (but not the triggers'
                // own update of it).
                db.execute_unprepared(
                    "CREATE TRIGGER patients_move_version AFTER UPDATE ON patients FOR EACH ROW \
                     WHEN NEW.data_version = OLD.data_version BEGIN \
                     UPDATE patients SET data_version = data_version + 1 WHERE id = NEW.id; END",
                )
                .await?;
                for (table, through) in every_table() {
                    for sql in sqlite_triggers(table, through) {
                        db.execute_unprepared(&sql).await?;
                    }
                }
            }
            _ => {
                db.execute_unprepared(
                    "CREATE OR REPLACE FUNCTION alongside_patient_moved() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN NEW.data_version := OLD.data_version + 1; \
                     RETURN NEW; END $$",
                )
                .await?;
                db.execute_unprepared(
                    "CREATE TRIGGER patients_move_version BEFORE UPDATE ON patients FOR EACH ROW \
                     WHEN (NEW.data_version = OLD.data_version) \
                     EXECUTE FUNCTION alongside_patient_moved()",
                )
                .await?;
                db.execute_unprepared(&postgres_function("alongside_move_version", None))
                    .await?;
                for (_, column, target) in THROUGH {
                    let through = Some((*column, *target));
                    db.execute_unprepared(&postgres_function(&function_for(through), through))
                        .await?;
                }
                for (table, through) in every_table() {
                    db.execute_unprepared(&postgres_trigger(table, &function_for(through)))
                        .await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        match m.get_database_backend() {
            sea_orm_migration::sea_orm::DatabaseBackend::Sqlite => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS patients_move_version")
                    .await?;
                for (table, _) in every_table() {
                    for (name, _) in EVENTS {
                        db.execute_unprepared(&format!(
                            "DROP TRIGGER IF EXISTS {table}_moves_version_on_{name}"
                        ))
                        .await?;
                    }
                }
            }
            _ => {
                db.execute_unprepared("DROP TRIGGER IF EXISTS patients_move_version ON patients")
                    .await?;
                for (table, _) in every_table() {
                    db.execute_unprepared(&format!(
                        "DROP TRIGGER IF EXISTS {table}_moves_version ON {table}"
                    ))
                    .await?;
                }
                db.execute_unprepared("DROP FUNCTION IF EXISTS alongside_patient_moved()")
                    .await?;
                db.execute_unprepared("DROP FUNCTION IF EXISTS alongside_move_version()")
                    .await?;
                for (_, column, target) in THROUGH {
                    db.execute_unprepared(&format!(
                        "DROP FUNCTION IF EXISTS {}()",
                        function_for(Some((column, target)))
                    ))
                    .await?;
                }
            }
        }
        db.execute_unprepared("ALTER TABLE patients DROP COLUMN data_version")
            .await?;
        Ok(())
    }
}
