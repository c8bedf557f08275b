//! The operator's commands, beside the enrolment they share: `alongside invite-admin` (an
//! organisation's very first administrator, who then invites everyone else through the app)
//! and `alongside invite-patient` (the same [`super::service::enrol`] as the care team's "Add a
//! person" page). Neither has a signed-in actor: whoever can run the binary on the server is
//! trusted, as with `migrate`.
use sea_orm::{ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _, Set};
use uuid::Uuid;

use super::NewPatientForm;
use crate::access::Role;
use crate::auth::invitation::{self, Joining, Purpose};
use crate::clock::Clock;
use crate::entities::{membership, organisation};
use crate::error::AppError;

/// The kinds of organisation Alongside serves.
pub const ORGANISATION_KINDS: [&str; 3] = ["gp_practice", "community_team", "social_care_team"];

/// What `alongside invite-admin` is given.
pub struct FirstAdmin<'a> {
    pub name: &'a str,
    pub organisation: &'a str,
    /// One of [`ORGANISATION_KINDS`].
    pub kind: &'a str,
    /// The organisation's code in the NHS's Organisation Data Service, when it has one.
    pub ods_code: Option<&'a str>,
    /// A caring role the administrator also holds (a GP who runs the practice's account).
    pub also_role: Option<&'a str>,
}

/// An organisation's first administrator, as (their account, their organisation, the one-time
/// link). Creates the organisation if it is new.
pub async fn first_admin(
    db: &sea_orm::DatabaseConnection,
    clock: &dyn Clock,
    public_origin: &str,
    new: &FirstAdmin<'_>,
) -> Result<(Uuid, Uuid, String), AppError> {
    let (name, organisation_name) = (new.name.trim(), new.organisation.trim());
    let also = match new.also_role {
        None => None,
        Some(code) => match Role::parse(code) {
            Some(role) if role != Role::OrgAdmin => Some(role),
            _ => {
                return Err(AppError::field(
                    "also_role",
                    "Use clinician, care_coordinator, healthcare_assistant or social_care_worker",
                ));
            }
        },
    };
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::field(
            "name",
            "Give a name of 1 to 200 characters",
        ));
    }
    if organisation_name.is_empty() || organisation_name.chars().count() > 200 {
        return Err(AppError::field(
            "organisation",
            "Give an organisation name of 1 to 200 characters",
        ));
    }
    if !ORGANISATION_KINDS.contains(&new.kind) {
        return Err(AppError::field(
            "kind",
            "Use gp_practice, community_team or social_care_team",
        ));
    }
    let txn = crate::state::begin_write(db).await?;
    let now = clock.now();
    let org_id = match organisation::Entity::find()
        .filter(organisation::Column::Name.eq(organisation_name))
        .one(&txn)
        .await?
    {
        Some(org) => org.id,
        None => {
            let id = Uuid::new_v4();
            organisation::ActiveModel {
                id: Set(id),
                name: Set(organisation_name.into()),
                kind: Set(new.kind.into()),
                ods_code: Set(new.ods_code.map(str::to_owned)),
                created_at: Set(now),
                pack_release_days: Set(crate::care_team::cycle::PACK_DAYS_DEFAULT),
            }
            .insert(&txn)
            .await?;
            id
        }
    };
    let (account_id, token) = invitation::new_account(
        &txn,
        clock,
        name,
        Joining {
            purpose: Purpose::Admin,
            organisation_id: Some(org_id),
            patient_id: None,
            invited_by: None,
        },
    )
    .await?;
    for role in std::iter::once(Role::OrgAdmin).chain(also) {
        membership::ActiveModel {
            account_id: Set(account_id),
            organisation_id: Set(org_id),
            role: Set(role.code().into()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok((account_id, org_id, token.link(public_origin)))
}

/// What `alongside invite-patient` is given.
pub struct NewPatient<'a> {
    pub given: &'a str,
    pub family: &'a str,
    pub born: &'a str,
    pub nhs_number: &'a str,
    pub organisation: &'a str,
    pub conditions: &'a [String],
}

/// Adds a person to an existing organisation's caseload and returns their invitation link,
/// exactly as the care team's "Add a person" page does.
pub async fn invite_patient(
    db: &sea_orm::DatabaseConnection,
    clock: &dyn Clock,
    public_origin: &str,
    new: &NewPatient<'_>,
) -> Result<String, AppError> {
    let org = organisation::Entity::find()
        .filter(organisation::Column::Name.eq(new.organisation.trim()))
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::field("organisation", "There is no organisation with that name")
        })?;
    let form = NewPatientForm {
        given: new.given.into(),
        family: new.family.into(),
        born: new.born.into(),
        nhs_number: new.nhs_number.into(),
        conditions: new.conditions.to_vec(),
        ..Default::default()
    };
    let (_, _, link) = super::service::enrol(db, clock, public_origin, org.id, None, &form).await?;
    Ok(link)
}
