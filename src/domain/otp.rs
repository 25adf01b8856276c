//! One-time codes: generation from a CSPRNG, parsing what a person typed, and the keyed hash
//! that is the only form in which a code is stored.

use hmac::{Hmac, Mac};
use rand::RngExt;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{limits::LONG_OTP_LENGTH, token::hex};

/// A code as typed: ASCII digits, as many as some code can have. Codes differ in length (a
/// staff member's, or one sent after a number's short codes drew too many wrong guesses, are
/// longer), and the pages do not say which a number got.
#[derive(Clone, PartialEq, Eq)]
pub struct OtpCode(String);

/// The longest code as typed, separators included.
pub const MAX_INPUT_CHARS: usize = 4 * LONG_OTP_LENGTH;
/// What [`OtpCode::parse`] can take, as a JSON-schema pattern (with [`MAX_INPUT_CHARS`]): 4 to
/// 8 digits (the shortest code a server sends is its `OTP_LENGTH`), with spaces or dashes.
pub fn input_pattern() -> String {
    let space = super::TRIMMED_SPACE;
    format!(r"^{space}[ -]*([0-9][ -]*){{4,{LONG_OTP_LENGTH}}}{space}$")
}

/// Why a typed code was refused before it was checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OtpError {
    #[error("empty")]
    Empty,
    #[error("not {min} to {max} digits")]
    Format { min: usize, max: usize },
}

impl OtpCode {
    /// Accepts `shortest` to [`LONG_OTP_LENGTH`] digits, with spaces or dashes between them (as
    /// some phones paste them).
    pub fn parse(input: &str, shortest: usize) -> Result<Self, OtpError> {
        let format = OtpError::Format {
            min: shortest,
            max: LONG_OTP_LENGTH,
        };
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(OtpError::Empty);
        }
        // counted as typed, so a schema can say it (`maxLength`)
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(format);
        }
        let code: String = trimmed
            .chars()
            .filter(|c| !matches!(c, ' ' | '-'))
            .collect();
        if !(shortest..=LONG_OTP_LENGTH).contains(&code.len())
            || !code.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(format);
        }
        Ok(Self(code))
    }

    /// How many digits it has.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Never: a parsed code has digits.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A new random code of `length` digits.
    pub fn generate(length: usize) -> Self {
        let mut rng = rand::rng();
        Self(
            (0..length)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for OtpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OtpCode(****)")
    }
}

/// HMAC-SHA256(key, phone ‖ 0 ‖ code), hex: what the database keeps instead of the code.
pub fn code_mac(key: &[u8; 32], phone_e164: &str, code: &OtpCode) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(phone_e164.as_bytes());
    mac.update(&[0]);
    mac.update(code.0.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Compares a typed code with the stored hash in constant time.
pub fn matches(key: &[u8; 32], phone_e164: &str, code: &OtpCode, stored: &str) -> bool {
    code_mac(key, phone_e164, code)
        .as_bytes()
        .ct_eq(stored.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_accepts_exact_digits_with_separators() {
        assert_eq!(OtpCode::parse("1234", 4).unwrap().as_str(), "1234");
        assert_eq!(OtpCode::parse(" 12 34 ", 4).unwrap().as_str(), "1234");
        assert_eq!(OtpCode::parse("12-34", 4).unwrap().as_str(), "1234");
        assert_eq!(OtpCode::parse("123456", 6).unwrap().as_str(), "123456");
        assert_eq!(
            OtpCode::parse("1234 5678", 4).unwrap().len(),
            8,
            "a long code"
        );
    }

    #[test]
    fn parse_refuses_everything_else() {
        assert_eq!(OtpCode::parse("", 4), Err(OtpError::Empty));
        let format = Err(OtpError::Format { min: 4, max: 8 });
        assert_eq!(OtpCode::parse("123", 4), format);
        assert_eq!(OtpCode::parse("123456789", 4), format);
        assert_eq!(
            OtpCode::parse("12345", 6),
            Err(OtpError::Format { min: 6, max: 8 })
        );
        assert_eq!(OtpCode::parse("12a4", 4), format);
        assert_eq!(OtpCode::parse("١٢٣٤", 4), format);
        assert_eq!(OtpCode::parse(&"1".repeat(1000), 4), format);
    }

    #[test]
    fn generated_codes_have_the_length_and_vary() {
        let codes: std::collections::HashSet<String> =
            (0..200).map(|_| OtpCode::generate(6).0).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        assert!(codes.len() > 150, "codes repeat too often: {}", codes.len());
    }

    #[test]
    fn mac_depends_on_key_phone_and_code() {
        let key = [7u8; 32];
        let code = OtpCode::parse("1234", 4).unwrap();
        let mac = code_mac(&key, "+998901234567", &code);
        assert_eq!(mac.len(), 64);
        assert!(!mac.contains("1234"));
        assert!(matches(&key, "+998901234567", &code, &mac));
        assert!(!matches(&key, "+998901234568", &code, &mac));
        assert!(!matches(&[8u8; 32], "+998901234567", &code, &mac));
        let other = OtpCode::parse("1235", 4).unwrap();
        assert!(!matches(&key, "+998901234567", &other, &mac));
    }
}
