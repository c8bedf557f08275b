//! On the server: the caseload's rows found, counted and ordered in the database, a page at a
//! time, so its cost does not grow with the practice. The people come through the access
//! layer's one condition; the stage filters are the cycle's rules (`cycle::service::stage` and
//! `overdue`) written once more in SQL over what is recorded, and tests hold the two to the
//! same answers.
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::sea_query::{
    Asterisk, CaseStatement, Condition, Expr, ExprTrait as _, IntoTableRef as _, LikeExpr, Order,
    Query, SelectStatement,
};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
use sea_orm::{ConnectionTrait, FromQueryResult as _, PaginatorTrait as _, QuerySelect as _};

use super::{CaseloadFilter, StageFilter};
use crate::care_team::cycle::{ChecksStatus, RECALL_WEEKS, Stage};
use crate::entities::patient;
use crate::error::AppError;
use crate::nhs_number::NhsNumber;
use crate::preparation::ReviewStatus;

/// Rows on a page of the caseload.
pub const PAGE_SIZE: u64 = 50;

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

/// One page of the people `visible` lets the reader see, narrowed, ordered by family name then
/// given name (then id, so a page boundary is stable), with how many match in all. `page`
/// counts from 1 and is brought within the pages there are. Two statements whatever the
/// number of people.
pub async fn page(
    db: &impl ConnectionTrait,
    visible: Condition,
    narrowing: &Narrowing,
    now: DateTime<Utc>,
    page: u64,
) -> Result<Page, AppError> {
    if !narrowing.needs_facts() {
        let people = patient::Entity::find()
            .filter(visible)
            .filter(narrowing.search());
        let total = people.clone().count(db).await?;
        let page = within(page, total);
        let rows = people
            .order_by_asc(patient::Column::FamilyName)
            .order_by_asc(patient::Column::GivenName)
            .order_by_asc(patient::Column::Id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
            .all(db)
            .await?;
        return Ok(Page { rows, total, page });
    }
    let matching = |select: &mut SelectStatement| {
        select
            .from_subquery(facts(visible.clone(), narrowing.search()), FACTS)
            .cond_where(cycle_filters(narrowing, now));
    };
    let backend = db.get_database_backend();
    let mut count = Query::select();
    count.expr(Expr::col(Asterisk).count());
    matching(&mut count);
    let total: i64 = match db.query_one(&count).await? {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    let total = u64::try_from(total).unwrap_or(0);
    let page = within(page, total);
    let mut rows = Query::select();
    rows.column((FACTS, Asterisk));
    matching(&mut rows);
    rows.order_by((FACTS, patient::Column::FamilyName), Order::Asc)
        .order_by((FACTS, patient::Column::GivenName), Order::Asc)
        .order_by((FACTS, patient::Column::Id), Order::Asc)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE);
    let rows = patient::Model::find_by_statement(backend.build(&rows))
        .all(db)
        .await?;
    Ok(Page { rows, total, page })
}

/// A page of the caseload's people.
pub struct Page {
    pub rows: Vec<patient::Model>,
    /// How many match, on every page.
    pub total: u64,
    /// Which page this is, from 1.
    pub page: u64,
}

/// The page asked for, or the last there is.
fn within(page: u64, total: u64) -> u64 {
    page.clamp(1, std::cmp::max(total.div_ceil(PAGE_SIZE), 1))
}

const FACTS: &str = "facts";

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
                r#"(SELECT MAX("c"."starts_at") FROM "checks_appointments" AS "c" WHERE "c"."patient_id" = "patients"."id" AND "c"."status" = '{done}' AND ("plans"."agreed_at" IS NULL OR "c"."starts_at" > "plans"."agreed_at") AND NOT EXISTS (SELECT 1 FROM "reviews" AS "h" WHERE "h"."patient_id" = "patients"."id" AND "h"."status" = '{held}' AND "h"."starts_at" >= "c"."starts_at"))"#
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
