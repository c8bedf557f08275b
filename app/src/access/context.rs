//! What a request works with once the access layer has let it in. Only this module makes them
//! (their fields are private), so a service that takes one cannot be called on a record the
//! actor was never allowed to open, and the actor, their capacity and the person are loaded once
//! per request and shared by everything the request does.
use chrono::NaiveDate;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use super::{Actor, Capacity, Permission};
use crate::entities::patient;
use crate::error::AppError;

/// A person's record, opened by one actor for one permission.
#[derive(Clone, Debug)]
pub struct PatientCtx {
    patient: patient::Model,
    actor: Actor,
    permission: Permission,
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

    /// What `page` (with `detail`) is remembered as for this viewer and this version of the
    /// person's data (`crate::state::remembered`); none for a professional, whose rights come
    /// from memberships the version does not follow.
    pub fn remembered_as(
        &self,
        page: &'static str,
        detail: &str,
    ) -> Option<crate::state::remembered::Key> {
        (self.capacity != Capacity::Professional).then(|| crate::state::remembered::Key {
            page,
            detail: detail.to_owned(),
            viewer: self.actor.account_id,
            patient: self.patient.id,
            version: self.patient.data_version,
            today: self.today,
        })
    }

    /// `Ok` when the record was opened for `permission`: a service that does one thing asks,
    /// so a context opened to read cannot be handed to a service that writes.
    pub fn opened_for(&self, permission: Permission) -> Result<(), AppError> {
        if self.permission == permission {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The same record opened by the same actor for another permission: asked again, without
    /// loading the person twice.
    pub async fn reopen(
        &self,
        db: &impl ConnectionTrait,
        permission: Permission,
    ) -> Result<PatientCtx, AppError> {
        open_patient(db, self.actor, permission, self.patient.clone()).await
    }

    /// Whether the actor may also do `permission` here (for the controls a screen offers).
    pub async fn may(
        &self,
        db: &impl ConnectionTrait,
        permission: Permission,
    ) -> Result<bool, AppError> {
        match super::check_person(db, self.actor, permission, &self.patient).await {
            Ok(_) => Ok(true),
            Err(AppError::NotFound) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Only when the actor was let in as a professional: the person and their carers work
    /// through the person's own pages, not the care team's.
    pub fn professional(self) -> Result<Self, AppError> {
        if self.capacity == Capacity::Professional {
            Ok(self)
        } else {
            Err(AppError::NotFound)
        }
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
    let capacity = super::check_person(db, actor, permission, &person).await?;
    let today = crate::clock::today_in(&person.time_zone, actor.at);
    Ok(PatientCtx {
        patient: person,
        actor,
        permission,
        capacity,
        today,
    })
}

/// Opens the record of the person with this id: loaded once, then asked, so a refusal and a
/// missing record look the same.
pub async fn open_patient_id(
    db: &impl ConnectionTrait,
    actor: Actor,
    permission: Permission,
    person: Uuid,
) -> Result<PatientCtx, AppError> {
    use sea_orm::EntityTrait as _;
    let person = patient::Entity::find_by_id(person)
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let capacity = super::check_person(db, actor, permission, &person).await?;
    let today = crate::clock::today_in(&person.time_zone, actor.at);
    Ok(PatientCtx {
        patient: person,
        actor,
        permission,
        capacity,
        today,
    })
}

/// An organisation's work (its caseload, its members, adding people to it), opened by one actor
/// for one permission: the organisations where the actor holds a role that allows it, never
/// none. Staff services take one instead of raw ids, so none can be called for an organisation
/// the actor does not work in, in a role that allows what the service does.
#[derive(Clone, Debug)]
pub struct StaffCtx {
    actor: Actor,
    permission: Permission,
    orgs: Vec<Uuid>,
}

impl StaffCtx {
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The permission the organisations were opened for.
    pub fn permission(&self) -> Permission {
        self.permission
    }

    /// Every organisation the actor may do this in (at least one).
    pub fn orgs(&self) -> &[Uuid] {
        &self.orgs
    }

    /// The organisation the work is for: the one named when it was opened, else the first.
    pub fn organisation(&self) -> Uuid {
        // `open_staff` never makes one with no organisation.
        self.orgs.first().copied().unwrap_or_default()
    }
}

/// Opens the actor's work for `permission`: in `org` when one is named (a form says which
/// organisation), else in every organisation where they may. `NotFound` when there is none.
pub async fn open_staff(
    db: &impl ConnectionTrait,
    actor: Actor,
    permission: Permission,
    org: Option<Uuid>,
) -> Result<StaffCtx, AppError> {
    let orgs = match org {
        Some(org) => {
            super::check(db, actor, permission, super::Subject::Organisation(org)).await?;
            vec![org]
        }
        None => super::orgs_where(db, actor, permission).await?,
    };
    if orgs.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(StaffCtx {
        actor,
        permission,
        orgs,
    })
}
