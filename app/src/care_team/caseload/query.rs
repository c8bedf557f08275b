//! On the server: the caseload's rows found, counted and ordered in the database, a page at a
//! time, so its cost does not grow with the practice. The people come through the access
//! layer's one condition; the stage filters are the cycle's rules (`cycle::service::stage` and
//! `overdue`) written once more in SQL over what is recorded, and tests hold the two to the
//! same answers.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{
    Asterisk, CaseStatement, Condition, Expr, ExprTrait as _, IntoTableRef as _, LikeExpr, Order,
    Query, SelectStatement, UnionType,
};
use sea_orm::{ColumnTrait as _, ConnectionTrait, FromQueryResult as _};

use super::{CaseloadFilter, StageFilter};
use crate::care_team::cycle::{ChecksStatus, RECALL_WEEKS, Stage};
use crate::entities::patient;
use crate::error::AppError;
use crate::nhs_number::NhsNumber;
use crate::preparation::ReviewStatus;

/// Rows on a page of the caseload.
pub const PAGE_SIZE: u64 = 50;

/// How far past a page's start the plain list is counted: a practice of 10,000 shows "more
/// than 1,000" on its first page instead of being counted whole on every page.
pub const COUNT_AHEAD: u64 = 1_000;

/// What narrows the list, parsed from the session's filter and the address's.
#[derive(Clone, Debug)]
pub struct Narrowing {
    search: Search,
    /// A review booked, or due, within this many weeks.
    weeks: Option<i64>,
    /// The booked review's pack sent (or not), its answers in (or not).
    pack_sent: Option<bool>,
    answers_in: Option<bool>,
    stage: Option<Stage>,
    overdue: bool,
}

#[derive(Clone, Debug)]
enum Search {
    Everyone,
    Number(String),
    /// Part of a name, lower case.
    Name(String),
}

/// A hundred years either way: further than any review, and safe to add to a date.
const MAX_WEEKS: i64 = 5_200;

impl Narrowing {
    pub fn new(filter: &CaseloadFilter, stages: StageFilter) -> Self {
        let search = filter.search.trim().to_lowercase();
        let search = match NhsNumber::parse(&search) {
            Ok(n) => Search::Number(n.as_str().to_owned()),
            Err(_) if search.is_empty() => Search::Everyone,
            Err(_) => Search::Name(search),
        };
        let yes_no = |value: &str, yes: &str, no: &str| match value {
            v if v == yes => Some(true),
            v if v == no => Some(false),
            _ => None,
        };
        Self {
            search,
            weeks: filter
                .due
                .trim()
                .parse::<i64>()
                .ok()
                .map(|w| w.clamp(-MAX_WEEKS, MAX_WEEKS)),
            pack_sent: yes_no(&filter.pack, "sent", "not_sent"),
            answers_in: yes_no(&filter.agenda, "returned", "not_returned"),
            stage: stages.stage,
            overdue: stages.overdue,
        }
    }

    /// Whether any filter needs the cycle's facts (else the list is only names, cheaply).
    fn needs_facts(&self) -> bool {
        self.weeks.is_some()
            || self.pack_sent.is_some()
            || self.answers_in.is_some()
            || self.stage.is_some()
            || self.overdue
    }

    /// The search, in SQL. A name matches in any case the database folds (`LOWER`: every
    /// letter on PostgreSQL with a UTF-8 locale, only A to Z on SQLite).
    fn search(&self) -> Condition {
        match &self.search {
            Search::Everyone => Condition::all(),
            Search::Number(n) => Condition::all().add(patient::Column::NhsNumber.eq(n.clone())),
            Search::Name(part) => {
                let pattern = format!("%{}%", escape_like(part));
                Condition::all().add(
                    Expr::cust(
                        r#"LOWER("patients"."given_name" || ' ' || "patients"."family_name")"#,
                    )
                    .like(LikeExpr::new(pattern).escape('\\')),
                )
            }
        }
    }
}

/// `part` with LIKE's wildcards and its escape character taken literally.
fn escape_like(part: &str) -> String {
    let mut out = String::with_capacity(part.len());
    for c in part.chars() {
        if matches!(c, '\\' | '%' | '_') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One page of the people the access layer's `visible` parts let the reader see (a person is
/// visible when any part holds), narrowed, ordered by family name then given name (then id, so a
/// page's edge is stable), with how many match: one statement whatever the number of people. The
/// plain list (no filter on the cycle) is counted only to [`COUNT_AHEAD`] people past the page's
/// start, so its first page costs the same in a practice of 1,000 as of 10,000 (counting everyone
/// on every page grew with the practice). A page past the end (an old link) is answered with
/// the last page, after counting all.
pub async fn page(
    db: &impl ConnectionTrait,
    visible: Vec<Condition>,
    narrowing: &Narrowing,
    now: DateTime<Utc>,
    page: u64,
) -> Result<Page, AppError> {
    let page = Ord::max(page, 1);
    let matching = Matching {
        visible: crate::access::any_of(visible.clone()),
        parts: visible,
        narrowing,
        now,
    };
    let found = matching.page(db, page).await?;
    if !found.rows.is_empty() || page == 1 {
        return Ok(found);
    }
    let total = matching.count(db).await?;
    let last = Ord::max(total.div_ceil(PAGE_SIZE), 1);
    matching.page(db, last).await
}

/// The people who match, as SQL.
struct Matching<'a> {
    /// Any of the parts.
    visible: Condition,
    parts: Vec<Condition>,
    narrowing: &'a Narrowing,
    now: DateTime<Utc>,
}

/// The page's order, on the people table or on a derived table of its columns.
fn by_name(s: &mut SelectStatement, table: &'static str) {
    s.order_by((table, patient::Column::FamilyName), Order::Asc)
        .order_by((table, patient::Column::GivenName), Order::Asc)
        .order_by((table, patient::Column::Id), Order::Asc);
}

impl Matching<'_> {
    /// The matching people with their stage's facts, and the filters on them. The facts are
    /// worked out once a person (`MATERIALIZED`), not once each time a filter names them.
    fn with_facts(
        &self,
        columns: impl FnOnce(&mut SelectStatement),
    ) -> sea_orm::sea_query::WithQuery {
        let mut select = Query::select();
        columns(&mut select);
        let mut with = sea_orm::sea_query::WithClause::new();
        with.cte(
            sea_orm::sea_query::CommonTableExpression::new()
                .query(facts(self.visible.clone(), self.narrowing.search()))
                .table_name(FACTS)
                .materialized(true)
                .to_owned(),
        );
        select.cond_where(cycle_filters(self.narrowing, self.now));
        select.from(FACTS).to_owned().with(with)
    }

    async fn page(&self, db: &impl ConnectionTrait, page: u64) -> Result<Page, AppError> {
        let offset = (page - 1).saturating_mul(PAGE_SIZE);
        // Counted as far as this (the names list), or all (`COUNT(*) OVER ()`: with the cycle's
        // facts, everyone who matches is worked out anyway).
        let mut counted_to = None;
        let rows = if self.narrowing.needs_facts() {
            let statement = self.with_facts(|s| {
                s.column((FACTS, Asterisk))
                    .expr_as(Expr::cust("COUNT(*) OVER ()"), "matching");
                by_name(s, FACTS);
                s.limit(PAGE_SIZE).offset(offset);
            });
            db.query_all(&statement).await?
        } else {
            let postgres = db.get_database_backend() == sea_orm::DbBackend::Postgres;
            let limit = offset.saturating_add(COUNT_AHEAD);
            counted_to = Some(limit);
            db.query_all(&self.names_page(offset, limit, postgres))
                .await?
        };
        let mut total = 0;
        let mut people = Vec::with_capacity(rows.len());
        for row in rows {
            let matching: i64 = row.try_get("", "matching")?;
            total = u64::try_from(matching).unwrap_or(0);
            people.push(patient::Model::from_query_result(&row, "")?);
        }
        let more = counted_to.is_some_and(|limit| total > limit);
        Ok(Page {
            rows: people,
            total: match counted_to {
                Some(limit) if more => limit,
                _ => total,
            },
            more,
            page,
        })
    }

    /// Each part's first `limit` people in name order (id and names), read along its index
    /// (`patients_organisation_names` for a practice: no sort, and nothing past them read),
    /// merged: everyone among the first `limit` of the list is in it, each once.
    fn firsts(&self, limit: u64) -> SelectStatement {
        let search = self.narrowing.search();
        let mut merged: Option<SelectStatement> = None;
        for part in &self.parts {
            let mut first = Query::select();
            first
                .column((patient::Entity, patient::Column::Id))
                .column((patient::Entity, patient::Column::FamilyName))
                .column((patient::Entity, patient::Column::GivenName))
                .from(patient::Entity)
                .cond_where(part.clone())
                .cond_where(search.clone());
            by_name(&mut first, "patients");
            first.limit(limit);
            // A derived table, so the part keeps its own order and limit inside the union.
            let mut read = Query::select();
            read.column(Asterisk).from_subquery(first, PART);
            merged = Some(match merged {
                None => read,
                Some(mut m) => m.union(UnionType::Distinct, read).to_owned(),
            });
        }
        // No part, no one.
        merged.unwrap_or_else(|| {
            Query::select()
                .column(patient::Column::Id)
                .column(patient::Column::FamilyName)
                .column(patient::Column::GivenName)
                .from(patient::Entity)
                .and_where(Expr::cust("1 = 0"))
                .to_owned()
        })
    }

    /// A page of the plain list (no filter on the cycle): the page taken from the parts' first
    /// `offset + PAGE_SIZE` people, with how many match beside it, counted from the parts' first
    /// `counted_to + 1` (more than `counted_to` says "more"). So the page costs the same in a
    /// practice of 1,000 as of 10,000, where ordering or counting everyone who matches grew
    /// with the practice (`make bench-scale`).
    fn names_page(&self, offset: u64, counted_to: u64, postgres: bool) -> SelectStatement {
        let mut on_page = Query::select();
        on_page
            .column((MERGED, patient::Column::Id))
            .from_subquery(self.firsts(offset + PAGE_SIZE), MERGED);
        by_name(&mut on_page, MERGED);
        on_page.limit(PAGE_SIZE).offset(offset);
        // Several parts' firsts may hold more than `counted_to + 1` between them: any count
        // past `counted_to` means "more".
        let mut count = Query::select();
        count
            .expr_as(Expr::cust("COUNT(*)"), "matching")
            .from_subquery(self.firsts(counted_to.saturating_add(1)), MERGED);
        let mut select = Query::select();
        select
            .column((patient::Entity, Asterisk))
            .expr_as(Expr::SubQuery(None, Box::new(count.into())), "matching")
            .from(patient::Entity)
            .and_where(crate::access::patient_id_in(on_page, postgres));
        by_name(&mut select, "patients");
        select
    }

    /// How many match the plain list (no filter on the cycle).
    fn plain_count(&self) -> SelectStatement {
        Query::select()
            .expr_as(Expr::cust("COUNT(*)"), "matching")
            .from(patient::Entity)
            .cond_where(self.visible.clone())
            .cond_where(self.narrowing.search())
            .to_owned()
    }

    async fn count(&self, db: &impl ConnectionTrait) -> Result<u64, AppError> {
        let row = if self.narrowing.needs_facts() {
            db.query_one(&self.with_facts(|s| {
                s.expr_as(Expr::cust("COUNT(*)"), "matching");
            }))
            .await?
        } else {
            db.query_one(&self.plain_count()).await?
        };
        let n: i64 = match row {
            Some(row) => row.try_get("", "matching")?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// A page of the caseload's people.
pub struct Page {
    pub rows: Vec<patient::Model>,
    /// How many match, counted as far as [`COUNT_AHEAD`] past this page's start.
    pub total: u64,
    /// More than `total` match (the count stopped there).
    pub more: bool,
    /// Which page this is, from 1.
    pub page: u64,
}

const FACTS: &str = "facts";
/// The names page's derived tables: a part's first people, and the parts merged.
const PART: &str = "part";
const MERGED: &str = "merged";

/// Each visible person's record with what their stage is computed from, the same facts as
/// `cycle::service::of_people` reads: the plan's due date and agreement, the booked conversation
/// and its pack (one booked at a time, a unique index), the booked checks (likewise), else the
/// latest done since the plan was last agreed or a review held.
fn facts(visible: Condition, search: Condition) -> SelectStatement {
    let scheduled = ReviewStatus::Scheduled.code();
    let held = ReviewStatus::Held.code();
    let booked = ChecksStatus::Booked.code();
    let done = ChecksStatus::Done.code();
    let mut facts = Query::select();
    facts
        .column((patient::Entity, Asterisk))
        .expr_as(Expr::cust(r#""plans"."review_date""#), "due_by")
        .expr_as(Expr::cust(r#""plans"."agreed_at""#), "agreed_at")
        .expr_as(Expr::cust(r#""br"."starts_at""#), "booked_at")
        .expr_as(Expr::cust(r#""k"."released_at""#), "released_at")
        .expr_as(Expr::cust(r#""k"."submitted_at""#), "submitted_at")
        .expr_as(Expr::cust(r#""cb"."starts_at""#), "checks_booked_at")
        .expr_as(
            Expr::cust(format!(
                r#"(SELECT MAX(CASE WHEN "c"."done_at" < "c"."starts_at" THEN "c"."done_at" ELSE "c"."starts_at" END) FROM "checks_appointments" AS "c" WHERE "c"."patient_id" = "patients"."id" AND "c"."status" = '{done}' AND ("plans"."agreed_at" IS NULL OR "c"."starts_at" > "plans"."agreed_at") AND NOT EXISTS (SELECT 1 FROM "reviews" AS "h" WHERE "h"."patient_id" = "patients"."id" AND "h"."status" = '{held}' AND "h"."starts_at" >= "c"."starts_at"))"#
            )),
            "checks_done_at",
        )
        .from(patient::Entity)
        .left_join(
            crate::entities::plan::Entity,
            Expr::cust(r#""plans"."patient_id" = "patients"."id""#),
        )
        .left_join(
            "reviews".into_table_ref().alias("br"),
            Expr::cust(format!(
                r#""br"."patient_id" = "patients"."id" AND "br"."status" = '{scheduled}'"#
            )),
        )
        .left_join(
            "preparation_packs".into_table_ref().alias("k"),
            Expr::cust(r#""k"."review_id" = "br"."id""#),
        )
        .left_join(
            "checks_appointments".into_table_ref().alias("cb"),
            Expr::cust(format!(
                r#""cb"."patient_id" = "patients"."id" AND "cb"."status" = '{booked}'"#
            )),
        )
        .cond_where(visible)
        .cond_where(search);
    facts
}

fn fact(name: &'static str) -> Expr {
    Expr::col((FACTS, name))
}

/// The stage, overdue, due-within, pack and agenda filters over the facts.
fn cycle_filters(n: &Narrowing, now: DateTime<Utc>) -> Condition {
    let days = LocalDays::at(now);
    let mut all = Condition::all();
    if let Some(weeks) = n.weeks {
        let booked_by = now + Duration::weeks(weeks);
        all = all.add(
            Condition::any().add(fact("booked_at").lte(booked_by)).add(
                Condition::all()
                    .add(fact("booked_at").is_null())
                    .add(fact("due_by").lte(days.today_plus(weeks * 7))),
            ),
        );
    }
    if let Some(sent) = n.pack_sent {
        all = all.add(present(fact("released_at"), sent));
    }
    if let Some(answered) = n.answers_in {
        all = all.add(present(fact("submitted_at"), answered));
    }
    if let Some(stage) = n.stage {
        all = all.add(stage_of(&days).eq(stage.code()));
    }
    if n.overdue {
        all = all.add(overdue(&days, now));
    }
    all
}

fn present(e: Expr, yes: bool) -> Expr {
    if yes { e.is_not_null() } else { e.is_null() }
}

/// `cycle::service::stage`, clause for clause.
fn stage_of(days: &LocalDays) -> Expr {
    let checks_done = || {
        Condition::all()
            .add(fact("checks_booked_at").is_null())
            .add(fact("checks_done_at").is_not_null())
    };
    // `checks_done_at` is when the checks began: the appointment's start, or when they were
    // marked done if that was earlier (the person came early); `cycle::service::checks_began`.
    let results_since_checks = Expr::cust(format!(
        r#"EXISTS (SELECT 1 FROM "observations" AS "o" WHERE "o"."patient_id" = "{FACTS}"."id" AND "o"."removed_at" IS NULL AND "o"."created_at" >= "{FACTS}"."checks_done_at")"#
    ));
    let due_soon = Condition::all()
        .add(fact("due_by").is_not_null())
        .add(fact("due_by").lte(days.today_plus(RECALL_WEEKS * 7)));
    CaseStatement::new()
        .case(fact("submitted_at").is_not_null(), Stage::AnswersIn.code())
        .case(fact("released_at").is_not_null(), Stage::PackSent.code())
        .case(
            checks_done().add(results_since_checks),
            Stage::ResultsIn.code(),
        )
        .case(checks_done(), Stage::ChecksDone.code())
        .case(
            fact("checks_booked_at").is_not_null(),
            Stage::ChecksBooked.code(),
        )
        .case(fact("booked_at").is_not_null(), Stage::ReviewBooked.code())
        .case(due_soon, Stage::ReviewDue.code())
        .case(fact("due_by").is_not_null(), Stage::PlanAgreed.code())
        .case(fact("agreed_at").is_not_null(), Stage::PlanAgreed.code())
        .finally(Stage::ReviewDue.code())
        .into()
}

/// `cycle::service::overdue`: a booked conversation that has passed, or with none booked a
/// due date that has.
fn overdue(days: &LocalDays, now: DateTime<Utc>) -> Condition {
    Condition::any().add(fact("booked_at").lt(now)).add(
        Condition::all()
            .add(fact("booked_at").is_null())
            .add(fact("due_by").lt(days.today_plus(0))),
    )
}

/// Today's date where each person lives, in SQL. At any moment the world's zones are on at
/// most three dates; the time zones whose date is not the service's own are named (a person
/// whose zone is not a known name is on the service's, as `clock::zone` reads it).
struct LocalDays {
    home: NaiveDate,
    others: Vec<(NaiveDate, Vec<&'static str>)>,
}

impl LocalDays {
    fn at(now: DateTime<Utc>) -> Self {
        let home = now.with_timezone(&crate::clock::HOME).date_naive();
        let mut others: Vec<(NaiveDate, Vec<&'static str>)> = Vec::new();
        for tz in chrono_tz::TZ_VARIANTS {
            let day = now.with_timezone(&tz).date_naive();
            if day == home {
                continue;
            }
            match others.iter_mut().find(|(d, _)| *d == day) {
                Some((_, names)) => names.push(tz.name()),
                None => others.push((day, vec![tz.name()])),
            }
        }
        Self { home, others }
    }

    /// The person's today plus `days` (a date within a hundred years either way).
    fn today_plus(&self, days: i64) -> Expr {
        let shift = |d: NaiveDate| d.checked_add_signed(Duration::days(days)).unwrap_or(d);
        let mut case = CaseStatement::new();
        for (day, names) in &self.others {
            case = case.case(
                fact("time_zone").is_in(names.iter().copied()),
                Expr::val(shift(*day)),
            );
        }
        if self.others.is_empty() {
            return Expr::val(shift(self.home));
        }
        case.finally(Expr::val(shift(self.home))).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_takes_like_wildcards_literally() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn every_zone_is_on_one_of_three_dates() {
        let now = DateTime::parse_from_rfc3339("2026-12-04T23:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        let days = LocalDays::at(now);
        assert_eq!(days.home.to_string(), "2026-12-04");
        assert_eq!(
            days.others.len(),
            1,
            "just after 23:30 in London, the east is tomorrow"
        );
        assert!(days.others[0].1.contains(&"Europe/Paris"));
        assert!(!days.others[0].1.contains(&"Europe/London"));
    }
}
