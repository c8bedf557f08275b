//! A goal's and an action's pages: the forms, the weekly picture, recent days and logging.
use super::*;

// ---------- Goals ----------

/// Also used by the care team in the conversation: they post elsewhere, naming the person.
#[component]
pub(crate) fn GoalFormView(
    plan: PlanView,
    goal: Option<GoalView>,
    flash: Flash,
    #[prop(default = crate::ui::post_to::<crate::plan::api::SaveGoal>())] post_to: &'static str,
    #[prop(optional)] patient: Option<Uuid>,
) -> impl IntoView {
    let state = FormState::new("goal", &flash);
    let saved =
        goal.as_ref()
            .map(|g| g.form.clone())
            .unwrap_or_else(|| crate::plan::input::GoalForm {
                status: "not_started".into(),
                ..Default::default()
            });
    let chosen: Vec<String> = plan
        .conditions
        .iter()
        .filter(|(code, _)| saved.rest.contains_key(&format!("conditions_{code}")))
        .map(|(code, _)| code.clone())
        .collect();
    let importance = score_options(1, "a little important", "very important");
    view! {
        <ErrorSummary state=state.clone() />
        <form method="post" action=post_to data-enhance="" id="goal" novalidate>
            <IdempotencyKey />
            <input type="hidden" name="id" value=goal.as_ref().map(|g| g.id.to_string()).unwrap_or_default() />
            {patient.map(|p| view! { <input type="hidden" name="patient_id" value=p.to_string() /> })}
            <TextField state=state.clone() name="title" label="Your goal, in your own words".into()
                hint="For example: be able to walk to my granddaughter's school." value=saved.title.clone() />
            <TextArea state=state.clone() name="why" label="Why it matters to you".into() value=saved.why.clone() />
            <Select state=state.clone() name="importance" label="How important is it to you?"
                prompt="Choose from 1 to 10" hint="1 is a little important, 10 is very important." options=importance value=saved.importance.clone() />
            <TextArea state=state.clone() name="success" label="What will success look like?".into() value=saved.success.clone() />
            <TextField state=state.clone() name="target_date" label="Target date (optional)".into() kind="date" class="nhsuk-input--width-10" value=saved.target_date.clone() />
            <Radios state=state.clone() name="status" legend="Where are you with this goal?".into()
                options=options(&GOAL_STATUSES) value=saved.status.clone() />
            {(!plan.conditions.is_empty()).then(|| view! {
                <Checkboxes state=state.clone() name="conditions" legend="Which of your conditions is it about? (optional)".into()
                    options=plan.conditions.clone() chosen=chosen.clone() />
            })}
            <button type="submit" class="nhsuk-button">"Save goal"</button>
        </form>
    }
}

#[component]
pub fn NewGoalPage() -> impl IntoView {
    render(load(my_plan), |plan: PlanView, flash: Flash| {
        view! {
            {back_link("/plan#goals".into(), "Back to your plan")}
            <PageHeading text="Add a goal" />
            <GoalFormView plan=plan goal=None flash=flash />
        }
    })
}

#[component]
pub fn GoalPage() -> impl IntoView {
    let id = param_id("id");
    render(load(my_plan), move |plan: PlanView, flash: Flash| {
        let Some(goal) = plan.goals.iter().find(|g| Some(g.id) == id).cloned() else {
            return view! {
                <PageHeading text="Goal not found" />
                <p class="nhsuk-body"><a href="/plan">"Go to your plan"</a></p>
            }
            .into_any();
        };
        view! {
            <Notice flash=flash.clone() />
            {back_link("/plan#goals".into(), "Back to your plan")}
            <PageHeading text=goal.title.clone() title="Your goal" />
            <GoalProgress goal=goal.clone() who=plan.viewing.who() />
            <h2 class="nhsuk-heading-m">"Actions towards this goal"</h2>
            {goal.actions.is_empty().then(|| view! { <p class="nhsuk-body">"No actions yet. What is one small step you could take?"</p> })}
            <ul class="nhsuk-list nhsuk-list--bullet">
                {goal.actions.iter().map(|a| view! {
                    <li>
                        <a href=format!("/plan/actions/{}", a.id)>{a.what.clone()}</a>
                        {format!(" – {}. {}.", a.how_often, a.status_label)}
                    </li>
                }).collect_view()}
            </ul>
            <p class="nhsuk-body"><a class="nhsuk-button nhsuk-button--secondary" href=format!("/plan/goals/{}/actions/new", goal.id)>"Add an action"</a></p>
            <h2 class="nhsuk-heading-m">"Change this goal"</h2>
            <GoalFormView plan=plan.clone() goal=Some(goal) flash=flash />
        }
        .into_any()
    })
}

// ---------- Actions ----------

/// Also used by the care team in the conversation: they post elsewhere, naming the person.
#[component]
pub(crate) fn ActionFormView(
    goal_id: Uuid,
    action: Option<ActionView>,
    flash: Flash,
    #[prop(default = crate::ui::post_to::<crate::plan::api::SaveAction>())] post_to: &'static str,
    #[prop(optional)] patient: Option<Uuid>,
) -> impl IntoView {
    let state = FormState::new("action", &flash);
    let saved =
        action
            .as_ref()
            .map(|a| a.form.clone())
            .unwrap_or_else(|| crate::plan::input::ActionForm {
                goal: goal_id.to_string(),
                who_kind: "me".into(),
                frequency: "weekly".into(),
                times_per_week: "3".into(),
                time_of_day: "any".into(),
                status: "in_progress".into(),
                ..Default::default()
            });
    let days: Vec<(String, String)> = WEEKDAYS
        .iter()
        .map(|(_, c, n)| ((*c).to_owned(), (*n).to_owned()))
        .collect();
    let chosen_days: Vec<String> = WEEKDAYS
        .iter()
        .filter(|(_, c, _)| saved.rest.contains_key(&format!("weekdays_{c}")))
        .map(|(_, c, _)| (*c).to_owned())
        .collect();
    let confidence = score_options(0, "not at all confident", "completely confident");
    view! {
        <ErrorSummary state=state.clone() />
        <form method="post" action=post_to data-enhance="" id="action" novalidate>
            <IdempotencyKey />
            <input type="hidden" name="id" value=action.as_ref().map(|a| a.id.to_string()).unwrap_or_default() />
            {patient.map(|p| view! { <input type="hidden" name="patient_id" value=p.to_string() /> })}
            <input type="hidden" name="goal" value=goal_id.to_string() />
            <TextField state=state.clone() name="what" label="What will you do?".into()
                hint="Small and specific works best. For example: walk to the post office and back." value=saved.what.clone() />
            <Radios state=state.clone() name="who_kind" legend="Who will do it?".into() options=options(&WHO) value=saved.who_kind.clone() inline=true />
            <TextField state=state.clone() name="who_name" label="Their name, if it is not you".into() value=saved.who_name.clone() />
            <Radios state=state.clone() name="frequency" legend="How often?".into() options=options(&FREQUENCIES) value=saved.frequency.clone() />
            <TextField state=state.clone() name="times_per_week" label="How many times a week? (1 to 7)".into() kind="number" class="nhsuk-input--width-2" value=saved.times_per_week.clone() />
            <Checkboxes state=state.clone() name="weekdays" legend="Which days? (for chosen days of the week)".into() options=days chosen=chosen_days inline=true />
            <TextField state=state.clone() name="due_by" label="Do it by (for a one-off action)".into() kind="date" class="nhsuk-input--width-10" value=saved.due_by.clone() />
            <Radios state=state.clone() name="time_of_day" legend="What time of day?".into() options=options(&TIMES_OF_DAY) value=saved.time_of_day.clone() inline=true />
            <Select state=state.clone() name="confidence" label="How confident are you that you can do this?"
                prompt="Choose from 0 to 10" hint="0 is not at all confident, 10 is completely confident. If it is less than 7, could you make the step smaller?"
                options=confidence value=saved.confidence.clone() />
            <Radios state=state.clone() name="status" legend="Where are you with this action?".into() options=options(&ACTION_STATUSES) value=saved.status.clone() inline=true />
            <button type="submit" class="nhsuk-button">"Save action"</button>
        </form>
    }
}

#[component]
pub fn NewActionPage() -> impl IntoView {
    let id = param_id("id");
    render(load(my_plan), move |plan: PlanView, flash: Flash| {
        let Some(goal) = plan.goals.iter().find(|g| Some(g.id) == id).cloned() else {
            return view! { <PageHeading text="Goal not found" /> }.into_any();
        };
        view! {
            {back_link(format!("/plan/goals/{}", goal.id), "Back to the goal")}
            <PageHeading text="Add an action" />
            <p class="nhsuk-body">{format!("A step towards: {}", goal.title)}</p>
            <ActionFormView goal_id=goal.id action=None flash=flash />
        }
        .into_any()
    })
}

#[component]
pub fn ActionPage() -> impl IntoView {
    let id = param_id("id");
    render(
        load(move || action_detail(id.unwrap_or_default())),
        move |action: ActionView, flash: Flash| {
            let back = format!("/plan/actions/{}", action.id);
            let viewing = action.viewing.clone().unwrap_or_default();
            let change = viewing.change_plan;
            let whose = viewing.whose();
            view! {
                <Notice flash=flash.clone() />
                {if change {
                    back_link(format!("/plan/goals/{}", action.goal_id), "Back to the goal")
                } else {
                    back_link("/plan".into(), "Back to the plan")
                }}
                <PageHeading text=action.what.clone() title=format!("{whose} action") />
                <dl class="nhsuk-summary-list">
                    {row("Goal", action.goal_title.clone())}
                    {row("Who", action.who.clone())}
                    {row("How often", action.how_often.clone())}
                    {row("Time of day", action.time_of_day.clone())}
                    {row("Confidence", format!("{} out of 10", action.confidence))}
                    {row("Status", action.status_label.clone())}
                </dl>
                {action.streak.clone().map(|s| view! {
                    <h2 class="nhsuk-heading-m">{format!("{whose} streak")}</h2>
                    <p class="nhsuk-body-l app-streak">{s}</p>
                })}
                <WeeklyPicture weeks=action.weeks.clone() />
                {action.loggable.then(|| view! {
                    <h2 class="nhsuk-heading-m">"The last 7 days"</h2>
                    <RecentDays action=action.clone() flash=flash.clone() back=back.clone() />
                })}
                {change.then(|| view! {
                    <h2 class="nhsuk-heading-m">"Change this action"</h2>
                    <ActionFormView goal_id=action.goal_id action=Some(action.clone()) flash=flash />
                })}
            }
        },
    )
}

/// The last 8 weeks as a bar chart, with the same figures in a table.
#[component]
pub(super) fn WeeklyPicture(weeks: Vec<WeekSummary>) -> impl IntoView {
    let max = weeks
        .iter()
        .map(|w| w.planned.max(w.done + w.partly))
        .max()
        .unwrap_or(1)
        .max(1);
    let bar_w = 30;
    let gap = 10;
    let height = 100u32;
    let width = weeks.len() as u32 * (bar_w + gap);
    let bars = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let x = i as u32 * (bar_w + gap);
            let scale = |n: u32| n * height / max;
            let planned_h = scale(w.planned);
            let done_h = scale(w.done);
            let partly_h = scale(w.partly);
            view! {
                <rect x=x y=height - planned_h width=bar_w height=planned_h class="app-chart__planned" />
                <rect x=x y=height - done_h width=bar_w height=done_h class="app-chart__done" />
                <rect x=x y=height - done_h - partly_h width=bar_w height=partly_h class="app-chart__partly" />
            }
        })
        .collect_view();
    let total_done: u32 = weeks.iter().map(|w| w.done).sum();
    let total_planned: u32 = weeks.iter().map(|w| w.planned).sum();
    view! {
        <h2 class="nhsuk-heading-m">"The last 8 weeks"</h2>
        <p class="nhsuk-body">{format!("Over the last 8 weeks you did this {total_done} times. {total_planned} were planned.")}</p>
        <svg class="app-chart" viewBox=format!("0 0 {width} {height}") width=width height=height aria-hidden="true" focusable="false">
            {bars}
        </svg>
        <p class="nhsuk-body-s app-chart__key" aria-hidden="true">"Blue: done. Green, on top of the blue: partly done. Grey behind: planned."</p>
        <table class="nhsuk-table">
            <caption class="nhsuk-table__caption nhsuk-table__caption--s">"Each week, planned and done"</caption>
            <thead class="nhsuk-table__head">
                <tr class="nhsuk-table__row">
                    <th class="nhsuk-table__header" scope="col">"Week starting"</th>
                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Planned"</th>
                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Done"</th>
                    <th class="nhsuk-table__header nhsuk-table__header--numeric" scope="col">"Partly"</th>
                </tr>
            </thead>
            <tbody class="nhsuk-table__body">
                {weeks.iter().map(|w| view! {
                    <tr class="nhsuk-table__row">
                        <td class="nhsuk-table__cell">{long_date(w.monday)}</td>
                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{w.planned}</td>
                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{w.done}</td>
                        <td class="nhsuk-table__cell nhsuk-table__cell--numeric">{w.partly}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

/// Each of the last 8 days with what was recorded, an undo, and a form to record another day.
#[component]
pub(super) fn RecentDays(action: ActionView, flash: Flash, back: String) -> impl IntoView {
    let items = action
        .recent
        .iter()
        .map(|d| {
            let text = match d.outcome {
                Some(o) => o.label().to_owned(),
                None => "Nothing recorded".to_owned(),
            };
            view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">{d.label.clone()}</dt>
                    <dd class="nhsuk-summary-list__value">
                        {text}
                        {d.by.clone().map(|b| view! { <br /><span class="nhsuk-body-s">{format!("Logged by {b}")}</span> })}
                        {d.note.clone().map(|n| view! { <br /><span class="app-pre-line">{n}</span> })}
                    </dd>
                    <dd class="nhsuk-summary-list__actions">
                        {(d.outcome.is_some() && d.may_undo).then(|| view! {
                            <form method="post" action={crate::ui::post_to::<crate::plan::api::UndoLog>()} data-enhance="" data-focus=format!("log-{}", action.id)>
                                <IdempotencyKey />
                                <input type="hidden" name="action" value=action.id.to_string() />
                                <input type="hidden" name="day" value=d.day.clone() />
                                <input type="hidden" name="back" value=back.clone() />
                                <button type="submit" class="app-link-button">
                                    "Undo"<span class="nhsuk-u-visually-hidden">{format!(" {}", d.label.to_lowercase())}</span>
                                </button>
                            </form>
                        })}
                    </dd>
                </div>
            }
        })
        .collect_view();
    view! {
        <dl class="nhsuk-summary-list">{items}</dl>
        {action.may_log.then(|| view! { <LogForm action=action.clone() flash=flash back=back choose_day=true /> })}
    }
}

/// Done / partly / not today in one tap, with an optional note and (optionally) another day.
#[component]
pub(super) fn LogForm(
    action: ActionView,
    flash: Flash,
    back: String,
    choose_day: bool,
) -> impl IntoView {
    let state = FormState::new(format!("log-{}", action.id), &flash);
    let errors: Vec<String> = ["day", "note", "outcome", "form"]
        .iter()
        .flat_map(|f| state.errors(f))
        .collect();
    let day_options: Vec<(String, String)> = action
        .recent
        .iter()
        .map(|d| (d.day.clone(), d.label.clone()))
        .collect();
    let today = action
        .recent
        .first()
        .map(|d| d.day.clone())
        .unwrap_or_default();
    let form_id = format!("log-{}", action.id);
    view! {
        <form method="post" action={crate::ui::post_to::<crate::plan::api::LogAction>()} data-enhance="" data-focus=form_id.clone() id=form_id.clone() class="app-log-form" tabindex="-1" novalidate>
            <IdempotencyKey />
            <input type="hidden" name="action" value=action.id.to_string() />
            <input type="hidden" name="back" value=back />
            {(!errors.is_empty()).then(|| view! {
                <span class="nhsuk-error-message" role="alert" data-autofocus="" tabindex="-1">
                    <span class="nhsuk-u-visually-hidden">"Error: "</span>{errors.join(". ")}
                </span>
            })}
            {if choose_day {
                let id = state.field_id("day");
                let chosen = state.value("day", today.clone());
                view! {
                    <div class="nhsuk-form-group">
                        <label class="nhsuk-label" for=id.clone()>"Which day?"</label>
                        <select class="nhsuk-select" id=id name="day">
                            {day_options.into_iter().map(|(value, label)| {
                                let selected = value == chosen;
                                view! { <option value=value selected=selected>{label}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                }.into_any()
            } else {
                view! { <input type="hidden" name="day" value=today.clone() /> }.into_any()
            }}
            <details class="nhsuk-details">
                <summary class="nhsuk-details__summary">
                    <span class="nhsuk-details__summary-text">"Add a note (optional)"</span>
                </summary>
                <div class="nhsuk-details__text">
                    <TextArea state=state.clone() name="note" label="What helped, or what got in the way?".into() value=String::new() rows=2 />
                </div>
            </details>
            <div class="app-log-buttons">
                {[Outcome::Done, Outcome::Partly, Outcome::NotToday].into_iter().map(|o| {
                    let class = if o == Outcome::Done { "nhsuk-button" } else { "nhsuk-button nhsuk-button--secondary" };
                    view! {
                        <button type="submit" name="outcome" value=o.code() class=class>
                            {o.label()}<span class="nhsuk-u-visually-hidden">{format!(" ({})", action.what)}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
        </form>
    }
}

/// One action due today on the Today page: what was recorded today (with undo), or the buttons.
#[component]
pub fn TodayActionCard(action: ActionView, flash: Flash) -> impl IntoView {
    let today = action.recent.first().cloned();
    let logged = today.as_ref().and_then(|d| d.outcome);
    let heading_id = format!("action-{}", action.id);
    view! {
        <div class="nhsuk-card app-today-action">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s" id=heading_id.clone()>
                    <a href=format!("/plan/actions/{}", action.id)>{action.what.clone()}</a>
                </h3>
                <p class="nhsuk-body-s">
                    {format!("{}{}. For your goal: {}.",
                        action.how_often,
                        if action.time_of_day.is_empty() { String::new() } else { format!(", {}", action.time_of_day.to_lowercase()) },
                        action.goal_title)}
                    {action.streak.clone().map(|s| view! { <br /><span class="app-streak">{format!("Streak: {s}")}</span> })}
                </p>
                {match (logged, today) {
                    (Some(outcome), Some(day)) => view! {
                        <p class="nhsuk-body app-logged" id=format!("log-{}", action.id) tabindex="-1">
                            <strong>{format!("Today: {}", outcome.label())}</strong>
                            {day.note.clone().map(|n| view! { <br /><span class="app-pre-line">{n}</span> })}
                        </p>
                        {day.may_undo.then(|| view! {
                            <form method="post" action={crate::ui::post_to::<crate::plan::api::UndoLog>()} data-enhance="" data-focus=format!("log-{}", action.id)>
                                <IdempotencyKey />
                                <input type="hidden" name="action" value=action.id.to_string() />
                                <input type="hidden" name="day" value=day.day.clone() />
                                <input type="hidden" name="back" value="/today" />
                                <button type="submit" class="nhsuk-button nhsuk-button--secondary">
                                    "Undo"<span class="nhsuk-u-visually-hidden">{format!(" ({})", action.what)}</span>
                                </button>
                            </form>
                        })}
                    }.into_any(),
                    _ if action.may_log => view! { <LogForm action=action.clone() flash=flash back="/today".into() choose_day=true /> }.into_any(),
                    _ => view! { <p class="nhsuk-body">"Not recorded yet today."</p> }.into_any(),
                }}
            </div>
        </div>
    }
}

/// A score's choices for a compact select, from `from` to 10, the ends in words ("10 – very
/// important"): one control a phone shows in a line, and nothing chosen for the person.
fn score_options(from: u8, low: &str, high: &str) -> Vec<(String, String)> {
    (from..=10)
        .map(|n| {
            let words = match n {
                n if n == from => format!("{n} – {low}"),
                10 => format!("10 – {high}"),
                n => n.to_string(),
            };
            (n.to_string(), words)
        })
        .collect()
}
