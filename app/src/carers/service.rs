//! Grants, whose plan a carer is looking at, and the access log, on the database.
use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    QueryOrder as _, QuerySelect as _, Set,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::{
    AccessLogView, CarersView, GrantForm, GrantView, HelpedPerson, InviteCarerForm, LEGAL_BASES,
    LogEntry, PeopleView,
};
use crate::access::{self, Actor, GrantStatus, PatientCtx, Permission, Scope};
use crate::auth::audit::{self, Entry};
use crate::auth::invitation::{self, Joining, Purpose};
use crate::auth::team::NewLink;
use crate::entities::{audit_event, carer_grant, invitation as invitation_row, patient};
use crate::error::AppError;
use crate::plan::schedule::long_date;
use crate::plan::service::Ctx;
use crate::session::NEW_LINK_KEY;
use crate::state::AppState;

/// Grants that were invited become active once the carer has a passkey (called in the same
/// transaction as the invitation being used).
pub async fn activate(
    db: &impl ConnectionTrait,
    account_id: Uuid,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), AppError> {
    carer_grant::Entity::update_many()
        .col_expr(
            carer_grant::Column::Status,
            Expr::value(GrantStatus::Active.code()),
        )
        .col_expr(carer_grant::Column::ActivatedAt, Expr::value(now))
        .filter(carer_grant::Column::CarerAccountId.eq(account_id))
        .filter(carer_grant::Column::Status.eq(GrantStatus::Invited.code()))
        .exec(db)
        .await?;
    Ok(())
}

fn today_for(p: &patient::Model, now: chrono::DateTime<chrono::Utc>) -> NaiveDate {
    crate::plan::service::today_in(&p.time_zone, now)
}

fn scopes_of(rest: &std::collections::BTreeMap<String, String>) -> Vec<Scope> {
    Scope::ALL
        .iter()
        .copied()
        .filter(|s| rest.contains_key(&format!("scopes_{}", s.code())))
        .collect()
}

/// Every grant of the person, oldest first, with the names of the carers and of who granted
/// each (for [`grant_view`]): one statement, the accounts joined.
pub async fn grants_named(
    db: &impl ConnectionTrait,
    patient_id: Uuid,
) -> Result<(Vec<carer_grant::Model>, HashMap<Uuid, String>), AppError> {
    use crate::entities::account;
    use sea_orm::FromQueryResult as _;
    use sea_orm::sea_query::{Alias, ExprTrait as _, JoinType, Query};
    let (g, carer, granter) = (Alias::new("g"), Alias::new("ca"), Alias::new("gb"));
    let mut q = Query::select();
    crate::db::every_column::<carer_grant::Entity>(&mut q, "g");
    q.expr_as(
        Expr::col((carer.clone(), account::Column::DisplayName)),
        Alias::new("carer_name"),
    )
    .expr_as(
        Expr::col((granter.clone(), account::Column::DisplayName)),
        Alias::new("granter_name"),
    )
    .from_as(carer_grant::Entity, g.clone());
    for (alias, column) in [
        (carer, carer_grant::Column::CarerAccountId),
        (granter, carer_grant::Column::GrantedBy),
    ] {
        q.join_as(
            JoinType::LeftJoin,
            account::Entity,
            alias.clone(),
            Expr::col((alias, account::Column::Id)).equals((g.clone(), column)),
        );
    }
    q.and_where(Expr::col((g.clone(), carer_grant::Column::PatientId)).eq(patient_id))
        .order_by((g, carer_grant::Column::CreatedAt), sea_orm::Order::Asc);
    let mut grants = Vec::new();
    let mut names = HashMap::new();
    for row in db.query_all(&q).await? {
        let grant = carer_grant::Model::from_query_result(&row, "g_")?;
        for (id, name) in [
            (grant.carer_account_id, "carer_name"),
            (grant.granted_by, "granter_name"),
        ] {
            if let Some(name) = row.try_get::<Option<String>>("", name)? {
                names.insert(id, name);
            }
        }
        grants.push(grant);
    }
    Ok((grants, names))
}

pub async fn list(state: &AppState, session: &Session, ctx: &Ctx) -> Result<CarersView, AppError> {
    let p = ctx.patient();
    let today = today_for(p, state.clock.now());
    let (grants, names) = grants_named(&state.db, p.id).await?;
    let views = grants
        .into_iter()
        .map(|g| grant_view(&g, &names, today))
        .collect();
    let new_link = crate::session::take::<(String, String)>(session, NEW_LINK_KEY)
        .await?
        .map(|(name, link)| NewLink { name, link });
    Ok(CarersView {
        person_name: format!("{} {}", p.given_name, p.family_name),
        grants: views,
        new_link,
    })
}

pub fn grant_view(
    g: &carer_grant::Model,
    names: &HashMap<Uuid, String>,
    today: NaiveDate,
) -> GrantView {
    let name = |id: &Uuid| names.get(id).cloned().unwrap_or_default();
    let status = match GrantStatus::parse(&g.status) {
        Some(s @ (GrantStatus::Invited | GrantStatus::Revoked)) => s.label().to_owned(),
        _ => match g.ends_on {
            Some(d) if d < today => format!("Ended on {}", long_date(d)),
            _ => "Active".to_owned(),
        },
    };
    let granted_by = if g.granted_by_kind == "patient" {
        "You".to_owned()
    } else {
        let basis = g
            .legal_basis
            .as_deref()
            .and_then(|b| LEGAL_BASES.iter().find(|(c, _)| *c == b))
            .map_or("", |(_, n)| n);
        format!("{} (care team): {basis}", name(&g.granted_by))
    };
    GrantView {
        id: g.id,
        carer_name: name(&g.carer_account_id),
        relationship: g.relationship.clone(),
        scopes: g.scopes.split_whitespace().map(str::to_owned).collect(),
        live: g.status != GrantStatus::Revoked.code() && g.ends_on.is_none_or(|d| d >= today),
        status,
        ends_on: g.ends_on.map(long_date),
        granted_by,
    }
}

struct NewGrant<'a> {
    name: &'a str,
    relationship: &'a str,
    scopes: Vec<Scope>,
    ends_on: Option<NaiveDate>,
    legal_basis: Option<&'static str>,
}

/// The invitation form, checked: every problem at once, beside its field.
fn read_new<'a>(
    form: &'a InviteCarerForm,
    today: NaiveDate,
    staff: bool,
) -> Result<NewGrant<'a>, AppError> {
    let mut errors: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    let mut fail = |f: &str, m: &str| {
        errors.insert(f.to_owned(), vec![m.to_owned()]);
    };
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        fail("name", "Enter their full name");
    }
    let relationship = form.relationship.trim();
    if relationship.is_empty() || relationship.chars().count() > 100 {
        fail(
            "relationship",
            "Say how they are related to you, for example daughter or friend",
        );
    }
    let scopes = scopes_of(&form.rest);
    if scopes.is_empty() {
        fail("scopes", "Choose at least one thing they can do");
    }
    let ends_on = match form.ends_on.trim() {
        "" => None,
        text => match NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            Ok(d) if d >= today => Some(d),
            Ok(_) => {
                fail("ends_on", "The end date must be today or later");
                None
            }
            Err(_) => {
                fail(
                    "ends_on",
                    "Enter the end date as a real date, or leave it empty",
                );
                None
            }
        },
    };
    let legal_basis = LEGAL_BASES
        .iter()
        .map(|(c, _)| *c)
        .find(|c| *c == form.legal_basis.trim());
    if staff && legal_basis.is_none() {
        fail("legal_basis", "Choose the legal basis for recording this");
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    Ok(NewGrant {
        name,
        relationship,
        scopes,
        ends_on,
        legal_basis: if staff { legal_basis } else { None },
    })
}

/// Makes the carer's account, their grant and their one-time link; returns who and the link.
async fn create_grant(
    state: &AppState,
    person: &patient::Model,
    by: Uuid,
    by_kind: &str,
    new: NewGrant<'_>,
) -> Result<(String, String), AppError> {
    let now = state.clock.now();
    let txn = crate::state::begin_write(&state.db).await?;
    let (carer, token) = invitation::new_account(
        &txn,
        state.clock.as_ref(),
        new.name,
        Joining {
            purpose: Purpose::Carer,
            organisation_id: Some(person.organisation_id),
            patient_id: Some(person.id),
            invited_by: Some(by),
        },
    )
    .await?;
    carer_grant::ActiveModel {
        id: Set(Uuid::new_v4()),
        patient_id: Set(person.id),
        carer_account_id: Set(carer),
        relationship: Set(new.relationship.to_owned()),
        scopes: Set(Scope::join(&new.scopes)),
        status: Set(GrantStatus::Invited.code().to_owned()),
        ends_on: Set(new.ends_on),
        granted_by: Set(by),
        granted_by_kind: Set(by_kind.to_owned()),
        legal_basis: Set(new.legal_basis.map(str::to_owned)),
        created_at: Set(now),
        activated_at: Set(None),
        ended_at: Set(None),
        ended_by: Set(None),
        ended_reason: Set(None),
    }
    .insert(&txn)
    .await?;
    let origin = crate::auth::request_info::current();
    audit::record(
        &txn,
        state.clock.as_ref(),
        Entry {
            actor: Some(by),
            subject: person.account_id,
            action: "carer_invited",
            success: true,
            origin: &origin,
            detail: Some(new.name.to_owned()),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((
        new.name.to_owned(),
        token.link(&state.settings.public_origin),
    ))
}

/// The person invites a carer; returns the carer's name and one-time link, shown once.
pub async fn invite(
    state: &AppState,
    ctx: &Ctx,
    form: &InviteCarerForm,
) -> Result<(String, String), AppError> {
    let new = read_new(form, ctx.today(), false)?;
    create_grant(state, ctx.patient(), ctx.actor().account_id, "patient", new).await
}

/// The care team records a grant, for a record opened to do so (`RecordCarerGrant`).
pub async fn record(
    state: &AppState,
    ctx: &PatientCtx,
    form: &InviteCarerForm,
) -> Result<(String, String), AppError> {
    ctx.opened_for(Permission::RecordCarerGrant)?;
    let new = read_new(form, ctx.today(), true)?;
    let by = ctx.actor().account_id;
    create_grant(state, ctx.patient(), by, "professional", new).await
}

/// The grant named in a form, if it is this person's (for the person) or, for staff, if the
/// policy lets them record grants for its person.
async fn grant_for(
    state: &AppState,
    actor: Actor,
    person: Option<Uuid>,
    grant_id: &str,
) -> Result<carer_grant::Model, AppError> {
    let id = Uuid::parse_str(grant_id.trim()).map_err(|_| AppError::NotFound)?;
    let g = carer_grant::Entity::find_by_id(id)
        .one(&state.db)
        .await?
        .ok_or(AppError::NotFound)?;
    match person {
        Some(p) if p == g.patient_id => Ok(g),
        Some(_) => Err(AppError::NotFound),
        None => {
            access::patient_for(&state.db, actor, Permission::RecordCarerGrant, g.patient_id)
                .await?;
            Ok(g)
        }
    }
}

/// Changes a grant only while it has not been stopped: one conditional statement in the
/// caller's transaction, so stopping it twice at once (the person and the care team) stops it
/// once and records one ending, and a change never lands on a stopped grant.
async fn still_open(
    txn: &impl ConnectionTrait,
    grant_id: Uuid,
    change: carer_grant::ActiveModel,
) -> Result<(), AppError> {
    let done = carer_grant::Entity::update_many()
        .set(change)
        .filter(carer_grant::Column::Id.eq(grant_id))
        .filter(carer_grant::Column::Status.ne(GrantStatus::Revoked.code()))
        .exec(txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub async fn set_scopes(state: &AppState, ctx: &Ctx, form: &GrantForm) -> Result<(), AppError> {
    let g = grant_for(state, ctx.actor(), Some(ctx.patient().id), &form.grant_id).await?;
    if g.status == GrantStatus::Revoked.code() {
        return Err(AppError::NotFound);
    }
    let scopes = scopes_of(&form.rest);
    if scopes.is_empty() {
        return Err(AppError::field(
            "scopes",
            "Choose at least one thing they can do, or stop their access",
        ));
    }
    let txn = crate::state::begin_write(&state.db).await?;
    still_open(
        &txn,
        g.id,
        carer_grant::ActiveModel {
            scopes: Set(Scope::join(&scopes)),
            ..Default::default()
        },
    )
    .await?;
    audit::account_event(
        &txn,
        state.clock.as_ref(),
        ctx.actor().account_id,
        g.carer_account_id,
        "carer_scopes_changed",
    )
    .await?;
    // Reminders follow the grant: the carer's stop or start with what it now allows.
    crate::events::record(
        &txn,
        state.clock.now(),
        crate::events::Event::PersonChanged {
            patient: g.patient_id,
        },
    )
    .await?;
    txn.commit().await?;
    state.react().await;
    Ok(())
}

/// Ends a grant: the person revoking it, or the care team for safeguarding (with a reason).
pub async fn end(
    state: &AppState,
    actor: Actor,
    person: Option<Uuid>,
    form: &GrantForm,
) -> Result<(), AppError> {
    let g = grant_for(state, actor, person, &form.grant_id).await?;
    let reason = form.reason.trim();
    if person.is_none() && reason.is_empty() {
        return Err(AppError::field("reason", "Say why the access is ending"));
    }
    if g.status == GrantStatus::Revoked.code() {
        return Err(AppError::NotFound);
    }
    let txn = crate::state::begin_write(&state.db).await?;
    still_open(
        &txn,
        g.id,
        carer_grant::ActiveModel {
            status: Set(GrantStatus::Revoked.code().to_owned()),
            ended_at: Set(Some(actor.at)),
            ended_by: Set(Some(actor.account_id)),
            ended_reason: Set((!reason.is_empty()).then(|| reason.chars().take(500).collect())),
            ..Default::default()
        },
    )
    .await?;
    // A link they have not used yet stops too.
    invitation_row::Entity::update_many()
        .col_expr(invitation_row::Column::ExpiresAt, Expr::value(actor.at))
        .filter(invitation_row::Column::AccountId.eq(g.carer_account_id))
        .filter(invitation_row::Column::UsedAt.is_null())
        .filter(invitation_row::Column::ExpiresAt.gt(actor.at))
        .exec(&txn)
        .await?;
    audit::account_event(
        &txn,
        state.clock.as_ref(),
        actor.account_id,
        g.carer_account_id,
        "carer_access_ended",
    )
    .await?;
    crate::events::record(
        &txn,
        actor.at,
        crate::events::Event::PersonChanged {
            patient: g.patient_id,
        },
    )
    .await?;
    txn.commit().await?;
    state.react().await;
    Ok(())
}

pub async fn people(
    state: &AppState,
    session: &Session,
    account: Uuid,
) -> Result<PeopleView, AppError> {
    let cared_for = crate::access::people_of(state, account).await?;
    let own = crate::access::own_patient(state, account).await?;
    if cared_for.is_empty() {
        return Err(AppError::NotFound);
    }
    let current = crate::access::current_person(state, session, account)
        .await?
        .map(|p| p.id);
    Ok(PeopleView {
        people: cared_for
            .into_iter()
            .map(|(p, g)| HelpedPerson {
                patient_id: p.id,
                name: format!("{} {}", p.given_name, p.family_name),
                relationship: g.relationship,
                scopes: Scope::parse_all(&g.scopes)
                    .into_iter()
                    .map(Scope::label)
                    .collect::<Vec<_>>()
                    .join(", "),
                current: current == Some(p.id),
            })
            .collect(),
        own_current: own.as_ref().is_some_and(|o| current == Some(o.id)),
        has_own_plan: own.is_some(),
    })
}

pub async fn switch(
    state: &AppState,
    session: &Session,
    account: Uuid,
    choice: &str,
) -> Result<(), AppError> {
    if choice.trim() == "me" {
        return crate::session::set_acting_for(session, None).await;
    }
    let id = Uuid::parse_str(choice.trim()).map_err(|_| AppError::NotFound)?;
    if !crate::access::people_of(state, account)
        .await?
        .iter()
        .any(|(p, _)| p.id == id)
    {
        return Err(AppError::NotFound);
    }
    crate::session::set_acting_for(session, Some(id)).await
}

/// A person's own actions that still belong in their access log: new ways into the account.
const OWN_SECURITY: [&str; 3] = [
    "recovery_link_used",
    "recovery_code",
    "passkeys_removed_on_recovery",
];

/// An audit action in plain English, as the person reads it.
fn words(action: &str) -> Option<&'static str> {
    Some(match action {
        "record_viewed" | "plan_viewed" => "looked at your record",
        "plan_exported" | "carer_exported_plan" => "downloaded a copy of your plan",
        "plan_changed" => "changed your plan",
        "plan_agreed" => "marked your plan as agreed",
        "note_written" => "wrote a care team note",
        "review_booked" => "booked your review",
        "checks_booked" => "booked your checks before your review",
        "checks_done" => "recorded your checks as done",
        "checks_cancelled" => "cancelled your checks",
        "review_moved" => "moved your review",
        "review_cancelled" => "cancelled your review",
        "review_held" => "recorded your review",
        "pack_released" => "sent your preparation pack",
        "result_added" | "results_imported" => "added results",
        "target_set" => "set a target with you",
        "patient_added" => "added you to Alongside",
        "contact_changed" => "changed your contact details",
        "carer_viewed_plan" => "looked at your plan",
        "carer_viewed_results" => "looked at your results",
        "carer_changed_plan" => "worked on your plan",
        "carer_logged_action" => "logged an action",
        "carer_undid_log" => "took back a day they had recorded",
        "carer_opened_agenda" => "opened your review questions",
        "carer_invited" => "invited a carer",
        "invitation_created" => "made a new sign-up link for you",
        "recovery_requested" => "asked for a recovery link for your account",
        "recovery_approved" => "approved a recovery link for your account",
        "recovery_link_used" => "set up a new passkey with a recovery link",
        "recovery_code" => "set up a new passkey with a recovery code",
        "passkeys_removed_on_recovery" => "stopped your other passkeys working",
        _ => return None,
    })
}

/// Who looked at or changed this person's record (newest first), and what this account did as
/// a carer. A fixed number of queries.
pub async fn access_log(state: &AppState, account: Uuid) -> Result<AccessLogView, AppError> {
    let about = audit_event::Entity::find()
        .filter(audit_event::Column::SubjectAccountId.eq(account))
        // What others did, and the changes to how this account signs in, whoever made them
        // (so someone who took it over cannot hide it).
        .filter(
            sea_orm::Condition::any()
                .add(audit_event::Column::ActorAccountId.ne(account))
                .add(audit_event::Column::Action.is_in(OWN_SECURITY)),
        )
        .order_by_desc(audit_event::Column::At)
        .limit(200)
        .all(&state.db)
        .await?;
    let mine = audit_event::Entity::find()
        .filter(audit_event::Column::ActorAccountId.eq(account))
        .filter(audit_event::Column::Action.starts_with("carer_"))
        .filter(audit_event::Column::SubjectAccountId.ne(account))
        .order_by_desc(audit_event::Column::At)
        .limit(200)
        .all(&state.db)
        .await?;
    let ids = about
        .iter()
        .filter_map(|e| e.actor_account_id)
        .chain(mine.iter().filter_map(|e| e.subject_account_id));
    let names = audit::display_names(&state.db, ids).await?;
    let carers: Vec<Uuid> = carer_grant::Entity::find()
        .filter(
            carer_grant::Column::CarerAccountId
                .is_in(about.iter().filter_map(|e| e.actor_account_id)),
        )
        .all(&state.db)
        .await?
        .into_iter()
        .map(|g| g.carer_account_id)
        .collect();
    // On the reader's own clock: the time zone of their reminders, else their plan's.
    let tz = crate::access::zone_of(&state.db, account).await?;
    let when = |e: &audit_event::Model| {
        e.at.with_timezone(&tz)
            .format("%-d %B %Y at %H:%M")
            .to_string()
    };
    let name = |id: Option<Uuid>| id.and_then(|i| names.get(&i).cloned()).unwrap_or_default();
    Ok(AccessLogView {
        about_me: about
            .iter()
            .filter_map(|e| {
                let what = words(&e.action)?;
                let role = match e.actor_account_id {
                    Some(a) if a == account => {
                        return Some(LogEntry {
                            when: when(e),
                            who: "You, or someone using your account".into(),
                            what: what.to_owned(),
                        });
                    }
                    Some(a) if carers.contains(&a) => "carer",
                    _ => "care team",
                };
                Some(LogEntry {
                    when: when(e),
                    who: format!("{} ({role})", name(e.actor_account_id)),
                    what: what.to_owned(),
                })
            })
            .collect(),
        mine: mine
            .iter()
            .filter_map(|e| {
                let what = words(&e.action)?.replace("your", "their");
                Some(LogEntry {
                    when: when(e),
                    who: name(e.subject_account_id),
                    what,
                })
            })
            .collect(),
    })
}
