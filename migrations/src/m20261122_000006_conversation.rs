//! The care and support planning conversation and consent to share: the plan's agreement (who
//! wrote it, with whom it was agreed, when), the care team's professional-only working notes,
//! and the organisations beyond their practice that a person has chosen to share with.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

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

#[derive(DeriveIden)]
enum Plans {
    Table,
    AgreedAt,
    AgreedBy,
    WrittenBy,
    AgreedWith,
    Representative,
}

#[derive(DeriveIden)]
enum WorkingNotes {
    Table,
    Id,
    PatientId,
    OrganisationId,
    AuthorId,
    AuthorName,
    At,
    Body,
}

#[derive(DeriveIden)]
enum ShareConsents {
    Table,
    Id,
    PatientId,
    OrganisationId,
    GrantedAt,
    GrantedBy,
    WithdrawnAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one change per ALTER TABLE.
        for col in [
            ColumnDef::new(Plans::AgreedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(Plans::AgreedBy).uuid().null().to_owned(),
            ColumnDef::new(Plans::WrittenBy)
                .string_len(200)
                .null()
                .to_owned(),
            ColumnDef::new(Plans::AgreedWith)
                .string_len(20)
                .null()
                .to_owned(),
            ColumnDef::new(Plans::Representative)
                .string_len(200)
                .null()
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Plans::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(WorkingNotes::Table)
                .col(pk_uuid(WorkingNotes::Id))
                .col(uuid(WorkingNotes::PatientId))
                .col(uuid(WorkingNotes::OrganisationId))
                .col(uuid(WorkingNotes::AuthorId))
                .col(string_len(WorkingNotes::AuthorName, 200))
                .col(timestamp_with_time_zone(WorkingNotes::At))
                .col(text(WorkingNotes::Body))
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkingNotes::Table, WorkingNotes::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(WorkingNotes::Table, WorkingNotes::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("working_notes_patient_at")
                .table(WorkingNotes::Table)
                .col(WorkingNotes::PatientId)
                .col(WorkingNotes::At)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ShareConsents::Table)
                .col(pk_uuid(ShareConsents::Id))
                .col(uuid(ShareConsents::PatientId))
                .col(uuid(ShareConsents::OrganisationId))
                .col(timestamp_with_time_zone(ShareConsents::GrantedAt))
                .col(uuid(ShareConsents::GrantedBy))
                .col(timestamp_with_time_zone_null(ShareConsents::WithdrawnAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(ShareConsents::Table, ShareConsents::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ShareConsents::Table, ShareConsents::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        // The policy asks "does this organisation have this person's consent?" on every read.
        m.create_index(
            Index::create()
                .name("share_consents_org_patient")
                .table(ShareConsents::Table)
                .col(ShareConsents::OrganisationId)
                .col(ShareConsents::PatientId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ShareConsents::Table.into_iden(),
            WorkingNotes::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
