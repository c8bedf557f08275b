//! On the server: the database side.
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use uuid::Uuid;

use super::{CaseloadFilter, CaseloadRow, CaseloadView, StageFilter, query};
use crate::access::{self, StaffCtx};
use crate::care_team::cycle;
use crate::entities::patient_condition;
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

/// The caseload's first page: `filter` from the session (search, due, pack, agenda), `stage`
/// and `overdue` from the address (a GET form: they name no one).
pub async fn caseload(
    state: &AppState,
    ctx: &StaffCtx,
    filter: CaseloadFilter,
    stages: StageFilter,
) -> Result<CaseloadView, AppError> {
    caseload_page(state, ctx, filter, stages, 1).await
}

/// A page of the caseload (from 1; past the end, the last). The same statements however many
/// people the practice has: the page is found, counted and ordered in the database, and only its
/// people's conditions and cycle are read.
pub async fn caseload_page(
    state: &AppState,
    ctx: &StaffCtx,
    filter: CaseloadFilter,
    stages: StageFilter,
    page: u64,
) -> Result<CaseloadView, AppError> {
    // The people whose records the reader may open, through the access layer's filter
    // (the same rules a check uses, in one query): so no row links to "not found".
    let orgs = ctx.orgs().to_vec();
    let now = state.clock.now();
    let visible =
        access::visible_people_parts(&state.db, ctx.actor(), access::Permission::ReadRecord)
            .await?;
    let narrowing = query::Narrowing::new(&filter, stages);
    let found = query::page(&state.db, visible, &narrowing, now, page).await?;
    let ids: Vec<Uuid> = found.rows.iter().map(|p| p.id).collect();
    let conditions = patient_condition::Entity::find()
        .filter(patient_condition::Column::PatientId.is_in(ids))
        .all(&state.db)
        .await?;
    let mut cycles = cycle::service::of_people(&state.db, now, &found.rows).await?;
    let mut rows = Vec::with_capacity(found.rows.len());
    for p in found.rows {
        let Some(c) = cycles.remove(&p.id) else {
            continue;
        };
        let review = match (c.booked.as_ref(), c.due_by) {
            (Some(r), _) => format!("Booked: {}", when_words(&p, r.starts_at)),
            (None, Some(d)) => format!("Due {}", long_date(d)),
            (None, None) => "Not set".to_owned(),
        };
        rows.push(CaseloadRow {
            patient_id: p.id,
            name: format!("{} {}", p.given_name, p.family_name),
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
        total: found.total,
        more: found.more,
        page: found.page,
        page_size: query::PAGE_SIZE,
    })
}
