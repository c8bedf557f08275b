//! The prompts' server functions: who is asking (through the access layer), then the service.
use super::*;
#[cfg(feature = "ssr")]
use crate::access::Permission;

#[server(prefix = "/api/team", endpoint = "prompts")]
pub async fn load_prompts() -> Result<PromptSet, AppError> {
    let (state, _, ctx) = crate::care_team::open_staff(Permission::ManagePrompts, None).await?;
    crate::preparation::service::prompt_set(&state, &ctx).await
}

#[server(prefix = "/api/team", endpoint = "prompt_add")]
pub async fn add_prompt(#[server(flatten)] form: AddPromptForm) -> Result<(), AppError> {
    let result = async {
        let (state, _, ctx) =
            crate::care_team::open_staff(Permission::ManagePrompts, Some(&form.organisation_id))
                .await?;
        let condition = Some(form.condition.trim()).filter(|c| !c.is_empty());
        crate::preparation::service::add_prompt(&state, &ctx, condition, &form.text).await
    }
    .await;
    crate::forms::finish(
        result,
        "add-prompt",
        &form,
        "The question is added.",
        "/team/prompts",
        "/team/prompts",
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "prompt_reword")]
pub async fn reword_prompt(#[server(flatten)] form: PromptForm) -> Result<(), AppError> {
    let form_id = format!("prompt-{}", form.prompt_id.trim());
    let result = async {
        let (state, _, ctx) =
            crate::care_team::open_staff(Permission::ManagePrompts, Some(&form.organisation_id))
                .await?;
        crate::preparation::service::reword_prompt(&state, &ctx, &form.prompt_id, &form.text).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "The new wording is saved.",
        "/team/prompts",
        "/team/prompts",
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "prompt_move")]
pub async fn move_prompt(#[server(flatten)] form: PromptForm) -> Result<(), AppError> {
    let form_id = format!("prompt-{}", form.prompt_id.trim());
    let result = async {
        let (state, _, ctx) =
            crate::care_team::open_staff(Permission::ManagePrompts, Some(&form.organisation_id))
                .await?;
        let up = form.direction == "up";
        crate::preparation::service::move_prompt(&state, &ctx, &form.prompt_id, up).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "The question is moved.",
        "/team/prompts",
        "/team/prompts",
    )
    .await
}

#[server(prefix = "/api/team", endpoint = "prompt_retire")]
pub async fn retire_prompt(#[server(flatten)] form: PromptForm) -> Result<(), AppError> {
    let form_id = format!("prompt-{}", form.prompt_id.trim());
    let result = async {
        let (state, _, ctx) =
            crate::care_team::open_staff(Permission::ManagePrompts, Some(&form.organisation_id))
                .await?;
        crate::preparation::service::retire_prompt(&state, &ctx, &form.prompt_id).await
    }
    .await;
    crate::forms::finish(
        result,
        &form_id,
        &form,
        "The question is retired. Answers already given keep it.",
        "/team/prompts",
        "/team/prompts",
    )
    .await
}

/// Makes the Year of Care set the practice's own, so each question can be changed.
#[server(prefix = "/api/team", endpoint = "prompts_adopt")]
pub async fn adopt_prompts(#[server(flatten)] form: PromptForm) -> Result<(), AppError> {
    let result = async {
        let (state, _, ctx) =
            crate::care_team::open_staff(Permission::ManagePrompts, Some(&form.organisation_id))
                .await?;
        crate::preparation::service::adopt_prompts(&state, &ctx).await
    }
    .await;
    crate::forms::finish(
        result,
        "adopt",
        &form,
        "These questions are now your practice's own. Change any of them below.",
        "/team/prompts",
        "/team/prompts",
    )
    .await
}
