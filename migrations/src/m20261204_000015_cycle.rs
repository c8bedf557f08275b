//! The whole cycle for the care team (#19): the information-gathering appointment, where one
//! visit (often with a healthcare assistant) does the checks for all of a person's conditions
//! before their review. A person has one booked at a time: a partial unique index, the same SQL
//! on SQLite and PostgreSQL, so two clicks on "Book" make one. Which checks are planned and
//! which were done are sets of codes, space-separated (as a carer's scopes are).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ChecksAppointments {
    Table,
    Id,
    PatientId,
    OrganisationId,
    StartsAt,
    Place,
    WithWhom,
    Status,
    Checks,
    DoneChecks,
    DoneAt,
    DoneBy,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Patients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ChecksAppointments::Table)
                .col(uuid(ChecksAppointments::Id).primary_key())
                .col(uuid(ChecksAppointments::PatientId))
                .col(uuid(ChecksAppointments::OrganisationId))
                .col(timestamp_with_time_zone(ChecksAppointments::StartsAt))
                .col(string_len(ChecksAppointments::Place, 200))
                .col(string_len(ChecksAppointments::WithWhom, 120))
                // `booked`, `done` or `cancelled`.
                .col(string_len(ChecksAppointments::Status, 16))
                .col(text(ChecksAppointments::Checks))
                .col(text_null(ChecksAppointments::DoneChecks))
                .col(timestamp_with_time_zone_null(ChecksAppointments::DoneAt))
                .col(uuid_null(ChecksAppointments::DoneBy))
                .col(uuid(ChecksAppointments::CreatedBy))
                .col(timestamp_with_time_zone(ChecksAppointments::CreatedAt))
                .col(timestamp_with_time_zone(ChecksAppointments::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ChecksAppointments::Table, ChecksAppointments::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(
                            ChecksAppointments::Table,
                            ChecksAppointments::OrganisationId,
                        )
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("checks_appointments_patient")
                .table(ChecksAppointments::Table)
                .col(ChecksAppointments::PatientId)
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX checks_appointments_one_booked ON checks_appointments \
                 (patient_id) WHERE status = 'booked'",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(ChecksAppointments::Table).to_owned())
            .await
    }
}
