//! Database migrations for Alongside. Every migration runs on SQLite and on PostgreSQL; the
//! server runs them at start-up and `alongside migrate` runs them on demand.
pub use sea_orm_migration::prelude::*;

mod m20261122_000001_foundation;
mod m20261122_000002_passkeys;
mod m20261122_000003_plan;
mod m20261122_000004_packs;
mod m20261122_000005_reviews;
mod m20261122_000006_conversation;
mod m20261122_000007_carers;
mod m20261202_000008_reminders;
mod m20261203_000009_recovery;
mod m20261203_000010_rate_limits;
mod m20261203_000011_one_of_each;
mod m20261203_000012_instances;
mod m20261203_000013_idempotency;
mod m20261203_000014_domain_events;
mod m20261204_000015_cycle;
mod m20261204_000016_clinical_data;
mod m20261204_000017_streak_checkpoint;
mod m20261204_000018_scale_indexes;
mod m20261205_000019_data_version;

/// The tables whose changes move a person's `data_version`, and those left out (#21).
pub mod data_version {
    pub use super::m20261205_000019_data_version::{DIRECT, LEFT_OUT, THROUGH};
}

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_foundation::Migration),
            Box::new(m20261122_000002_passkeys::Migration),
            Box::new(m20261122_000003_plan::Migration),
            Box::new(m20261122_000004_packs::Migration),
            Box::new(m20261122_000005_reviews::Migration),
            Box::new(m20261122_000006_conversation::Migration),
            Box::new(m20261122_000007_carers::Migration),
            Box::new(m20261202_000008_reminders::Migration),
            Box::new(m20261203_000009_recovery::Migration),
            Box::new(m20261203_000010_rate_limits::Migration),
            Box::new(m20261203_000011_one_of_each::Migration),
            Box::new(m20261203_000012_instances::Migration),
            Box::new(m20261203_000013_idempotency::Migration),
            Box::new(m20261203_000014_domain_events::Migration),
            Box::new(m20261204_000015_cycle::Migration),
            Box::new(m20261204_000016_clinical_data::Migration),
            Box::new(m20261204_000017_streak_checkpoint::Migration),
            Box::new(m20261204_000018_scale_indexes::Migration),
            Box::new(m20261205_000019_data_version::Migration),
        ]
    }
}
