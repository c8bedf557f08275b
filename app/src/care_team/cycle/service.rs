//! On the server: the stage of each person (computed from what is recorded, in a fixed number
//! of statements however many people), the checks appointment, and the practice's setting.
use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, Set,
};
use uuid::Uuid;

use super::{
    Check, ChecksForm, ChecksStatus, ChecksView, CycleView, PracticeView, RECALL_WEEKS, Stage,
    StageView,
};
use crate::access::{PatientCtx, Permission, StaffCtx};
use crate::auth::audit;
use crate::entities::{
    checks_appointment, observation, organisation, patient, plan, preparation_pack, review,
};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::preparation::ReviewStatus;
use crate::preparation::service::{date_and_time, local_time, when_words};
use crate::state::AppState;

/// What the stage is computed from, for one person.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub now: DateTime<Utc>,
    /// Today where the person lives.
    pub today: NaiveDate,
    /// The plan's "next review due by".
    pub due_by: Option<NaiveDate>,
    pub agreed: bool,
    /// The booked conversation.
    pub booked: Option<DateTime<Utc>>,
    /// Its preparation pack was released, and the answers came back.
    pub pack_sent: bool,
    pub answers_in: bool,
    /// The checks appointment of this cycle: booked, or done.
    pub checks: Option<(ChecksStatus, DateTime<Utc>)>,
    /// A result was entered since the checks were done.
    pub results_since_checks: bool,
}

/// When a checks appointment began, for "results in since the checks": its booked start, or
/// when it was marked done if that was earlier (the person came before their time, and a result
/// entered straight after still counts).
fn checks_began(c: &checks_appointment::Model) -> DateTime<Utc> {
    c.done_at.map_or(c.starts_at, |done| done.min(c.starts_at))
}

/// The furthest step of the cycle the person has reached. The steps after the conversation is
/// booked belong to that conversation's pack; the checks to this cycle (since the plan was last
/// agreed or a review last held). With nothing in progress a person is due when their next
/// review is due within [`RECALL_WEEKS`] (or has passed, or was never set and no plan agreed).
pub fn stage(f: &Facts) -> Stage {
    let checks = f.checks.map(|(s, _)| s);
    if f.answers_in {
        Stage::AnswersIn
    } else if f.pack_sent {
        Stage::PackSent
    } else if checks == Some(ChecksStatus::Done) && f.results_since_checks {
        Stage::ResultsIn
    } else if checks == Some(ChecksStatus::Done) {
        Stage::ChecksDone
    } else if checks == Some(ChecksStatus::Booked) {
        Stage::ChecksBooked
    } else if f.booked.is_some() {
        Stage::ReviewBooked
    } else {
        match f.due_by {
            Some(d) if d <= f.today + Duration::weeks(RECALL_WEEKS) => Stage::ReviewDue,
            Some(_) => Stage::PlanAgreed,
            None if f.agreed => Stage::PlanAgreed,
            None => Stage::ReviewDue,
        }
    }
}

/// Overdue: the due-by date has passed with no conversation booked, or the booked one has
/// passed without being recorded as held.
pub fn overdue(f: &Facts) -> bool {
    match f.booked {
        Some(at) => at < f.now,
        None => f.due_by.is_some_and(|d| d < f.today),
    }
}

fn stage_view(f: &Facts, p: &patient::Model) -> StageView {
    let stage = stage(f);
    let text = match stage {
        Stage::ReviewDue => match f.due_by {
            Some(d) if d < f.today => format!("Review due: was due by {}", long_date(d)),
            Some(d) => format!("Review due by {}", long_date(d)),
            None => "Review due: no review yet".to_owned(),
        },
        Stage::ReviewBooked => match f.booked {
            Some(at) => format!("Review booked for {}", when_words(p, at)),
            None => stage.label().to_owned(),
        },
        Stage::ChecksBooked => match f.checks {
            Some((_, at)) => format!("Checks booked for {}", when_words(p, at)),
            None => stage.label().to_owned(),
        },
        Stage::PlanAgreed => match (f.agreed, f.due_by) {
            (true, Some(d)) => format!("Plan agreed, next review due by {}", long_date(d)),
            (false, Some(d)) => format!("Next review due by {}", long_date(d)),
            _ => "Plan agreed".to_owned(),
        },
        _ => stage.label().to_owned(),
    };
    StageView {
        stage,
        text,
        overdue: overdue(f),
    }
}

/// One person's place in the cycle, with what the lists show beside it.
#[derive(Clone, Debug)]
pub struct PersonCycle {
    pub stage: StageView,
    /// The booked conversation (the soonest, if ever more than one).
    pub booked: Option<review::Model>,
    pub pack_sent: bool,
    pub answers_in: bool,
    pub due_by: Option<NaiveDate>,
    /// The booked checks appointment, else the latest done one in this cycle.
    pub checks: Option<checks_appointment::Model>,
}

/// Where each of these people is in the cycle, in five statements whatever their number. The
/// people come from a list already filtered through the access layer; this only reads.
pub async fn of_people(
    db: &impl sea_orm::ConnectionTrait,
    now: DateTime<Utc>,
    people: &[patient::Model],
) -> Result<HashMap<Uuid, PersonCycle>, AppError> {
    let ids: Vec<Uuid> = people.iter().map(|p| p.id).collect();
    let reviews = review::Entity::find()
        .filter(review::Column::PatientId.is_in(ids.clone()))
        .filter(review::Column::Status.ne(ReviewStatus::Cancelled.code()))
        .order_by_asc(review::Column::StartsAt)
        .all(db)
        .await?;
    let booked_ids = reviews
        .iter()
        .filter(|r| r.status == ReviewStatus::Scheduled.code())
        .map(|r| r.id);
    let packs = preparation_pack::Entity::find()
        .filter(preparation_pack::Column::ReviewId.is_in(booked_ids))
        .all(db)
        .await?;
    let (plans, checks) = plans_and_checks(db, ids).await?;
    let current = current_checks(people, &reviews, &plans, &checks);
    // Results entered since each person's checks were done: one statement for everyone.
    let done: Vec<&checks_appointment::Model> = current
        .values()
        .filter(|c| c.status == ChecksStatus::Done.code())
        .collect();
    let earliest = done.iter().map(|c| checks_began(c)).min().unwrap_or(now);
    let results: Vec<(Uuid, DateTime<Utc>)> = observation::Entity::find()
        .select_only()
        .column(observation::Column::PatientId)
        .column(observation::Column::CreatedAt)
        .filter(observation::Column::PatientId.is_in(done.iter().map(|c| c.patient_id)))
        .filter(observation::Column::CreatedAt.gte(earliest))
        .filter(observation::Column::RemovedAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    Ok(cycles(
        people, now, &reviews, &packs, &plans, current, &results,
    ))
}

/// [`of_people`] for one person whose reviews, packs and results the caller has already read
/// (the person's team page): two statements instead of five. `reviews` and `packs` may be all
/// of the person's, in any order; `results` each result's entry time, withdrawn ones left out.
pub async fn of_person(
    db: &impl sea_orm::ConnectionTrait,
    now: DateTime<Utc>,
    p: &patient::Model,
    reviews: &[review::Model],
    packs: &[preparation_pack::Model],
    results: &[DateTime<Utc>],
) -> Result<PersonCycle, AppError> {
    let mut reviews: Vec<review::Model> = reviews
        .iter()
        .filter(|r| r.patient_id == p.id && r.status != ReviewStatus::Cancelled.code())
        .cloned()
        .collect();
    reviews.sort_by_key(|r| r.starts_at);
    let booked: Vec<Uuid> = reviews
        .iter()
        .filter(|r| r.status == ReviewStatus::Scheduled.code())
        .map(|r| r.id)
        .collect();
    let packs: Vec<preparation_pack::Model> = packs
        .iter()
        .filter(|k| k.review_id.is_some_and(|r| booked.contains(&r)))
        .cloned()
        .collect();
    let (plans, checks) = plans_and_checks(db, vec![p.id]).await?;
    let people = std::slice::from_ref(p);
    let current = current_checks(people, &reviews, &plans, &checks);
    let results: Vec<(Uuid, DateTime<Utc>)> = results.iter().map(|at| (p.id, *at)).collect();
    cycles(people, now, &reviews, &packs, &plans, current, &results)
        .remove(&p.id)
        .ok_or(AppError::NotFound)
}

/// The people's plan rows and their checks appointments (not cancelled, soonest first): one
/// statement, each person's row leading with their plan and checks left joined.
async fn plans_and_checks(
    db: &impl sea_orm::ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<(Vec<plan::Model>, Vec<checks_appointment::Model>), AppError> {
    use sea_orm::FromQueryResult as _;
    use sea_orm::sea_query::{Alias, ExprTrait as _, JoinType, Order, Query};
    let (p, pl, c) = (Alias::new("p"), Alias::new("pl"), Alias::new("c"));
    let mut q = Query::select();
    crate::db::every_column::<plan::Entity>(&mut q, "pl");
    crate::db::every_column::<checks_appointment::Entity>(&mut q, "c");
    q.from_as(patient::Entity, p.clone())
        .join_as(
            JoinType::LeftJoin,
            plan::Entity,
            pl.clone(),
            Expr::col((pl, plan::Column::PatientId)).equals((p.clone(), patient::Column::Id)),
        )
        .join_as(
            JoinType::LeftJoin,
            checks_appointment::Entity,
            c.clone(),
            Expr::col((c.clone(), checks_appointment::Column::PatientId))
                .equals((p.clone(), patient::Column::Id))
                .and(
                    Expr::col((c.clone(), checks_appointment::Column::Status))
                        .ne(ChecksStatus::Cancelled.code()),
                ),
        )
        .and_where(Expr::col((p, patient::Column::Id)).is_in(ids))
        .order_by((c, checks_appointment::Column::StartsAt), Order::Asc);
    let (mut plans, mut checks) = (Vec::new(), Vec::new());
    let mut seen = std::collections::HashSet::new();
    for row in db.query_all(&q).await? {
        // A person with several checks appointments has their plan on each of their rows.
        if let Some(plan) = plan::Model::from_query_result_optional(&row, "pl_")?
            && seen.insert(plan.patient_id)
        {
            plans.push(plan);
        }
        if let Some(check) = checks_appointment::Model::from_query_result_optional(&row, "c_")? {
            checks.push(check);
        }
    }
    Ok((plans, checks))
}

/// Each person's checks appointment of this cycle: the booked one, else the latest done since
/// the cycle began (when their plan was last agreed or a review held).
fn current_checks(
    people: &[patient::Model],
    reviews: &[review::Model],
    plans: &[plan::Model],
    checks: &[checks_appointment::Model],
) -> HashMap<Uuid, checks_appointment::Model> {
    let mut current = HashMap::new();
    for p in people {
        let agreed = plans
            .iter()
            .find(|pl| pl.patient_id == p.id)
            .and_then(|pl| pl.agreed_at);
        let held = reviews
            .iter()
            .filter(|r| r.patient_id == p.id && r.status == ReviewStatus::Held.code())
            .map(|r| r.starts_at)
            .max();
        let since = agreed.max(held);
        let mut mine = checks.iter().filter(|c| c.patient_id == p.id);
        let booked = mine
            .clone()
            .find(|c| c.status == ChecksStatus::Booked.code());
        let done = mine.rfind(|c| {
            c.status == ChecksStatus::Done.code() && since.is_none_or(|s| c.starts_at > s)
        });
        if let Some(c) = booked.or(done) {
            current.insert(p.id, c.clone());
        }
    }
    current
}

/// The stage of each person from what was read: `reviews` not cancelled, soonest first;
/// `packs` of the booked reviews; `results` as (person, entered at).
fn cycles(
    people: &[patient::Model],
    now: DateTime<Utc>,
    reviews: &[review::Model],
    packs: &[preparation_pack::Model],
    plans: &[plan::Model],
    current: HashMap<Uuid, checks_appointment::Model>,
    results: &[(Uuid, DateTime<Utc>)],
) -> HashMap<Uuid, PersonCycle> {
    let mut out = HashMap::new();
    for p in people {
        let booked = reviews
            .iter()
            .find(|r| r.patient_id == p.id && r.status == ReviewStatus::Scheduled.code())
            .cloned();
        let pack = booked
            .as_ref()
            .and_then(|r| packs.iter().find(|k| k.review_id == Some(r.id)));
        let plan = plans.iter().find(|pl| pl.patient_id == p.id);
        let checks = current.get(&p.id).cloned();
        let facts = Facts {
            now,
            today: crate::clock::today_in(&p.time_zone, now),
            due_by: plan.and_then(|pl| pl.review_date),
            agreed: plan.is_some_and(|pl| pl.agreed_at.is_some()),
            booked: booked.as_ref().map(|r| r.starts_at),
            pack_sent: pack.is_some_and(|k| k.released_at.is_some()),
            answers_in: pack.is_some_and(|k| k.submitted_at.is_some()),
            checks: checks
                .as_ref()
                .and_then(|c| ChecksStatus::parse(&c.status).map(|status| (status, c.starts_at))),
            results_since_checks: checks.as_ref().is_some_and(|c| {
                results
                    .iter()
                    .any(|(who, at)| *who == p.id && *at >= checks_began(c))
            }),
        };
        out.insert(
            p.id,
            PersonCycle {
                stage: stage_view(&facts, p),
                pack_sent: facts.pack_sent,
                answers_in: facts.answers_in,
                due_by: facts.due_by,
                booked,
                checks,
            },
        );
    }
    out
}

fn checks_view(
    p: &patient::Model,
    c: &checks_appointment::Model,
    now: DateTime<Utc>,
) -> ChecksView {
    let day = c
        .starts_at
        .with_timezone(&crate::clock::zone(&p.time_zone))
        .date_naive();
    ChecksView {
        id: c.id,
        when: when_words(p, c.starts_at),
        place: c.place.clone(),
        with_whom: c.with_whom.clone(),
        status: ChecksStatus::parse(&c.status).unwrap_or(ChecksStatus::Cancelled),
        planned: Check::parse_all(&c.checks),
        done: Check::parse_all(c.done_checks.as_deref().unwrap_or_default()),
        due: day <= crate::clock::today_in(&p.time_zone, now),
    }
}

/// The cycle part of the person's team page, for a record opened to read (`ReadRecord`).
/// What a person's team page has already read that their cycle is made from (see
/// [`of_person`]).
pub struct AlreadyRead<'a> {
    pub reviews: &'a [review::Model],
    pub packs: &'a [preparation_pack::Model],
    /// When each of the person's results came in (withdrawn ones left out).
    pub results: &'a [DateTime<Utc>],
}

/// `conditions`: the person's condition codes, which the caller has read; `read` their reviews,
/// packs and results' entry times, or `None` to read them here.
pub async fn person(
    state: &AppState,
    ctx: &PatientCtx,
    conditions: &[String],
    read: Option<AlreadyRead<'_>>,
) -> Result<CycleView, AppError> {
    ctx.opened_for(Permission::ReadRecord)?;
    let p = ctx.patient();
    let now = state.clock.now();
    let cycle = match read {
        Some(read) => of_person(&state.db, now, p, read.reviews, read.packs, read.results).await?,
        None => of_people(&state.db, now, std::slice::from_ref(p))
            .await?
            .remove(&p.id)
            .ok_or(AppError::NotFound)?,
    };
    Ok(CycleView {
        stage: cycle.stage,
        checks: cycle.checks.as_ref().map(|c| checks_view(p, c, now)),
        suggested: super::suggested_checks(conditions),
        can_manage: ctx.may(&state.db, Permission::ManageChecks).await?,
    })
}

/// The checked parts of the booking form.
struct ChecksBooking {
    starts_at: DateTime<Utc>,
    place: String,
    with_whom: String,
    checks: Vec<Check>,
}

fn check_booking(
    p: &patient::Model,
    form: &ChecksForm,
    ticked: &[String],
    now: DateTime<Utc>,
) -> Result<ChecksBooking, AppError> {
    let mut errors: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut err = |field: &str, msg: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(msg.to_owned())
    };
    let (date, time) = date_and_time(&form.date, &form.time, "checks", &mut err);
    let place = form.place.trim().to_owned();
    if place.is_empty() {
        err(
            "place",
            "Enter where the checks will be, for example Treatment room 2",
        );
    } else if place.chars().count() > 200 {
        err("place", "Keep this to 200 characters or fewer");
    }
    let with_whom = form.with_whom.trim().to_owned();
    if with_whom.is_empty() {
        err(
            "with_whom",
            "Enter who does the checks, for example Healthcare assistant",
        );
    } else if with_whom.chars().count() > 120 {
        err("with_whom", "Keep this to 120 characters or fewer");
    }
    let checks: Vec<Check> = ticked.iter().filter_map(|c| Check::parse(c)).collect();
    if checks.is_empty() || checks.len() != ticked.len() {
        err("checks", "Choose at least one check");
    }
    let today = crate::clock::today_in(&p.time_zone, now);
    let mut starts_at = None;
    if let (Some(d), Some(t)) = (date, time) {
        match local_time(p, d, t) {
            None => err(
                "time",
                "That time does not happen on that day because the clocks change",
            ),
            Some(_) if d < today => err("date", "The checks must be today or later"),
            Some(utc) if utc > now + Duration::days(2 * 366) => {
                err("date", "The checks must be within the next 2 years")
            }
            Some(utc) => starts_at = Some(utc),
        }
    }
    match starts_at {
        Some(starts_at) if errors.is_empty() => Ok(ChecksBooking {
            starts_at,
            place,
            with_whom,
            checks: Check::parse_all(&Check::join(&checks)),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Books the checks appointment. A person has one booked at a time (a partial unique index):
/// the same booking sent twice at once is made once, and both are told it is booked; a
/// different one is refused beside the date.
pub async fn book(
    state: &AppState,
    ctx: &PatientCtx,
    form: &ChecksForm,
    ticked: &[String],
) -> Result<(), AppError> {
    ctx.opened_for(Permission::ManageChecks)?;
    let (p, staff) = (ctx.patient(), ctx.actor().account_id);
    let now = state.clock.now();
    let b = check_booking(p, form, ticked, now)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let inserted = checks_appointment::Entity::insert(checks_appointment::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(p.id),
        organisation_id: Set(p.organisation_id),
        starts_at: Set(b.starts_at),
        place: Set(b.place.clone()),
        with_whom: Set(b.with_whom.clone()),
        status: Set(ChecksStatus::Booked.code().into()),
        checks: Set(Check::join(&b.checks)),
        done_checks: Set(None),
        done_at: Set(None),
        done_by: Set(None),
        created_by: Set(staff),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(checks_appointment::Column::PatientId)
            // The index's own words, not a bound value: SQLite matches a partial index only
            // when the conflict target repeats its WHERE clause literally.
            .target_and_where(Expr::cust("status = 'booked'"))
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    if inserted == 0 {
        let existing = checks_appointment::Entity::find()
            .filter(checks_appointment::Column::PatientId.eq(p.id))
            .filter(checks_appointment::Column::Status.eq(ChecksStatus::Booked.code()))
            .one(&txn)
            .await?;
        txn.rollback().await?;
        return match existing {
            Some(c)
                if c.starts_at == b.starts_at
                    && c.place == b.place
                    && c.checks == Check::join(&b.checks) =>
            {
                Ok(())
            }
            Some(c) => Err(AppError::field(
                "date",
                format!(
                    "{} already has checks booked for {}. Cancel those first.",
                    p.given_name,
                    when_words(p, c.starts_at)
                ),
            )),
            None => Err(AppError::Conflict(
                "The checks changed at the same moment. Try again.".into(),
            )),
        };
    }
    told(state, txn, ctx, "checks_booked").await
}

/// A change to the person's checks, told in its own transaction to whatever reacts (an outbox
/// event) and written to the log the person sees; then committed.
async fn told(
    state: &AppState,
    txn: sea_orm::DatabaseTransaction,
    ctx: &PatientCtx,
    action: &'static str,
) -> Result<(), AppError> {
    let (p, staff) = (ctx.patient(), ctx.actor().account_id);
    crate::events::record(
        &txn,
        state.clock.now(),
        crate::events::Event::PersonChanged { patient: p.id },
    )
    .await?;
    audit::staff_touch(&txn, state.clock.as_ref(), staff, p, action).await?;
    txn.commit().await?;
    state.react().await;
    Ok(())
}

/// The person's booked checks appointment named by the form, or `NotFound`.
async fn booked_one(
    state: &AppState,
    ctx: &PatientCtx,
    appointment: Uuid,
) -> Result<checks_appointment::Model, AppError> {
    ctx.opened_for(Permission::ManageChecks)?;
    checks_appointment::Entity::find_by_id(appointment)
        .filter(checks_appointment::Column::PatientId.eq(ctx.patient().id))
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Changes the appointment only while it is still booked: one conditional statement, so two
/// people marking it at once change it once and the second is told.
async fn change_booked(
    state: &AppState,
    ctx: &PatientCtx,
    id: Uuid,
    change: checks_appointment::ActiveModel,
    action: &'static str,
) -> Result<(), AppError> {
    let txn = crate::state::begin_write(&state.db).await?;
    let done = checks_appointment::Entity::update_many()
        .set(change)
        .filter(checks_appointment::Column::Id.eq(id))
        .filter(checks_appointment::Column::Status.eq(ChecksStatus::Booked.code()))
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::Conflict(
            "These checks have already been marked done or cancelled.".into(),
        ));
    }
    told(state, txn, ctx, action).await
}

/// Marks the checks done, with which were done (on the day or after).
pub async fn mark_done(
    state: &AppState,
    ctx: &PatientCtx,
    appointment: Uuid,
    ticked: &[String],
) -> Result<(), AppError> {
    let c = booked_one(state, ctx, appointment).await?;
    let (p, staff) = (ctx.patient(), ctx.actor().account_id);
    let now = state.clock.now();
    let done: Vec<Check> = ticked.iter().filter_map(|c| Check::parse(c)).collect();
    if done.is_empty() || done.len() != ticked.len() {
        return Err(AppError::field("done", "Choose the checks that were done"));
    }
    let done = Check::parse_all(&Check::join(&done));
    if !checks_view(p, &c, now).due {
        return Err(AppError::field(
            "done",
            format!(
                "These checks are booked for {}: mark them done on the day.",
                when_words(p, c.starts_at)
            ),
        ));
    }
    change_booked(
        state,
        ctx,
        c.id,
        checks_appointment::ActiveModel {
            status: Set(ChecksStatus::Done.code().into()),
            done_checks: Set(Some(Check::join(&done))),
            done_at: Set(Some(now)),
            done_by: Set(Some(staff)),
            updated_at: Set(now),
            ..Default::default()
        },
        "checks_done",
    )
    .await
}

/// Cancels the booked checks (so others can be booked).
pub async fn cancel(state: &AppState, ctx: &PatientCtx, appointment: Uuid) -> Result<(), AppError> {
    let c = booked_one(state, ctx, appointment).await?;
    change_booked(
        state,
        ctx,
        c.id,
        checks_appointment::ActiveModel {
            status: Set(ChecksStatus::Cancelled.code().into()),
            updated_at: Set(state.clock.now()),
            ..Default::default()
        },
        "checks_cancelled",
    )
    .await
}

/// The practice's settings, for work opened to manage the practice.
pub async fn practice(state: &AppState, ctx: &StaffCtx) -> Result<PracticeView, AppError> {
    if ctx.permission() != Permission::ManagePractice {
        return Err(AppError::NotFound);
    }
    let org = organisation::Entity::find_by_id(ctx.organisation())
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(PracticeView {
        organisation_id: org.id,
        name: org.name,
        pack_release_days: org.pack_release_days,
    })
}

/// Saves "send the pack N days before the conversation"; the server's sweep reads it.
pub async fn save_practice(state: &AppState, ctx: &StaffCtx, days: &str) -> Result<(), AppError> {
    if ctx.permission() != Permission::ManagePractice {
        return Err(AppError::NotFound);
    }
    let days = super::parse_pack_days(days)?;
    let staff = ctx.actor().account_id;
    let txn = crate::state::begin_write(&state.db).await?;
    organisation::Entity::update_many()
        .col_expr(organisation::Column::PackReleaseDays, Expr::value(days))
        .filter(organisation::Column::Id.eq(ctx.organisation()))
        .exec(&txn)
        .await?;
    let origin = crate::auth::request_info::current();
    audit::record(
        &txn,
        state.clock.as_ref(),
        audit::Entry {
            actor: Some(staff),
            subject: None,
            action: "practice_settings_changed",
            success: true,
            origin: &origin,
            detail: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(&format!("{day}T10:00:00Z"))
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or_default()
    }

    fn base() -> Facts {
        let now = at("2026-12-04");
        Facts {
            now,
            today: now.date_naive(),
            ..Facts::default()
        }
    }

    #[test]
    fn each_step_of_the_cycle_moves_the_stage_on() {
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let mut f = base();
        assert_eq!(stage(&f), Stage::ReviewDue, "never reviewed");
        f.agreed = true;
        f.due_by = Some(day("2027-12-01"));
        assert_eq!(stage(&f), Stage::PlanAgreed, "due next year");
        f.due_by = Some(day("2027-01-15"));
        assert_eq!(stage(&f), Stage::ReviewDue, "due within 8 weeks");
        assert!(!overdue(&f));
        f.booked = Some(at("2027-01-10"));
        assert_eq!(stage(&f), Stage::ReviewBooked);
        f.checks = Some((ChecksStatus::Booked, at("2026-12-20")));
        assert_eq!(stage(&f), Stage::ChecksBooked);
        f.checks = Some((ChecksStatus::Done, at("2026-12-20")));
        assert_eq!(stage(&f), Stage::ChecksDone);
        f.results_since_checks = true;
        assert_eq!(stage(&f), Stage::ResultsIn);
        f.pack_sent = true;
        assert_eq!(stage(&f), Stage::PackSent);
        f.answers_in = true;
        assert_eq!(stage(&f), Stage::AnswersIn);
    }

    #[test]
    fn overdue_is_a_passed_due_date_with_nothing_booked_or_a_passed_booking() {
        let mut f = base();
        f.due_by = Some(f.today - Duration::days(1));
        assert!(overdue(&f));
        f.booked = Some(f.now + Duration::days(3));
        assert!(!overdue(&f), "a conversation is booked");
        f.booked = Some(f.now - Duration::hours(1));
        assert!(overdue(&f), "booked, passed, not recorded as held");
    }
}
