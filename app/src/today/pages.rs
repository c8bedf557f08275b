//! The Today page.
use super::*;

#[component]
pub fn TodayPage() -> impl IntoView {
    let data = ArcResource::new_blocking(
        || (),
        |_| async {
            let today = load_today().await;
            let flash = take_flash().await.unwrap_or_default();
            (today, flash)
        },
    );
    require_sign_in(move |viewer| {
        let tools = viewer.tools;
        let staff = tools.any();
        // Sharing and carers are the person's own choices, never a carer's.
        let own = viewer.acting_for.is_none();
        let carer = viewer.roles.iter().any(|r| r == "carer");
        let plan_owner = viewer.roles.iter().any(|r| r == "patient");
        let name = viewer.display_name.clone();
        let data = data.clone();
        view! {
            <Suspense>
                {move || {
                    let name = name.clone();
                    let data = data.clone();
                    Suspend::new(async move {
                        let (today, flash): (_, Flash) = data.await;
                        let plan = match today {
                            Ok(Some(t)) => Some(t),
                            Ok(None) => None,
                            Err(err) => return view! {
                                <PageHeading text="Sorry, there is a problem" />
                                <p class="nhsuk-body">{err.to_string()}</p>
                            }.into_any(),
                        };
                        view! {
                            <PageContent>
                                <Notice flash=flash.clone() />
                                <PageHeading text="Today" />
                                <p class="nhsuk-body-l">{format!("Hello, {name}.")}</p>
                                {plan.map(|t| {
                                    let v = t.viewing.clone();
                                    let whose = v.whose();
                                    let whose_lower = v.whose_lower();
                                    let nothing = if t.has_actions {
                                        view! { <p class="nhsuk-body">"Nothing is due today. Well done for keeping going."</p> }.into_any()
                                    } else if v.change_plan {
                                        view! { <p class="nhsuk-body">"No actions yet. " <a href="/plan/goals/new">"Add a goal"</a>" to get started."</p> }.into_any()
                                    } else {
                                        view! { <p class="nhsuk-body">"No actions yet."</p> }.into_any()
                                    };
                                    view! {
                                        <h2 class="nhsuk-heading-m">{format!("To do today, {}", t.today_label)}</h2>
                                        {if t.due.is_empty() { nothing } else {
                                            t.due.iter().cloned().map(|a| view! { <TodayActionCard action=a flash=flash.clone() /> }).collect_view().into_any()
                                        }}
                                        <h2 class="nhsuk-heading-m">{format!("{whose} next review")}</h2>
                                        <p class="nhsuk-body">{match (&t.review_date, &t.review_with) {
                                            (Some(d), Some(w)) => format!("{d}, with {w}."),
                                            (Some(d), None) => format!("{d}."),
                                            _ => "No review is booked yet.".to_owned(),
                                        }}</p>
                                        {(!t.news.is_empty()).then(|| view! {
                                            <h2 class="nhsuk-heading-m">{format!("New from {whose_lower} care team")}</h2>
                                            <ul class="nhsuk-list nhsuk-list--bullet">
                                                {t.news.iter().map(|c| view! {
                                                    <li>{format!("{}, by {} on {}.", c.summary, c.by, c.at)}</li>
                                                }).collect_view()}
                                            </ul>
                                            <p class="nhsuk-body"><a href="/plan/history">{format!("See every change to {whose_lower} plan")}</a></p>
                                        })}
                                        <ul class="nhsuk-list">
                                            <li><a href="/plan">{format!("See {whose_lower} whole plan")}</a></li>
                                            {v.answer_agenda.then(|| view! { <li><a href="/preparation">{format!("Get ready for {whose_lower} review")}</a></li> })}
                                            {v.read_results.then(|| view! { <li><a href="/results">{format!("{whose} results")}</a></li> })}
                                            {own.then(|| view! {
                                                <li><a href="/sharing">"Who can see your plan"</a></li>
                                                <li><a href="/carers">"People who help you"</a></li>
                                            })}
                                        </ul>
                                    }
                                })}
                                {staff.then(|| view! {
                                    <h2 class="nhsuk-heading-m">"Care team"</h2>
                                    <ul class="nhsuk-list">
                                        {tools.caseload.then(|| view! { <li><a href="/team">"Caseload"</a></li> })}
                                        {tools.add_patients.then(|| view! { <li><a href="/team/patients/new">"Add a person"</a></li> })}
                                        {tools.reviews.then(|| view! { <li><a href="/team/reviews">"Upcoming reviews"</a></li> })}
                                        {tools.import.then(|| view! { <li><a href="/team/results/import">"Import results"</a></li> })}
                                        {tools.invitations.then(|| view! { <li><a href="/team/invitations">"Invitation links"</a></li> })}
                                        {tools.members.then(|| view! { <li><a href="/team/members">"Members of your organisation"</a></li> })}
                                    </ul>
                                })}
                                <h2 class="nhsuk-heading-m">"Your account"</h2>
                                <ul class="nhsuk-list">
                                    {carer.then(|| view! { <li><a href="/people">"People you help"</a></li> })}
                                    {(plan_owner || carer).then(|| view! { <li><a href="/account/reminders">"Reminders"</a></li> })}
                                    <li><a href="/account/access-log">"Who has looked at your record"</a></li>
                                    <li><a href="/account/passkeys">"Your passkeys"</a></li>
                                    <li><a href="/account/devices">"Your devices"</a></li>
                                    <li><a href="/account/recovery-codes">"Recovery codes"</a></li>
                                </ul>
                                <form method="post" action={crate::ui::post_to::<crate::auth::passkeys::SignOut>()}>
                                    <IdempotencyKey />
                                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Sign out"</button>
                                </form>
                            </PageContent>
                        }.into_any()
                    })
                }}
            </Suspense>
        }
    })
}
