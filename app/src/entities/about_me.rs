use sea_orm::entity::prelude::*;

/// "About me" (PRSB): the person in their own words.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "about_me")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub patient_id: Uuid,
    pub what_matters: String,
    pub important_people: String,
    pub communication: String,
    pub please_do: String,
    pub please_dont: String,
    pub support_how_when: String,
    pub also_worth_knowing: String,
    pub supported_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
