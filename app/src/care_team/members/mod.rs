//! An organisation's members, managed by its administrators: invite someone with a role (they
//! join by a one-time link and their own passkey), change their roles, or remove them. Access
//! follows at once, because the policy reads memberships on every request. An organisation
//! always keeps at least one administrator.
use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::Role;
use crate::auth::pages_support::{load, render};
use crate::auth::team::NewLink;
use crate::error::AppError;
use crate::forms::{Checkboxes, ErrorSummary, Flash, FormState, Notice, Radios, TextField};
use crate::ui::PageHeading;
use crate::ui::back_link;

mod api;
pub use api::*;

#[cfg(feature = "ssr")]
pub mod service;

mod pages;
pub use pages::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MemberRow {
    pub account_id: Uuid,
    pub name: String,
    /// Role codes.
    pub roles: Vec<String>,
    pub signed_up: bool,
    pub is_me: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MembersView {
    pub organisation_id: Uuid,
    pub organisation: String,
    pub members: Vec<MemberRow>,
    pub new_link: Option<NewLink>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteMemberForm {
    pub organisation_id: String,
    pub name: String,
    pub role: String,
}

/// Roles arrive as `roles_<code>=on` in `rest`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberForm {
    pub organisation_id: String,
    pub account_id: String,
    #[serde(flatten)]
    pub rest: BTreeMap<String, String>,
}

pub fn role_name(code: &str) -> &'static str {
    Role::parse(code).map_or("Member", Role::label)
}
