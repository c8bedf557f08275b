use sea_orm::entity::prelude::*;

/// One reminder for one account, in the durable queue. `key` names the reminder (say, "review
/// tomorrow, this review, this account") so it is written once however often the schedule is
/// worked out again. `status`: `scheduled`, `sending` (leased by a worker until `lease_until`),
/// `retrying`, `sent`, `dead` (gave up), `dropped` (stale or nothing to send) or `cancelled`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub key: String,
    pub account_id: Uuid,
    pub patient_id: Option<Uuid>,
    /// `pack_ready`, `agenda_due`, `review_tomorrow`, `actions` or `test`.
    pub kind: String,
    /// The review or pack it is about, checked again before sending.
    pub about_id: Option<Uuid>,
    pub due_at: DateTimeUtc,
    /// After this it is no use any more ("review tomorrow" once the review has started).
    pub stale_at: Option<DateTimeUtc>,
    pub status: String,
    pub attempts: i32,
    pub lease_owner: Option<String>,
    pub lease_until: Option<DateTimeUtc>,
    /// Space-separated ids of the devices it has reached, so a retry goes only to the rest.
    pub delivered: String,
    /// What went wrong last: a status code or "timed out", never any content.
    pub last_error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub finished_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
