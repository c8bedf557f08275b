//! The conversation view and the team's plan pages.
use super::*;

/// The person's first name, as the team's pages speak of them.
fn first_name(full: &str) -> String {
    full.split(' ').next().unwrap_or_default().to_owned()
}

fn goal_block(patient: Uuid, g: &GoalView, can_change: bool, first: &str) -> AnyView {
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{g.title.clone()}</h3>
                <p class="nhsuk-body-s">{format!("{}. Importance {} out of 10.", g.status_label, g.importance)}</p>
                <GoalProgress goal=g.clone() who=first.to_owned() />
                {g.actions.is_empty().then(|| view! { <p class="nhsuk-body-s">"No actions yet."</p> })}
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {g.actions.iter().map(|a| view! {
                        <li>
                            {format!("{} – {}. Confidence {} out of 10. {}.", a.what, a.how_often, a.confidence, a.status_label)}
                            {can_change.then(|| view! {
                                " "<a href=format!("/team/people/{patient}/actions/{}", a.id)>
                                    "Change or stop"<span class="nhsuk-u-visually-hidden">{format!(" the action: {}", a.what)}</span>
                                </a>
                            })}
                        </li>
                    }).collect_view()}
                </ul>
                {can_change.then(|| view! {
                    <p class="nhsuk-body-s nhsuk-u-margin-bottom-0">
                        <a href=format!("/team/people/{patient}/goals/{}", g.id)>
                            "Change this goal or add an action"<span class="nhsuk-u-visually-hidden">{format!(": {}", g.title)}</span>
                        </a>
                    </p>
                })}
            </div>
        </div>
    }
    .into_any()
}

/// The contingency plan as written, or that it is not written yet.
fn contingency_summary(plan: &PlanView) -> AnyView {
    let rows: Vec<(&str, String)> = crate::plan::input::CONTINGENCY_FIELDS
        .iter()
        .zip(plan.contingency.values())
        .filter(|(_, value)| !value.trim().is_empty())
        .map(|((_, label, _), value)| (*label, value.clone()))
        .collect();
    if rows.is_empty() && plan.contacts.is_empty() {
        return view! { <p class="nhsuk-body">"Not written yet."</p> }.into_any();
    }
    view! {
        <dl class="nhsuk-summary-list">
            {rows.into_iter().map(|(label, value)| view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">{label}</dt>
                    <dd class="nhsuk-summary-list__value app-pre-line">{value}</dd>
                </div>
            }).collect_view()}
            {(!plan.contacts.is_empty()).then(|| view! {
                <div class="nhsuk-summary-list__row">
                    <dt class="nhsuk-summary-list__key">"Who to contact"</dt>
                    <dd class="nhsuk-summary-list__value">{plan.contacts.iter().map(|c| format!("{}: {}", c.name, c.phone)).collect::<Vec<_>>().join("; ")}</dd>
                </div>
            })}
        </dl>
    }
    .into_any()
}

/// "done 12 times, partly 3 times and not done 2 times".
fn tally(a: &ActionStory) -> String {
    let times = |n: u32| {
        if n == 1 {
            "once".to_owned()
        } else {
            format!("{n} times")
        }
    };
    let mut parts = Vec::new();
    if a.done > 0 {
        parts.push(format!("done {}", times(a.done)));
    }
    if a.partly > 0 {
        parts.push(format!("partly done {}", times(a.partly)));
    }
    if a.not_done > 0 {
        parts.push(format!("not done {}", times(a.not_done)));
    }
    match parts.len() {
        0 => "nothing logged".to_owned(),
        1 => parts.remove(0),
        _ => {
            let last = parts.pop().unwrap_or_default();
            format!("{} and {last}", parts.join(", "))
        }
    }
}

fn confidence_words(a: &ActionStory) -> String {
    match a.confidence_then {
        Some(then) if then != a.confidence_now => format!(
            "Confidence {then} out of 10 at the start, {} out of 10 now.",
            a.confidence_now
        ),
        _ => format!(
            "Confidence {} out of 10, the same as at the start.",
            a.confidence_now
        ),
    }
}

/// What the person did since the last review, action by action, with their own notes.
fn story_section(v: &ConversationView, first: &str) -> AnyView {
    let pid = v.person.patient_id;
    let period = v.story.period.clone();
    let actions = v
        .story
        .actions
        .iter()
        .map(|a| {
            let notes = a.notes.clone();
            view! {
                <div class="nhsuk-card app-story">
                    <div class="nhsuk-card__content">
                        <h3 class="nhsuk-card__heading nhsuk-heading-s">{a.what.clone()}</h3>
                        <p class="nhsuk-body-s nhsuk-u-margin-bottom-2">{format!("For the goal: {}. {}. {}.", a.goal_title, a.how_often, a.status_label)}</p>
                        <p class="nhsuk-body">{format!("Logged {period}: {}.", tally(a))}</p>
                        {a.streak.clone().map(|s| view! { <p class="nhsuk-body">{format!("Streak now: {s}.")}</p> })}
                        <p class="nhsuk-body">{confidence_words(a)}</p>
                        {if notes.is_empty() {
                            view! { <p class="nhsuk-body-s">{format!("No notes written {period}.")}</p> }.into_any()
                        } else {
                            view! {
                                <h4 class="nhsuk-heading-xs nhsuk-u-margin-bottom-2">{format!("What {first} noted")}</h4>
                                <ul class="nhsuk-list app-story__notes">
                                    {notes.into_iter().map(|n| view! {
                                        <li>
                                            <p class="nhsuk-body-s nhsuk-u-margin-bottom-1">
                                                {format!("{}: {}", n.day, n.outcome)}
                                                {n.by.map(|b| format!(", logged by {b}"))}
                                            </p>
                                            <p class="nhsuk-body app-pre-line">{n.note}</p>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        {(a.more_notes > 0).then(|| view! { <p class="nhsuk-body-s">{format!("And {} older notes.", a.more_notes)}</p> })}
                        {v.can_change.then(|| view! {
                            <p class="nhsuk-body-s nhsuk-u-margin-bottom-0">
                                <a href=format!("/team/people/{pid}/actions/{}", a.id)>
                                    "Change or stop this action"<span class="nhsuk-u-visually-hidden">{format!(": {}", a.what)}</span>
                                </a>
                            </p>
                        })}
                    </div>
                </div>
            }
        })
        .collect_view();
    view! {
        <section id="story" aria-labelledby="story-title">
            <h2 class="nhsuk-heading-m" id="story-title">{format!("What {first} did {period}")}</h2>
            {v.story.actions.is_empty().then(|| view! { <p class="nhsuk-body">{format!("{first} has no actions in their plan yet.")}</p> })}
            {actions}
        </section>
    }
    .into_any()
}

fn agree_form(v: &ConversationView, flash: &Flash) -> AnyView {
    let state = FormState::new("agree", flash);
    let first = first_name(&v.person.name);
    view! {
        <h2 class="nhsuk-heading-m" id="agree">"Agree the plan"</h2>
        <p class="nhsuk-body">{format!("When {first} is happy with the plan, mark it as agreed. {first} sees who wrote it with them and when it is next reviewed.")}</p>
        <ErrorSummary state=state.clone() />
        <form method="post" action={crate::ui::post_to::<crate::care_team::conversation::AgreePlan>()} data-enhance="" id="agree-form" novalidate>
            <IdempotencyKey />
            {hidden("patient_id", v.person.patient_id.to_string())}
            <Radios state=state.clone() name="agreed_with" legend="Who agreed the plan with you?".into()
                options=crate::forms::options(&AGREED_WITH) value="person" />
            <TextField state=state.clone() name="representative" label="If it was their representative: their name and how they are related".into()
                hint="For example: Tom Lewis, son, lasting power of attorney for health and welfare." value=String::new() />
            <TextField state=state.clone() name="next_review" label="Next review by".into() kind="date" class="nhsuk-input--width-10"
                value=v.plan.review_on.clone().unwrap_or_default() />
            <button type="submit" class="nhsuk-button">"Mark the plan as agreed"</button>
        </form>
    }
    .into_any()
}

fn notes_section(v: &ConversationView, flash: &Flash) -> AnyView {
    let state = FormState::new("note", flash);
    let first = first_name(&v.person.name);
    view! {
        <section class="app-professional-only" id="notes" aria-labelledby="notes-title">
            <h2 class="nhsuk-heading-m" id="notes-title">"Working notes: care team only"</h2>
            <p class="nhsuk-body">
                <strong class="nhsuk-tag nhsuk-tag--grey">"Professional only"</strong>" "
                {format!("{first} does not see these notes, and they are not part of the plan. Only {} can read them.", v.organisation)}
            </p>
            {v.notes.is_empty().then(|| view! { <p class="nhsuk-body">"No notes yet."</p> })}
            <ul class="nhsuk-list">
                {v.notes.iter().map(|n| view! {
                    <li class="app-note">
                        <p class="nhsuk-body-s nhsuk-u-margin-bottom-1">{format!("{}, {}", n.by, n.at)}</p>
                        <p class="nhsuk-body app-pre-line">{n.body.clone()}</p>
                    </li>
                }).collect_view()}
            </ul>
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::care_team::conversation::AddNote>()} data-enhance="" id="note-form" novalidate>
                <IdempotencyKey />
                {hidden("patient_id", v.person.patient_id.to_string())}
                <TextArea state=state.clone() name="body" label="Add a working note".into() value=String::new() rows=4 />
                <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Save note"</button>
            </form>
        </section>
    }
    .into_any()
}

#[component]
pub fn ConversationPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    render(
        load(move || load_conversation(id)),
        |v: ConversationView, flash: Flash| {
            let person = v.person.clone();
            let pid = person.patient_id;
            let first = first_name(&person.name);
            let agenda = match person.pack.clone() {
                Some(pack) if pack.submitted.is_some() => answers_list(pack.answers).into_any(),
                Some(_) => view! { <p class="nhsuk-body">{format!("{first} has not sent their answers yet.")}</p> }.into_any(),
                None => view! { <p class="nhsuk-body">"No preparation pack has been sent for this review."</p> }.into_any(),
            };
            let what_matters = v.plan.about_me.what_matters.clone();
            let goals = v
                .plan
                .goals
                .iter()
                .map(|g| goal_block(pid, g, v.can_change, &first))
                .collect_view();
            let agree = v.can_agree.then(|| agree_form(&v, &flash));
            let story = story_section(&v, &first);
            let notes = notes_section(&v, &flash);
            view! {
                <Notice flash=flash.clone() />
                {back_link(format!("/team/people/{pid}"), "Back to their record")}
                <PageHeading text=format!("Conversation with {}", person.name) />
                <p class="nhsuk-body">{format!("NHS number {}. Born {}.", person.nhs_number, person.born)}</p>
                <div class="nhsuk-grid-row">
                    <div class="nhsuk-grid-column-one-half">
                        <h2 class="nhsuk-heading-m" id="agenda">{format!("What {first} wants to talk about")}</h2>
                        {agenda}
                    </div>
                    <div class="nhsuk-grid-column-one-half">
                        <h2 class="nhsuk-heading-m" id="results">"Results"</h2>
                        {results_table(&person)}
                    </div>
                </div>
                {story}
                <section id="plan" aria-labelledby="plan-title">
                    <h2 class="nhsuk-heading-m" id="plan-title">{format!("{first}'s plan")}</h2>
                    {v.plan.agreement.clone().map(|a| view! {
                        <p class="nhsuk-body"><strong>{match &a.representative {
                            Some(r) => format!("Agreed with {r} on {} by {}.", a.on, a.written_by),
                            None => format!("Agreed with {first} on {} by {}.", a.on, a.written_by),
                        }}</strong>{a.changed_since.then_some(" It has changed since then.")}</p>
                    })}
                    <h3 class="nhsuk-heading-s">"What matters to them"</h3>
                    <p class="nhsuk-body app-pre-line">{if what_matters.trim().is_empty() { "Not written yet.".to_owned() } else { what_matters }}</p>
                    <h3 class="nhsuk-heading-s">"Goals and actions"</h3>
                    {v.plan.goals.is_empty().then(|| view! { <p class="nhsuk-body">"No goals yet."</p> })}
                    {goals}
                    {v.can_change.then(|| view! {
                        <p class="nhsuk-body"><a class="nhsuk-button nhsuk-button--secondary" href=format!("/team/people/{pid}/goals/new")>"Add a goal together"</a></p>
                    })}
                    <h3 class="nhsuk-heading-s">"If things get worse"</h3>
                    {contingency_summary(&v.plan)}
                    {v.can_change.then(|| view! {
                        <p class="nhsuk-body"><a href=format!("/team/people/{pid}/contingency")>"Write the contingency plan together"</a></p>
                    })}
                    <h3 class="nhsuk-heading-s">"Support and groups"</h3>
                    {if v.plan.support.is_empty() {
                        view! { <p class="nhsuk-body">"None yet."</p> }.into_any()
                    } else {
                        view! {
                            <ul class="nhsuk-list nhsuk-list--bullet">
                                {v.plan.support.iter().map(|s| view! { <li>{format!("{}. {}.", s.name, s.status_label)}</li> }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                    {v.can_change.then(|| view! {
                        <p class="nhsuk-body"><a href=format!("/team/people/{pid}/support")>"Add support and signposting together"</a></p>
                    })}
                </section>
                {agree}
                {notes}
            }
        },
    )
}

/// Adding a goal (no `goal` in the address) or changing one, with the person.
#[component]
pub fn TeamGoalPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    let goal_id = param_id("goal");
    render(
        load(move || load_team_plan(id)),
        move |plan: PlanView, flash: Flash| {
            let first = first_name(&plan.person_name);
            let goal = goal_id.and_then(|g| plan.goals.iter().find(|x| x.id == g).cloned());
            let heading = match &goal {
                Some(g) => g.title.clone(),
                None => format!("Add a goal with {first}"),
            };
            view! {
                <Notice flash=flash.clone() />
                {back_link(format!("/team/people/{id}/conversation#plan"), "Back to the conversation")}
                <PageHeading text=heading />
                <p class="nhsuk-body">{format!("Write it in {first}'s own words: it is their plan.")}</p>
                {goal.clone().map(|g| view! {
                    <h2 class="nhsuk-heading-m">"Actions towards this goal"</h2>
                    {g.actions.is_empty().then(|| view! { <p class="nhsuk-body">"No actions yet."</p> })}
                    <ul class="nhsuk-list nhsuk-list--bullet">
                        {g.actions.iter().map(|a| view! { <li>{format!("{} – {}", a.what, a.how_often)}</li> }).collect_view()}
                    </ul>
                    <p class="nhsuk-body"><a class="nhsuk-button nhsuk-button--secondary" href=format!("/team/people/{id}/goals/{}/actions/new", g.id)>"Add an action together"</a></p>
                    <h2 class="nhsuk-heading-m">"Change this goal"</h2>
                })}
                <GoalFormView plan=plan.clone() goal=goal flash=flash post_to={crate::ui::post_to::<TeamSaveGoal>()} patient=id />
            }
        },
    )
}

#[component]
pub fn TeamNewActionPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    let goal_id = param_id("goal");
    render(
        load(move || load_team_plan(id)),
        move |plan: PlanView, flash: Flash| {
            let Some(goal) = goal_id.and_then(|g| plan.goals.iter().find(|x| x.id == g).cloned())
            else {
                return view! { <PageHeading text="Goal not found" /> }.into_any();
            };
            view! {
                {back_link(format!("/team/people/{id}/goals/{}", goal.id), "Back to the goal")}
                <PageHeading text="Add an action together" />
                <p class="nhsuk-body">{format!("A step towards: {}", goal.title)}</p>
                <ActionFormView goal_id=goal.id action=None flash=flash post_to={crate::ui::post_to::<TeamSaveAction>()} patient=id />
            }
            .into_any()
        },
    )
}

/// Changing one of the person's actions with them, or stopping it.
#[component]
pub fn TeamActionPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    let action_id = param_id("action");
    render(
        load(move || load_team_plan(id)),
        move |plan: PlanView, flash: Flash| {
            let back = back_link(
                format!("/team/people/{id}/conversation#story"),
                "Back to the conversation",
            );
            let Some(action) = action_id.and_then(|a| {
                plan.goals
                    .iter()
                    .flat_map(|g| g.actions.iter())
                    .find(|x| x.id == a)
                    .cloned()
            }) else {
                return view! {
                    {back}
                    <PageHeading text="This action is not in the plan" />
                    <p class="nhsuk-body">"It may have been removed. Go back to the conversation to see the plan as it is now."</p>
                }
                .into_any();
            };
            let first = first_name(&plan.person_name);
            let stop = FormState::new("stop", &flash);
            let stopped = action.status == "not_doing";
            view! {
                <Notice flash=flash.clone() />
                {back}
                <PageHeading text=action.what.clone() title="Change an action" />
                <p class="nhsuk-body">{format!("A step towards: {}. Change it with {first}, in {first}'s own words.", action.goal_title)}</p>
                <ActionFormView goal_id=action.goal_id action=Some(action.clone()) flash=flash.clone() post_to={crate::ui::post_to::<TeamSaveAction>()} patient=id />
                {(!stopped).then(|| view! {
                    <h2 class="nhsuk-heading-m">"Stop this action"</h2>
                    <p class="nhsuk-body">{format!("If {first} has decided not to do it any more, stop it. It stays in the plan's history, marked \"Not doing\".")}</p>
                    <ErrorSummary state=stop.clone() />
                    <form method="post" action={crate::ui::post_to::<TeamStopAction>()} data-enhance="" id="stop">
                        <IdempotencyKey />
                        {hidden("patient_id", id.to_string())}
                        {hidden("id", action.id.to_string())}
                        <button type="submit" class="nhsuk-button nhsuk-button--warning">"Stop this action"</button>
                    </form>
                })}
            }
            .into_any()
        },
    )
}

/// Writing the contingency plan with the person.
#[component]
pub fn TeamContingencyPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    render(
        load(move || load_team_plan(id)),
        move |plan: PlanView, flash: Flash| {
            let first = first_name(&plan.person_name);
            view! {
                <Notice flash=flash.clone() />
                {back_link(format!("/team/people/{id}/conversation#plan"), "Back to the conversation")}
                <PageHeading text=format!("If things get worse for {first}") />
                <p class="nhsuk-body">{format!("Plan it with {first}, in {first}'s own words: the signs to watch for, what to do and who to call. {first} sees it in their plan.")}</p>
                <ContingencyForms plan=plan flash=flash post_to={crate::ui::post_to::<TeamSaveContingency>()}
                    add_contact_to={crate::ui::post_to::<TeamAddContact>()} patient=id />
            }
        },
    )
}

/// Support and signposting written with the person.
#[component]
pub fn TeamSupportPage() -> impl IntoView {
    let id = param_id("id").unwrap_or_default();
    render(
        load(move || load_team_plan(id)),
        move |plan: PlanView, flash: Flash| {
            let first = first_name(&plan.person_name);
            let items = plan
                .support
                .iter()
                .map(|s| {
                    view! {
                        <li>
                            <strong>{s.name.clone()}</strong>
                            {format!(". {}.", s.status_label)}
                            {(!s.contact.is_empty()).then(|| format!(" Contact: {}.", s.contact))}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <Notice flash=flash.clone() />
                {back_link(format!("/team/people/{id}/conversation#plan"), "Back to the conversation")}
                <PageHeading text=format!("Support and groups for {first}") />
                <p class="nhsuk-body">{format!("Services, groups and activities that could help {first}. {first} sees them in their plan and says how they are going.")}</p>
                {plan.support.is_empty().then(|| view! { <p class="nhsuk-body">"None yet."</p> })}
                <ul class="nhsuk-list nhsuk-list--bullet">{items}</ul>
                <h2 class="nhsuk-heading-m">"Add a service or group"</h2>
                <SupportFormView plan=plan.clone() flash=flash post_to={crate::ui::post_to::<TeamAddSupport>()} patient=id />
            }
        },
    )
}
