//! The person's story since a day: how often each action was done, the notes they wrote when
//! they logged it, and their confidence then and now. It is what the care team reads before the
//! conversation, read in a fixed number of statements whatever the history's length: the
//! period's counts are added up by the database, only the logs with a note come back whole,
//! and streaks come from the last few weeks and the read model, as on the plan (#21).
use super::*;
use crate::plan::{ActionStory, LoggedNote, NOTES_SHOWN};

/// The earliest day a story can start: a period reaches back at most this far.
pub fn story_horizon(today: NaiveDate) -> NaiveDate {
    today - Days::new(STREAK_HORIZON_DAYS)
}

/// Each of the person's actions with what happened to it from `since` (inclusive, no earlier
/// than [`story_horizon`]) to today, in the plan's order (`goals` and `actions` as
/// [`goals_and_actions`](super::read::goals_and_actions) reads them, `logs` the last few weeks
/// as [`recent_logs`] does): the plan's own reads, shared ([`plan_and_story`](super::plan_and_story)).
pub(super) async fn story_of(
    state: &AppState,
    ctx: &Ctx,
    since: NaiveDate,
    goals: &[goal::Model],
    actions: &[plan_action::Model],
    logs: &Logs,
) -> Result<Vec<ActionStory>, AppError> {
    ctx.opened_for(Verb::ReadPlan)?;
    let p = ctx.patient();
    let since = since.max(story_horizon(ctx.today()));
    if actions.is_empty() {
        return Ok(Vec::new());
    }
    // Confidence then: the value before its first change in the period (an action made in the
    // period started at the value it was made with).
    let changes = plan_change::Entity::find()
        .filter(plan_change::Column::PatientId.eq(p.id))
        .filter(plan_change::Column::Section.eq("goals"))
        .filter(plan_change::Column::At.gte(since.and_time(chrono::NaiveTime::MIN).and_utc()))
        .order_by_asc(plan_change::Column::At)
        .all(&state.db)
        .await?;
    let in_period = || {
        action_log::Entity::find()
            .filter(action_log::Column::PatientId.eq(p.id))
            .filter(action_log::Column::Day.gte(since))
    };
    // How often each action was done, partly or not in the period: added up by the database.
    let counts: Vec<(Uuid, String, i64)> = in_period()
        .select_only()
        .columns([action_log::Column::ActionId, action_log::Column::Outcome])
        .column_as(
            sea_orm::sea_query::ExprTrait::count(sea_orm::sea_query::Expr::col(
                action_log::Column::Id,
            )),
            "n",
        )
        .group_by(action_log::Column::ActionId)
        .group_by(action_log::Column::Outcome)
        .into_tuple()
        .all(&state.db)
        .await?;
    // The logs with a note, newest first.
    let noted: Vec<NamedLog> = named_logs(
        state,
        ctx,
        in_period()
            .filter(action_log::Column::Note.is_not_null())
            .filter(action_log::Column::Note.ne(""))
            .order_by_desc(action_log::Column::Day),
    )
    .await?;
    let today = ctx.today();
    let empty = Vec::new();
    let mut stories = Vec::new();
    for g in goals {
        for a in actions.iter().filter(|a| a.goal_id == g.id) {
            let mine: &[LoggedDay] = logs.get(&a.id).unwrap_or(&empty);
            let count = |outcome: Outcome| {
                counts
                    .iter()
                    .filter(|(id, o, _)| *id == a.id && *o == outcome.code())
                    .map(|(_, _, n)| u32::try_from(*n).unwrap_or(u32::MAX))
                    .sum::<u32>()
            };
            let notes: Vec<_> = noted
                .iter()
                .filter(|(n, _)| {
                    n.0 == a.id && n.3.as_deref().is_some_and(|t| !t.trim().is_empty())
                })
                .collect();
            let freq = frequency_of(a);
            let pairs: Vec<(NaiveDate, Outcome)> =
                mine.iter().map(|(d, o, _, _)| (*d, *o)).collect();
            stories.push(ActionStory {
                id: a.id,
                goal_title: g.title.clone(),
                what: a.what.clone(),
                how_often: freq.describe(),
                status: a.status.clone(),
                status_label: label_of(&ACTION_STATUSES, &a.status).to_owned(),
                done: count(Outcome::Done),
                partly: count(Outcome::Partly),
                not_done: count(Outcome::NotToday),
                streak: schedule::streak_with(&freq, a.starts_on, today, &pairs, carry_of(a))
                    .map(|s| s.describe()),
                confidence_then: confidence_then(&changes, a.id).or(Some(a.confidence)),
                confidence_now: a.confidence,
                more_notes: notes.len().saturating_sub(NOTES_SHOWN),
                notes: notes
                    .into_iter()
                    .take(NOTES_SHOWN)
                    .map(|((_, day, outcome, note, _), by)| LoggedNote {
                        day: day.format("%A %-d %B %Y").to_string(),
                        outcome: Outcome::parse(outcome)
                            .map(|o| o.label().to_owned())
                            .unwrap_or_default(),
                        note: note.clone().unwrap_or_default(),
                        by: by.clone(),
                    })
                    .collect(),
            });
        }
    }
    Ok(stories)
}

/// The action's confidence at the start of the period, from the first change to it in the
/// period (`changes` oldest first): its value before, or the value it was made with.
fn confidence_then(changes: &[plan_change::Model], action: Uuid) -> Option<i32> {
    changes
        .iter()
        .filter(|c| c.record_id == Some(action))
        .find_map(|c| {
            let fields: Vec<FieldChange> = serde_json::from_str(&c.detail).ok()?;
            let f = fields.into_iter().find(|f| f.field == "Confidence")?;
            let value = if f.before.is_empty() {
                f.after
            } else {
                f.before
            };
            value.split_whitespace().next()?.parse().ok()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(record: Uuid, detail: &str) -> plan_change::Model {
        plan_change::Model {
            id: Uuid::new_v4(),
            patient_id: Uuid::nil(),
            at: chrono::DateTime::UNIX_EPOCH,
            actor_account_id: None,
            actor_name: String::new(),
            actor_kind: "patient".into(),
            section: "goals".into(),
            record_id: Some(record),
            summary: String::new(),
            detail: detail.into(),
        }
    }

    #[test]
    fn confidence_then_is_the_value_before_the_first_change_in_the_period() {
        let a = Uuid::new_v4();
        let changes = [
            change(
                Uuid::new_v4(),
                r#"[{"field":"Confidence","before":"2 out of 10","after":"3 out of 10"}]"#,
            ),
            change(
                a,
                r#"[{"field":"What","before":"walk","after":"walk more"}]"#,
            ),
            change(
                a,
                r#"[{"field":"Confidence","before":"5 out of 10","after":"8 out of 10"}]"#,
            ),
            change(
                a,
                r#"[{"field":"Confidence","before":"8 out of 10","after":"9 out of 10"}]"#,
            ),
        ];
        assert_eq!(confidence_then(&changes, a), Some(5));
    }

    #[test]
    fn an_action_made_in_the_period_started_at_the_confidence_it_was_made_with() {
        let a = Uuid::new_v4();
        let changes = [change(
            a,
            r#"[{"field":"What","before":"","after":"walk"},{"field":"Confidence","before":"","after":"6 out of 10"}]"#,
        )];
        assert_eq!(confidence_then(&changes, a), Some(6));
        assert_eq!(confidence_then(&changes, Uuid::new_v4()), None);
    }
}
