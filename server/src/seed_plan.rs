//! The demo people's plans: about me, goals and actions a clinician would recognise, a
//! contingency plan, support, and two years of logs with the ups and downs of real life.
use chrono::{DateTime, Datelike as _, Days, Duration, NaiveDate, Utc, Weekday};
use sea_orm::{ActiveModelTrait as _, ConnectionTrait, EntityTrait as _, Set};
use uuid::Uuid;

use app::entities::{
    about_me, action_log, contingency, contingency_contact, goal, plan, plan_action, plan_change,
    support_item,
};
use app::error::AppError;
use app::plan::schedule::{Frequency, Outcome, is_due, parse_weekdays};

/// Two years of history.
const HISTORY_DAYS: u64 = 730;

struct DemoAction {
    what: &'static str,
    who: (&'static str, &'static str),
    /// (kind, times a week, weekdays)
    freq: (&'static str, Option<i32>, &'static str),
    /// Days from today for a one-off action's date.
    due_in: Option<i64>,
    time: &'static str,
    confidence: i32,
    status: &'static str,
    /// How often the person manages it, out of 100.
    keeps_up: u32,
    notes: &'static [&'static str],
    /// Added by the clinician a few days ago (shows as news on Today).
    by_clinician: bool,
}

struct DemoGoal {
    title: &'static str,
    why: &'static str,
    importance: i32,
    success: &'static str,
    target_in_days: Option<i64>,
    status: &'static str,
    conditions: &'static str,
    actions: &'static [DemoAction],
}

pub struct DemoPlan {
    about: [&'static str; 8],
    goals: &'static [DemoGoal],
    contingency: [&'static str; 4],
    contacts: &'static [(&'static str, &'static str, &'static str)],
    support: &'static [(
        &'static str,
        &'static str,
        &'static str,
        Option<usize>,
        &'static str,
    )],
    review_in_days: i64,
}

const fn act(
    what: &'static str,
    freq: (&'static str, Option<i32>, &'static str),
    time: &'static str,
    confidence: i32,
    keeps_up: u32,
    notes: &'static [&'static str],
) -> DemoAction {
    DemoAction {
        what,
        who: ("me", ""),
        freq,
        due_in: None,
        time,
        confidence,
        status: "in_progress",
        keeps_up,
        notes,
        by_clinician: false,
    }
}

const MARGARET: DemoPlan = DemoPlan {
    about: [
        "Being well enough to collect my granddaughter Lily from school, and keeping my feet healthy so I can keep walking.",
        "My husband Gareth. My daughter Sian, who lives nearby. Lily, who is 7.",
        "I prefer letters or this app to phone calls. I like things written down so I can read them again.",
        "Explain my results in plain words and give me time to ask questions.",
        "Please don't rush me, or talk about my weight in front of other people.",
        "Mornings are best. I look after Lily from 3pm on weekdays.",
        "I find it hard to keep changes going in the winter.",
        "Sian Evans (daughter)",
    ],
    goals: &[
        DemoGoal {
            title: "Walk to Lily's school and back without stopping",
            why: "So I can collect her every day, not only when Gareth drives.",
            importance: 9,
            success: "Walking there and back, about 20 minutes, by the summer holidays.",
            target_in_days: Some(200),
            status: "in_progress",
            conditions: "hypertension type2_diabetes",
            actions: &[
                act(
                    "Walk to the post office and back",
                    ("weekly", Some(3), ""),
                    "morning",
                    7,
                    78,
                    &[
                        "Went with my neighbour, it went quicker",
                        "Rain, so I walked round the shopping centre instead",
                        "Knee was sore",
                    ],
                ),
                DemoAction {
                    who: ("carer", "Sian Evans"),
                    ..act(
                        "Walk to Lily's school with Sian",
                        ("weekdays", None, "fri"),
                        "afternoon",
                        8,
                        85,
                        &["Lily held my hand the whole way"],
                    )
                },
            ],
        },
        DemoGoal {
            title: "Keep my feet healthy",
            why: "My foot check showed increased risk and I want to keep walking.",
            importance: 8,
            success: "No cuts or sores, and a podiatry check booked.",
            target_in_days: None,
            status: "in_progress",
            conditions: "type2_diabetes",
            actions: &[
                act(
                    "Check my feet for cuts or colour changes",
                    ("daily", None, ""),
                    "evening",
                    9,
                    88,
                    &["Small blister on my heel, keeping an eye on it"],
                ),
                DemoAction {
                    due_in: Some(10),
                    by_clinician: true,
                    ..act(
                        "Phone the podiatry service to book a foot check",
                        ("once", None, ""),
                        "any",
                        6,
                        0,
                        &[],
                    )
                },
            ],
        },
        DemoGoal {
            title: "Cut down on sugary drinks",
            why: "My HbA1c went up last winter.",
            importance: 6,
            success: "Water or tea with lunch instead of fizzy drinks.",
            target_in_days: None,
            status: "achieved",
            conditions: "type2_diabetes",
            actions: &[DemoAction {
                status: "done",
                ..act(
                    "Swap fizzy drinks for water at lunch",
                    ("daily", None, ""),
                    "afternoon",
                    8,
                    80,
                    &[],
                )
            }],
        },
    ],
    contingency: [
        "Blood sugar over 15 two days running. Feeling very thirsty or passing a lot of water. A cut on my foot that is red, hot or not healing.",
        "Drink water and check my sugar again in 2 hours. Ring the practice the same day about any foot wound. If I feel very unwell, call 111.",
        "Talking things through with Sian. A short walk after meals.",
        "Blood glucose meter and spare test strips.",
    ],
    contacts: &[
        (
            "Riverside Medical Practice",
            "my GP practice",
            "01632 960001",
        ),
        ("NHS 111", "when the practice is closed", "111"),
        ("Sian Evans", "my daughter", "07700 900123"),
    ],
    support: &[
        (
            "Riverside Walking for Health group",
            "Friendly walks of 30 to 60 minutes, Tuesdays at 10am from the library.",
            "01632 960555",
            Some(0),
            "helping",
        ),
        (
            "Diabetes education course",
            "Six sessions about food, activity and medicines with other people with diabetes.",
            "Ask at reception",
            Some(2),
            "tried",
        ),
    ],
    review_in_days: 12,
};

const DAVID: DemoPlan = DemoPlan {
    about: [
        "Getting back to bowls at the club on Saturdays, and walking Bess, my dog.",
        "My wife Carol. My friends at the bowls club.",
        "I am a bit deaf in my left ear. Please face me when you talk.",
        "Tell me straight what is going on.",
        "Please don't lecture me about smoking. I stopped two years ago.",
        "Any time after 10am.",
        "I get low when I cannot get out of the house.",
        "",
    ],
    goals: &[
        DemoGoal {
            title: "Get back to bowls at the club",
            why: "It is where my friends are.",
            importance: 8,
            success: "Playing a full game on a Saturday without stopping for breath.",
            target_in_days: Some(120),
            status: "in_progress",
            conditions: "copd",
            actions: &[
                act(
                    "Do my breathing exercises",
                    ("daily", None, ""),
                    "morning",
                    6,
                    70,
                    &["Felt easier today", "Chest tight, did half"],
                ),
                act(
                    "Walk round the park with Bess",
                    ("weekdays", None, "mon wed fri"),
                    "morning",
                    5,
                    65,
                    &["Too cold and windy", "Made it round twice"],
                ),
            ],
        },
        DemoGoal {
            title: "Stay out of hospital this winter",
            why: "Last winter I was in hospital twice with my chest.",
            importance: 10,
            success: "No hospital stays from November to March.",
            target_in_days: Some(130),
            status: "in_progress",
            conditions: "copd",
            actions: &[act(
                "Use my inhaler with the spacer, as the nurse showed me",
                ("daily", None, ""),
                "morning",
                8,
                90,
                &[],
            )],
        },
    ],
    contingency: [
        "More breathless than usual. Phlegm changes colour. Needing my blue inhaler more than 4 times a day.",
        "Start my rescue pack and tell the practice the same day. If I cannot speak in full sentences, call 999.",
        "Sitting forward with my arms on the table. Breathing out slowly through pursed lips.",
        "Rescue pack (steroid tablets and antibiotics) in the kitchen drawer. Spacer for my inhaler.",
    ],
    contacts: &[
        (
            "Riverside Medical Practice",
            "my GP practice",
            "01632 960001",
        ),
        ("Carol Hughes", "my wife", "07700 900456"),
    ],
    support: &[
        (
            "Breathe Easy group",
            "A support group for people with lung conditions. Meets on the first Monday of the month.",
            "01632 960777",
            Some(0),
            "suggested",
        ),
        (
            "Pulmonary rehabilitation",
            "A 6-week course of exercise and advice to help with breathlessness.",
            "Referral through the practice",
            Some(0),
            "helping",
        ),
    ],
    review_in_days: 18,
};

const AISHA: DemoPlan = DemoPlan {
    about: [
        "Keeping well for my sons, and carrying on working at the school office.",
        "My sons Imran and Zain. My sister Farah.",
        "Email or the app is best. I cannot take calls at work.",
        "Tell me what my kidney results mean for me, not just the numbers.",
        "Please don't book appointments in school hours without asking.",
        "After 4pm, or in the school holidays.",
        "I fast during Ramadan and would like advice on doing that safely.",
        "",
    ],
    goals: &[
        DemoGoal {
            title: "Keep my kidneys as healthy as I can",
            why: "My eGFR has been going down slowly.",
            importance: 9,
            success: "Blood pressure under 130/80 at home most days.",
            target_in_days: Some(180),
            status: "in_progress",
            conditions: "ckd hypertension",
            actions: &[
                act(
                    "Take my blood pressure at home and write it down",
                    ("weekdays", None, "mon thu"),
                    "morning",
                    8,
                    85,
                    &["134/82", "Forgot the cuff at my sister's"],
                ),
                act(
                    "Cook with less salt",
                    ("weekly", Some(5), ""),
                    "evening",
                    6,
                    60,
                    &["Used lemon and herbs instead", "Takeaway night"],
                ),
            ],
        },
        DemoGoal {
            title: "Sleep better",
            why: "I am tired at work and snap at the boys.",
            importance: 7,
            success: "Asleep by 11pm on school nights.",
            target_in_days: None,
            status: "in_progress",
            conditions: "",
            actions: &[act(
                "No screens after 10pm",
                ("daily", None, ""),
                "evening",
                5,
                55,
                &["Read a book instead", "Marking until late"],
            )],
        },
    ],
    contingency: [
        "Swollen ankles or face. Passing much less urine. Headaches with a home blood pressure over 160/100.",
        "Check my blood pressure again after resting for 5 minutes. If it is still high, ring the practice the same day.",
        "A walk with Farah. Prayer.",
        "Home blood pressure monitor.",
    ],
    contacts: &[(
        "Riverside Medical Practice",
        "my GP practice",
        "01632 960001",
    )],
    support: &[(
        "Kidney Care UK peer support",
        "Talk to someone who has been through it.",
        "kidneycareuk.org",
        Some(0),
        "suggested",
    )],
    review_in_days: 6,
};

impl DemoPlan {
    /// Days from the seed to this person's next review (all within 3 weeks).
    pub fn review_in_days(&self) -> i64 {
        self.review_in_days
    }
}

pub fn demo_plan_for(given: &str) -> Option<&'static DemoPlan> {
    match given {
        "Margaret" => Some(&MARGARET),
        "David" => Some(&DAVID),
        "Aisha" => Some(&AISHA),
        _ => None,
    }
}

/// A tiny deterministic random number source, so every demo install has the same history.
struct Dice(u64);

impl Dice {
    fn roll(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % 100) as u32
    }
}

/// Who wrote the demo plan.
pub struct Authors<'a> {
    pub patient: (Uuid, &'a str),
    pub clinician: (Uuid, &'a str),
}

#[allow(clippy::too_many_lines)]
pub async fn seed_plan(
    db: &impl ConnectionTrait,
    demo: &DemoPlan,
    patient_id: Uuid,
    authors: &Authors<'_>,
    now: DateTime<Utc>,
) -> Result<(), AppError> {
    let today = app::plan::service::today_in("Europe/London", now);
    let start = today - Days::new(HISTORY_DAYS);
    let started_at = now - Duration::days(HISTORY_DAYS as i64);
    let change = |at: DateTime<Utc>,
                  by: (Uuid, &str),
                  kind: &str,
                  section: &str,
                  record: Option<Uuid>,
                  summary: String| {
        plan_change::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(patient_id),
            at: Set(at),
            actor_account_id: Set(Some(by.0)),
            actor_name: Set(by.1.to_owned()),
            actor_kind: Set(kind.to_owned()),
            section: Set(section.to_owned()),
            record_id: Set(record),
            summary: Set(summary),
            detail: Set("[]".to_owned()),
        }
    };
    let mut changes = Vec::new();

    let [a0, a1, a2, a3, a4, a5, a6, a7] = demo.about.map(str::to_owned);
    about_me::ActiveModel {
        patient_id: Set(patient_id),
        what_matters: Set(a0),
        important_people: Set(a1),
        communication: Set(a2),
        please_do: Set(a3),
        please_dont: Set(a4),
        support_how_when: Set(a5),
        also_worth_knowing: Set(a6),
        supported_by: Set(a7),
    }
    .insert(db)
    .await?;
    changes.push(change(
        started_at,
        authors.patient,
        "patient",
        "about_me",
        None,
        "Wrote \"About me\"".into(),
    ));

    let [c0, c1, c2, c3] = demo.contingency.map(str::to_owned);
    contingency::ActiveModel {
        patient_id: Set(patient_id),
        warning_signs: Set(c0),
        what_to_do: Set(c1),
        coping: Set(c2),
        anticipatory: Set(c3),
    }
    .insert(db)
    .await?;
    for (name, role, phone) in demo.contacts {
        contingency_contact::ActiveModel {
            id: Set(Uuid::new_v4()),
            patient_id: Set(patient_id),
            name: Set((*name).into()),
            role: Set((*role).into()),
            phone: Set((*phone).into()),
            created_at: Set(started_at),
        }
        .insert(db)
        .await?;
    }
    changes.push(change(
        started_at,
        authors.clinician,
        "professional",
        "contingency",
        None,
        "Wrote the contingency plan with you".into(),
    ));

    // Agreed at the review that started the plan; later changes show as "changed since".
    let agreed_at = started_at + Duration::hours(1);
    plan::ActiveModel {
        patient_id: Set(patient_id),
        review_date: Set(Some(today + Days::new(demo.review_in_days as u64))),
        review_with: Set(Some(authors.clinician.1.to_owned())),
        agreed_at: Set(Some(agreed_at)),
        agreed_by: Set(Some(authors.clinician.0)),
        written_by: Set(Some(format!(
            "{}, {}",
            authors.clinician.1,
            crate::seed::PRACTICE
        ))),
        agreed_with: Set(Some("person".to_owned())),
        representative: Set(None),
    }
    .insert(db)
    .await?;
    changes.push(change(
        agreed_at,
        authors.clinician,
        "professional",
        "agreed",
        None,
        "Agreed the plan with you".into(),
    ));

    let mut goal_ids = Vec::new();
    let mut logs = Vec::new();
    let mut dice = Dice(patient_id.as_u128() as u64);
    for (gi, g) in demo.goals.iter().enumerate() {
        let goal_id = Uuid::new_v4();
        goal_ids.push(goal_id);
        let created = started_at + Duration::minutes(gi as i64);
        goal::ActiveModel {
            id: Set(goal_id),
            patient_id: Set(patient_id),
            title: Set(g.title.into()),
            why: Set(g.why.into()),
            importance: Set(g.importance),
            success: Set(g.success.into()),
            target_date: Set(g.target_in_days.map(|d| today + Days::new(d as u64))),
            status: Set(g.status.into()),
            conditions: Set(g.conditions.into()),
            created_at: Set(created),
        }
        .insert(db)
        .await?;
        changes.push(change(
            created,
            authors.patient,
            "patient",
            "goals",
            Some(goal_id),
            format!("Added the goal \"{}\"", g.title),
        ));
        for (ai, a) in g.actions.iter().enumerate() {
            let action_id = Uuid::new_v4();
            let (created, starts_on, author) = if a.by_clinician {
                let at = now - Duration::days(3);
                (
                    at,
                    today - Days::new(3),
                    (authors.clinician, "professional"),
                )
            } else {
                (
                    created + Duration::seconds(ai as i64 + 1),
                    start,
                    (authors.patient, "patient"),
                )
            };
            let due_by = a.due_in.map(|d| today + Days::new(d as u64));
            plan_action::ActiveModel {
                id: Set(action_id),
                patient_id: Set(patient_id),
                goal_id: Set(goal_id),
                what: Set(a.what.into()),
                who_kind: Set(a.who.0.into()),
                who_name: Set(a.who.1.into()),
                frequency: Set(a.freq.0.into()),
                times_per_week: Set(a.freq.1),
                weekdays: Set(a.freq.2.into()),
                due_by: Set(due_by),
                time_of_day: Set(a.time.into()),
                confidence: Set(a.confidence),
                status: Set(a.status.into()),
                starts_on: Set(starts_on),
                created_at: Set(created),
            }
            .insert(db)
            .await?;
            changes.push(change(
                created,
                author.0,
                author.1,
                "goals",
                Some(action_id),
                format!("Added the action \"{}\"", a.what),
            ));
            if a.keeps_up == 0 {
                continue;
            }
            // A finished action stopped being logged a year ago.
            let last = if a.status == "done" {
                today - Days::new(365)
            } else {
                today - Days::new(1)
            };
            let freq = Frequency::from_parts(a.freq.0, a.freq.1, a.freq.2, due_by)
                .unwrap_or(Frequency::Daily);
            let chosen: Vec<Weekday> = match &freq {
                // Weekly actions: the person's usual days.
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
            let mut day = starts_on;
            while day <= last {
                let planned = match &freq {
                    Frequency::TimesPerWeek(_) => chosen.contains(&day.weekday()),
                    other => is_due(other, starts_on, day, &[]),
                };
                // Harder in winter, as people say.
                let winter = matches!(day.month(), 12 | 1 | 2);
                let keeps_up = if winter {
                    a.keeps_up.saturating_sub(15)
                } else {
                    a.keeps_up
                };
                let roll = dice.roll();
                if planned && roll < 95 {
                    let outcome = if roll < keeps_up * 95 / 100 {
                        Outcome::Done
                    } else if roll < keeps_up * 95 / 100 + 10 {
                        Outcome::Partly
                    } else {
                        Outcome::NotToday
                    };
                    let note = (!a.notes.is_empty() && dice.roll() < 6)
                        .then(|| a.notes[(dice.roll() as usize) % a.notes.len()].to_owned());
                    logs.push(log_row(
                        action_id,
                        patient_id,
                        day,
                        outcome,
                        note,
                        authors.patient.0,
                    ));
                }
                day = match day.succ_opt() {
                    Some(next) => next,
                    None => break,
                };
            }
        }
    }
    for (name, why, contact, goal, status) in demo.support {
        let id = Uuid::new_v4();
        support_item::ActiveModel {
            id: Set(id),
            patient_id: Set(patient_id),
            goal_id: Set(goal.and_then(|i| goal_ids.get(i).copied())),
            name: Set((*name).into()),
            why: Set((*why).into()),
            contact: Set((*contact).into()),
            status: Set((*status).into()),
            created_at: Set(started_at),
        }
        .insert(db)
        .await?;
        changes.push(change(
            started_at,
            authors.clinician,
            "professional",
            "support",
            Some(id),
            format!("Added \"{name}\""),
        ));
    }
    plan_change::Entity::insert_many(changes).exec(db).await?;
    // SQLite allows a limited number of parameters per statement.
    for chunk in logs.chunks(500) {
        action_log::Entity::insert_many(chunk.to_vec())
            .exec(db)
            .await?;
    }
    Ok(())
}

fn log_row(
    action_id: Uuid,
    patient_id: Uuid,
    day: NaiveDate,
    outcome: Outcome,
    note: Option<String>,
    by: Uuid,
) -> action_log::ActiveModel {
    let logged_at = day
        .and_hms_opt(19, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or_default();
    action_log::ActiveModel {
        id: Set(Uuid::new_v4()),
        action_id: Set(action_id),
        patient_id: Set(patient_id),
        day: Set(day),
        outcome: Set(outcome.code().to_owned()),
        note: Set(note),
        logged_at: Set(logged_at),
        logged_by: Set(Some(by)),
        client_id: Set(None),
    }
}
