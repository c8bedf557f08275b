//! Consent to share: the person chooses which organisations beyond their own practice may see
//! their record, and can stop at any time. The policy reads these choices on every request, so
//! stopping takes effect on the very next one.
use leptos::prelude::*;

use crate::forms::IdempotencyKey;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::pages_support::{load, render};
use crate::error::AppError;
use crate::forms::{ErrorSummary, Flash, FormState, Notice, Radios};
use crate::ui::PageHeading;
use crate::ui::back_link;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharedOrg {
    pub id: Uuid,
    /// "Riverside Social Care Team (a social care team)".
    pub name: String,
    pub since: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SharingView {
    pub practice: String,
    pub shared: Vec<SharedOrg>,
    /// Organisations the person could share with: (id, name).
    pub choices: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ShareForm {
    pub organisation: String,
}

/// "a GP practice", "a social care team": how an organisation's kind reads in a sentence.
pub fn kind_words(kind: &str) -> &'static str {
    match kind {
        "gp_practice" => "a GP practice",
        "community_team" => "a community team",
        "social_care_team" => "a social care team",
        _ => "a care team",
    }
}

#[cfg(feature = "ssr")]
pub mod service {
    use sea_orm::{
        ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _,
        QueryOrder as _, Set,
    };
    use uuid::Uuid;

    use super::{SharedOrg, SharingView, kind_words};
    use crate::auth::audit::{self, Entry};
    use crate::entities::{organisation, share_consent};
    use crate::error::AppError;
    use crate::plan::schedule::long_date;
    use crate::plan::service::Ctx;
    use crate::state::AppState;

    fn named(o: &organisation::Model) -> String {
        format!("{} ({})", o.name, kind_words(&o.kind))
    }

    async fn active(
        db: &impl sea_orm::ConnectionTrait,
        patient: Uuid,
    ) -> Result<Vec<share_consent::Model>, AppError> {
        Ok(share_consent::Entity::find()
            .filter(share_consent::Column::PatientId.eq(patient))
            .filter(share_consent::Column::WithdrawnAt.is_null())
            .order_by_asc(share_consent::Column::GrantedAt)
            .all(db)
            .await?)
    }

    pub async fn view(state: &AppState, ctx: &Ctx) -> Result<SharingView, AppError> {
        let orgs = organisation::Entity::find()
            .order_by_asc(organisation::Column::Name)
            .all(&state.db)
            .await?;
        let consents = active(&state.db, ctx.patient().id).await?;
        let practice = orgs
            .iter()
            .find(|o| o.id == ctx.patient().organisation_id)
            .map(|o| o.name.clone())
            .unwrap_or_default();
        let shared = consents
            .iter()
            .filter_map(|c| {
                let o = orgs.iter().find(|o| o.id == c.organisation_id)?;
                let tz = crate::clock::zone(&ctx.patient().time_zone);
                Some(SharedOrg {
                    id: o.id,
                    name: named(o),
                    since: long_date(c.granted_at.with_timezone(&tz).date_naive()),
                })
            })
            .collect();
        let choices = orgs
            .iter()
            .filter(|o| o.id != ctx.patient().organisation_id)
            .filter(|o| !consents.iter().any(|c| c.organisation_id == o.id))
            .map(|o| (o.id.to_string(), named(o)))
            .collect();
        Ok(SharingView {
            practice,
            shared,
            choices,
        })
    }

    pub async fn share(state: &AppState, ctx: &Ctx, organisation: &str) -> Result<(), AppError> {
        let choose = || AppError::field("organisation", "Choose a team to share your plan with");
        let id = Uuid::parse_str(organisation.trim()).map_err(|_| choose())?;
        let txn = crate::state::begin_write(&state.db).await?;
        let org = organisation::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .filter(|o| o.id != ctx.patient().organisation_id)
            .ok_or_else(choose)?;
        if active(&txn, ctx.patient().id)
            .await?
            .iter()
            .any(|c| c.organisation_id == org.id)
        {
            return Err(AppError::field(
                "organisation",
                format!("You already share your plan with {}", org.name),
            ));
        }
        share_consent::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(ctx.patient().id),
            organisation_id: Set(org.id),
            granted_at: Set(state.clock.now()),
            granted_by: Set(ctx.actor().account_id),
            withdrawn_at: Set(None),
        }
        .insert(&txn)
        .await?;
        let origin = crate::auth::request_info::current();
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry {
                detail: Some(org.name),
                ..Entry::own(ctx.actor().account_id, "sharing_started", &origin)
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    pub async fn stop(state: &AppState, ctx: &Ctx, organisation: &str) -> Result<(), AppError> {
        let id = Uuid::parse_str(organisation.trim()).map_err(|_| AppError::NotFound)?;
        let txn = crate::state::begin_write(&state.db).await?;
        let found = active(&txn, ctx.patient().id)
            .await?
            .into_iter()
            .filter(|c| c.organisation_id == id)
            .collect::<Vec<_>>();
        if found.is_empty() {
            return Err(AppError::NotFound);
        }
        let now = state.clock.now();
        for c in found {
            let mut row: share_consent::ActiveModel = c.into();
            row.withdrawn_at = Set(Some(now));
            row.update(&txn).await?;
        }
        let name = organisation::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .map(|o| o.name);
        let origin = crate::auth::request_info::current();
        audit::record(
            &txn,
            state.clock.as_ref(),
            Entry {
                detail: name,
                ..Entry::own(ctx.actor().account_id, "sharing_stopped", &origin)
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

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

/// This feature's pages, for the shell to assemble into the app's routes.
#[component(transparent)]
pub fn SharingRoutes() -> impl leptos_router::MatchNestedRoutes + Clone {
    use leptos_router::{SsrMode, components::Route, path};
    view! {
        <Route path=path!("/sharing") view=SharingPage ssr=SsrMode::Async />
    }
    .into_inner()
}

mod api;
pub use api::*;
