//! The care team's reads: upcoming reviews across the organisation, and one person's record
//! with reviews, pack, agenda and every result (shared or not yet). Each person's record is read
//! only after the policy allows it.
use std::collections::BTreeMap;

use chrono::Duration;
use sea_orm::{ColumnTrait as _, Condition, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use uuid::Uuid;

use super::{PersonLink, ReviewRow, ReviewsView, StaffResult, TeamPersonView};
use crate::access::{self, PatientCtx, Permission, StaffCtx};
use crate::entities::{
    observation, observation_version, patient, patient_condition, preparation_pack, review,
};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::preparation::service::{self as prep, review_view, when_words, zone};
use crate::results::catalogue;
use crate::state::AppState;

fn pack_status(pack: Option<&preparation_pack::Model>, p: &patient::Model) -> String {
    match pack.and_then(|k| k.released_at.map(|at| (k, at))) {
        None => "Not sent yet".to_owned(),
        Some((k, at)) => format!(
            "Sent {}{}",
            long_date(at.with_timezone(&zone(p)).date_naive()),
            if k.automatic { " (by itself)" } else { "" }
        ),
    }
}

/// Booked reviews in the staff member's organisations from a week ago to 6 weeks ahead, soonest
/// first; one in the past that nobody has closed is overdue. For work opened to manage reviews
/// (those who book and run them; not, say, a social care worker whose caseload is only the
/// people who share with her).
pub async fn reviews(state: &AppState, ctx: &StaffCtx) -> Result<ReviewsView, AppError> {
    if ctx.permission() != Permission::ManageReviews {
        return Err(AppError::NotFound);
    }
    let orgs = ctx.orgs().to_vec();
    // The people listed are read through the access layer's filter: each row links to a
    // record the reader may open, with no check per row.
    let visible = access::visible_people(&state.db, ctx.actor(), Permission::ReadRecord).await?;
    let unbooked = unbooked(state, &visible, &orgs).await?;
    let now = state.clock.now();
    let booked = review::Entity::find()
        .filter(review::Column::OrganisationId.is_in(orgs))
        .filter(review::Column::Status.eq(crate::preparation::ReviewStatus::Scheduled.code()))
        .filter(review::Column::StartsAt.lte(now + Duration::weeks(6)))
        .order_by_asc(review::Column::StartsAt)
        .all(&state.db)
        .await?;
    let ids: Vec<Uuid> = booked.iter().map(|r| r.id).collect();
    let packs = preparation_pack::Entity::find()
        .filter(preparation_pack::Column::ReviewId.is_in(ids))
        .all(&state.db)
        .await?;
    let people = patient::Entity::find()
        .filter(patient::Column::Id.is_in(booked.iter().map(|r| r.patient_id)))
        .filter(visible)
        .all(&state.db)
        .await?;
    let mut cycles = super::cycle::service::of_people(&state.db, now, &people).await?;
    let mut rows = Vec::new();
    for r in booked {
        let Some(p) = people.iter().find(|p| p.id == r.patient_id) else {
            continue;
        };
        let Some(stage) = cycles.remove(&p.id).map(|c| c.stage) else {
            continue;
        };
        let pack = packs.iter().find(|k| k.review_id == Some(r.id));
        rows.push(ReviewRow {
            patient_id: p.id,
            name: format!("{} {}", p.given_name, p.family_name),
            nhs_number: spaced(&p.nhs_number),
            when: when_words(p, r.starts_at),
            with_whom: r.with_whom.clone(),
            mode_name: prep::mode_name(&r.mode).to_owned(),
            pack: pack_status(pack, p),
            opened: pack.is_some_and(|k| k.opened_at.is_some()),
            returned: pack
                .and_then(|k| k.submitted_at)
                .map(|at| long_date(at.with_timezone(&zone(p)).date_naive())),
            overdue: r.starts_at < now,
            stage,
        });
    }
    Ok(ReviewsView {
        booked: rows,
        unbooked,
    })
}

/// People of these organisations with no review booked, soonest due first. (#6 brings the
/// whole caseload with filters and search.)
async fn unbooked(
    state: &AppState,
    visible: &Condition,
    orgs: &[Uuid],
) -> Result<Vec<PersonLink>, AppError> {
    let booked: Vec<Uuid> = review::Entity::find()
        .filter(review::Column::OrganisationId.is_in(orgs.to_vec()))
        .filter(review::Column::Status.eq(crate::preparation::ReviewStatus::Scheduled.code()))
        .all(&state.db)
        .await?
        .into_iter()
        .map(|r| r.patient_id)
        .collect();
    let people = patient::Entity::find()
        .filter(patient::Column::OrganisationId.is_in(orgs.to_vec()))
        .filter(patient::Column::Id.is_not_in(booked))
        .filter(visible.clone())
        .order_by_asc(patient::Column::FamilyName)
        .order_by_asc(patient::Column::GivenName)
        .all(&state.db)
        .await?;
    let mut cycles =
        super::cycle::service::of_people(&state.db, state.clock.now(), &people).await?;
    let mut links = Vec::new();
    for p in people {
        let Some(cycle) = cycles.remove(&p.id) else {
            continue;
        };
        let due = cycle.due_by;
        links.push((
            due,
            PersonLink {
                patient_id: p.id,
                name: format!("{} {}", p.given_name, p.family_name),
                nhs_number: spaced(&p.nhs_number),
                due: due.map(long_date),
                stage: cycle.stage,
            },
        ));
    }
    // Soonest due first; people with no date yet after them.
    links.sort_by_key(|(due, _)| (due.is_none(), *due));
    Ok(links.into_iter().map(|(_, l)| l).collect())
}

/// "943 476 5919", as NHS numbers are read out.
pub fn spaced(n: &str) -> String {
    crate::nhs_number::NhsNumber::parse(n)
        .map(|n| n.to_string())
        .unwrap_or_else(|_| n.to_owned())
}

/// Every correction to one kind of a person's results, newest result first: for the latest,
/// "Corrected on 3 December 2026: it was 64 mmol/mol before."; for
/// an older one, "The result on 3 March 2026 was 64 mmol/mol until corrected on …".
fn staff_corrections(
    p: &patient::Model,
    kind: &catalogue::Kind,
    mine: &[&observation::Model],
    versions: &BTreeMap<Uuid, Vec<observation_version::Model>>,
) -> Vec<String> {
    let zone = zone(p);
    let mut out = Vec::new();
    for (i, o) in mine.iter().enumerate().rev() {
        let Some(on) = o.corrected_at else { continue };
        let earlier = versions.get(&o.id).map_or_else(Vec::new, |vs| {
            crate::results::corrections::earlier(o, vs, kind.unit, zone, |_, _| true)
        });
        let on = long_date(on.with_timezone(&zone).date_naive());
        if i + 1 == mine.len() {
            out.push(crate::results::correction_words(&on, &earlier));
        } else {
            let day = long_date(o.taken_at.date_naive());
            if earlier.is_empty() {
                out.push(format!("The result on {day} was corrected on {on}."));
            }
            for e in earlier {
                out.push(format!(
                    "The result on {day} was {} until corrected on {}.",
                    e.text, e.until
                ));
            }
        }
    }
    out
}

/// One person's record for the care team, opened to read (`ReadRecord`).
pub async fn person(state: &AppState, ctx: &PatientCtx) -> Result<TeamPersonView, AppError> {
    person_with(state, ctx, None).await
}

/// [`person`], given the person's condition codes when the caller has read them already (the
/// conversation view, with the plan).
pub async fn person_with(
    state: &AppState,
    ctx: &PatientCtx,
    conditions: Option<Vec<String>>,
) -> Result<TeamPersonView, AppError> {
    ctx.opened_for(Permission::ReadRecord)?;
    let (staff, p) = (ctx.actor().account_id, ctx.patient());
    crate::auth::audit::staff_touch(&state.db, state.clock.as_ref(), staff, p, "record_viewed")
        .await?;
    let now = state.clock.now();
    let condition_codes: Vec<String> = match conditions {
        Some(codes) => codes,
        None => patient_condition::Entity::find()
            .filter(patient_condition::Column::PatientId.eq(p.id))
            .all(&state.db)
            .await?
            .into_iter()
            .map(|c| c.condition)
            .collect(),
    };
    let conditions = condition_codes
        .iter()
        .map(|c| crate::plan::condition_name(c))
        .collect();
    let all_reviews = review::Entity::find()
        .filter(review::Column::PatientId.eq(p.id))
        .order_by_desc(review::Column::StartsAt)
        .all(&state.db)
        .await?;
    // The booked review is the soonest still scheduled (`prep::upcoming`), from the same rows.
    let upcoming = all_reviews
        .iter()
        .filter(|r| r.status == crate::preparation::ReviewStatus::Scheduled.code())
        .min_by_key(|r| r.starts_at)
        .cloned();
    // Every pack of the person in one read: the booked review's, and the latest released.
    let packs = preparation_pack::Entity::find()
        .filter(preparation_pack::Column::PatientId.eq(p.id))
        .all(&state.db)
        .await?;
    let pack = upcoming
        .as_ref()
        .and_then(|r| packs.iter().find(|k| k.review_id == Some(r.id)))
        .cloned();
    let pack_view = match &pack {
        Some(k) => Some(prep::pack_view_with(&state.db, now, p, k, upcoming.clone()).await?),
        None => None,
    };
    let released_at = packs.iter().filter_map(|k| k.released_at).max();
    // Social care sees only the results the person has been shown.
    let every_result = ctx
        .may(&state.db, Permission::ReadUnreleasedResults)
        .await?;
    let every_observation: Vec<observation::Model> = observation::Entity::find()
        .filter(observation::Column::PatientId.eq(p.id))
        // A result the lab withdrew (entered in error) is out of every view; its history stays.
        .filter(observation::Column::RemovedAt.is_null())
        .order_by_asc(observation::Column::TakenAt)
        .all(&state.db)
        .await?;
    // When each result came in, whoever is looking: the cycle's "results in" counts them all.
    let entered: Vec<chrono::DateTime<chrono::Utc>> =
        every_observation.iter().map(|o| o.created_at).collect();
    let observations: Vec<observation::Model> = every_observation
        .into_iter()
        .filter(|o| every_result || released_at.is_some_and(|at| o.created_at <= at))
        .collect();
    let targets = crate::results::service::targets_of(&state.db, p.id).await?;
    // The team sees every earlier value of a corrected result.
    let versions = crate::results::corrections::versions(&state.db, &observations).await?;
    let today = crate::plan::service::today_in(&p.time_zone, now);
    let results = catalogue::KINDS
        .iter()
        .filter_map(|k| {
            let mine: Vec<&observation::Model> =
                observations.iter().filter(|o| o.code == k.code).collect();
            let latest = mine.last()?;
            let summary = crate::results::service::summarise(p, today, &mine, &targets)?;
            Some(StaffResult {
                code: k.code.to_owned(),
                name: k.name.to_owned(),
                latest: summary.latest.shown(),
                when: summary.latest.when(),
                corrections: staff_corrections(p, k, &mine, &versions),
                shared: released_at.is_some_and(|at| latest.created_at <= at),
                change: summary.previous.is_some().then_some(summary.change),
                assessment: summary.assessment.map(|a| a.words),
                own_target: targets
                    .iter()
                    .find(|t| t.code == k.code)
                    .map(|t| match t.value2 {
                        Some(d) => format!("{}/{}", catalogue::show(t.value), catalogue::show(d)),
                        None => catalogue::show(t.value),
                    }),
            })
        })
        .collect();
    let upcoming_view = upcoming.as_ref().map(|r| review_view(p, r));
    let (grants, names) = crate::carers::service::grants_named(&state.db, p.id).await?;
    let carers = grants
        .iter()
        .map(|g| crate::carers::service::grant_view(g, &names, today))
        .collect();
    Ok(TeamPersonView {
        patient_id: p.id,
        name: format!("{} {}", p.given_name, p.family_name),
        nhs_number: spaced(&p.nhs_number),
        born: long_date(p.date_of_birth),
        conditions,
        started: upcoming.as_ref().is_some_and(|r| r.starts_at <= now),
        upcoming: upcoming_view,
        past: all_reviews
            .iter()
            .filter(|r| r.status != crate::preparation::ReviewStatus::Scheduled.code())
            .map(|r| review_view(p, r))
            .collect(),
        pack_status: pack_status(pack.as_ref(), p),
        pack: pack_view,
        results,
        can_manage: ctx.may(&state.db, Permission::ManageReviews).await?,
        can_release: ctx.may(&state.db, Permission::ReleaseResults).await?,
        can_enter: ctx.may(&state.db, Permission::EnterResults).await?,
        can_target: ctx.may(&state.db, Permission::SetTargets).await?,
        can_edit_contact: ctx.may(&state.db, Permission::EditContact).await?,
        can_record_carer: ctx.may(&state.db, Permission::RecordCarerGrant).await?,
        can_export: ctx.may(&state.db, Permission::ExportPlan).await?,
        cycle: super::cycle::service::person(
            state,
            ctx,
            &condition_codes,
            Some(super::cycle::service::AlreadyRead {
                reviews: &all_reviews,
                packs: &packs,
                results: &entered,
            }),
        )
        .await?,
        carers,
        phone: p.phone.clone().unwrap_or_default(),
        email: p.email.clone().unwrap_or_default(),
    })
}
