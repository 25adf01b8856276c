//! Invite codes: six characters of Crockford's base32 alphabet, one per account.

use rand::RngExt;

/// Crockford base32: no I, L, O or U, so a code read aloud or copied by hand is unambiguous.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
pub const LENGTH: usize = 6;
/// How many fresh codes are drawn when the previous ones were already taken.
pub const MAX_DRAWS: usize = 8;

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
}
