//! Sign-in rate limits kept in the database (#16), so every instance shares them: one row per
//! key (a hashed address or account) with its theoretical arrival time in milliseconds.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum RateLimits {
    Table,
    Key,
    Tat,
    Allowed,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(RateLimits::Table)
                .col(string_len(RateLimits::Key, 64).primary_key())
                .col(big_integer(RateLimits::Tat))
                .col(boolean(RateLimits::Allowed))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(RateLimits::Table).to_owned())
            .await
    }
}
