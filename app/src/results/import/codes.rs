//! The codes that mean each kind of result, as data: the SNOMED CT codes UK labs send under the
//! Pathology Bounded Code List (PBCL, now PaLM) and GP systems record, and the LOINC codes other
//! systems send. One row per code, each saying where it was checked, and a test imports one
//! observation per row. A code is listed only when its meaning was checked; a result whose code is
//! not here is left out of an import and listed as "not something Alongside shows", never guessed.

use super::{LOINC, SNOMED};

/// A code that means one kind of result.
#[derive(Debug)]
pub struct KnownCode {
    /// Our catalogue code, e.g. "egfr".
    pub kind: &'static str,
    /// `http://snomed.info/sct` or `http://loinc.org`.
    pub system: &'static str,
    pub code: &'static str,
    /// The code's name (SNOMED CT preferred term or LOINC long name), shortened where long.
    pub display: &'static str,
    /// Where the code and its meaning were checked.
    pub source: &'static str,
}

/// Which number of a blood pressure a component is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Systolic,
    Diastolic,
}

/// A code for one number of a blood pressure, sent as a component of the blood pressure.
#[derive(Debug)]
pub struct ComponentCode {
    pub part: Part,
    pub system: &'static str,
    pub code: &'static str,
    pub display: &'static str,
    pub source: &'static str,
}

/// UK primary-care code sets (GM-SDE clinical-code-sets, drawn from the SNOMED CT UK edition),
/// which list each code with its description.
const UK_CODE_SET: &str = "SNOMED CT UK edition, as listed with its description in the GM-SDE primary-care clinical code sets";
const PBCL: &str = "SNOMED CT UK edition; the PBCL/PaLM code UK labs send (issue #20), description checked in the GM-SDE primary-care clinical code sets";
const ISSUE_ONLY: &str = "Named as a non-HDL cholesterol code in issue #20 (UK pathology namespace 1000237); its description could not be checked here";
const LOINC_TERM: &str = "LOINC (Regenstrief) term";
const LOINC_GFR: &str = "LOINC (Regenstrief) term; listed as a GFR measurement in DICOM CID 10046";
const VITAL_SIGNS: &str =
    "FHIR R4 vital signs profile (blood pressure panel and its components), also used by UK Core";

const fn sct(
    kind: &'static str,
    code: &'static str,
    display: &'static str,
    source: &'static str,
) -> KnownCode {
    KnownCode {
        kind,
        system: SNOMED,
        code,
        display,
        source,
    }
}

const fn loinc(
    kind: &'static str,
    code: &'static str,
    display: &'static str,
    source: &'static str,
) -> KnownCode {
    KnownCode {
        kind,
        system: LOINC,
        code,
        display,
        source,
    }
}

/// The codes of each kind. Within a kind, the first row is the one to send when Alongside writes
/// a result out.
///
/// Deliberately absent: COPD assessment test, MRC breathlessness and diabetic eye screening have
/// no codes here, because the ones in the earlier catalogue (89347-9, 401026001, 408548009) could
/// not be checked; those results come in by CSV with our own names. eGFR by cystatin C and
/// ethnicity-adjusted MDRD eGFR are different numbers from the creatinine eGFR the bands are for.
#[rustfmt::skip]
pub const CODES: &[KnownCode] = &[
    // HbA1c: IFCC in mmol/mol; the DCCT-aligned codes and LOINC 4548-4 and 17856-6 usually come
    // as a percentage, which the unit decides and converts.
    sct("hba1c", "1049301000000100", "HbA1c level (diagnostic reference range) - IFCC standardised", PBCL),
    sct("hba1c", "1049321000000109", "HbA1c level (monitoring ranges) - IFCC standardised", PBCL),
    sct("hba1c", "999791000000106", "Haemoglobin A1c level - IFCC standardised", UK_CODE_SET),
    sct("hba1c", "1107481000000106", "HbA1c molar concentration in blood", UK_CODE_SET),
    sct("hba1c", "1003671000000109", "Haemoglobin A1c level", UK_CODE_SET),
    sct("hba1c", "1019431000000105", "HbA1c level (DCCT aligned)", UK_CODE_SET),
    loinc("hba1c", "59261-8", "Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol", LOINC_TERM),
    loinc("hba1c", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", LOINC_TERM),
    loinc("hba1c", "17856-6", "Hemoglobin A1c/Hemoglobin.total in Blood by HPLC", LOINC_TERM),
    // Blood pressure as one observation whose components are the two numbers.
    loinc("blood_pressure", "85354-9", "Blood pressure panel with all children optional", VITAL_SIGNS),
    sct("blood_pressure", "75367002", "Blood pressure", UK_CODE_SET),
    // Non-HDL cholesterol.
    sct("non_hdl_cholesterol", "1006191000000106", "Serum non high density lipoprotein cholesterol level", "SNOMED CT UK edition; described as serum non-HDL cholesterol level in UK primary-care lipid code lists (issue #20)"),
    sct("non_hdl_cholesterol", "12021000237106", "Non-HDL cholesterol", ISSUE_ONLY),
    sct("non_hdl_cholesterol", "1030411000000101", "Non high density lipoprotein cholesterol level", "SNOMED CT UK edition; described as non-HDL cholesterol level in UK primary-care lipid code lists"),
    loinc("non_hdl_cholesterol", "43396-1", "Cholesterol non HDL [Mass/volume] in Serum or Plasma", LOINC_TERM),
    // eGFR from creatinine.
    sct("egfr", "1011481000000105", "eGFR using creatinine CKD-EPI equation per 1.73 square metres", PBCL),
    sct("egfr", "1107411000000104", "eGFR by laboratory calculation", PBCL),
    sct("egfr", "1020291000000106", "GFR calculated by abbreviated MDRD Study Group calculation", UK_CODE_SET),
    sct("egfr", "857981000000102", "Estimated GFR using CKD-EPI formula per 1.73 square metres", UK_CODE_SET),
    sct("egfr", "963631000000100", "Estimated GFR using serum creatinine per 1.73 square metres", UK_CODE_SET),
    loinc("egfr", "62238-1", "GFR/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI)", LOINC_GFR),
    loinc("egfr", "98979-8", "GFR/1.73 sq M.predicted by Creatinine-based formula (CKD-EPI 2021)", LOINC_TERM),
    loinc("egfr", "33914-3", "GFR/1.73 sq M.predicted by Creatinine-based formula (MDRD)", LOINC_GFR),
    loinc("egfr", "69405-9", "GFR/1.73 sq M.predicted in Serum, Plasma or Blood", LOINC_TERM),
    loinc("egfr", "48642-3", "GFR/1.73 sq M.predicted.non black by Creatinine-based formula (MDRD)", LOINC_GFR),
    loinc("egfr", "48643-1", "GFR/1.73 sq M.predicted.black by Creatinine-based formula (MDRD)", LOINC_GFR),
    loinc("egfr", "50044-7", "GFR/1.73 sq M.predicted.female by Creatinine-based formula (MDRD)", LOINC_GFR),
    // Urine albumin:creatinine ratio: mg/mmol in the UK, mg/g elsewhere (converted).
    sct("urine_acr", "1023491000000104", "Urine albumin:creatinine ratio", UK_CODE_SET),
    sct("urine_acr", "1027791000000103", "Urine microalbumin/creatinine ratio", UK_CODE_SET),
    loinc("urine_acr", "14959-1", "Microalbumin/Creatinine [Mass Ratio] in Urine", LOINC_TERM),
    loinc("urine_acr", "9318-7", "Albumin/Creatinine [Mass Ratio] in Urine", LOINC_TERM),
    // Creatinine in serum or plasma (the same test to the person); µmol/L, or mg/dL converted.
    sct("serum_creatinine", "1107001000000108", "Substance concentration of creatinine in serum", PBCL),
    sct("serum_creatinine", "1000731000000107", "Serum creatinine level", UK_CODE_SET),
    sct("serum_creatinine", "1001011000000107", "Plasma creatinine level", UK_CODE_SET),
    sct("serum_creatinine", "1106601000000100", "Substance concentration of creatinine in plasma", UK_CODE_SET),
    sct("serum_creatinine", "1109421000000104", "Creatinine in plasma using colorimetric analysis", UK_CODE_SET),
    sct("serum_creatinine", "1109431000000102", "Creatinine in plasma using enzymatic analysis", UK_CODE_SET),
    sct("serum_creatinine", "1109441000000106", "Creatinine in serum using colorimetric analysis", UK_CODE_SET),
    sct("serum_creatinine", "1109451000000109", "Creatinine in serum using enzymatic analysis", UK_CODE_SET),
    loinc("serum_creatinine", "14682-9", "Creatinine [Moles/volume] in Serum or Plasma", LOINC_TERM),
    loinc("serum_creatinine", "2160-0", "Creatinine [Mass/volume] in Serum or Plasma", LOINC_TERM),
    // Body mass index.
    sct("bmi", "60621009", "Body mass index", UK_CODE_SET),
    loinc("bmi", "39156-5", "Body mass index (BMI) [Ratio]", VITAL_SIGNS),
    // Coded results: the value says which (see `values::choices`).
    sct("foot_risk", "401191002", "Diabetic foot examination", "SNOMED CT: diabetic foot examination (procedure), as used in diabetes foot-check quality measures"),
    loinc("smoking_status", "72166-2", "Tobacco smoking status", "LOINC (Regenstrief) term; the smoking status code of FHIR and UK Core examples"),
];

/// The codes of the two numbers of a blood pressure.
#[rustfmt::skip]
pub const COMPONENTS: &[ComponentCode] = &[
    ComponentCode { part: Part::Systolic, system: LOINC, code: "8480-6", display: "Systolic blood pressure", source: VITAL_SIGNS },
    ComponentCode { part: Part::Systolic, system: SNOMED, code: "163030003", display: "On examination - Systolic blood pressure reading", source: UK_CODE_SET },
    ComponentCode { part: Part::Systolic, system: SNOMED, code: "72313002", display: "Systolic arterial pressure", source: UK_CODE_SET },
    ComponentCode { part: Part::Systolic, system: SNOMED, code: "271649006", display: "Systolic blood pressure", source: UK_CODE_SET },
    ComponentCode { part: Part::Diastolic, system: LOINC, code: "8462-4", display: "Diastolic blood pressure", source: VITAL_SIGNS },
    ComponentCode { part: Part::Diastolic, system: SNOMED, code: "163031004", display: "On examination - Diastolic blood pressure reading", source: UK_CODE_SET },
    ComponentCode { part: Part::Diastolic, system: SNOMED, code: "1091811000000102", display: "Diastolic arterial pressure", source: UK_CODE_SET },
    ComponentCode { part: Part::Diastolic, system: SNOMED, code: "271650006", display: "Diastolic blood pressure", source: UK_CODE_SET },
];

/// The codes of one kind, the one to send first.
pub fn codes_of(kind: &str) -> impl Iterator<Item = &'static KnownCode> + '_ {
    CODES.iter().filter(move |c| c.kind == kind)
}

/// Whether a code has its system's shape: LOINC codes always carry a hyphenated check digit,
/// SNOMED CT identifiers are only digits. Checking the shape keeps a code sent under the wrong
/// system from being read as the other system's.
pub fn shaped(system: &str, code: &str) -> bool {
    match system {
        LOINC => code.contains('-') && code.chars().all(|c| c.is_ascii_digit() || c == '-'),
        SNOMED => !code.is_empty() && code.chars().all(|c| c.is_ascii_digit()),
        _ => false,
    }
}

/// Alongside's own code system for result kinds: what an export names a kind with when no
/// standard code in this table is checked for it, so another Alongside reads it back.
pub const ALONGSIDE_KINDS: &str = "https://alongside.example/fhir/CodeSystem/result-kind";

/// The row for a code as a system sent it.
pub fn known(system: &str, code: &str) -> Option<&'static KnownCode> {
    let code = code.trim();
    if !shaped(system, code) {
        return None;
    }
    CODES.iter().find(|c| c.system == system && c.code == code)
}

/// The row for a code given without its system (a CSV's result column): LOINC and SNOMED CT
/// codes never look alike, so the shape says which.
pub fn known_bare(code: &str) -> Option<&'static KnownCode> {
    let code = code.trim();
    CODES.iter().find(|c| c.code == code)
}

/// Which blood pressure number a component's code means.
pub fn part(system: &str, code: &str) -> Option<Part> {
    let code = code.trim();
    if !shaped(system, code) {
        return None;
    }
    COMPONENTS
        .iter()
        .find(|c| c.system == system && c.code == code)
        .map(|c| c.part)
}
