use sea_orm::entity::prelude::*;

/// A device that gets reminders: the browser's push subscription (endpoint and keys) and the
/// account it belongs to. `session_id` is the sign-in that turned it on; signing out there
/// removes it.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "push_subscriptions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub account_id: Uuid,
    pub endpoint: String,
    /// The browser's public key (P-256, uncompressed, base64url).
    pub p256dh: String,
    /// The browser's authentication secret (16 bytes, base64url).
    pub auth: String,
    /// "Chrome on Android": what the person sees in their list of devices.
    pub label: String,
    pub session_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub last_sent_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
