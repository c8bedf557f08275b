use sea_orm::entity::prelude::*;

/// An action towards a goal: what, who, how often, and how confident the person feels.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "plan_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub patient_id: Uuid,
    pub goal_id: Uuid,
    pub what: String,
    /// `me`, `carer` or `professional`.
    pub who_kind: String,
    pub who_name: String,
    /// `daily`, `weekly` (n times a week), `weekdays` (chosen days) or `once` (by a date).
    pub frequency: String,
    pub times_per_week: Option<i32>,
    /// Space-separated `mon tue …` for `weekdays`.
    pub weekdays: String,
    pub due_by: Option<Date>,
    /// `any`, `morning`, `afternoon` or `evening`.
    pub time_of_day: String,
    pub confidence: i32,
    /// `in_progress`, `done` or `not_doing`.
    pub status: String,
    pub starts_on: Date,
    pub created_at: DateTimeUtc,
    /// The streak read model (#21): how many due days (or weeks) in a row were done up to and
    /// including `streak_through`, a day nobody can log any more. Null until first worked out.
    pub streak_through: Option<Date>,
    pub streak_count: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
