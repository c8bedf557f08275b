//! A practice's own agenda prompts. Until a practice writes one, its people are asked the Year
//! of Care set ([`DEFAULT_PROMPTS`] and [`CONDITION_PROMPTS`]); the first prompt it adds copies
//! that set in first, so adding a question never takes the usual ones away.
use super::*;
use crate::access::StaffCtx;

/// The longest prompt, in characters: a question a person reads on a phone.
pub const MAX_PROMPT: usize = 300;

/// Adds a prompt to the end of the practice's list, asked of everyone or (with `condition`)
/// only of people with that condition. For an organisation opened to manage its prompts.
pub async fn add_prompt(
    state: &AppState,
    ctx: &StaffCtx,
    condition: Option<&str>,
    text: &str,
) -> Result<(), AppError> {
    if ctx.permission() != Permission::ManagePrompts {
        return Err(AppError::NotFound);
    }
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::field("text", "Write the question"));
    }
    if text.chars().count() > MAX_PROMPT {
        return Err(AppError::field(
            "text",
            format!("Keep the question to {MAX_PROMPT} characters or fewer"),
        ));
    }
    if let Some(code) = condition
        && !crate::plan::CONDITIONS.iter().any(|(c, _)| *c == code)
    {
        return Err(AppError::field(
            "condition",
            "Choose a condition from the list",
        ));
    }
    let org = ctx.organisation();
    let txn = crate::state::begin_write(&state.db).await?;
    let own = agenda_prompt::Entity::find()
        .filter(agenda_prompt::Column::OrganisationId.eq(org))
        .all(&txn)
        .await?;
    let mut rows: Vec<(Option<&str>, &str)> = Vec::new();
    if own.is_empty() {
        rows.extend(DEFAULT_PROMPTS.iter().map(|t| (None, *t)));
        rows.extend(CONDITION_PROMPTS.iter().map(|(c, t)| (Some(*c), *t)));
    }
    rows.push((condition, text));
    let after = own.iter().map(|p| p.position + 1).max().unwrap_or(0);
    let models =
        rows.into_iter()
            .enumerate()
            .map(|(i, (condition, text))| agenda_prompt::ActiveModel {
                id: Set(Uuid::new_v4()),
                organisation_id: Set(org),
                condition: Set(condition.map(str::to_owned)),
                position: Set(after + i as i32),
                text: Set(text.to_owned()),
            });
    agenda_prompt::Entity::insert_many(models)
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}
