use sea_orm::entity::prelude::*;

/// What an account wants to be reminded about, when, and when never. An account without a row
/// has the defaults (`reminders::Preferences::default`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reminder_preferences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub account_id: Uuid,
    pub pack_ready: bool,
    pub agenda_due: bool,
    /// How many days before the review to remind about unanswered questions.
    pub agenda_days: i32,
    pub review_tomorrow: bool,
    pub actions: bool,
    /// Space-separated `HH:MM` times of day for action reminders.
    pub action_times: String,
    pub quiet_from: Option<String>,
    pub quiet_until: Option<String>,
    pub time_zone: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
