//! On the server: the database side.
use chrono::Duration;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use uuid::Uuid;

use super::{CaseloadFilter, CaseloadRow, CaseloadView, StageFilter};
use crate::access::{self, StaffCtx};
use crate::care_team::cycle;
use crate::entities::{patient, patient_condition};
use crate::error::AppError;
use crate::nhs_number::NhsNumber;
use crate::plan::schedule::long_date;
use crate::preparation::service::when_words;
use crate::state::AppState;

/// A search that is all digits must be a whole, valid NHS number.
pub fn check(filter: &CaseloadFilter) -> Result<(), AppError> {
    let s = filter.search.trim();
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        NhsNumber::parse(s).map_err(|e| AppError::field("search", e.to_string()))?;
    }
    Ok(())
}

/// The caseload: `filter` from the session (search, due, pack, agenda), `stage` and
/// `overdue` from the address (a GET form: they name no one).
pub async fn caseload(
    state: &AppState,
    ctx: &StaffCtx,
    filter: CaseloadFilter,
    stages: StageFilter,
) -> Result<CaseloadView, AppError> {
    // The people whose records the reader may open, through the access layer's filter
    // (the same rules a check uses, in one query): so no row links to "not found".
    let orgs = ctx.orgs().to_vec();
    let now = state.clock.now();
    let visible =
        access::visible_people(&state.db, ctx.actor(), access::Permission::ReadRecord).await?;
    let people = patient::Entity::find()
        .filter(visible)
        .order_by_asc(patient::Column::FamilyName)
        .order_by_asc(patient::Column::GivenName)
        .all(&state.db)
        .await?;
    let total = people.len();
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let conditions = patient_condition::Entity::find()
        .filter(patient_condition::Column::PatientId.is_in(ids))
        .all(&state.db)
        .await?;
    let mut cycles = cycle::service::of_people(&state.db, now, &people).await?;
    let search = filter.search.trim().to_lowercase();
    let number = NhsNumber::parse(&search).ok();
    let weeks: Option<i64> = filter.due.parse().ok();
    let mut rows = Vec::new();
    for p in people {
        let name = format!("{} {}", p.given_name, p.family_name);
        let matches = match &number {
            Some(n) => p.nhs_number == n.as_str(),
            None => search.is_empty() || name.to_lowercase().contains(&search),
        };
        let Some(c) = cycles.remove(&p.id) else {
            continue;
        };
        if !matches {
            continue;
        }
        let r = c.booked.as_ref();
        let today = crate::plan::service::today_in(&p.time_zone, now);
        let within = weeks.is_none_or(|w| match r {
            Some(r) => r.starts_at <= now + Duration::weeks(w),
            None => c.due_by.is_some_and(|d| d <= today + Duration::weeks(w)),
        });
        let keep = within
            && match filter.pack.as_str() {
                "sent" => c.pack_sent,
                "not_sent" => !c.pack_sent,
                _ => true,
            }
            && match filter.agenda.as_str() {
                "returned" => c.answers_in,
                "not_returned" => !c.answers_in,
                _ => true,
            }
            && stages.stage.is_none_or(|s| s == c.stage.stage)
            && (!stages.overdue || c.stage.overdue);
        if !keep {
            continue;
        }
        let review = match (r, c.due_by) {
            (Some(r), _) => format!("Booked: {}", when_words(&p, r.starts_at)),
            (None, Some(d)) => format!("Due {}", long_date(d)),
            (None, None) => "Not set".to_owned(),
        };
        rows.push(CaseloadRow {
            patient_id: p.id,
            name,
            nhs_number: super::super::service::spaced(&p.nhs_number),
            born: long_date(p.date_of_birth),
            conditions: conditions
                .iter()
                .filter(|c| c.patient_id == p.id)
                .map(|c| crate::plan::condition_name(&c.condition))
                .collect::<Vec<_>>()
                .join(", "),
            review,
            pack_sent: c.pack_sent,
            agenda_returned: c.answers_in,
            overdue: c.stage.overdue,
            stage: c.stage,
            shared: !orgs.contains(&p.organisation_id),
        });
    }
    Ok(CaseloadView {
        filter,
        stages,
        rows,
        total,
    })
}
