use sea_orm::entity::prelude::*;

/// A result as it was before a lab corrected it or said it was entered in error.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "observation_versions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub observation_id: Uuid,
    /// The earlier value, JSON: `{value_num, value_num2, value_code, comparator, unit, taken_at,
    /// status, original_value, original_unit}`.
    pub snapshot: String,
    /// `amended`, `corrected` or `entered-in-error`.
    pub reason: String,
    pub replaced_at: DateTimeUtc,
    pub source: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
