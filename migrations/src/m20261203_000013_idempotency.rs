//! Form posts carry an idempotency key (#17): a post sent again with the same key (a person
//! pressing the button again after "this may not be saved", the phone's offline queue, a
//! browser resending a form) is answered with what the first one did instead of doing it twice.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum IdempotencyKeys {
    Table,
    Key,
    Path,
    CreatedAt,
    Status,
    Location,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(string_len(IdempotencyKeys::Key, 64).primary_key())
                .col(string_len(IdempotencyKeys::Path, 200))
                .col(timestamp_with_time_zone(IdempotencyKeys::CreatedAt))
                // Empty while the first post is being answered.
                .col(integer_null(IdempotencyKeys::Status))
                .col(text_null(IdempotencyKeys::Location))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_idempotency_keys_created_at")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(IdempotencyKeys::Table).to_owned())
            .await
    }
}
