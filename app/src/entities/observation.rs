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
    /// `final`, `amended`, `corrected` or `entered-in-error`.
    pub status: String,
    /// `<`, `<=`, `>=` or `>`: the value is a bound the lab gave, not an exact number.
    pub comparator: Option<String>,
    /// The lab's identifier for this result, `system|value`; unique for the person.
    pub identifier: Option<String>,
    pub issued: Option<DateTimeUtc>,
    /// `taken` or `reported` (only the report's time was given, so `taken_at` is that).
    pub dated_by: String,
    pub performer: Option<String>,
    /// The codings as sent: a JSON array of `{system, code, display}`.
    pub codings: Option<String>,
    /// When Alongside converted the value: the value and unit as sent.
    pub original_value: Option<String>,
    pub original_unit: Option<String>,
    pub corrected_at: Option<DateTimeUtc>,
    /// Set when the lab said it was entered in error: out of every view, kept for its history.
    pub removed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
