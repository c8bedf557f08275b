//! Integration tests: a real server on a free port, over real HTTP, on a fresh database of each
//! kind (a SQLite file and a PostgreSQL database) per test. One binary for the crate keeps
//! link time down.
#[path = "api/support.rs"]
mod support;

#[path = "api/carers.rs"]
mod carers;
#[path = "api/caseload.rs"]
mod caseload;
#[path = "api/cli.rs"]
mod cli;
#[path = "api/conversation.rs"]
mod conversation;
#[path = "api/cycle.rs"]
mod cycle;
#[path = "api/events.rs"]
mod events;
#[path = "api/fhir_export.rs"]
mod fhir_export;
#[path = "api/fuzz.rs"]
mod fuzz;
#[path = "api/health.rs"]
mod health;
#[path = "api/http_shell.rs"]
mod http_shell;
#[path = "api/idempotency.rs"]
mod idempotency;
#[path = "api/imports.rs"]
mod imports;
#[path = "api/pages.rs"]
mod pages;

#[path = "api/passkeys.rs"]
mod passkeys;
#[path = "api/plan.rs"]
mod plan;
#[path = "api/preparation.rs"]
mod preparation;
#[path = "api/push_mock.rs"]
mod push_mock;
#[path = "api/remembered.rs"]
mod remembered;
#[path = "api/reminders.rs"]
mod reminders;
#[path = "api/results.rs"]
mod results;
#[path = "api/results_display.rs"]
mod results_display;
#[path = "api/round_trips.rs"]
mod round_trips;
#[path = "api/seed.rs"]
mod seed;
#[path = "api/sessions.rs"]
mod sessions;
#[path = "api/team.rs"]
mod team;
