//! The conversation's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/team", endpoint = "conversation")]
pub async fn load_conversation(patient_id: Uuid) -> Result<ConversationView, AppError> {
    let (state, ctx) =
        crate::care_team::open_person(crate::access::Permission::ReadRecord, patient_id).await?;
    service::view(&state, &ctx).await
}

/// The person's plan, for the care team's goal and action pages.
#[server(prefix = "/api/team", endpoint = "plan")]
pub async fn load_team_plan(patient_id: Uuid) -> Result<PlanView, AppError> {
    let (state, ctx) =
        crate::care_team::open_person(crate::access::Permission::ReadPlan, patient_id).await?;
    service::touched(&state, &ctx, "plan_viewed").await?;
    crate::plan::service::plan(&state, &ctx).await
}

#[server(prefix = "/api/team", endpoint = "goal")]
pub async fn team_save_goal(
    #[server(default)] id: String,
    #[server(default)] patient_id: String,
    #[server(flatten)] form: GoalForm,
) -> Result<(), AppError> {
    let existing = Uuid::parse_str(id.trim()).ok();
    let result = async {
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::ChangePlan,
            crate::care_team::id_of(&patient_id)?,
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
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::ChangePlan,
            crate::care_team::id_of(&patient_id)?,
        )
        .await?;
        crate::plan::service::save_action(&state, &ctx, existing, &form).await?;
        service::touched(&state, &ctx, "plan_changed").await
    }
    .await;
    let base = person_base(&patient_id);
    let back = match existing {
        Some(a) => format!("{base}/actions/{a}"),
        None => format!("{base}/goals/{}/actions/new", form.goal.trim()),
    };
    let next = conversation_page(&patient_id, "story");
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
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::AgreePlan,
            crate::care_team::id_of(&form.patient_id)?,
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
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::WorkingNotes,
            crate::care_team::id_of(&form.patient_id)?,
        )
        .await?;
        service::add_note(&state, &ctx, &form).await
    }
    .await;
    let page = conversation_page(&form.patient_id, "notes");
    crate::forms::finish(result, "note", &form, "Your note is saved.", &page, &page).await
}

/// Stops an action with the person ("Not doing"): it stays in the plan's history.
#[server(prefix = "/api/team", endpoint = "action_stop")]
pub async fn team_stop_action(
    #[server(default)] patient_id: String,
    #[server(default)] id: String,
) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::ChangePlan,
            crate::care_team::id_of(&patient_id)?,
        )
        .await?;
        let action = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
        service::stop_action(&state, &ctx, action).await?;
        service::touched(&state, &ctx, "plan_changed").await
    }
    .await;
    let page = conversation_page(&patient_id, "story");
    let back = format!("{}/actions/{}", person_base(&patient_id), id.trim());
    crate::forms::finish(
        result,
        "stop",
        &(),
        "The action is stopped. It stays in the plan's history.",
        &page,
        &back,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "contingency")]
pub async fn team_save_contingency(
    #[server(default)] patient_id: String,
    #[server(flatten)] form: Contingency,
) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::ChangePlan,
            crate::care_team::id_of(&patient_id)?,
        )
        .await?;
        crate::plan::service::save_contingency(&state, &ctx, &form).await?;
        service::touched(&state, &ctx, "plan_changed").await
    }
    .await;
    let page = format!("{}/contingency", person_base(&patient_id));
    crate::forms::finish(
        result,
        "contingency",
        &form,
        "The contingency plan is saved.",
        &page,
        &page,
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "contingency_contact")]
pub async fn team_add_contact(
    #[server(default)] patient_id: String,
    #[server(flatten)] form: Contact,
) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::ChangePlan,
            crate::care_team::id_of(&patient_id)?,
        )
        .await?;
        crate::plan::service::add_contact(&state, &ctx, &form).await?;
        service::touched(&state, &ctx, "plan_changed").await
    }
    .await;
    let page = format!("{}/contingency", person_base(&patient_id));
    crate::forms::finish(result, "contact", &form, "Contact added.", &page, &page).await
}

#[server(prefix = "/api/team", endpoint = "support")]
pub async fn team_add_support(
    #[server(default)] patient_id: String,
    #[server(flatten)] form: SupportForm,
) -> Result<(), AppError> {
    let result = async {
        let (state, ctx) = crate::care_team::open_person(
            crate::access::Permission::ChangePlan,
            crate::care_team::id_of(&patient_id)?,
        )
        .await?;
        crate::plan::service::add_support(&state, &ctx, &form).await?;
        service::touched(&state, &ctx, "plan_changed").await
    }
    .await;
    let page = format!("{}/support", person_base(&patient_id));
    crate::forms::finish(
        result,
        "support",
        &form,
        "Added to their support and groups.",
        &page,
        &page,
    )
    .await
}
