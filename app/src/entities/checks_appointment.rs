use sea_orm::entity::prelude::*;

/// The information-gathering appointment before a review: the checks for all of the person's
/// conditions at one visit. `status` is `booked`, `done` or `cancelled` (one booked at a time);
/// `checks` (planned) and `done_checks` are space-separated check codes.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "checks_appointments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub organisation_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub place: String,
    /// Who does the checks, for example "Healthcare assistant".
    pub with_whom: String,
    pub status: String,
    pub checks: String,
    pub done_checks: Option<String>,
    pub done_at: Option<DateTimeUtc>,
    pub done_by: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
