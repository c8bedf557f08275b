//! Time comes from here. Domain code asks a `Clock`; tests hand in a `ManualClock` they move.
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync + std::fmt::Debug {
    fn now(&self) -> DateTime<Utc>;
}

#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until a test moves it.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub type SharedClock = Arc<dyn Clock>;

/// The date in a person's own time zone (Europe/London unless they chose another, or theirs is
/// not a zone we know).
#[cfg(feature = "ssr")]
pub fn today_in(time_zone: &str, now: DateTime<Utc>) -> chrono::NaiveDate {
    now.with_timezone(&zone(time_zone)).date_naive()
}

/// A time zone as a form sends it, by its IANA name ("Europe/London"). A `chrono_tz::Tz` is
/// made only by parsing, so one is a real zone by construction: this is the one place a name
/// becomes one, with the message shown beside the field.
#[cfg(feature = "ssr")]
pub fn parse_zone(name: &str) -> Result<chrono_tz::Tz, &'static str> {
    name.trim()
        .parse()
        .map_err(|_| "Choose your time zone from the list")
}

/// A stored time zone; Europe/London, where the service runs, for a name that is not a zone.
#[cfg(feature = "ssr")]
pub fn zone(time_zone: &str) -> chrono_tz::Tz {
    parse_zone(time_zone).unwrap_or(HOME)
}

/// Where the service runs: the time zone of anyone who has not chosen one.
#[cfg(feature = "ssr")]
pub const HOME: chrono_tz::Tz = chrono_tz::Europe::London;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::parse_from_rfc3339("2026-03-29T00:30:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(chrono::Duration::hours(1));
        assert_eq!(clock.now(), start + chrono::Duration::hours(1));
    }
}
