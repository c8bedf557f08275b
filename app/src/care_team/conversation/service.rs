//! On the server: the database side.
use chrono::{Duration, NaiveDate};
use sea_orm::{ActiveModelTrait as _, EntityTrait as _, Set};
use uuid::Uuid;

use super::{AgreeForm, ConversationView, NOTE_LIMIT, NoteForm, NoteView, StoryView};
use crate::access::{self, PatientCtx, Permission};
use crate::entities::{account, organisation, plan as plan_row, working_note};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::plan::service::Agreeing;
use crate::state::AppState;

/// Writes to the person's access log that the professional in `ctx` did `what`.
pub async fn touched(
    state: &AppState,
    ctx: &PatientCtx,
    what: &'static str,
) -> Result<(), AppError> {
    let staff = ctx.actor().account_id;
    crate::auth::audit::staff_touch(&state.db, state.clock.as_ref(), staff, ctx.patient(), what)
        .await
}

async fn name_of(state: &AppState, id: Uuid) -> Result<String, AppError> {
    Ok(account::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .map(|a| a.display_name)
        .unwrap_or_default())
}

/// The conversation view, for a record opened to read (`ReadRecord`).
pub async fn view(state: &AppState, ctx: &PatientCtx) -> Result<ConversationView, AppError> {
    ctx.opened_for(Permission::ReadRecord)?;
    let plan_ctx = ctx
        .reopen(&state.db, Permission::ReadPlan)
        .await?
        .professional()?;
    // The story starts when the plan was last agreed, which the plan's own row says: read
    // with the plan, which shares its goals, actions and recent logs with the story.
    let mut period = String::new();
    let (plan, actions) = crate::plan::service::plan_and_story(state, &plan_ctx, |row| {
        let (since, words) = story_period(&plan_ctx, row);
        period = words;
        Some(since)
    })
    .await?;
    let story = StoryView { period, actions };
    // Writes "record viewed" to the person's log; the conditions come with the plan.
    let conditions = plan.conditions.iter().map(|(code, _)| code.clone());
    let person =
        crate::care_team::service::person_with(state, ctx, Some(conditions.collect())).await?;
    let org = access::acting_organisation(
        &state.db,
        ctx.actor(),
        Permission::WorkingNotes,
        ctx.patient(),
    )
    .await?;
    let (organisation, notes) = organisation_and_notes(state, org, ctx.patient().id).await?;
    let tz = crate::clock::zone(&ctx.patient().time_zone);
    let notes = notes
        .into_iter()
        .map(|n| NoteView {
            by: n.author_name,
            at: n
                .at
                .with_timezone(&tz)
                .format("%-d %B %Y at %H:%M")
                .to_string(),
            body: n.body,
        })
        .collect();
    Ok(ConversationView {
        person,
        plan,
        story,
        organisation,
        notes,
        can_change: ctx.may(&state.db, Permission::ChangePlan).await?,
        can_agree: ctx.may(&state.db, Permission::AgreePlan).await?,
    })
}

/// The organisation's name and its working notes on the person, newest first: one statement,
/// the organisation's row leading so its name comes even before anyone has written a note.
async fn organisation_and_notes(
    state: &AppState,
    org: Uuid,
    patient_id: Uuid,
) -> Result<(String, Vec<working_note::Model>), AppError> {
    use sea_orm::ConnectionTrait as _;
    use sea_orm::sea_query::{Alias, Expr, ExprTrait as _, JoinType, Order, Query};
    let (o, n) = (Alias::new("o"), Alias::new("n"));
    let mut q = Query::select();
    crate::db::every_column::<working_note::Entity>(&mut q, "n");
    q.expr_as(
        Expr::col((o.clone(), organisation::Column::Name)),
        Alias::new("organisation"),
    )
    .from_as(organisation::Entity, o.clone())
    .join_as(
        JoinType::LeftJoin,
        working_note::Entity,
        n.clone(),
        Expr::col((n.clone(), working_note::Column::OrganisationId))
            .equals((o.clone(), organisation::Column::Id))
            .and(Expr::col((n.clone(), working_note::Column::PatientId)).eq(patient_id)),
    )
    .and_where(Expr::col((o, organisation::Column::Id)).eq(org))
    .order_by((n, working_note::Column::At), Order::Desc);
    let (name, notes) =
        crate::db::led_rows::<String, _>(&state.db.query_all(&q).await?, "organisation", "n")?;
    Ok((name.unwrap_or_default(), notes))
}

/// Where the person's story starts, and how the page says it: since their plan was last
/// agreed (`row` is the plan's own row) or, before it ever was, the last 12 weeks.
fn story_period(ctx: &PatientCtx, row: Option<&plan_row::Model>) -> (NaiveDate, String) {
    let p = ctx.patient();
    let agreed = row.and_then(|r| r.agreed_at).map(|at| {
        at.with_timezone(&crate::clock::zone(&p.time_zone))
            .date_naive()
    });
    let horizon = crate::plan::service::story_horizon(ctx.today());
    match agreed {
        Some(day) if day >= horizon => (
            day,
            format!("since the plan was agreed on {}", long_date(day)),
        ),
        Some(_) => (horizon, format!("since {}", long_date(horizon))),
        None => (
            ctx.today() - Duration::weeks(12),
            "in the last 12 weeks".to_owned(),
        ),
    }
}

/// The agreement as entered, checked field by field; every problem is reported at once.
pub fn read_agreement(form: &AgreeForm, today: NaiveDate) -> Result<Agreeing, AppError> {
    let mut errors = std::collections::BTreeMap::new();
    let mut fail = |field: &str, message: &str| {
        errors.insert(field.to_owned(), vec![message.to_owned()]);
    };
    let with = form.agreed_with.trim();
    let representative = form.representative.trim();
    match with {
        "person" => {}
        "representative" if representative.is_empty() => fail(
            "representative",
            "Enter the representative's name and how they are related to the person",
        ),
        "representative" if representative.chars().count() > 200 => fail(
            "representative",
            "The representative's name must be 200 characters or fewer",
        ),
        "representative" => {}
        _ => fail("agreed_with", "Choose who agreed the plan"),
    }
    let next = match NaiveDate::parse_from_str(form.next_review.trim(), "%Y-%m-%d") {
        Ok(d) if d <= today => {
            fail("next_review", "The next review must be after today");
            None
        }
        Ok(d) if d > today + Duration::days(731) => {
            fail("next_review", "The next review must be within 2 years");
            None
        }
        Ok(d) => Some(d),
        Err(_) if form.next_review.trim().is_empty() => {
            fail("next_review", "Enter the date of the next review");
            None
        }
        Err(_) => {
            fail("next_review", "Enter the next review as a real date");
            None
        }
    };
    match next {
        Some(next_review) if errors.is_empty() => Ok(Agreeing {
            with: with.to_owned(),
            representative: (with == "representative").then(|| representative.to_owned()),
            next_review,
            written_by: String::new(),
        }),
        _ => Err(AppError::Validation(errors)),
    }
}

/// Marks the plan agreed, for a record opened to agree it (`AgreePlan`).
pub async fn agree(state: &AppState, ctx: &PatientCtx, form: &AgreeForm) -> Result<(), AppError> {
    ctx.opened_for(Permission::AgreePlan)?;
    let staff = ctx.actor().account_id;
    let mut agreeing = read_agreement(form, ctx.today())?;
    let org =
        access::acting_organisation(&state.db, ctx.actor(), Permission::AgreePlan, ctx.patient())
            .await?;
    let org_name = organisation::Entity::find_by_id(org)
        .one(&state.db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    agreeing.written_by = format!("{}, {org_name}", name_of(state, staff).await?);
    crate::plan::service::agree(state, ctx, agreeing).await?;
    touched(state, ctx, "plan_agreed").await
}

/// Writes a working note, for a record opened for notes (`WorkingNotes`).
pub async fn add_note(state: &AppState, ctx: &PatientCtx, form: &NoteForm) -> Result<(), AppError> {
    ctx.opened_for(Permission::WorkingNotes)?;
    let (staff, p) = (ctx.actor().account_id, ctx.patient());
    let body = form.body.trim();
    if body.is_empty() {
        return Err(AppError::field("body", "Write the note"));
    }
    if body.chars().count() > NOTE_LIMIT {
        return Err(AppError::field(
            "body",
            format!("The note must be {NOTE_LIMIT} characters or fewer"),
        ));
    }
    let org =
        access::acting_organisation(&state.db, ctx.actor(), Permission::WorkingNotes, p).await?;
    let txn = crate::state::begin_write(&state.db).await?;
    working_note::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(p.id),
        organisation_id: Set(org),
        author_id: Set(staff),
        author_name: Set(name_of(state, staff).await?),
        at: Set(state.clock.now()),
        body: Set(body.to_owned()),
    }
    .insert(&txn)
    .await?;
    crate::auth::audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "note_written").await?;
    txn.commit().await?;
    Ok(())
}

/// Stops one of the person's actions ("Not doing"), for a record opened to change the plan.
/// Saved through the plan like any change, so it is in the plan's history.
pub async fn stop_action(state: &AppState, ctx: &PatientCtx, action: Uuid) -> Result<(), AppError> {
    ctx.opened_for(Permission::ChangePlan)?;
    // Read through the plan, so an action of someone else's plan is simply not found.
    let current = crate::plan::service::action(state, ctx, action).await?;
    let mut form = current.form;
    form.status = "not_doing".to_owned();
    crate::plan::service::save_action(state, ctx, Some(action), &form).await?;
    Ok(())
}
