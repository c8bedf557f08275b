use sea_orm::entity::prelude::*;

/// The person's answer to one prompt of a pack. The prompt's words are copied in when the pack
/// is released, so changing the practice's prompts later never changes what was asked.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "agenda_answers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pack_id: Uuid,
    pub position: i32,
    pub prompt: String,
    pub answer: String,
    pub updated_at: Option<DateTimeUtc>,
    pub updated_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
