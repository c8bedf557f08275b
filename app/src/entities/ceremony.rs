use sea_orm::entity::prelude::*;

/// The server-side state of one passkey ceremony, taken (deleted) exactly once to finish it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "ceremonies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `register` or `authenticate`.
    pub kind: String,
    /// A random id the browser's session holds: only that browser can finish the ceremony.
    pub owner: Uuid,
    /// base64url challenge, as the browser echoes it in its client data.
    pub challenge: String,
    #[sea_orm(column_type = "Text")]
    pub state: String,
    pub account_id: Option<Uuid>,
    pub invitation_id: Option<Uuid>,
    pub recovery_code_id: Option<Uuid>,
    pub expires_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
