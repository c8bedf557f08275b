//! Today's review card: the booked review, and how getting ready for it is going; with the
//! plan's own review facts (next review due by, when it was agreed). One read, however long
//! the person's history (#21).
use sea_orm::FromQueryResult as _;
use sea_orm::sea_query::{Alias, ExprTrait as _, JoinType, Order, Query};

use crate::db::every_column;

use super::*;
use crate::preparation::{Questions, ReviewCard};

/// What Today shows about reviews: the card while a review is booked, and the plan's row.
#[derive(Debug, Default)]
pub struct ReviewState {
    pub card: Option<ReviewCard>,
    pub plan: Option<plan::Model>,
    /// When the booked review starts: the card goes then (the page changes by time alone).
    pub starts_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The booked review (the next one, while it has not started), if there is one, and the
/// plan's row, in one statement. `answers` and `results` say whether the viewer may answer the
/// questions and see results: the card shows only what they may.
pub async fn review_state(
    state: &AppState,
    ctx: &Ctx,
    answers: bool,
    results: bool,
) -> Result<ReviewState, AppError> {
    let p = ctx.patient();
    let next = Query::select()
        .column(review::Column::Id)
        .from(review::Entity)
        .and_where(review::Column::PatientId.eq(p.id))
        .and_where(review::Column::Status.eq(ReviewStatus::Scheduled.code()))
        .order_by(review::Column::StartsAt, Order::Asc)
        .limit(1)
        .to_owned();
    let count = |non_empty: bool| {
        let mut q = Query::select()
            .expr(Expr::col((agenda_answer::Entity, agenda_answer::Column::Id)).count())
            .from(agenda_answer::Entity)
            .and_where(
                Expr::col((agenda_answer::Entity, agenda_answer::Column::PackId))
                    .equals((Alias::new("k"), preparation_pack::Column::Id)),
            )
            .to_owned();
        if non_empty {
            q.and_where(Expr::cust("TRIM(agenda_answers.answer)").ne(""));
        }
        Expr::SubQuery(None, Box::new(q.into()))
    };
    let mut q = Query::select();
    every_column::<plan::Entity>(&mut q, "pl");
    every_column::<review::Entity>(&mut q, "r");
    every_column::<preparation_pack::Entity>(&mut q, "k");
    q.expr_as(count(false), Alias::new("asked"))
        .expr_as(count(true), Alias::new("answered"))
        .from_as(patient::Entity, Alias::new("p"))
        .join_as(
            JoinType::LeftJoin,
            plan::Entity,
            Alias::new("pl"),
            Expr::col((Alias::new("pl"), plan::Column::PatientId))
                .equals((Alias::new("p"), patient::Column::Id)),
        )
        .join_as(
            JoinType::LeftJoin,
            review::Entity,
            Alias::new("r"),
            Expr::col((Alias::new("r"), review::Column::Id)).in_subquery(next),
        )
        .join_as(
            JoinType::LeftJoin,
            preparation_pack::Entity,
            Alias::new("k"),
            Expr::col((Alias::new("k"), preparation_pack::Column::ReviewId))
                .equals((Alias::new("r"), review::Column::Id)),
        )
        .and_where(Expr::col((Alias::new("p"), patient::Column::Id)).eq(p.id));
    let Some(row) = state.db.query_one(&q).await? else {
        return Ok(ReviewState::default());
    };
    let plan_row = plan::Model::from_query_result_optional(&row, "pl_")?;
    let review = review::Model::from_query_result_optional(&row, "r_")?
        .filter(|r| r.starts_at > state.clock.now());
    let Some(review) = review else {
        return Ok(ReviewState {
            card: None,
            plan: plan_row,
            starts_at: None,
        });
    };
    let pack = preparation_pack::Model::from_query_result_optional(&row, "k_")?
        .filter(|k| k.released_at.is_some());
    let questions = match (&pack, answers) {
        (Some(pack), true) => {
            let number = |col: &str| -> Result<usize, AppError> {
                Ok(usize::try_from(row.try_get::<i64>("", col)?).unwrap_or(0))
            };
            Some(Questions {
                answered: number("answered")?,
                asked: number("asked")?,
                sent: pack.submitted_at.is_some(),
            })
        }
        _ => None,
    };
    Ok(ReviewState {
        card: Some(ReviewCard {
            review: review_view(p, &review),
            questions,
            results_ready: pack.is_some() && results,
        }),
        plan: plan_row,
        starts_at: Some(review.starts_at),
    })
}
