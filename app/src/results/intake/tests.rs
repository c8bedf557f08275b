use chrono::{NaiveDate, TimeZone as _};

use super::*;
use crate::results::import::Claimed;

fn at(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, 9, 30, 0).unwrap()
}

fn hba1c(value: f64, day: u32, status: Status, identifier: Option<&str>) -> Incoming {
    Incoming {
        place: "Entry 1".into(),
        nhs_number: "9434765919".into(),
        code: "hba1c",
        value_num: Some(value),
        unit: Some("mmol/mol".into()),
        taken_at: at(day),
        status,
        identifier: identifier.map(str::to_owned),
        ..Incoming::default()
    }
}

fn stored(person: Uuid, r: &Incoming) -> observation::Model {
    new_model(Uuid::new_v4(), person, r, at(30))
}

fn kinds(steps: &[Step]) -> Vec<&'static str> {
    steps
        .iter()
        .map(|s| match s {
            Step::Insert { .. } => "insert",
            Step::Already => "already",
            Step::Replace { .. } => "replace",
            Step::Remove { .. } => "remove",
            Step::Skip(_) => "skip",
        })
        .collect()
}

#[test]
fn the_same_result_again_changes_nothing_by_identifier_or_by_kind_time_and_value() {
    let ann = Uuid::new_v4();
    let with_id = hba1c(52.0, 3, Status::Final, Some("lab|1"));
    let without = hba1c(48.0, 4, Status::Final, None);
    let existing = vec![stored(ann, &with_id), stored(ann, &without)];
    let steps = decide(&[(ann, with_id), (ann, without)], existing).unwrap();
    assert_eq!(kinds(&steps), ["already", "already"]);
}

#[test]
fn an_amended_result_replaces_the_one_with_its_identifier_and_keeps_the_old_value() {
    let ann = Uuid::new_v4();
    let first = hba1c(64.0, 3, Status::Final, Some("lab|1"));
    let before = stored(ann, &first);
    let amended = hba1c(46.0, 3, Status::Amended, Some("lab|1"));
    let steps = decide(&[(ann, amended)], vec![before.clone()]).unwrap();
    match &steps[..] {
        [Step::Replace { before: was, .. }] => {
            assert_eq!((was.id, was.value_num), (before.id, Some(64.0)))
        }
        other => panic!("expected one replacement, got {other:?}"),
    }
}

#[test]
fn a_correction_without_an_identifier_replaces_the_same_kind_at_the_same_specimen_time() {
    let ann = Uuid::new_v4();
    let before = stored(ann, &hba1c(64.0, 3, Status::Final, None));
    let other_day = stored(ann, &hba1c(60.0, 1, Status::Final, None));
    let corrected = hba1c(46.0, 3, Status::Corrected, None);
    let steps = decide(&[(ann, corrected)], vec![other_day, before.clone()]).unwrap();
    match &steps[..] {
        [Step::Replace { before: was, .. }] => assert_eq!(was.id, before.id),
        other => panic!("expected the 3rd's result replaced, got {other:?}"),
    }
}

#[test]
fn a_final_result_with_a_different_value_for_a_test_already_here_refuses_the_file() {
    let ann = Uuid::new_v4();
    let before = stored(ann, &hba1c(64.0, 3, Status::Final, Some("lab|1")));
    let clash = hba1c(46.0, 3, Status::Final, Some("lab|1"));
    let problems = decide(&[(ann, clash)], vec![before]).unwrap_err();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("64 mmol/mol")
            && problems[0].message.contains("amended or corrected"),
        "{problems:?}"
    );
}

#[test]
fn the_original_arriving_after_its_correction_is_left_out_as_older() {
    let ann = Uuid::new_v4();
    let mut corrected = stored(ann, &hba1c(46.0, 3, Status::Amended, Some("lab|1")));
    corrected.status = "amended".into();
    let original = hba1c(64.0, 3, Status::Final, Some("lab|1"));
    let steps = decide(&[(ann, original)], vec![corrected]).unwrap();
    match &steps[..] {
        [Step::Skip(s)] => assert!(s.why.contains("corrected"), "{s:?}"),
        other => panic!("expected it left out, got {other:?}"),
    }
}

#[test]
fn entered_in_error_removes_the_result_and_is_listed_when_there_is_nothing_to_remove() {
    let ann = Uuid::new_v4();
    let before = stored(ann, &hba1c(64.0, 3, Status::Final, Some("lab|1")));
    let withdrawn = Incoming {
        value_num: None,
        ..hba1c(0.0, 3, Status::EnteredInError, Some("lab|1"))
    };
    let unknown = Incoming {
        value_num: None,
        ..hba1c(0.0, 5, Status::EnteredInError, Some("lab|9"))
    };
    let steps = decide(&[(ann, withdrawn), (ann, unknown)], vec![before.clone()]).unwrap();
    assert_eq!(kinds(&steps), ["remove", "skip"]);
    let Step::Remove { before: was, .. } = &steps[0] else {
        unreachable!()
    };
    assert_eq!(was.id, before.id);
}

#[test]
fn a_result_and_its_amendment_in_one_file_leave_one_live_value() {
    let ann = Uuid::new_v4();
    let steps = decide(
        &[
            (ann, hba1c(64.0, 3, Status::Final, Some("lab|1"))),
            (ann, hba1c(46.0, 3, Status::Amended, Some("lab|1"))),
            // The same file sent twice over: nothing more.
            (ann, hba1c(46.0, 3, Status::Amended, Some("lab|1"))),
        ],
        Vec::new(),
    )
    .unwrap();
    assert_eq!(kinds(&steps), ["insert", "replace", "already"]);
}

#[test]
fn two_tests_with_different_identifiers_at_the_same_time_are_both_kept() {
    let ann = Uuid::new_v4();
    let steps = decide(
        &[
            (ann, hba1c(64.0, 3, Status::Final, Some("lab|1"))),
            (ann, hba1c(62.0, 3, Status::Final, Some("lab|2"))),
        ],
        Vec::new(),
    )
    .unwrap();
    assert_eq!(kinds(&steps), ["insert", "insert"]);
}

#[test]
fn two_results_of_one_kind_on_one_day_without_identifiers_are_both_kept_and_not_doubled_again() {
    let ann = Uuid::new_v4();
    let file = [
        (ann, hba1c(52.0, 3, Status::Final, None)),
        (ann, hba1c(55.0, 3, Status::Final, None)),
    ];
    let first = decide(&file, Vec::new()).unwrap();
    assert_eq!(kinds(&first), ["insert", "insert"]);
    let stored_now = file.iter().map(|(p, r)| stored(*p, r)).collect();
    assert_eq!(
        kinds(&decide(&file, stored_now).unwrap()),
        ["already", "already"]
    );
}

#[test]
fn one_persons_result_never_matches_anothers() {
    let (ann, bob) = (Uuid::new_v4(), Uuid::new_v4());
    let anns = stored(ann, &hba1c(64.0, 3, Status::Final, Some("lab|1")));
    let steps = decide(
        &[(bob, hba1c(46.0, 3, Status::Amended, Some("lab|1")))],
        vec![anns],
    )
    .unwrap();
    assert_eq!(kinds(&steps), ["insert"]);
}

fn person(born: (i32, u32, u32), family: &str) -> patient::Model {
    patient::Model {
        id: Uuid::new_v4(),
        account_id: None,
        organisation_id: Uuid::new_v4(),
        given_name: "Ann".into(),
        family_name: family.into(),
        date_of_birth: NaiveDate::from_ymd_opt(born.0, born.1, born.2).unwrap(),
        nhs_number: "9434765919".into(),
        phone: None,
        email: None,
        time_zone: "Europe/London".into(),
        created_at: at(1),
        data_version: 0,
    }
}

#[test]
fn a_file_that_gives_another_date_of_birth_or_family_name_is_someone_else() {
    let ann = person((1950, 3, 1), "O'Neill");
    let claim = |birth: Option<(i32, u32, u32)>, family: Option<&str>| Incoming {
        claimed: Claimed {
            birth_date: birth.and_then(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d)),
            family_name: family.map(str::to_owned),
        },
        ..hba1c(52.0, 3, Status::Final, None)
    };
    assert_eq!(someone_else(&ann, &claim(None, None)), None);
    assert_eq!(
        someone_else(&ann, &claim(Some((1950, 3, 1)), Some(" o'neill "))),
        None,
        "case and spaces do not matter"
    );
    let born = someone_else(&ann, &claim(Some((1951, 3, 1)), None)).unwrap();
    assert!(
        born.contains("belongs to someone else here") && born.contains("date of birth"),
        "{born}"
    );
    assert!(
        !born.contains("1950"),
        "our record is not disclosed: {born}"
    );
    let family = someone_else(&ann, &claim(None, Some("Smith"))).unwrap();
    assert!(family.contains("family name"), "{family}");
}
