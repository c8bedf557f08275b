//! A practice's own agenda prompts. Until a practice writes one, its people are asked the Year
//! of Care set ([`DEFAULT_PROMPTS`] and [`CONDITION_PROMPTS`]); the first prompt it adds copies
//! that set in first, so adding a question never takes the usual ones away.
use sea_orm::DatabaseTransaction;

use super::*;
use crate::access::StaffCtx;
use crate::preparation::{PromptRow, PromptSet};

/// The longest prompt, in characters: a question a person reads on a phone.
pub const MAX_PROMPT: usize = 300;

fn opened(ctx: &StaffCtx) -> Result<Uuid, AppError> {
    if ctx.permission() == Permission::ManagePrompts {
        Ok(ctx.organisation())
    } else {
        Err(AppError::NotFound)
    }
}

/// A question as written: present, and short enough to read on a phone.
fn question(text: &str) -> Result<&str, AppError> {
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
    Ok(text)
}

/// The practice's prompts in order; the Year of Care set first made its own when it has none.
async fn own_prompts(
    txn: &DatabaseTransaction,
    org: Uuid,
) -> Result<Vec<agenda_prompt::Model>, AppError> {
    let own = agenda_prompt::Entity::find()
        .filter(agenda_prompt::Column::OrganisationId.eq(org))
        .order_by_asc(agenda_prompt::Column::Position)
        .all(txn)
        .await?;
    if !own.is_empty() {
        return Ok(own);
    }
    let models =
        year_of_care()
            .enumerate()
            .map(|(i, (condition, text))| agenda_prompt::ActiveModel {
                id: Set(Uuid::new_v4()),
                organisation_id: Set(org),
                condition: Set(condition.map(str::to_owned)),
                position: Set(i as i32),
                text: Set(text.to_owned()),
            });
    agenda_prompt::Entity::insert_many(models)
        .exec_without_returning(txn)
        .await?;
    Ok(agenda_prompt::Entity::find()
        .filter(agenda_prompt::Column::OrganisationId.eq(org))
        .order_by_asc(agenda_prompt::Column::Position)
        .all(txn)
        .await?)
}

/// The Year of Care set as (condition, question): everyone's first, then each condition's.
fn year_of_care() -> impl Iterator<Item = (Option<&'static str>, &'static str)> {
    DEFAULT_PROMPTS
        .iter()
        .map(|t| (None, *t))
        .chain(CONDITION_PROMPTS.iter().map(|(c, t)| (Some(*c), *t)))
}

/// One of the practice's prompts, by the id a form sent.
fn prompt_in(own: &[agenda_prompt::Model], id: &str) -> Result<agenda_prompt::Model, AppError> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    own.iter()
        .find(|p| p.id == id)
        .cloned()
        .ok_or(AppError::NotFound)
}

/// The practice's prompts as its administrator sees them, with a preview for each condition
/// as a person with it will see them.
pub async fn prompt_set(state: &AppState, ctx: &StaffCtx) -> Result<PromptSet, AppError> {
    let org = opened(ctx)?;
    let own = agenda_prompt::Entity::find()
        .filter(agenda_prompt::Column::OrganisationId.eq(org))
        .order_by_asc(agenda_prompt::Column::Position)
        .all(&state.db)
        .await?;
    let organisation = organisation::Entity::find_by_id(org)
        .one(&state.db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    let condition_name = |c: &Option<String>| {
        c.as_deref()
            .map(crate::plan::condition_name)
            .unwrap_or_else(|| "Everyone".to_owned())
    };
    // (id, condition, question) in the order people are asked them.
    let set: Vec<(Option<Uuid>, Option<String>, String)> = if own.is_empty() {
        year_of_care()
            .map(|(c, t)| (None, c.map(str::to_owned), t.to_owned()))
            .collect()
    } else {
        own.iter()
            .map(|p| (Some(p.id), p.condition.clone(), p.text.clone()))
            .collect()
    };
    // What a person with each condition is asked: the same rule as `prompts_for`, on the
    // list already in hand.
    let previews = crate::plan::CONDITIONS
        .iter()
        .map(|(code, name)| {
            let mut asked: Vec<String> = set
                .iter()
                .filter(|(_, c, _)| c.as_deref().is_none_or(|c| c == *code))
                .map(|(_, _, t)| t.clone())
                .collect();
            asked.dedup();
            ((*name).to_owned(), asked)
        })
        .collect();
    let prompts = set
        .into_iter()
        .map(|(id, condition, text)| PromptRow {
            id,
            asked_of: condition_name(&condition),
            text,
        })
        .collect();
    Ok(PromptSet {
        organisation_id: org,
        organisation,
        own: !own.is_empty(),
        prompts,
        previews,
    })
}

/// Makes the Year of Care set the practice's own (nothing changes for the people asked).
pub async fn adopt_prompts(state: &AppState, ctx: &StaffCtx) -> Result<(), AppError> {
    let org = opened(ctx)?;
    let txn = crate::state::begin_write(&state.db).await?;
    own_prompts(&txn, org).await?;
    txn.commit().await?;
    Ok(())
}

/// Rewords a prompt. Answers already given keep the wording they were answered against (a
/// pack copies its prompts when it is released).
pub async fn reword_prompt(
    state: &AppState,
    ctx: &StaffCtx,
    id: &str,
    text: &str,
) -> Result<(), AppError> {
    let org = opened(ctx)?;
    let text = question(text)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let own = own_prompts(&txn, org).await?;
    let row = prompt_in(&own, id)?;
    agenda_prompt::Entity::update_many()
        .col_expr(agenda_prompt::Column::Text, Expr::value(text))
        .filter(agenda_prompt::Column::Id.eq(row.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Moves a prompt one place up (`up`) or down the list, swapping with its neighbour.
pub async fn move_prompt(
    state: &AppState,
    ctx: &StaffCtx,
    id: &str,
    up: bool,
) -> Result<(), AppError> {
    let org = opened(ctx)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let own = own_prompts(&txn, org).await?;
    let row = prompt_in(&own, id)?;
    let at = own.iter().position(|p| p.id == row.id).unwrap_or_default();
    let other = if up {
        at.checked_sub(1).and_then(|i| own.get(i))
    } else {
        own.get(at + 1)
    };
    if let Some(other) = other {
        for (id, position) in [(row.id, other.position), (other.id, row.position)] {
            agenda_prompt::Entity::update_many()
                .col_expr(agenda_prompt::Column::Position, Expr::value(position))
                .filter(agenda_prompt::Column::Id.eq(id))
                .exec(&txn)
                .await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Retires a prompt: no pack released from now on asks it; answers already given keep it.
pub async fn retire_prompt(state: &AppState, ctx: &StaffCtx, id: &str) -> Result<(), AppError> {
    let org = opened(ctx)?;
    let txn = crate::state::begin_write(&state.db).await?;
    let own = own_prompts(&txn, org).await?;
    let row = prompt_in(&own, id)?;
    if own.len() == 1 {
        return Err(AppError::Conflict(
            "This is the last question. Add another before you retire it.".into(),
        ));
    }
    agenda_prompt::Entity::delete_by_id(row.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds a prompt to the end of the practice's list, asked of everyone or (with `condition`)
/// only of people with that condition. For an organisation opened to manage its prompts.
pub async fn add_prompt(
    state: &AppState,
    ctx: &StaffCtx,
    condition: Option<&str>,
    text: &str,
) -> Result<(), AppError> {
    let org = opened(ctx)?;
    let text = question(text)?;
    if let Some(code) = condition
        && !crate::plan::CONDITIONS.iter().any(|(c, _)| *c == code)
    {
        return Err(AppError::field(
            "condition",
            "Choose a condition from the list",
        ));
    }
    let txn = crate::state::begin_write(&state.db).await?;
    let own = own_prompts(&txn, org).await?;
    let after = own.iter().map(|p| p.position + 1).max().unwrap_or(0);
    agenda_prompt::ActiveModel {
        id: Set(Uuid::new_v4()),
        organisation_id: Set(org),
        condition: Set(condition.map(str::to_owned)),
        position: Set(after),
        text: Set(text.to_owned()),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}
