use sea_orm::entity::prelude::*;

/// The contingency (safety) plan: what to do if things get worse.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contingency")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub patient_id: Uuid,
    pub warning_signs: String,
    pub what_to_do: String,
    pub coping: String,
    pub anticipatory: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
