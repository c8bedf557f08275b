use super::*;

fn flash() -> Flash {
    Flash {
        form: Some("goal".into()),
        values: BTreeMap::from([
            ("title".to_owned(), "What I typed".to_owned()),
            ("conditions_copd".to_owned(), "on".to_owned()),
        ]),
        errors: BTreeMap::from([("title".to_owned(), vec!["Enter your goal".to_owned()])]),
        notice: None,
    }
}

#[test]
fn answers_and_errors_go_back_only_to_the_form_they_came_from() {
    let goal = FormState::new("goal", &flash());
    assert_eq!(goal.value("title", "saved"), "What I typed");
    assert_eq!(goal.errors("title"), ["Enter your goal"]);
    assert_eq!(goal.field_id("title"), "goal-title");
    let other = FormState::new("action", &flash());
    assert_eq!(other.value("title", "saved"), "saved");
    assert!(other.errors("title").is_empty());
}

#[test]
fn a_returned_form_shows_exactly_the_boxes_that_were_ticked() {
    let goal = FormState::new("goal", &flash());
    assert!(goal.chosen("conditions", "copd", false));
    assert!(
        !goal.chosen("conditions", "asthma", true),
        "unticked although saved"
    );
    let fresh = FormState::new("goal", &Flash::default());
    assert!(
        fresh.chosen("conditions", "asthma", true),
        "the saved choice"
    );
}

mod local_path_tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_followed() {
        for ok in [
            "/today",
            "/plan/goals/1?x=2",
            "/results#hba1c",
            "/plan/caf%C3%A9",
        ] {
            assert_eq!(local_path(ok, "/d"), ok);
        }
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\tevil",
            "/\u{9}/evil.example",
            "/\n/evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "https://evil.example/",
            "javascript:alert(1)",
            "evil",
            "/a b",
            "",
        ] {
            assert_eq!(local_path(bad, "/d"), "/d", "{bad:?}");
        }
    }
}
