use sea_orm::entity::prelude::*;

/// The plan's own facts: when it is next reviewed and with whom (#5 and #6 fill these in).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub patient_id: Uuid,
    pub review_date: Option<Date>,
    pub review_with: Option<String>,
    /// When a professional marked the plan agreed in the conversation (#6).
    pub agreed_at: Option<DateTimeUtc>,
    /// The professional's account.
    pub agreed_by: Option<Uuid>,
    /// Who wrote the plan, as the person sees it ("Dr Priya Shah, Riverside Medical Practice").
    pub written_by: Option<String>,
    /// `person` or `representative`.
    pub agreed_with: Option<String>,
    /// The representative's name and relationship, when agreed with one.
    pub representative: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
