//! The plan's sections: about me, goals, actions, the contingency plan and its contacts, support and signposting.
use super::*;

// ---------- About me ----------

pub(super) fn about_me_of(row: Option<about_me::Model>) -> AboutMe {
    row.map(|r| AboutMe {
        what_matters: r.what_matters,
        important_people: r.important_people,
        communication: r.communication,
        please_do: r.please_do,
        please_dont: r.please_dont,
        support_how_when: r.support_how_when,
        also_worth_knowing: r.also_worth_knowing,
        supported_by: r.supported_by,
    })
    .unwrap_or_default()
}

pub async fn save_about_me(state: &AppState, ctx: &Ctx, raw: &AboutMe) -> Result<(), AppError> {
    let new = AboutMe::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let row = about_me::Entity::find_by_id(ctx.patient().id)
        .one(&txn)
        .await?;
    let old = about_me_of(row.clone());
    let changes = diff(Some(&old), &new);
    if changes.is_empty() {
        return Ok(());
    }
    let existed = row.is_some();
    let mut model = match row {
        Some(r) => r.into_active_model(),
        None => about_me::ActiveModel {
            patient_id: Set(ctx.patient().id),
            ..Default::default()
        },
    };
    model.what_matters = Set(new.what_matters.clone());
    model.important_people = Set(new.important_people.clone());
    model.communication = Set(new.communication.clone());
    model.please_do = Set(new.please_do.clone());
    model.please_dont = Set(new.please_dont.clone());
    model.support_how_when = Set(new.support_how_when.clone());
    model.also_worth_knowing = Set(new.also_worth_knowing.clone());
    model.supported_by = Set(new.supported_by.clone());
    if existed {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    record_change(
        &txn,
        state,
        ctx,
        "about_me",
        None,
        "Changed \"About me\"".into(),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------- Goals ----------

pub(super) async fn conditions_of(
    state: &AppState,
    patient_id: Uuid,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(patient_condition::Entity::find()
        .filter(patient_condition::Column::PatientId.eq(patient_id))
        .order_by_asc(patient_condition::Column::Condition)
        .all(&state.db)
        .await?
        .into_iter()
        .map(|c| {
            let name = condition_name(&c.condition);
            (c.condition, name)
        })
        .collect())
}

pub(super) fn goal_form_of(row: &goal::Model) -> GoalForm {
    GoalForm {
        title: row.title.clone(),
        why: row.why.clone(),
        importance: row.importance.to_string(),
        success: row.success.clone(),
        target_date: row.target_date.map(|d| d.to_string()).unwrap_or_default(),
        status: row.status.clone(),
        rest: row
            .conditions
            .split_whitespace()
            .map(|c| (format!("conditions_{c}"), "on".to_owned()))
            .collect(),
    }
}

pub(super) async fn own_goal(
    db: &impl ConnectionTrait,
    ctx: &Ctx,
    id: Uuid,
) -> Result<goal::Model, AppError> {
    goal::Entity::find_by_id(id)
        .filter(goal::Column::PatientId.eq(ctx.patient().id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds a goal (when `id` is `None`) or changes one. Returns its id.
pub async fn save_goal(
    state: &AppState,
    ctx: &Ctx,
    id: Option<Uuid>,
    raw: &GoalForm,
) -> Result<Uuid, AppError> {
    let allowed = conditions_of(state, ctx.patient().id).await?;
    let new = Goal::parse(raw, &allowed)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let (id, existed, old, mut model) = match id {
        Some(id) => {
            let row = own_goal(&txn, ctx, id).await?;
            // The values as they were, read back through the same rules (for the history).
            let old = Goal::parse(&goal_form_of(&row), &allowed).ok();
            (id, true, old, row.into_active_model())
        }
        None => {
            let id = Uuid::new_v4();
            let model = goal::ActiveModel {
                id: Set(id),
                patient_id: Set(ctx.patient().id),
                created_at: Set(state.clock.now()),
                ..Default::default()
            };
            (id, false, None, model)
        }
    };
    let changes = diff(old.as_ref().map(|g| g as &dyn Versioned), &new);
    if changes.is_empty() {
        return Ok(id);
    }
    model.title = Set(new.title.to_string());
    model.why = Set(new.why.clone());
    model.importance = Set(new.importance.get());
    model.success = Set(new.success.clone());
    model.target_date = Set(new.target_date);
    model.status = Set(new.status.clone());
    model.conditions = Set(new.conditions.join(" "));
    if existed {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    let summary = if existed {
        format!("Changed the goal \"{}\"", new.title)
    } else {
        format!("Added the goal \"{}\"", new.title)
    };
    record_change(&txn, state, ctx, "goals", Some(id), summary, &changes).await?;
    // Action reminders start with the first action, and stop when none is in progress.
    crate::events::record(
        &txn,
        state.clock.now(),
        crate::events::Event::PersonChanged {
            patient: ctx.patient().id,
        },
    )
    .await?;
    txn.commit().await?;
    state.react().await;
    Ok(id)
}

// ---------- Actions ----------

pub(super) fn frequency_of(row: &plan_action::Model) -> Frequency {
    Frequency::from_parts(
        &row.frequency,
        row.times_per_week,
        &row.weekdays,
        row.due_by,
    )
    .unwrap_or(Frequency::Daily)
}

pub(super) fn action_form_of(row: &plan_action::Model) -> ActionForm {
    ActionForm {
        goal: row.goal_id.to_string(),
        what: row.what.clone(),
        who_kind: row.who_kind.clone(),
        who_name: row.who_name.clone(),
        frequency: row.frequency.clone(),
        times_per_week: row
            .times_per_week
            .map(|n| n.to_string())
            .unwrap_or_default(),
        due_by: row.due_by.map(|d| d.to_string()).unwrap_or_default(),
        time_of_day: row.time_of_day.clone(),
        confidence: row.confidence.to_string(),
        status: row.status.clone(),
        rest: row
            .weekdays
            .split_whitespace()
            .map(|d| (format!("weekdays_{d}"), "on".to_owned()))
            .collect(),
    }
}

pub(super) async fn own_action(
    db: &impl ConnectionTrait,
    ctx: &Ctx,
    id: Uuid,
) -> Result<plan_action::Model, AppError> {
    plan_action::Entity::find_by_id(id)
        .filter(plan_action::Column::PatientId.eq(ctx.patient().id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)
}

/// Adds an action to a goal (when `id` is `None`) or changes one. Changing confidence or how
/// often keeps the earlier values in the history. Returns its id.
pub async fn save_action(
    state: &AppState,
    ctx: &Ctx,
    id: Option<Uuid>,
    raw: &ActionForm,
) -> Result<Uuid, AppError> {
    let new = Action::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let (id, existed, old, mut model) = match id {
        Some(id) => {
            let row = own_action(&txn, ctx, id).await?;
            let old = Action::parse(&action_form_of(&row)).ok();
            (id, true, old, row.into_active_model())
        }
        None => {
            let goal_id = Uuid::parse_str(raw.goal.trim()).map_err(|_| AppError::NotFound)?;
            own_goal(&txn, ctx, goal_id).await?;
            let id = Uuid::new_v4();
            let model = plan_action::ActiveModel {
                id: Set(id),
                patient_id: Set(ctx.patient().id),
                goal_id: Set(goal_id),
                starts_on: Set(ctx.today()),
                created_at: Set(state.clock.now()),
                ..Default::default()
            };
            (id, false, None, model)
        }
    };
    let changes = diff(old.as_ref().map(|a| a as &dyn Versioned), &new);
    if changes.is_empty() {
        return Ok(id);
    }
    let (kind, times, weekdays, due_by) = new.frequency_parts();
    model.what = Set(new.what.clone());
    model.who_kind = Set(new.who_kind.clone());
    model.who_name = Set(new.who_name.clone());
    model.frequency = Set(kind.to_owned());
    model.times_per_week = Set(times);
    model.weekdays = Set(weekdays);
    model.due_by = Set(due_by);
    model.time_of_day = Set(new.time_of_day.clone());
    model.confidence = Set(new.confidence.get());
    model.status = Set(new.status.clone());
    let saved = if existed {
        model.update(&txn).await?
    } else {
        model.insert(&txn).await?
    };
    // How often it is meant to happen may have changed: its streak is counted again.
    super::logs::refresh_streak(&txn, &saved, ctx.today(), true).await?;
    let summary = if existed {
        format!("Changed the action \"{}\"", new.what)
    } else {
        format!("Added the action \"{}\"", new.what)
    };
    record_change(&txn, state, ctx, "goals", Some(id), summary, &changes).await?;
    txn.commit().await?;
    Ok(id)
}

// ---------- Contingency ----------

pub(super) fn contingency_of(row: Option<contingency::Model>) -> Contingency {
    row.map(|r| Contingency {
        warning_signs: r.warning_signs,
        what_to_do: r.what_to_do,
        coping: r.coping,
        anticipatory: r.anticipatory,
    })
    .unwrap_or_default()
}

pub async fn save_contingency(
    state: &AppState,
    ctx: &Ctx,
    raw: &Contingency,
) -> Result<(), AppError> {
    let new = Contingency::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let row = contingency::Entity::find_by_id(ctx.patient().id)
        .one(&txn)
        .await?;
    let changes = diff(Some(&contingency_of(row.clone())), &new);
    if changes.is_empty() {
        return Ok(());
    }
    let existed = row.is_some();
    let mut model = match row {
        Some(r) => r.into_active_model(),
        None => contingency::ActiveModel {
            patient_id: Set(ctx.patient().id),
            ..Default::default()
        },
    };
    model.warning_signs = Set(new.warning_signs.clone());
    model.what_to_do = Set(new.what_to_do.clone());
    model.coping = Set(new.coping.clone());
    model.anticipatory = Set(new.anticipatory.clone());
    if existed {
        model.update(&txn).await?;
    } else {
        model.insert(&txn).await?;
    }
    record_change(
        &txn,
        state,
        ctx,
        "contingency",
        None,
        "Changed the contingency plan".into(),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn add_contact(state: &AppState, ctx: &Ctx, raw: &Contact) -> Result<(), AppError> {
    let new = Contact::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let id = Uuid::new_v4();
    contingency_contact::ActiveModel {
        id: Set(id),
        patient_id: Set(ctx.patient().id),
        name: Set(new.name.clone()),
        role: Set(new.role.clone()),
        phone: Set(new.phone.clone()),
        created_at: Set(state.clock.now()),
    }
    .insert(&txn)
    .await?;
    let changes = diff(None, &new);
    record_change(
        &txn,
        state,
        ctx,
        "contingency",
        Some(id),
        format!("Added {} as a contact", new.name),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn remove_contact(state: &AppState, ctx: &Ctx, id: Uuid) -> Result<(), AppError> {
    let txn = crate::state::begin_write(&state.db).await?;
    let row = contingency_contact::Entity::find_by_id(id)
        .filter(contingency_contact::Column::PatientId.eq(ctx.patient().id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    let old = Contact {
        name: row.name.clone(),
        role: row.role.clone(),
        phone: row.phone.clone(),
    };
    contingency_contact::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    let changes: Vec<FieldChange> = old
        .fields()
        .into_iter()
        .map(|(f, v)| FieldChange {
            field: f.to_owned(),
            before: v,
            after: String::new(),
        })
        .collect();
    record_change(
        &txn,
        state,
        ctx,
        "contingency",
        Some(id),
        format!("Removed {} as a contact", row.name),
        &changes,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

// ---------- Support and signposting ----------

/// Adds a support or signposting item (suggested, until the person says how it is going).
/// Returns its id.
pub async fn add_support(state: &AppState, ctx: &Ctx, raw: &SupportForm) -> Result<Uuid, AppError> {
    let new = Support::parse(raw)?;
    let txn = crate::state::begin_write(&state.db).await?;
    if let Some(goal_id) = new.goal {
        own_goal(&txn, ctx, goal_id)
            .await
            .map_err(|_| AppError::field("goal", "Choose a goal from the list"))?;
    }
    let id = Uuid::new_v4();
    support_item::ActiveModel {
        id: Set(id),
        patient_id: Set(ctx.patient().id),
        goal_id: Set(new.goal),
        name: Set(new.name.clone()),
        why: Set(new.why.clone()),
        contact: Set(new.contact.clone()),
        status: Set("suggested".into()),
        created_at: Set(state.clock.now()),
    }
    .insert(&txn)
    .await?;
    record_change(
        &txn,
        state,
        ctx,
        "support",
        Some(id),
        format!("Added \"{}\"", new.name),
        &diff(None, &new),
    )
    .await?;
    txn.commit().await?;
    Ok(id)
}

pub async fn set_support_status(
    state: &AppState,
    ctx: &Ctx,
    id: Uuid,
    status: &str,
) -> Result<(), AppError> {
    if !SUPPORT_STATUSES.iter().any(|(c, _)| *c == status) {
        return Err(AppError::field("status", "Choose how it is going"));
    }
    let txn = crate::state::begin_write(&state.db).await?;
    let row = support_item::Entity::find_by_id(id)
        .filter(support_item::Column::PatientId.eq(ctx.patient().id))
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if row.status == status {
        return Ok(());
    }
    let change = FieldChange {
        field: "How it is going".into(),
        before: label_of(&SUPPORT_STATUSES, &row.status).to_owned(),
        after: label_of(&SUPPORT_STATUSES, status).to_owned(),
    };
    let name = row.name.clone();
    let mut model = row.into_active_model();
    model.status = Set(status.to_owned());
    model.update(&txn).await?;
    record_change(
        &txn,
        state,
        ctx,
        "support",
        Some(id),
        format!("Said how \"{name}\" is going"),
        &[change],
    )
    .await?;
    txn.commit().await?;
    Ok(())
}
