//! Preparation packs: the release of results (and, later, agenda prompts) to the person before
//! their review. Results are visible to the person only once a pack released after they were
//! entered: nobody meets a worrying result alone before a clinician has seen it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Patients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PreparationPacks {
    Table,
    Id,
    PatientId,
    ReleasedAt,
    ReleasedBy,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PreparationPacks::Table)
                .col(pk_uuid(PreparationPacks::Id))
                .col(uuid(PreparationPacks::PatientId))
                .col(timestamp_with_time_zone_null(PreparationPacks::ReleasedAt))
                .col(uuid_null(PreparationPacks::ReleasedBy))
                .col(timestamp_with_time_zone(PreparationPacks::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(PreparationPacks::Table, PreparationPacks::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("preparation_packs_patient_released")
                .table(PreparationPacks::Table)
                .col(PreparationPacks::PatientId)
                .col(PreparationPacks::ReleasedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PreparationPacks::Table).to_owned())
            .await
    }
}
