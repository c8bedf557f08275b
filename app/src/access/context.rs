//! What a request works with once the access layer has let it in. Only this module makes them
//! (their fields are private), so a service that takes one cannot be called on a record the
//! actor was never allowed to open, and the actor, their capacity and the person are loaded once
//! per request and shared by everything the request does.
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;

use super::{Actor, Capacity, Permission, Subject};
use crate::entities::patient;
use crate::error::AppError;

/// A person's record, opened by one actor for one permission.
#[derive(Clone, Debug)]
pub struct PatientCtx {
    patient: patient::Model,
    actor: Actor,
    capacity: Capacity,
    today: NaiveDate,
}

impl PatientCtx {
    /// The person whose record this is.
    pub fn patient(&self) -> &patient::Model {
        &self.patient
    }

    /// Who is acting, and when.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// In what capacity the actor was let in (the person, a carer, a professional).
    pub fn capacity(&self) -> Capacity {
        self.capacity
    }

    /// Today's date where the person lives.
    pub fn today(&self) -> NaiveDate {
        self.today
    }
}

/// Opens `person`'s record for `permission`, or `NotFound` (a refusal looks like a missing
/// record).
pub async fn open_patient(
    db: &impl ConnectionTrait,
    actor: Actor,
    permission: Permission,
    person: patient::Model,
) -> Result<PatientCtx, AppError> {
    let capacity = super::check(db, actor, permission, Subject::Patient(person.id)).await?;
    let today = crate::clock::today_in(&person.time_zone, actor.at);
    Ok(PatientCtx {
        patient: person,
        actor,
        capacity,
        today,
    })
}
