//! What several instances of the server share through the database (#17), so they behave as
//! one: the push (VAPID) key every instance signs with; leases, so a background sweep runs on
//! one instance at a time; and each instance's heartbeat, written by `/readyz` to prove the
//! database takes writes.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ServerSecrets {
    Table,
    Name,
    Value,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Leases {
    Table,
    Name,
    Holder,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Heartbeats {
    Table,
    Instance,
    BeatAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ServerSecrets::Table)
                .col(string_len(ServerSecrets::Name, 64).primary_key())
                .col(text(ServerSecrets::Value))
                .col(timestamp_with_time_zone(ServerSecrets::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Leases::Table)
                .col(string_len(Leases::Name, 64).primary_key())
                .col(uuid(Leases::Holder))
                .col(timestamp_with_time_zone(Leases::ExpiresAt))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(Heartbeats::Table)
                .col(uuid(Heartbeats::Instance).primary_key())
                .col(timestamp_with_time_zone(Heartbeats::BeatAt))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(Heartbeats::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(Leases::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ServerSecrets::Table).to_owned())
            .await
    }
}
