//! How one result reads (`point`) and how the latest changed since the one before
//! (`summarise`), for bounds, conversions, report dates and corrections.
use chrono::{Duration, NaiveDate};
use uuid::Uuid;

use super::*;
use crate::results::corrections::tests::{at, result};

fn person() -> patient::Model {
    patient::Model {
        id: Uuid::new_v4(),
        account_id: None,
        organisation_id: Uuid::new_v4(),
        given_name: "Dora".into(),
        family_name: "Tester".into(),
        date_of_birth: NaiveDate::from_ymd_opt(1960, 1, 1).unwrap(),
        nhs_number: "9434765919".into(),
        phone: None,
        email: None,
        time_zone: "Europe/London".into(),
        created_at: at(1),
        data_version: 0,
    }
}

/// An eGFR taken `days_ago` days before 1 December 2026, exact or a bound.
fn egfr(value: f64, comparator: Option<&str>, days_ago: i64) -> observation::Model {
    observation::Model {
        code: "egfr".into(),
        value_num: Some(value),
        unit: Some("mL/min/1.73m²".into()),
        comparator: comparator.map(str::to_owned),
        taken_at: at(1) - Duration::days(days_ago),
        corrected_at: None,
        status: "final".into(),
        ..result(at(1))
    }
}

fn change(rows: &[observation::Model]) -> String {
    let rows: Vec<&observation::Model> = rows.iter().collect();
    summarise(&person(), at(2).date_naive(), &rows, &[])
        .unwrap()
        .change
}

#[test]
fn a_rise_to_a_bound_is_named_only_when_it_is_certain_and_meaningful() {
    assert_eq!(
        change(&[egfr(85.0, None, 200), egfr(90.0, Some(">"), 10)]),
        "Higher than last time, which is better (was 85 mL/min/1.73m² on 15 May 2026)."
    );
    assert_eq!(
        change(&[egfr(88.0, None, 200), egfr(90.0, Some(">"), 10)]),
        "We cannot say how much it changed: the lab gave more than 90 mL/min/1.73m² rather than an exact number (last time: 88 mL/min/1.73m² on 15 May 2026)."
    );
    assert_eq!(
        change(&[egfr(60.0, Some(">="), 200), egfr(70.0, None, 10)]),
        "We cannot say how much it changed: last time (15 May 2026) the lab gave 60 mL/min/1.73m² or more rather than an exact number."
    );
    assert_eq!(
        change(&[egfr(90.0, Some(">"), 200), egfr(90.0, Some(">"), 10)]),
        "We cannot say how much it changed: the lab gave more than 90 mL/min/1.73m² this time and more than 90 mL/min/1.73m² last time (15 May 2026), not exact numbers."
    );
}

#[test]
fn a_bound_reads_in_words_and_its_band_stays_true() {
    let rows = [egfr(60.0, Some(">="), 10)];
    let rows: Vec<&observation::Model> = rows.iter().collect();
    let s = summarise(&person(), at(2).date_naive(), &rows, &[]).unwrap();
    assert_eq!(s.latest.text, "60 mL/min/1.73m² or more");
    assert_eq!(s.latest.bound, Some(Bound::AtLeast));
    assert_eq!(
        s.assessment.unwrap().band,
        "G1 or G2: normal or mildly reduced"
    );
}

#[test]
fn a_converted_value_says_what_the_lab_sent() {
    let converted = observation::Model {
        value_num: Some(43.0),
        original_value: Some("6.1".into()),
        original_unit: Some("%".into()),
        corrected_at: None,
        ..result(at(1))
    };
    let p = point(&converted, "mmol/mol", chrono_tz::Europe::London);
    assert_eq!(p.shown(), "43 mmol/mol (converted from 6.1 %)");
    assert_eq!(p.text, "43 mmol/mol", "the value alone, for sentences");
    let bound = observation::Model {
        value_num: Some(3.4),
        comparator: Some("<".into()),
        original_value: Some("30".into()),
        original_unit: Some("mg/g".into()),
        ..converted.clone()
    };
    assert_eq!(
        point(&bound, "mg/mmol", chrono_tz::Europe::London).shown(),
        "less than 3.4 mg/mmol (converted from less than 30 mg/g)"
    );
    let signed = observation::Model {
        comparator: None,
        original_value: Some(">=30".into()),
        ..bound
    };
    assert_eq!(
        point(&signed, "mg/mmol", chrono_tz::Europe::London)
            .converted
            .as_deref(),
        Some("converted from 30 mg/g or more")
    );
}

#[test]
fn a_result_dated_by_its_report_says_reported_on() {
    let reported = observation::Model {
        dated_by: "reported".into(),
        corrected_at: None,
        ..result(at(1))
    };
    let p = point(&reported, "mmol/mol", chrono_tz::Europe::London);
    assert_eq!(p.when(), "reported on 1 December 2026");
    assert_eq!(p.dated(), "58 mmol/mol reported on 1 December 2026");
    let taken = point(&result(at(1)), "mmol/mol", chrono_tz::Europe::London);
    assert_eq!(taken.when(), "on 1 December 2026");
}

#[test]
fn a_corrected_result_says_when_in_the_persons_time_zone() {
    let late = observation::Model {
        // 23:30 on 31 July in London is already 1 August there, not 31 July as in UTC.
        corrected_at: Some(
            chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 7, 31, 23, 30, 0).unwrap(),
        ),
        ..result(at(1))
    };
    let p = point(&late, "mmol/mol", chrono_tz::Europe::London);
    assert_eq!(
        p.correction().as_deref(),
        Some("Corrected on 1 August 2026.")
    );
    let with_earlier = Point {
        earlier: vec![crate::results::Earlier {
            text: "64 mmol/mol".into(),
            until: "1 August 2026".into(),
        }],
        ..p
    };
    assert_eq!(
        with_earlier.correction().as_deref(),
        Some("Corrected on 1 August 2026: it was 64 mmol/mol before.")
    );
    let twice = Point {
        earlier: vec![
            crate::results::Earlier {
                text: "64 mmol/mol".into(),
                until: "30 July 2026".into(),
            },
            crate::results::Earlier {
                text: "61 mmol/mol".into(),
                until: "1 August 2026".into(),
            },
        ],
        ..with_earlier.clone()
    };
    assert_eq!(
        twice.correction().as_deref(),
        Some(
            "Corrected on 1 August 2026. It was 64 mmol/mol until corrected on 30 July 2026, then 61 mmol/mol until corrected on 1 August 2026."
        )
    );
    assert_eq!(
        point(&egfr(60.0, None, 1), "", chrono_tz::Europe::London).correction(),
        None
    );
}
