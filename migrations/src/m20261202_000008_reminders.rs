//! Push reminders: the devices that get them, each person's choices, and the durable queue of
//! reminder jobs that workers lease, send and retry.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Accounts {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Patients {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum PushSubscriptions {
    Table,
    Id,
    AccountId,
    Endpoint,
    P256dh,
    Auth,
    Label,
    SessionId,
    CreatedAt,
    LastSentAt,
}

#[derive(DeriveIden)]
enum ReminderPreferences {
    Table,
    AccountId,
    PackReady,
    AgendaDue,
    AgendaDays,
    ReviewTomorrow,
    Actions,
    ActionTimes,
    QuietFrom,
    QuietUntil,
    TimeZone,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ReminderJobs {
    Table,
    Id,
    Key,
    AccountId,
    PatientId,
    Kind,
    AboutId,
    DueAt,
    StaleAt,
    Status,
    Attempts,
    LeaseOwner,
    LeaseUntil,
    Delivered,
    LastError,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
}

fn to_account(table: impl IntoIden, col: impl IntoIden) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(table, col)
        .to(Accounts::Table, Accounts::Id)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(PushSubscriptions::Table)
                .col(pk_uuid(PushSubscriptions::Id))
                .col(uuid(PushSubscriptions::AccountId))
                .col(string_len_uniq(PushSubscriptions::Endpoint, 2000))
                .col(string_len(PushSubscriptions::P256dh, 200))
                .col(string_len(PushSubscriptions::Auth, 100))
                .col(string_len(PushSubscriptions::Label, 100))
                .col(string_len_null(PushSubscriptions::SessionId, 128))
                .col(timestamp_with_time_zone(PushSubscriptions::CreatedAt))
                .col(timestamp_with_time_zone_null(PushSubscriptions::LastSentAt))
                .foreign_key(&mut to_account(
                    PushSubscriptions::Table,
                    PushSubscriptions::AccountId,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("push_subscriptions_account")
                .table(PushSubscriptions::Table)
                .col(PushSubscriptions::AccountId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ReminderPreferences::Table)
                .col(pk_uuid(ReminderPreferences::AccountId))
                .col(boolean(ReminderPreferences::PackReady))
                .col(boolean(ReminderPreferences::AgendaDue))
                .col(integer(ReminderPreferences::AgendaDays))
                .col(boolean(ReminderPreferences::ReviewTomorrow))
                .col(boolean(ReminderPreferences::Actions))
                .col(string_len(ReminderPreferences::ActionTimes, 40))
                .col(string_len_null(ReminderPreferences::QuietFrom, 5))
                .col(string_len_null(ReminderPreferences::QuietUntil, 5))
                .col(string_len(ReminderPreferences::TimeZone, 64))
                .col(timestamp_with_time_zone(ReminderPreferences::UpdatedAt))
                .foreign_key(&mut to_account(
                    ReminderPreferences::Table,
                    ReminderPreferences::AccountId,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ReminderJobs::Table)
                .col(pk_uuid(ReminderJobs::Id))
                .col(string_len_uniq(ReminderJobs::Key, 200))
                .col(uuid(ReminderJobs::AccountId))
                .col(uuid_null(ReminderJobs::PatientId))
                .col(string_len(ReminderJobs::Kind, 20))
                .col(uuid_null(ReminderJobs::AboutId))
                .col(timestamp_with_time_zone(ReminderJobs::DueAt))
                .col(timestamp_with_time_zone_null(ReminderJobs::StaleAt))
                .col(string_len(ReminderJobs::Status, 12))
                .col(integer(ReminderJobs::Attempts))
                .col(string_len_null(ReminderJobs::LeaseOwner, 64))
                .col(timestamp_with_time_zone_null(ReminderJobs::LeaseUntil))
                .col(text(ReminderJobs::Delivered))
                .col(string_len_null(ReminderJobs::LastError, 200))
                .col(timestamp_with_time_zone(ReminderJobs::CreatedAt))
                .col(timestamp_with_time_zone(ReminderJobs::UpdatedAt))
                .col(timestamp_with_time_zone_null(ReminderJobs::FinishedAt))
                .foreign_key(&mut to_account(
                    ReminderJobs::Table,
                    ReminderJobs::AccountId,
                ))
                .foreign_key(
                    ForeignKey::create()
                        .from(ReminderJobs::Table, ReminderJobs::PatientId)
                        .to(Patients::Table, Patients::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        // Workers look for what is due: by status, then time.
        m.create_index(
            Index::create()
                .name("reminder_jobs_due")
                .table(ReminderJobs::Table)
                .col(ReminderJobs::Status)
                .col(ReminderJobs::DueAt)
                .to_owned(),
        )
        .await?;
        // Keeping a person's reminders in step with their reviews, grants and choices.
        m.create_index(
            Index::create()
                .name("reminder_jobs_patient")
                .table(ReminderJobs::Table)
                .col(ReminderJobs::PatientId)
                .col(ReminderJobs::Status)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reminder_jobs_account")
                .table(ReminderJobs::Table)
                .col(ReminderJobs::AccountId)
                .col(ReminderJobs::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ReminderJobs::Table.into_iden(),
            ReminderPreferences::Table.into_iden(),
            PushSubscriptions::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}
