//! The whole plan as a FHIR R4 Bundle (UK Core profiles where UK Core has one), for the person to
//! take anywhere and for other health and care systems to read (#20). `bundle` is the pure part:
//! a person's loaded record in, FHIR JSON out, with no database and no clock, so every mapping
//! is tested beside it (`observations` holds the results' part: codings, UCUM units,
//! comparators, blood pressure's components). `service` loads the record through the access
//! layer (`Permission::ExportPlan`) and writes the audit entry. `routes` are the plain HTTP
//! routes the server mounts: the person's or a carer's download from the plan page, the care
//! team's from the person's page, and the read API `GET /fhir/Patient/:id/$everything` for
//! other systems, behind the same session and policy.
//!
//! The Bundle is a `collection`, not a `document`: a document is an attested, unchangeable
//! record led by a `Composition` that a clinician signs off, whereas this is a copy of a living
//! plan, owned and changed by the person, taken at one moment. A collection says exactly that:
//! these resources, together, as they stand now.
pub mod bundle;
pub mod observations;
pub mod routes;
pub mod service;

#[cfg(test)]
mod tests;

/// The file name a download is saved under: no name, no date of birth, no health data.
pub const FILE_NAME: &str = "alongside-plan.fhir.json";
/// FHIR's own media type for JSON.
pub const FHIR_JSON: &str = "application/fhir+json";

pub use routes::routes;
