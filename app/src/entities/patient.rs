use sea_orm::entity::prelude::*;

/// A person whose plan Alongside holds. `account_id` is set once they have signed up.
/// (Serde: it travels inside a request with the session it was read with, `access::who`.)
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Serialize, serde::Deserialize)]
#[sea_orm(table_name = "patients")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Option<Uuid>,
    pub organisation_id: Uuid,
    pub given_name: String,
    pub family_name: String,
    pub date_of_birth: Date,
    pub nhs_number: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub time_zone: String,
    pub created_at: DateTimeUtc,
    /// Moved on by the database (triggers, #21) whenever anything this person's pages show
    /// changes; never written by the services (new rows start at 0).
    pub data_version: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
