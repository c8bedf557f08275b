//! The caseload's server functions: who is asking (through the access layer), then the service.
use super::*;

#[server(prefix = "/api/team", endpoint = "caseload")]
pub async fn load_caseload(
    stage: Option<String>,
    overdue: Option<String>,
    page: Option<String>,
) -> Result<CaseloadView, AppError> {
    let (state, session, ctx) =
        crate::care_team::open_staff(crate::access::Permission::ListCaseload, None).await?;
    let filter: CaseloadFilter = crate::session::read(&session, FILTER_KEY)
        .await?
        .unwrap_or_default();
    let stages = StageFilter::parse(stage.as_deref(), overdue.as_deref());
    let page = page.and_then(|p| p.trim().parse::<u64>().ok()).unwrap_or(1);
    service::caseload_page(&state, &ctx, filter, stages, page).await
}

/// Keeps the filters for this browser's caseload page (or clears them).
#[server(prefix = "/api/team", endpoint = "caseload_filter")]
pub async fn filter_caseload(#[server(flatten)] form: CaseloadFilter) -> Result<(), AppError> {
    // The stage filters in the address stay as they were.
    let next = StageFilter::parse(
        form.rest.get("stage").map(String::as_str),
        form.rest.get("overdue").map(String::as_str),
    )
    .address();
    let result = async {
        let (session, _) = crate::session::require_account().await?;
        let clear = form.rest.contains_key("clear");
        let mut filter = if clear {
            CaseloadFilter::default()
        } else {
            form.clone()
        };
        filter.rest.clear();
        service::check(&filter)?;
        crate::session::put(&session, FILTER_KEY, filter).await
    }
    .await;
    crate::forms::finish(
        result,
        "caseload",
        &form,
        "The list is updated.",
        &next,
        &next,
    )
    .await
}
