//! Random secrets and their stored form: hex text, random tokens, and the SHA-256 by which a
//! session or API token is found (the token itself is never stored).

use sha2::{Digest, Sha256};

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// `BYTES` random bytes from the CSPRNG, as hex.
pub fn random_hex<const BYTES: usize>() -> String {
    let mut bytes = [0u8; BYTES];
    rand::fill(&mut bytes);
    hex(&bytes)
}

/// SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The longest token a link may carry that is looked at (a real one has 64 hex digits).
pub const MAX_LINK_TOKEN_LEN: usize = 128;

/// A token as typed or pasted from a link, if it can be one: hex digits of a sane length, in
/// lower case (as made). Anything else is refused without a trip to the database.
pub fn link_token(input: &str) -> Option<String> {
    let token = input.trim();
    let ok = !token.is_empty()
        && token.len() <= MAX_LINK_TOKEN_LEN
        && token.bytes().all(|b| b.is_ascii_hexdigit());
    ok.then(|| token.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_hex_of_the_asked_length_and_differ() {
        let (a, b) = (random_hex::<16>(), random_hex::<16>());
        assert_eq!(a.len(), 32);
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a, b);
        assert_eq!(random_hex::<32>().len(), 64);
    }

    #[test]
    fn the_hash_is_sha256_hex() {
        assert_eq!(
            token_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }

    #[test]
    fn link_tokens_are_hex_of_a_sane_length() {
        let made = random_hex::<32>();
        assert_eq!(
            link_token(&format!(" {} ", made.to_uppercase())),
            Some(made)
        );
        for bad in [
            "",
            "  ",
            "xyz",
            "12 34",
            "%00",
            &"a".repeat(MAX_LINK_TOKEN_LEN + 1),
        ] {
            assert_eq!(link_token(bad), None, "{bad:?}");
        }
    }
}
