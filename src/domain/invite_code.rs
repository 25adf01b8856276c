//! Invite codes: six characters of Crockford's base32 alphabet, one per account, and parsing
//! what a person typed.

use rand::RngExt;

/// Crockford base32: no I, L, O or U, so a code read aloud or copied by hand is unambiguous.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const LENGTH: usize = 6;
/// How many fresh codes are drawn when the previous ones were already taken.
pub const MAX_DRAWS: usize = 8;
/// Longest input looked at; longer is refused before normalising.
pub const MAX_INPUT_CHARS: usize = 32;
/// What [`InviteCode::parse`] takes, as a JSON-schema pattern (with [`MAX_INPUT_CHARS`]): six
/// characters of the alphabet in either case, O, I and L included (read as 0, 1, 1), with
/// spaces and dashes anywhere.
pub fn input_pattern() -> String {
    let space = super::TRIMMED_SPACE;
    format!(r"^{space}[ -]*([0-9A-TV-Za-tv-z][ -]*){{{LENGTH}}}{space}$")
}

/// The path of a code's invite link (`/i/7K3M9Q`).
pub fn link_path(code: &str) -> String {
    format!("/i/{code}")
}

/// Draws new invite codes; injectable so tests can force collisions.
pub trait InviteCodeGenerator: Send + Sync + 'static {
    fn generate(&self) -> String;
}

/// Codes from the thread-local CSPRNG.
#[derive(Debug, Default, Clone, Copy)]
pub struct RandomInviteCodes;

impl InviteCodeGenerator for RandomInviteCodes {
    fn generate(&self) -> String {
        let mut rng = rand::rng();
        (0..LENGTH)
            .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
            .collect()
    }
}

/// True for a well-formed code (as stored).
pub fn is_well_formed(code: &str) -> bool {
    code.len() == LENGTH && code.bytes().all(|b| ALPHABET.contains(&b))
}

/// Why a typed invite code was refused before it was looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InviteCodeError {
    #[error("empty")]
    Empty,
    #[error("too long")]
    TooLong,
    #[error("characters outside the code alphabet")]
    Characters,
    #[error("not six characters")]
    Length,
}

/// A well-formed invite code, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteCode(String);

impl InviteCode {
    /// Trims, drops spaces and dashes, upper-cases, and reads O as 0 and I or L as 1, the way
    /// Crockford's alphabet intends, so a code copied by hand still works.
    pub fn parse(input: &str) -> Result<Self, InviteCodeError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(InviteCodeError::Empty);
        }
        // counted as typed, so a schema can say it (`maxLength`)
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(InviteCodeError::TooLong);
        }
        let input = trimmed;
        let mut code = String::with_capacity(LENGTH);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                ' ' | '-' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(InviteCodeError::Characters),
            };
            code.push(c);
        }
        if code.is_empty() {
            return Err(InviteCodeError::Empty);
        }
        if code.len() != LENGTH {
            return Err(InviteCodeError::Length);
        }
        Ok(Self(code))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_codes_use_the_alphabet() {
        for _ in 0..500 {
            let code = RandomInviteCodes.generate();
            assert!(is_well_formed(&code), "{code}");
            assert!(!code.contains(['I', 'L', 'O', 'U']));
        }
    }

    #[test]
    fn well_formed_rejects_other_shapes() {
        assert!(is_well_formed("7K3M9Q"));
        assert!(!is_well_formed("7K3M9"));
        assert!(!is_well_formed("7K3M9QQ"));
        assert!(!is_well_formed("7K3MOQ"));
        assert!(!is_well_formed("7k3m9q"));
    }

    fn parse(s: &str) -> Result<String, InviteCodeError> {
        InviteCode::parse(s).map(|c| c.0)
    }

    #[test]
    fn typed_codes_are_normalised() {
        assert_eq!(parse("7k3m9q").unwrap(), "7K3M9Q");
        assert_eq!(parse("  7K3-M9Q ").unwrap(), "7K3M9Q");
        assert_eq!(parse("7K 3M 9Q").unwrap(), "7K3M9Q");
        assert_eq!(parse("o0iIlL").unwrap(), "001111");
        assert_eq!(parse("ab-cd-ef").unwrap(), "ABCDEF");
    }

    #[test]
    fn everything_else_is_refused_with_its_reason() {
        assert_eq!(parse(""), Err(InviteCodeError::Empty));
        assert_eq!(parse(" - - "), Err(InviteCodeError::Empty));
        assert_eq!(parse("ABCDE"), Err(InviteCodeError::Length));
        assert_eq!(parse("ABCDEFG"), Err(InviteCodeError::Length));
        assert_eq!(
            parse("ABCDEU"),
            Err(InviteCodeError::Characters),
            "U is not in the alphabet"
        );
        assert_eq!(parse("ABC_EF"), Err(InviteCodeError::Characters));
        assert_eq!(
            parse("АВСDEF"),
            Err(InviteCodeError::Characters),
            "Cyrillic look-alikes"
        );
        assert_eq!(parse("ＡＢＣＤＥＦ"), Err(InviteCodeError::Characters));
        assert_eq!(parse(&"A".repeat(33)), Err(InviteCodeError::TooLong));
        assert_eq!(parse(&"A".repeat(10_000)), Err(InviteCodeError::TooLong));
    }
}
