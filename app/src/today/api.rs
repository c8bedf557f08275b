//! Today's server function: who is asking (through the access layer), then the plan's and
//! preparation's services.
use super::*;
#[cfg(feature = "ssr")]
use crate::access::Permission;

/// The Today page: the plan's part and the review card; `None` for someone who has no plan
/// (care-team staff).
#[server(prefix = "/api/today", endpoint = "page")]
pub async fn load_today() -> Result<Option<TodayPageView>, AppError> {
    let state = crate::state::app_state()?;
    let (session, account) = crate::session::require_account().await?;
    let Some(patient) = crate::access::current_person(&state, &session, account).await? else {
        return Ok(None);
    };
    // A carer whose grant does not cover the plan sees no actions here.
    let ctx =
        match crate::plan::service::for_patient(&state, account, Permission::ReadPlan, patient)
            .await
        {
            Ok(ctx) => ctx,
            Err(AppError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        };
    crate::auth::audit::carer_access(&state, &ctx, Permission::ReadPlan).await?;
    let page = crate::state::remembered::page(&state, ctx.remembered_as("today", ""), || async {
        let viewing = crate::plan::service::viewing(&state, &ctx).await?;
        let reviews = crate::preparation::service::review_state(
            &state,
            &ctx,
            viewing.answer_agenda,
            viewing.read_results,
        )
        .await?;
        let plan = crate::plan::service::today_with(&state, &ctx, viewing, reviews.plan).await?;
        // The page changes by time alone when the review starts or the oldest news goes.
        let until = [plan.until, reviews.starts_at].into_iter().flatten().min();
        Ok(crate::state::remembered::Fresh {
            value: TodayPageView {
                plan: plan.value,
                card: reviews.card,
            },
            until,
        })
    })
    .await?;
    Ok(Some(page))
}
