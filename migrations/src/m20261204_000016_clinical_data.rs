//! Clinical data in and out (#20): each result keeps what the lab or GP system said of it — its
//! original codings, status, identifier, comparator, issued time, performer and, when converted,
//! the value and unit as sent — and a correction replaces a result in place while its earlier
//! values are kept in `observation_versions`. One live value per test: a result's identifier is
//! unique for the person (a partial unique index, the same SQL on SQLite and PostgreSQL), and a
//! result entered in error is marked removed rather than deleted.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Observations {
    Table,
    Id,
    /// `final`, `amended`, `corrected` or `entered-in-error` (FHIR's words).
    Status,
    /// `<`, `<=`, `>=` or `>` when the lab gave a bound rather than an exact number.
    Comparator,
    /// The lab's identifier for the result, as `system|value`.
    Identifier,
    Issued,
    /// `taken` (the specimen's or effective time) or `reported` (only `issued` was given).
    DatedBy,
    Performer,
    /// The codings as sent, a JSON array of {system, code, display}.
    Codings,
    /// The value and unit as sent, when Alongside converted them ("6.1", "%").
    OriginalValue,
    OriginalUnit,
    CorrectedAt,
    RemovedAt,
}

#[derive(DeriveIden)]
enum ObservationVersions {
    Table,
    Id,
    ObservationId,
    /// The result as it was before this change, JSON.
    Snapshot,
    /// `amended`, `corrected` or `entered-in-error`.
    Reason,
    ReplacedAt,
    Source,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for col in [
            string_len(Observations::Status, 20)
                .default("final")
                .to_owned(),
            string_len_null(Observations::Comparator, 2),
            string_len_null(Observations::Identifier, 300),
            timestamp_with_time_zone_null(Observations::Issued),
            string_len(Observations::DatedBy, 10)
                .default("taken")
                .to_owned(),
            string_len_null(Observations::Performer, 200),
            text_null(Observations::Codings),
            string_len_null(Observations::OriginalValue, 40),
            string_len_null(Observations::OriginalUnit, 40),
            timestamp_with_time_zone_null(Observations::CorrectedAt),
            timestamp_with_time_zone_null(Observations::RemovedAt),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Observations::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX observations_one_per_identifier ON observations \
                 (patient_id, identifier) WHERE identifier IS NOT NULL",
            )
            .await?;
        m.create_table(
            Table::create()
                .table(ObservationVersions::Table)
                .col(uuid(ObservationVersions::Id).primary_key())
                .col(uuid(ObservationVersions::ObservationId))
                .col(text(ObservationVersions::Snapshot))
                .col(string_len(ObservationVersions::Reason, 20))
                .col(timestamp_with_time_zone(ObservationVersions::ReplacedAt))
                .col(string_len(ObservationVersions::Source, 40))
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            ObservationVersions::Table,
                            ObservationVersions::ObservationId,
                        )
                        .to(Observations::Table, Observations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("observation_versions_observation")
                .table(ObservationVersions::Table)
                .col(ObservationVersions::ObservationId)
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ObservationVersions::Table).to_owned())
            .await
    }
}
