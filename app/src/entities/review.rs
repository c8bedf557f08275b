use sea_orm::entity::prelude::*;

/// A care and support planning conversation: when, with whom, how and where. `status` is
/// `scheduled`, `cancelled` or `held`; once held, `next_review_date` says when the next is due.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub organisation_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub with_whom: String,
    /// `in_person`, `phone` or `video`.
    pub mode: String,
    pub place: Option<String>,
    pub status: String,
    pub next_review_date: Option<Date>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
