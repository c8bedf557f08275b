use sea_orm::entity::prelude::*;

/// Something a feature changed that others react to, written in the same transaction as the
/// change (see `crate::events`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "domain_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub subject: Uuid,
    pub detail: Option<String>,
    pub created_at: DateTimeUtc,
    pub attempts: i32,
    pub done_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
