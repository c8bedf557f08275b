//! What the plan, Today and an action's page show.
use super::*;

/// Per action: day, outcome, note, and who logged it when it was not the person ("Sian Evans
/// (carer)").
/// Each action's recent days: day, outcome, note, and who logged it (named when it was not
/// the person) with whether the viewer may take it back.
pub(super) type Logs = HashMap<Uuid, Vec<LoggedDay>>;
pub(super) type LoggedDay = (NaiveDate, Outcome, Option<String>, (Option<String>, bool));
/// A log as read: action, day, outcome code, note, who logged it.
pub(super) type LogRow = (Uuid, NaiveDate, String, Option<String>, Option<Uuid>);
/// The columns of a [`LogRow`].
pub(super) const LOG_COLUMNS: [action_log::Column; 5] = [
    action_log::Column::ActionId,
    action_log::Column::Day,
    action_log::Column::Outcome,
    action_log::Column::Note,
    action_log::Column::LoggedBy,
];

/// The logs of the person's actions over the last few weeks ([`schedule::window_start`]), by
/// action: one query, whose size does not grow with history (each action's read model carries
/// its streak from before).
pub(super) async fn recent_logs(state: &AppState, ctx: &Ctx) -> Result<Logs, AppError> {
    let since = schedule::window_start(ctx.today(), PICTURE_WEEKS);
    let rows = named_logs(
        state,
        ctx,
        action_log::Entity::find()
            .filter(action_log::Column::PatientId.eq(ctx.patient().id))
            .filter(action_log::Column::Day.gte(since))
            .order_by_asc(action_log::Column::Day),
    )
    .await?;
    let mut logs: Logs = HashMap::new();
    for ((action_id, day, outcome, note, by), name) in rows {
        if let Some(outcome) = Outcome::parse(&outcome) {
            let may_undo =
                ctx.capacity() == Capacity::Patient || by == Some(ctx.actor().account_id);
            logs.entry(action_id)
                .or_default()
                .push((day, outcome, note, (name, may_undo)));
        }
    }
    Ok(logs)
}

/// A log as read, with who logged it named when it was not the person ("Sian Evans (carer)").
pub(super) type NamedLog = (LogRow, Option<String>);

/// The logs `select` picks (filtered and ordered by the caller), each with the name of the
/// carer or member of staff who logged it for the person: one statement (the account is
/// joined, and whether it holds or held a grant for the person decides "carer" or "care team").
pub(super) async fn named_logs(
    state: &AppState,
    ctx: &Ctx,
    select: sea_orm::Select<action_log::Entity>,
) -> Result<Vec<NamedLog>, AppError> {
    use crate::entities::carer_grant;
    use sea_orm::sea_query::{Expr, ExprTrait as _, Query};
    let holds_grant = Query::select()
        .expr(Expr::val(1))
        .from(carer_grant::Entity)
        .and_where(carer_grant::Column::PatientId.eq(ctx.patient().id))
        .and_where(
            Expr::col((carer_grant::Entity, carer_grant::Column::CarerAccountId))
                .equals((account::Entity, account::Column::Id)),
        )
        .to_owned();
    type Row = (
        Uuid,
        NaiveDate,
        String,
        Option<String>,
        Option<Uuid>,
        Option<String>,
        bool,
    );
    let rows: Vec<Row> = select
        .select_only()
        .columns(LOG_COLUMNS)
        .join(
            sea_orm::JoinType::LeftJoin,
            action_log::Entity::belongs_to(account::Entity)
                .from(action_log::Column::LoggedBy)
                .to(account::Column::Id)
                .into(),
        )
        .column_as(account::Column::DisplayName, "logger_name")
        .expr_as(Expr::exists(holds_grant), "logger_is_carer")
        .into_tuple()
        .all(&state.db)
        .await?;
    let person = ctx.patient().account_id;
    Ok(rows
        .into_iter()
        .map(|(action, day, outcome, note, by, name, carer)| {
            let name = name.filter(|_| by.is_some() && by != person).map(|name| {
                let role = if carer { "carer" } else { "care team" };
                format!("{name} ({role})")
            });
            ((action, day, outcome, note, by), name)
        })
        .collect())
}

/// How many of each person's actions are due on their `today` and not yet logged: what an
/// action reminder is about (it says nothing when this is none). Two queries however many
/// people there are, for the reminder worker's batches.
pub async fn actions_left(
    db: &impl ConnectionTrait,
    people: &[(Uuid, NaiveDate)],
) -> Result<HashMap<Uuid, usize>, AppError> {
    let ids: Vec<Uuid> = people.iter().map(|(p, _)| *p).collect();
    let mut out: HashMap<Uuid, usize> = ids.iter().map(|p| (*p, 0)).collect();
    let actions = plan_action::Entity::find()
        .filter(plan_action::Column::PatientId.is_in(ids.iter().copied()))
        .filter(plan_action::Column::Status.eq("in_progress"))
        .all(db)
        .await?;
    if actions.is_empty() {
        return Ok(out);
    }
    let earliest = people.iter().map(|(_, d)| *d).min().unwrap_or_default();
    let since = schedule::window_start(earliest, PICTURE_WEEKS);
    let rows: Vec<(Uuid, NaiveDate, String)> = action_log::Entity::find()
        .select_only()
        .columns([
            action_log::Column::ActionId,
            action_log::Column::Day,
            action_log::Column::Outcome,
        ])
        .filter(action_log::Column::PatientId.is_in(ids.iter().copied()))
        .filter(action_log::Column::Day.gte(since))
        .into_tuple()
        .all(db)
        .await?;
    let mut logs: HashMap<Uuid, Vec<(NaiveDate, Outcome)>> = HashMap::new();
    for (action, day, outcome) in rows {
        if let Some(o) = Outcome::parse(&outcome) {
            logs.entry(action).or_default().push((day, o));
        }
    }
    let today: HashMap<Uuid, NaiveDate> = people.iter().copied().collect();
    let empty = Vec::new();
    for a in &actions {
        let Some(day) = today.get(&a.patient_id).copied() else {
            continue;
        };
        let mine = logs.get(&a.id).unwrap_or(&empty);
        if schedule::is_due_with(&frequency_of(a), a.starts_on, day, mine, carry_of(a))
            && !mine.iter().any(|(d, _)| *d == day)
        {
            *out.entry(a.patient_id).or_default() += 1;
        }
    }
    Ok(out)
}

/// An action's streak read model, once worked out.
pub(super) fn carry_of(row: &plan_action::Model) -> Option<schedule::Carry> {
    row.streak_through.map(|through| schedule::Carry {
        through,
        count: u32::try_from(row.streak_count).unwrap_or(0),
    })
}

pub(super) fn day_label(day: NaiveDate, today: NaiveDate) -> String {
    if day == today {
        "Today".into()
    } else if Some(day) == today.pred_opt() {
        "Yesterday".into()
    } else {
        schedule::day_name(day)
    }
}

pub(super) fn action_view(
    row: &plan_action::Model,
    goal_title: &str,
    logs: &[LoggedDay],
    today: NaiveDate,
    may_log: bool,
) -> ActionView {
    let freq = frequency_of(row);
    let pairs: Vec<(NaiveDate, Outcome)> = logs.iter().map(|(d, o, _, _)| (*d, *o)).collect();
    // Days that can still be recorded: today and the week before, from the day it started.
    let recent = (0..=BACKDATE_DAYS)
        .map(|back| today - Days::new(back))
        .filter(|day| *day >= row.starts_on || *day == today)
        .map(|day| {
            let log = logs.iter().find(|(d, _, _, _)| *d == day);
            DayLog {
                day: day.to_string(),
                label: day_label(day, today),
                outcome: log.map(|(_, o, _, _)| *o),
                note: log.and_then(|(_, _, n, _)| n.clone()),
                by: log.and_then(|(_, _, _, b)| b.0.clone()),
                may_undo: log.is_some_and(|(_, _, _, b)| b.1),
            }
        })
        .collect();
    let in_progress = row.status == "in_progress";
    ActionView {
        may_log: may_log && in_progress,
        viewing: None,
        id: row.id,
        goal_id: row.goal_id,
        goal_title: goal_title.to_owned(),
        what: row.what.clone(),
        who: input::who_text(&row.who_kind, &row.who_name),
        how_often: freq.describe(),
        time_of_day: if row.time_of_day == "any" {
            String::new()
        } else {
            label_of(&TIMES_OF_DAY, &row.time_of_day).to_owned()
        },
        confidence: row.confidence,
        status: row.status.clone(),
        status_label: label_of(&ACTION_STATUSES, &row.status).to_owned(),
        form: action_form_of(row),
        weeks: schedule::weekly_picture(&freq, row.starts_on, today, &pairs, PICTURE_WEEKS),
        streak: schedule::streak_with(&freq, row.starts_on, today, &pairs, carry_of(row))
            .map(|s| s.describe()),
        recent,
        due_today: in_progress
            && schedule::is_due_with(&freq, row.starts_on, today, &pairs, carry_of(row)),
        loggable: in_progress && row.who_kind != "professional",
    }
}

/// The latest change of each section of the plan: when, by whom, in what capacity.
pub(super) type LatestChanges = HashMap<String, (chrono::DateTime<chrono::Utc>, String, String)>;

/// The person's about me, contingency plan, the plan's own row (review, agreement) and the
/// latest change to each section of the plan (when, by whom, in what capacity), in one
/// statement: the database picks each section's newest change (a window over the person's
/// history, which is not read itself), one row per section.
pub(super) async fn plan_rows(
    state: &AppState,
    patient_id: Uuid,
) -> Result<
    (
        Option<about_me::Model>,
        Option<contingency::Model>,
        Option<plan::Model>,
        LatestChanges,
    ),
    AppError,
> {
    use sea_orm::sea_query::{
        Alias, Expr, ExprTrait as _, JoinType, Order, Query, WindowStatement,
    };
    use sea_orm::{EntityName as _, FromQueryResult as _, IdenStatic as _};
    let p = Alias::new("p");
    let lc = Alias::new("lc");
    let changes = [
        plan_change::Column::PatientId,
        plan_change::Column::Section,
        plan_change::Column::At,
        plan_change::Column::ActorName,
        plan_change::Column::ActorKind,
    ];
    let latest = Query::select()
        .columns(changes)
        .expr_window_as(
            Expr::cust("ROW_NUMBER()"),
            WindowStatement::partition_by(plan_change::Column::Section)
                .order_by(plan_change::Column::At, Order::Desc)
                .to_owned(),
            Alias::new("newest"),
        )
        .from(plan_change::Entity)
        .and_where(plan_change::Column::PatientId.eq(patient_id))
        .to_owned();
    let mut q = Query::select();
    crate::db::every_column::<about_me::Entity>(&mut q, "am");
    crate::db::every_column::<contingency::Entity>(&mut q, "ct");
    crate::db::every_column::<plan::Entity>(&mut q, "pl");
    for c in &changes[1..] {
        q.expr_as(
            Expr::col((lc.clone(), *c)),
            Alias::new(format!("lc_{}", c.as_str())),
        );
    }
    q.from_as(patient::Entity, p.clone());
    for (alias, table, column) in [
        (
            "am",
            about_me::Entity.table_name(),
            about_me::Column::PatientId.as_str(),
        ),
        (
            "ct",
            contingency::Entity.table_name(),
            contingency::Column::PatientId.as_str(),
        ),
        (
            "pl",
            plan::Entity.table_name(),
            plan::Column::PatientId.as_str(),
        ),
    ] {
        q.join_as(
            JoinType::LeftJoin,
            Alias::new(table),
            Alias::new(alias),
            Expr::col((Alias::new(alias), Alias::new(column)))
                .equals((p.clone(), patient::Column::Id)),
        );
    }
    q.join_subquery(
        JoinType::LeftJoin,
        latest,
        lc.clone(),
        Expr::col((lc.clone(), plan_change::Column::PatientId))
            .equals((p.clone(), patient::Column::Id))
            .and(Expr::col((lc, Alias::new("newest"))).eq(1)),
    );
    q.and_where(Expr::col((p, patient::Column::Id)).eq(patient_id));
    let rows = state.db.query_all(&q).await?;
    let Some(first) = rows.first() else {
        return Ok((None, None, None, HashMap::new()));
    };
    let mut latest = HashMap::new();
    for row in &rows {
        if let Some(section) = row.try_get::<Option<String>>("", "lc_section")? {
            latest.insert(
                section,
                (
                    row.try_get("", "lc_at")?,
                    row.try_get("", "lc_actor_name")?,
                    row.try_get("", "lc_actor_kind")?,
                ),
            );
        }
    }
    Ok((
        about_me::Model::from_query_result_optional(first, "am_")?,
        contingency::Model::from_query_result_optional(first, "ct_")?,
        plan::Model::from_query_result_optional(first, "pl_")?,
        latest,
    ))
}

/// The plan's short lists: the contingency plan's contacts, support and signposting, and the
/// person's conditions (code and name), each in its own order, in one statement.
pub(super) type PlanLists = (
    Vec<contingency_contact::Model>,
    Vec<support_item::Model>,
    Vec<(String, String)>,
);

/// [`PlanLists`] for the person: the three lists as one `UNION ALL` of rows of one shape, told
/// apart by their first column.
pub(super) async fn plan_lists(state: &AppState, patient_id: Uuid) -> Result<PlanLists, AppError> {
    let sql = "SELECT 'contact' AS kind, id, NULL AS goal_id, name, role AS a, phone AS b, \
               '' AS status, created_at FROM contingency_contacts WHERE patient_id = $1 \
               UNION ALL SELECT 'support', id, goal_id, name, why, contact, status, created_at \
               FROM support_items WHERE patient_id = $1 \
               UNION ALL SELECT 'condition', NULL, NULL, \"condition\", '', '', '', NULL \
               FROM patient_conditions WHERE patient_id = $1 \
               ORDER BY kind, created_at, name";
    let stmt = crate::db::statement(&state.db, sql, vec![patient_id.into()]);
    let (mut contacts, mut support, mut conditions) = (Vec::new(), Vec::new(), Vec::new());
    for row in state.db.query_all_raw(stmt).await? {
        let name: String = row.try_get("", "name")?;
        match row.try_get::<String>("", "kind")?.as_str() {
            "contact" => contacts.push(contingency_contact::Model {
                id: row.try_get("", "id")?,
                patient_id,
                name,
                role: row.try_get("", "a")?,
                phone: row.try_get("", "b")?,
                created_at: row.try_get("", "created_at")?,
            }),
            "support" => support.push(support_item::Model {
                id: row.try_get("", "id")?,
                patient_id,
                goal_id: row.try_get("", "goal_id")?,
                name,
                why: row.try_get("", "a")?,
                contact: row.try_get("", "b")?,
                status: row.try_get("", "status")?,
                created_at: row.try_get("", "created_at")?,
            }),
            _ => conditions.push((name.clone(), condition_name(&name))),
        }
    }
    Ok((contacts, support, conditions))
}

/// The person's goals and all their actions, in the plan's order (goals, then each goal's
/// actions, by when they were made), in one statement (a goal with none comes once, alone).
pub(super) async fn goals_and_actions(
    state: &AppState,
    patient_id: Uuid,
) -> Result<(Vec<goal::Model>, Vec<plan_action::Model>), AppError> {
    let rows = goal::Entity::find()
        .select_also(plan_action::Entity)
        .join_rev(
            sea_orm::JoinType::LeftJoin,
            plan_action::Entity::belongs_to(goal::Entity)
                .from(plan_action::Column::GoalId)
                .to(goal::Column::Id)
                .into(),
        )
        .filter(goal::Column::PatientId.eq(patient_id))
        .order_by_asc(goal::Column::CreatedAt)
        .order_by_asc(plan_action::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let mut goals: Vec<goal::Model> = Vec::new();
    let mut actions: Vec<plan_action::Model> = Vec::new();
    for (g, a) in rows {
        if goals.last().is_none_or(|last| last.id != g.id) {
            goals.push(g);
        }
        actions.extend(a);
    }
    Ok((goals, actions))
}

/// The person's goals, each with its actions and their last few weeks (`logs`); `may_log` says
/// whether the viewer may record days (from [`viewing`], asked once per page).
fn goal_views(
    ctx: &Ctx,
    goals: &[goal::Model],
    actions: &[plan_action::Model],
    logs: &Logs,
    may_log: bool,
) -> Vec<GoalView> {
    let empty = Vec::new();
    goals
        .iter()
        .map(|g| {
            let views: Vec<ActionView> = actions
                .iter()
                .filter(|a| a.goal_id == g.id)
                .map(|a| {
                    action_view(
                        a,
                        &g.title,
                        logs.get(&a.id).unwrap_or(&empty),
                        ctx.today(),
                        may_log,
                    )
                })
                .collect();
            let mut progress = Progress::default();
            for v in views.iter().filter(|v| v.status != "not_doing") {
                let last = v.weeks.len().saturating_sub(PROGRESS_WEEKS as usize);
                progress.add(&v.weeks[last..]);
            }
            GoalView {
                id: g.id,
                form: goal_form_of(g),
                title: g.title.clone(),
                why: g.why.clone(),
                importance: g.importance,
                success: g.success.clone(),
                target_date: g.target_date.map(schedule::long_date),
                status_label: label_of(&GOAL_STATUSES, &g.status).to_owned(),
                conditions: g
                    .conditions
                    .split_whitespace()
                    .map(condition_name)
                    .collect(),
                progress,
                actions: views,
            }
        })
        .collect()
}

/// Who is looking, and what the pages may offer them (one batched policy question).
pub async fn viewing(state: &AppState, ctx: &Ctx) -> Result<Viewing, AppError> {
    let may = access::permitted(
        &state.db,
        ctx.actor(),
        ctx.patient(),
        &[
            Verb::ChangePlan,
            Verb::LogActions,
            Verb::ReadResults,
            Verb::AnswerAgenda,
        ],
    )
    .await?;
    Ok(Viewing {
        own: ctx.capacity() == Capacity::Patient,
        given_name: ctx.patient().given_name.clone(),
        change_plan: may.contains(&Verb::ChangePlan),
        log_actions: may.contains(&Verb::LogActions),
        read_results: may.contains(&Verb::ReadResults),
        answer_agenda: may.contains(&Verb::AnswerAgenda),
    })
}

pub async fn plan(state: &AppState, ctx: &Ctx) -> Result<PlanView, AppError> {
    Ok(plan_and_story(state, ctx, |_| None).await?.0)
}

/// The plan, and with it the person's story from the day `since` picks (given the plan's own
/// row, which says when it was last agreed; `None` for no story). The story shares what the
/// plan has read (the plan's row, the goals and actions, the last few weeks of logs), so the
/// care team's conversation view reads them once.
pub async fn plan_and_story(
    state: &AppState,
    ctx: &Ctx,
    since: impl FnOnce(Option<&plan::Model>) -> Option<NaiveDate>,
) -> Result<(PlanView, Vec<crate::plan::ActionStory>), AppError> {
    let p = ctx.patient();
    let (about, cont, review, updates) = plan_rows(state, p.id).await?;
    let (contacts, support, conditions) = plan_lists(state, p.id).await?;
    let viewing = viewing(state, ctx).await?;
    let (goal_rows, actions) = goals_and_actions(state, p.id).await?;
    let logs = recent_logs(state, ctx).await?;
    let story = match since(review.as_ref()) {
        Some(day) => super::story::story_of(state, ctx, day, &goal_rows, &actions, &logs).await?,
        None => Vec::new(),
    };
    let goals = goal_views(ctx, &goal_rows, &actions, &logs, viewing.log_actions);
    let agreement = review.as_ref().and_then(|r| agreement_of(ctx, r, &updates));
    let last_update = |section: &str| {
        updates.get(section).map(|c| Updated {
            by: c.1.clone(),
            kind: c.2.clone(),
            on: schedule::long_date(c.0.date_naive()),
        })
    };
    let view = PlanView {
        viewing,
        person_name: format!("{} {}", p.given_name, p.family_name),
        nhs_number: crate::nhs_number::NhsNumber::parse(&p.nhs_number)
            .map(|n| n.to_string())
            .unwrap_or_else(|_| p.nhs_number.clone()),
        date_of_birth: schedule::long_date(p.date_of_birth),
        conditions,
        today: ctx.today().to_string(),
        about_me: about_me_of(about),
        about_me_updated: last_update("about_me"),
        goals_updated: last_update("goals"),
        contingency: contingency_of(cont),
        contacts: contacts
            .into_iter()
            .map(|c| {
                let tel = Contact {
                    name: String::new(),
                    role: String::new(),
                    phone: c.phone.clone(),
                }
                .tel();
                ContactView {
                    id: c.id,
                    name: c.name,
                    role: c.role,
                    phone: c.phone,
                    tel,
                }
            })
            .collect(),
        contingency_updated: last_update("contingency"),
        support: support
            .into_iter()
            .map(|s| SupportView {
                id: s.id,
                goal_title: s
                    .goal_id
                    .and_then(|g| goals.iter().find(|gv| gv.id == g))
                    .map(|g| g.title.clone()),
                name: s.name,
                why: s.why,
                contact: s.contact,
                status_label: label_of(&SUPPORT_STATUSES, &s.status).to_owned(),
                status: s.status,
            })
            .collect(),
        support_updated: last_update("support"),
        goals,
        review_date: review
            .as_ref()
            .and_then(|r| r.review_date)
            .map(schedule::long_date),
        review_on: review
            .as_ref()
            .and_then(|r| r.review_date)
            .map(|d| d.to_string()),
        review_with: review.and_then(|r| r.review_with),
        agreement,
    };
    Ok((view, story))
}

/// The plan's history, newest first.
pub async fn history(state: &AppState, ctx: &Ctx) -> Result<HistoryView, AppError> {
    let changes = plan_change::Entity::find()
        .filter(plan_change::Column::PatientId.eq(ctx.patient().id))
        .order_by_desc(plan_change::Column::At)
        .limit(500)
        .all(&state.db)
        .await?
        .into_iter()
        .map(change_view)
        .collect();
    Ok(HistoryView {
        viewing: viewing(state, ctx).await?,
        changes,
    })
}

/// The Today page: due actions, the next review, news from the care team. A fixed number of
/// queries, however long the person's history.
pub async fn today(state: &AppState, ctx: &Ctx) -> Result<TodayView, AppError> {
    let review = plan::Entity::find_by_id(ctx.patient().id)
        .one(&state.db)
        .await?;
    Ok(today_with(state, ctx, viewing(state, ctx).await?, review)
        .await?
        .value)
}

/// How long a change by the care team shows as news on Today.
const NEWS_FOR: chrono::Duration = chrono::Duration::days(14);

/// [`today`] with what the Today page has already read: who is looking, and the plan's row
/// (read with the review card, #21). Three statements: the actions with their goals, the last
/// few weeks of logs, the news. Says too when the oldest news stops being news: the page
/// changes then by time alone (for `crate::state::remembered`).
pub async fn today_with(
    state: &AppState,
    ctx: &Ctx,
    viewing: Viewing,
    review: Option<plan::Model>,
) -> Result<crate::state::remembered::Fresh<TodayView>, AppError> {
    let p = ctx.patient();
    let rows = plan_action::Entity::find()
        .select_also(goal::Entity)
        .join(
            sea_orm::JoinType::LeftJoin,
            plan_action::Entity::belongs_to(goal::Entity)
                .from(plan_action::Column::GoalId)
                .to(goal::Column::Id)
                .into(),
        )
        .filter(plan_action::Column::PatientId.eq(p.id))
        .filter(plan_action::Column::Status.eq("in_progress"))
        .order_by_asc(plan_action::Column::CreatedAt)
        .all(&state.db)
        .await?;
    let logs = recent_logs(state, ctx).await?;
    let may_log = ctx.capacity() == Capacity::Patient || viewing.log_actions;
    let empty = Vec::new();
    let due: Vec<ActionView> = rows
        .iter()
        .map(|(a, g)| {
            let title = g.as_ref().map(|g| g.title.as_str()).unwrap_or("");
            action_view(
                a,
                title,
                logs.get(&a.id).unwrap_or(&empty),
                ctx.today(),
                may_log,
            )
        })
        .filter(|v| v.due_today && v.loggable)
        .collect();
    let since = state.clock.now() - NEWS_FOR;
    let news = plan_change::Entity::find()
        .filter(plan_change::Column::PatientId.eq(p.id))
        .filter(plan_change::Column::ActorKind.ne("patient"))
        .filter(plan_change::Column::At.gte(since))
        .order_by_desc(plan_change::Column::At)
        .limit(5)
        .all(&state.db)
        .await?;
    let until = news.iter().map(|c| c.at + NEWS_FOR).min();
    let value = TodayView {
        viewing,
        today: ctx.today().to_string(),
        today_label: ctx.today().format("%A %-d %B").to_string(),
        due,
        has_actions: !rows.is_empty(),
        review_date: review
            .as_ref()
            .and_then(|r| r.review_date)
            .map(schedule::long_date),
        agreed_on: review.as_ref().and_then(|r| r.agreed_at).map(|at| {
            let tz = crate::clock::zone(&p.time_zone);
            schedule::long_date(at.with_timezone(&tz).date_naive())
        }),
        review_with: review.and_then(|r| r.review_with),
        news: news.into_iter().map(change_view).collect(),
    };
    Ok(crate::state::remembered::Fresh { value, until })
}

/// One action with its goal, for the action's own page.
pub async fn action(state: &AppState, ctx: &Ctx, id: Uuid) -> Result<ActionView, AppError> {
    let row = own_action(&state.db, ctx, id).await?;
    let goal = own_goal(&state.db, ctx, row.goal_id).await?;
    let logs = recent_logs(state, ctx).await?;
    let viewing = viewing(state, ctx).await?;
    Ok(ActionView {
        viewing: Some(viewing.clone()),
        ..action_view(
            &row,
            &goal.title,
            logs.get(&id).map(Vec::as_slice).unwrap_or(&[]),
            ctx.today(),
            viewing.log_actions,
        )
    })
}
