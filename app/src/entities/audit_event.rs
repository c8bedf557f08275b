use sea_orm::entity::prelude::*;

/// Who did what, when and from where (FHIR AuditEvent). Never holds health data.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_account_id: Option<Uuid>,
    pub subject_account_id: Option<Uuid>,
    pub action: String,
    /// `success` or `failure`.
    pub outcome: String,
    pub ip: Option<String>,
    pub device: Option<String>,
    pub detail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
