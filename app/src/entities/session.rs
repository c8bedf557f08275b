use sea_orm::entity::prelude::*;

/// A browser session (tower-sessions record). `account_id` is copied out of the data so a
/// person's devices can be listed and ended.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub data: Vec<u8>,
    pub expires_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub account_id: Option<Uuid>,
    pub device: Option<String>,
    pub ip: Option<String>,
    pub passkey_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
