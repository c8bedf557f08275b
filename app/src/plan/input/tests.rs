use super::*;

fn action_form() -> ActionForm {
    ActionForm {
        goal: String::new(),
        what: "Walk to the post office and back".into(),
        who_kind: "me".into(),
        who_name: String::new(),
        frequency: "weekly".into(),
        times_per_week: "3".into(),
        due_by: String::new(),
        time_of_day: "morning".into(),
        confidence: "7".into(),
        status: "in_progress".into(),
        rest: BTreeMap::new(),
    }
}

#[test]
fn a_goal_needs_words_and_an_importance_from_1_to_10() {
    let raw = GoalForm {
        title: "   ".into(),
        importance: "11".into(),
        status: "in_progress".into(),
        ..Default::default()
    };
    let Err(AppError::Validation(errors)) = Goal::parse(&raw, &[]) else {
        panic!("expected validation errors");
    };
    assert_eq!(errors["title"], ["Enter your goal"]);
    assert_eq!(
        errors["importance"],
        ["Choose how important it is from 1 to 10"]
    );
}

#[test]
fn a_goal_can_only_link_the_persons_own_conditions() {
    let raw = GoalForm {
        title: "Keep my feet healthy".into(),
        importance: "8".into(),
        status: "not_started".into(),
        rest: BTreeMap::from([("conditions_copd".to_owned(), "on".to_owned())]),
        ..Default::default()
    };
    let mine = [("type2_diabetes".to_owned(), "Type 2 diabetes".to_owned())];
    assert!(Goal::parse(&raw, &mine).is_err());
    let ok = GoalForm {
        rest: BTreeMap::from([("conditions_type2_diabetes".to_owned(), "on".to_owned())]),
        ..raw
    };
    assert_eq!(
        Goal::parse(&ok, &mine).unwrap().conditions,
        ["type2_diabetes"]
    );
}

#[test]
fn long_text_over_the_limit_is_refused() {
    let raw = AboutMe {
        what_matters: "a".repeat(LONG_TEXT + 1),
        ..Default::default()
    };
    let err = AboutMe::parse(&raw).unwrap_err();
    assert!(err.messages_for("what_matters")[0].contains("2000 characters or fewer"));
}

#[test]
fn an_action_for_a_professional_needs_their_name() {
    let raw = ActionForm {
        who_kind: "professional".into(),
        ..action_form()
    };
    assert_eq!(
        Action::parse(&raw).unwrap_err().messages_for("who_name"),
        ["Enter their name"]
    );
}

#[test]
fn weekly_actions_need_1_to_7_times_and_chosen_days_need_a_day() {
    let raw = ActionForm {
        times_per_week: "0".into(),
        ..action_form()
    };
    assert!(
        !Action::parse(&raw)
            .unwrap_err()
            .messages_for("times_per_week")
            .is_empty()
    );
    let raw = ActionForm {
        frequency: "weekdays".into(),
        ..action_form()
    };
    assert_eq!(
        Action::parse(&raw).unwrap_err().messages_for("weekdays"),
        ["Choose at least one day"]
    );
    let raw = ActionForm {
        frequency: "weekdays".into(),
        rest: BTreeMap::from([
            ("weekdays_mon".to_owned(), "on".to_owned()),
            ("weekdays_fri".to_owned(), "on".to_owned()),
        ]),
        ..action_form()
    };
    assert_eq!(Action::parse(&raw).unwrap().frequency_parts().2, "mon fri");
}

#[test]
fn confidence_runs_from_0_to_10() {
    assert_eq!(
        Action::parse(&ActionForm {
            confidence: "0".into(),
            ..action_form()
        })
        .unwrap()
        .confidence
        .get(),
        0
    );
    for wrong in ["eleven", "11", "-1", ""] {
        assert_eq!(
            Action::parse(&ActionForm {
                confidence: wrong.into(),
                ..action_form()
            })
            .unwrap_err()
            .messages_for("confidence"),
            ["Choose how confident you feel from 0 to 10".to_owned()],
            "{wrong:?}"
        );
    }
}

#[test]
fn scores_and_titles_are_made_only_by_parsing_and_keep_their_rules() {
    assert_eq!(Importance::parse(" 10 ").map(Importance::get), Ok(10));
    assert!(Importance::parse("0").is_err(), "importance starts at 1");
    assert_eq!(Confidence::parse("0").map(Confidence::get), Ok(0));
    assert_eq!(
        GoalTitle::parse("  Walk to the shops  ").map(|t| t.to_string()),
        Ok("Walk to the shops".to_owned())
    );
    assert_eq!(
        GoalTitle::parse("   "),
        Err("Enter your goal".to_owned()),
        "blank is no title"
    );
    assert!(GoalTitle::parse(&"a".repeat(SHORT_TEXT + 1)).is_err());
    assert!(
        GoalTitle::parse(&"é".repeat(SHORT_TEXT)).is_ok(),
        "counted in characters"
    );
}

#[test]
fn phone_numbers_are_checked_and_tel_links_keep_only_digits() {
    let bad = Contact {
        name: "GP".into(),
        role: String::new(),
        phone: "call me".into(),
    };
    assert!(Contact::parse(&bad).is_err());
    let ok = Contact::parse(&Contact {
        phone: "+44 (0)1632 960001".into(),
        ..bad
    })
    .unwrap();
    assert_eq!(ok.tel(), "+4401632960001");
}

#[test]
fn history_lists_only_the_fields_that_changed() {
    let before = Action::parse(&action_form()).unwrap();
    let after = Action::parse(&ActionForm {
        confidence: "9".into(),
        ..action_form()
    })
    .unwrap();
    let changes = diff(Some(&before), &after);
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].field, "Confidence");
    assert_eq!(
        (changes[0].before.as_str(), changes[0].after.as_str()),
        ("7 out of 10", "9 out of 10")
    );
}
