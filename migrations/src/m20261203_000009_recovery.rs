//! Recovery links (#16): a new link for an account that already has a passkey is a *recovery*
//! link. It works only once a second member of the care team has approved it, and for 24 hours.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Recovery,
    ApprovedBy,
    ApprovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds only one at a time.
        for column in [
            boolean(Invitations::Recovery).default(false).to_owned(),
            uuid_null(Invitations::ApprovedBy).to_owned(),
            timestamp_with_time_zone_null(Invitations::ApprovedAt).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Invitations::Table)
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Invitations::ApprovedAt.into_iden(),
            Invitations::ApprovedBy.into_iden(),
            Invitations::Recovery.into_iden(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Invitations::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
