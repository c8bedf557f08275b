//! Building the demo practice through the services, on a clock of the demo's own that runs from
//! two years ago to now, so every row is written (and every change recorded in the history) by
//! the same code, under the same access checks, as when a person or a clinician does it.
use std::collections::BTreeMap;
use std::sync::Arc;

use app::access::{self, Actor, PatientCtx, Permission, StaffCtx};
use app::care_team::enrol::NewPatientForm;
use app::care_team::enrol::operator::{self, FirstAdmin};
use app::care_team::members::InviteMemberForm;
use app::carers::InviteCarerForm;
use app::clock::{Clock as _, HOME, ManualClock};
use app::error::AppError;
use app::plan::input::{AboutMe, ActionForm, Contact, Contingency, GoalForm, SupportForm};
use app::plan::schedule::{Frequency, Outcome, is_due, parse_weekdays};
use app::plan::service::{self as plan, Agreeing, DayEntry};
use app::preparation::ReviewForm;
use app::state::AppState;
use chrono::{DateTime, Datelike as _, Days, Duration, NaiveDate, TimeZone as _, Utc, Weekday};
use uuid::Uuid;

use crate::PRACTICE;
use crate::people::{
    ADMIN, COLLEAGUES, DemoPatient, DemoSeries, MARGARET_AGENDA, OWN_PROMPT, PATIENTS, ROOM,
    TAKEN_DAYS_AGO,
};
use crate::plans::{DemoAction, DemoGoal, DemoPlan, Dice, demo_plan_for};

/// Two years of history.
const HISTORY_DAYS: u64 = 730;

/// The services, on the demo's own clock.
struct Demo {
    state: AppState,
    clock: ManualClock,
    /// The real time now, where the demo's clock ends.
    now: DateTime<Utc>,
    /// Today where the practice is.
    today: NaiveDate,
    org: Uuid,
    admin: Uuid,
    /// The healthcare assistant, who enters results.
    assistant: Uuid,
}

impl Demo {
    /// Sets the clock to midday (in the practice's time zone) on `day`: never ambiguous, and
    /// always that day wherever the clocks change.
    fn set_day(&self, day: NaiveDate) {
        let noon = day
            .and_hms_opt(12, 0, 0)
            .and_then(|t| HOME.from_local_datetime(&t).single())
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(self.now);
        self.clock.set(noon.min(self.now));
    }

    fn set(&self, at: DateTime<Utc>) {
        self.clock.set(at.min(self.now));
    }

    fn actor(&self, account: Uuid) -> Actor {
        Actor::new(account, self.clock.now())
    }

    /// A person's record, opened by `account` as a request of theirs would open it.
    async fn record(
        &self,
        account: Uuid,
        person: Uuid,
        permission: Permission,
    ) -> Result<PatientCtx, AppError> {
        access::open_patient_id(&self.state.db, self.actor(account), permission, person).await
    }

    /// The practice's work, opened by `account`.
    async fn practice(&self, account: Uuid, permission: Permission) -> Result<StaffCtx, AppError> {
        access::open_staff(
            &self.state.db,
            self.actor(account),
            permission,
            Some(self.org),
        )
        .await
    }
}

/// Builds the demo practice and returns its id.
pub(crate) async fn practice(state: &AppState) -> Result<Uuid, AppError> {
    let now = state.clock.now();
    let today = now.with_timezone(&HOME).date_naive();
    let start = today - Days::new(HISTORY_DAYS);
    let clock = ManualClock::new(now);
    let demo_state = AppState {
        clock: Arc::new(clock.clone()),
        ..state.clone()
    };
    let mut demo = Demo {
        state: demo_state,
        clock,
        now,
        today,
        org: Uuid::nil(),
        admin: Uuid::nil(),
        assistant: Uuid::nil(),
    };

    // The practice joins the day before its people: its administrator, then her colleagues
    // and the practice's own question before reviews.
    demo.set_day(start - Days::new(1));
    let (admin, org, _) = operator::first_admin(
        &demo.state.db,
        &demo.clock,
        &demo.state.settings.public_origin,
        &FirstAdmin {
            name: ADMIN,
            organisation: PRACTICE,
            kind: "gp_practice",
            ods_code: Some("Y99001"),
            also_role: Some("clinician"),
        },
    )
    .await?;
    (demo.org, demo.admin) = (org, admin);
    let team = demo.practice(admin, Permission::ManageMembers).await?;
    for (name, role) in COLLEAGUES {
        let form = InviteMemberForm {
            organisation_id: org.to_string(),
            name: (*name).to_owned(),
            role: (*role).to_owned(),
        };
        let (account, _) =
            app::care_team::members::service::invite(&demo.state, &team, &form).await?;
        if *role == "healthcare_assistant" {
            demo.assistant = account;
        }
    }
    let prompts = demo.practice(admin, Permission::ManagePrompts).await?;
    app::preparation::service::add_prompt(&demo.state, &prompts, None, OWN_PROMPT).await?;

    let mut people = Vec::new();
    for person in PATIENTS {
        demo.set_day(start);
        let (patient_id, account) = enrol(&demo, person).await?;
        if let Some(plan) = demo_plan_for(person.given) {
            write_plan(&demo, plan, patient_id, account).await?;
        }
        people.push((person, patient_id, account));
    }

    // Now: the latest results come in, reviews are booked and their packs released (so each
    // person sees their results explained and the questions), Margaret sends her answers and
    // invites her daughter to help.
    // Two weeks ago each person with a plan had their checks with the healthcare assistant
    // (stage 1 of the cycle), booked a few days before; the results came from those.
    for (person, patient_id, _) in &people {
        if demo_plan_for(person.given).is_some() {
            checks_done(&demo, now, *patient_id).await?;
        }
    }
    demo.set(now);
    import_results(&demo, &people).await?;
    for (person, patient_id, account) in &people {
        let Some(plan) = demo_plan_for(person.given) else {
            continue;
        };
        book_review(&demo, *patient_id, plan.review_in_days).await?;
        if person.given == "Margaret" {
            let me = demo
                .record(*account, *patient_id, Permission::AnswerAgenda)
                .await?;
            let answers: BTreeMap<String, String> = MARGARET_AGENDA
                .iter()
                .enumerate()
                .map(|(i, text)| (format!("answer_{i}"), (*text).to_owned()))
                .collect();
            app::preparation::service::save_answers(&demo.state, &me, &answers, true).await?;
            // The grant starts working when Sian signs up with her own passkey.
            let me = demo
                .record(*account, *patient_id, Permission::ManageCarers)
                .await?;
            let form = InviteCarerForm {
                name: "Sian Evans".into(),
                relationship: "Daughter".into(),
                rest: BTreeMap::from([
                    ("scopes_read_plan".to_owned(), "on".to_owned()),
                    ("scopes_log_actions".to_owned(), "on".to_owned()),
                ]),
                ..Default::default()
            };
            app::carers::service::invite(&demo.state, &me, &form).await?;
        }
    }
    Ok(org)
}

/// The administrator adds the person to the caseload, as on "Add a person".
async fn enrol(demo: &Demo, person: &DemoPatient) -> Result<(Uuid, Uuid), AppError> {
    let ctx = demo.practice(demo.admin, Permission::AddPatients).await?;
    let (y, m, d) = person.born;
    let form = NewPatientForm {
        given: person.given.into(),
        family: person.family.into(),
        born: format!("{y:04}-{m:02}-{d:02}"),
        nhs_number: person.nhs_number.into(),
        conditions: person.conditions.iter().map(|c| (*c).to_owned()).collect(),
        ..Default::default()
    };
    let (patient_id, _, _) = app::care_team::enrol::service::add(&demo.state, &ctx, &form).await?;
    let record = demo
        .record(demo.admin, patient_id, Permission::ReadRecord)
        .await?;
    let account = record.patient().account_id.ok_or(AppError::NotFound)?;
    Ok((patient_id, account))
}

fn ticked(prefix: &str, codes: impl IntoIterator<Item = String>) -> BTreeMap<String, String> {
    codes
        .into_iter()
        .map(|code| (format!("{prefix}_{code}"), "on".to_owned()))
        .collect()
}

fn date(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

fn goal_form(demo: &Demo, g: &DemoGoal, status: &str) -> GoalForm {
    GoalForm {
        title: g.title.into(),
        why: g.why.into(),
        importance: g.importance.to_string(),
        success: g.success.into(),
        target_date: g
            .target_in_days
            .map(|d| date(demo.today + Days::new(d as u64)))
            .unwrap_or_default(),
        status: status.into(),
        rest: ticked(
            "conditions",
            g.conditions.split_whitespace().map(str::to_owned),
        ),
    }
}

fn action_form(demo: &Demo, goal: Uuid, a: &DemoAction, status: &str) -> ActionForm {
    let (kind, times, days) = a.freq;
    ActionForm {
        goal: goal.to_string(),
        what: a.what.into(),
        who_kind: a.who.0.into(),
        who_name: a.who.1.into(),
        frequency: kind.into(),
        times_per_week: times.map(|n| n.to_string()).unwrap_or_default(),
        due_by: a
            .due_in
            .map(|d| date(demo.today + Days::new(d as u64)))
            .unwrap_or_default(),
        time_of_day: a.time.into(),
        confidence: a.confidence.to_string(),
        status: status.into(),
        rest: ticked("weekdays", days.split_whitespace().map(str::to_owned)),
    }
}

/// An action being kept up: what it is, from when, and until when it is logged.
struct Kept<'a> {
    id: Uuid,
    demo: &'a DemoAction,
    starts_on: NaiveDate,
    frequency: Frequency,
    /// Weekly actions: the person's usual days.
    usual_days: Vec<Weekday>,
    /// The last day logged: yesterday, or (for an action finished a year ago) then.
    last: NaiveDate,
    /// The goal it belongs to, to mark achieved when it is finished.
    goal: (Uuid, &'a DemoGoal),
}

/// Two years ago: the person writes about themself, their goals and actions; the clinician the
/// contingency plan and support; they agree the plan. Then the person logs their actions week
/// by week, finishing one a year ago; three days ago the clinician adds one.
async fn write_plan(
    demo: &Demo,
    plan: &DemoPlan,
    patient_id: Uuid,
    account: Uuid,
) -> Result<(), AppError> {
    let start = demo.today - Days::new(HISTORY_DAYS);
    let started_at = demo.clock.now();
    let st = &demo.state;
    let me = demo
        .record(account, patient_id, Permission::ChangePlan)
        .await?;
    let [a0, a1, a2, a3, a4, a5, a6, a7] = plan.about.map(str::to_owned);
    let about = AboutMe {
        what_matters: a0,
        important_people: a1,
        communication: a2,
        please_do: a3,
        please_dont: a4,
        support_how_when: a5,
        also_worth_knowing: a6,
        supported_by: a7,
    };
    plan::save_about_me(st, &me, &about).await?;

    demo.set(started_at + Duration::minutes(5));
    let gp = demo
        .record(demo.admin, patient_id, Permission::ChangePlan)
        .await?;
    let [c0, c1, c2, c3] = plan.contingency.map(str::to_owned);
    let contingency = Contingency {
        warning_signs: c0,
        what_to_do: c1,
        coping: c2,
        anticipatory: c3,
    };
    plan::save_contingency(st, &gp, &contingency).await?;
    for (name, role, phone) in plan.contacts {
        let contact = Contact {
            name: (*name).into(),
            role: (*role).into(),
            phone: (*phone).into(),
        };
        plan::add_contact(st, &gp, &contact).await?;
    }

    let mut goal_ids = Vec::new();
    let mut kept = Vec::new();
    for (gi, g) in plan.goals.iter().enumerate() {
        demo.set(started_at + Duration::minutes(10 + gi as i64));
        let me = demo
            .record(account, patient_id, Permission::ChangePlan)
            .await?;
        // Every goal starts in progress; one is achieved a year on.
        let goal_id = plan::save_goal(st, &me, None, &goal_form(demo, g, "in_progress")).await?;
        goal_ids.push(goal_id);
        for a in g.actions.iter().filter(|a| !a.by_clinician) {
            let form = action_form(demo, goal_id, a, "in_progress");
            let id = plan::save_action(st, &me, None, &form).await?;
            if a.keeps_up == 0 {
                continue;
            }
            let due_by = a.due_in.map(|d| demo.today + Days::new(d as u64));
            let frequency = Frequency::from_parts(a.freq.0, a.freq.1, a.freq.2, due_by)
                .unwrap_or(Frequency::Daily);
            let usual_days = match &frequency {
                Frequency::TimesPerWeek(n) => [
                    Weekday::Mon,
                    Weekday::Wed,
                    Weekday::Fri,
                    Weekday::Sat,
                    Weekday::Tue,
                    Weekday::Thu,
                    Weekday::Sun,
                ]
                .into_iter()
                .take(*n as usize)
                .collect(),
                _ => parse_weekdays(a.freq.2),
            };
            let last = if a.status == "done" {
                demo.today - Days::new(365)
            } else {
                demo.today - Days::new(1)
            };
            kept.push(Kept {
                id,
                demo: a,
                starts_on: start,
                frequency,
                usual_days,
                last,
                goal: (goal_id, g),
            });
        }
    }
    demo.set(started_at + Duration::minutes(30));
    for (name, why, contact, goal, status) in plan.support {
        let form = SupportForm {
            name: (*name).into(),
            why: (*why).into(),
            contact: (*contact).into(),
            goal: goal
                .and_then(|i| goal_ids.get(i))
                .map(Uuid::to_string)
                .unwrap_or_default(),
        };
        let id = plan::add_support(st, &gp, &form).await?;
        if *status != "suggested" {
            plan::set_support_status(st, &me, id, status).await?;
        }
    }

    // Agreed at the review that started the plan; later changes show as "changed since".
    demo.set(started_at + Duration::hours(1));
    let agreeing = demo
        .record(demo.admin, patient_id, Permission::AgreePlan)
        .await?;
    let agreement = Agreeing {
        with: "person".into(),
        representative: None,
        next_review: start + Days::new(365),
        written_by: format!("{ADMIN}, {PRACTICE}"),
    };
    plan::agree(st, &agreeing, agreement).await?;

    log_two_years(demo, patient_id, account, &kept).await?;

    // Three days ago the clinician added an action (it shows as news on Today).
    for (g, goal_id) in plan.goals.iter().zip(&goal_ids) {
        for a in g.actions.iter().filter(|a| a.by_clinician) {
            demo.set_day(demo.today - Days::new(3));
            let gp = demo
                .record(demo.admin, patient_id, Permission::ChangePlan)
                .await?;
            plan::save_action(
                st,
                &gp,
                None,
                &action_form(demo, *goal_id, a, "in_progress"),
            )
            .await?;
        }
    }
    Ok(())
}

/// The person logs each week's days at the end of the week, with the ups and downs of real
/// life (harder in winter, as people say); an action finished a year ago is marked done then,
/// and its goal achieved.
async fn log_two_years(
    demo: &Demo,
    patient_id: Uuid,
    account: Uuid,
    kept: &[Kept<'_>],
) -> Result<(), AppError> {
    let st = &demo.state;
    let mut dice = Dice(patient_id.as_u128() as u64);
    let end = demo.today - Days::new(1);
    let mut finished = vec![false; kept.len()];
    let mut from = demo.today - Days::new(HISTORY_DAYS);
    while from <= end {
        let to = (from + Days::new(6)).min(end);
        demo.set_day(to);
        let me = demo
            .record(account, patient_id, Permission::LogActions)
            .await?;
        for (k, done) in kept.iter().zip(finished.iter_mut()) {
            let mut days = Vec::new();
            let mut day = from.max(k.starts_on);
            while day <= to.min(k.last) {
                if let Some(entry) = roll_day(k, day, &mut dice) {
                    days.push(entry);
                }
                day = match day.succ_opt() {
                    Some(next) => next,
                    None => break,
                };
            }
            let entries: Vec<DayEntry<'_>> = days
                .iter()
                .map(|(day, outcome, note)| DayEntry {
                    day,
                    outcome: outcome.code(),
                    note,
                    client_id: None,
                })
                .collect();
            if !entries.is_empty() {
                plan::log_days(st, &me, k.id, &entries).await?;
            }
            if k.demo.status == "done" && !*done && to >= k.last {
                let change = demo
                    .record(account, patient_id, Permission::ChangePlan)
                    .await?;
                let form = action_form(demo, k.goal.0, k.demo, "done");
                plan::save_action(st, &change, Some(k.id), &form).await?;
                let goal = goal_form(demo, k.goal.1, k.goal.1.status);
                plan::save_goal(st, &change, Some(k.goal.0), &goal).await?;
                *done = true;
            }
        }
        from = to + Days::new(1);
    }
    Ok(())
}

/// Whether (and how) the person did an action on a day: most planned days are logged, and
/// most of those done, fewer in winter; now and then with a note.
fn roll_day(k: &Kept<'_>, day: NaiveDate, dice: &mut Dice) -> Option<(String, Outcome, String)> {
    let planned = match &k.frequency {
        Frequency::TimesPerWeek(_) => k.usual_days.contains(&day.weekday()),
        other => is_due(other, k.starts_on, day, &[]),
    };
    let winter = matches!(day.month(), 12 | 1 | 2);
    let keeps_up = if winter {
        k.demo.keeps_up.saturating_sub(15)
    } else {
        k.demo.keeps_up
    };
    let roll = dice.roll();
    if !planned || roll >= 95 {
        return None;
    }
    let outcome = if roll < keeps_up * 95 / 100 {
        Outcome::Done
    } else if roll < keeps_up * 95 / 100 + 10 {
        Outcome::Partly
    } else {
        Outcome::NotToday
    };
    let notes = k.demo.notes;
    let note = if !notes.is_empty() && dice.roll() < 6 {
        notes[(dice.roll() as usize) % notes.len()].to_owned()
    } else {
        String::new()
    };
    Some((date(day), outcome, note))
}

/// The healthcare assistant imports two years of the practice's results for its people, as a
/// CSV file like the practice's own export.
async fn import_results(
    demo: &Demo,
    people: &[(&DemoPatient, Uuid, Uuid)],
) -> Result<(), AppError> {
    // As the import page opens it: every organisation where they may enter results.
    let actor = demo.actor(demo.assistant);
    let ctx = access::open_staff(&demo.state.db, actor, Permission::EnterResults, None).await?;
    let at = |days: i64| (demo.now - Duration::days(days)).to_rfc3339();
    let mut csv = String::from("nhs_number,result,value,unit,taken_on\n");
    for (person, _, _) in people {
        for series in person.results {
            // (result, value, unit, when)
            let rows: Vec<(&str, String, &str, String)> = match series {
                DemoSeries::Num(code, unit, values) => TAKEN_DAYS_AGO
                    .iter()
                    .zip(values)
                    .map(|(days, v)| (*code, v.to_string(), *unit, at(*days)))
                    .collect(),
                DemoSeries::Bp(values) => TAKEN_DAYS_AGO
                    .iter()
                    .zip(values)
                    .map(|(days, (sys, dia))| {
                        ("blood_pressure", format!("{sys}/{dia}"), "mmHg", at(*days))
                    })
                    .collect(),
                DemoSeries::Coded(code, values) => [730, 365, 14]
                    .iter()
                    .zip(values)
                    .map(|(days, v)| (*code, (*v).to_owned(), "", at(*days)))
                    .collect(),
            };
            for (code, value, unit, taken) in rows {
                let nhs = person.nhs_number;
                csv.push_str(&format!("{nhs},{code},{value},{unit},{taken}\n"));
            }
        }
    }
    app::results::intake::import(&demo.state, &ctx, &csv).await?;
    Ok(())
}

/// The healthcare assistant books the information-gathering appointment 17 days before now,
/// for 14 days before, and marks every check done on the day.
async fn checks_done(demo: &Demo, now: DateTime<Utc>, patient_id: Uuid) -> Result<(), AppError> {
    use app::care_team::cycle::{Check, ChecksForm};
    let on = now - Duration::days(14);
    demo.set(now - Duration::days(17));
    let ctx = demo
        .record(demo.assistant, patient_id, Permission::ManageChecks)
        .await?;
    let checks: Vec<String> = Check::ALL.iter().map(|c| c.code().to_owned()).collect();
    let form = ChecksForm {
        patient_id: patient_id.to_string(),
        date: date(on.date_naive()),
        time: "09:00".into(),
        place: "Treatment room 2".into(),
        with_whom: "Healthcare assistant".into(),
        rest: BTreeMap::new(),
    };
    app::care_team::cycle::service::book(&demo.state, &ctx, &form, &checks).await?;
    demo.set(on + Duration::hours(1));
    // As the person's page shows it, with its "Mark as done" form.
    let read = demo
        .record(demo.assistant, patient_id, Permission::ReadRecord)
        .await?;
    let shown = app::care_team::cycle::service::person(&demo.state, &read, &[], None).await?;
    let Some(appointment) = shown.checks.as_ref().map(|c| c.id) else {
        return Err(AppError::NotFound);
    };
    let ctx = demo
        .record(demo.assistant, patient_id, Permission::ManageChecks)
        .await?;
    app::care_team::cycle::service::mark_done(&demo.state, &ctx, appointment, &checks).await
}

/// The clinician books the person's review, in the practice, within three weeks, and
/// releases their pack now.
async fn book_review(demo: &Demo, patient_id: Uuid, in_days: i64) -> Result<(), AppError> {
    let ctx = demo
        .record(demo.admin, patient_id, Permission::ManageReviews)
        .await?;
    let form = ReviewForm {
        patient_id: patient_id.to_string(),
        review_id: String::new(),
        date: date(demo.today + Days::new(in_days as u64)),
        time: "10:00".into(),
        with_whom: ADMIN.into(),
        mode: "in_person".into(),
        place: ROOM.into(),
    };
    app::preparation::service::schedule(&demo.state, &ctx, &form).await?;
    let ctx = demo
        .record(demo.admin, patient_id, Permission::ReleaseResults)
        .await?;
    app::preparation::service::release(&demo.state, &ctx).await
}
