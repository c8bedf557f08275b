use sea_orm::entity::prelude::*;

/// A carer's delegated access to a person's record. `status` (`access::GrantStatus`) is
/// `invited` (until the carer sets up a passkey), `active` or `revoked`; a grant past `ends_on`
/// counts as expired.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "carer_grants")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub carer_account_id: Uuid,
    /// "Daughter", "Husband", "Friend".
    pub relationship: String,
    /// Space-separated scope codes (see `access::Scope`).
    pub scopes: String,
    pub status: String,
    /// The last day the grant works, in the person's time zone.
    pub ends_on: Option<Date>,
    pub granted_by: Uuid,
    /// `patient` or `professional`.
    pub granted_by_kind: String,
    /// Set when the care team records the grant for a person who lacks capacity.
    pub legal_basis: Option<String>,
    pub created_at: DateTimeUtc,
    pub activated_at: Option<DateTimeUtc>,
    pub ended_at: Option<DateTimeUtc>,
    pub ended_by: Option<Uuid>,
    pub ended_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
