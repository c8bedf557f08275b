use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// `gp_practice`, `community_team` or `social_care_team`.
    pub kind: String,
    pub ods_code: Option<String>,
    pub created_at: DateTimeUtc,
    /// How many days before a review the preparation pack goes out by itself.
    pub pack_release_days: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
