//! The review cycle: care and support planning conversations, the agenda prompts a practice
//! sends, the person's answers, their own targets, how many days before a review the pack goes
//! out, and a fingerprint on results so that importing the same file twice stores nothing new.
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
    PackReleaseDays,
}

#[derive(DeriveIden)]
enum Observations {
    Table,
    Fingerprint,
}

#[derive(DeriveIden)]
enum PreparationPacks {
    Table,
    Id,
    ReviewId,
    OpenedAt,
    SubmittedAt,
    SubmittedBy,
    Automatic,
}

#[derive(DeriveIden)]
enum Reviews {
    Table,
    Id,
    PatientId,
    OrganisationId,
    StartsAt,
    WithWhom,
    Mode,
    Place,
    Status,
    NextReviewDate,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum AgendaPrompts {
    Table,
    Id,
    OrganisationId,
    Condition,
    Position,
    Text,
}

#[derive(DeriveIden)]
enum AgendaAnswers {
    Table,
    Id,
    PackId,
    Position,
    Prompt,
    Answer,
    UpdatedAt,
    UpdatedBy,
}

#[derive(DeriveIden)]
enum ResultTargets {
    Table,
    PatientId,
    Code,
    Value,
    Value2,
    SetBy,
    SetAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one change per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(Organisations::Table)
                .add_column(integer(Organisations::PackReleaseDays).default(14))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Observations::Table)
                .add_column(string_null(Observations::Fingerprint))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("observations_fingerprint")
                .table(Observations::Table)
                .col(Observations::Fingerprint)
                .unique()
                .to_owned(),
        )
        .await?;
        for col in [
            ColumnDef::new(PreparationPacks::ReviewId)
                .uuid()
                .null()
                .to_owned(),
            ColumnDef::new(PreparationPacks::OpenedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(PreparationPacks::SubmittedAt)
                .timestamp_with_time_zone()
                .null()
                .to_owned(),
            ColumnDef::new(PreparationPacks::SubmittedBy)
                .uuid()
                .null()
                .to_owned(),
            ColumnDef::new(PreparationPacks::Automatic)
                .boolean()
                .not_null()
                .default(false)
                .to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(PreparationPacks::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table(Reviews::Table)
                .col(pk_uuid(Reviews::Id))
                .col(uuid(Reviews::PatientId))
                .col(uuid(Reviews::OrganisationId))
                .col(timestamp_with_time_zone(Reviews::StartsAt))
                .col(string(Reviews::WithWhom))
                .col(string(Reviews::Mode))
                .col(string_null(Reviews::Place))
                .col(string(Reviews::Status))
                .col(date_null(Reviews::NextReviewDate))
                .col(uuid(Reviews::CreatedBy))
                .col(timestamp_with_time_zone(Reviews::CreatedAt))
                .col(timestamp_with_time_zone(Reviews::UpdatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Reviews::Table, Reviews::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Reviews::Table, Reviews::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reviews_organisation_starts")
                .table(Reviews::Table)
                .col(Reviews::OrganisationId)
                .col(Reviews::StartsAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reviews_patient_starts")
                .table(Reviews::Table)
                .col(Reviews::PatientId)
                .col(Reviews::StartsAt)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AgendaPrompts::Table)
                .col(pk_uuid(AgendaPrompts::Id))
                .col(uuid(AgendaPrompts::OrganisationId))
                .col(string_null(AgendaPrompts::Condition))
                .col(integer(AgendaPrompts::Position))
                .col(text(AgendaPrompts::Text))
                .foreign_key(
                    ForeignKey::create()
                        .from(AgendaPrompts::Table, AgendaPrompts::OrganisationId)
                        .to(Organisations::Table, Organisations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(AgendaAnswers::Table)
                .col(pk_uuid(AgendaAnswers::Id))
                .col(uuid(AgendaAnswers::PackId))
                .col(integer(AgendaAnswers::Position))
                .col(text(AgendaAnswers::Prompt))
                .col(text(AgendaAnswers::Answer))
                .col(timestamp_with_time_zone_null(AgendaAnswers::UpdatedAt))
                .col(uuid_null(AgendaAnswers::UpdatedBy))
                .foreign_key(
                    ForeignKey::create()
                        .from(AgendaAnswers::Table, AgendaAnswers::PackId)
                        .to(PreparationPacks::Table, PreparationPacks::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("agenda_answers_pack_position")
                .table(AgendaAnswers::Table)
                .col(AgendaAnswers::PackId)
                .col(AgendaAnswers::Position)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ResultTargets::Table)
                .col(uuid(ResultTargets::PatientId))
                .col(string(ResultTargets::Code))
                .col(double(ResultTargets::Value))
                .col(double_null(ResultTargets::Value2))
                .col(uuid(ResultTargets::SetBy))
                .col(timestamp_with_time_zone(ResultTargets::SetAt))
                .primary_key(
                    Index::create()
                        .col(ResultTargets::PatientId)
                        .col(ResultTargets::Code),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ResultTargets::Table, ResultTargets::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            ResultTargets::Table.into_iden(),
            AgendaAnswers::Table.into_iden(),
            AgendaPrompts::Table.into_iden(),
            Reviews::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
