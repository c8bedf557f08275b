use sea_orm::entity::prelude::*;

/// One result (FHIR Observation): a numeric value (blood pressure uses both numbers) or a coded
/// value (foot risk, eye screening).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub code: String,
    pub value_num: Option<f64>,
    pub value_num2: Option<f64>,
    pub value_code: Option<String>,
    pub unit: Option<String>,
    pub taken_at: DateTimeUtc,
    pub source: String,
    pub created_at: DateTimeUtc,
    /// Who, what, when and value in one string, unique: the same result imported twice is
    /// stored once.
    pub fingerprint: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
