//! Dates as people and systems write them, none in the future or too long ago.
use super::*;

pub(super) enum When {
    Day(NaiveDate),
    At(DateTime<Utc>),
}

pub(super) fn read_when(raw: &str) -> Option<When> {
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(When::At(at.with_timezone(&Utc)));
    }
    for format in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(day) = NaiveDate::parse_from_str(raw, format) {
            // "3/11/26" parses as the year 26; refuse it as unreadable rather than as 2000 years
            // old, which would puzzle whoever typed it.
            return (day > year_1900()).then_some(When::Day(day));
        }
    }
    // A time with no offset is UK local time, as the person typing it meant.
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(local) = NaiveDateTime::parse_from_str(raw, format) {
            if local.date() <= year_1900() {
                return None;
            }
            // In the autumn hour that happens twice, take the first; the spring hour that never
            // happens cannot be a real time.
            return local
                .and_local_timezone(London)
                .earliest()
                .map(|at| When::At(at.with_timezone(&Utc)));
        }
    }
    None
}

pub(super) fn year_1900() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}
