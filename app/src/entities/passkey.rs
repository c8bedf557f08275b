use sea_orm::entity::prelude::*;

/// A registered passkey. `passkey` is webauthn-rs's serialised credential; `counter` mirrors its
/// signature counter so updates can be compare-and-swap.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "passkeys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    /// base64url of the credential id.
    #[sea_orm(unique)]
    pub credential_id: String,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub passkey: String,
    pub counter: i64,
    pub backup_eligible: bool,
    pub backup_state: bool,
    pub created_at: DateTimeUtc,
    pub last_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
