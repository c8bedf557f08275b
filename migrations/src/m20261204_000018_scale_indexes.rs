//! Indexes for practice scale (#21): what `make bench-scale` found read whole on a hot path at
//! 100,000 people. The caseload counts and orders one practice's people
//! (`organisation_id`, then family name, given name and id, the page's order), so a
//! practice's list is found through the index rather than by reading every person.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Patients {
    Table,
    OrganisationId,
    FamilyName,
    GivenName,
    Id,
}

const CASELOAD: &str = "patients_organisation_names";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name(CASELOAD)
                .table(Patients::Table)
                .col(Patients::OrganisationId)
                .col(Patients::FamilyName)
                .col(Patients::GivenName)
                .col(Patients::Id)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name(CASELOAD)
                .table(Patients::Table)
                .to_owned(),
        )
        .await
    }
}
