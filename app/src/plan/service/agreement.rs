//! Agreeing the plan together, and its history.
use super::*;

pub(super) fn agreement_of(
    ctx: &Ctx,
    row: &plan::Model,
    latest: &super::read::LatestChanges,
) -> Option<Agreement> {
    let (Some(at), Some(written_by), Some(with)) = (
        row.agreed_at,
        row.written_by.clone(),
        row.agreed_with.clone(),
    ) else {
        return None;
    };
    // Changed since when any section other than the agreement itself changed after it.
    let changed_since = latest
        .iter()
        .any(|(section, (when, _, _))| section != AGREED_SECTION && *when > at);
    let tz = crate::clock::zone(&ctx.patient().time_zone);
    Some(Agreement {
        on: schedule::long_date(at.with_timezone(&tz).date_naive()),
        written_by,
        with,
        representative: row.representative.clone(),
        changed_since,
    })
}

/// The history's section for agreeing the plan.
pub(super) const AGREED_SECTION: &str = "agreed";

/// What a professional records when the plan is agreed in the conversation.
pub struct Agreeing {
    /// `person` or `representative`.
    pub with: String,
    pub representative: Option<String>,
    pub next_review: NaiveDate,
    /// "Dr Priya Shah, Riverside Medical Practice".
    pub written_by: String,
}

/// Marks the plan agreed, with who wrote it and when it is next reviewed; the history says so.
pub async fn agree(state: &AppState, ctx: &Ctx, a: Agreeing) -> Result<(), AppError> {
    let txn = crate::state::begin_write(&state.db).await?;
    plan::Entity::insert(plan::ActiveModel {
        patient_id: Set(ctx.patient().id),
        review_date: Set(Some(a.next_review)),
        agreed_at: Set(Some(state.clock.now())),
        agreed_by: Set(Some(ctx.actor().account_id)),
        written_by: Set(Some(a.written_by.clone())),
        agreed_with: Set(Some(a.with.clone())),
        representative: Set(a.representative.clone()),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(plan::Column::PatientId)
            .update_columns([
                plan::Column::ReviewDate,
                plan::Column::AgreedAt,
                plan::Column::AgreedBy,
                plan::Column::WrittenBy,
                plan::Column::AgreedWith,
                plan::Column::Representative,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let summary = match &a.representative {
        Some(r) => format!("Agreed the plan with your representative, {r}"),
        None => "Agreed the plan with you".to_owned(),
    };
    let change = FieldChange {
        field: "Next review".into(),
        before: String::new(),
        after: schedule::long_date(a.next_review),
    };
    record_change(&txn, state, ctx, AGREED_SECTION, None, summary, &[change]).await?;
    txn.commit().await?;
    Ok(())
}

pub(super) fn change_view(c: plan_change::Model) -> ChangeView {
    ChangeView {
        at: c.at.format("%-d %B %Y at %H:%M").to_string(),
        by: c.actor_name,
        kind: c.actor_kind,
        section: match c.section.as_str() {
            "about_me" => "About me",
            "goals" => "Goals and actions",
            "contingency" => "If things get worse",
            "support" => "Support and groups",
            AGREED_SECTION => "Plan agreed",
            _ => "Plan",
        }
        .to_owned(),
        summary: c.summary,
        changes: serde_json::from_str(&c.detail).unwrap_or_default(),
    }
}
