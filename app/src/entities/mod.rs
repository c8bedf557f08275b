//! Database tables as sea-orm entities (server only). Features own the queries; this module only
//! describes the rows.
pub mod account;
pub mod audit_event;
pub mod ceremony;
pub mod invitation;
pub mod membership;
pub mod observation;
pub mod organisation;
pub mod passkey;
pub mod patient;
pub mod patient_condition;
pub mod recovery_code;
pub mod session;
