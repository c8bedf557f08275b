//! The sharing page.
use super::*;

#[component]
pub fn SharingPage() -> impl IntoView {
    render(load(load_sharing), |v: SharingView, flash: Flash| {
        let state = FormState::new("share", &flash);
        let shared = if v.shared.is_empty() {
            view! { <p class="nhsuk-body">"You do not share your plan with any other team."</p> }
                .into_any()
        } else {
            view! {
                <ul class="nhsuk-list">
                    {v.shared.iter().map(|o| view! {
                        <li class="app-shared-org">
                            <p class="nhsuk-body nhsuk-u-margin-bottom-2"><strong>{o.name.clone()}</strong>{format!(". Shared since {}.", o.since)}</p>
                            <form method="post" action={crate::ui::post_to::<crate::sharing::StopSharing>()} data-enhance="" class="app-inline-form">
                                <IdempotencyKey />
                                <input type="hidden" name="organisation" value=o.id.to_string() />
                                <button type="submit" class="nhsuk-button nhsuk-button--secondary">
                                    {format!("Stop sharing with {}", o.name)}
                                </button>
                            </form>
                        </li>
                    }).collect_view()}
                </ul>
            }
            .into_any()
        };
        let form = if v.choices.is_empty() {
            view! { <p class="nhsuk-body">"There are no other teams to share with yet."</p> }
                .into_any()
        } else {
            view! {
                <ErrorSummary state=state.clone() />
                <form method="post" action={crate::ui::post_to::<crate::sharing::Share>()} data-enhance="" id="share" novalidate>
                    <IdempotencyKey />
                    <Radios state=state.clone() name="organisation" legend="Which team?".into()
                        options=v.choices.clone() value="" />
                    <button type="submit" class="nhsuk-button">"Share my plan"</button>
                </form>
            }
            .into_any()
        };
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text="Who can see your plan" />
            <p class="nhsuk-body">{format!("{} can always see your plan, because they look after you.", v.practice)}</p>
            <h2 class="nhsuk-heading-m">"Other teams you share with"</h2>
            {shared}
            <h2 class="nhsuk-heading-m">"Share with another team"</h2>
            <p class="nhsuk-body">"A team you share with can see your plan, your results and what you wrote for your review. They can help you change your plan. You can stop sharing at any time, and they will not see it any more."</p>
            {form}
        }
    })
}
