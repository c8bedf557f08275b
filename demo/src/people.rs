//! The demo practice's people, as data: three patients with their conditions and two years of
//! results, and the care team.

pub(crate) struct DemoPatient {
    pub(crate) given: &'static str,
    pub(crate) family: &'static str,
    pub(crate) born: (i32, u32, u32),
    pub(crate) nhs_number: &'static str,
    pub(crate) conditions: &'static [&'static str],
    pub(crate) results: &'static [DemoSeries],
}

/// Values at 24, 18, 12 and 6 months ago and at the latest check (about two weeks ago).
pub(crate) enum DemoSeries {
    Num(&'static str, &'static str, [f64; 5]),
    Bp([(f64, f64); 5]),
    /// A yearly coded result (two years ago, one year ago, latest).
    Coded(&'static str, [&'static str; 3]),
}

pub(crate) const PATIENTS: &[DemoPatient] = &[
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

/// The practice's administrator, who is also its clinician: she runs the reviews.
pub(crate) const ADMIN: &str = "Dr Priya Shah";
/// Those she invites: (name, role).
pub(crate) const COLLEAGUES: &[(&str, &str)] = &[("Sam Okafor", "healthcare_assistant")];
/// Where the reviews are held.
pub(crate) const ROOM: &str = "Room 2, Riverside Medical Practice";
/// The practice's own question, added to the usual ones.
pub(crate) const OWN_PROMPT: &str = "Is there anything about your medicines you would like to ask?";

/// Margaret's answers to the first prompts, already sent to her care team.
pub(crate) const MARGARET_AGENDA: [&str; 3] = [
    "Getting out for my walks again, and seeing my granddaughter on Saturdays.",
    "Better since the new tablets, but my feet ache by the evening.",
    "My feet, and whether I still need the blood pressure tablets at night.",
];

/// Days before now at which each of the five results in a series was taken.
pub(crate) const TAKEN_DAYS_AGO: [i64; 5] = [730, 548, 365, 182, 14];
