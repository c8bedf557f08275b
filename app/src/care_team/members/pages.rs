//! The members page.
use super::*;

fn member_card(m: MemberRow, org: Uuid, flash: &Flash) -> AnyView {
    let state = FormState::new(format!("roles-{}", m.account_id), flash);
    let roles = m
        .roles
        .iter()
        .map(|r| role_name(r))
        .collect::<Vec<_>>()
        .join(", ");
    let status = if m.signed_up {
        "Signed up"
    } else {
        "Not signed up yet"
    };
    view! {
        <div class="nhsuk-card">
            <div class="nhsuk-card__content">
                <h2 class="nhsuk-card__heading nhsuk-heading-s">{m.name.clone()}{m.is_me.then_some(" (you)")}</h2>
                <p class="nhsuk-body-s">{format!("{roles}. {status}.")}</p>
                <ErrorSummary state=state.clone() />
                <form method="post" action={crate::ui::post_to::<crate::care_team::members::ChangeRoles>()} data-enhance="" novalidate>
                    <IdempotencyKey />
                    <input type="hidden" name="organisation_id" value=org.to_string() />
                    <input type="hidden" name="account_id" value=m.account_id.to_string() />
                    <Checkboxes state=state.clone() name="roles" legend=format!("Roles for {}", m.name)
                        options=Role::options() chosen=m.roles.clone() />
                    <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Save roles"</button>
                </form>
                <form method="post" action={crate::ui::post_to::<crate::care_team::members::RemoveMember>()} data-enhance="">
                    <IdempotencyKey />
                    <input type="hidden" name="organisation_id" value=org.to_string() />
                    <input type="hidden" name="account_id" value=m.account_id.to_string() />
                    <button type="submit" class="nhsuk-button nhsuk-button--warning nhsuk-u-margin-bottom-0">
                        {format!("Remove {} from the organisation", m.name)}
                    </button>
                </form>
            </div>
        </div>
    }
    .into_any()
}

#[component]
pub fn MembersPage() -> impl IntoView {
    render(load(load_members), |v: MembersView, flash: Flash| {
        let state = FormState::new("invite", &flash);
        let org = v.organisation_id;
        let cards = v
            .members
            .into_iter()
            .map(|m| member_card(m, org, &flash))
            .collect_view();
        view! {
            <Notice flash=flash.clone() />
            {back_link("/today".into(), "Back to Today")}
            <PageHeading text=format!("Members of {}", v.organisation) />
            {v.new_link.clone().map(|new| view! {
                <div class="nhsuk-card nhsuk-card--feature" data-testid="new-invitation">
                    <div class="nhsuk-card__content nhsuk-card__content--feature">
                        <h2 class="nhsuk-card--feature__heading nhsuk-heading-m">{format!("Invitation link for {}", new.name)}</h2>
                        <p class="nhsuk-body">"Give this link to them only. It works once, for 14 days. You will not see it again."</p>
                        <p class="nhsuk-body"><code>{new.link}</code></p>
                    </div>
                </div>
            })}
            <h2 class="nhsuk-heading-m">"Invite someone"</h2>
            <ErrorSummary state=state.clone() />
            <form method="post" action={crate::ui::post_to::<crate::care_team::members::InviteMember>()} data-enhance="" id="invite" novalidate>
                <IdempotencyKey />
                <input type="hidden" name="organisation_id" value=org.to_string() />
                <TextField state=state.clone() name="name" label="Full name".into() value=String::new() autocomplete="off" />
                <Radios state=state.clone() name="role" legend="Role".into() options=Role::options() value=String::new() />
                <button type="submit" class="nhsuk-button">"Invite"</button>
            </form>
            <h2 class="nhsuk-heading-m">"Members"</h2>
            {cards}
        }
    })
}
