use sea_orm::entity::prelude::*;

/// What happened with an action on one day.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "action_logs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_id: Uuid,
    pub patient_id: Uuid,
    pub day: Date,
    /// `done`, `partly` or `not_today`.
    pub outcome: String,
    pub note: Option<String>,
    pub logged_at: DateTimeUtc,
    pub logged_by: Option<Uuid>,
    pub client_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
