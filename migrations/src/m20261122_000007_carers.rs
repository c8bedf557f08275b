//! Carers with delegated access: a grant lets one account act with a person under the scopes
//! the person (or, when they lack capacity, their care team on a stated legal basis) chose.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Patients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum CarerGrants {
    Table,
    Id,
    PatientId,
    CarerAccountId,
    Relationship,
    Scopes,
    Status,
    EndsOn,
    GrantedBy,
    GrantedByKind,
    LegalBasis,
    CreatedAt,
    ActivatedAt,
    EndedAt,
    EndedBy,
    EndedReason,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(CarerGrants::Table)
                .col(pk_uuid(CarerGrants::Id))
                .col(uuid(CarerGrants::PatientId))
                .col(uuid(CarerGrants::CarerAccountId))
                .col(string_len(CarerGrants::Relationship, 100))
                .col(string_len(CarerGrants::Scopes, 200))
                .col(string_len(CarerGrants::Status, 20))
                .col(date_null(CarerGrants::EndsOn))
                .col(uuid(CarerGrants::GrantedBy))
                .col(string_len(CarerGrants::GrantedByKind, 20))
                .col(string_len_null(CarerGrants::LegalBasis, 40))
                .col(timestamp_with_time_zone(CarerGrants::CreatedAt))
                .col(timestamp_with_time_zone_null(CarerGrants::ActivatedAt))
                .col(timestamp_with_time_zone_null(CarerGrants::EndedAt))
                .col(uuid_null(CarerGrants::EndedBy))
                .col(string_len_null(CarerGrants::EndedReason, 500))
                .foreign_key(
                    ForeignKey::create()
                        .from(CarerGrants::Table, CarerGrants::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(CarerGrants::Table, CarerGrants::CarerAccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // The policy asks "may this carer act for this person?" on every request.
        m.create_index(
            Index::create()
                .name("carer_grants_carer_patient")
                .table(CarerGrants::Table)
                .col(CarerGrants::CarerAccountId)
                .col(CarerGrants::PatientId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("carer_grants_patient")
                .table(CarerGrants::Table)
                .col(CarerGrants::PatientId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(CarerGrants::Table).to_owned())
            .await
    }
}
