//! NHS numbers: ten digits whose last is a modulus-11 check digit. Used wherever one is entered.
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NhsNumber(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NhsNumberError {
    #[error("Enter an NHS number that is 10 digits long")]
    Length,
    #[error("Enter a valid NHS number. Check you have typed it correctly")]
    CheckDigit,
}

impl NhsNumber {
    /// Accepts spaces and dashes as people write them ("943 476 5919").
    pub fn parse(input: &str) -> Result<Self, NhsNumberError> {
        let digits: String = input.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        if digits.len() != 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(NhsNumberError::Length);
        }
        let values: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
        let check = check_digit(&values[..9]).ok_or(NhsNumberError::CheckDigit)?;
        if check != values[9] {
            return Err(NhsNumberError::CheckDigit);
        }
        Ok(Self(digits))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The check digit for the first nine digits, or `None` when no digit can make them valid.
pub fn check_digit(first_nine: &[u32]) -> Option<u32> {
    let sum: u32 = first_nine
        .iter()
        .zip((2..=10).rev())
        .map(|(digit, weight)| digit * weight)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        digit => Some(digit),
    }
}

impl fmt::Display for NhsNumber {
    /// Shown as people read it: 3 3 4 digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        write!(f, "{} {} {}", &s[..3], &s[3..6], &s[6..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_valid_number_written_with_spaces() {
        let n = NhsNumber::parse("943 476 5919").map(|n| n.to_string());
        assert_eq!(n, Ok("943 476 5919".to_owned()));
    }

    #[test]
    fn rejects_a_wrong_check_digit() {
        assert_eq!(
            NhsNumber::parse("9434765918"),
            Err(NhsNumberError::CheckDigit)
        );
    }

    #[test]
    fn rejects_numbers_that_can_have_no_check_digit() {
        // 6 × 2 = 12 leaves remainder 1, so the check digit would be 10: no number is valid.
        assert_eq!(check_digit(&[0, 0, 0, 0, 0, 0, 0, 0, 6]), None);
        assert_eq!(
            NhsNumber::parse("0000000060"),
            Err(NhsNumberError::CheckDigit)
        );
        assert_eq!(check_digit(&[9, 4, 3, 4, 7, 6, 5, 9, 1]), Some(9));
    }

    #[test]
    fn rejects_wrong_lengths_and_letters() {
        assert_eq!(NhsNumber::parse("12345"), Err(NhsNumberError::Length));
        assert_eq!(NhsNumber::parse("94347659AB"), Err(NhsNumberError::Length));
    }
}
