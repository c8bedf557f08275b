//! Enrolling people and their letters, on the database.
use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, EntityTrait as _, Set};
use tower_sessions::Session;
use uuid::Uuid;

use super::{ContactForm, LetterView, NewPatientForm, contact_problems};
use crate::access::{self, PatientCtx, Permission, StaffCtx};
use crate::auth::invitation::{self, Joining, Purpose};
use crate::clock::Clock;
use crate::entities::{organisation, patient, patient_condition};
use crate::error::AppError;
use crate::nhs_number::NhsNumber;
use crate::state::AppState;

/// Corrects a person's phone and email, for a record opened to edit them (`EditContact`).
pub async fn edit_contact(
    state: &AppState,
    ctx: &PatientCtx,
    form: &ContactForm,
) -> Result<(), AppError> {
    ctx.opened_for(Permission::EditContact)?;
    let (staff, p) = (ctx.actor().account_id, ctx.patient());
    let problems = contact_problems(&form.phone, &form.email);
    if !problems.is_empty() {
        let mut errors = BTreeMap::new();
        for (field, message) in problems {
            errors.insert(field.to_owned(), vec![message.to_owned()]);
        }
        return Err(AppError::Validation(errors));
    }
    let (phone, email) = (form.phone.trim(), form.email.trim());
    let txn = crate::state::begin_write(&state.db).await?;
    let mut row: patient::ActiveModel = p.clone().into();
    row.phone = Set((!phone.is_empty()).then(|| phone.to_owned()));
    row.email = Set((!email.is_empty()).then(|| email.to_owned()));
    row.update(&txn).await?;
    crate::auth::audit::staff_touch(&txn, state.clock.as_ref(), staff, p, "contact_changed")
        .await?;
    txn.commit().await?;
    Ok(())
}

pub async fn enrol(
    db: &sea_orm::DatabaseConnection,
    clock: &dyn Clock,
    public_origin: &str,
    org: Uuid,
    invited_by: Option<Uuid>,
    form: &NewPatientForm,
) -> Result<(Uuid, String, String), AppError> {
    let mut errors: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut fail = |field: &str, message: &str| {
        errors
            .entry(field.to_owned())
            .or_default()
            .push(message.to_owned());
    };
    let (given, family) = (form.given.trim(), form.family.trim());
    if given.is_empty() || given.chars().count() > 100 {
        fail("given", "Enter a first name of 1 to 100 characters");
    }
    if family.is_empty() || family.chars().count() > 100 {
        fail("family", "Enter a last name of 1 to 100 characters");
    }
    let today = clock.now().with_timezone(&crate::clock::HOME).date_naive();
    let born = NaiveDate::parse_from_str(form.born.trim(), "%Y-%m-%d").ok();
    match born {
        None => fail(
            "born",
            "Enter the date of birth as a real date, for example 1955-06-01",
        ),
        Some(d) if d > today => fail("born", "The date of birth must not be in the future"),
        Some(d) if d < today - chrono::Duration::days(125 * 366) => {
            fail("born", "Check the year of birth")
        }
        Some(_) => {}
    }
    let nhs = NhsNumber::parse(&form.nhs_number);
    if let Err(err) = &nhs {
        fail("nhs_number", &err.to_string());
    }
    for condition in &form.conditions {
        if !crate::plan::CONDITIONS.iter().any(|(c, _)| c == condition) {
            let known: Vec<&str> = crate::plan::CONDITIONS.iter().map(|(c, _)| *c).collect();
            fail("condition", &format!("Use one of: {}", known.join(", ")));
        }
    }
    for (field, message) in contact_problems(&form.phone, &form.email) {
        fail(field, message);
    }
    let (phone, email) = (form.phone.trim(), form.email.trim());
    let (Some(born), Ok(nhs), true) = (born, nhs, errors.is_empty()) else {
        return Err(AppError::Validation(errors));
    };
    let txn = crate::state::begin_write(db).await?;
    let now = clock.now();
    let name = format!("{given} {family}");
    let patient_id = Uuid::new_v4();
    let (account_id, token) = invitation::new_account(
        &txn,
        clock,
        &name,
        Joining {
            purpose: Purpose::Patient,
            organisation_id: Some(org),
            patient_id: Some(patient_id),
            invited_by,
        },
    )
    .await?;
    // Someone already registered with this NHS number: the unique index refuses, and the
    // message goes beside the field (`error.rs`), even when two people add them at once.
    patient::ActiveModel {
        id: Set(patient_id),
        account_id: Set(Some(account_id)),
        organisation_id: Set(org),
        given_name: Set(given.into()),
        family_name: Set(family.into()),
        date_of_birth: Set(born),
        nhs_number: Set(nhs.as_str().into()),
        phone: Set((!phone.is_empty()).then(|| phone.to_owned())),
        email: Set((!email.is_empty()).then(|| email.to_owned())),
        time_zone: Set(crate::clock::HOME.name().to_owned()),
        created_at: Set(now),
        data_version: sea_orm::ActiveValue::NotSet,
    }
    .insert(&txn)
    .await?;
    let mut conditions = form.conditions.clone();
    conditions.sort();
    conditions.dedup();
    for condition in conditions {
        patient_condition::ActiveModel {
            patient_id: Set(patient_id),
            condition: Set(condition),
        }
        .insert(&txn)
        .await?;
    }
    txn.commit().await?;
    Ok((patient_id, name, token.link(public_origin)))
}

/// A care-team member adds a person to their practice.
pub async fn add(
    state: &AppState,
    ctx: &StaffCtx,
    form: &NewPatientForm,
) -> Result<(Uuid, String, String), AppError> {
    let (org, staff) = (ctx.organisation(), ctx.actor().account_id);
    let made = enrol(
        &state.db,
        state.clock.as_ref(),
        &state.settings.public_origin,
        org,
        Some(staff),
        form,
    )
    .await?;
    if let Some(p) = patient::Entity::find_by_id(made.0).one(&state.db).await? {
        crate::auth::audit::staff_touch(
            &state.db,
            state.clock.as_ref(),
            staff,
            &p,
            "patient_added",
        )
        .await?;
    }
    Ok(made)
}

/// The person's account, for a record opened to see their letter (`ReadLetter`).
pub fn account_of(ctx: &PatientCtx) -> Result<Uuid, AppError> {
    ctx.opened_for(Permission::ReadLetter)?;
    ctx.patient().account_id.ok_or(AppError::NotFound)
}

/// The QR code of a link, as an SVG drawing.
pub fn qr_svg(link: &str) -> Result<String, AppError> {
    let code = qrcode::QrCode::new(link.as_bytes()).map_err(AppError::internal)?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build())
}

async fn practice_name(db: &impl ConnectionTrait, org: Uuid) -> Result<String, AppError> {
    Ok(organisation::Entity::find_by_id(org)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default())
}

pub async fn letter(
    state: &AppState,
    session: &Session,
    ctx: &PatientCtx,
) -> Result<LetterView, AppError> {
    ctx.opened_for(Permission::ReadLetter)?;
    let p = ctx.patient();
    let patient_id = p.id;
    let link =
        crate::session::take::<(String, String)>(session, crate::session::NEW_LINK_KEY).await?;
    let link = match link {
        Some((_, link)) => Some((qr_svg(&link)?, link)),
        None => None,
    };
    let (recovery, may_reinvite) = match p.account_id {
        Some(account) => (
            crate::auth::team::service::has_passkey(&state.db, account).await?,
            access::check(
                &state.db,
                ctx.actor(),
                Permission::Reinvite,
                access::Subject::Account(account),
            )
            .await
            .is_ok(),
        ),
        None => (false, false),
    };
    Ok(LetterView {
        patient_id,
        name: format!("{} {}", p.given_name, p.family_name),
        practice: practice_name(&state.db, p.organisation_id).await?,
        link: link.map(|(svg, link)| (link, svg)),
        recovery,
        may_reinvite,
        may_open_record: ctx.may(&state.db, Permission::ReadRecord).await?,
    })
}
