//! The conversation view and the team's plan pages.
use super::*;

fn goal_block(patient: Uuid, g: &GoalView, can_change: bool) -> AnyView {
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h3 class="nhsuk-card__heading nhsuk-heading-s">{g.title.clone()}</h3>
                <p class="nhsuk-body-s">{format!("{}. Importance {} out of 10.", g.status_label, g.importance)}</p>
                {g.actions.is_empty().then(|| view! { <p class="nhsuk-body-s">"No actions yet."</p> })}
                <ul class="nhsuk-list nhsuk-list--bullet">
                    {g.actions.iter().map(|a| view! {
                        <li>{format!("{} – {}. Confidence {} out of 10.", a.what, a.how_often, a.confidence)}</li>
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

fn agree_form(v: &ConversationView, flash: &Flash) -> AnyView {
    let state = FormState::new("agree", flash);
    let first = v
        .person
        .name
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
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
    let first = v
        .person
        .name
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
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
            let first = person.name.split(' ').next().unwrap_or_default().to_owned();
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
                .map(|g| goal_block(pid, g, v.can_change))
                .collect_view();
            let agree = v.can_agree.then(|| agree_form(&v, &flash));
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
            let first = plan
                .person_name
                .split(' ')
                .next()
                .unwrap_or_default()
                .to_owned();
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
