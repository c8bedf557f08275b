//! Who is signed in, read once per request (#21): their name, their memberships, their own
//! patient record and whether they help anyone, in the same statement as the session itself
//! (the session store runs [`session_and_who`]), or in one of its own. The page, the header's
//! "who am I" and every check in the request share it, instead of each reading them again.
//! It lives for one request only (the server shell gives each request a fresh
//! [`RequestScope`]), so a role taken away or a grant ended counts from the next request.
use std::sync::Arc;

use sea_orm::sea_query::{
    Alias, Condition, Expr, ExprTrait as _, JoinType, Query, SelectStatement,
};
use sea_orm::{ColumnTrait as _, ConnectionTrait, FromQueryResult as _};
use uuid::Uuid;

use super::GrantStatus;
use crate::entities::{account, carer_grant, membership, patient, session};
use crate::error::AppError;

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Who {
    pub account_id: Uuid,
    pub display_name: String,
    /// (organisation, role code) for each membership.
    pub memberships: Vec<(Uuid, String)>,
    /// Their own patient record, if they have one.
    pub own: Option<patient::Model>,
    /// Whether they hold an active carer's grant for anyone (whether it works today is for
    /// `people_of` to say).
    pub helps_someone: bool,
}

impl Who {
    /// Their role codes, with `patient` and `carer` when they are one: what the header and the
    /// menus are built from.
    pub fn roles(&self) -> Vec<String> {
        let mut roles: Vec<String> = self.memberships.iter().map(|(_, r)| r.clone()).collect();
        if self.own.is_some() {
            roles.push("patient".into());
        }
        if self.helps_someone {
            roles.push("carer".into());
        }
        roles
    }
}

/// The one `Who` of a request, shared by everything the request runs.
#[derive(Clone, Default)]
pub struct RequestScope(Arc<tokio::sync::Mutex<Option<Arc<Who>>>>);

/// Gives the request being handled its scope (the server shell calls this for each request).
pub fn provide_request_scope() {
    leptos::prelude::provide_context(RequestScope::default());
}

/// Who `account` is, once per request: the first caller takes what the session store read with
/// the session (in the same statement), or reads it; the others (running at the same time or
/// after) wait for it and share it. Outside a request, read each time.
pub async fn who(db: &impl ConnectionTrait, account: Uuid) -> Result<Arc<Who>, AppError> {
    let Some(scope) = leptos::prelude::use_context::<RequestScope>() else {
        return Ok(Arc::new(read(db, account).await?));
    };
    let mut held = scope.0.lock().await;
    if let Some(who) = held.as_ref()
        && who.account_id == account
    {
        return Ok(who.clone());
    }
    let who = match read_with_the_session(account).await {
        Some(who) => Arc::new(who),
        None => Arc::new(read(db, account).await?),
    };
    *held = Some(who.clone());
    Ok(who)
}

/// The `Who` the session store read with this request's session (handed over under
/// [`crate::session::WHO_KEY`]), if it is `account`'s; `None` (read it, then) when there is none.
async fn read_with_the_session(account: Uuid) -> Option<Who> {
    let session = crate::session::from_request().await.ok()?;
    let who = session
        .get::<Who>(crate::session::WHO_KEY)
        .await
        .ok()
        .flatten()?;
    (who.account_id == account).then_some(who)
}

/// One statement: the account, each of its memberships (a row each), its own record and
/// whether it holds an active grant. `Unauthorized` when the account is gone.
async fn read(db: &impl ConnectionTrait, account: Uuid) -> Result<Who, AppError> {
    let mut q = Query::select();
    q.from_as(account::Entity, Alias::new("a"));
    about_the_account(&mut q);
    q.and_where(Expr::col((Alias::new("a"), account::Column::Id)).eq(account));
    let rows = db.query_all(&q).await?;
    decode(account, &rows)?.ok_or(AppError::Unauthorized)
}

/// A session's row and, when it is signed in, who it is signed in as, in one statement (the
/// session store reads both, so a request that needs to know who is signed in does not read
/// them one after the other): `None` when no row is `alive` with this id.
pub async fn session_and_who(
    db: &impl ConnectionTrait,
    id: &str,
    alive: Condition,
) -> Result<Option<(session::Model, Option<Who>)>, AppError> {
    let mut q = Query::select();
    crate::db::every_column::<session::Entity>(&mut q, "sessions");
    q.from(session::Entity).join_as(
        JoinType::LeftJoin,
        account::Entity,
        Alias::new("a"),
        Expr::col((Alias::new("a"), account::Column::Id))
            .equals((session::Entity, session::Column::AccountId)),
    );
    about_the_account(&mut q);
    q.and_where(session::Column::Id.eq(id)).cond_where(alive);
    let rows = db.query_all(&q).await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let row = session::Model::from_query_result(first, "sessions_")?;
    let who = match row.account_id {
        Some(account) => decode(account, &rows)?,
        None => None,
    };
    Ok(Some((row, who)))
}

/// The columns `decode` reads, over the account (`a`, already in the statement): its name,
/// each of its memberships (`m`, a row each), its own record (`p`) and whether it helps anyone.
fn about_the_account(q: &mut SelectStatement) {
    let (a, m, p) = (Alias::new("a"), Alias::new("m"), Alias::new("p"));
    let helps = Query::select()
        .expr(Expr::val(1))
        .from(carer_grant::Entity)
        .and_where(
            Expr::col((carer_grant::Entity, carer_grant::Column::CarerAccountId))
                .equals((a.clone(), account::Column::Id)),
        )
        .and_where(carer_grant::Column::Status.eq(GrantStatus::Active.code()))
        .to_owned();
    q.expr_as(
        Expr::col((a.clone(), account::Column::DisplayName)),
        Alias::new("name"),
    )
    .expr_as(
        Expr::col((m.clone(), membership::Column::OrganisationId)),
        Alias::new("org"),
    )
    .expr_as(
        Expr::col((m.clone(), membership::Column::Role)),
        Alias::new("role"),
    )
    .expr_as(Expr::exists(helps), Alias::new("helps"));
    crate::db::every_column::<patient::Entity>(q, "p");
    q.join_as(
        JoinType::LeftJoin,
        membership::Entity,
        m.clone(),
        Expr::col((m, membership::Column::AccountId)).equals((a.clone(), account::Column::Id)),
    )
    .join_as(
        JoinType::LeftJoin,
        patient::Entity,
        p.clone(),
        Expr::col((p, patient::Column::AccountId)).equals((a, account::Column::Id)),
    );
}

/// `account`'s `Who` from the rows of a statement with [`about_the_account`]'s columns; `None`
/// when the account is not there (no rows, or its columns empty).
fn decode(account: Uuid, rows: &[sea_orm::QueryResult]) -> Result<Option<Who>, AppError> {
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let Some(display_name) = first.try_get::<Option<String>>("", "name")? else {
        return Ok(None);
    };
    let mut memberships = Vec::new();
    for row in rows {
        let org: Option<Uuid> = row.try_get("", "org")?;
        let role: Option<String> = row.try_get("", "role")?;
        if let (Some(org), Some(role)) = (org, role) {
            memberships.push((org, role));
        }
    }
    Ok(Some(Who {
        account_id: account,
        display_name,
        memberships,
        own: patient::Model::from_query_result_optional(first, "p_")?,
        helps_someone: first.try_get("", "helps")?,
    }))
}
