//! A read model for streaks (#21): each action keeps how many of its due days (or weeks) in a
//! row were done up to a day at least 8 days ago, which nobody can log any more (days can be
//! recorded for today and the 7 before). Pages then read only the last few weeks of logs and
//! add this count when the run reaches that day. Logging, taking a day back and changing the
//! action move it on, in their own transaction. Null until the first of those, or until the
//! server's start-up fills it in.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PlanActions {
    Table,
    StreakThrough,
    StreakCount,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(PlanActions::Table)
                .add_column(date_null(PlanActions::StreakThrough))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(PlanActions::Table)
                .add_column(integer(PlanActions::StreakCount).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in [PlanActions::StreakCount, PlanActions::StreakThrough] {
            m.alter_table(
                Table::alter()
                    .table(PlanActions::Table)
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
