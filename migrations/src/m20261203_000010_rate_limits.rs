//! Sign-in rate limits counted in the database (#16), so every instance shares them: one row
//! per key (a hashed address or account) and minute.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    WindowStart,
    Hits,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RateLimits::Table)
                .col(string_len(RateLimits::Key, 64))
                .col(timestamp_with_time_zone(RateLimits::WindowStart))
                .col(integer(RateLimits::Hits))
                .primary_key(
                    Index::create()
                        .col(RateLimits::Key)
                        .col(RateLimits::WindowStart),
                )
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateLimits::Table).to_owned())
            .await
    }
}
