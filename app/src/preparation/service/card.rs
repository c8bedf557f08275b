//! Today's review card: the booked review, and how getting ready for it is going. Three reads,
//! however long the person's history.
use super::*;
use crate::preparation::{Questions, ReviewCard};

/// The booked review (the next one, while it has not started), if there is one. `answers` and
/// `results` say whether the viewer may answer the questions and see results: the card shows
/// only what they may.
pub async fn review_card(
    state: &AppState,
    ctx: &Ctx,
    answers: bool,
    results: bool,
) -> Result<Option<ReviewCard>, AppError> {
    let p = ctx.patient();
    let Some(review) = upcoming(&state.db, p.id).await? else {
        return Ok(None);
    };
    if review.starts_at <= state.clock.now() {
        return Ok(None);
    }
    let pack = pack_for(&state.db, review.id)
        .await?
        .filter(|k| k.released_at.is_some());
    let questions = match (&pack, answers) {
        (Some(pack), true) => {
            let rows = agenda_answer::Entity::find()
                .filter(agenda_answer::Column::PackId.eq(pack.id))
                .all(&state.db)
                .await?;
            Some(Questions {
                answered: rows.iter().filter(|a| !a.answer.trim().is_empty()).count(),
                asked: rows.len(),
                sent: pack.submitted_at.is_some(),
            })
        }
        _ => None,
    };
    Ok(Some(ReviewCard {
        review: review_view(p, &review),
        questions,
        results_ready: pack.is_some() && results,
    }))
}
