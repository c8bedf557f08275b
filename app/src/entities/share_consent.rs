use sea_orm::entity::prelude::*;

/// A person's consent for an organisation beyond their own practice to see their record.
/// Withdrawing keeps the row (for the person's history) and sets `withdrawn_at`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "share_consents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub organisation_id: Uuid,
    pub granted_at: DateTimeUtc,
    pub granted_by: Uuid,
    pub withdrawn_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
