//! The person's preparation page, and their answers: a draft until they send them.
use super::*;
use sea_orm::QuerySelect as _;

/// The pack the person is preparing with: the latest one released for a review.
pub async fn current_pack(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<Option<preparation_pack::Model>, AppError> {
    Ok(preparation_pack::Entity::find()
        .filter(preparation_pack::Column::PatientId.eq(patient_id))
        .filter(preparation_pack::Column::ReviewId.is_not_null())
        .filter(preparation_pack::Column::ReleasedAt.is_not_null())
        .order_by_desc(preparation_pack::Column::ReleasedAt)
        .one(db)
        .await?)
}

/// A pack as the person (and the care team) see it.
pub async fn pack_view(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    p: &patient::Model,
    pack: &preparation_pack::Model,
) -> Result<PackView, AppError> {
    let review = match pack.review_id {
        Some(id) => review::Entity::find_by_id(id).one(db).await?,
        None => None,
    };
    pack_view_with(db, now, p, pack, review).await
}

/// [`pack_view`] for a pack whose review the caller has already read.
pub async fn pack_view_with(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    p: &patient::Model,
    pack: &preparation_pack::Model,
    review: Option<review::Model>,
) -> Result<PackView, AppError> {
    let (answers, sender) = answers_and_sender(db, pack.id).await?;
    let submitted = match (pack.submitted_at, pack.submitted_by) {
        (Some(at), Some(_)) => Some(format!(
            "Sent by {} on {}",
            sender.unwrap_or_else(|| "Someone".into()),
            when_words(p, at)
        )),
        _ => None,
    };
    let editable = review
        .as_ref()
        .is_some_and(|r| r.status == ReviewStatus::Scheduled.code() && r.starts_at > now);
    Ok(PackView {
        released_on: pack
            .released_at
            .map(|at| long_date(at.with_timezone(&zone(p)).date_naive()))
            .unwrap_or_default(),
        opened: pack.opened_at.is_some(),
        submitted,
        editable,
        answers: answers
            .into_iter()
            .map(|a| AgendaAnswerView {
                position: a.position,
                prompt: a.prompt,
                answer: a.answer,
            })
            .collect(),
    })
}

/// A pack's answers in order, and the name of who sent them (if anyone has): one statement,
/// the pack's row leading so the name comes even when the pack has no questions.
async fn answers_and_sender(
    db: &impl ConnectionTrait,
    pack_id: Uuid,
) -> Result<(Vec<agenda_answer::Model>, Option<String>), AppError> {
    use sea_orm::sea_query::{Alias, ExprTrait as _, JoinType, Order, Query};
    let (k, a, s) = (Alias::new("k"), Alias::new("a"), Alias::new("s"));
    let mut q = Query::select();
    crate::db::every_column::<agenda_answer::Entity>(&mut q, "a");
    q.expr_as(
        Expr::col((s.clone(), account::Column::DisplayName)),
        Alias::new("sender"),
    )
    .from_as(preparation_pack::Entity, k.clone())
    .join_as(
        JoinType::LeftJoin,
        account::Entity,
        s.clone(),
        Expr::col((s, account::Column::Id))
            .equals((k.clone(), preparation_pack::Column::SubmittedBy)),
    )
    .join_as(
        JoinType::LeftJoin,
        agenda_answer::Entity,
        a.clone(),
        Expr::col((a.clone(), agenda_answer::Column::PackId))
            .equals((k.clone(), preparation_pack::Column::Id)),
    )
    .and_where(Expr::col((k, preparation_pack::Column::Id)).eq(pack_id))
    .order_by((a, agenda_answer::Column::Position), Order::Asc);
    let (sender, answers) = crate::db::led_rows(&db.query_all(&q).await?, "sender", "a")?;
    Ok((answers, sender))
}

/// The person's preparation page. Opening it marks the pack as opened for the care team.
pub async fn preparation(state: &AppState, ctx: &Ctx) -> Result<PreparationView, AppError> {
    let now = state.clock.now();
    // The booked review with its pack, in one statement.
    let (review, pack) = match review::Entity::find()
        .select_also(preparation_pack::Entity)
        .join_rev(
            sea_orm::JoinType::LeftJoin,
            preparation_pack::Entity::belongs_to(review::Entity)
                .from(preparation_pack::Column::ReviewId)
                .to(review::Column::Id)
                .into(),
        )
        .filter(review::Column::PatientId.eq(ctx.patient().id))
        .filter(review::Column::Status.eq(ReviewStatus::Scheduled.code()))
        .order_by_asc(review::Column::StartsAt)
        .one(&state.db)
        .await?
    {
        Some((review, pack)) => (Some(review), pack),
        None => (None, None),
    };
    let pack_view = match &pack {
        Some(pack) => {
            if pack.opened_at.is_none() {
                // Like the access log, the care team's "opened" is a record of a read: one
                // conditional statement, so two loads at once set it once, to the first.
                preparation_pack::Entity::update_many()
                    .col_expr(preparation_pack::Column::OpenedAt, Expr::value(now))
                    .filter(preparation_pack::Column::Id.eq(pack.id))
                    .filter(preparation_pack::Column::OpenedAt.is_null())
                    .exec(&state.db)
                    .await?;
            }
            Some(pack_view_with(&state.db, now, ctx.patient(), pack, review.clone()).await?)
        }
        None => None,
    };
    Ok(PreparationView {
        review: review.as_ref().map(|r| review_view(ctx.patient(), r)),
        pack: pack_view,
        viewing: crate::plan::service::viewing(state, ctx).await?,
    })
}

/// Saves the person's answers; `send` also sends them to the care team. Allowed until the
/// review starts.
pub async fn save_answers(
    state: &AppState,
    ctx: &Ctx,
    answers: &BTreeMap<String, String>,
    send: bool,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let review = upcoming(&state.db, ctx.patient().id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pack = pack_for(&state.db, review.id)
        .await?
        .ok_or(AppError::NotFound)?;
    if review.starts_at <= now {
        return Err(AppError::Conflict(
            "Your review has started, so these answers can no longer change.".into(),
        ));
    }
    let rows = agenda_answer::Entity::find()
        .filter(agenda_answer::Column::PackId.eq(pack.id))
        .all(&state.db)
        .await?;
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for row in &rows {
        let field = format!("answer_{}", row.position);
        if let Some(text) = answers.get(&field)
            && text.chars().count() > MAX_ANSWER
        {
            errors.insert(
                field,
                vec![format!(
                    "This answer is too long. Keep it to {MAX_ANSWER} characters or fewer."
                )],
            );
        }
    }
    let written = |row: &agenda_answer::Model| {
        answers
            .get(&format!("answer_{}", row.position))
            .map(|t| t.trim().to_owned())
            .unwrap_or_else(|| row.answer.clone())
    };
    if send && errors.is_empty() && rows.iter().all(|r| written(r).is_empty()) {
        let first = rows.iter().map(|r| r.position).min().unwrap_or(0);
        errors.insert(
            format!("answer_{first}"),
            vec!["Write an answer to at least one question before you send them".into()],
        );
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let txn = crate::state::begin_write(&state.db).await?;
    for row in rows {
        let text = written(&row);
        if text != row.answer {
            let mut active: agenda_answer::ActiveModel = row.into();
            active.answer = Set(text);
            active.updated_at = Set(Some(now));
            active.updated_by = Set(Some(ctx.actor().account_id));
            active.update(&txn).await?;
        }
    }
    if send {
        let mut active: preparation_pack::ActiveModel = pack.into();
        active.submitted_at = Set(Some(now));
        active.submitted_by = Set(Some(ctx.actor().account_id));
        active.update(&txn).await?;
        // No more "you have not answered the questions".
        crate::events::record(
            &txn,
            now,
            crate::events::Event::PersonChanged {
                patient: ctx.patient().id,
            },
        )
        .await?;
    }
    txn.commit().await?;
    state.react().await;
    Ok(())
}
