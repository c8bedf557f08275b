use super::*;
use chrono::TimeZone;
use serde_json::json;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 10, 9, 0, 0).unwrap()
}

fn lines(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.place.as_str()).collect()
}

// 9434765919, 9434765870 and 4010232137 have correct modulus-11 check digits.
const ANN: &str = "9434765919";
const BOB: &str = "9434765870";
const CAL: &str = "4010232137";

#[test]
fn the_nhs_numbers_used_in_these_tests_have_valid_check_digits() {
    for n in [ANN, BOB, CAL] {
        assert!(NhsNumber::parse(n).is_ok(), "{n}");
    }
    assert!(NhsNumber::parse("9434765918").is_err());
}

#[test]
fn valid_csv_with_several_kinds_gives_one_result_per_line() {
    let csv = "nhs_number,result,value,taken_on\n\
               943 476 5919,hba1c,52,2026-11-03\n\
               9434765919,blood_pressure,142/88,03/11/2026\n\
               9434765870,foot_risk,Low risk,2026-10-01\n\
               9434765870,4548-4,61.5 mmol/mol,2026-10-01T10:15:00Z\n\
               4010232137,eGFR,58,2026-09-30\n";
    let got = parse_csv(csv, now()).unwrap();
    assert_eq!(got.len(), 5);
    assert_eq!(
        got[0],
        Incoming {
            place: "Line 2".into(),
            nhs_number: ANN.into(),
            code: "hba1c",
            value_num: Some(52.0),
            value_num2: None,
            value_code: None,
            unit: Some("mmol/mol".into()),
            taken_at: Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap(),
            ..Incoming::default()
        }
    );
    assert_eq!(got[1].code, "blood_pressure");
    assert_eq!(
        (got[1].value_num, got[1].value_num2),
        (Some(142.0), Some(88.0))
    );
    assert_eq!(got[1].taken_at.date_naive(), got[0].taken_at.date_naive());
    assert_eq!(got[2].code, "foot_risk");
    assert_eq!(got[2].value_code.as_deref(), Some("low"));
    assert_eq!(got[2].unit, None);
    assert_eq!(got[3].code, "hba1c");
    assert_eq!(got[3].value_num, Some(61.5));
    assert_eq!(got[4].code, "egfr");
    assert_eq!(got[4].place, "Line 6");
}

#[test]
fn csv_columns_may_be_in_any_order_with_any_case_and_a_unit_column() {
    let csv = " Taken_On , VALUE,Result,NHS Number,unit,notes\n\
               2026-11-01,1.2,non_hdl_cholesterol,9434765919,mmol/l,fasting\n\
               2026-11-01,120,Creatinine,9434765919,umol/L,\n\
               2026-11-01,never,smoking_status,9434765919,,\n";
    let got = parse_csv(csv, now()).unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[0].value_num, Some(1.2));
    assert_eq!(got[1].code, "serum_creatinine");
    assert_eq!(got[1].unit.as_deref(), Some("µmol/L"));
    assert_eq!(got[2].value_code.as_deref(), Some("never"));
}

#[test]
fn csv_with_a_byte_order_mark_and_windows_line_endings_is_read() {
    let csv = "\u{feff}nhs_number,result,value,taken_on\r\n9434765919,bmi,31.4,2026-11-02\r\n9434765870,copd_cat,12,2026-11-02\r\n";
    let got = parse_csv(csv, now()).unwrap();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].value_num, Some(31.4));
    assert_eq!(got[1].place, "Line 3");
}

#[test]
fn csv_with_windows_line_endings_reports_problems_on_the_right_line() {
    let csv = "nhs_number,result,value,taken_on\r\n9434765919,bmi,31,2026-11-02\r\n9434765919,bmi,310,2026-11-02\r\n";
    let problems = parse_csv(csv, now()).unwrap_err();
    assert_eq!(lines(&problems), ["Line 3"]);
}

#[test]
fn csv_with_three_bad_lines_returns_nothing_and_every_problem_with_its_line() {
    let csv = "nhs_number,result,value,taken_on\n\
               9434765919,hba1c,52,2026-11-03\n\
               123,hba1c,52,2026-11-03\n\
               9434765919,hba1c,52,2026-11-03\n\
               9434765919,potassium,4.1,2026-11-03\n\
               9434765919,blood_pressure,80/90,2026-11-03\n\
               9434765919,hba1c,52\n";
    let problems = parse_csv(csv, now()).unwrap_err();
    assert_eq!(lines(&problems), ["Line 3", "Line 5", "Line 6", "Line 7"]);
    assert_eq!(
        problems[0].message,
        "The NHS number \"123\" is not valid (it must be 10 digits with a correct check digit)"
    );
    assert!(
        problems[1]
            .message
            .contains("\"potassium\" is not one we know")
    );
    assert!(
        problems[2]
            .message
            .contains("must be higher than the second")
    );
    assert_eq!(
        problems[3].message,
        "This line has 3 values but the first line names 4 columns"
    );
}

#[test]
fn csv_line_with_several_mistakes_gets_a_problem_for_each() {
    let csv = "nhs_number,result,value,taken_on\n\
               ,hba1c,abc,2099-01-01\n";
    let problems = parse_csv(csv, now()).unwrap_err();
    assert_eq!(lines(&problems), ["Line 2", "Line 2", "Line 2"]);
    let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "The NHS number is missing",
            "The HbA1c value \"abc\" is not a number",
            "The date \"2099-01-01\" is in the future",
        ]
    );
}

#[test]
fn csv_unit_column_that_disagrees_with_the_kind_is_a_problem() {
    let csv = "nhs_number,result,value,taken_on,unit\n\
               9434765919,hba1c,7.5,2026-11-03,%\n\
               9434765919,foot_risk,high,2026-11-03,mmol/L\n";
    let problems = parse_csv(csv, now()).unwrap_err();
    assert_eq!(lines(&problems), ["Line 2", "Line 2", "Line 3"]);
    assert!(
        problems
            .iter()
            .any(|p| p.message == "The unit \"%\" does not match HbA1c, which is in mmol/mol")
    );
    assert_eq!(
        problems[2].message,
        "Foot check results have no unit, but the unit given is \"mmol/L\""
    );
}

#[test]
fn csv_missing_header_columns_are_named_at_line_1() {
    let problems = parse_csv("nhs,result,value\n9434765919,hba1c,52\n", now()).unwrap_err();
    assert_eq!(
        problems,
        [Problem::at(
            "Line 1",
            "The first line must name the columns nhs_number, result, value and taken_on; it is missing nhs_number and taken_on"
        )]
    );
}

#[test]
fn csv_without_a_header_line_is_refused_at_line_1() {
    let problems = parse_csv("9434765919,hba1c,52,2026-11-03\n", now()).unwrap_err();
    assert_eq!(lines(&problems), ["Line 1"]);
    assert!(
        problems[0]
            .message
            .contains("it is missing nhs_number, result, value and taken_on")
    );
}

#[test]
fn csv_header_naming_a_column_twice_is_a_problem() {
    let problems = parse_csv("nhs_number,result,value,taken_on,Value\n", now()).unwrap_err();
    assert_eq!(
        problems,
        [Problem::at(
            "Line 1",
            "The column value is named more than once on the first line"
        )]
    );
}

#[test]
fn csv_with_a_header_and_no_rows_has_no_results_in_it() {
    for csv in [
        "nhs_number,result,value,taken_on\n",
        "nhs_number,result,value,taken_on\r\n,,,\r\n\r\n",
    ] {
        assert_eq!(
            parse_csv(csv, now()).unwrap_err(),
            [Problem::at("File", "The file has no results in it")]
        );
    }
}

#[test]
fn empty_or_junk_csv_is_refused_without_panicking() {
    assert_eq!(lines(&parse_csv("", now()).unwrap_err()), ["Line 1"]);
    assert_eq!(
        lines(&parse_csv("\u{feff}", now()).unwrap_err()),
        ["Line 1"]
    );
    let junk = "\u{0}\u{1}\u{fffd}\"\"\"\n\u{7f},,\"\n\n\r\r\n";
    assert!(parse_csv(junk, now()).is_err());
    let long = format!(
        "nhs_number,result,value,taken_on\n{},hba1c,{},2026-11-03\n",
        "9".repeat(500),
        "9".repeat(500)
    );
    let problems = parse_csv(&long, now()).unwrap_err();
    assert_eq!(problems.len(), 2);
    assert!(problems.iter().all(|p| p.message.len() < 200));
}

#[test]
fn read_value_accepts_the_edges_of_each_range_and_refuses_just_beyond() {
    let edges = [
        ("hba1c", "20", "200", "19.9", "200.1"),
        ("non_hdl_cholesterol", "0.5", "20", "0.4", "20.1"),
        ("egfr", "1", "200", "0.9", "201"),
        ("urine_acr", "0", "1000", "-0.1", "1000.5"),
        ("serum_creatinine", "20", "2000", "19", "2001"),
        ("bmi", "10", "90", "9.9", "90.1"),
        ("copd_cat", "0", "40", "-1", "41"),
        ("mrc_dyspnoea", "1", "5", "0", "6"),
    ];
    for (code, low, high, below, above) in edges {
        for ok in [low, high] {
            assert!(read_value(code, ok).is_ok(), "{code} {ok}");
        }
        for bad in [below, above] {
            assert!(read_value(code, bad).is_err(), "{code} {bad}");
        }
    }
    assert_eq!(
        read_value("hba1c", "250"),
        Err("HbA1c 250 mmol/mol is outside the possible range of 20 to 200 mmol/mol".into())
    );
    assert_eq!(
        read_value("copd_cat", "41"),
        Err("COPD assessment test score must be a whole number from 0 to 40, not \"41\"".into())
    );
}

#[test]
fn read_value_refuses_fractions_for_whole_number_scores() {
    assert!(read_value("copd_cat", "12.5").is_err());
    assert!(read_value("mrc_dyspnoea", "2.5").is_err());
    assert_eq!(read_value("mrc_dyspnoea", "3"), Ok((Some(3.0), None, None)));
}

#[test]
fn read_value_checks_both_blood_pressure_numbers_and_their_order() {
    assert_eq!(
        read_value("blood_pressure", "142 / 88 mmHg"),
        Ok((Some(142.0), Some(88.0), None))
    );
    assert!(read_value("blood_pressure", "300/200").is_ok());
    assert!(read_value("blood_pressure", "50/30").is_ok());
    assert_eq!(
        read_value("blood_pressure", "301/88"),
        Err(
            "The systolic blood pressure 301 mmHg is outside the possible range of 50 to 300 mmHg"
                .into()
        )
    );
    assert!(read_value("blood_pressure", "120/29").is_err());
    assert!(read_value("blood_pressure", "88/88").is_err());
    assert!(read_value("blood_pressure", "142").is_err());
    assert!(read_value("blood_pressure", "142/88/70").is_err());
}

#[test]
fn read_value_refuses_nan_infinity_exponents_and_huge_numbers() {
    for raw in ["NaN", "inf", "-inf", "1e2", "", " ", "5,2", "..", "+"] {
        assert!(read_value("hba1c", raw).is_err(), "{raw}");
    }
    let huge = "9".repeat(400);
    let message = read_value("hba1c", &huge).unwrap_err();
    assert!(message.contains("outside the possible range"));
    assert!(message.len() < 200);
}

#[test]
fn read_value_takes_a_unit_only_when_it_is_the_kinds() {
    assert_eq!(
        read_value("egfr", "58 mL/min/1.73m2"),
        Ok((Some(58.0), None, None))
    );
    assert_eq!(
        read_value("hba1c", "7.5%"),
        Err("The HbA1c value \"7.5%\" is not in mmol/mol".into())
    );
}

#[test]
fn read_value_takes_coded_values_as_codes_or_words_in_any_case() {
    assert_eq!(
        read_value("foot_risk", "LOW"),
        Ok((None, None, Some("low".into())))
    );
    assert_eq!(
        read_value("foot_risk", "active ulcer"),
        Ok((None, None, Some("ulcerated".into())))
    );
    assert_eq!(
        read_value("eye_screening", "No retinopathy"),
        Ok((None, None, Some("no_retinopathy".into())))
    );
    assert_eq!(
        read_value("smoking_status", "ex-smoker"),
        Ok((None, None, Some("ex_smoker".into())))
    );
    let refused = read_value("foot_risk", "medium").unwrap_err();
    assert!(refused.starts_with(
        "\"medium\" is not a foot check result we know; use one of: low (\"Low risk\")"
    ));
    assert!(read_value("smoking_status", "high").is_err());
}

#[test]
fn read_value_refuses_an_unknown_kind() {
    assert!(read_value("potassium", "4.1").is_err());
}

#[test]
fn every_catalogue_kind_has_a_range_or_its_coded_values() {
    for kind in KINDS {
        if is_coded(kind) {
            assert!(!choices(kind.code).is_empty(), "{}", kind.code);
            for c in choices(kind.code) {
                assert_eq!(coded_value(kind, c), Some(*c));
            }
        } else if kind.code != "blood_pressure" {
            assert!(range(kind.code).is_some(), "{}", kind.code);
        }
    }
}

#[test]
fn read_taken_reads_iso_uk_and_rfc3339_dates() {
    let day = Utc.with_ymd_and_hms(2026, 11, 3, 0, 0, 0).unwrap();
    assert_eq!(read_taken("2026-11-03", now()), Ok(day));
    assert_eq!(read_taken("03/11/2026", now()), Ok(day));
    assert_eq!(read_taken("3/11/2026", now()), Ok(day));
    assert_eq!(
        read_taken("2026-11-03T09:30:00+01:00", now()),
        Ok(Utc.with_ymd_and_hms(2026, 11, 3, 8, 30, 0).unwrap())
    );
    // Summer time: 09:30 in London is 08:30 UTC.
    assert_eq!(
        read_taken("2026-07-01 09:30", now()),
        Ok(Utc.with_ymd_and_hms(2026, 7, 1, 8, 30, 0).unwrap())
    );
}

#[test]
fn read_taken_refuses_a_future_date_or_time() {
    assert_eq!(
        read_taken("2026-11-11", now()),
        Err("The date \"2026-11-11\" is in the future".into())
    );
    assert!(read_taken("2026-11-10T09:00:01Z", now()).is_err());
    assert!(read_taken("2026-11-10T09:00:00Z", now()).is_ok());
}

#[test]
fn read_taken_accepts_today_even_before_the_clock_reaches_midnight_utc() {
    // 00:30 on 1 July in London is 23:30 on 30 June in UTC.
    let just_after_midnight = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap();
    assert_eq!(
        read_taken("2026-07-01", just_after_midnight),
        Ok(just_after_midnight)
    );
}

#[test]
fn read_taken_refuses_dates_over_20_years_old_and_unreadable_ones() {
    assert!(read_taken("2006-11-11", now()).is_ok());
    assert!(
        read_taken("2006-11-09", now())
            .unwrap_err()
            .contains("more than 20 years ago")
    );
    for raw in [
        "31/02/2026",
        "11/03/26",
        "2026-11",
        "yesterday",
        "2026-13-01",
        "\u{0}",
    ] {
        assert!(
            read_taken(raw, now())
                .unwrap_err()
                .contains("is not a date we can read"),
            "{raw}"
        );
    }
    assert_eq!(read_taken("", now()), Err("The date is missing".into()));
}

// ---------------------------------------------------------------------------------------------
// FHIR: helpers that build resources in the shape of UK Core and NHS England pathology messages.

fn bundle(entries: &[Value]) -> String {
    json!({ "resourceType": "Bundle", "type": "collection", "entry": entries }).to_string()
}

const ANN_URL: &str = "urn:uuid:9a1f0c1e-0000-4000-8000-000000000001";

fn patient() -> Value {
    json!({
        "fullUrl": ANN_URL,
        "resource": {
            "resourceType": "Patient",
            "id": "ann",
            "identifier": [
                { "system": "https://example.org/mrn", "value": "X1" },
                { "system": NHS_NUMBER_SYSTEM, "value": ANN }
            ],
            "name": [{ "use": "official", "family": "Example", "given": ["Ann"] }],
            "birthDate": "1958-03-14"
        }
    })
}

fn observation(code: Value, subject: Value, value: (&str, Value)) -> Value {
    let mut resource = json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "coding": [code] },
        "subject": subject,
        "effectiveDateTime": "2026-11-03T09:30:00Z"
    });
    resource[value.0] = value.1;
    json!({ "resource": resource })
}

fn loinc(code: &str) -> Value {
    json!({ "system": LOINC, "code": code })
}

fn sct(code: &str) -> Value {
    json!({ "system": SNOMED, "code": code })
}

fn by_uuid() -> Value {
    json!({ "reference": ANN_URL })
}

fn quantity(value: Value, unit: &str) -> (&'static str, Value) {
    (
        "valueQuantity",
        json!({ "value": value, "unit": unit, "system": UCUM, "code": unit }),
    )
}

/// An Observation of Ann's with `code` and `value`, and whatever `change` does to it.
fn ann_observation(code: Value, value: (&str, Value), change: impl FnOnce(&mut Value)) -> Value {
    let mut entry = observation(code, by_uuid(), value);
    change(&mut entry["resource"]);
    entry
}

/// Parses a bundle of Ann's Patient and these entries.
fn parse_with_ann(entries: Vec<Value>) -> Result<Parsed, Vec<Problem>> {
    let mut all = vec![patient()];
    all.extend(entries);
    parse(&bundle(&all), now())
}

fn only_result(entries: Vec<Value>) -> Incoming {
    let parsed = parse_with_ann(entries).unwrap();
    assert_eq!(parsed.results.len(), 1, "{parsed:?}");
    parsed.results.into_iter().next().unwrap()
}

fn messages(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.message.as_str()).collect()
}

fn at(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

// ---------------------------------------------------------------------------------------------
// Whole files.

#[test]
fn valid_fhir_bundle_gives_each_observation_with_its_nhs_number() {
    let json = bundle(&[
        patient(),
        observation(
            loinc("4548-4"),
            by_uuid(),
            (
                "valueQuantity",
                json!({ "value": 52, "unit": "mmol/mol", "system": UCUM, "code": "mmol/mol" }),
            ),
        ),
        observation(
            loinc("62238-1"),
            json!({ "reference": "Patient/ann" }),
            (
                "valueQuantity",
                json!({ "value": 58.5, "code": "mL/min/{1.73_m2}" }),
            ),
        ),
        observation(
            loinc("85354-9"),
            json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": "943 476 5870" } }),
            (
                "component",
                json!([
                    { "code": { "coding": [loinc("8480-6")] }, "valueQuantity": { "value": 142, "unit": "mmHg", "code": "mm[Hg]" } },
                    { "code": { "coding": [loinc("8462-4")] }, "valueQuantity": { "value": 88, "code": "mm[Hg]" } }
                ]),
            ),
        ),
        observation(
            sct("401191002"),
            json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": CAL } }),
            ("valueCodeableConcept", json!({ "text": "Increased risk" })),
        ),
        json!({ "resource": { "resourceType": "Practitioner", "id": "dr" } }),
    ]);
    let parsed = parse(&json, now()).unwrap();
    let got = parsed.results;
    assert_eq!(
        got[0],
        Incoming {
            place: "Entry 2".into(),
            nhs_number: ANN.into(),
            code: "hba1c",
            value_num: Some(52.0),
            value_num2: None,
            value_code: None,
            unit: Some("mmol/mol".into()),
            taken_at: at(2026, 11, 3, 9, 30),
            codings: vec![Coding {
                system: LOINC.into(),
                code: "4548-4".into(),
                display: None
            }],
            claimed: Claimed {
                birth_date: NaiveDate::from_ymd_opt(1958, 3, 14),
                family_name: Some("Example".into()),
            },
            ..Incoming::default()
        }
    );
    assert_eq!(
        (
            got[1].place.as_str(),
            got[1].nhs_number.as_str(),
            got[1].code
        ),
        ("Entry 3", ANN, "egfr")
    );
    assert_eq!(got[1].value_num, Some(58.5));
    assert_eq!(
        (got[2].nhs_number.as_str(), got[2].code),
        (BOB, "blood_pressure")
    );
    assert_eq!(
        (got[2].value_num, got[2].value_num2),
        (Some(142.0), Some(88.0))
    );
    // Named by NHS number alone: nothing else is claimed about the person.
    assert_eq!(got[2].claimed, Claimed::default());
    assert_eq!(
        (got[3].nhs_number.as_str(), got[3].code),
        (CAL, "foot_risk")
    );
    assert_eq!(got[3].value_code.as_deref(), Some("increased"));
    assert_eq!(got.len(), 4);
    assert!(parsed.skipped.is_empty());
}

#[test]
fn a_pathology_report_message_imports_its_results_and_lists_what_it_leaves_out() {
    let parsed = parse(include_str!("fixtures/pathology_report.json"), now()).unwrap();
    let by_code = |code: &str| {
        parsed
            .results
            .iter()
            .find(|r| r.code == code && r.status != Status::EnteredInError)
            .unwrap_or_else(|| panic!("{code} in {parsed:#?}"))
    };

    // Dated by the specimen's collection, not the report; the lab named by reference.
    let creatinine = by_code("serum_creatinine");
    assert_eq!(creatinine.place, "Entry 8");
    assert_eq!(creatinine.nhs_number, ANN);
    assert_eq!(creatinine.value_num, Some(98.0));
    assert_eq!(creatinine.unit.as_deref(), Some("µmol/L"));
    assert_eq!(creatinine.taken_at, at(2026, 11, 3, 9, 20));
    assert_eq!(creatinine.dated_by, DatedBy::Taken);
    assert_eq!(creatinine.issued, Some(at(2026, 11, 4, 14, 55)));
    assert_eq!(
        creatinine.identifier.as_deref(),
        Some("https://lab.example.nhs.uk/result|RS26-114-0091-CREA")
    );
    assert_eq!(
        creatinine.performer.as_deref(),
        Some("Riverside Pathology Laboratory")
    );
    assert_eq!(
        creatinine.claimed,
        Claimed {
            birth_date: NaiveDate::from_ymd_opt(1958, 3, 14),
            family_name: Some("Example".into()),
        },
        "the official name, not the usual one"
    );

    // "More than 90": a bound, with both of its codings kept.
    let egfr = by_code("egfr");
    assert_eq!(
        (egfr.comparator, egfr.value_num),
        (Some(Comparator::More), Some(90.0))
    );
    assert_eq!(
        egfr.codings
            .iter()
            .map(|c| c.code.as_str())
            .collect::<Vec<_>>(),
        ["1011481000000105", "62238-1"]
    );
    assert!(
        egfr.codings[0]
            .display
            .as_deref()
            .unwrap()
            .starts_with("eGFR")
    );
    assert_eq!(egfr.performer.as_deref(), Some("Riverside Pathology"));

    let hba1c = by_code("hba1c");
    assert_eq!(hba1c.status, Status::Amended);
    assert_eq!(hba1c.value_num, Some(53.0));
    assert_eq!(hba1c.performer.as_deref(), Some("Dr Grace Okafor"));

    assert_eq!(by_code("non_hdl_cholesterol").value_num, Some(3.4));
    // The urine specimen's collection period dates the ACR.
    let acr = by_code("urine_acr");
    assert_eq!(
        (acr.comparator, acr.value_num),
        (Some(Comparator::Less), Some(0.3))
    );
    assert_eq!(acr.taken_at, at(2026, 11, 3, 8, 5));

    let withdrawn: Vec<&Incoming> = parsed
        .results
        .iter()
        .filter(|r| r.status == Status::EnteredInError)
        .collect();
    assert_eq!(withdrawn.len(), 1);
    assert_eq!(
        (withdrawn[0].code, withdrawn[0].value_num),
        ("serum_creatinine", None)
    );
    assert_eq!(withdrawn[0].taken_at, at(2026, 10, 20, 9, 0));
    assert_eq!(parsed.results.len(), 6);

    assert_eq!(
        parsed.skipped,
        [
            Skipped {
                place: "Entry 11".into(),
                what: "Lipid profile (SNOMED CT 16254007)".into(),
                why: "a panel that groups other results".into(),
            },
            Skipped {
                place: "Entry 12".into(),
                what: "Serum cholesterol level (SNOMED CT 1005671000000105)".into(),
                why: "not something Alongside shows".into(),
            },
            Skipped {
                place: "Entry 15".into(),
                what: "eGFR (estimated glomerular filtration rate) by laboratory calculation (SNOMED CT 1107411000000104)".into(),
                why: "not final yet".into(),
            },
        ]
    );
}

#[test]
fn a_single_uk_core_blood_pressure_observation_with_an_nhs_number_subject_is_read() {
    let parsed = parse(
        include_str!("fixtures/blood_pressure_observation.json"),
        now(),
    )
    .unwrap();
    assert_eq!(parsed.results.len(), 1);
    let bp = &parsed.results[0];
    assert_eq!(bp.place, "File");
    assert_eq!((bp.nhs_number.as_str(), bp.code), (BOB, "blood_pressure"));
    assert_eq!((bp.value_num, bp.value_num2), (Some(138.0), Some(86.0)));
    assert_eq!(bp.taken_at, at(2026, 11, 2, 10, 42));
    assert_eq!(bp.performer.as_deref(), Some("Meadow Lane Surgery"));
    assert_eq!(
        bp.identifier.as_deref(),
        Some("https://gp.example.nhs.uk/observation|7c9d2e41-bp")
    );
    assert_eq!(bp.codings.len(), 2);
}

#[test]
fn a_single_observation_must_name_its_person_by_nhs_number() {
    let mut obs = observation(
        loinc("4548-4"),
        json!({ "reference": "Patient/ann" }),
        quantity(json!(52), "mmol/mol"),
    );
    let text = obs["resource"].take().to_string();
    assert_eq!(
        parse(&text, now()).unwrap_err(),
        [Problem::at(
            "File",
            "The observation refers to the patient \"Patient/ann\", which is not in the file"
        )]
    );
}

#[test]
fn ndjson_resources_may_come_in_any_order() {
    let parsed = parse(include_str!("fixtures/bulk_export.ndjson"), now()).unwrap();
    let places: Vec<(&str, &str)> = parsed
        .results
        .iter()
        .map(|r| (r.place.as_str(), r.code))
        .collect();
    assert_eq!(places, [("Line 1", "hba1c"), ("Line 4", "bmi")]);
    // The HbA1c names its Patient and Specimen before either appears.
    let hba1c = &parsed.results[0];
    assert_eq!(hba1c.nhs_number, CAL);
    assert_eq!(hba1c.taken_at, at(2026, 10, 12, 8, 15));
    assert_eq!(hba1c.value_num, Some(43.0));
    assert_eq!(hba1c.original, Some(("6.1".into(), "%".into())));
    assert_eq!(hba1c.claimed.family_name.as_deref(), Some("Sample"));
    assert_eq!(parsed.results[1].taken_at, at(2026, 10, 12, 11, 0));
    assert_eq!(
        parsed.skipped,
        [Skipped {
            place: "Line 2".into(),
            what: "Body weight (LOINC 29463-7)".into(),
            why: "not something Alongside shows".into(),
        }]
    );
}

#[test]
fn ndjson_lines_that_are_not_resources_are_named_by_line() {
    let good = observation(
        loinc("4548-4"),
        json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": ANN } }),
        quantity(json!(52), "mmol/mol"),
    )["resource"]
        .to_string();
    let bad_value = good.replace("52", "520");
    let text = format!("{good}\n{{\"not\": \"fhir\"}}\n\n{{oops\n{bad_value}\n");
    let problems = parse(&text, now()).unwrap_err();
    assert_eq!(lines(&problems), ["Line 2", "Line 4", "Line 5"]);
    assert_eq!(
        problems[0].message,
        "This line is not a FHIR resource (it has no resourceType)"
    );
    assert!(problems[1].message.contains("not valid JSON"));
    assert!(problems[2].message.contains("outside the possible range"));
}

#[test]
fn fhir_xml_is_refused_with_a_message_to_export_it_as_json() {
    let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Bundle xmlns=\"http://hl7.org/fhir\">\n  <type value=\"collection\"/>\n</Bundle>\n";
    assert_eq!(
        parse(xml, now()).unwrap_err(),
        [Problem::at("File", "This is FHIR XML; export it as JSON")]
    );
    assert_eq!(lines(&parse("<html><body>", now()).unwrap_err()), ["File"]);
}

#[test]
fn parse_reads_csv_too_with_nothing_skipped() {
    let parsed = parse(
        "\u{feff}nhs_number,result,value,taken_on\n9434765919,egfr,>90,2026-11-03\n",
        now(),
    )
    .unwrap();
    assert_eq!(parsed.results.len(), 1);
    assert_eq!(parsed.results[0].comparator, Some(Comparator::More));
    assert!(parsed.skipped.is_empty());
    assert_eq!(
        parse("   \n", now()).unwrap_err(),
        [Problem::at("File", "The file is empty")]
    );
}

#[test]
fn fhir_file_that_is_not_a_bundle_or_an_observation_is_one_problem_at_file() {
    // Was "…not a Bundle of observations": a single Observation is now accepted too.
    let patient_only = json!({ "resourceType": "Patient", "id": "ann" }).to_string();
    assert_eq!(
        parse(&patient_only, now()).unwrap_err(),
        [Problem::at(
            "File",
            "The file is a FHIR \"Patient\", not a Bundle or an Observation"
        )]
    );
    for json in ["[1, 2]", "{}", "\"Bundle\"", "null"] {
        assert_eq!(
            lines(&fhir::parse_json(json, now()).unwrap_err()),
            ["File"],
            "{json}"
        );
    }
}

#[test]
fn fhir_file_that_is_not_json_says_where_it_goes_wrong() {
    assert_eq!(
        parse("{\n  \"resourceType\": \"Bundle\",\n  oops\n}", now()).unwrap_err(),
        [Problem::at(
            "File",
            "The file is not valid JSON (the first mistake is at line 3, column 3)"
        )]
    );
    for junk in [
        "",
        "\u{feff}",
        "\u{0}\u{1}binary",
        "{\"a\": 1e999}",
        &"[".repeat(10_000),
        "{\"resourceType\": \"Bundle\", \"entry\": 5}",
        "{\n\"resourceType\": \"Bundle\"\n}\n}",
    ] {
        assert_eq!(
            lines(&fhir::parse_json(junk, now()).unwrap_err()),
            ["File"],
            "{junk:.40}"
        );
    }
}

#[test]
fn fhir_bundle_with_no_observations_says_so() {
    for json in [
        bundle(&[patient()]),
        bundle(&[]),
        r#"{"resourceType":"Bundle"}"#.to_owned(),
    ] {
        assert_eq!(
            parse(&json, now()).unwrap_err(),
            [Problem::at("File", "The bundle has no observations in it")]
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Rule 1: codes as data.

/// A plausible value for one observation of a kind, in its own unit.
fn sample_value(kind: &str) -> (&'static str, Value) {
    match kind {
        "hba1c" => quantity(json!(52), "mmol/mol"),
        "non_hdl_cholesterol" => quantity(json!(3.1), "mmol/L"),
        "egfr" => quantity(json!(58), "mL/min/{1.73_m2}"),
        "urine_acr" => quantity(json!(2.5), "mg/mmol"),
        "serum_creatinine" => quantity(json!(98), "umol/L"),
        "bmi" => quantity(json!(27.5), "kg/m2"),
        "copd_cat" => quantity(json!(12), "{score}"),
        "mrc_dyspnoea" => quantity(json!(3), "{grade}"),
        "blood_pressure" => (
            "component",
            json!([
                { "code": { "coding": [loinc("8480-6")] }, "valueQuantity": { "value": 142, "system": UCUM, "code": "mm[Hg]" } },
                { "code": { "coding": [loinc("8462-4")] }, "valueQuantity": { "value": 88, "system": UCUM, "code": "mm[Hg]" } }
            ]),
        ),
        "foot_risk" => ("valueCodeableConcept", json!({ "text": "Low risk" })),
        "smoking_status" => (
            "valueCodeableConcept",
            json!({ "coding": [{ "system": SNOMED, "code": "8517006", "display": "Ex-smoker" }] }),
        ),
        other => panic!("no sample value for {other}"),
    }
}

#[test]
fn every_code_row_imports_one_observation_as_its_kind() {
    for row in codes::CODES {
        let coding = json!({ "system": row.system, "code": row.code, "display": row.display });
        let result = parse_with_ann(vec![observation(coding, by_uuid(), sample_value(row.kind))]);
        match result {
            Ok(parsed) => {
                assert_eq!(
                    parsed.results.len(),
                    1,
                    "{} {} should import: {parsed:?}",
                    row.system,
                    row.code
                );
                assert_eq!(
                    parsed.results[0].code, row.kind,
                    "{} {}",
                    row.system, row.code
                );
                assert_eq!(
                    parsed.results[0].codings[0].code, row.code,
                    "{} {} keeps its coding",
                    row.system, row.code
                );
            }
            Err(problems) => panic!("{} {}: {problems:?}", row.system, row.code),
        }
    }
}

#[test]
fn every_blood_pressure_component_code_reads_as_its_number() {
    for row in codes::COMPONENTS {
        let (mine, other) = match row.part {
            codes::Part::Systolic => (142, ("8462-4", 88)),
            codes::Part::Diastolic => (88, ("8480-6", 142)),
        };
        let components = json!([
            { "code": { "coding": [{ "system": row.system, "code": row.code }] }, "valueQuantity": { "value": mine, "code": "mm[Hg]" } },
            { "code": { "coding": [loinc(other.0)] }, "valueQuantity": { "value": other.1, "code": "mm[Hg]" } }
        ]);
        let got = parse_with_ann(vec![observation(
            sct("75367002"),
            by_uuid(),
            ("component", components),
        )]);
        let got = got.unwrap_or_else(|p| panic!("{} {}: {p:?}", row.system, row.code));
        assert_eq!(
            (got.results[0].value_num, got.results[0].value_num2),
            (Some(142.0), Some(88.0)),
            "{} {}",
            row.system,
            row.code
        );
    }
}

#[test]
fn codes_have_their_systems_shape_a_source_and_one_kind_each() {
    for row in codes::CODES {
        assert!(
            codes::shaped(row.system, row.code),
            "{} {} has the wrong shape for its system",
            row.system,
            row.code
        );
        assert!(
            catalogue::kind(row.kind).is_some(),
            "{} {} names no kind",
            row.system,
            row.code
        );
        assert!(
            row.source.len() > 10 && !row.display.is_empty(),
            "{}",
            row.code
        );
        let same = codes::CODES
            .iter()
            .filter(|other| other.system == row.system && other.code == row.code)
            .count();
        assert_eq!(
            same, 1,
            "{} {} is listed more than once",
            row.system, row.code
        );
    }
    for row in codes::COMPONENTS {
        assert!(codes::shaped(row.system, row.code), "{}", row.code);
        assert!(row.source.len() > 10, "{}", row.code);
    }
    assert_eq!(
        codes::codes_of("egfr").next().map(|c| c.code),
        Some("1011481000000105")
    );
}

fn kind_of(system: &str, code: &str) -> Option<&'static str> {
    let parsed = parse_with_ann(vec![observation(
        json!({ "system": system, "code": code }),
        by_uuid(),
        quantity(json!(58), "mL/min/{1.73_m2}"),
    )]);
    match parsed {
        Ok(p) => p.results.first().map(|r| r.code),
        Err(_) => Some("refused"),
    }
}

#[test]
fn egfr_codes_labs_send_are_egfr() {
    for code in ["1011481000000105", "1107411000000104", "1020291000000106"] {
        assert_eq!(kind_of(SNOMED, code), Some("egfr"), "SNOMED CT {code}");
    }
    for code in [
        "33914-3", "62238-1", "69405-9", "98979-8", "48642-3", "48643-1", "50044-7",
    ] {
        assert_eq!(kind_of(LOINC, code), Some("egfr"), "LOINC {code}");
    }
}

#[test]
fn hba1c_creatinine_and_non_hdl_codes_labs_send_are_known() {
    let cases = [
        (SNOMED, "1049301000000100", "hba1c"),
        (SNOMED, "1049321000000109", "hba1c"),
        (SNOMED, "999791000000106", "hba1c"),
        (LOINC, "4548-4", "hba1c"),
        (LOINC, "59261-8", "hba1c"),
        (LOINC, "17856-6", "hba1c"),
        (SNOMED, "1107001000000108", "serum_creatinine"),
        (SNOMED, "1000731000000107", "serum_creatinine"),
        (LOINC, "2160-0", "serum_creatinine"),
        (LOINC, "14682-9", "serum_creatinine"),
        (SNOMED, "1006191000000106", "non_hdl_cholesterol"),
        (SNOMED, "12021000237106", "non_hdl_cholesterol"),
        (SNOMED, "1030411000000101", "non_hdl_cholesterol"),
        (LOINC, "43396-1", "non_hdl_cholesterol"),
        (LOINC, "85354-9", "blood_pressure"),
        (SNOMED, "75367002", "blood_pressure"),
    ];
    for (system, code, kind) in cases {
        let row = codes::known(system, code);
        assert_eq!(row.map(|r| r.kind), Some(kind), "{system} {code}");
    }
}

#[test]
fn a_code_sent_under_the_other_system_is_not_recognised() {
    // The shape check: a LOINC code labelled SNOMED CT (and the reverse) means nothing.
    assert!(codes::known(SNOMED, "4548-4").is_none());
    assert!(codes::known(LOINC, "999791000000106").is_none());
    assert!(codes::known("http://example.org/codes", "4548-4").is_none());
    assert_eq!(kind_of(SNOMED, "62238-1"), None);
}

#[test]
fn kind_for_knows_our_codes_and_loinc_and_snomed_codes() {
    assert_eq!(kind_for("hba1c").map(|k| k.code), Some("hba1c"));
    assert_eq!(kind_for("4548-4").map(|k| k.code), Some("hba1c"));
    assert_eq!(kind_for("999791000000106").map(|k| k.code), Some("hba1c"));
    assert_eq!(kind_for("85354-9").map(|k| k.code), Some("blood_pressure"));
    assert_eq!(kind_for("62238-1").map(|k| k.code), Some("egfr"));
    assert_eq!(
        kind_for(" 1107001000000108 ").map(|k| k.code),
        Some("serum_creatinine")
    );
    assert!(kind_for("2345-7").is_none());
    assert!(kind_for("").is_none());
}

// ---------------------------------------------------------------------------------------------
// Rule 2: dates.

fn dated(change: impl FnOnce(&mut Value), extra: Vec<Value>) -> Result<Parsed, Vec<Problem>> {
    let mut entries = vec![ann_observation(
        loinc("4548-4"),
        quantity(json!(52), "mmol/mol"),
        |o| {
            o.as_object_mut().unwrap().remove("effectiveDateTime");
            change(o);
        },
    )];
    entries.extend(extra);
    parse_with_ann(entries)
}

#[test]
fn effective_instant_and_the_start_of_an_effective_period_date_a_result() {
    let instant = dated(
        |o| o["effectiveInstant"] = json!("2026-11-01T08:00:00.000Z"),
        vec![],
    )
    .unwrap();
    assert_eq!(instant.results[0].taken_at, at(2026, 11, 1, 8, 0));
    let period = dated(
        |o| {
            o["effectivePeriod"] =
                json!({ "start": "2026-10-30T10:00:00+00:00", "end": "2026-10-30T10:30:00+00:00" })
        },
        vec![],
    )
    .unwrap();
    assert_eq!(period.results[0].taken_at, at(2026, 10, 30, 10, 0));
    assert_eq!(period.results[0].dated_by, DatedBy::Taken);
}

#[test]
fn a_result_without_its_own_time_takes_its_specimens_collection_time() {
    let specimen = json!({ "fullUrl": "urn:uuid:spec-1", "resource": {
        "resourceType": "Specimen", "id": "s1",
        "collection": { "collectedDateTime": "2026-11-02T09:15:00+00:00" }
    }});
    for reference in [
        "urn:uuid:spec-1",
        "Specimen/s1",
        "https://lab.example.nhs.uk/fhir/Specimen/s1",
    ] {
        let got = dated(
            |o| {
                o["specimen"] = json!({ "reference": reference });
                o["issued"] = json!("2026-11-04T12:00:00Z");
            },
            vec![specimen.clone()],
        )
        .unwrap();
        assert_eq!(
            got.results[0].taken_at,
            at(2026, 11, 2, 9, 15),
            "{reference}"
        );
        assert_eq!(got.results[0].dated_by, DatedBy::Taken);
        assert_eq!(got.results[0].issued, Some(at(2026, 11, 4, 12, 0)));
    }
    let contained = dated(
        |o| {
            o["contained"] = json!([{ "resourceType": "Specimen", "id": "sp", "collection": { "collectedDateTime": "2026-11-01" } }]);
            o["specimen"] = json!({ "reference": "#sp" });
        },
        vec![],
    )
    .unwrap();
    assert_eq!(contained.results[0].taken_at, at(2026, 11, 1, 0, 0));
}

#[test]
fn a_result_dated_only_by_its_report_is_dated_by_reported() {
    let got = dated(|o| o["issued"] = json!("2026-11-04T12:00:00+00:00"), vec![]).unwrap();
    assert_eq!(got.results[0].taken_at, at(2026, 11, 4, 12, 0));
    assert_eq!(got.results[0].dated_by, DatedBy::Reported);
    assert_eq!(got.results[0].issued, Some(at(2026, 11, 4, 12, 0)));
    // A specimen without a collection time is no date either.
    let specimen = json!({ "resource": { "resourceType": "Specimen", "id": "s2" } });
    let got = dated(
        |o| {
            o["specimen"] = json!({ "reference": "Specimen/s2" });
            o["issued"] = json!("2026-11-04T12:00:00Z");
        },
        vec![specimen],
    )
    .unwrap();
    assert_eq!(got.results[0].dated_by, DatedBy::Reported);
}

#[test]
fn a_result_with_no_date_anywhere_is_a_problem() {
    let problems = dated(|_| {}, vec![]).unwrap_err();
    assert_eq!(
        problems,
        [Problem::at(
            "Entry 2",
            "The observation has no date: it needs effectiveDateTime, effectivePeriod, a specimen with its collection time, or issued"
        )]
    );
    let problems = dated(
        |o| o["specimen"] = json!({ "reference": "Specimen/gone" }),
        vec![],
    )
    .unwrap_err();
    assert!(
        problems[0]
            .message
            .contains("its specimen \"Specimen/gone\" is not in the file")
    );
}

#[test]
fn future_and_very_old_dates_are_refused_wherever_they_come_from() {
    let future = dated(
        |o| o["effectivePeriod"] = json!({ "start": "2027-01-01" }),
        vec![],
    )
    .unwrap_err();
    assert_eq!(
        future,
        [Problem::at(
            "Entry 2",
            "The date \"2027-01-01\" is in the future"
        )]
    );
    let specimen = json!({ "resource": { "resourceType": "Specimen", "id": "s1", "collection": { "collectedDateTime": "1999-01-01" } } });
    let old = dated(
        |o| o["specimen"] = json!({ "reference": "Specimen/s1" }),
        vec![specimen],
    )
    .unwrap_err();
    assert!(old[0].message.contains("more than 20 years ago"));
    let reported = dated(|o| o["issued"] = json!("2026-12-01T00:00:00Z"), vec![]).unwrap_err();
    assert!(reported[0].message.contains("is in the future"));
}

#[test]
fn an_unreadable_report_time_is_a_problem() {
    let problems = parse_with_ann(vec![ann_observation(
        loinc("4548-4"),
        quantity(json!(52), "mmol/mol"),
        |o| o["issued"] = json!("last Tuesday"),
    )])
    .unwrap_err();
    assert_eq!(
        messages(&problems),
        ["The report time (issued) \"last Tuesday\" is not a date we can read"]
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 3: comparators.

#[test]
fn every_fhir_comparator_is_kept_with_its_bound() {
    for (raw, comparator) in [
        ("<", Comparator::Less),
        ("<=", Comparator::LessOrEqual),
        (">=", Comparator::MoreOrEqual),
        (">", Comparator::More),
    ] {
        let got = only_result(vec![observation(
            loinc("62238-1"),
            by_uuid(),
            (
                "valueQuantity",
                json!({ "value": 90, "comparator": raw, "system": UCUM, "code": "mL/min/{1.73_m2}" }),
            ),
        )]);
        assert_eq!(
            (got.comparator, got.value_num),
            (Some(comparator), Some(90.0)),
            "{raw}"
        );
    }
}

#[test]
fn a_bound_is_range_checked_and_an_unknown_comparator_refused() {
    let problems = parse_with_ann(vec![
        observation(
            loinc("62238-1"),
            by_uuid(),
            ("valueQuantity", json!({ "value": 900, "comparator": ">" })),
        ),
        observation(
            loinc("62238-1"),
            by_uuid(),
            ("valueQuantity", json!({ "value": 90, "comparator": "ad" })),
        ),
    ])
    .unwrap_err();
    assert_eq!(lines(&problems), ["Entry 2", "Entry 3"]);
    assert!(
        problems[0]
            .message
            .contains("outside the possible range of 1 to 200")
    );
    assert_eq!(
        problems[1].message,
        "The observation's value has the comparator \"ad\", which we cannot read; only <, <=, >= and > can be imported"
    );
}

#[test]
fn a_blood_pressure_number_given_as_a_bound_is_refused() {
    let problems = parse_with_ann(vec![observation(
        loinc("85354-9"),
        by_uuid(),
        (
            "component",
            json!([
                { "code": { "coding": [loinc("8480-6")] }, "valueQuantity": { "value": 180, "comparator": ">", "code": "mm[Hg]" } },
                { "code": { "coding": [loinc("8462-4")] }, "valueQuantity": { "value": 88, "code": "mm[Hg]" } }
            ]),
        ),
    )])
    .unwrap_err();
    assert_eq!(
        messages(&problems),
        ["A blood pressure must be two exact numbers, but the systolic value is given as \">180\""]
    );
}

#[test]
fn csv_values_may_be_bounds_but_not_for_blood_pressure_or_coded_results() {
    let csv = "nhs_number,result,value,taken_on\n\
               9434765919,egfr,>90,2026-11-03\n\
               9434765919,urine_acr,< 3,2026-11-03\n\
               9434765919,egfr,≥ 60,2026-11-03\n";
    let got = parse_csv(csv, now()).unwrap();
    assert_eq!(
        got.iter()
            .map(|r| (r.comparator, r.value_num))
            .collect::<Vec<_>>(),
        [
            (Some(Comparator::More), Some(90.0)),
            (Some(Comparator::Less), Some(3.0)),
            (Some(Comparator::MoreOrEqual), Some(60.0)),
        ]
    );
    let bad = "nhs_number,result,value,taken_on\n\
               9434765919,blood_pressure,<140/90,2026-11-03\n\
               9434765919,foot_risk,>low,2026-11-03\n\
               9434765919,egfr,>900,2026-11-03\n";
    let problems = parse_csv(bad, now()).unwrap_err();
    assert_eq!(
        messages(&problems),
        [
            "A blood pressure must be two exact numbers, not a bound like \"<140/90\"",
            "Foot check results cannot be a bound like \">low\"",
            "eGFR 900 mL/min/1.73m² is outside the possible range of 1 to 200 mL/min/1.73m²",
        ]
    );
    // Typed by hand, a bound is still not a number.
    assert!(read_value("egfr", ">90").is_err());
}

// ---------------------------------------------------------------------------------------------
// Rule 4: units.

fn converted(code: &str, value: Value, unit: &str) -> Incoming {
    only_result(vec![observation(
        loinc(code),
        by_uuid(),
        quantity(value, unit),
    )])
}

#[test]
fn well_defined_units_are_converted_and_the_original_kept() {
    let hba1c = converted("4548-4", json!(6.1), "%");
    assert_eq!(hba1c.value_num, Some(43.0));
    assert_eq!(hba1c.unit.as_deref(), Some("mmol/mol"));
    assert_eq!(hba1c.original, Some(("6.1".into(), "%".into())));
    let acr = converted("14959-1", json!(30), "mg/g");
    assert_eq!(
        (acr.value_num, acr.original.clone()),
        (Some(3.4), Some(("30".into(), "mg/g".into())))
    );
    let creatinine = converted("2160-0", json!(1.1), "mg/dL");
    assert_eq!(creatinine.value_num, Some(97.0));
    assert_eq!(creatinine.unit.as_deref(), Some("µmol/L"));
    let cholesterol = converted("43396-1", json!(150), "mg/dL");
    assert_eq!(cholesterol.value_num, Some(3.9));
    // In its own unit, nothing is converted.
    assert_eq!(converted("4548-4", json!(52), "mmol/mol").original, None);
}

#[test]
fn a_converted_bound_keeps_its_comparator() {
    let got = only_result(vec![observation(
        loinc("14959-1"),
        by_uuid(),
        (
            "valueQuantity",
            json!({ "value": 30, "comparator": "<", "system": UCUM, "code": "mg/g" }),
        ),
    )]);
    assert_eq!(
        (got.comparator, got.value_num),
        (Some(Comparator::Less), Some(3.4))
    );
}

#[test]
fn unit_display_strings_are_read_without_a_system() {
    let got = only_result(vec![observation(
        loinc("14682-9"),
        by_uuid(),
        ("valueQuantity", json!({ "value": 98, "unit": "µmol/L" })),
    )]);
    assert_eq!(got.value_num, Some(98.0));
}

#[test]
fn a_known_result_in_an_unknown_unit_is_refused_naming_the_unit_and_the_units_accepted() {
    let problems = parse_with_ann(vec![
        observation(loinc("4548-4"), by_uuid(), quantity(json!(7.5), "mg")),
        observation(loinc("62238-1"), by_uuid(), quantity(json!(58), "mL/min")),
        observation(
            loinc("4548-4"),
            by_uuid(),
            ("valueQuantity", json!({ "value": 52, "unit": "mmol/mol", "system": "http://example.org/units", "code": "MMOL" })),
        ),
        observation(
            loinc("4548-4"),
            by_uuid(),
            ("valueQuantity", json!({ "value": 52, "unit": "mmol/mol", "system": UCUM, "code": "%" })),
        ),
        observation(loinc("4548-4"), by_uuid(), quantity(json!(25), "%")),
    ])
    .unwrap_err();
    assert_eq!(
        messages(&problems),
        [
            "The observation's value is in \"mg\", which is not a unit we can read for HbA1c: we accept mmol/mol, or % (converted to mmol/mol)",
            "The observation's value is in \"mL/min\", which is not a unit we can read for eGFR: we accept mL/min/1.73m² only",
            "The observation's value gives its unit in \"http://example.org/units\", not in UCUM (http://unitsofmeasure.org); only UCUM units can be imported",
            "The observation's value has a unit code \"%\" and a unit \"mmol/mol\" that disagree",
            "HbA1c 250 mmol/mol is outside the possible range of 20 to 200 mmol/mol (converted from 25 %)",
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Rule 5: what counts as a problem.

#[test]
fn results_alongside_does_not_show_and_results_not_final_are_left_out_and_listed() {
    let weight = observation(
        json!({ "system": LOINC, "code": "29463-7", "display": "Body weight" }),
        by_uuid(),
        quantity(json!(80), "kg"),
    );
    let status = |status: &str| {
        ann_observation(loinc("4548-4"), quantity(json!(52), "mmol/mol"), |o| {
            o["status"] = json!(status)
        })
    };
    let text_only = ann_observation(json!(null), quantity(json!(1), "kg"), |o| {
        o["code"] = json!({ "text": "Grip strength" })
    });
    let absent = ann_observation(
        loinc("4548-4"),
        ("dataAbsentReason", json!({ "text": "Sample haemolysed" })),
        |_| {},
    );
    let parsed = parse_with_ann(vec![
        weight,
        status("registered"),
        status("preliminary"),
        status("cancelled"),
        text_only,
        absent,
        json!({ "resource": { "resourceType": "DiagnosticReport", "status": "final" } }),
        json!({ "resource": { "resourceType": "Organization", "name": "Lab" } }),
    ])
    .unwrap();
    assert!(
        parsed.results.is_empty(),
        "only left-out entries is a good file"
    );
    let why: Vec<(&str, &str, &str)> = parsed
        .skipped
        .iter()
        .map(|s| (s.place.as_str(), s.what.as_str(), s.why.as_str()))
        .collect();
    assert_eq!(
        why,
        [
            (
                "Entry 2",
                "Body weight (LOINC 29463-7)",
                "not something Alongside shows"
            ),
            ("Entry 3", "LOINC 4548-4", "not final yet"),
            ("Entry 4", "LOINC 4548-4", "not final yet"),
            (
                "Entry 5",
                "LOINC 4548-4",
                "cancelled, so there is no result"
            ),
            ("Entry 6", "Grip strength", "not something Alongside shows"),
            (
                "Entry 7",
                "LOINC 4548-4",
                "it has no result value (the lab says: Sample haemolysed)"
            ),
        ]
    );
}

#[test]
fn a_result_entered_in_error_is_kept_to_withdraw_the_earlier_one() {
    let got = only_result(vec![ann_observation(
        loinc("4548-4"),
        (
            "identifier",
            json!([{ "system": "https://lab.example/r", "value": "R1" }]),
        ),
        |o| o["status"] = json!("entered-in-error"),
    )]);
    assert_eq!(got.status, Status::EnteredInError);
    assert_eq!((got.code, got.value_num), ("hba1c", None));
    assert_eq!(got.identifier.as_deref(), Some("https://lab.example/r|R1"));
    // Its value, if any, is kept even when it would not pass as a result.
    let got = only_result(vec![ann_observation(
        loinc("4548-4"),
        quantity(json!(52), "mmol/mol"),
        |o| o["status"] = json!("entered-in-error"),
    )]);
    assert_eq!(got.value_num, Some(52.0));
}

#[test]
fn amended_and_corrected_results_carry_their_status() {
    for (raw, status) in [
        ("amended", Status::Amended),
        ("corrected", Status::Corrected),
        ("final", Status::Final),
    ] {
        let got = only_result(vec![ann_observation(
            loinc("4548-4"),
            quantity(json!(52), "mmol/mol"),
            |o| o["status"] = json!(raw),
        )]);
        assert_eq!(got.status, status, "{raw}");
    }
}

#[test]
fn a_recognised_result_with_a_problem_refuses_the_whole_file_with_a_problem_per_entry() {
    let hba1c = |v: Value| ("valueQuantity", v);
    let mut undated = observation(loinc("4548-4"), by_uuid(), hba1c(json!({ "value": 52 })));
    undated["resource"]
        .as_object_mut()
        .unwrap()
        .remove("effectiveDateTime");
    let mut no_status = observation(loinc("4548-4"), by_uuid(), hba1c(json!({ "value": 52 })));
    no_status["resource"]
        .as_object_mut()
        .unwrap()
        .remove("status");
    let json = bundle(&[
        patient(),
        observation(loinc("4548-4"), by_uuid(), hba1c(json!({ "value": 52 }))),
        observation(loinc("2345-7"), by_uuid(), hba1c(json!({ "value": 5.2 }))),
        observation(
            loinc("4548-4"),
            json!({ "reference": "Patient/nobody" }),
            hba1c(json!({ "value": 52 })),
        ),
        observation(loinc("4548-4"), by_uuid(), hba1c(json!({ "value": 900 }))),
        observation(
            loinc("85354-9"),
            by_uuid(),
            (
                "component",
                json!([
                    { "code": { "coding": [loinc("8480-6")] }, "valueQuantity": { "value": 142 } }
                ]),
            ),
        ),
        undated,
        observation(
            loinc("4548-4"),
            json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": "123" } }),
            hba1c(json!({ "value": 52 })),
        ),
        observation(
            sct("401191002"),
            by_uuid(),
            ("valueCodeableConcept", json!({ "text": "moderate" })),
        ),
        no_status,
        observation(json!({}), by_uuid(), hba1c(json!({ "value": 52 }))),
    ]);
    let problems = parse(&json, now()).unwrap_err();
    assert_eq!(
        lines(&problems),
        [
            "Entry 4", "Entry 5", "Entry 6", "Entry 7", "Entry 8", "Entry 9", "Entry 10",
            "Entry 11"
        ]
    );
    let message = |n: usize| problems[n].message.as_str();
    assert!(message(0).contains("\"Patient/nobody\", which is not in the file"));
    assert!(message(1).contains("outside the possible range of 20 to 200"));
    assert!(message(2).contains("no diastolic component (LOINC 8462-4)"));
    assert!(message(3).contains("no date"));
    assert!(message(4).contains("The NHS number \"123\" is not valid"));
    assert!(message(5).contains("\"moderate\" is not a foot check result we know"));
    assert!(message(6).contains("has no status"));
    assert_eq!(
        message(7),
        "The observation has no code saying which test it is"
    );
}

#[test]
fn fhir_subject_identifier_and_reference_that_disagree_are_refused() {
    let problems = parse_with_ann(vec![observation(
        loinc("4548-4"),
        json!({
            "reference": "Patient/ann",
            "identifier": { "system": NHS_NUMBER_SYSTEM, "value": BOB }
        }),
        ("valueQuantity", json!({ "value": 52 })),
    )])
    .unwrap_err();
    assert_eq!(lines(&problems), ["Entry 2"]);
    assert!(problems[0].message.contains("are different people"));
}

#[test]
fn fhir_smoking_status_may_be_a_snomed_code() {
    let got = only_result(vec![observation(
        loinc("72166-2"),
        by_uuid(),
        (
            "valueCodeableConcept",
            json!({ "coding": [{ "system": SNOMED, "code": "8517006", "display": "Ex-smoker (finding)" }] }),
        ),
    )]);
    assert_eq!(got.value_code.as_deref(), Some("ex_smoker"));
}

#[test]
fn whole_number_scores_may_come_as_value_integer() {
    // FHIR scores often come as valueInteger; BMI stands in for the scores, which have no codes
    // in the table yet.
    let got = only_result(vec![observation(
        loinc("39156-5"),
        by_uuid(),
        ("valueInteger", json!(31)),
    )]);
    assert_eq!((got.code, got.value_num), ("bmi", Some(31.0)));
}

// ---------------------------------------------------------------------------------------------
// Rule 6: provenance.

#[test]
fn provenance_comes_from_the_first_usable_identifier_and_performer() {
    let practitioner = json!({ "fullUrl": "urn:uuid:dr", "resource": {
        "resourceType": "Practitioner", "id": "dr",
        "name": [{ "text": "Dr A Nurse" }]
    }});
    let got = only_result(vec![
        practitioner,
        ann_observation(loinc("4548-4"), quantity(json!(52), "mmol/mol"), |o| {
            o["identifier"] = json!([{ "value": "no-system" }, { "system": "https://gp.example/obs", "value": "77" }]);
            o["performer"] =
                json!([{ "reference": "Practitioner/missing" }, { "reference": "urn:uuid:dr" }]);
            o["code"]["coding"] = json!([
                { "system": "http://read.info/ctv3", "code": "XaPbt", "display": "HbA1c" },
                { "system": LOINC, "code": "4548-4", "display": "Hemoglobin A1c" }
            ]);
            o["code"]["text"] = json!("HbA1c");
        }),
    ]);
    assert_eq!(got.identifier.as_deref(), Some("https://gp.example/obs|77"));
    assert_eq!(got.performer.as_deref(), Some("Dr A Nurse"));
    assert_eq!(
        got.codings,
        [
            Coding {
                system: "http://read.info/ctv3".into(),
                code: "XaPbt".into(),
                display: Some("HbA1c".into())
            },
            Coding {
                system: LOINC.into(),
                code: "4548-4".into(),
                display: Some("Hemoglobin A1c".into())
            },
        ]
    );
    let contained = only_result(vec![ann_observation(
        loinc("4548-4"),
        quantity(json!(52), "mmol/mol"),
        |o| {
            o["contained"] =
                json!([{ "resourceType": "Organization", "id": "lab", "name": "Hill Lab" }]);
            o["performer"] = json!([{ "reference": "#lab" }]);
        },
    )]);
    assert_eq!(contained.performer.as_deref(), Some("Hill Lab"));
    let none = only_result(vec![observation(
        loinc("4548-4"),
        by_uuid(),
        quantity(json!(52), "mmol/mol"),
    )]);
    assert_eq!(
        (none.identifier, none.performer, none.issued),
        (None, None, None)
    );
}

#[test]
fn what_the_file_claims_about_the_person_comes_from_their_patient() {
    let unnamed = json!({ "resource": {
        "resourceType": "Patient", "id": "cal",
        "identifier": [{ "system": NHS_NUMBER_SYSTEM, "value": CAL }],
        "name": [{ "given": ["Cal"] }],
        "birthDate": "1949"
    }});
    let got = only_result(vec![
        unnamed,
        observation(
            loinc("4548-4"),
            json!({ "reference": "Patient/cal" }),
            quantity(json!(52), "mmol/mol"),
        ),
    ]);
    assert_eq!(got.nhs_number, CAL);
    // A year alone is not a date of birth to check against.
    assert_eq!(got.claimed, Claimed::default());
    let contained = only_result(vec![
        observation(
            loinc("4548-4"),
            json!({ "reference": "#p" }),
            quantity(json!(52), "mmol/mol"),
        )
        .tap(|e| {
            e["resource"]["contained"] = json!([{
                "resourceType": "Patient", "id": "p",
                "identifier": [{ "system": NHS_NUMBER_SYSTEM, "value": BOB }],
                "name": [{ "family": "Example" }], "birthDate": "1961-02-03"
            }]);
        }),
    ]);
    assert_eq!(contained.nhs_number, BOB);
    assert_eq!(
        contained.claimed,
        Claimed {
            birth_date: NaiveDate::from_ymd_opt(1961, 2, 3),
            family_name: Some("Example".into())
        }
    );
}

trait Tap: Sized {
    fn tap(mut self, f: impl FnOnce(&mut Self)) -> Self {
        f(&mut self);
        self
    }
}
impl Tap for Value {}

// ---------------------------------------------------------------------------------------------
// Rule 7: size.

#[test]
fn a_bundle_of_five_thousand_observations_for_a_thousand_people_parses_whole() {
    let numbers = [ANN, BOB, CAL];
    let mut text = String::from(r#"{"resourceType":"Bundle","type":"collection","entry":["#);
    for person in 0..1000 {
        let nhs = numbers[person % numbers.len()];
        if person > 0 {
            text.push(',');
        }
        text.push_str(&format!(
            r#"{{"fullUrl":"urn:uuid:p-{person}","resource":{{"resourceType":"Patient","id":"p{person}","identifier":[{{"system":"{NHS_NUMBER_SYSTEM}","value":"{nhs}"}}],"name":[{{"family":"Person{person}"}}],"birthDate":"1950-01-01"}}}}"#
        ));
        for n in 0..5 {
            text.push_str(&format!(
                r#",{{"fullUrl":"urn:uuid:o-{person}-{n}","resource":{{"resourceType":"Observation","id":"o{person}-{n}","identifier":[{{"system":"https://lab.example/r","value":"{person}-{n}"}}],"status":"final","category":[{{"coding":[{{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}}]}}],"code":{{"coding":[{{"system":"{SNOMED}","code":"1049321000000109","display":"HbA1c (haemoglobin A1c) level (monitoring ranges) - IFCC standardised"}}]}},"subject":{{"reference":"urn:uuid:p-{person}"}},"effectiveDateTime":"2026-0{}-1{n}T09:00:00+00:00","issued":"2026-10-01T12:00:00+00:00","performer":[{{"display":"Riverside Pathology Laboratory"}}],"valueQuantity":{{"value":{},"unit":"mmol/mol","system":"{UCUM}","code":"mmol/mol"}},"referenceRange":[{{"high":{{"value":48,"unit":"mmol/mol"}},"text":"Target for most people with diabetes"}}]}}}}"#,
                n + 1,
                40 + (person + n) % 40
            ));
        }
    }
    text.push_str("]}");
    let parsed = parse(&text, now()).unwrap();
    assert_eq!(parsed.results.len(), 5000);
    assert_eq!(
        parsed.results[4999].claimed.family_name.as_deref(),
        Some("Person999")
    );
    assert!(parsed.skipped.is_empty());
}
