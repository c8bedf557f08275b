use sea_orm::entity::prelude::*;

/// One version step of the plan: who changed what, when, and the fields before and after.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_changes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub at: DateTimeUtc,
    pub actor_account_id: Option<Uuid>,
    pub actor_name: String,
    /// `patient`, `carer` or `professional`.
    pub actor_kind: String,
    /// `about_me`, `goals`, `actions`, `contingency` or `support`.
    pub section: String,
    pub record_id: Option<Uuid>,
    pub summary: String,
    /// JSON list of `{field, before, after}`.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
