use sea_orm::entity::prelude::*;

/// A single-use invitation to register a passkey for `account_id`. Only the SHA-256 of the
/// token is stored; the token itself exists only in the link given to the person.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "invitations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub account_id: Uuid,
    /// `patient`, `staff`, `carer` or `admin`.
    pub purpose: String,
    pub organisation_id: Option<Uuid>,
    pub patient_id: Option<Uuid>,
    pub invited_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    /// A recovery link: for an account that already has a passkey. It works only once
    /// `approved_by` (a second member of the care team) is set, and for 24 hours.
    pub recovery: bool,
    pub approved_by: Option<Uuid>,
    pub approved_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
