//! Domain events (#18): a feature that changes something others react to (a plan changed, a
//! review booked, an account activated, a session ended) writes an event in the same
//! transaction as the change. The features that react read them right after the commit, and
//! the server's minute sweep picks up any a crash left behind, so a reaction is never lost and
//! the feature that changed something never calls the features above it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum DomainEvents {
    Table,
    Id,
    Kind,
    Subject,
    Detail,
    CreatedAt,
    Attempts,
    DoneAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(DomainEvents::Table)
                .col(pk_uuid(DomainEvents::Id))
                .col(string_len(DomainEvents::Kind, 40))
                // The patient or account the event is about.
                .col(uuid(DomainEvents::Subject))
                // A session's id, or what changed about signing in; never health data.
                .col(string_len_null(DomainEvents::Detail, 100))
                .col(timestamp_with_time_zone(DomainEvents::CreatedAt))
                // Failed reactions so far; an event is given up on (and logged) after a few.
                .col(integer(DomainEvents::Attempts).default(0))
                // Set in the same transaction as the reactions.
                .col(timestamp_with_time_zone_null(DomainEvents::DoneAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_domain_events_pending")
                .table(DomainEvents::Table)
                .col(DomainEvents::DoneAt)
                .col(DomainEvents::CreatedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(DomainEvents::Table).to_owned())
            .await
    }
}
