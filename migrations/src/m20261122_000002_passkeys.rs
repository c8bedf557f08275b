//! Passkeys, one-use ceremony state, recovery codes, the audit log, and what a session shows
//! on the "Your devices" page.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Passkeys {
    Table,
    Id,
    AccountId,
    CredentialId,
    Name,
    Passkey,
    Counter,
    BackupEligible,
    BackupState,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum Ceremonies {
    Table,
    Id,
    Kind,
    Owner,
    Challenge,
    State,
    AccountId,
    InvitationId,
    RecoveryCodeId,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum RecoveryCodes {
    Table,
    Id,
    AccountId,
    CodeHash,
    CreatedAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    At,
    ActorAccountId,
    SubjectAccountId,
    Action,
    Outcome,
    Ip,
    Device,
    Detail,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Device,
    Ip,
    PasskeyId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Passkeys::Table)
                .col(pk_uuid(Passkeys::Id))
                .col(uuid(Passkeys::AccountId))
                .col(string_len(Passkeys::CredentialId, 1400).unique_key())
                .col(string_len(Passkeys::Name, 60))
                .col(text(Passkeys::Passkey))
                .col(big_integer(Passkeys::Counter))
                .col(boolean(Passkeys::BackupEligible))
                .col(boolean(Passkeys::BackupState))
                .col(timestamp_with_time_zone(Passkeys::CreatedAt))
                .col(timestamp_with_time_zone_null(Passkeys::LastUsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(Passkeys::Table, Passkeys::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("passkeys_account")
                .table(Passkeys::Table)
                .col(Passkeys::AccountId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Ceremonies::Table)
                .col(pk_uuid(Ceremonies::Id))
                .col(string_len(Ceremonies::Kind, 20))
                .col(uuid(Ceremonies::Owner))
                .col(string_len(Ceremonies::Challenge, 200))
                .col(text(Ceremonies::State))
                .col(uuid_null(Ceremonies::AccountId))
                .col(uuid_null(Ceremonies::InvitationId))
                .col(uuid_null(Ceremonies::RecoveryCodeId))
                .col(timestamp_with_time_zone(Ceremonies::ExpiresAt))
                .to_owned(),
        )
        .await?;

        m.create_index(
            Index::create()
                .name("ceremonies_challenge")
                .table(Ceremonies::Table)
                .col(Ceremonies::Challenge)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(RecoveryCodes::Table)
                .col(pk_uuid(RecoveryCodes::Id))
                .col(uuid(RecoveryCodes::AccountId))
                .col(string_len(RecoveryCodes::CodeHash, 64).unique_key())
                .col(timestamp_with_time_zone(RecoveryCodes::CreatedAt))
                .col(timestamp_with_time_zone_null(RecoveryCodes::UsedAt))
                .foreign_key(
                    ForeignKey::create()
                        .from(RecoveryCodes::Table, RecoveryCodes::AccountId)
                        .to(Accounts::Table, Accounts::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(AuditEvents::Table)
                .col(pk_uuid(AuditEvents::Id))
                .col(timestamp_with_time_zone(AuditEvents::At))
                .col(uuid_null(AuditEvents::ActorAccountId))
                .col(uuid_null(AuditEvents::SubjectAccountId))
                .col(string_len(AuditEvents::Action, 60))
                .col(string_len(AuditEvents::Outcome, 20))
                .col(string_len_null(AuditEvents::Ip, 64))
                .col(string_len_null(AuditEvents::Device, 120))
                .col(string_len_null(AuditEvents::Detail, 400))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("audit_subject_at")
                .table(AuditEvents::Table)
                .col(AuditEvents::SubjectAccountId)
                .col(AuditEvents::At)
                .to_owned(),
        )
        .await?;

        for col in [
            string_len_null(Sessions::Device, 120),
            string_len_null(Sessions::Ip, 64),
            uuid_null(Sessions::PasskeyId),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .add_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [Sessions::Device, Sessions::Ip, Sessions::PasskeyId] {
            m.alter_table(
                Table::alter()
                    .table(Sessions::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        for table in [
            AuditEvents::Table.into_iden(),
            RecoveryCodes::Table.into_iden(),
            Ceremonies::Table.into_iden(),
            Passkeys::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
