//! When reminders go out, as pure functions: a time on the recipient's own clock turned into an
//! instant (right across the clocks changing), quiet hours, the next action slot, and how long
//! to wait before trying a push service again.
use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone as _, Utc};
use chrono_tz::Tz;

/// Hours when no reminder goes out, on the recipient's clock. `from` after `until` wraps past
/// midnight (21:00 to 08:00).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quiet {
    pub from: NaiveTime,
    pub until: NaiveTime,
}

impl Quiet {
    pub fn contains(&self, t: NaiveTime) -> bool {
        if self.from <= self.until {
            self.from <= t && t < self.until
        } else {
            t >= self.from || t < self.until
        }
    }
}

/// The instant `time` happens on `day` in `tz`. When the clocks go back and it happens twice,
/// the first; when they go forward and it does not happen at all, as long after the jump as it
/// would have been after the hour before (01:30 on the night 01:00 becomes 02:00 is 02:30).
pub fn at_local(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = day.and_time(time);
    for shift in [0, 1, 2] {
        match tz.from_local_datetime(&(naive + Duration::hours(shift))) {
            LocalResult::Single(t) => return t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => return first.with_timezone(&Utc),
            LocalResult::None => {}
        }
    }
    // No zone skips more than two hours; read it as UTC rather than fail.
    naive.and_utc()
}

/// Today's date on the recipient's clock.
pub fn local_day(tz: Tz, at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&tz).date_naive()
}

/// `at`, or the end of the quiet hours it falls in.
pub fn after_quiet(tz: Tz, quiet: Option<Quiet>, at: DateTime<Utc>) -> DateTime<Utc> {
    let Some(q) = quiet else {
        return at;
    };
    let local = at.with_timezone(&tz);
    if !q.contains(local.time()) {
        return at;
    }
    let day = local.date_naive();
    let end = at_local(tz, day, q.until);
    if end > at {
        end
    } else {
        at_local(tz, day + Duration::days(1), q.until)
    }
}

/// The first of `times` (on the recipient's clock) strictly after `after`.
pub fn next_slot(tz: Tz, times: &[NaiveTime], after: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let today = local_day(tz, after);
    (0..3)
        .flat_map(|d| {
            let day = today + Duration::days(d);
            times.iter().map(move |t| at_local(tz, day, *t))
        })
        .filter(|t| *t > after)
        .min()
}

/// The start of the next day on the recipient's clock: an action reminder is no use after it.
pub fn end_of_day(tz: Tz, at: DateTime<Utc>) -> DateTime<Utc> {
    at_local(tz, local_day(tz, at) + Duration::days(1), NaiveTime::MIN)
}

/// The first retry waits about this long; each one after twice as long, up to `MAX_BACKOFF`.
pub const FIRST_BACKOFF: Duration = Duration::seconds(30);
pub const MAX_BACKOFF: Duration = Duration::hours(1);
/// A push service may ask us to wait; we wait at most a day.
pub const MAX_RETRY_AFTER: Duration = Duration::days(1);

/// How long to wait before attempt `attempt + 1`, after `attempt` failed (1 for the first).
/// With no word from the service: exponential backoff, spread by `jitter` (0 to 1) between half
/// and one and a half times, so many retries do not arrive at once. When the service said
/// `Retry-After`, that long, and up to a tenth more.
pub fn retry_delay(attempt: u32, retry_after: Option<Duration>, jitter: f64) -> Duration {
    let jitter = jitter.clamp(0.0, 1.0);
    let millis = |d: Duration| d.num_milliseconds() as f64;
    if let Some(asked) = retry_after {
        let asked = asked.clamp(Duration::zero(), MAX_RETRY_AFTER);
        return asked + Duration::milliseconds((millis(asked) * 0.1 * jitter) as i64);
    }
    let doublings = attempt.saturating_sub(1).min(20);
    let base = (millis(FIRST_BACKOFF) * f64::from(1u32 << doublings)).min(millis(MAX_BACKOFF));
    Duration::milliseconds((base * (0.5 + jitter)) as i64)
}

/// A `Retry-After` header: a number of seconds, or an HTTP date.
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<i64>() {
        return (seconds >= 0).then(|| Duration::seconds(seconds));
    }
    DateTime::parse_from_rfc2822(value)
        .ok()
        .map(|at| (at.with_timezone(&Utc) - now).max(Duration::zero()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONDON: Tz = chrono_tz::Europe::London;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_nine_oclock_reminder_stays_at_nine_on_the_clock_when_the_clocks_go_forward() {
        let times = [hm(9, 0)];
        // Saturday 28 March 2026, after 9 am GMT: the next is Sunday 9 am BST (08:00 UTC).
        let next = next_slot(LONDON, &times, utc("2026-03-28T09:30:00Z")).unwrap();
        assert_eq!(next, utc("2026-03-29T08:00:00Z"));
        assert_eq!(
            next_slot(LONDON, &times, utc("2026-03-28T08:00:00Z")),
            Some(utc("2026-03-28T09:00:00Z"))
        );
    }

    #[test]
    fn a_nine_oclock_reminder_stays_at_nine_on_the_clock_when_the_clocks_go_back() {
        let times = [hm(9, 0)];
        let next = next_slot(LONDON, &times, utc("2026-10-24T08:30:00Z")).unwrap();
        assert_eq!(
            next,
            utc("2026-10-25T09:00:00Z"),
            "9 am GMT on Sunday 25 October"
        );
        assert_eq!(
            next_slot(LONDON, &times, utc("2026-10-24T07:30:00Z")),
            Some(utc("2026-10-24T08:00:00Z")),
            "9 am BST on the Saturday"
        );
    }

    #[test]
    fn a_time_the_clocks_skip_comes_as_long_after_the_jump() {
        assert_eq!(
            at_local(LONDON, day(2026, 3, 29), hm(1, 30)),
            utc("2026-03-29T01:30:00Z")
        );
    }

    #[test]
    fn a_time_that_happens_twice_means_the_first() {
        assert_eq!(
            at_local(LONDON, day(2026, 10, 25), hm(1, 30)),
            utc("2026-10-25T00:30:00Z")
        );
    }

    #[test]
    fn several_times_a_day_come_in_order_and_the_next_day_follows_the_last() {
        let times = [hm(18, 0), hm(8, 0)];
        assert_eq!(
            next_slot(LONDON, &times, utc("2026-12-02T07:00:00Z")),
            Some(utc("2026-12-02T08:00:00Z"))
        );
        assert_eq!(
            next_slot(LONDON, &times, utc("2026-12-02T08:00:00Z")),
            Some(utc("2026-12-02T18:00:00Z"))
        );
        assert_eq!(
            next_slot(LONDON, &times, utc("2026-12-02T18:00:00Z")),
            Some(utc("2026-12-03T08:00:00Z"))
        );
        assert_eq!(next_slot(LONDON, &[], utc("2026-12-02T18:00:00Z")), None);
    }

    #[test]
    fn quiet_hours_over_midnight_hold_a_reminder_until_they_end() {
        let q = Some(Quiet {
            from: hm(21, 0),
            until: hm(8, 0),
        });
        // 23:30 in December (GMT) waits until 8 the next morning.
        assert_eq!(
            after_quiet(LONDON, q, utc("2026-12-02T23:30:00Z")),
            utc("2026-12-03T08:00:00Z")
        );
        // 06:59 waits a minute; 08:00 and 20:59 go at once.
        assert_eq!(
            after_quiet(LONDON, q, utc("2026-12-03T06:59:00Z")),
            utc("2026-12-03T08:00:00Z")
        );
        assert_eq!(
            after_quiet(LONDON, q, utc("2026-12-03T08:00:00Z")),
            utc("2026-12-03T08:00:00Z")
        );
        assert_eq!(
            after_quiet(LONDON, q, utc("2026-12-03T20:59:00Z")),
            utc("2026-12-03T20:59:00Z")
        );
        assert_eq!(
            after_quiet(LONDON, None, utc("2026-12-03T23:00:00Z")),
            utc("2026-12-03T23:00:00Z")
        );
    }

    #[test]
    fn quiet_hours_end_on_the_clock_on_the_night_the_clocks_go_forward() {
        let q = Some(Quiet {
            from: hm(22, 0),
            until: hm(7, 0),
        });
        // 23:00 GMT on Saturday 28 March: quiet until 7 am BST, which is 06:00 UTC.
        assert_eq!(
            after_quiet(LONDON, q, utc("2026-03-28T23:00:00Z")),
            utc("2026-03-29T06:00:00Z")
        );
    }

    #[test]
    fn quiet_hours_within_one_day_work_too() {
        let q = Quiet {
            from: hm(13, 0),
            until: hm(14, 0),
        };
        assert!(q.contains(hm(13, 0)) && q.contains(hm(13, 59)));
        assert!(!q.contains(hm(14, 0)) && !q.contains(hm(12, 59)));
    }

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_an_hour() {
        assert_eq!(retry_delay(1, None, 0.5), Duration::seconds(30));
        assert_eq!(retry_delay(2, None, 0.5), Duration::seconds(60));
        assert_eq!(retry_delay(3, None, 0.5), Duration::seconds(120));
        assert_eq!(retry_delay(1, None, 0.0), Duration::seconds(15));
        assert_eq!(retry_delay(1, None, 1.0), Duration::seconds(45));
        assert_eq!(retry_delay(30, None, 0.5), Duration::hours(1));
    }

    #[test]
    fn a_retry_after_from_the_push_service_is_honoured() {
        assert_eq!(
            retry_delay(1, Some(Duration::seconds(120)), 0.0),
            Duration::seconds(120)
        );
        assert_eq!(
            retry_delay(4, Some(Duration::seconds(120)), 1.0),
            Duration::seconds(132)
        );
        assert_eq!(
            retry_delay(1, Some(Duration::days(9)), 0.0),
            Duration::days(1)
        );
        let now = utc("2026-12-02T10:00:00Z");
        assert_eq!(parse_retry_after("120", now), Some(Duration::seconds(120)));
        assert_eq!(
            parse_retry_after("Wed, 02 Dec 2026 10:05:00 GMT", now),
            Some(Duration::minutes(5))
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn an_action_reminder_goes_stale_at_midnight_on_the_clock() {
        assert_eq!(
            end_of_day(LONDON, utc("2026-07-01T08:00:00Z")),
            utc("2026-07-01T23:00:00Z")
        );
        assert_eq!(
            end_of_day(LONDON, utc("2026-12-01T08:00:00Z")),
            utc("2026-12-02T00:00:00Z")
        );
    }
}
