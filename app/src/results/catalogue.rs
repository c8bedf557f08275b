//! The kinds of result Alongside explains: what each is, why it matters, what the numbers mean,
//! and the bands and usual targets from NICE guidance for UK primary care (../shared/DOMAIN.md).
//! A person's own target, when the care team has set one, wins over the usual target.
//! Each number also has a *meaningful difference*: the smallest change we call "higher" or
//! "lower" (and so "better" or "worse"). Smaller changes are "about the same", because one test
//! differs from the next by that much with nothing having changed.

use super::bounds::{Bound, Edge, Reading, Span, either};

/// How a result reads against its bands and target, in words (never only a colour).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assessment {
    /// The band's name, e.g. "G3a: moderately reduced".
    pub band: String,
    /// `Some(true)` when it meets the target, `Some(false)` when not, `None` when no target
    /// applies or when the lab gave a bound that lies either side of it.
    pub meets_target: Option<bool>,
    /// One sentence for the person, e.g. "This meets your target of 53 or lower."
    pub words: String,
}

/// Which way is better for a number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// How big a change must be before it counts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Step {
    /// A change of at least this much, in the result's unit.
    By(f64),
    /// A change by at least this factor either way: 1.05 is 5%, 2.0 a doubling or a halving.
    Times(f64),
}

impl Step {
    /// Whether going from `was` to `now` is a change big enough to mean something.
    pub fn matters(self, was: f64, now: f64) -> bool {
        // A hair under the threshold still counts: 58 - 53 is not exactly 5 in floating point.
        const SLACK: f64 = 1e-9;
        match self {
            Step::By(d) => (now - was).abs() >= d - SLACK,
            Step::Times(f) => {
                let (lo, hi) = (was.min(now), was.max(now));
                if lo <= 0.0 {
                    return hi > lo;
                }
                hi / lo >= f - SLACK
            }
        }
    }

    /// The size of a meaningful change near `at`, in the result's unit.
    pub fn size_at(self, at: f64) -> f64 {
        match self {
            Step::By(d) => d,
            Step::Times(f) => at.abs() * (f - 1.0),
        }
    }
}

/// The meaningful difference for a kind of result.
pub struct Meaningful {
    /// For the number (for blood pressure, the top number).
    pub first: Step,
    /// For a second number (the bottom number of a blood pressure).
    pub second: Option<Step>,
    /// Where the threshold comes from, and whether it is a guideline's number or a convention.
    pub source: &'static str,
}

pub struct Kind {
    pub code: &'static str,
    pub name: &'static str,
    pub unit: &'static str,
    pub what: &'static str,
    pub why: &'static str,
    pub numbers: &'static str,
    /// `None` for coded results (foot risk, eye screening, smoking).
    pub better: Option<Better>,
    /// `None` for coded results, which are the same or not.
    pub meaningful: Option<Meaningful>,
}

pub const KINDS: &[Kind] = &[
    Kind {
        code: "hba1c",
        name: "HbA1c (average blood sugar)",
        unit: "mmol/mol",
        what: "A blood test that shows your average blood sugar over the last 2 to 3 months.",
        why: "Keeping it near your target lowers the risk of problems with your eyes, feet, kidneys and heart.",
        numbers: "For most people with type 2 diabetes the target is 48 or lower, or 53 or lower if you take a medicine that can make your sugar go too low. At 58 or more, it is worth talking about what could help.",
        better: Some(Better::Lower),
        meaningful: Some(Meaningful {
            first: Step::By(5.0),
            second: None,
            source: "NICE NG28 (type 2 diabetes in adults): its evidence reviews treat a change of 0.5 percentage points (5.5 mmol/mol) as clinically important; rounded down to 5 so a change of 5 is never called the same.",
        }),
    },
    Kind {
        code: "blood_pressure",
        name: "Blood pressure",
        unit: "mmHg",
        what: "How hard your blood pushes on the walls of your arteries. The first number is when your heart beats, the second when it rests.",
        why: "High blood pressure strains your heart, brain, kidneys and eyes. Lowering it lowers the risk of a stroke or heart attack.",
        numbers: "The usual target in the clinic is below 140/90 if you are under 80, and below 150/90 if you are 80 or over. Some people with kidney disease aim for below 130/80.",
        better: Some(Better::Lower),
        meaningful: Some(Meaningful {
            first: Step::By(10.0),
            second: Some(Step::By(5.0)),
            source: "A clinical convention, not a guideline number: one person's clinic readings commonly differ by this much from visit to visit (which is why NICE NG136 asks for repeated readings; see Stevens et al., BMJ 2016;354:i4098 on visit-to-visit variation). 10 mmHg for the top number, 5 for the bottom.",
        }),
    },
    Kind {
        code: "non_hdl_cholesterol",
        name: "Non-HDL cholesterol",
        unit: "mmol/L",
        what: "The cholesterol that can build up in your arteries.",
        why: "Lower levels mean less risk of heart attack and stroke.",
        numbers: "If you take a statin after a heart problem, the aim is 2.6 or lower.",
        better: Some(Better::Lower),
        meaningful: Some(Meaningful {
            first: Step::By(0.5),
            second: None,
            source: "A clinical convention: about the test-to-test variation of cholesterol at these levels (around 20% from day-to-day biological and laboratory variation). NICE NG238 judges treatment by a 40% fall in non-HDL cholesterol, far more than this.",
        }),
    },
    Kind {
        code: "egfr",
        name: "eGFR (kidney function)",
        unit: "mL/min/1.73m²",
        what: "An estimate of how well your kidneys filter your blood, worked out from a blood test.",
        why: "It shows whether your kidneys are working well and whether that is changing over time.",
        numbers: "90 or more is normal (G1). 60 to 89 is mildly reduced (G2), 45 to 59 mildly to moderately reduced (G3a), 30 to 44 moderately to severely reduced (G3b), 15 to 29 severely reduced (G4), below 15 is kidney failure (G5).",
        better: Some(Better::Higher),
        meaningful: Some(Meaningful {
            first: Step::By(5.0),
            second: None,
            source: "KDIGO 2012 CKD guideline, used by NICE CKS: a fall of more than 5 mL/min/1.73m² in a year is rapid progression; smaller changes are within the test's usual variation. (NICE NG203 calls a fall of 25%, or of 15 in a year, accelerated progression.)",
        }),
    },
    Kind {
        code: "urine_acr",
        name: "Urine ACR (protein in your urine)",
        unit: "mg/mmol",
        what: "A urine test for a protein called albumin, which healthy kidneys keep in the blood.",
        why: "Protein in the urine is an early sign of kidney damage and of heart risk.",
        numbers: "Below 3 is normal (A1). 3 to 30 is moderately raised (A2). Over 30 is severely raised (A3).",
        better: Some(Better::Lower),
        meaningful: Some(Meaningful {
            first: Step::Times(2.0),
            second: None,
            source: "A clinical convention, a doubling or a halving: ACR varies a great deal from day to day (Naresh et al., Am J Kidney Dis 2013;62:1095, found that at 3 to 30 mg/mmol a change of 170% is needed to be 95% sure), so smaller changes are usually noise.",
        }),
    },
    Kind {
        code: "serum_creatinine",
        name: "Creatinine (blood test)",
        unit: "µmol/L",
        what: "A waste product your kidneys clear from your blood. It is used to work out your eGFR.",
        why: "A rise can mean your kidneys are working less well.",
        numbers: "What is usual depends on your age, sex and muscle, so your eGFR is the number to watch.",
        better: None,
        meaningful: Some(Meaningful {
            first: Step::By(26.0),
            second: None,
            source: "NICE NG148 and KDIGO: a rise of 26 µmol/L is the smallest change treated as meaningful (there, for acute kidney injury). A convention for results months apart; the eGFR is the number to watch.",
        }),
    },
    Kind {
        code: "bmi",
        name: "Body mass index (BMI)",
        unit: "kg/m²",
        what: "Your weight compared with your height.",
        why: "A healthier weight can help blood sugar, blood pressure, breathing and joints.",
        numbers: "18.5 to 24.9 is the healthy range, 25 to 29.9 overweight, 30 or more obesity. For people of South Asian, Chinese, Black African or Caribbean family background the lines are lower (23 and 27.5).",
        better: Some(Better::Lower),
        meaningful: Some(Meaningful {
            first: Step::Times(1.05),
            second: None,
            source: "NICE obesity guidance (CG189, NG246): losing 5% of body weight brings real health benefits; BMI moves in step with weight.",
        }),
    },
    Kind {
        code: "copd_cat",
        name: "COPD assessment test (CAT)",
        unit: "score",
        what: "8 questions about how COPD affects your daily life, scored from 0 to 40.",
        why: "It helps you and your care team see how much COPD gets in the way, and whether that is changing.",
        numbers: "Below 10 is low impact, 10 to 20 medium, 21 to 30 high, over 30 very high.",
        better: Some(Better::Lower),
        meaningful: Some(Meaningful {
            first: Step::By(2.0),
            second: None,
            source: "Kon et al., Lancet Respir Med 2014;2:195-203: the minimum clinically important difference of the CAT is 2 points.",
        }),
    },
    Kind {
        code: "mrc_dyspnoea",
        name: "Breathlessness (MRC scale)",
        unit: "grade",
        what: "How breathless you get, from grade 1 (only with hard exercise) to grade 5 (too breathless to leave the house).",
        why: "At grade 3 or more, a pulmonary rehabilitation course can help.",
        numbers: "Grade 1 or 2 is mild. Grade 3 or more: ask about pulmonary rehabilitation.",
        better: Some(Better::Lower),
        meaningful: Some(Meaningful {
            first: Step::By(1.0),
            second: None,
            source: "The scale's smallest step: one grade.",
        }),
    },
    Kind {
        code: "foot_risk",
        name: "Foot check",
        unit: "",
        what: "A check of the feeling and blood supply in your feet.",
        why: "Diabetes can damage nerves and blood flow in the feet, so small cuts can turn into ulcers.",
        numbers: "Low, increased, high risk, or an active ulcer. At increased risk or more, you should see a foot protection service.",
        better: None,
        meaningful: None,
    },
    Kind {
        code: "eye_screening",
        name: "Diabetic eye screening",
        unit: "",
        what: "Photos of the back of your eyes.",
        why: "Diabetes can damage the blood vessels at the back of the eye. Found early, it can be treated.",
        numbers: "You are screened every year, or every two years after two clear screens in a row.",
        better: None,
        meaningful: None,
    },
    Kind {
        code: "smoking_status",
        name: "Smoking",
        unit: "",
        what: "Whether you smoke.",
        why: "Stopping smoking is the biggest single thing most people can do for their heart and lungs.",
        numbers: "Free help to stop is available from your practice or local stop smoking service.",
        better: None,
        meaningful: None,
    },
];

pub fn kind(code: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.code == code)
}

/// A coded value in words.
pub fn coded_words(value: &str) -> String {
    match value {
        "low" => "Low risk",
        "increased" => "Increased risk",
        "high" => "High risk",
        "ulcerated" => "Active ulcer",
        "no_retinopathy" => "No changes found",
        "background_retinopathy" => "Small changes found (background retinopathy)",
        "referable_retinopathy" => "Changes that need a specialist to look",
        "never" => "Never smoked",
        "ex_smoker" => "Stopped smoking",
        "current" => "Smokes",
        other => return other.replace('_', " "),
    }
    .to_owned()
}

/// A number as people read it: no trailing ".0".
pub fn show(n: f64) -> String {
    if (n - n.round()).abs() < 1e-9 {
        format!("{}", n.round() as i64)
    } else {
        format!("{n:.1}")
    }
}

/// A result's value in words, with its unit: "58 mmol/mol", "141/85 mmHg", "more than 90
/// mL/min/1.73m²" (a bound the lab gave), "Low risk" (a coded result).
pub fn value_words(
    value: Option<f64>,
    value2: Option<f64>,
    coded: Option<&str>,
    bound: Option<Bound>,
    unit: &str,
) -> String {
    let text = match (value, value2, coded) {
        (Some(a), Some(b), _) => format!("{}/{} {unit}", show(a), show(b)),
        (Some(a), None, _) => match bound {
            Some(b) => b.words(&show(a), unit),
            None => format!("{} {unit}", show(a)),
        },
        (None, _, Some(c)) => coded_words(c),
        _ => String::new(),
    };
    text.trim().to_owned()
}

/// The target a result is read against: the person's own (a number, or for blood pressure the
/// systolic/diastolic pair) when the care team has set one, else the usual one. `None` for
/// results read against bands rather than a target (eGFR, ACR, BMI, CAT, breathlessness).
pub fn target(code: &str, age: u32, own: Option<(f64, Option<f64>)>) -> Option<(f64, Option<f64>)> {
    match (code, own) {
        ("hba1c", _) => Some((own.map_or(48.0, |t| t.0), None)),
        ("blood_pressure", Some((s, d))) => Some((s, Some(d.unwrap_or(90.0)))),
        ("blood_pressure", None) if age >= 80 => Some((150.0, Some(90.0))),
        ("blood_pressure", None) => Some((140.0, Some(90.0))),
        ("non_hdl_cholesterol", _) => Some((own.map_or(2.6, |t| t.0), None)),
        _ => None,
    }
}

/// A shaded band on a chart: where the target is, in numbers and in words.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Band {
    /// The lower edge; `None` runs to the bottom of the chart.
    pub low: Option<f64>,
    /// The upper edge (the target itself); `None` runs to the top.
    pub high: Option<f64>,
    /// What it is, to follow "Shaded band: ": "the target, 48 or lower".
    pub words: String,
}

/// NHS: blood pressure below 90/60 is low. The blood-pressure bands start there, so the top
/// number's band and the bottom number's band sit one above the other instead of overlapping.
const LOW_BLOOD_PRESSURE: (f64, f64) = (90.0, 60.0);

/// The target as bands to shade on a chart (two for blood pressure), from `target`.
pub fn target_bands(code: &str, age: u32, own: Option<(f64, Option<f64>)>) -> Vec<Band> {
    match target(code, age, own) {
        Some((s, Some(d))) => vec![
            Band {
                low: Some(LOW_BLOOD_PRESSURE.0.min(s)),
                high: Some(s),
                words: format!("the target for the top number, below {}", show(s)),
            },
            Band {
                low: Some(LOW_BLOOD_PRESSURE.1.min(d)),
                high: Some(d),
                words: format!("the target for the bottom number, below {}", show(d)),
            },
        ],
        Some((t, None)) => vec![Band {
            low: None,
            high: Some(t),
            words: format!("the target, {} or lower", show(t)),
        }],
        None => Vec::new(),
    }
}

/// How one number moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Move {
    Same,
    AboutSame,
    Up,
    Down,
}

fn movement(step: Option<Step>, was: f64, now: f64) -> Move {
    if (now - was).abs() < 1e-9 {
        Move::Same
    } else if !step.is_none_or(|s| s.matters(was, now)) {
        Move::AboutSame
    } else if now > was {
        Move::Up
    } else {
        Move::Down
    }
}

fn judgement(better: Option<Better>, moved: Move) -> &'static str {
    match (better, moved) {
        (Some(Better::Lower), Move::Down) | (Some(Better::Higher), Move::Up) => ", which is better",
        (Some(_), Move::Up | Move::Down) => ", which is worse",
        _ => "",
    }
}

fn word(moved: Move) -> &'static str {
    if moved == Move::Up { "higher" } else { "lower" }
}

/// How a number changed since last time, in words: "better" or "worse" only when the change is
/// at least the kind's meaningful difference; smaller changes are "about the same".
/// `was` and `now` are (number, second number) pairs; the second is a blood pressure's bottom
/// number.
pub fn change_words(kind: &Kind, was: (f64, Option<f64>), now: (f64, Option<f64>)) -> String {
    let step = |second: bool| {
        kind.meaningful
            .as_ref()
            .and_then(|m| if second { m.second } else { Some(m.first) })
    };
    let first = movement(step(false), was.0, now.0);
    let second = match (was.1, now.1) {
        (Some(a), Some(b)) => Some(movement(step(true), a, b)),
        _ => None,
    };
    let still = |m: Move| matches!(m, Move::Same | Move::AboutSame);
    match (first, second) {
        (Move::Same, None | Some(Move::Same)) => "The same as last time".to_owned(),
        (a, None) if still(a) => "About the same as last time".to_owned(),
        (a, None) => {
            let w = if a == Move::Up { "Higher" } else { "Lower" };
            format!("{w} than last time{}", judgement(kind.better, a))
        }
        (a, Some(b)) if still(a) && still(b) => "About the same as last time".to_owned(),
        (a, Some(b)) if a == b => format!(
            "Both numbers are {} than last time{}",
            word(a),
            judgement(kind.better, a)
        ),
        (a, Some(b)) if still(b) => format!(
            "The top number is {} than last time{}; the bottom number is about the same",
            word(a),
            judgement(kind.better, a)
        ),
        (a, Some(b)) if still(a) => format!(
            "The bottom number is {} than last time{}; the top number is about the same",
            word(b),
            judgement(kind.better, b)
        ),
        (a, Some(b)) => format!(
            "The top number is {} and the bottom number {} than last time",
            word(a),
            word(b)
        ),
    }
}

/// How a number changed when the lab gave a bound ("more than 90") for one or both results:
/// `Some` only when every pair of numbers the two results allow moved the same way by at least
/// the meaningful difference, so a bound is never treated as an exact number. `None`: we
/// cannot say how much it changed. Two exact numbers read as `change_words` says.
pub fn change_of_readings(kind: &Kind, was: Reading, now: Reading) -> Option<String> {
    if was.bound.is_none() && now.bound.is_none() {
        return Some(change_words(kind, (was.value, None), (now.value, None)));
    }
    let (was, now) = (Span::of(was), Span::of(now));
    let step = kind.meaningful.as_ref().map(|m| m.first);
    // The least it can have risen is from the highest `was` allows to the lowest `now` allows.
    let certain = |from: Option<Edge>, to: Option<Edge>| match (from, to) {
        (Some(from), Some(to))
            if to.at > from.at || (to.at == from.at && !(to.inclusive && from.inclusive)) =>
        {
            step.is_none_or(|s| s.matters(from.at, to.at))
        }
        _ => false,
    };
    let moved = if certain(was.high, now.low) {
        Move::Up
    } else if certain(now.high, was.low) {
        Move::Down
    } else {
        return None;
    };
    Some(format!(
        "{} than last time{}",
        if moved == Move::Up { "Higher" } else { "Lower" },
        judgement(kind.better, moved)
    ))
}

/// One of a result's bands: the numbers it covers, its short code ("G3a", or none) and its name.
struct Banded {
    span: Span,
    code: &'static str,
    name: &'static str,
}

const fn banded(span: Span, code: &'static str, name: &'static str) -> Banded {
    Banded { span, code, name }
}

/// KDIGO GFR categories, as NICE NG203 uses them.
const EGFR_BANDS: [Banded; 6] = [
    banded(Span::from(90.0, true), "G1", "normal"),
    banded(Span::band(60.0, 90.0), "G2", "mildly reduced"),
    banded(
        Span::band(45.0, 60.0),
        "G3a",
        "mildly to moderately reduced",
    ),
    banded(
        Span::band(30.0, 45.0),
        "G3b",
        "moderately to severely reduced",
    ),
    banded(Span::band(15.0, 30.0), "G4", "severely reduced"),
    banded(Span::below(15.0, false), "G5", "kidney failure"),
];

/// KDIGO albuminuria categories: A2 runs from 3 to 30 with both ends included.
const ACR_BANDS: [Banded; 3] = [
    banded(Span::below(3.0, false), "A1", "normal"),
    banded(
        Span::between(3.0, true, 30.0, true),
        "A2",
        "moderately raised",
    ),
    banded(Span::from(30.0, false), "A3", "severely raised"),
];

const BMI_BANDS: [Banded; 6] = [
    banded(Span::below(18.5, false), "", "Underweight"),
    banded(Span::band(18.5, 25.0), "", "Healthy weight"),
    banded(Span::band(25.0, 30.0), "", "Overweight"),
    banded(Span::band(30.0, 35.0), "", "Obesity class 1"),
    banded(Span::band(35.0, 40.0), "", "Obesity class 2"),
    banded(Span::from(40.0, true), "", "Obesity class 3"),
];

const CAT_BANDS: [Banded; 4] = [
    banded(Span::below(10.0, false), "", "Low impact"),
    banded(Span::between(10.0, true, 20.0, true), "", "Medium impact"),
    banded(Span::between(20.0, false, 30.0, true), "", "High impact"),
    banded(Span::from(30.0, false), "", "Very high impact"),
];

const MRC_BANDS: [Banded; 2] = [
    banded(Span::below(3.0, false), "", "Grade 1 or 2"),
    banded(Span::from(3.0, true), "", "Grade 3 or more"),
];

/// The bands a reading falls in: one for an exact number, one or more for a bound.
fn bands_of(bands: &[Banded], reading: Reading) -> Vec<&Banded> {
    let span = Span::of(reading);
    bands.iter().filter(|b| b.span.overlaps(span)).collect()
}

/// "G1 or G2: normal or mildly reduced", or for bands without a code "Healthy weight or
/// Overweight".
fn band_label(hit: &[&Banded]) -> String {
    let names: Vec<&str> = hit.iter().map(|b| b.name).collect();
    if hit.iter().all(|b| b.code.is_empty()) {
        return either(&names);
    }
    let codes: Vec<&str> = hit.iter().map(|b| b.code).collect();
    format!("{}: {}", either(&codes), either(&names))
}

/// "The lab gave 60 mL/min/1.73m² or more, not an exact number: " before the words of a
/// reading that spans bands; nothing for an exact number.
fn gave(reading: Reading, unit: &str) -> String {
    match reading.bound {
        Some(b) => format!(
            "The lab gave {}, not an exact number: ",
            b.words(&show(reading.value), unit)
        ),
        None => String::new(),
    }
}

/// A sentence continued after a colon: "Your kidney …" becomes "your kidney …", "COPD has …"
/// stays as it is.
fn after_colon(sentence: &str) -> String {
    let mut chars = sentence.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(sentence.chars().skip(1))
            .collect(),
        _ => sentence.to_owned(),
    }
}

/// A reading against its bands. One band: its name; several (a bound across an edge): all of
/// them, so the words stay true whatever the real number is.
fn in_bands(
    bands: &[Banded],
    reading: Reading,
    unit: &str,
    words: impl Fn(&str, bool) -> String,
) -> Option<Assessment> {
    let hit = bands_of(bands, reading);
    let (first, several) = match hit.as_slice() {
        [] => return None,
        [one] => (*one, false),
        [one, ..] => (*one, true),
    };
    if !several {
        let band = band_label(&[first]);
        return Some(Assessment {
            words: words(&band, false),
            band,
            meets_target: None,
        });
    }
    let band = band_label(&hit);
    // "band G1 or G2 (normal or mildly reduced)" reads better in a sentence than the label.
    let in_words = if first.code.is_empty() {
        band.clone()
    } else {
        let names: Vec<&str> = hit.iter().map(|b| b.name).collect();
        let codes: Vec<&str> = hit.iter().map(|b| b.code).collect();
        format!("{} ({})", either(&codes), either(&names))
    };
    Some(Assessment {
        words: format!(
            "{}{}",
            gave(reading, unit),
            after_colon(&words(&in_words, true))
        ),
        band,
        meets_target: None,
    })
}

/// The words for a result read against a target: met, not met, or (for a bound either side of
/// it) cannot be told from this result.
fn with_target(band: &str, meets: Option<bool>, target: &str) -> Assessment {
    let words = match meets {
        Some(true) => format!("This meets the target of {target}."),
        Some(false) => format!("This is above the target of {target}."),
        None => format!(
            "The lab gave a range, not an exact number, so we cannot tell if this meets the target of {target}."
        ),
    };
    Assessment {
        band: band.to_owned(),
        meets_target: meets,
        words,
    }
}

/// Reads a result against its bands and the target: the person's own (`own_target`, a number,
/// or for blood pressure the systolic/diastolic pair) when set, else the usual one. `value` may
/// be a bound the lab gave ("more than 90"): then a band is named only when the whole bound
/// lies in it, and a target is met or not only when the whole bound is on one side.
pub fn assess(
    code: &str,
    value: Option<Reading>,
    value2: Option<f64>,
    coded: Option<&str>,
    age: u32,
    own_target: Option<(f64, Option<f64>)>,
) -> Option<Assessment> {
    let unit = kind(code).map_or("", |k| k.unit);
    let plain = |band: &str, words: &str| Assessment {
        band: band.to_owned(),
        meets_target: None,
        words: words.to_owned(),
    };
    match (code, value, coded) {
        ("hba1c", Some(r), _) => {
            let target = target(code, age, own_target).map_or(48.0, |t| t.0);
            let span = Span::of(r);
            let band = if span.within(Span::from(58.0, true)) {
                "Above the level to act on (58)"
            } else if span.within(Span::from(target, false)) {
                "Above target"
            } else if span.within(Span::below(target, true)) {
                "At or below target"
            } else {
                "Either side of the target"
            };
            Some(with_target(
                band,
                span.inside(Span::below(target, true)),
                &format!("{} or lower", show(target)),
            ))
        }
        ("blood_pressure", Some(sys), _) => {
            let dia = Reading::exact(value2.unwrap_or(0.0));
            let (ts, td) = match target(code, age, own_target) {
                Some((s, d)) => (s, d.unwrap_or(90.0)),
                None => (140.0, 90.0),
            };
            let meets = match (
                Span::of(sys).inside(Span::below(ts, false)),
                Span::of(dia).inside(Span::below(td, false)),
            ) {
                (Some(false), _) | (_, Some(false)) => Some(false),
                (Some(true), Some(true)) => Some(true),
                _ => None,
            };
            let target = format!("below {}/{}", show(ts), show(td));
            let band = match meets {
                Some(true) => "Within target",
                Some(false) => "Above target",
                None => "Either side of the target",
            };
            let mut a = with_target(band, meets, &target);
            if meets == Some(false) {
                a.words = format!("This is not below the target of {target}.");
            }
            Some(a)
        }
        ("non_hdl_cholesterol", Some(r), _) => {
            let target = target(code, age, own_target).map_or(2.6, |t| t.0);
            let meets = Span::of(r).inside(Span::below(target, true));
            let band = match meets {
                Some(true) => "At or below target",
                Some(false) => "Above target",
                None => "Either side of the target",
            };
            Some(with_target(
                band,
                meets,
                &format!("{} or lower", show(target)),
            ))
        }
        ("egfr", Some(r), _) => in_bands(&EGFR_BANDS, r, unit, |band, _| {
            format!("Your kidney function is in band {band}.")
        }),
        ("urine_acr", Some(r), _) => in_bands(&ACR_BANDS, r, unit, |band, _| {
            format!("The protein in your urine is in band {band}.")
        }),
        ("bmi", Some(r), _) => in_bands(&BMI_BANDS, r, unit, |band, _| {
            format!("This is in the {} range.", band.to_lowercase())
        }),
        ("copd_cat", Some(r), _) => in_bands(&CAT_BANDS, r, unit, |band, _| {
            format!("COPD has a {} on your life.", band.to_lowercase())
        }),
        ("mrc_dyspnoea", Some(r), _) => in_bands(&MRC_BANDS, r, unit, |band, several| {
            if several {
                "we cannot tell from this result how breathless you get.".to_owned()
            } else if band.starts_with("Grade 3") {
                "Pulmonary rehabilitation could help: ask your care team.".to_owned()
            } else {
                "Your breathlessness is mild.".to_owned()
            }
        }),
        (_, _, Some(c)) => Some(plain(
            &coded_words(c),
            &format!("Result: {}.", coded_words(c)),
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hba1c_meets_the_usual_target_at_48_or_the_persons_own() {
        assert_eq!(
            assess("hba1c", Some(Reading::exact(48.0)), None, None, 60, None)
                .unwrap()
                .meets_target,
            Some(true)
        );
        let high = assess("hba1c", Some(Reading::exact(58.0)), None, None, 60, None).unwrap();
        assert_eq!(high.meets_target, Some(false));
        assert!(high.band.contains("act on"));
        let own = assess(
            "hba1c",
            Some(Reading::exact(52.0)),
            None,
            None,
            60,
            Some((53.0, None)),
        )
        .unwrap();
        assert_eq!(own.meets_target, Some(true));
        assert_eq!(own.words, "This meets the target of 53 or lower.");
    }

    #[test]
    fn blood_pressure_target_depends_on_age_and_both_numbers() {
        assert_eq!(
            assess(
                "blood_pressure",
                Some(Reading::exact(138.0)),
                Some(84.0),
                None,
                60,
                None
            )
            .unwrap()
            .meets_target,
            Some(true)
        );
        assert_eq!(
            assess(
                "blood_pressure",
                Some(Reading::exact(138.0)),
                Some(92.0),
                None,
                60,
                None
            )
            .unwrap()
            .meets_target,
            Some(false)
        );
        assert_eq!(
            assess(
                "blood_pressure",
                Some(Reading::exact(145.0)),
                Some(80.0),
                None,
                82,
                None
            )
            .unwrap()
            .meets_target,
            Some(true)
        );
        let kidney = assess(
            "blood_pressure",
            Some(Reading::exact(134.0)),
            Some(82.0),
            None,
            60,
            Some((130.0, Some(80.0))),
        )
        .unwrap();
        assert_eq!(
            kidney.words,
            "This is not below the target of below 130/80."
        );
    }

    #[test]
    fn egfr_and_acr_fall_in_the_kdigo_bands() {
        let band = |v| {
            assess("egfr", Some(Reading::exact(v)), None, None, 60, None)
                .unwrap()
                .band
        };
        assert!(band(95.0).starts_with("G1"));
        assert!(band(60.0).starts_with("G2"));
        assert!(band(44.0).starts_with("G3b"));
        assert!(band(14.0).starts_with("G5"));
        let acr = |v| {
            assess("urine_acr", Some(Reading::exact(v)), None, None, 60, None)
                .unwrap()
                .band
        };
        assert!(acr(2.9).starts_with("A1"));
        assert!(acr(30.0).starts_with("A2"));
        assert!(acr(34.0).starts_with("A3"));
    }

    #[test]
    fn bmi_cat_and_breathlessness_bands() {
        assert_eq!(
            assess("bmi", Some(Reading::exact(30.8)), None, None, 60, None)
                .unwrap()
                .band,
            "Obesity class 1"
        );
        assert_eq!(
            assess("copd_cat", Some(Reading::exact(22.0)), None, None, 60, None)
                .unwrap()
                .band,
            "High impact"
        );
        assert!(
            assess(
                "mrc_dyspnoea",
                Some(Reading::exact(3.0)),
                None,
                None,
                60,
                None
            )
            .unwrap()
            .words
            .contains("rehabilitation")
        );
    }

    fn bound(value: f64, b: Bound) -> Option<Reading> {
        Some(Reading {
            value,
            bound: Some(b),
        })
    }

    #[test]
    fn an_egfr_bound_names_its_band_only_when_it_lies_in_one() {
        let more_than_90 = assess("egfr", bound(90.0, Bound::More), None, None, 60, None).unwrap();
        assert_eq!(more_than_90.band, "G1: normal");
        assert_eq!(
            more_than_90.words,
            "Your kidney function is in band G1: normal."
        );
        let sixty_or_more =
            assess("egfr", bound(60.0, Bound::AtLeast), None, None, 60, None).unwrap();
        assert_eq!(sixty_or_more.band, "G1 or G2: normal or mildly reduced");
        assert_eq!(
            sixty_or_more.words,
            "The lab gave 60 mL/min/1.73m² or more, not an exact number: your kidney function is in band G1 or G2 (normal or mildly reduced)."
        );
        assert_eq!(sixty_or_more.meets_target, None);
        let below_15 = assess("egfr", bound(15.0, Bound::Less), None, None, 60, None).unwrap();
        assert_eq!(below_15.band, "G5: kidney failure", "below 15 is all G5");
        assert_eq!(below_15.meets_target, None);
        let below_45 = assess("egfr", bound(45.0, Bound::Less), None, None, 60, None).unwrap();
        assert_eq!(
            below_45.band,
            "G3b, G4 or G5: moderately to severely reduced, severely reduced or kidney failure"
        );
    }

    #[test]
    fn a_urine_acr_bound_reads_against_its_bands() {
        let acr = |v, b| {
            assess("urine_acr", bound(v, b), None, None, 60, None)
                .unwrap()
                .band
        };
        assert_eq!(acr(3.0, Bound::Less), "A1: normal", "below 3 is all A1");
        assert_eq!(
            acr(3.0, Bound::AtMost),
            "A1 or A2: normal or moderately raised",
            "3 itself is A2"
        );
        assert_eq!(acr(30.0, Bound::More), "A3: severely raised");
        assert_eq!(
            acr(30.0, Bound::AtLeast),
            "A2 or A3: moderately raised or severely raised"
        );
        assert!(
            assess("urine_acr", bound(3.0, Bound::AtMost), None, None, 60, None)
                .unwrap()
                .words
                .starts_with("The lab gave 3 mg/mmol or less, not an exact number: ")
        );
    }

    #[test]
    fn an_hba1c_bound_meets_the_target_only_when_the_whole_bound_is_on_one_side() {
        let below_42 = assess("hba1c", bound(42.0, Bound::Less), None, None, 60, None).unwrap();
        assert_eq!(below_42.meets_target, Some(true));
        assert_eq!(below_42.words, "This meets the target of 48 or lower.");
        let above_130 = assess("hba1c", bound(130.0, Bound::More), None, None, 60, None).unwrap();
        assert_eq!(above_130.meets_target, Some(false));
        assert_eq!(above_130.band, "Above the level to act on (58)");
        let below_50 = assess("hba1c", bound(50.0, Bound::Less), None, None, 60, None).unwrap();
        assert_eq!(below_50.meets_target, None, "it could be 47 or 49");
        assert_eq!(
            below_50.words,
            "The lab gave a range, not an exact number, so we cannot tell if this meets the target of 48 or lower."
        );
        let own = assess(
            "hba1c",
            bound(45.0, Bound::More),
            None,
            None,
            60,
            Some((53.0, None)),
        )
        .unwrap();
        assert_eq!(own.meets_target, None);
        assert!(own.words.ends_with("the target of 53 or lower."));
        assert_eq!(
            assess("hba1c", bound(48.0, Bound::AtMost), None, None, 60, None)
                .unwrap()
                .meets_target,
            Some(true),
            "48 or less is all at or below 48"
        );
        assert_eq!(
            assess(
                "non_hdl_cholesterol",
                bound(2.6, Bound::More),
                None,
                None,
                60,
                None
            )
            .unwrap()
            .meets_target,
            Some(false)
        );
    }

    fn readings(code: &str, was: Option<Reading>, now: Option<Reading>) -> Option<String> {
        change_of_readings(kind(code).unwrap(), was.unwrap(), now.unwrap())
    }

    fn exact(v: f64) -> Option<Reading> {
        Some(Reading::exact(v))
    }

    #[test]
    fn a_change_to_or_from_a_bound_is_named_only_when_it_is_certain_and_meaningful() {
        // 85 then more than 90: it rose by more than 5, the meaningful difference.
        assert_eq!(
            readings("egfr", exact(85.0), bound(90.0, Bound::More)).as_deref(),
            Some("Higher than last time, which is better")
        );
        assert_eq!(
            readings("egfr", exact(85.0), bound(90.0, Bound::AtLeast)).as_deref(),
            Some("Higher than last time, which is better"),
            "90 or more is at least 5 more than 85"
        );
        // 86 then more than 90: it rose, but perhaps by only 4.
        assert_eq!(
            readings("egfr", exact(86.0), bound(90.0, Bound::More)),
            None
        );
        // 95 then more than 90: it may have gone up or down.
        assert_eq!(
            readings("egfr", exact(95.0), bound(90.0, Bound::More)),
            None
        );
        // More than 90 then 60: it fell by more than 30.
        assert_eq!(
            readings("egfr", bound(90.0, Bound::More), exact(60.0)).as_deref(),
            Some("Lower than last time, which is worse")
        );
        assert_eq!(
            readings("egfr", bound(90.0, Bound::More), bound(90.0, Bound::More)),
            None,
            "the same bound twice is not the same number twice"
        );
        // Less than 3 then 12: ACR at least quadrupled, more than the doubling that counts.
        assert_eq!(
            readings("urine_acr", bound(3.0, Bound::Less), exact(12.0)).as_deref(),
            Some("Higher than last time, which is worse")
        );
        assert_eq!(
            readings("urine_acr", bound(3.0, Bound::Less), exact(5.0)),
            None
        );
        // Two exact numbers read as before.
        assert_eq!(
            readings("hba1c", exact(54.0), exact(58.0)).as_deref(),
            Some("About the same as last time")
        );
    }

    fn change(code: &str, was: (f64, Option<f64>), now: (f64, Option<f64>)) -> String {
        change_words(kind(code).unwrap(), was, now)
    }

    #[test]
    fn a_change_smaller_than_the_meaningful_difference_is_about_the_same() {
        // The example: 2.5 then 2.6, still on target, was "worse".
        assert_eq!(
            change("non_hdl_cholesterol", (2.5, None), (2.6, None)),
            "About the same as last time"
        );
        assert_eq!(
            change("hba1c", (54.0, None), (58.0, None)),
            "About the same as last time"
        );
        assert_eq!(
            change("hba1c", (53.0, None), (58.0, None)),
            "Higher than last time, which is worse"
        );
        assert_eq!(
            change("hba1c", (62.0, None), (55.0, None)),
            "Lower than last time, which is better"
        );
        assert_eq!(
            change("egfr", (52.0, None), (58.0, None)),
            "Higher than last time, which is better"
        );
        assert_eq!(
            change("copd_cat", (22.0, None), (19.0, None)),
            "Lower than last time, which is better"
        );
        assert_eq!(
            change("hba1c", (58.0, None), (58.0, None)),
            "The same as last time"
        );
        // No judgement where neither way is better.
        assert_eq!(
            change("serum_creatinine", (84.0, None), (112.0, None)),
            "Higher than last time"
        );
    }

    #[test]
    fn relative_thresholds_scale_with_the_value() {
        assert_eq!(
            change("urine_acr", (31.0, None), (34.0, None)),
            "About the same as last time"
        );
        assert_eq!(
            change("urine_acr", (3.0, None), (6.0, None)),
            "Higher than last time, which is worse"
        );
        assert_eq!(
            change("bmi", (30.4, None), (30.8, None)),
            "About the same as last time"
        );
        assert_eq!(
            change("bmi", (32.1, None), (30.4, None)),
            "Lower than last time, which is better"
        );
        assert!(Step::Times(2.0).matters(0.0, 0.4));
        assert!((Step::Times(1.05).size_at(30.0) - 1.5).abs() < 1e-9);
    }

    #[test]
    fn blood_pressure_changes_are_judged_number_by_number() {
        let bp = |a: (f64, f64), b: (f64, f64)| {
            change("blood_pressure", (a.0, Some(a.1)), (b.0, Some(b.1)))
        };
        // The example: 136 then 141 is not a cliff.
        assert_eq!(
            bp((136.0, 82.0), (141.0, 85.0)),
            "About the same as last time"
        );
        assert_eq!(
            bp((150.0, 95.0), (138.0, 86.0)),
            "Both numbers are lower than last time, which is better"
        );
        assert_eq!(
            bp((128.0, 80.0), (142.0, 82.0)),
            "The top number is higher than last time, which is worse; the bottom number is about the same"
        );
        assert_eq!(
            bp((130.0, 80.0), (132.0, 70.0)),
            "The bottom number is lower than last time, which is better; the top number is about the same"
        );
        assert_eq!(
            bp((130.0, 90.0), (145.0, 80.0)),
            "The top number is higher and the bottom number lower than last time"
        );
    }

    #[test]
    fn every_number_has_a_meaningful_difference_with_a_source() {
        for k in KINDS {
            let coded = matches!(k.unit, "");
            match &k.meaningful {
                Some(m) => {
                    assert!(!coded, "{}", k.code);
                    assert!(m.source.len() > 20, "{} says where it comes from", k.code);
                    assert_eq!(m.second.is_some(), k.code == "blood_pressure");
                }
                None => assert!(coded, "{} needs a meaningful difference", k.code),
            }
        }
    }

    #[test]
    fn targets_become_bands_one_per_blood_pressure_number() {
        let bp = target_bands("blood_pressure", 60, None);
        assert_eq!(bp.len(), 2);
        assert_eq!((bp[0].low, bp[0].high), (Some(90.0), Some(140.0)));
        assert_eq!((bp[1].low, bp[1].high), (Some(60.0), Some(90.0)));
        assert_eq!(bp[0].words, "the target for the top number, below 140");
        assert_eq!(
            target_bands("blood_pressure", 82, None)[0].words,
            "the target for the top number, below 150"
        );
        let own = target_bands("blood_pressure", 60, Some((130.0, Some(80.0))));
        assert_eq!(own[1].words, "the target for the bottom number, below 80");
        let hba1c = target_bands("hba1c", 60, Some((53.0, None)));
        assert_eq!(
            hba1c,
            vec![Band {
                low: None,
                high: Some(53.0),
                words: "the target, 53 or lower".into()
            }]
        );
        assert!(target_bands("egfr", 60, None).is_empty());
    }

    #[test]
    fn coded_results_read_in_words_and_every_kind_is_explained() {
        assert_eq!(
            assess("foot_risk", None, None, Some("increased"), 60, None)
                .unwrap()
                .band,
            "Increased risk"
        );
        for k in KINDS {
            assert!(
                !k.what.is_empty() && !k.why.is_empty() && !k.numbers.is_empty(),
                "{}",
                k.code
            );
        }
        assert_eq!(show(58.0), "58");
        assert_eq!(show(2.6), "2.6");
    }
}
