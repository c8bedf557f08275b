use super::*;
use chrono::TimeZone;

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
fn kind_for_knows_our_codes_and_loinc_and_snomed_codes() {
    assert_eq!(kind_for("hba1c").map(|k| k.code), Some("hba1c"));
    assert_eq!(kind_for("4548-4").map(|k| k.code), Some("hba1c"));
    assert_eq!(kind_for("999791000000106").map(|k| k.code), Some("hba1c"));
    assert_eq!(kind_for("85354-9").map(|k| k.code), Some("blood_pressure"));
    assert_eq!(kind_for("62238-1").map(|k| k.code), Some("egfr"));
    assert!(kind_for("2345-7").is_none());
    assert!(kind_for("").is_none());
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

fn bundle(entries: &[Value]) -> String {
    serde_json::json!({ "resourceType": "Bundle", "type": "collection", "entry": entries })
        .to_string()
}

fn patient() -> Value {
    serde_json::json!({
        "fullUrl": "urn:uuid:9a1f0c1e-0000-4000-8000-000000000001",
        "resource": {
            "resourceType": "Patient",
            "id": "ann",
            "identifier": [
                { "system": "https://example.org/mrn", "value": "X1" },
                { "system": NHS_NUMBER_SYSTEM, "value": ANN }
            ]
        }
    })
}

fn observation(code: Value, subject: Value, value: (&str, Value)) -> Value {
    let mut resource = serde_json::json!({
        "resourceType": "Observation",
        "status": "final",
        "code": { "coding": [code] },
        "subject": subject,
        "effectiveDateTime": "2026-11-03T09:30:00Z"
    });
    resource[value.0] = value.1;
    serde_json::json!({ "resource": resource })
}

fn loinc(code: &str) -> Value {
    serde_json::json!({ "system": LOINC, "code": code })
}

fn by_uuid() -> Value {
    serde_json::json!({ "reference": "urn:uuid:9a1f0c1e-0000-4000-8000-000000000001" })
}

#[test]
fn valid_fhir_bundle_gives_each_observation_with_its_nhs_number() {
    let json = bundle(&[
        patient(),
        observation(
            loinc("4548-4"),
            by_uuid(),
            (
                "valueQuantity",
                serde_json::json!({ "value": 52, "unit": "mmol/mol", "system": "http://unitsofmeasure.org", "code": "mmol/mol" }),
            ),
        ),
        observation(
            loinc("62238-1"),
            serde_json::json!({ "reference": "Patient/ann" }),
            (
                "valueQuantity",
                serde_json::json!({ "value": 58.5, "code": "mL/min/{1.73_m2}" }),
            ),
        ),
        observation(
            loinc("85354-9"),
            serde_json::json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": "943 476 5870" } }),
            (
                "component",
                serde_json::json!([
                    { "code": { "coding": [loinc(SYSTOLIC_LOINC)] }, "valueQuantity": { "value": 142, "unit": "mmHg", "code": "mm[Hg]" } },
                    { "code": { "coding": [loinc(DIASTOLIC_LOINC)] }, "valueQuantity": { "value": 88, "code": "mm[Hg]" } }
                ]),
            ),
        ),
        observation(
            serde_json::json!({ "system": SNOMED, "code": "401191002" }),
            serde_json::json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": CAL } }),
            (
                "valueCodeableConcept",
                serde_json::json!({ "text": "Increased risk" }),
            ),
        ),
        serde_json::json!({ "resource": { "resourceType": "Practitioner", "id": "dr" } }),
    ]);
    let got = parse_fhir_bundle(&json, now()).unwrap();
    let taken = Utc.with_ymd_and_hms(2026, 11, 3, 9, 30, 0).unwrap();
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
            taken_at: taken,
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
    assert_eq!(
        (got[3].nhs_number.as_str(), got[3].code),
        (CAL, "foot_risk")
    );
    assert_eq!(got[3].value_code.as_deref(), Some("increased"));
    assert_eq!(got.len(), 4);
}

#[test]
fn fhir_smoking_status_may_be_a_snomed_code() {
    let json = bundle(&[
        patient(),
        observation(
            loinc("72166-2"),
            by_uuid(),
            (
                "valueCodeableConcept",
                serde_json::json!({ "coding": [{ "system": SNOMED, "code": "8517006", "display": "Ex-smoker (finding)" }] }),
            ),
        ),
    ]);
    let got = parse_fhir_bundle(&json, now()).unwrap();
    assert_eq!(got[0].value_code.as_deref(), Some("ex_smoker"));
}

#[test]
fn fhir_invalid_entries_are_each_reported_and_nothing_returned() {
    let hba1c = |v: Value| ("valueQuantity", v);
    let mut draft = observation(
        loinc("4548-4"),
        by_uuid(),
        hba1c(serde_json::json!({ "value": 52 })),
    );
    draft["resource"]["status"] = "preliminary".into();
    let mut undated = observation(
        loinc("4548-4"),
        by_uuid(),
        hba1c(serde_json::json!({ "value": 52 })),
    );
    undated["resource"]
        .as_object_mut()
        .unwrap()
        .remove("effectiveDateTime");
    let json = bundle(&[
        patient(),
        observation(
            loinc("4548-4"),
            by_uuid(),
            hba1c(serde_json::json!({ "value": 52 })),
        ),
        draft,
        observation(
            loinc("2345-7"),
            by_uuid(),
            hba1c(serde_json::json!({ "value": 5.2 })),
        ),
        observation(
            loinc("4548-4"),
            serde_json::json!({ "reference": "Patient/nobody" }),
            hba1c(serde_json::json!({ "value": 52 })),
        ),
        observation(
            loinc("4548-4"),
            by_uuid(),
            hba1c(serde_json::json!({ "value": 7.5, "unit": "%" })),
        ),
        observation(
            loinc("4548-4"),
            by_uuid(),
            hba1c(serde_json::json!({ "value": 900 })),
        ),
        observation(
            loinc("85354-9"),
            by_uuid(),
            (
                "component",
                serde_json::json!([
                    { "code": { "coding": [loinc(SYSTOLIC_LOINC)] }, "valueQuantity": { "value": 142 } }
                ]),
            ),
        ),
        undated,
        observation(
            loinc("62238-1"),
            by_uuid(),
            hba1c(serde_json::json!({ "value": 90, "comparator": ">" })),
        ),
        observation(
            loinc("4548-4"),
            serde_json::json!({ "identifier": { "system": NHS_NUMBER_SYSTEM, "value": "123" } }),
            hba1c(serde_json::json!({ "value": 52 })),
        ),
        observation(
            serde_json::json!({ "system": SNOMED, "code": "401191002" }),
            by_uuid(),
            (
                "valueCodeableConcept",
                serde_json::json!({ "text": "moderate" }),
            ),
        ),
    ]);
    let problems = parse_fhir_bundle(&json, now()).unwrap_err();
    assert_eq!(
        lines(&problems),
        [
            "Entry 3", "Entry 4", "Entry 5", "Entry 6", "Entry 7", "Entry 8", "Entry 9",
            "Entry 10", "Entry 11", "Entry 12"
        ]
    );
    let message = |n: usize| problems[n].message.as_str();
    assert!(message(0).contains("status is \"preliminary\""));
    assert!(message(1).contains("\"http://loinc.org 2345-7\""));
    assert!(message(2).contains("\"Patient/nobody\", which is not in the bundle"));
    assert_eq!(
        message(3),
        "The observation's value is in \"%\", but HbA1c is in mmol/mol"
    );
    assert!(message(4).contains("outside the possible range of 20 to 200"));
    assert!(message(5).contains("no diastolic component (LOINC 8462-4)"));
    assert!(message(6).contains("no date"));
    assert!(message(7).contains("\">90\""));
    assert!(message(8).contains("The NHS number \"123\" is not valid"));
    assert!(message(9).contains("\"moderate\" is not a foot check result we know"));
}

#[test]
fn fhir_subject_identifier_and_reference_that_disagree_are_refused() {
    let json = bundle(&[
        patient(),
        observation(
            loinc("4548-4"),
            serde_json::json!({
                "reference": "Patient/ann",
                "identifier": { "system": NHS_NUMBER_SYSTEM, "value": BOB }
            }),
            ("valueQuantity", serde_json::json!({ "value": 52 })),
        ),
    ]);
    let problems = parse_fhir_bundle(&json, now()).unwrap_err();
    assert_eq!(lines(&problems), ["Entry 2"]);
    assert!(problems[0].message.contains("are different people"));
}

#[test]
fn fhir_future_date_is_refused() {
    let mut obs = observation(
        loinc("4548-4"),
        by_uuid(),
        ("valueQuantity", serde_json::json!({ "value": 52 })),
    );
    obs["resource"]["effectiveDateTime"] = "2027-01-01".into();
    let problems = parse_fhir_bundle(&bundle(&[patient(), obs]), now()).unwrap_err();
    assert_eq!(
        problems,
        [Problem::at(
            "Entry 2",
            "The date \"2027-01-01\" is in the future"
        )]
    );
}

#[test]
fn fhir_file_that_is_not_a_bundle_is_one_problem_at_file() {
    let patient_only = serde_json::json!({ "resourceType": "Patient", "id": "ann" }).to_string();
    assert_eq!(
        parse_fhir_bundle(&patient_only, now()).unwrap_err(),
        [Problem::at(
            "File",
            "The file is a FHIR \"Patient\", not a Bundle of observations"
        )]
    );
    for json in ["[1, 2]", "{}", "\"Bundle\"", "null"] {
        assert_eq!(
            lines(&parse_fhir_bundle(json, now()).unwrap_err()),
            ["File"],
            "{json}"
        );
    }
}

#[test]
fn fhir_file_that_is_not_json_says_where_it_goes_wrong() {
    assert_eq!(
        parse_fhir_bundle("{\n  \"resourceType\": \"Bundle\",\n  oops\n}", now()).unwrap_err(),
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
    ] {
        assert_eq!(
            lines(&parse_fhir_bundle(junk, now()).unwrap_err()),
            ["File"]
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
            parse_fhir_bundle(&json, now()).unwrap_err(),
            [Problem::at("File", "The bundle has no observations in it")]
        );
    }
}
