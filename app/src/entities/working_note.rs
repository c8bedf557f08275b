use sea_orm::entity::prelude::*;

/// A care team's professional-only note about a person. Only staff of the organisation that
/// wrote it read it; it is never part of the person's plan.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "working_notes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub organisation_id: Uuid,
    pub author_id: Uuid,
    pub author_name: String,
    pub at: DateTimeUtc,
    pub body: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
