use sea_orm::entity::prelude::*;

/// A goal in the person's own words.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "goals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub title: String,
    pub why: String,
    pub importance: i32,
    pub success: String,
    pub target_date: Option<Date>,
    /// `not_started`, `in_progress`, `achieved` or `stopped`.
    pub status: String,
    /// Space-separated condition codes the goal is linked to.
    pub conditions: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
