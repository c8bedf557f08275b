use sea_orm::entity::prelude::*;

/// Support and signposting: a community service or group, and how it is going.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "support_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub goal_id: Option<Uuid>,
    pub name: String,
    pub why: String,
    pub contact: String,
    /// `suggested`, `tried`, `not_helping` or `helping`.
    pub status: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
