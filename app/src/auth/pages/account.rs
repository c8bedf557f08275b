//! A person's passkeys, devices and recovery codes, and the care team's open invitations.
use super::*;

#[component]
pub fn PasskeysPage() -> impl IntoView {
    let keys = ArcResource::new_blocking(|| (), |_| list_passkeys());
    require_sign_in(move |_| {
        let keys = keys.clone();
        view! {
            <PageHeading text="Your passkeys" />
            <p class="nhsuk-body">"These are the passkeys you can sign in with. Keep more than one in case you lose a phone."</p>
            <Suspense>
                {move || { let keys = keys.clone(); Suspend::new(async move {
                    let keys = keys.await.unwrap_or_default();
                    let only_one = keys.len() < 2;
                    keys.into_iter().map(|key| {
                        let id = key.id.to_string();
                        let rename_id = format!("rename-{}", key.id);
                        view! {
                            <div class="nhsuk-card">
                                <div class="nhsuk-card__content">
                                    <h2 class="nhsuk-card__heading nhsuk-heading-s">{key.name.clone()}</h2>
                                    <dl class="nhsuk-summary-list">
                                        <div class="nhsuk-summary-list__row">
                                            <dt class="nhsuk-summary-list__key">"Added"</dt>
                                            <dd class="nhsuk-summary-list__value">{key.created.clone()}</dd>
                                        </div>
                                        <div class="nhsuk-summary-list__row">
                                            <dt class="nhsuk-summary-list__key">"Last used"</dt>
                                            <dd class="nhsuk-summary-list__value">{key.last_used.clone().unwrap_or_else(|| "Not yet".into())}</dd>
                                        </div>
                                        <div class="nhsuk-summary-list__row">
                                            <dt class="nhsuk-summary-list__key">"Kept"</dt>
                                            <dd class="nhsuk-summary-list__value">
                                                {if key.synced { "Synced to your other devices" } else { "On this device only" }}
                                            </dd>
                                        </div>
                                    </dl>
                                    <form method="post" action={crate::ui::post_to::<crate::auth::passkeys::RenamePasskey>()} class="nhsuk-u-margin-bottom-3">
                                        <IdempotencyKey />
                                        <input type="hidden" name="id" value=id.clone() />
                                        <div class="nhsuk-form-group">
                                            <label class="nhsuk-label" for=rename_id.clone()>{format!("New name for {}", key.name)}</label>
                                            <input class="nhsuk-input nhsuk-u-width-two-thirds" id=rename_id name="name" type="text" maxlength="60" required=true />
                                        </div>
                                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">"Rename"</button>
                                    </form>
                                    {if only_one {
                                        view! { <p class="nhsuk-body">"This is your only passkey, so you cannot remove it. Add another first."</p> }.into_any()
                                    } else {
                                        view! {
                                            <form method="post" action={crate::ui::post_to::<crate::auth::passkeys::RemovePasskey>()}>
                                                <IdempotencyKey />
                                                <input type="hidden" name="id" value=id />
                                                <button type="submit" class="nhsuk-button nhsuk-button--warning">
                                                    {format!("Remove {}", key.name)}
                                                </button>
                                            </form>
                                        }.into_any()
                                    }}
                                </div>
                            </div>
                        }
                    }).collect_view()
                }) }}
            </Suspense>
            <h2 class="nhsuk-heading-m">"Add another passkey"</h2>
            <PasskeySupport />
            <NameField />
            <PasskeyButton ceremony=Ceremony::AddPasskey token=String::new() label="Add a passkey".into() then="/account/passkeys".into() />
        }
    })
}

#[component]
pub fn DevicesPage() -> impl IntoView {
    let devices = ArcResource::new_blocking(|| (), |_| list_devices());
    require_sign_in(move |_| {
        let devices = devices.clone();
        view! {
            <PageHeading text="Your devices" />
            <p class="nhsuk-body">"You are signed in on these devices. If you do not recognise one, sign it out."</p>
            <Suspense>
                {move || { let devices = devices.clone(); Suspend::new(async move {
                    devices.await.unwrap_or_default().into_iter().map(|d| {
                        let label = if d.this_device { "Sign out of this device".to_owned() } else { format!("Sign out {}", d.device) };
                        view! {
                            <div class="nhsuk-card">
                                <div class="nhsuk-card__content">
                                    <h2 class="nhsuk-card__heading nhsuk-heading-s">
                                        {d.device.clone()}{if d.this_device { " (this device)" } else { "" }}
                                    </h2>
                                    <p class="nhsuk-body">{format!("Last active {}", d.last_active)}</p>
                                    <p class="nhsuk-body">{format!("Internet address {}", d.ip)}</p>
                                    <form method="post" action={crate::ui::post_to::<crate::auth::devices::EndDevice>()}>
                                        <IdempotencyKey />
                                        <input type="hidden" name="handle" value=d.handle />
                                        <button type="submit" class="nhsuk-button nhsuk-button--secondary">{label}</button>
                                    </form>
                                </div>
                            </div>
                        }
                    }).collect_view()
                }) }}
            </Suspense>
        }
    })
}

/// Makes and shows a new set of recovery codes, once.

#[component]
pub fn RecoveryCodesPage() -> impl IntoView {
    require_sign_in(|_| {
        view! {
            <PageHeading text="Recovery codes" />
            <p class="nhsuk-body">
                "If you lose every passkey, a recovery code lets you set up a new one. "
                "Making new codes stops any old codes you have not used from working."
            </p>
            <RecoveryCodesMaker />
        }
    })
}

#[component]
pub fn TeamInvitationsPage() -> impl IntoView {
    use crate::forms::{ErrorSummary, FormState, Notice};
    render(
        load(crate::auth::team::team_invitations),
        |page: crate::auth::team::TeamInvitationsView, flash: crate::forms::Flash| {
            let state = FormState::new("approve", &flash);
            let reinvite_state = FormState::new("reinvite", &flash);
            view! {
                <Notice flash=flash.clone() />
                <ErrorSummary state=state />
                <ErrorSummary state=reinvite_state />
                <PageHeading text="Invitation links" />
                <p class="nhsuk-body">
                    "Give someone a new link to set up a passkey. Each link works once, and a new link stops any older one."
                </p>
                <ul class="nhsuk-list nhsuk-list--bullet">
                    <li>"Someone who has not set up a passkey yet gets a sign-up link. It works for 14 days."</li>
                    <li>
                        "Someone who has a passkey gets a recovery link, because whoever has it can sign in as them. "
                        "It works only after a second person in the care team approves it, and for 24 hours. "
                        "The person is told on their phone and in their record of who has looked at it."
                    </li>
                </ul>
                {page.new_link.map(|new| view! {
                    <div class="nhsuk-card nhsuk-card--feature" data-testid="new-invitation">
                        <div class="nhsuk-card__content nhsuk-card__content--feature">
                            <h2 class="nhsuk-card--feature__heading nhsuk-heading-m">{format!("New link for {}", new.name)}</h2>
                            <p class="nhsuk-body">"Give this link to the person only. You will not see it again."</p>
                            <p class="nhsuk-body"><code>{new.link}</code></p>
                        </div>
                    </div>
                })}
                {(!page.pending.is_empty()).then(|| view! {
                    <h2 class="nhsuk-heading-m">"Recovery links"</h2>
                    <table class="nhsuk-table" data-testid="recovery-links">
                        <caption class="nhsuk-table__caption nhsuk-u-visually-hidden">"Recovery links not used yet"</caption>
                        <thead class="nhsuk-table__head">
                            <tr>
                                <th scope="col" class="nhsuk-table__header">"For"</th>
                                <th scope="col" class="nhsuk-table__header">"Asked for by"</th>
                                <th scope="col" class="nhsuk-table__header">"Works until"</th>
                                <th scope="col" class="nhsuk-table__header">"Approved"</th>
                            </tr>
                        </thead>
                        <tbody class="nhsuk-table__body">
                            {page.pending.into_iter().map(|r| view! {
                                <tr class="nhsuk-table__row">
                                    <td class="nhsuk-table__cell">{r.name.clone()}</td>
                                    <td class="nhsuk-table__cell">{r.asked_by.clone()}</td>
                                    <td class="nhsuk-table__cell">{r.until.clone()}</td>
                                    <td class="nhsuk-table__cell">
                                        {match (r.approved_by.clone(), r.can_approve) {
                                            (Some(by), _) => view! { {format!("Yes, by {by}")} }.into_any(),
                                            (None, true) => view! {
                                                <form method="post" action={crate::ui::post_to::<crate::auth::team::ApproveRecovery>()}>
                                                    <IdempotencyKey />
                                                    <input type="hidden" name="invitation_id" value=r.invitation_id.to_string() />
                                                    <button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0">
                                                        {format!("Approve the link for {}", r.name)}
                                                    </button>
                                                </form>
                                            }.into_any(),
                                            (None, false) => view! { "Waiting for someone else in the care team" }.into_any(),
                                        }}
                                    </td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
                <table class="nhsuk-table">
                    <caption class="nhsuk-table__caption">"People you can give a link to"</caption>
                    <thead class="nhsuk-table__head">
                        <tr>
                            <th scope="col" class="nhsuk-table__header">"Name"</th>
                            <th scope="col" class="nhsuk-table__header">"Role"</th>
                            <th scope="col" class="nhsuk-table__header">"Passkey"</th>
                            <th scope="col" class="nhsuk-table__header">"Link"</th>
                        </tr>
                    </thead>
                    <tbody class="nhsuk-table__body">
                        {page.people.into_iter().map(|p| view! {
                            <tr class="nhsuk-table__row">
                                <td class="nhsuk-table__cell">{p.name.clone()}</td>
                                <td class="nhsuk-table__cell">{p.role}</td>
                                <td class="nhsuk-table__cell">{if p.has_passkey { "Set up" } else { "Not yet" }}</td>
                                <td class="nhsuk-table__cell">
                                    <form method="post" action={crate::ui::post_to::<crate::auth::team::Reinvite>()}>
                                        <IdempotencyKey />
                                        <input type="hidden" name="account_id" value=p.account_id.to_string() />
                                        <button type="submit" class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0">
                                            {if p.has_passkey { format!("Recovery link for {}", p.name) } else { format!("New link for {}", p.name) }}
                                        </button>
                                    </form>
                                </td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }
        },
    )
}
