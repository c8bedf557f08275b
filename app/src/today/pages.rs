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
        // Sharing and carers are the person's own choices, never a carer's.
        let own = viewer.acting_for.is_none();
        let name = viewer.display_name.clone();
        let data = data.clone();
        view! {
            <Suspense>
                {move || {
                    let name = name.clone();
                    let data = data.clone();
                    let viewer = viewer.clone();
                    Suspend::new(async move {
                        let (today, flash): (_, Flash) = data.await;
                        let page = match today {
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
                                {page.map(|TodayPageView { plan: t, card }| {
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
                                    // The card's button is the way to get ready while a review is booked.
                                    let booked = card.is_some();
                                    let review = review_card(card, &t, &v);
                                    view! {
                                        {review}
                                        <h2 class="nhsuk-heading-m">{format!("To do today, {}", t.today_label)}</h2>
                                        {if t.due.is_empty() { nothing } else {
                                            t.due.iter().cloned().map(|a| view! { <TodayActionCard action=a flash=flash.clone() /> }).collect_view().into_any()
                                        }}
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
                                            {(v.answer_agenda && !booked).then(|| view! { <li><a href="/preparation">{format!("Get ready for {whose_lower} review")}</a></li> })}
                                            {v.read_results.then(|| view! { <li><a href="/results">{format!("{whose} results")}</a></li> })}
                                            {own.then(|| view! {
                                                <li><a href="/sharing">"Who can see your plan"</a></li>
                                                <li><a href="/carers">"People who help you"</a></li>
                                            })}
                                        </ul>
                                    }
                                })}
                                {account_menu(&viewer)}
                            </PageContent>
                        }.into_any()
                    })
                }}
            </Suspense>
        }
    })
}

/// The card at the top of Today: the booked review (when, where, with whom, how) and how
/// getting ready is going, with one button to get ready; with no review booked, when the plan
/// was agreed and when the next review is due by.
fn review_card(card: Option<ReviewCard>, t: &TodayView, v: &crate::plan::Viewing) -> AnyView {
    let whose = v.whose();
    let whose_lower = v.whose_lower();
    let Some(card) = card else {
        let agreed = t
            .agreed_on
            .as_ref()
            .map(|on| format!("{whose} plan was agreed on {on}."));
        let due = match (&t.review_date, &t.review_with) {
            (Some(d), Some(w)) => format!("{whose} next review is due by {d}, with {w}."),
            (Some(d), None) => format!("{whose} next review is due by {d}."),
            _ => "No review is booked yet.".to_owned(),
        };
        return view! {
            <section class="nhsuk-card app-review-card" aria-labelledby="review-card">
                <div class="nhsuk-card__content">
                    <h2 class="nhsuk-card__heading nhsuk-heading-m" id="review-card">{format!("{whose} next review")}</h2>
                    {agreed.map(|a| view! { <p class="nhsuk-body">{a}</p> })}
                    <p class="nhsuk-body nhsuk-u-margin-bottom-0">{due}</p>
                </div>
            </section>
        }
        .into_any();
    };
    let r = card.review;
    let place = (!r.place.is_empty()).then(|| r.place.clone());
    let questions = card.questions.map(|q| {
        if q.sent {
            "Answers sent to the care team.".to_owned()
        } else {
            format!("{} of {} questions answered.", q.answered, q.asked)
        }
    });
    let ready = card
        .results_ready
        .then(|| format!("{whose} results are ready."));
    let get_ready = v.answer_agenda || v.read_results;
    view! {
        <section class="nhsuk-card app-review-card" aria-labelledby="review-card">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading nhsuk-heading-m" id="review-card">{format!("{whose} review")}</h2>
                <dl class="nhsuk-summary-list app-review-card__facts">
                    {crate::ui::row("When", r.when.clone())}
                    {place.map(|p| crate::ui::row("Where", p))}
                    {crate::ui::row("With", r.with_whom.clone())}
                    {crate::ui::row("How", r.mode_name.clone())}
                </dl>
                {(ready.is_some() || questions.is_some()).then(|| view! {
                    <ul class="nhsuk-list app-review-card__ready">
                        {ready.map(|text| view! { <li><strong>{text}</strong></li> })}
                        {questions.map(|text| view! { <li>{text}</li> })}
                    </ul>
                })}
                {get_ready.then(|| view! {
                    <a class="nhsuk-button nhsuk-u-margin-bottom-0" href="/preparation">{format!("Get ready for {whose_lower} review")}</a>
                })}
            </div>
        </section>
    }
    .into_any()
}

/// The care team's tools, the account's pages and signing out: at the foot of Today, and on
/// More (where the phone's navigation leads).
fn account_menu(viewer: &crate::auth::Viewer) -> AnyView {
    let tools = viewer.tools;
    let carer = viewer.roles.iter().any(|r| r == "carer");
    let plan_owner = viewer.roles.iter().any(|r| r == "patient");
    view! {
        {tools.any().then(|| view! {
            <h2 class="nhsuk-heading-m">"Care team"</h2>
            <ul class="nhsuk-list">
                {tools.reviews.then(|| view! { <li><a href="/team/reviews">"Upcoming reviews"</a></li> })}
                {tools.caseload.then(|| view! { <li><a href="/team">"Caseload"</a></li> })}
                {tools.add_patients.then(|| view! { <li><a href="/team/patients/new">"Add a person"</a></li> })}
                {tools.import.then(|| view! { <li><a href="/team/results/import">"Import results"</a></li> })}
                {tools.invitations.then(|| view! { <li><a href="/team/invitations">"Invitation links"</a></li> })}
                {tools.members.then(|| view! { <li><a href="/team/members">"Members of your organisation"</a></li> })}
                {tools.prompts.then(|| view! { <li><a href="/team/prompts">"Questions before a review"</a></li> })}
                {tools.practice.then(|| view! { <li><a href="/team/practice">"Practice settings"</a></li> })}
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
    }
    .into_any()
}

/// More: everything the phone's navigation has no room for. The person's own choices (who
/// sees their plan, who helps) only for the person themself, never a carer.
#[component]
pub fn MorePage() -> impl IntoView {
    require_sign_in(move |viewer| {
        let own = viewer.acting_for.is_none();
        let p = viewer.person;
        let whose_lower = match &viewer.acting_for {
            None => "your".to_owned(),
            Some(name) => format!("{}'s", name.split(' ').next().unwrap_or(name)),
        };
        let menu = account_menu(&viewer);
        view! {
            <PageContent>
                <PageHeading text="More" />
                {p.plan.then(|| view! {
                    <ul class="nhsuk-list">
                        <li><a href="/plan">{format!("See {whose_lower} whole plan")}</a></li>
                        <li><a href="/plan/history">{format!("See every change to {whose_lower} plan")}</a></li>
                        {own.then(|| view! {
                            <li><a href="/sharing">"Who can see your plan"</a></li>
                            <li><a href="/carers">"People who help you"</a></li>
                        })}
                    </ul>
                })}
                {menu}
            </PageContent>
        }
    })
}
