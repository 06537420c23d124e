//! The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters whose last
//! one is a check character over the first seventeen.
use std::fmt;

use serde::{Deserialize, Serialize};

const CHARSET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreditCode(String);

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    #[error("must be 18 characters, found {0}")]
    Length(usize),
    #[error("character {position} ('{found}') is not allowed")]
    Character { position: usize, found: char },
    #[error("check character should be '{expected}', found '{found}'")]
    CheckDigit { expected: char, found: char },
}

fn value_of(c: char) -> Option<u32> {
    CHARSET
        .iter()
        .position(|&b| b as char == c)
        .map(|v| v as u32)
}

/// The check character for the first seventeen characters, or `None` if one is invalid.
pub fn check_char(first17: &str) -> Option<char> {
    let mut sum = 0;
    for (c, w) in first17.chars().zip(WEIGHTS) {
        sum += value_of(c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(CHARSET[check as usize] as char)
}

impl CreditCode {
    /// Accepts surrounding spaces and lower case, as people type it.
    pub fn parse(input: &str) -> Result<Self, CreditCodeError> {
        let code: String = input.trim().to_uppercase();
        let len = code.chars().count();
        if len != 18 {
            return Err(CreditCodeError::Length(len));
        }
        for (i, c) in code.chars().enumerate() {
            if value_of(c).is_none() {
                return Err(CreditCodeError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        let expected = check_char(&code[..17]).unwrap_or('0');
        let found = code.chars().nth(17).unwrap_or('0');
        if expected != found {
            return Err(CreditCodeError::CheckDigit { expected, found });
        }
        Ok(CreditCode(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_published_code_passes() {
        // The code printed on a real business licence (Tencent, Shenzhen).
        assert!(CreditCode::parse("9144030071526726XG").is_ok());
        assert!(CreditCode::parse(" 9144030071526726xg ").is_ok());
    }

    #[test]
    fn a_wrong_check_character_is_named() {
        assert_eq!(
            CreditCode::parse("9144030071526726XA"),
            Err(CreditCodeError::CheckDigit {
                expected: 'G',
                found: 'A'
            })
        );
    }

    #[test]
    fn length_and_alphabet_are_checked() {
        assert_eq!(
            CreditCode::parse("91440300"),
            Err(CreditCodeError::Length(8))
        );
        assert!(matches!(
            CreditCode::parse("9144030071526726IG"),
            Err(CreditCodeError::Character {
                position: 17,
                found: 'I'
            })
        ));
    }

    #[test]
    fn generated_codes_round_trip() {
        let first = "91120116MA05JXXX0";
        let code = format!("{first}{}", check_char(first).unwrap());
        assert!(CreditCode::parse(&code).is_ok());
    }
}
