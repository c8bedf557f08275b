//! `alongside seed-demo`: a small GP practice a newcomer can explore. It never weakens sign-in:
//! demo people get one-time invitation links, exactly as real people do. Running it again adds
//! nothing twice; it only issues fresh links for demo people who have not signed up yet.
use app::auth::invitation::{self, NewInvitation, Purpose};
use app::clock::Clock;
use app::entities::{
    account, carer_grant, invitation as invitation_row, membership, observation, organisation,
    patient, patient_condition,
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, DatabaseConnection, EntityTrait as _,
    QueryFilter as _, Set,
};
use uuid::Uuid;

use app::error::AppError;

pub(crate) const PRACTICE: &str = "Riverside Medical Practice";

/// One printed line: who, as what, and their link.
#[derive(Debug, Clone)]
pub struct DemoInvite {
    pub name: String,
    pub role: String,
    pub link: Option<String>,
}

struct DemoPatient {
    given: &'static str,
    family: &'static str,
    born: (i32, u32, u32),
    nhs_number: &'static str,
    conditions: &'static [&'static str],
    results: &'static [DemoSeries],
}

/// Values at 24, 18, 12 and 6 months ago and at the latest check (about two weeks ago).
enum DemoSeries {
    Num(&'static str, &'static str, [f64; 5]),
    Bp([(f64, f64); 5]),
    /// A yearly coded result (two years ago, one year ago, latest).
    Coded(&'static str, [&'static str; 3]),
}

const PATIENTS: &[DemoPatient] = &[
    DemoPatient {
        given: "Margaret",
        family: "Evans",
        born: (1958, 5, 14),
        nhs_number: "9991234500",
        conditions: &["type2_diabetes", "hypertension"],
        results: &[
            DemoSeries::Num("hba1c", "mmol/mol", [62.0, 59.0, 56.0, 54.0, 58.0]),
            DemoSeries::Bp([
                (148.0, 88.0),
                (142.0, 86.0),
                (138.0, 84.0),
                (136.0, 82.0),
                (141.0, 85.0),
            ]),
            DemoSeries::Num("non_hdl_cholesterol", "mmol/L", [3.4, 3.0, 2.7, 2.5, 2.6]),
            DemoSeries::Num("egfr", "mL/min/1.73m2", [78.0, 76.0, 77.0, 74.0, 73.0]),
            DemoSeries::Num("urine_acr", "mg/mmol", [2.1, 2.5, 2.8, 3.2, 3.4]),
            DemoSeries::Num("serum_creatinine", "umol/L", [78.0, 80.0, 79.0, 83.0, 84.0]),
            DemoSeries::Num("bmi", "kg/m2", [32.1, 31.6, 31.0, 30.4, 30.8]),
            DemoSeries::Coded("foot_risk", ["low", "low", "increased"]),
            DemoSeries::Coded(
                "eye_screening",
                ["no_retinopathy", "no_retinopathy", "background_retinopathy"],
            ),
            DemoSeries::Coded("smoking_status", ["never", "never", "never"]),
        ],
    },
    DemoPatient {
        given: "David",
        family: "Hughes",
        born: (1951, 9, 2),
        nhs_number: "9991234519",
        conditions: &["copd"],
        results: &[
            DemoSeries::Num("copd_cat", "score", [18.0, 20.0, 17.0, 22.0, 19.0]),
            DemoSeries::Num("mrc_dyspnoea", "grade", [2.0, 3.0, 3.0, 3.0, 3.0]),
            DemoSeries::Bp([
                (134.0, 80.0),
                (131.0, 78.0),
                (136.0, 82.0),
                (129.0, 77.0),
                (133.0, 79.0),
            ]),
            DemoSeries::Num("bmi", "kg/m2", [22.8, 22.4, 21.9, 21.6, 21.3]),
            DemoSeries::Coded("smoking_status", ["current", "ex_smoker", "ex_smoker"]),
        ],
    },
    DemoPatient {
        given: "Aisha",
        family: "Rahman",
        born: (1966, 2, 20),
        nhs_number: "9991234527",
        conditions: &["ckd", "hypertension"],
        results: &[
            DemoSeries::Num("egfr", "mL/min/1.73m2", [52.0, 50.0, 48.0, 46.0, 44.0]),
            DemoSeries::Num("urine_acr", "mg/mmol", [18.0, 22.0, 25.0, 31.0, 34.0]),
            DemoSeries::Num(
                "serum_creatinine",
                "umol/L",
                [112.0, 118.0, 122.0, 128.0, 134.0],
            ),
            DemoSeries::Bp([
                (146.0, 92.0),
                (140.0, 88.0),
                (134.0, 84.0),
                (131.0, 82.0),
                (136.0, 84.0),
            ]),
            DemoSeries::Num("non_hdl_cholesterol", "mmol/L", [3.1, 2.8, 2.6, 2.5, 2.4]),
            DemoSeries::Num("bmi", "kg/m2", [27.9, 27.6, 27.2, 27.4, 27.1]),
            DemoSeries::Coded("smoking_status", ["never", "never", "never"]),
        ],
    },
];

const STAFF: &[(&str, &[&str])] = &[
    ("Dr Priya Shah", &["clinician", "org_admin"]),
    ("Sam Okafor", &["healthcare_assistant"]),
];

/// Creates the demo practice if it is not there yet, then issues a fresh invitation link for
/// every demo person who has not signed up.
pub async fn seed_demo(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    public_origin: &str,
) -> Result<Vec<DemoInvite>, AppError> {
    let txn = app::state::begin_write(db).await?;
    let existing = organisation::Entity::find()
        .filter(organisation::Column::Name.eq(PRACTICE))
        .one(&txn)
        .await?;
    let org_id = match existing {
        Some(org) => org.id,
        None => create_practice(&txn, clock).await?,
    };

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
        let link = fresh_link(
            &txn,
            clock,
            public_origin,
            account_id,
            Purpose::Staff,
            Some(org_id),
            None,
        )
        .await?;
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
            clock,
            public_origin,
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
                clock,
                public_origin,
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

/// `alongside invite-admin`: the very first administrator of an organisation. Creates the
/// organisation if it is new, an account with the `org_admin` role, and a one-time invitation.
pub async fn invite_admin(
    db: &DatabaseConnection,
    clock: &dyn Clock,
    public_origin: &str,
    name: &str,
    organisation_name: &str,
    kind: &str,
    also_role: Option<&str>,
) -> Result<String, AppError> {
    let (name, organisation_name) = (name.trim(), organisation_name.trim());
    const ROLES: [&str; 4] = [
        "clinician",
        "care_coordinator",
        "healthcare_assistant",
        "social_care_worker",
    ];
    if also_role.is_some_and(|r| !ROLES.contains(&r)) {
        return Err(AppError::field(
            "also_role",
            "Use clinician, care_coordinator, healthcare_assistant or social_care_worker",
        ));
    }
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
    if !matches!(kind, "gp_practice" | "community_team" | "social_care_team") {
        return Err(AppError::field(
            "kind",
            "Use gp_practice, community_team or social_care_team",
        ));
    }
    let txn = app::state::begin_write(db).await?;
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
                kind: Set(kind.into()),
                ods_code: Set(None),
                created_at: Set(now),
                pack_release_days: Set(14),
            }
            .insert(&txn)
            .await?;
            id
        }
    };
    let account_id = new_account(&txn, now, name).await?;
    for role in std::iter::once("org_admin").chain(also_role) {
        membership::ActiveModel {
            account_id: Set(account_id),
            organisation_id: Set(org_id),
            role: Set(role.into()),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let token = invitation::create(
        &txn,
        clock,
        NewInvitation {
            account_id,
            purpose: Purpose::Admin,
            organisation_id: Some(org_id),
            patient_id: None,
            invited_by: None,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(token.link(public_origin))
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
/// exactly as the care team's "Add a person" page does (`care_team::enrol`).
pub async fn invite_patient(
    db: &DatabaseConnection,
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
    let form = app::care_team::enrol::NewPatientForm {
        given: new.given.into(),
        family: new.family.into(),
        born: new.born.into(),
        nhs_number: new.nhs_number.into(),
        conditions: new.conditions.to_vec(),
        ..Default::default()
    };
    let (_, _, link) =
        app::care_team::enrol::service::enrol(db, clock, public_origin, org.id, None, &form)
            .await?;
    Ok(link)
}

/// A new link for someone still to sign up; `None` once they have (an invitation was used).
async fn fresh_link(
    db: &impl sea_orm::ConnectionTrait,
    clock: &dyn Clock,
    public_origin: &str,
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
        clock,
        NewInvitation {
            account_id,
            purpose,
            organisation_id,
            patient_id,
            invited_by: None,
        },
    )
    .await?;
    Ok(Some(token.link(public_origin)))
}

async fn create_practice(
    db: &impl sea_orm::ConnectionTrait,
    clock: &dyn Clock,
) -> Result<Uuid, AppError> {
    let now = clock.now();
    let org_id = Uuid::new_v4();
    organisation::ActiveModel {
        id: Set(org_id),
        name: Set(PRACTICE.into()),
        kind: Set("gp_practice".into()),
        ods_code: Set(Some("Y99001".into())),
        created_at: Set(now),
        pack_release_days: Set(14),
    }
    .insert(db)
    .await?;
    practice_prompts(db, org_id).await?;

    let mut clinician = None;
    for (name, roles) in STAFF {
        let account_id = new_account(db, now, name).await?;
        if clinician.is_none() && roles.contains(&"clinician") {
            clinician = Some((account_id, *name));
        }
        for role in *roles {
            membership::ActiveModel {
                account_id: Set(account_id),
                organisation_id: Set(org_id),
                role: Set((*role).into()),
                created_at: Set(now),
            }
            .insert(db)
            .await?;
        }
    }

    for demo in PATIENTS {
        let name = format!("{} {}", demo.given, demo.family);
        let account_id = new_account(db, now, &name).await?;
        let patient_id = Uuid::new_v4();
        let (y, m, d) = demo.born;
        patient::ActiveModel {
            id: Set(patient_id),
            account_id: Set(Some(account_id)),
            organisation_id: Set(org_id),
            given_name: Set(demo.given.into()),
            family_name: Set(demo.family.into()),
            date_of_birth: Set(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()),
            nhs_number: Set(demo.nhs_number.into()),
            phone: Set(None),
            email: Set(None),
            time_zone: Set("Europe/London".into()),
            created_at: Set(now),
        }
        .insert(db)
        .await?;
        for condition in demo.conditions {
            patient_condition::ActiveModel {
                patient_id: Set(patient_id),
                condition: Set((*condition).into()),
            }
            .insert(db)
            .await?;
        }
        let rows = demo
            .results
            .iter()
            .flat_map(|series| observations(patient_id, now, series));
        observation::Entity::insert_many(rows).exec(db).await?;
        if let (Some(demo_plan), Some(clinician)) =
            (crate::seed_plan::demo_plan_for(demo.given), clinician)
        {
            let authors = crate::seed_plan::Authors {
                patient: (account_id, &name),
                clinician,
            };
            crate::seed_plan::seed_plan(db, demo_plan, patient_id, &authors, now).await?;
            // A review within 3 weeks, its pack sent (so each person sees their results
            // explained and the agenda prompts); Margaret has already sent her answers.
            let demo_review = DemoReview {
                patient_id,
                account_id,
                clinician,
                in_days: demo_plan.review_in_days(),
                answers: (demo.given == "Margaret").then_some(MARGARET_AGENDA.as_slice()),
            };
            seed_review(db, now, org_id, &demo_review).await?;
        }
        if demo.given == "Margaret" {
            // Her daughter helps: she sees the plan and logs what was done. The grant starts
            // working when Sian signs up with her own passkey.
            let sian = new_account(db, now, "Sian Evans").await?;
            carer_grant::ActiveModel {
                id: Set(Uuid::new_v4()),
                patient_id: Set(patient_id),
                carer_account_id: Set(sian),
                relationship: Set("Daughter".into()),
                scopes: Set("read_plan log_actions".into()),
                status: Set("invited".into()),
                ends_on: Set(None),
                granted_by: Set(account_id),
                granted_by_kind: Set("patient".into()),
                legal_basis: Set(None),
                created_at: Set(now),
                activated_at: Set(None),
                ended_at: Set(None),
                ended_by: Set(None),
                ended_reason: Set(None),
            }
            .insert(db)
            .await?;
        }
    }
    Ok(org_id)
}

/// The demo practice owns its prompts: the Year of Care set, the condition prompts, and one
/// question of its own.
async fn practice_prompts(
    db: &impl sea_orm::ConnectionTrait,
    org_id: Uuid,
) -> Result<(), AppError> {
    use app::entities::agenda_prompt;
    use app::preparation::service::{CONDITION_PROMPTS, DEFAULT_PROMPTS};
    let general = DEFAULT_PROMPTS.iter().map(|t| (None, *t)).chain([(
        None,
        "Is there anything about your medicines you would like to ask?",
    )]);
    let by_condition = CONDITION_PROMPTS.iter().map(|(c, t)| (Some(*c), *t));
    let rows = general
        .chain(by_condition)
        .enumerate()
        .map(|(i, (condition, text))| agenda_prompt::ActiveModel {
            id: Set(Uuid::new_v4()),
            organisation_id: Set(org_id),
            condition: Set(condition.map(str::to_owned)),
            position: Set(i as i32),
            text: Set(text.to_owned()),
        });
    agenda_prompt::Entity::insert_many(rows)
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Margaret's answers to the first prompts, already sent to her care team.
const MARGARET_AGENDA: [&str; 3] = [
    "Getting out for my walks again, and seeing my granddaughter on Saturdays.",
    "Better since the new tablets, but my feet ache by the evening.",
    "My feet, and whether I still need the blood pressure tablets at night.",
];

struct DemoReview<'a> {
    patient_id: Uuid,
    account_id: Uuid,
    clinician: (Uuid, &'a str),
    in_days: i64,
    answers: Option<&'a [&'a str]>,
}

async fn seed_review(
    db: &impl sea_orm::ConnectionTrait,
    now: DateTime<Utc>,
    org_id: Uuid,
    demo: &DemoReview<'_>,
) -> Result<(), AppError> {
    use app::entities::{agenda_answer, preparation_pack, review};
    let Some(person) = patient::Entity::find_by_id(demo.patient_id).one(db).await? else {
        return Ok(());
    };
    let today = app::plan::service::today_in(&person.time_zone, now);
    let day = today + Duration::days(demo.in_days);
    let ten = chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default();
    let starts_at = app::preparation::service::local_time(&person, day, ten)
        .unwrap_or(now + Duration::days(demo.in_days));
    let review_id = Uuid::new_v4();
    review::ActiveModel {
        id: Set(review_id),
        patient_id: Set(demo.patient_id),
        organisation_id: Set(org_id),
        starts_at: Set(starts_at),
        with_whom: Set(demo.clinician.1.to_owned()),
        mode: Set("in_person".into()),
        place: Set(Some("Room 2, Riverside Medical Practice".into())),
        status: Set(app::preparation::ReviewStatus::Scheduled.code().into()),
        next_review_date: Set(None),
        created_by: Set(demo.clinician.0),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    let Some(booked) = review::Entity::find_by_id(review_id).one(db).await? else {
        return Ok(());
    };
    let pack_id = app::preparation::service::release_pack(
        db,
        now,
        &person,
        Some(&booked),
        Some(demo.clinician.0),
    )
    .await?;
    if let Some(answers) = demo.answers {
        for (position, text) in answers.iter().enumerate() {
            agenda_answer::Entity::update_many()
                .col_expr(agenda_answer::Column::Answer, Expr::value(*text))
                .col_expr(agenda_answer::Column::UpdatedAt, Expr::value(now))
                .col_expr(
                    agenda_answer::Column::UpdatedBy,
                    Expr::value(demo.account_id),
                )
                .filter(agenda_answer::Column::PackId.eq(pack_id))
                .filter(agenda_answer::Column::Position.eq(position as i32))
                .exec(db)
                .await?;
        }
        preparation_pack::Entity::update_many()
            .col_expr(preparation_pack::Column::OpenedAt, Expr::value(now))
            .col_expr(preparation_pack::Column::SubmittedAt, Expr::value(now))
            .col_expr(
                preparation_pack::Column::SubmittedBy,
                Expr::value(demo.account_id),
            )
            .filter(preparation_pack::Column::Id.eq(pack_id))
            .exec(db)
            .await?;
    }
    Ok(())
}

async fn new_account(
    db: &impl sea_orm::ConnectionTrait,
    now: DateTime<Utc>,
    name: &str,
) -> Result<Uuid, AppError> {
    let id = Uuid::new_v4();
    account::ActiveModel {
        id: Set(id),
        display_name: Set(name.into()),
        created_at: Set(now),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// Days before now at which each of the five results in a series was taken.
const TAKEN_DAYS_AGO: [i64; 5] = [730, 548, 365, 182, 14];

fn observations(
    patient_id: Uuid,
    now: DateTime<Utc>,
    series: &DemoSeries,
) -> Vec<observation::ActiveModel> {
    let row = |code: &str,
               taken: DateTime<Utc>,
               num: Option<f64>,
               num2: Option<f64>,
               coded: Option<&str>,
               unit: Option<&str>| {
        observation::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(patient_id),
            code: Set(code.into()),
            value_num: Set(num),
            value_num2: Set(num2),
            value_code: Set(coded.map(str::to_owned)),
            unit: Set(unit.map(str::to_owned)),
            taken_at: Set(taken),
            source: Set("demo".into()),
            created_at: Set(now),
            fingerprint: Set(None),
        }
    };
    let at = |days: i64| now - Duration::days(days);
    match series {
        DemoSeries::Num(code, unit, values) => TAKEN_DAYS_AGO
            .iter()
            .zip(values)
            .map(|(days, v)| row(code, at(*days), Some(*v), None, None, Some(unit)))
            .collect(),
        DemoSeries::Bp(values) => TAKEN_DAYS_AGO
            .iter()
            .zip(values)
            .map(|(days, (sys, dia))| {
                row(
                    "blood_pressure",
                    at(*days),
                    Some(*sys),
                    Some(*dia),
                    None,
                    Some("mmHg"),
                )
            })
            .collect(),
        DemoSeries::Coded(code, values) => [730, 365, 14]
            .iter()
            .zip(values)
            .map(|(days, v)| row(code, at(*days), None, None, Some(v), None))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
