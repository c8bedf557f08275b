//! The care team's side of the review cycle: upcoming reviews with where each person is in
//! their preparation (pack sent, opened, agenda returned), and one person's page with their
//! agenda beside their results, booking and closing reviews, releasing the pack, entering
//! results and agreeing their own targets. Importing files of results is on its own page.
//! (#6 grows this into the full workspace: caseload, conversation view, co-produced plan.)
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::AppError;
use crate::preparation::{PackView, ReviewForm, ReviewView};
use crate::results::ResultForm;

pub mod caseload;
pub mod conversation;
pub mod cycle;
pub mod enrol;
pub mod members;
mod pages;
pub mod prompts;
#[cfg(feature = "ssr")]
pub mod service;

pub use caseload::CaseloadPage;
pub use conversation::{
    ConversationPage, TeamActionPage, TeamContingencyPage, TeamGoalPage, TeamNewActionPage,
    TeamSupportPage,
};
pub use cycle::PracticePage;
pub use enrol::{LetterPage, NewPatientPage};
pub use members::MembersPage;
pub use pages::{ImportResultsPage, TeamPersonPage, TeamReviewsPage};
pub use prompts::PromptsPage;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewRow {
    pub patient_id: Uuid,
    pub name: String,
    pub nhs_number: String,
    pub when: String,
    pub with_whom: String,
    pub mode_name: String,
    /// "Not sent yet", "Sent 3 December 2026", "Sent … (by itself)".
    pub pack: String,
    pub opened: bool,
    /// The day the agenda came back.
    pub returned: Option<String>,
    pub overdue: bool,
    /// Where they are in the cycle.
    pub stage: cycle::StageView,
}

/// Someone on the list with no review booked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonLink {
    pub patient_id: Uuid,
    pub name: String,
    pub nhs_number: String,
    /// When their next review is due, if a past review set it.
    pub due: Option<String>,
    /// Where they are in the cycle.
    pub stage: cycle::StageView,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReviewsView {
    pub booked: Vec<ReviewRow>,
    pub unbooked: Vec<PersonLink>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StaffResult {
    pub code: String,
    pub name: String,
    /// The value in words, a bound as "more than 90", and what the lab sent when converted:
    /// "43 mmol/mol (converted from 6.1 %)".
    pub latest: String,
    /// "on 3 March 2026", or "reported on 3 March 2026" when only the report's day is known.
    pub when: String,
    /// Corrections the lab made to this kind of result, each with what it said before:
    /// "Corrected on 3 December 2026. It was 64 mmol/mol until corrected on 3 December 2026."
    pub corrections: Vec<String>,
    /// Released to the person in a pack.
    pub shared: bool,
    pub assessment: Option<String>,
    pub own_target: Option<String>,
    /// Against the one before: "Lower than last time, which is better (was 58 mmol/mol on 3
    /// March 2026)."; none for a first result.
    pub change: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeamPersonView {
    pub patient_id: Uuid,
    pub name: String,
    pub nhs_number: String,
    pub born: String,
    pub conditions: Vec<String>,
    pub upcoming: Option<ReviewView>,
    /// The booked review's time has come (so it can be closed).
    pub started: bool,
    pub past: Vec<ReviewView>,
    pub pack_status: String,
    pub pack: Option<PackView>,
    pub results: Vec<StaffResult>,
    pub can_manage: bool,
    pub can_release: bool,
    pub can_enter: bool,
    pub can_target: bool,
    pub phone: String,
    pub email: String,
    pub can_edit_contact: bool,
    pub carers: Vec<crate::carers::GrantView>,
    pub can_record_carer: bool,
    /// The viewer may download the whole plan as a FHIR file (`/team/people/:id/export`).
    #[serde(default)]
    pub can_export: bool,
    /// Where they are in the cycle, and their checks appointment.
    pub cycle: cycle::CycleView,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TargetForm {
    pub patient_id: String,
    pub code: String,
    pub value: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReviewActionForm {
    pub patient_id: String,
    pub review_id: String,
    pub next_date: String,
}

/// The signed-in staff member's work for `permission`, opened by the access layer: in the
/// organisation a form names (`org`), else wherever they may.
#[cfg(feature = "ssr")]
async fn open_staff(
    permission: crate::access::Permission,
    org: Option<&str>,
) -> Result<
    (
        crate::state::AppState,
        tower_sessions::Session,
        crate::access::StaffCtx,
    ),
    AppError,
> {
    let org = org.map(id_of).transpose()?;
    crate::auth::opened::staff(permission, org).await
}

/// A person's record opened by the signed-in member of staff for `permission`: the care
/// team's pages and forms take nothing else. Someone who is let in as the person or as their
/// carer uses the person's own pages, so here they get `NotFound`.
#[cfg(feature = "ssr")]
async fn open_person(
    permission: crate::access::Permission,
    patient_id: Uuid,
) -> Result<(crate::state::AppState, crate::access::PatientCtx), AppError> {
    let (state, _, ctx) = crate::auth::opened::person(permission, patient_id).await?;
    Ok((state, ctx.professional()?))
}

#[cfg(feature = "ssr")]
fn id_of(text: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(text.trim()).map_err(|_| AppError::NotFound)
}

#[cfg(feature = "ssr")]
fn person_page(patient_id: &str) -> String {
    match Uuid::parse_str(patient_id.trim()) {
        Ok(id) => format!("/team/people/{id}"),
        Err(_) => "/team/reviews".to_owned(),
    }
}

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn CareTeamRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/team") view=CaseloadPage ssr=SsrMode::Async />
        <Route path=path!("/team/patients/new") view=NewPatientPage ssr=SsrMode::Async />
        <Route path=path!("/team/members") view=MembersPage ssr=SsrMode::Async />
        <Route path=path!("/team/prompts") view=PromptsPage ssr=SsrMode::Async />
        <Route path=path!("/team/practice") view=PracticePage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/letter") view=LetterPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/conversation") view=ConversationPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/goals/new") view=TeamGoalPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/goals/:goal") view=TeamGoalPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/goals/:goal/actions/new") view=TeamNewActionPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/actions/:action") view=TeamActionPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/contingency") view=TeamContingencyPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id/support") view=TeamSupportPage ssr=SsrMode::Async />
        <Route path=path!("/team/reviews") view=TeamReviewsPage ssr=SsrMode::Async />
        <Route path=path!("/team/people/:id") view=TeamPersonPage ssr=SsrMode::Async />
        <Route path=path!("/team/results/import") view=ImportResultsPage ssr=SsrMode::Async />
    }
    .into_inner()
}

mod api;
pub use api::*;
