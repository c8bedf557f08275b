//! The demo people's plans, as data: about me, goals and actions a clinician would recognise, a
//! contingency plan, support, and how often each person keeps up each action (from which
//! `build` makes two years of logs with the ups and downs of real life).

pub(crate) struct DemoAction {
    pub(crate) what: &'static str,
    pub(crate) who: (&'static str, &'static str),
    /// (kind, times a week, weekdays)
    pub(crate) freq: (&'static str, Option<i32>, &'static str),
    /// Days from today for a one-off action's date.
    pub(crate) due_in: Option<i64>,
    pub(crate) time: &'static str,
    pub(crate) confidence: i32,
    pub(crate) status: &'static str,
    /// How often the person manages it, out of 100.
    pub(crate) keeps_up: u32,
    pub(crate) notes: &'static [&'static str],
    /// Added by the clinician a few days ago (shows as news on Today).
    pub(crate) by_clinician: bool,
}

pub(crate) struct DemoGoal {
    pub(crate) title: &'static str,
    pub(crate) why: &'static str,
    pub(crate) importance: i32,
    pub(crate) success: &'static str,
    pub(crate) target_in_days: Option<i64>,
    pub(crate) status: &'static str,
    pub(crate) conditions: &'static str,
    pub(crate) actions: &'static [DemoAction],
}

pub(crate) struct DemoPlan {
    pub(crate) about: [&'static str; 8],
    pub(crate) goals: &'static [DemoGoal],
    pub(crate) contingency: [&'static str; 4],
    pub(crate) contacts: &'static [(&'static str, &'static str, &'static str)],
    pub(crate) support: &'static [(
        &'static str,
        &'static str,
        &'static str,
        Option<usize>,
        &'static str,
    )],
    pub(crate) review_in_days: i64,
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

pub(crate) fn demo_plan_for(given: &str) -> Option<&'static DemoPlan> {
    match given {
        "Margaret" => Some(&MARGARET),
        "David" => Some(&DAVID),
        "Aisha" => Some(&AISHA),
        _ => None,
    }
}

/// A tiny deterministic random number source, so every demo install has the same history.
pub(crate) struct Dice(pub(crate) u64);

impl Dice {
    pub(crate) fn roll(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % 100) as u32
    }
}
