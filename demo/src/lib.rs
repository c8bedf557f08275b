//! `alongside seed-demo`: a small GP practice a newcomer can explore, built through the same
//! services a person and a clinician use (so the demo exercises them too), on a clock that runs
//! through two years of care: the practice's administrator invites her colleague and writes a
//! question of the practice's own; people are enrolled, write their plans with the clinician,
//! log their actions week by week, change them; results come in by the practice's import;
//! reviews are booked and their packs released; Margaret answers her questions and invites her
//! daughter as her carer.
//!
//! It never weakens sign-in: demo people get one-time invitation links, exactly as real people
//! do. Running it again adds nothing twice; it only issues fresh links for demo people who have
//! not signed up yet.
//!
//! A separate crate, behind the server's `demo` feature (on by default, for `make run` and the
//! tests): `cargo build --release -p server --no-default-features` leaves it out.
use app::auth::invitation::{self, NewInvitation, Purpose};
use app::entities::{account, carer_grant, invitation as invitation_row, membership, patient};
use app::error::AppError;
use app::state::AppState;
use sea_orm::{ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _};
use uuid::Uuid;

mod build;
mod people;
mod plans;

/// The demo practice's name.
pub const PRACTICE: &str = "Riverside Medical Practice";

/// One printed line: who, as what, and their link.
#[derive(Debug, Clone)]
pub struct DemoInvite {
    pub name: String,
    pub role: String,
    pub link: Option<String>,
}

/// Builds the demo practice if it is not there yet, then issues a fresh invitation link for
/// every demo person who has not signed up.
pub async fn seed_demo(state: &AppState) -> Result<Vec<DemoInvite>, AppError> {
    let existing = app::entities::organisation::Entity::find()
        .filter(app::entities::organisation::Column::Name.eq(PRACTICE))
        .one(&state.db)
        .await?;
    let org_id = match existing {
        Some(org) => org.id,
        None => build::practice(state).await?,
    };
    fresh_links(state, org_id).await
}

/// A fresh link for each of the practice's people (its staff, its patients and the carers they
/// invited) who has not signed up yet.
async fn fresh_links(state: &AppState, org_id: Uuid) -> Result<Vec<DemoInvite>, AppError> {
    let txn = app::state::begin_write(&state.db).await?;
    let mut invites = Vec::new();
    let members = membership::Entity::find()
        .filter(membership::Column::OrganisationId.eq(org_id))
        .all(&txn)
        .await?;
    let mut staff_accounts: Vec<Uuid> = members.iter().map(|m| m.account_id).collect();
    // One link per person, however many roles they hold (rows come in any order).
    let mut seen = std::collections::HashSet::new();
    staff_accounts.retain(|id| seen.insert(*id));
    for account_id in staff_accounts {
        let Some(account) = account::Entity::find_by_id(account_id).one(&txn).await? else {
            continue;
        };
        let roles: Vec<&str> = members
            .iter()
            .filter(|m| m.account_id == account_id)
            .map(|m| m.role.as_str())
            .collect();
        let link = fresh_link(&txn, state, account_id, Purpose::Staff, Some(org_id), None).await?;
        invites.push(DemoInvite {
            name: account.display_name,
            role: format!("care team ({})", roles.join(", ").replace('_', " ")),
            link,
        });
    }
    let patients = patient::Entity::find()
        .filter(patient::Column::OrganisationId.eq(org_id))
        .all(&txn)
        .await?;
    for p in patients {
        let Some(account_id) = p.account_id else {
            continue;
        };
        let link = fresh_link(
            &txn,
            state,
            account_id,
            Purpose::Patient,
            Some(org_id),
            Some(p.id),
        )
        .await?;
        invites.push(DemoInvite {
            name: format!("{} {}", p.given_name, p.family_name),
            role: "patient".into(),
            link,
        });
        let carers = carer_grant::Entity::find()
            .filter(carer_grant::Column::PatientId.eq(p.id))
            .filter(carer_grant::Column::Status.eq("invited"))
            .all(&txn)
            .await?;
        for grant in carers {
            let Some(carer) = account::Entity::find_by_id(grant.carer_account_id)
                .one(&txn)
                .await?
            else {
                continue;
            };
            let link = fresh_link(
                &txn,
                state,
                carer.id,
                Purpose::Carer,
                Some(org_id),
                Some(p.id),
            )
            .await?;
            invites.push(DemoInvite {
                name: carer.display_name,
                role: format!(
                    "carer of {} ({})",
                    p.given_name,
                    grant.relationship.to_lowercase()
                ),
                link,
            });
        }
    }
    txn.commit().await?;
    Ok(invites)
}

/// A new link for someone still to sign up; `None` once they have (an invitation was used).
async fn fresh_link(
    db: &impl ConnectionTrait,
    state: &AppState,
    account_id: Uuid,
    purpose: Purpose,
    organisation_id: Option<Uuid>,
    patient_id: Option<Uuid>,
) -> Result<Option<String>, AppError> {
    let signed_up = invitation_row::Entity::find()
        .filter(invitation_row::Column::AccountId.eq(account_id))
        .filter(invitation_row::Column::UsedAt.is_not_null())
        .one(db)
        .await?
        .is_some();
    if signed_up {
        return Ok(None);
    }
    let token = invitation::create(
        db,
        state.clock.as_ref(),
        NewInvitation {
            account_id,
            purpose,
            organisation_id,
            patient_id,
            invited_by: None,
        },
    )
    .await?;
    Ok(Some(token.link(&state.settings.public_origin)))
}

#[cfg(test)]
mod tests {
    use super::people::PATIENTS;

    #[test]
    fn demo_nhs_numbers_pass_the_check_digit() {
        for p in PATIENTS {
            assert!(
                app::nhs_number::NhsNumber::parse(p.nhs_number).is_ok(),
                "{}",
                p.nhs_number
            );
        }
    }
}
