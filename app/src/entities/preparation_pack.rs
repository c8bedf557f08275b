use sea_orm::entity::prelude::*;

/// A preparation pack. Once `released_at` is set, the person sees every result entered before it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "preparation_packs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub released_at: Option<DateTimeUtc>,
    pub released_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// The review it prepares for; `None` for results released with no review booked.
    pub review_id: Option<Uuid>,
    /// When the person (or someone for them) first opened it.
    pub opened_at: Option<DateTimeUtc>,
    /// When the agenda was sent to the care team (it can still change until the review).
    pub submitted_at: Option<DateTimeUtc>,
    pub submitted_by: Option<Uuid>,
    /// Released by itself N days before the review, not by a person.
    pub automatic: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
