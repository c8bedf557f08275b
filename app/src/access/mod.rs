//! The access layer, the one door for access decisions: "may this actor do this to that person's record?".
//! Handlers and server functions ask here and nowhere else. The person owns their record; staff
//! of their own practice work on it in the roles below; staff of another organisation only
//! while the person's consent to share with it stands (#6); carers come with #7. A refusal
//! always looks like a missing record, so it leaks nothing.
//!
//! The words of the layer (roles, carers' scopes, a grant's status) are enums stored as their
//! codes; they compile into the browser's bundle too, for the forms that offer them. The rules
//! themselves run only on the server.
mod vocab;
pub(crate) use vocab::vocabulary;
pub use vocab::{GrantStatus, Role, Scope};

#[cfg(feature = "ssr")]
mod context;
#[cfg(feature = "ssr")]
mod person;
#[cfg(feature = "ssr")]
mod rules;
#[cfg(feature = "ssr")]
mod who;
#[cfg(feature = "ssr")]
pub use context::{PatientCtx, StaffCtx, open_patient, open_patient_id, open_staff};
#[cfg(feature = "ssr")]
pub use person::{current_person, own_patient, people_of, zone_of};
#[cfg(feature = "ssr")]
pub use rules::*;
#[cfg(feature = "ssr")]
pub use who::{RequestScope, Who, provide_request_scope, session_and_who, who};
