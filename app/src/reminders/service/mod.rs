//! Reminders on the server: an account's choices and devices, and the schedule. `sync_patient`
//! works out every reminder a person's situation calls for (their next review, its pack, their
//! actions, who may be reminded) and makes the queue match, so each change that affects
//! reminders only has to call it (or record an event it reacts to) in its own transaction.
//!
//! `choices` (what an account wants, and the page that shows it), `devices` (devices, the test
//! reminder, security notices, opening a reminder), `sync` (the schedule and the queue).
use std::collections::{BTreeMap, HashMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, QueryOrder as _, Set,
};
use tower_sessions::Session;
use uuid::Uuid;

use super::queue::{CANCELLED, RETRYING, SCHEDULED};
use super::schedule::{Quiet, after_quiet, at_local, end_of_day, local_day, next_slot};
use super::{
    ChoicesForm, ChoicesView, DeviceForm, DeviceView, MAX_ACTION_TIMES, OpenView, RemindersView,
};
use crate::access::{self, Actor, Permission, Subject};
use crate::auth::audit::{self, Entry};
use crate::entities::{
    carer_grant, patient, plan_action, preparation_pack, push_subscription, reminder_job,
    reminder_preference, review,
};
use crate::error::AppError;
use crate::state::AppState;

const MAX_DEVICES: u64 = 10;
/// "Your review is tomorrow" goes out at this time the evening before, on the recipient's clock.
const REVIEW_EVE: (u32, u32) = (18, 0);
/// "You have not answered the questions" goes out at this time of day.
const AGENDA_AT: (u32, u32) = (10, 0);
/// "Your preparation is ready" is news only for this long after the pack goes out.
const PACK_READY_FRESH: Duration = Duration::days(1);

fn hm((h, m): (u32, u32)) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap_or(NaiveTime::MIN)
}

mod choices;
mod devices;
mod sync;

pub use choices::*;
pub use devices::*;
pub use sync::*;

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> ChoicesForm {
        ChoicesForm {
            kind_pack_ready: Some("on".into()),
            kind_agenda_due: None,
            kind_review_tomorrow: Some("on".into()),
            kind_actions: Some("on".into()),
            agenda_days: "3".into(),
            time_1: "18:30".into(),
            time_2: "08:00".into(),
            time_3: String::new(),
            quiet_from: "22:00".into(),
            quiet_until: "07:00".into(),
            time_zone: "Europe/London".into(),
        }
    }

    #[test]
    fn good_choices_are_read_in_order() {
        let p = check_choices(&form()).unwrap();
        assert!(p.pack_ready && !p.agenda_due && p.review_tomorrow && p.actions);
        assert_eq!(p.action_times, vec![hm((8, 0)), hm((18, 30))]);
        assert_eq!(
            p.quiet,
            Some(Quiet {
                from: hm((22, 0)),
                until: hm((7, 0))
            })
        );
    }

    #[test]
    fn every_problem_is_reported_beside_its_field() {
        let bad = ChoicesForm {
            agenda_days: "9".into(),
            time_1: "25:00".into(),
            time_2: "08:00".into(),
            time_3: "08:00".into(),
            quiet_from: "22:00".into(),
            quiet_until: String::new(),
            time_zone: "Mars/Olympus".into(),
            ..form()
        };
        let Err(AppError::Validation(errors)) = check_choices(&bad) else {
            panic!("refused");
        };
        let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            fields,
            [
                "agenda_days",
                "quiet_until",
                "time_1",
                "time_3",
                "time_zone"
            ]
        );
        assert_eq!(errors["time_3"], ["You have chosen 08:00 already"]);
    }

    #[test]
    fn an_action_time_in_quiet_hours_is_refused() {
        let bad = ChoicesForm {
            time_1: "23:00".into(),
            ..form()
        };
        let Err(AppError::Validation(errors)) = check_choices(&bad) else {
            panic!("refused");
        };
        assert!(errors["time_1"][0].starts_with("23:00 is in your quiet hours (22:00 to 07:00)"));
    }

    #[test]
    fn action_reminders_need_a_time() {
        let bad = ChoicesForm {
            time_1: String::new(),
            time_2: String::new(),
            ..form()
        };
        assert!(check_choices(&bad).is_err());
        let off = ChoicesForm {
            kind_actions: None,
            ..bad
        };
        assert!(check_choices(&off).is_ok());
    }

    #[test]
    fn only_real_push_keys_are_kept() {
        let key = URL_SAFE_NO_PAD.encode([4u8; 65]);
        let auth = URL_SAFE_NO_PAD.encode([1u8; 16]);
        assert!(check_keys(&key, &auth));
        assert!(!check_keys(&URL_SAFE_NO_PAD.encode([4u8; 33]), &auth));
        assert!(!check_keys(&key, "short"));
    }
}
