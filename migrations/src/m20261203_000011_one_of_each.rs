//! What must be one, made one by the database (#17), not by code that checks and then inserts:
//! - one preparation pack per review. Two page loads at once could each release a pack for the
//!   same review; the person and the care team then saw different packs. Existing copies are
//!   folded into the first one (keeping any answer written only in a later copy). Packs
//!   released with no review booked (`review_id` null) are not limited.
//! - one booked review per person at a time (two bookings at once made two);
//! - one standing consent to share with each organisation (a double submit made two).
//!
//! A second booked review or standing consent made by such a race before this migration is
//! closed (the later review cancelled, the later consent withdrawn), not deleted: what
//! happened stays on record.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PreparationPacks {
    Table,
    ReviewId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // The same SQL runs on SQLite and PostgreSQL (a plain table, not a temporary one: a SQLite
        // pool may run each statement on another connection). The first pack of a review is the one
        // with the earliest `created_at` (ties broken by id).
        db.execute_unprepared(
            "CREATE TABLE pack_keep AS \
             SELECT p.id AS dup_id, (SELECT k.id FROM preparation_packs k \
                 WHERE k.review_id = p.review_id \
                 ORDER BY k.created_at, k.id LIMIT 1) AS keep_id \
             FROM preparation_packs p WHERE p.review_id IS NOT NULL",
        )
        .await?;
        db.execute_unprepared("DELETE FROM pack_keep WHERE dup_id = keep_id")
            .await?;
        // An answer written only in a copy moves to the kept pack.
        db.execute_unprepared(
            "UPDATE agenda_answers SET answer = (SELECT d.answer FROM agenda_answers d \
                 JOIN pack_keep pk ON pk.dup_id = d.pack_id \
                 WHERE pk.keep_id = agenda_answers.pack_id \
                   AND d.position = agenda_answers.position AND d.answer <> '' \
                 ORDER BY d.updated_at DESC LIMIT 1) \
             WHERE answer = '' AND pack_id IN (SELECT keep_id FROM pack_keep) \
               AND EXISTS (SELECT 1 FROM agenda_answers d \
                 JOIN pack_keep pk ON pk.dup_id = d.pack_id \
                 WHERE pk.keep_id = agenda_answers.pack_id \
                   AND d.position = agenda_answers.position AND d.answer <> '')",
        )
        .await?;
        db.execute_unprepared(
            "DELETE FROM agenda_answers WHERE pack_id IN (SELECT dup_id FROM pack_keep)",
        )
        .await?;
        db.execute_unprepared(
            "DELETE FROM preparation_packs WHERE id IN (SELECT dup_id FROM pack_keep)",
        )
        .await?;
        db.execute_unprepared("DROP TABLE pack_keep").await?;
        m.create_index(
            Index::create()
                .name("preparation_packs_one_per_review")
                .table(PreparationPacks::Table)
                .col(PreparationPacks::ReviewId)
                .unique()
                .to_owned(),
        )
        .await?;
        // Partial unique indexes: the same SQL on SQLite and PostgreSQL.
        db.execute_unprepared(
            "UPDATE reviews SET status = 'cancelled' WHERE status = 'scheduled' \
             AND id <> (SELECT k.id FROM reviews k WHERE k.patient_id = reviews.patient_id \
                 AND k.status = 'scheduled' ORDER BY k.created_at, k.id LIMIT 1)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX reviews_one_booked_per_person ON reviews (patient_id) \
             WHERE status = 'scheduled'",
        )
        .await?;
        db.execute_unprepared(
            "UPDATE share_consents SET withdrawn_at = granted_at WHERE withdrawn_at IS NULL \
             AND id <> (SELECT k.id FROM share_consents k \
                 WHERE k.patient_id = share_consents.patient_id \
                   AND k.organisation_id = share_consents.organisation_id \
                   AND k.withdrawn_at IS NULL ORDER BY k.granted_at, k.id LIMIT 1)",
        )
        .await?;
        db.execute_unprepared(
            "CREATE UNIQUE INDEX share_consents_one_standing ON share_consents \
             (patient_id, organisation_id) WHERE withdrawn_at IS NULL",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        db.execute_unprepared("DROP INDEX share_consents_one_standing")
            .await?;
        db.execute_unprepared("DROP INDEX reviews_one_booked_per_person")
            .await?;
        m.drop_index(
            Index::drop()
                .name("preparation_packs_one_per_review")
                .table(PreparationPacks::Table)
                .to_owned(),
        )
        .await
    }
}
