//! The foundation: organisations and their members, accounts, the people whose plans we hold,
//! invitations, results and the session store.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
    Name,
    Kind,
    OdsCode,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
    DisplayName,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    AccountId,
    OrganisationId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Patients {
    Table,
    Id,
    AccountId,
    OrganisationId,
    GivenName,
    FamilyName,
    DateOfBirth,
    NhsNumber,
    Phone,
    Email,
    TimeZone,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PatientConditions {
    Table,
    PatientId,
    Condition,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    TokenHash,
    AccountId,
    Purpose,
    OrganisationId,
    PatientId,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Observations {
    Table,
    Id,
    PatientId,
    Code,
    ValueNum,
    ValueNum2,
    ValueCode,
    Unit,
    TakenAt,
    Source,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    Data,
    ExpiresAt,
    CreatedAt,
    AccountId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Organisations::Table)
                .col(pk_uuid(Organisations::Id))
                .col(string_len(Organisations::Name, 200))
                .col(string_len(Organisations::Kind, 40))
                .col(string_len_null(Organisations::OdsCode, 20))
                .col(timestamp_with_time_zone(Organisations::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Accounts::Table)
                .col(pk_uuid(Accounts::Id))
                .col(string_len(Accounts::DisplayName, 200))
                .col(timestamp_with_time_zone(Accounts::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Memberships::Table)
                .col(uuid(Memberships::AccountId))
                .col(uuid(Memberships::OrganisationId))
                .col(string_len(Memberships::Role, 40))
                .col(timestamp_with_time_zone(Memberships::CreatedAt))
                .primary_key(
                    Index::create()
                        .col(Memberships::AccountId)
                        .col(Memberships::OrganisationId)
                        .col(Memberships::Role),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Memberships::Table, Memberships::OrganisationId)
                        .to(Organisations::Table, Organisations::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Patients::Table)
                .col(pk_uuid(Patients::Id))
                .col(uuid_null(Patients::AccountId).unique_key())
                .col(uuid(Patients::OrganisationId))
                .col(string_len(Patients::GivenName, 100))
                .col(string_len(Patients::FamilyName, 100))
                .col(date(Patients::DateOfBirth))
                .col(string_len(Patients::NhsNumber, 10).unique_key())
                .col(string_len_null(Patients::Phone, 40))
                .col(string_len_null(Patients::Email, 200))
                .col(string_len(Patients::TimeZone, 64))
                .col(timestamp_with_time_zone(Patients::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Patients::Table, Patients::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::SetNull),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Patients::Table, Patients::OrganisationId)
                        .to(Organisations::Table, Organisations::Id),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(PatientConditions::Table)
                .col(uuid(PatientConditions::PatientId))
                .col(string_len(PatientConditions::Condition, 40))
                .primary_key(
                    Index::create()
                        .col(PatientConditions::PatientId)
                        .col(PatientConditions::Condition),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(PatientConditions::Table, PatientConditions::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Invitations::Table)
                .col(pk_uuid(Invitations::Id))
                .col(string_len(Invitations::TokenHash, 64).unique_key())
                .col(uuid(Invitations::AccountId))
                .col(string_len(Invitations::Purpose, 40))
                .col(uuid_null(Invitations::OrganisationId))
                .col(uuid_null(Invitations::PatientId))
                .col(uuid_null(Invitations::InvitedBy))
                .col(timestamp_with_time_zone(Invitations::CreatedAt))
                .col(timestamp_with_time_zone(Invitations::ExpiresAt))
                .col(timestamp_with_time_zone_null(Invitations::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Invitations::Table, Invitations::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Observations::Table)
                .col(pk_uuid(Observations::Id))
                .col(uuid(Observations::PatientId))
                .col(string_len(Observations::Code, 40))
                .col(double_null(Observations::ValueNum))
                .col(double_null(Observations::ValueNum2))
                .col(string_len_null(Observations::ValueCode, 40))
                .col(string_len_null(Observations::Unit, 20))
                .col(timestamp_with_time_zone(Observations::TakenAt))
                .col(string_len(Observations::Source, 40))
                .col(timestamp_with_time_zone(Observations::CreatedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Observations::Table, Observations::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("observations_patient_code_taken")
                .table(Observations::Table)
                .col(Observations::PatientId)
                .col(Observations::Code)
                .col(Observations::TakenAt)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Sessions::Table)
                .col(string_len(Sessions::Id, 64).primary_key())
                .col(blob(Sessions::Data))
                .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                .col(timestamp_with_time_zone(Sessions::CreatedAt))
                .col(uuid_null(Sessions::AccountId))
                .foreign_key(
                    ForeignKey::create()
                        .from(Sessions::Table, Sessions::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("sessions_expires_at")
                .table(Sessions::Table)
                .col(Sessions::ExpiresAt)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("sessions_account")
                .table(Sessions::Table)
                .col(Sessions::AccountId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Sessions::Table.into_iden(),
            Observations::Table.into_iden(),
            Invitations::Table.into_iden(),
            PatientConditions::Table.into_iden(),
            Patients::Table.into_iden(),
            Memberships::Table.into_iden(),
            Accounts::Table.into_iden(),
            Organisations::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
