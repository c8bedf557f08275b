//! Results the lab gave as a bound ("> 90", "< 3") rather than an exact number: the bound in
//! plain words, and the bound as an interval of numbers, so that band, target and change
//! wording claims only what is true of every number the lab's answer allows.
use serde::{Deserialize, Serialize};

/// A bound the lab gave instead of an exact number (a FHIR Quantity comparator).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Bound {
    /// `<`
    Less,
    /// `<=`
    AtMost,
    /// `>=`
    AtLeast,
    /// `>`
    More,
}

impl Bound {
    /// From a comparator as stored or sent: "<", "<=", ">=", ">" (and "≤", "≥"); anything else
    /// is no bound.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "<" => Some(Self::Less),
            "<=" | "≤" => Some(Self::AtMost),
            ">=" | "≥" => Some(Self::AtLeast),
            ">" => Some(Self::More),
            _ => None,
        }
    }

    /// Whether the real value lies above the number (an arrow pointing up on a chart).
    pub fn upward(self) -> bool {
        matches!(self, Self::AtLeast | Self::More)
    }

    /// The number with its unit in words: "more than 90 mL/min/1.73m²", "60 mL/min/1.73m² or
    /// more", "less than 3 mg/mmol", "3 mg/mmol or less".
    pub fn words(self, number: &str, unit: &str) -> String {
        let n = if unit.is_empty() {
            number.to_owned()
        } else {
            format!("{number} {unit}")
        };
        match self {
            Self::Less => format!("less than {n}"),
            Self::AtMost => format!("{n} or less"),
            Self::AtLeast => format!("{n} or more"),
            Self::More => format!("more than {n}"),
        }
    }
}

/// A number as the lab gave it: exact, or a bound.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Reading {
    pub value: f64,
    pub bound: Option<Bound>,
}

impl Reading {
    pub fn exact(value: f64) -> Self {
        Self { value, bound: None }
    }
}

/// One end of an interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub at: f64,
    pub inclusive: bool,
}

/// An interval of numbers; an end that is `None` runs on for ever. Bands, targets and readings
/// are all intervals, so "does this reading meet the target" is a question about two of them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Span {
    pub low: Option<Edge>,
    pub high: Option<Edge>,
}

impl Span {
    /// `at` and above (`inclusive`), or above `at`.
    pub const fn from(at: f64, inclusive: bool) -> Self {
        Self {
            low: Some(Edge { at, inclusive }),
            high: None,
        }
    }

    /// `at` and below (`inclusive`), or below `at`.
    pub const fn below(at: f64, inclusive: bool) -> Self {
        Self {
            low: None,
            high: Some(Edge { at, inclusive }),
        }
    }

    /// From `low` to `high`, each end included or not.
    pub const fn between(low: f64, low_inclusive: bool, high: f64, high_inclusive: bool) -> Self {
        Self {
            low: Some(Edge {
                at: low,
                inclusive: low_inclusive,
            }),
            high: Some(Edge {
                at: high,
                inclusive: high_inclusive,
            }),
        }
    }

    /// From `low` (included) to below `high` (not included): how most bands are drawn.
    pub const fn band(low: f64, high: f64) -> Self {
        Self::between(low, true, high, false)
    }

    /// Every number the reading allows.
    pub fn of(r: Reading) -> Self {
        let at = r.value;
        match r.bound {
            None => Self::between(at, true, at, true),
            Some(Bound::Less) => Self::below(at, false),
            Some(Bound::AtMost) => Self::below(at, true),
            Some(Bound::AtLeast) => Self::from(at, true),
            Some(Bound::More) => Self::from(at, false),
        }
    }

    /// Whether some number lies in both.
    pub fn overlaps(self, other: Self) -> bool {
        // The higher of the two lows (on a tie, the one that leaves a number out) …
        let low = match (self.low, other.low) {
            (Some(a), Some(b)) if a.at == b.at => Some(Edge {
                at: a.at,
                inclusive: a.inclusive && b.inclusive,
            }),
            (Some(a), Some(b)) => Some(if a.at > b.at { a } else { b }),
            (a, b) => a.or(b),
        };
        // … and the lower of the two highs.
        let high = match (self.high, other.high) {
            (Some(a), Some(b)) if a.at == b.at => Some(Edge {
                at: a.at,
                inclusive: a.inclusive && b.inclusive,
            }),
            (Some(a), Some(b)) => Some(if a.at < b.at { a } else { b }),
            (a, b) => a.or(b),
        };
        match (low, high) {
            (Some(l), Some(h)) => l.at < h.at || (l.at == h.at && l.inclusive && h.inclusive),
            _ => true,
        }
    }

    /// Whether every number in `self` is also in `other`.
    pub fn within(self, other: Self) -> bool {
        let low_inside = match (other.low, self.low) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(s)) => s.at > o.at || (s.at == o.at && (o.inclusive || !s.inclusive)),
        };
        let high_inside = match (other.high, self.high) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(o), Some(s)) => s.at < o.at || (s.at == o.at && (o.inclusive || !s.inclusive)),
        };
        low_inside && high_inside
    }

    /// `Some(true)` when every number the reading allows is inside `region`, `Some(false)` when
    /// none is, `None` when the reading cannot tell.
    pub fn inside(self, region: Self) -> Option<bool> {
        if self.within(region) {
            Some(true)
        } else if !self.overlaps(region) {
            Some(false)
        } else {
            None
        }
    }
}

/// "a", "a or b", "a, b or c".
pub fn either(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bound(value: f64, b: Bound) -> Span {
        Span::of(Reading {
            value,
            bound: Some(b),
        })
    }

    #[test]
    fn bounds_read_in_plain_words_with_their_unit() {
        assert_eq!(
            Bound::More.words("90", "mL/min/1.73m²"),
            "more than 90 mL/min/1.73m²"
        );
        assert_eq!(Bound::AtLeast.words("60", ""), "60 or more");
        assert_eq!(Bound::Less.words("3", "mg/mmol"), "less than 3 mg/mmol");
        assert_eq!(Bound::AtMost.words("3", ""), "3 or less");
        assert_eq!(Bound::parse(">="), Some(Bound::AtLeast));
        assert_eq!(Bound::parse("≤"), Some(Bound::AtMost));
        assert_eq!(Bound::parse("="), None);
        assert!(Bound::More.upward() && !Bound::AtMost.upward());
    }

    #[test]
    fn a_bound_is_inside_a_region_only_when_every_number_it_allows_is() {
        let target = Span::below(48.0, true);
        assert_eq!(bound(42.0, Bound::Less).inside(target), Some(true));
        assert_eq!(bound(48.0, Bound::AtMost).inside(target), Some(true));
        assert_eq!(bound(48.0, Bound::More).inside(target), Some(false));
        assert_eq!(
            bound(48.0, Bound::AtLeast).inside(target),
            None,
            "48 itself meets it"
        );
        assert_eq!(bound(50.0, Bound::Less).inside(target), None);
        assert_eq!(Span::of(Reading::exact(48.0)).inside(target), Some(true));
        // Bands that meet at an edge: 60 belongs to [60, 90), not to [45, 60).
        assert!(!bound(60.0, Bound::AtLeast).overlaps(Span::band(45.0, 60.0)));
        assert!(bound(60.0, Bound::AtMost).overlaps(Span::band(45.0, 60.0)));
        assert!(!bound(60.0, Bound::Less).overlaps(Span::band(60.0, 90.0)));
    }

    #[test]
    fn lists_read_with_or() {
        assert_eq!(either(&["G1"]), "G1");
        assert_eq!(either(&["G1", "G2"]), "G1 or G2");
        assert_eq!(either(&["G3b", "G4", "G5"]), "G3b, G4 or G5");
    }
}
