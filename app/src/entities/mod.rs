//! Database tables as sea-orm entities (server only). Features own the queries; this module only
//! describes the rows.
pub mod about_me;
pub mod account;
pub mod action_log;
pub mod agenda_answer;
pub mod agenda_prompt;
pub mod audit_event;
pub mod ceremony;
pub mod contingency;
pub mod contingency_contact;
pub mod goal;
pub mod invitation;
pub mod membership;
pub mod observation;
pub mod organisation;
pub mod passkey;
pub mod patient;
pub mod patient_condition;
pub mod plan;
pub mod plan_action;
pub mod plan_change;
pub mod preparation_pack;
pub mod recovery_code;
pub mod result_target;
pub mod review;
pub mod session;
pub mod support_item;
