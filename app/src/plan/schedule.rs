//! When an action is due, and what its logs add up to: the 8-week picture, the current streak
//! and a goal's progress. Pure functions over dates, so they are tested without a database.
use chrono::{Datelike as _, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// How often an action is meant to happen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frequency {
    Daily,
    /// n times in each week (Monday to Sunday), on whichever days suit.
    TimesPerWeek(u32),
    /// On the chosen days of the week.
    Weekdays(Vec<Weekday>),
    /// Once, by a date.
    Once {
        by: NaiveDate,
    },
}

pub const WEEKDAYS: [(Weekday, &str, &str); 7] = [
    (Weekday::Mon, "mon", "Monday"),
    (Weekday::Tue, "tue", "Tuesday"),
    (Weekday::Wed, "wed", "Wednesday"),
    (Weekday::Thu, "thu", "Thursday"),
    (Weekday::Fri, "fri", "Friday"),
    (Weekday::Sat, "sat", "Saturday"),
    (Weekday::Sun, "sun", "Sunday"),
];

pub fn weekday_code(day: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(d, _, _)| *d == day)
        .map(|(_, code, _)| *code)
        .unwrap_or("mon")
}

pub fn parse_weekdays(codes: &str) -> Vec<Weekday> {
    codes
        .split_whitespace()
        .filter_map(|c| {
            WEEKDAYS
                .iter()
                .find(|(_, code, _)| *code == c)
                .map(|(d, _, _)| *d)
        })
        .collect()
}

impl Frequency {
    /// From the stored columns; `None` when they do not make sense together.
    pub fn from_parts(
        kind: &str,
        times: Option<i32>,
        weekdays: &str,
        due_by: Option<NaiveDate>,
    ) -> Option<Self> {
        match kind {
            "daily" => Some(Self::Daily),
            "weekly" => times
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| (1..=7).contains(n))
                .map(Self::TimesPerWeek),
            "weekdays" => {
                let days = parse_weekdays(weekdays);
                (!days.is_empty()).then_some(Self::Weekdays(days))
            }
            "once" => due_by.map(|by| Self::Once { by }),
            _ => None,
        }
    }

    /// Plain-English description, e.g. "3 times a week".
    pub fn describe(&self) -> String {
        match self {
            Self::Daily => "Every day".into(),
            Self::TimesPerWeek(1) => "Once a week".into(),
            Self::TimesPerWeek(2) => "Twice a week".into(),
            Self::TimesPerWeek(n) => format!("{n} times a week"),
            Self::Weekdays(days) => {
                let names: Vec<&str> = WEEKDAYS
                    .iter()
                    .filter(|(d, _, _)| days.contains(d))
                    .map(|(_, _, name)| *name)
                    .collect();
                format!("On {}", join_words(&names))
            }
            Self::Once { by } => format!("Once, by {}", long_date(*by)),
        }
    }

    /// How many times the action is planned in the week starting `monday`, counting only days
    /// from `starts_on` up to `today`: days still to come are not yet missed. A number of times
    /// a week, or a date to do it by, is planned for the whole week.
    pub fn planned_in_week(
        &self,
        monday: NaiveDate,
        starts_on: NaiveDate,
        today: NaiveDate,
    ) -> u32 {
        let days = week_days(monday);
        let so_far = |d: &&NaiveDate| **d >= starts_on && **d <= today;
        match self {
            Self::Daily => days.iter().filter(so_far).count() as u32,
            Self::TimesPerWeek(n) => {
                if days[6] < starts_on {
                    0
                } else {
                    *n
                }
            }
            Self::Weekdays(chosen) => days
                .iter()
                .filter(|d| so_far(d) && chosen.contains(&d.weekday()))
                .count() as u32,
            Self::Once { by } => u32::from(days.contains(by)),
        }
    }
}

/// What was recorded for a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome {
    Done,
    Partly,
    NotToday,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Self::Done => "done",
            Self::Partly => "partly",
            Self::NotToday => "not_today",
        }
    }
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "done" => Some(Self::Done),
            "partly" => Some(Self::Partly),
            "not_today" => Some(Self::NotToday),
            _ => None,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Self::Done => "Done",
            Self::Partly => "Partly done",
            Self::NotToday => "Not today",
        }
    }
    /// Did the person do it, at least in part?
    pub fn counts(self) -> bool {
        matches!(self, Self::Done | Self::Partly)
    }
}

pub fn monday_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

fn week_days(monday: NaiveDate) -> [NaiveDate; 7] {
    let mut days = [monday; 7];
    for (i, d) in days.iter_mut().enumerate() {
        *d = monday + Days::new(i as u64);
    }
    days
}

/// Is the action something to do on `day`? `logs` are this action's (day, outcome) pairs.
pub fn is_due(
    freq: &Frequency,
    starts_on: NaiveDate,
    day: NaiveDate,
    logs: &[(NaiveDate, Outcome)],
) -> bool {
    is_due_with(freq, starts_on, day, logs, None)
}

/// [`is_due`] from the last few weeks of logs and the action's read model (a one-off action
/// done before the carried day is not due again).
pub fn is_due_with(
    freq: &Frequency,
    starts_on: NaiveDate,
    day: NaiveDate,
    logs: &[(NaiveDate, Outcome)],
    carry: Option<Carry>,
) -> bool {
    if day < starts_on {
        return false;
    }
    let logged_that_day = logs.iter().any(|(d, _)| *d == day);
    match freq {
        Frequency::Daily => true,
        Frequency::Weekdays(days) => days.contains(&day.weekday()),
        Frequency::TimesPerWeek(n) => {
            // Due until the week's count is reached; a day already logged stays on the list
            // so it can be seen and undone.
            let monday = monday_of(day);
            let done_before = logs
                .iter()
                .filter(|(d, o)| *d >= monday && *d < day && o.counts())
                .count() as u32;
            logged_that_day || done_before < *n
        }
        Frequency::Once { .. } => {
            let done_earlier = logs.iter().any(|(d, o)| *d < day && *o == Outcome::Done)
                || carry.is_some_and(|c| c.count > 0 && c.through < day);
            !done_earlier
        }
    }
}

/// One week of the 8-week picture.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WeekSummary {
    pub monday: NaiveDate,
    pub planned: u32,
    pub done: u32,
    pub partly: u32,
}

/// The last `weeks` weeks, oldest first, ending with the week that holds `today`.
pub fn weekly_picture(
    freq: &Frequency,
    starts_on: NaiveDate,
    today: NaiveDate,
    logs: &[(NaiveDate, Outcome)],
    weeks: u32,
) -> Vec<WeekSummary> {
    let this_monday = monday_of(today);
    (0..weeks)
        .rev()
        .map(|back| {
            let monday = this_monday - Days::new(7 * u64::from(back));
            let sunday = monday + Days::new(6);
            let in_week = logs.iter().filter(|(d, _)| *d >= monday && *d <= sunday);
            let (mut done, mut partly) = (0, 0);
            for (_, outcome) in in_week {
                match outcome {
                    Outcome::Done => done += 1,
                    Outcome::Partly => partly += 1,
                    Outcome::NotToday => {}
                }
            }
            WeekSummary {
                monday,
                planned: freq.planned_in_week(monday, starts_on, today),
                done,
                partly,
            }
        })
        .collect()
}

/// The current streak, in the action's own unit: days for a daily action, Fridays for a
/// Friday-only one, planned days for chosen days, weeks for n times a week.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Streak {
    pub count: u32,
    pub unit: StreakUnit,
    /// For n times a week: the weeks that met the target among the last complete ones (at
    /// most [`RECENT_WEEKS`], none before the action began), as (met, weeks).
    pub recent: Option<(u32, u32)>,
}

/// How many complete weeks "met 3 of the last 4 weeks" looks back over.
pub const RECENT_WEEKS: u32 = 4;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreakUnit {
    Day,
    /// The one day of the week the action is for.
    Weekday(Weekday),
    /// One of several chosen days of the week.
    PlannedDay,
    Week,
}

impl Streak {
    pub fn describe(&self) -> String {
        let n = self.count;
        let plural = |one: &str, many: &str| {
            if n == 1 {
                one.to_owned()
            } else {
                many.to_owned()
            }
        };
        let unit = match self.unit {
            StreakUnit::Day => plural("day", "days"),
            StreakUnit::Weekday(day) => {
                let name = day_name_of(day);
                plural(name, &format!("{name}s"))
            }
            StreakUnit::PlannedDay => plural("planned day", "planned days"),
            StreakUnit::Week => plural("week", "weeks"),
        };
        let recent = self
            .recent
            .filter(|(_, weeks)| *weeks > 0)
            .map(|(met, weeks)| {
                if weeks == 1 {
                    format!("met {met} of the last week")
                } else {
                    format!("met {met} of the last {weeks} weeks")
                }
            });
        match (n, recent) {
            (0, Some(recent)) if self.recent.is_some_and(|(met, _)| met > 0) => {
                capitalise_first(&recent)
            }
            (0, _) => "No streak yet. Every start counts.".into(),
            (n, Some(recent)) => format!("{n} {unit} in a row ({recent})"),
            (n, None) => format!("{n} {unit} in a row"),
        }
    }
}

fn capitalise_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Friday".
fn day_name_of(day: Weekday) -> &'static str {
    WEEKDAYS
        .iter()
        .find(|(d, _, _)| *d == day)
        .map(|(_, _, name)| *name)
        .unwrap_or("")
}

/// How many due days (daily or chosen weekdays) or weeks (n times a week) in a row the person
/// did the action, at least in part, counting back from today. Today not yet logged does not
/// break the streak: the day is not over. `None` for a one-off action. `logs` are every log
/// (see [`streak_with`] for the read model's shortcut).
pub fn streak(
    freq: &Frequency,
    starts_on: NaiveDate,
    today: NaiveDate,
    logs: &[(NaiveDate, Outcome)],
) -> Option<Streak> {
    streak_with(freq, starts_on, today, logs, None)
}

/// What an action's streak read model holds (#21): `count` due days (or weeks) in a row were
/// done up to and including `through`, a day nobody can log any more. For a one-off action,
/// `count` is 1 once it was done by then.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Carry {
    pub through: NaiveDate,
    pub count: u32,
}

/// Logs can be added or taken back for today and this many days before.
pub const BACKDATE_DAYS: u64 = 7;

/// The day the read model counts up to on `today`: the latest day that can no longer be
/// logged (for n times a week, the Sunday that ends the latest such week).
pub fn checkpoint_day(freq: &Frequency, today: NaiveDate) -> NaiveDate {
    let settled = today - Days::new(BACKDATE_DAYS + 1);
    match freq {
        Frequency::TimesPerWeek(_) => monday_of(settled + Days::new(1)) - Days::new(1),
        _ => settled,
    }
}

/// The run of done due days (or met weeks) that ends on `through`, every day up to it counted
/// as over: what the read model stores. With a `carry`, `logs` need only hold the days after
/// its `through`: the run adds the carried count when it reaches that day unbroken. Without
/// one, the run is counted back through `logs` alone.
pub fn run_through(
    freq: &Frequency,
    starts_on: NaiveDate,
    through: NaiveDate,
    logs: &[(NaiveDate, Outcome)],
    carry: Option<Carry>,
) -> u32 {
    let by_day: std::collections::HashMap<NaiveDate, Outcome> = logs.iter().copied().collect();
    let counted = |day: NaiveDate| by_day.get(&day).is_some_and(|o| o.counts());
    let carried = |at: NaiveDate| carry.filter(|c| c.through == at).map(|c| c.count);
    match freq {
        Frequency::Once { .. } => {
            let done = logs
                .iter()
                .any(|(d, o)| *d <= through && *o == Outcome::Done);
            u32::from(done || carry.is_some_and(|c| c.count > 0 && c.through <= through))
        }
        Frequency::Daily | Frequency::Weekdays(_) => {
            let mut count = 0;
            let mut day = through;
            while day >= starts_on {
                if let Some(before) = carried(day) {
                    return count + before;
                }
                if due_on_day(freq, day) {
                    if !counted(day) {
                        break;
                    }
                    count += 1;
                }
                match day.pred_opt() {
                    Some(prev) => day = prev,
                    None => break,
                }
            }
            count
        }
        Frequency::TimesPerWeek(n) => {
            let met = |monday: NaiveDate| {
                (0..7).filter(|i| counted(monday + Days::new(*i))).count() as u32 >= *n
            };
            let mut count = 0;
            // `through` ends a week (a Sunday).
            let mut sunday = through;
            loop {
                if let Some(before) = carried(sunday) {
                    return count + before;
                }
                let monday = sunday - Days::new(6);
                if sunday < starts_on || !met(monday) {
                    break;
                }
                count += 1;
                sunday = monday - Days::new(1);
            }
            count
        }
    }
}

/// Whether a daily or chosen-days action is meant for `day` (any day for daily).
fn due_on_day(freq: &Frequency, day: NaiveDate) -> bool {
    match freq {
        Frequency::Weekdays(days) => days.contains(&day.weekday()),
        _ => true,
    }
}

/// [`streak`] from the last few weeks of logs and the action's read model: `logs` must hold
/// every day after `carry`'s (the pages read from [`window_start`]). A run that reaches the
/// carried day goes on with its count, so the answer is the same as from every log.
pub fn streak_with(
    freq: &Frequency,
    starts_on: NaiveDate,
    today: NaiveDate,
    logs: &[(NaiveDate, Outcome)],
    carry: Option<Carry>,
) -> Option<Streak> {
    // A carried day still open to logging (a clock or time zone that moved) is not settled.
    let carry = carry.filter(|c| c.through < today - Days::new(BACKDATE_DAYS));
    let outcome_on = |day: NaiveDate| logs.iter().find(|(d, _)| *d == day).map(|(_, o)| *o);
    match freq {
        Frequency::Once { .. } => None,
        Frequency::Daily | Frequency::Weekdays(_) => {
            // Today counts once done; not yet logged, it is still in play; "not today" ends it.
            let today_counts = today >= starts_on && due_on_day(freq, today);
            let count = match outcome_on(today).filter(|_| today_counts) {
                Some(o) if !o.counts() => 0,
                done => {
                    u32::from(done.is_some())
                        + today.pred_opt().map_or(0, |yesterday| {
                            run_through(freq, starts_on, yesterday, logs, carry)
                        })
                }
            };
            let unit = match freq {
                Frequency::Weekdays(days) if days.len() == 1 => StreakUnit::Weekday(days[0]),
                Frequency::Weekdays(_) => StreakUnit::PlannedDay,
                _ => StreakUnit::Day,
            };
            Some(Streak {
                count,
                unit,
                recent: None,
            })
        }
        Frequency::TimesPerWeek(n) => {
            let by_day: std::collections::HashMap<NaiveDate, Outcome> =
                logs.iter().copied().collect();
            let counted = |day: NaiveDate| by_day.get(&day).is_some_and(|o| o.counts());
            let met = |monday: NaiveDate| {
                (0..7).filter(|i| counted(monday + Days::new(*i))).count() as u32 >= *n
            };
            let monday = monday_of(today);
            // This week counts once met; until then it is still in play.
            let mut count = u32::from(met(monday));
            // The complete weeks before this one, back to the week the action began.
            let recent_weeks: Vec<NaiveDate> = (1..=RECENT_WEEKS)
                .map(|i| monday - Days::new(7 * u64::from(i)))
                .filter(|m| *m + Days::new(6) >= starts_on)
                .collect();
            let recent = (
                recent_weeks.iter().filter(|m| met(**m)).count() as u32,
                recent_weeks.len() as u32,
            );
            count += run_through(freq, starts_on, monday - Days::new(1), logs, carry);
            Some(Streak {
                count,
                unit: StreakUnit::Week,
                recent: Some(recent),
            })
        }
    }
}

/// The first day of logs the pages read: enough for the 8-week picture, a goal's last 4 weeks
/// and the days since the read model's day, so no page reads more than about 60 days of logs.
pub fn window_start(today: NaiveDate, weeks: u32) -> NaiveDate {
    let earliest_carry = today - Days::new(BACKDATE_DAYS + 7);
    let picture = monday_of(today) - Days::new(7 * u64::from(weeks.saturating_sub(1)));
    picture.min(earliest_carry)
}

/// A goal's progress over recent weeks, drawn from its actions' logs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    pub planned: u32,
    pub done: u32,
    pub partly: u32,
}

impl Progress {
    pub fn add(&mut self, weeks: &[WeekSummary]) {
        for w in weeks {
            self.planned += w.planned;
            // Doing more than planned is good, but a week counts at most what was planned.
            let done = w.done.min(w.planned);
            self.done += done;
            self.partly += w.partly.min(w.planned - done);
        }
    }

    /// Whole per cent, counting partly done as half.
    pub fn percent(&self) -> u32 {
        if self.planned == 0 {
            return 0;
        }
        (self.done * 200 + self.partly * 100) / (self.planned * 2)
    }

    /// In words, for `who` did it: "you" for the person, their first name for anyone else.
    pub fn describe(&self, weeks: u32, who: &str) -> String {
        if self.planned == 0 {
            return format!("Nothing was planned in the last {weeks} weeks.");
        }
        let mut text = format!(
            "In the last {weeks} weeks {who} did {} of {} planned times",
            self.done, self.planned
        );
        if self.partly > 0 {
            text.push_str(&format!(" and part of {} more", self.partly));
        }
        text.push_str(&format!(" ({}%).", self.percent()));
        text
    }
}

/// "1 March 2027".
pub fn long_date(day: NaiveDate) -> String {
    day.format("%-d %B %Y").to_string()
}

/// "Monday 1 March".
pub fn day_name(day: NaiveDate) -> String {
    day.format("%A %-d %B").to_string()
}

pub fn join_words(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    // 2026-11-23 is a Monday.
    const MON: &str = "2026-11-23";

    /// Two years of logs with long runs and the odd gap, the same every time (a small LCG).
    fn two_years(seed: u64, start: NaiveDate, days: u64) -> Vec<(NaiveDate, Outcome)> {
        let mut x = seed;
        let mut out = Vec::new();
        for i in 0..days {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let roll = (x >> 33) % 1000;
            let outcome = match roll {
                0..=969 => Some(Outcome::Done),
                970..=979 => Some(Outcome::Partly),
                980..=989 => Some(Outcome::NotToday),
                _ => None,
            };
            if let Some(o) = outcome {
                out.push((start + Days::new(i), o));
            }
        }
        out
    }

    #[test]
    fn a_streak_from_the_read_model_and_a_few_weeks_of_logs_equals_one_from_every_log() {
        let start = d("2025-01-06");
        let freqs = [
            Frequency::Daily,
            Frequency::TimesPerWeek(3),
            Frequency::Weekdays(vec![Weekday::Fri]),
            Frequency::Weekdays(vec![Weekday::Mon, Weekday::Wed, Weekday::Sat]),
            Frequency::Once {
                by: d("2026-06-01"),
            },
        ];
        let mut long_runs = 0;
        for seed in 1..=12 {
            let all = two_years(seed, start, 700);
            for freq in &freqs {
                for back in [0, 1, 3, 6, 9, 20] {
                    let today = start + Days::new(690 - back);
                    let known: Vec<_> = all.iter().copied().filter(|(d, _)| *d <= today).collect();
                    // The read model as the last write left it (a few days ago), worked out in
                    // two steps as logging does: from every log once, then carried on.
                    let written = today - Days::new(back % 5);
                    let early = checkpoint_day(freq, written - Days::new(30));
                    let first = run_through(freq, start, early, &known, None);
                    let through = checkpoint_day(freq, written);
                    let after: Vec<_> = known.iter().copied().filter(|(d, _)| *d > early).collect();
                    let count = run_through(
                        freq,
                        start,
                        through,
                        &after,
                        Some(Carry {
                            through: early,
                            count: first,
                        }),
                    );
                    assert_eq!(
                        count,
                        run_through(freq, start, through, &known, None),
                        "carried on = from scratch"
                    );
                    let window: Vec<_> = known
                        .iter()
                        .copied()
                        .filter(|(d, _)| *d >= window_start(today, 8))
                        .collect();
                    let carry = Some(Carry { through, count });
                    let full = streak(freq, start, today, &known);
                    assert_eq!(
                        streak_with(freq, start, today, &window, carry),
                        full,
                        "{freq:?} on {today}"
                    );
                    assert_eq!(
                        is_due_with(freq, start, today, &window, carry),
                        is_due(freq, start, today, &known),
                        "{freq:?} due on {today}"
                    );
                    if full.as_ref().is_some_and(|s| s.count > 60) {
                        long_runs += 1;
                    }
                }
            }
        }
        assert!(
            long_runs > 5,
            "some runs are longer than the window: {long_runs}"
        );
    }

    #[test]
    fn weekly_action_stops_being_due_once_the_weeks_count_is_reached() {
        let freq = Frequency::TimesPerWeek(2);
        let logs = vec![(d(MON), Outcome::Done), (d("2026-11-24"), Outcome::Partly)];
        assert!(
            is_due(&freq, d("2026-01-01"), d("2026-11-24"), &logs),
            "logged today stays listed"
        );
        assert!(!is_due(&freq, d("2026-01-01"), d("2026-11-25"), &logs));
        assert!(
            is_due(&freq, d("2026-01-01"), d("2026-11-30"), &logs),
            "a new week starts again"
        );
    }

    #[test]
    fn not_today_does_not_count_towards_the_week() {
        let freq = Frequency::TimesPerWeek(1);
        let logs = vec![(d(MON), Outcome::NotToday)];
        assert!(is_due(&freq, d("2026-01-01"), d("2026-11-24"), &logs));
    }

    #[test]
    fn chosen_weekdays_are_due_only_on_those_days() {
        let freq = Frequency::Weekdays(vec![Weekday::Mon, Weekday::Thu]);
        assert!(is_due(&freq, d("2026-01-01"), d(MON), &[]));
        assert!(!is_due(&freq, d("2026-01-01"), d("2026-11-24"), &[]));
        assert!(is_due(&freq, d("2026-01-01"), d("2026-11-26"), &[]));
    }

    #[test]
    fn one_off_action_is_due_until_done() {
        let freq = Frequency::Once {
            by: d("2026-12-01"),
        };
        assert!(is_due(
            &freq,
            d("2026-11-01"),
            d(MON),
            &[(d("2026-11-20"), Outcome::Partly)]
        ));
        assert!(!is_due(
            &freq,
            d("2026-11-01"),
            d(MON),
            &[(d("2026-11-20"), Outcome::Done)]
        ));
    }

    #[test]
    fn nothing_is_due_before_the_action_starts() {
        assert!(!is_due(&Frequency::Daily, d(MON), d("2026-11-22"), &[]));
    }

    #[test]
    fn daily_streak_counts_back_and_today_unlogged_does_not_break_it() {
        let logs = vec![
            (d("2026-11-20"), Outcome::Done),
            (d("2026-11-21"), Outcome::Partly),
            (d("2026-11-22"), Outcome::Done),
        ];
        let s = streak(&Frequency::Daily, d("2026-01-01"), d(MON), &logs).unwrap();
        assert_eq!(s.count, 3);
        assert_eq!(s.describe(), "3 days in a row");
        let mut broken = logs.clone();
        broken.push((d(MON), Outcome::NotToday));
        assert_eq!(
            streak(&Frequency::Daily, d("2026-01-01"), d(MON), &broken)
                .unwrap()
                .count,
            0
        );
    }

    #[test]
    fn weekday_streak_skips_days_that_were_not_planned() {
        let freq = Frequency::Weekdays(vec![Weekday::Mon, Weekday::Fri]);
        let logs = vec![
            (d("2026-11-13"), Outcome::Done), // Fri
            (d("2026-11-16"), Outcome::Done), // Mon
            (d("2026-11-20"), Outcome::Done), // Fri
        ];
        assert_eq!(
            streak(&freq, d("2026-01-01"), d(MON), &logs).unwrap().count,
            3
        );
    }

    #[test]
    fn weekly_streak_counts_weeks_that_met_the_target() {
        let freq = Frequency::TimesPerWeek(2);
        let logs = vec![
            (d("2026-11-09"), Outcome::Done),
            (d("2026-11-11"), Outcome::Done),
            (d("2026-11-17"), Outcome::Done),
            (d("2026-11-19"), Outcome::Partly),
        ];
        let s = streak(&freq, d("2026-01-01"), d(MON), &logs).unwrap();
        assert_eq!((s.count, s.unit), (2, StreakUnit::Week));
        assert_eq!(s.describe(), "2 weeks in a row (met 2 of the last 4 weeks)");
    }

    #[test]
    fn a_friday_only_action_counts_fridays_not_days() {
        let freq = Frequency::Weekdays(vec![Weekday::Fri]);
        let logs = vec![
            (d("2026-11-06"), Outcome::Done),
            (d("2026-11-13"), Outcome::Done),
            (d("2026-11-20"), Outcome::Partly),
        ];
        let s = streak(&freq, d("2026-01-01"), d(MON), &logs).unwrap();
        assert_eq!(s.describe(), "3 Fridays in a row");
        let one = streak(&freq, d("2026-01-01"), d(MON), &logs[2..]).unwrap();
        assert_eq!(one.describe(), "1 Friday in a row");
    }

    #[test]
    fn chosen_days_count_planned_days() {
        let freq = Frequency::Weekdays(vec![Weekday::Mon, Weekday::Fri]);
        let logs = vec![(d("2026-11-20"), Outcome::Done)];
        assert_eq!(
            streak(&freq, d("2026-01-01"), d(MON), &logs)
                .unwrap()
                .describe(),
            "1 planned day in a row"
        );
    }

    #[test]
    fn a_weekly_action_kept_most_weeks_says_so_even_with_no_streak() {
        // 3 times a week: met in 3 of the 4 weeks before this one, but not last week.
        let freq = Frequency::TimesPerWeek(3);
        let mut logs = Vec::new();
        for monday in ["2026-10-26", "2026-11-02", "2026-11-09"] {
            for i in [0, 2, 4] {
                logs.push((d(monday) + Days::new(i), Outcome::Done));
            }
        }
        logs.push((d("2026-11-16"), Outcome::Done));
        let s = streak(&freq, d("2026-01-01"), d(MON), &logs).unwrap();
        assert_eq!(s.count, 0);
        assert_eq!(s.describe(), "Met 3 of the last 4 weeks");
        // Begun only two weeks ago: the weeks before it do not count against it.
        let s = streak(&freq, d("2026-11-09"), d(MON), &logs).unwrap();
        assert_eq!(s.describe(), "Met 1 of the last 2 weeks");
        let s = streak(&freq, d("2026-11-23"), d(MON), &[]).unwrap();
        assert_eq!(s.describe(), "No streak yet. Every start counts.");
    }

    #[test]
    fn eight_week_picture_ends_with_this_week_and_counts_plan_and_logs() {
        let freq = Frequency::TimesPerWeek(3);
        let logs = vec![
            (d("2026-11-17"), Outcome::Done),
            (d("2026-11-18"), Outcome::Partly),
        ];
        let weeks = weekly_picture(&freq, d("2026-01-01"), d("2026-11-25"), &logs, 8);
        assert_eq!(weeks.len(), 8);
        assert_eq!(weeks[7].monday, d(MON));
        assert_eq!(weeks[6].monday, d("2026-11-16"));
        assert_eq!(
            (weeks[6].planned, weeks[6].done, weeks[6].partly),
            (3, 1, 1)
        );
    }

    #[test]
    fn a_daily_action_started_today_is_planned_once_so_far_not_for_the_rest_of_the_week() {
        // MON is a Monday; Wednesday is two days on.
        let wednesday = d(MON) + Days::new(2);
        let weeks = weekly_picture(&Frequency::Daily, wednesday, wednesday, &[], 4);
        assert_eq!(
            weeks.iter().map(|w| w.planned).collect::<Vec<_>>(),
            [0, 0, 0, 1]
        );
        let mut p = Progress::default();
        p.add(&weeks);
        assert!(
            p.describe(4, "you")
                .contains("you did 0 of 1 planned times")
        );
        // Chosen weekdays count only those that have come.
        let mon_fri = Frequency::Weekdays(vec![Weekday::Mon, Weekday::Fri]);
        let weeks = weekly_picture(&mon_fri, d("2026-01-01"), wednesday, &[], 1);
        assert_eq!(weeks[0].planned, 1);
    }

    #[test]
    fn goal_progress_caps_each_week_at_what_was_planned_and_halves_partly() {
        let mut p = Progress::default();
        p.add(&[
            WeekSummary {
                monday: d(MON),
                planned: 2,
                done: 3,
                partly: 0,
            },
            WeekSummary {
                monday: d(MON),
                planned: 2,
                done: 0,
                partly: 1,
            },
        ]);
        assert_eq!((p.planned, p.done, p.partly), (4, 2, 1));
        assert_eq!(p.percent(), 62);
        assert!(
            p.describe(4, "Maria")
                .contains("Maria did 2 of 4 planned times and part of 1 more (62%)")
        );
    }

    #[test]
    fn frequencies_read_like_a_person_would_say_them() {
        assert_eq!(Frequency::TimesPerWeek(3).describe(), "3 times a week");
        assert_eq!(
            Frequency::Weekdays(vec![Weekday::Mon, Weekday::Wed, Weekday::Fri]).describe(),
            "On Monday, Wednesday and Friday"
        );
        assert_eq!(Frequency::from_parts("weekly", Some(9), "", None), None);
    }
}
