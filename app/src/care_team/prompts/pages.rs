//! The prompts page: the practice's questions with their controls, and the preview.
use super::*;

fn prompt_card(
    index: usize,
    count: usize,
    row: crate::preparation::PromptRow,
    org: String,
    flash: &Flash,
) -> AnyView {
    let Some(id) = row.id else {
        return view! {
            <li>
                <p class="nhsuk-body nhsuk-u-margin-bottom-1">{row.text.clone()}</p>
                <p class="nhsuk-body-s">{format!("Asked of: {}", row.asked_of)}</p>
            </li>
        }
        .into_any();
    };
    let form_id = format!("prompt-{id}");
    let state = FormState::new(form_id.clone(), flash);
    let small = |name: &'static str,
                 value: &'static str,
                 label: String,
                 class: &'static str,
                 action: &'static str| {
        let org = org.clone();
        view! {
            <form method="post" action=action class="app-inline-form" data-enhance="">
                <IdempotencyKey />
                <input type="hidden" name="organisation_id" value=org />
                <input type="hidden" name="prompt_id" value=id.to_string() />
                <input type="hidden" name=name value=value />
                <button type="submit" class=class>{label}</button>
            </form>
        }
    };
    let number = index + 1;
    view! {
        <li class="app-prompt">
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<RewordPrompt>()} data-enhance="" id=form_id novalidate>
                <IdempotencyKey />
                <input type="hidden" name="organisation_id" value=org.clone() />
                <input type="hidden" name="prompt_id" value=id.to_string() />
                <TextArea state=state.clone() name="text" label=format!("Question {number} (asked of: {})", row.asked_of) value=row.text.clone() rows=2 />
                <button type="submit" class="nhsuk-button nhsuk-button--secondary">
                    "Save wording"<span class="nhsuk-u-visually-hidden">{format!(" of question {number}")}</span>
                </button>
            </form>
            <div class="app-prompt__controls">
                {(index > 0).then(|| small("direction", "up", format!("Move question {number} up"), "app-link-button", crate::ui::post_to::<MovePrompt>()))}
                {(index + 1 < count).then(|| small("direction", "down", format!("Move question {number} down"), "app-link-button", crate::ui::post_to::<MovePrompt>()))}
                {(count > 1).then(|| small("direction", "", format!("Retire question {number}"), "app-link-button", crate::ui::post_to::<RetirePrompt>()))}
            </div>
        </li>
    }
    .into_any()
}

#[component]
pub fn PromptsPage() -> impl IntoView {
    render(load(load_prompts), |v: PromptSet, flash: Flash| {
        let org = v.organisation_id.to_string();
        let count = v.prompts.len();
        let cards = v
            .prompts
            .clone()
            .into_iter()
            .enumerate()
            .map(|(i, row)| prompt_card(i, count, row, org.clone(), &flash))
            .collect_view();
        let add = FormState::new("add-prompt", &flash);
        let mut conditions = vec![(String::new(), "Everyone".to_owned())];
        conditions.extend(
            crate::plan::CONDITIONS
                .iter()
                .map(|(c, n)| ((*c).to_owned(), format!("Only people with {n}"))),
        );
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text="Questions before a review" />
            <p class="nhsuk-body">{format!(
                "Before each review, people of {} get these questions with their results. They answer what they want to talk about.",
                v.organisation
            )}</p>
            {(!v.own).then(|| view! {
                <div class="nhsuk-inset-text">
                    <p>"These are the Year of Care questions. Add a question and they become your practice's own, or make them your own now to change any of them."</p>
                    <form method="post" action={crate::ui::post_to::<AdoptPrompts>()} data-enhance="">
                        <IdempotencyKey />
                        <input type="hidden" name="organisation_id" value=org.clone() />
                        <button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0">"Make these our own"</button>
                    </form>
                </div>
            })}
            <h2 class="nhsuk-heading-m">"Your questions, in order"</h2>
            <ol class="nhsuk-list nhsuk-list--number app-prompts">{cards}</ol>
            <h2 class="nhsuk-heading-m">"Add a question"</h2>
            <ErrorSummary state=add.clone() />
            <form method="post" action={crate::ui::post_to::<AddPrompt>()} data-enhance="" id="add-prompt" novalidate>
                <IdempotencyKey />
                <input type="hidden" name="organisation_id" value=org.clone() />
                <TextArea state=add.clone() name="text" label="The question".into() value=String::new() rows=2 />
                <Select state=add.clone() name="condition" label="Who is asked it?" options=conditions value=String::new() />
                <button type="submit" class="nhsuk-button">"Add the question"</button>
            </form>
            <h2 class="nhsuk-heading-m">"What people will see"</h2>
            {v.previews.iter().map(|(condition, asked)| view! {
                <details class="nhsuk-details">
                    <summary class="nhsuk-details__summary">
                        <span class="nhsuk-details__summary-text">{format!("Someone with {condition}")}</span>
                    </summary>
                    <div class="nhsuk-details__text">
                        <ol class="nhsuk-list nhsuk-list--number">
                            {asked.iter().map(|q| view! { <li>{q.clone()}</li> }).collect_view()}
                        </ol>
                    </div>
                </details>
            }).collect_view()}
        }
    })
}
