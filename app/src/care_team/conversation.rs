//! The care and support planning conversation, from the professional's side: what the person
//! wants to talk about beside their results and their current plan; goals and actions written
//! together in the person's own words; the plan marked agreed with them (or their
//! representative), with who wrote it and when it is next reviewed; and the care team's
//! working notes, which are never part of the person's plan.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::TeamPersonView;
use super::pages::{answers_list, hidden, results_table};
use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, Notice, Radios, TextArea, TextField};
use crate::plan::input::{ActionForm, GoalForm};
use crate::plan::pages::{ActionFormView, GoalFormView};
use crate::plan::{GoalView, PlanView};
use crate::ui::PageHeading;
use crate::ui::{back_link, param_id};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NoteView {
    pub by: String,
    pub at: String,
    pub body: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ConversationView {
    pub person: TeamPersonView,
    pub plan: PlanView,
    /// The organisation the professional works for here (their notes belong to it).
    pub organisation: String,
    pub notes: Vec<NoteView>,
    pub can_change: bool,
    pub can_agree: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AgreeForm {
    pub patient_id: String,
    /// `person` or `representative`.
    pub agreed_with: String,
    pub representative: String,
    pub next_review: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NoteForm {
    pub patient_id: String,
    pub body: String,
}

pub const AGREED_WITH: [(&str, &str); 2] = [
    ("person", "The person"),
    ("representative", "Their representative"),
];

/// Notes longer than this are refused: a working note is a note, not a record system.
pub const NOTE_LIMIT: usize = 4000;

#[server(prefix = "/api/team", endpoint = "conversation")]
pub async fn load_conversation(patient_id: Uuid) -> Result<ConversationView, AppError> {
    let (state, ctx) =
        super::open_person(crate::access::Permission::ReadRecord, patient_id).await?;
    service::view(&state, &ctx).await
}

/// The person's plan, for the care team's goal and action pages.
#[server(prefix = "/api/team", endpoint = "plan")]
pub async fn load_team_plan(patient_id: Uuid) -> Result<PlanView, AppError> {
    let (state, ctx) = super::open_person(crate::access::Permission::ReadPlan, patient_id).await?;
    service::touched(&state, &ctx, "plan_viewed").await?;
    crate::plan::service::plan(&state, &ctx).await
}

/// The person's pages on the care team's side: `/team/people/<id>`.
#[cfg(feature = "ssr")]
fn person_base(patient_id: &str) -> String {
    match Uuid::parse_str(patient_id.trim()) {
        Ok(id) => format!("/team/people/{id}"),
        Err(_) => "/team".to_owned(),
    }
}

#[cfg(feature = "ssr")]
fn conversation_page(patient_id: &str, anchor: &str) -> String {
    format!("{}/conversation#{anchor}", person_base(patient_id))
}

#[server(prefix = "/api/team", endpoint = "goal")]
pub async fn team_save_goal(
    #[server(default)] id: String,
    #[server(default)] patient_id: String,
    #[server(flatten)] form: GoalForm,
) -> Result<(), AppError> {
    let existing = Uuid::parse_str(id.trim()).ok();
    let result = async {
        let (state, ctx) = super::open_person(
            crate::access::Permission::ChangePlan,
            super::id_of(&patient_id)?,
        )
        .await?;
        let goal = crate::plan::service::save_goal(&state, &ctx, existing, &form).await?;
        service::touched(&state, &ctx, "plan_changed").await?;
        Ok::<_, AppError>(goal)
    }
    .await;
    let base = person_base(&patient_id);
    let back = match existing {
        Some(g) => format!("{base}/goals/{g}"),
        None => format!("{base}/goals/new"),
    };
    let (outcome, next) = match result {
        Ok(g) => (Ok(()), format!("{base}/goals/{g}")),
        Err(e) => (Err(e), back.clone()),
    };
    crate::forms::finish(outcome, "goal", &form, "The goal is saved.", &next, &back).await
}

#[server(prefix = "/api/team", endpoint = "action")]
pub async fn team_save_action(
    #[server(default)] id: String,
    #[server(default)] patient_id: String,
    #[server(flatten)] form: ActionForm,
) -> Result<(), AppError> {
    let existing = Uuid::parse_str(id.trim()).ok();
    let result = async {
        let (state, ctx) = super::open_person(
            crate::access::Permission::ChangePlan,
            super::id_of(&patient_id)?,
        )
        .await?;
        crate::plan::service::save_action(&state, &ctx, existing, &form).await?;
        service::touched(&state, &ctx, "plan_changed").await
    }
    .await;
    let base = person_base(&patient_id);
    let back = format!("{base}/goals/{}/actions/new", form.goal.trim());
    let next = conversation_page(&patient_id, "plan");
    crate::forms::finish(
        result,
        "action",
        &form,
        "The action is saved.",
        &next,
        &back,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "agree")]
pub async fn agree_plan(#[server(flatten)] form: AgreeForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = super::open_person(
            crate::access::Permission::AgreePlan,
            super::id_of(&form.patient_id)?,
        )
        .await?;
        service::agree(&state, &ctx, &form).await
    }
    .await;
    let page = conversation_page(&form.patient_id, "agree");
    crate::forms::finish(
        result,
        "agree",
        &form,
        "The plan is marked as agreed. The person sees this on their plan.",
        &page,
        &page,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "note")]
pub async fn add_note(#[server(flatten)] form: NoteForm) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = super::open_person(
            crate::access::Permission::WorkingNotes,
            super::id_of(&form.patient_id)?,
        )
        .await?;
        service::add_note(&state, &ctx, &form).await
    }
    .await;
    let page = conversation_page(&form.patient_id, "notes");
    crate::forms::finish(result, "note", &form, "Your note is saved.", &page, &page).await
}

#[cfg(feature = "ssr")]
pub mod service {
    use chrono::{Duration, NaiveDate};
    use sea_orm::{
        ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _,
        QueryOrder as _, Set,
    };
    use uuid::Uuid;

    use super::{AgreeForm, ConversationView, NOTE_LIMIT, NoteForm, NoteView};
    use crate::access::{self, PatientCtx, Permission};
    use crate::entities::{account, organisation, working_note};
    use crate::error::AppError;
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
        // Writes "record viewed" to the person's log.
        let person = crate::care_team::service::person(state, ctx).await?;
        let plan_ctx = ctx
            .reopen(&state.db, Permission::ReadPlan)
            .await?
            .professional()?;
        let plan = crate::plan::service::plan(state, &plan_ctx).await?;
        let org = access::acting_organisation(
            &state.db,
            ctx.actor(),
            Permission::WorkingNotes,
            ctx.patient(),
        )
        .await?;
        let organisation = organisation::Entity::find_by_id(org)
            .one(&state.db)
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        let tz = crate::clock::zone(&ctx.patient().time_zone);
        let notes = working_note::Entity::find()
            .filter(working_note::Column::PatientId.eq(ctx.patient().id))
            .filter(working_note::Column::OrganisationId.eq(org))
            .order_by_desc(working_note::Column::At)
            .all(&state.db)
            .await?
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
            organisation,
            notes,
            can_change: ctx.may(&state.db, Permission::ChangePlan).await?,
            can_agree: ctx.may(&state.db, Permission::AgreePlan).await?,
        })
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
    pub async fn agree(
        state: &AppState,
        ctx: &PatientCtx,
        form: &AgreeForm,
    ) -> Result<(), AppError> {
        ctx.opened_for(Permission::AgreePlan)?;
        let staff = ctx.actor().account_id;
        let mut agreeing = read_agreement(form, ctx.today())?;
        let org = access::acting_organisation(
            &state.db,
            ctx.actor(),
            Permission::AgreePlan,
            ctx.patient(),
        )
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
    pub async fn add_note(
        state: &AppState,
        ctx: &PatientCtx,
        form: &NoteForm,
    ) -> Result<(), AppError> {
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
        let org = access::acting_organisation(&state.db, ctx.actor(), Permission::WorkingNotes, p)
            .await?;
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
        crate::auth::audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "note_written")
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

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
