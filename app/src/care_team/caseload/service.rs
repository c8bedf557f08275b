//! On the server: the database side.
use chrono::Duration;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use uuid::Uuid;

use super::{CaseloadFilter, CaseloadRow, CaseloadView};
use crate::access::{self, StaffCtx};
use crate::entities::{patient, patient_condition, plan, preparation_pack, review};
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

pub async fn caseload(
    state: &AppState,
    ctx: &StaffCtx,
    filter: CaseloadFilter,
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
        .filter(patient_condition::Column::PatientId.is_in(ids.clone()))
        .all(&state.db)
        .await?;
    let booked = review::Entity::find()
        .filter(review::Column::PatientId.is_in(ids.clone()))
        .filter(review::Column::Status.eq(crate::preparation::ReviewStatus::Scheduled.code()))
        .all(&state.db)
        .await?;
    let packs = preparation_pack::Entity::find()
        .filter(preparation_pack::Column::ReviewId.is_in(booked.iter().map(|r| r.id)))
        .all(&state.db)
        .await?;
    let plans = plan::Entity::find()
        .filter(plan::Column::PatientId.is_in(ids))
        .all(&state.db)
        .await?;
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
        if !matches {
            continue;
        }
        let r = booked.iter().find(|r| r.patient_id == p.id);
        let pack = r.and_then(|r| packs.iter().find(|k| k.review_id == Some(r.id)));
        let pack_sent = pack.is_some_and(|k| k.released_at.is_some());
        let agenda_returned = pack.is_some_and(|k| k.submitted_at.is_some());
        let due_date = plans
            .iter()
            .find(|pl| pl.patient_id == p.id)
            .and_then(|pl| pl.review_date);
        let today = crate::plan::service::today_in(&p.time_zone, now);
        let overdue = match r {
            Some(r) => r.starts_at < now,
            None => due_date.is_some_and(|d| d < today),
        };
        let within = weeks.is_none_or(|w| match r {
            Some(r) => r.starts_at <= now + Duration::weeks(w),
            None => due_date.is_some_and(|d| d <= today + Duration::weeks(w)),
        });
        let keep = within
            && match filter.pack.as_str() {
                "sent" => pack_sent,
                "not_sent" => !pack_sent,
                _ => true,
            }
            && match filter.agenda.as_str() {
                "returned" => agenda_returned,
                "not_returned" => !agenda_returned,
                _ => true,
            }
            && (filter.overdue != "on" || overdue);
        if !keep {
            continue;
        }
        let review = match (r, due_date) {
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
            pack_sent,
            agenda_returned,
            overdue,
            shared: !orgs.contains(&p.organisation_id),
        });
    }
    Ok(CaseloadView {
        filter,
        rows,
        total,
    })
}
