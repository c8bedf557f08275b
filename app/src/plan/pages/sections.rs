//! The plan's other pages: about me, the contingency plan, support and signposting, and the history.
use super::*;

// ---------- About me ----------

#[component]
pub fn AboutMePage() -> impl IntoView {
    render(load(my_plan), |plan: PlanView, flash: Flash| {
        let state = FormState::new("about-me", &flash);
        let about = plan.about_me.clone();
        let fields = ABOUT_ME_FIELDS
            .iter()
            .zip(about.values())
            .map(|((name, label, hint), value)| {
                view! { <TextArea state=state.clone() name=*name label=label.to_string() hint=hint value=value.clone() rows=4 /> }
            })
            .collect_view();
        view! {
            {back_link("/plan#about-me".into(), "Back to your plan")}
            <PageHeading text="About me" />
            <p class="nhsuk-body">"Tell the people who support you what they should know about you. Write as much or as little as you like."</p>
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::plan::api::SaveAboutMe>()} data-enhance="" id="about-me" novalidate>
                <IdempotencyKey />
                {fields}
                <button type="submit" class="nhsuk-button">"Save"</button>
            </form>
        }
    })
}

// ---------- Contingency ----------

#[component]
pub(super) fn ContactList(
    contacts: Vec<crate::plan::ContactView>,
    removable: bool,
) -> impl IntoView {
    (!contacts.is_empty()).then(|| {
        view! {
            <h3 class="nhsuk-heading-s">"Who to contact"</h3>
            <ul class="nhsuk-list">
                {contacts.into_iter().map(|c| view! {
                    <li class="app-contact">
                        <strong>{c.name.clone()}</strong>
                        {(!c.role.is_empty()).then(|| format!(" ({})", c.role))}
                        ": "<a href=format!("tel:{}", c.tel)>{format!("Call {}", c.phone)}</a>
                        {removable.then(|| view! {
                            <form method="post" action={crate::ui::post_to::<crate::plan::api::RemoveContact>()} data-enhance="" class="app-inline-form">
                                <IdempotencyKey />
                                <input type="hidden" name="id" value=c.id.to_string() />
                                <button type="submit" class="app-link-button">
                                    "Remove"<span class="nhsuk-u-visually-hidden">{format!(" {}", c.name)}</span>
                                </button>
                            </form>
                        })}
                    </li>
                }).collect_view()}
            </ul>
        }
    })
}

/// The contingency plan and its contacts, as forms: the person's own page posts them to their
/// plan; the care team's page, writing it with them, posts them naming the person.
#[component]
pub(crate) fn ContingencyForms(
    plan: PlanView,
    flash: Flash,
    #[prop(default = crate::ui::post_to::<crate::plan::api::SaveContingency>())]
    post_to: &'static str,
    #[prop(default = crate::ui::post_to::<crate::plan::api::AddContact>())]
    add_contact_to: &'static str,
    #[prop(optional)] patient: Option<Uuid>,
) -> impl IntoView {
    let state = FormState::new("contingency", &flash);
    let contact = FormState::new("contact", &flash);
    let fields = CONTINGENCY_FIELDS
        .iter()
        .zip(plan.contingency.values())
        .map(|((name, label, hint), value)| {
            view! { <TextArea state=state.clone() name=*name label=label.to_string() hint=hint value=value.clone() rows=4 /> }
        })
        .collect_view();
    let patient_field = move || {
        patient.map(|p| view! { <input type="hidden" name="patient_id" value=p.to_string() /> })
    };
    view! {
        <ErrorSummary state=state.clone() />
        <form method="post" action=post_to data-enhance="" id="contingency" novalidate>
            <IdempotencyKey />
            {patient_field()}
            {fields}
            <button type="submit" class="nhsuk-button">"Save"</button>
        </form>
        <h2 class="nhsuk-heading-m">"People to contact"</h2>
        // Removing a contact is the person's own choice, on their own page.
        <ContactList contacts=plan.contacts.clone() removable=patient.is_none() />
        <ErrorSummary state=contact.clone() />
        <form method="post" action=add_contact_to data-enhance="" id="contact" novalidate>
            <IdempotencyKey />
            {patient_field()}
            <TextField state=contact.clone() name="name" label="Name".into() hint="A person or a service, like NHS 111." value=String::new() />
            <TextField state=contact.clone() name="role" label="Who they are (optional)".into() hint="For example: my daughter, practice nurse." value=String::new() />
            <TextField state=contact.clone() name="phone" label="Phone number".into() kind="tel" class="nhsuk-input--width-20" autocomplete="tel" value=String::new() />
            <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Add contact"</button>
        </form>
    }
}

#[component]
pub fn ContingencyPage() -> impl IntoView {
    render(load(my_plan), |plan: PlanView, flash: Flash| {
        view! {
            <Notice flash=flash.clone() />
            {back_link("/plan#contingency".into(), "Back to your plan")}
            <PageHeading text="If things get worse" />
            <p class="nhsuk-body">"Plan now for a bad day, so you and the people around you know what to do."</p>
            <ContingencyForms plan=plan flash=flash />
        }
    })
}

// ---------- Support ----------

#[component]
pub fn SupportPage() -> impl IntoView {
    render(load(my_plan), |plan: PlanView, flash: Flash| {
        let items = plan
            .support
            .iter()
            .map(|s| {
                let st = FormState::new(format!("support-{}", s.id), &flash);
                view! {
                    <div class="nhsuk-card">
                        <div class="nhsuk-card__content">
                            <h2 class="nhsuk-card__heading nhsuk-heading-s">{s.name.clone()}</h2>
                            <dl class="nhsuk-summary-list">
                                {row("Why", s.why.clone())}
                                {row("How to contact", s.contact.clone())}
                                {row("For the goal", s.goal_title.clone().unwrap_or_default())}
                            </dl>
                            <form method="post" action={crate::ui::post_to::<crate::plan::api::SupportStatus>()} data-enhance="" id=format!("support-{}", s.id)>
                                <IdempotencyKey />
                                <input type="hidden" name="id" value=s.id.to_string() />
                                <Radios state=st name="status" legend=format!("How is {} going?", s.name) options=options(&SUPPORT_STATUSES) value=s.status.clone() inline=true />
                                <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Save"<span class="nhsuk-u-visually-hidden">{format!(" how {} is going", s.name)}</span></button>
                            </form>
                        </div>
                    </div>
                }
            })
            .collect_view();
        view! {
            <Notice flash=flash.clone() />
            {back_link("/plan#support".into(), "Back to your plan")}
            <PageHeading text="Support and groups" />
            <p class="nhsuk-body">"Groups, services and activities in your area that could help, and how they are going for you."</p>
            {items}
            <h2 class="nhsuk-heading-m">"Add a service or group"</h2>
            <SupportForm plan=plan.clone() flash=flash />
        }
    })
}

/// Adding a service or group to the plan's support and signposting: on the person's page, or
/// on the care team's, naming the person.
#[component]
pub(crate) fn SupportForm(
    plan: PlanView,
    flash: Flash,
    #[prop(default = crate::ui::post_to::<crate::plan::api::AddSupport>())] post_to: &'static str,
    #[prop(optional)] patient: Option<Uuid>,
) -> impl IntoView {
    let state = FormState::new("support", &flash);
    let mut goals = vec![(String::new(), "Not linked to a goal".to_owned())];
    goals.extend(
        plan.goals
            .iter()
            .map(|g| (g.id.to_string(), g.title.clone())),
    );
    let goal_id = state.field_id("goal");
    let goal_errors = state.errors("goal");
    view! {
        <ErrorSummary state=state.clone() />
        <form method="post" action=post_to data-enhance="" id="support" novalidate>
            <IdempotencyKey />
            {patient.map(|p| view! { <input type="hidden" name="patient_id" value=p.to_string() /> })}
            <TextField state=state.clone() name="name" label="Name of the service or group".into() hint="For example: Riverside walking group." value=String::new() />
            <TextArea state=state.clone() name="why" label="Why it might help (optional)".into() value=String::new() />
            <TextField state=state.clone() name="contact" label="How to contact them (optional)".into() value=String::new() />
            <div class=if goal_errors.is_empty() { "nhsuk-form-group" } else { "nhsuk-form-group nhsuk-form-group--error" }>
                <label class="nhsuk-label" for=goal_id.clone()>"Which goal is it for? (optional)"</label>
                {(!goal_errors.is_empty()).then(|| view! { <span class="nhsuk-error-message"><span class="nhsuk-u-visually-hidden">"Error: "</span>{goal_errors.join(". ")}</span> })}
                <select class="nhsuk-select" id=goal_id name="goal">
                    {goals.into_iter().map(|(v, l)| view! { <option value=v>{l}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Add"</button>
        </form>
    }
}

// ---------- History ----------

#[component]
pub fn HistoryPage() -> impl IntoView {
    render(
        load(plan_history),
        |history: crate::plan::HistoryView, _flash: Flash| {
            let changes = history.changes;
            let whose = history.viewing.whose_lower();
            view! {
                {back_link("/plan".into(), format!("Back to {whose} plan"))}
                <PageHeading text=format!("Changes to {whose} plan") />
                <p class="nhsuk-body">{format!("Every change to {whose} plan, newest first: who made it, when, and what it was before.")}</p>
                {changes.is_empty().then(|| view! { <p class="nhsuk-body">"No changes yet."</p> })}
                <ol class="nhsuk-list app-history">
                    {changes.into_iter().map(|c| {
                        let who = match c.kind.as_str() {
                            "carer" => format!("{} (carer)", c.by),
                            "professional" => format!("{} (care team)", c.by),
                            _ => c.by.clone(),
                        };
                        view! {
                            <li class="app-history__item">
                                <h2 class="nhsuk-heading-xs">{c.summary.clone()}</h2>
                                <p class="nhsuk-body-s">{format!("{} – by {who} on {}", c.section, c.at)}</p>
                                <table class="nhsuk-table">
                                    <caption class="nhsuk-u-visually-hidden">{format!("What changed: {}", c.summary)}</caption>
                                    <thead class="nhsuk-table__head">
                                        <tr class="nhsuk-table__row">
                                            <th class="nhsuk-table__header" scope="col">"What"</th>
                                            <th class="nhsuk-table__header" scope="col">"Before"</th>
                                            <th class="nhsuk-table__header" scope="col">"After"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="nhsuk-table__body">
                                        {c.changes.into_iter().map(|f| view! {
                                            <tr class="nhsuk-table__row">
                                                <td class="nhsuk-table__cell">{f.field}</td>
                                                <td class="nhsuk-table__cell app-pre-line">{if f.before.is_empty() { "(empty)".to_owned() } else { f.before }}</td>
                                                <td class="nhsuk-table__cell app-pre-line">{if f.after.is_empty() { "(empty)".to_owned() } else { f.after }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            }
        },
    )
}
