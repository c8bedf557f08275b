//! The results feature's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/results", endpoint = "list")]
pub async fn load_results() -> Result<Vec<ResultSummary>, AppError> {
    let (state, ctx) = service::ctx().await?;
    crate::state::remembered::page(&state, ctx.remembered_as("results", ""), || async {
        Ok(crate::state::remembered::Fresh::for_the_day(
            service::summaries(&state, &ctx).await?,
        ))
    })
    .await
}

#[server(prefix = "/api/results", endpoint = "detail")]
pub async fn load_result(code: String) -> Result<ResultDetail, AppError> {
    let (state, ctx) = service::ctx().await?;
    crate::state::remembered::page(&state, ctx.remembered_as("result", &code), || async {
        Ok(crate::state::remembered::Fresh::for_the_day(
            service::detail(&state, &ctx, &code).await?,
        ))
    })
    .await
}
