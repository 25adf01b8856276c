//! Email addresses as people type them: trimmed, checked by the mail library's own parser (so
//! what is accepted here is what can be sent to), at most 254 characters, the domain in lower
//! case (the part before `@` is the mailbox's own and is kept as typed).

use std::fmt;

/// The longest address SMTP carries (RFC 5321's path limit, less the angle brackets).
pub const MAX_EMAIL_LEN: usize = 254;

/// A well-formed address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

/// Why an address was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("empty")]
    Empty,
    #[error("too long")]
    TooLong,
    #[error("not an address")]
    Invalid,
}

impl EmailAddress {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.chars().count() > MAX_EMAIL_LEN {
            return Err(EmailError::TooLong);
        }
        // one plain address: no display name, no list, no spaces or controls
        if trimmed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';'))
        {
            return Err(EmailError::Invalid);
        }
        let address: lettre::Address = trimmed.parse().map_err(|_| EmailError::Invalid)?;
        // a domain without a dot (`user@localhost`) is no address on the internet
        if !address.domain().contains('.') || address.domain().ends_with('.') {
            return Err(EmailError::Invalid);
        }
        Ok(Self(format!(
            "{}@{}",
            address.user(),
            address.domain().to_lowercase()
        )))
    }

    /// Wraps a value read back from the database, where only parsed addresses are stored.
    pub fn from_stored(address: String) -> Self {
        Self(address)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_trimmed_and_their_domain_lowered() {
        assert_eq!(
            EmailAddress::parse("  Aziza.K@Example.UZ ")
                .unwrap()
                .as_str(),
            "Aziza.K@example.uz"
        );
        assert_eq!(
            EmailAddress::parse("a+tag@mail.example.com")
                .unwrap()
                .as_str(),
            "a+tag@mail.example.com"
        );
    }

    #[test]
    fn what_is_not_one_plain_address_is_refused() {
        assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
        let long = format!("{}@example.com", "a".repeat(250));
        assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
        for bad in [
            "aziza",
            "aziza@",
            "@example.com",
            "a b@example.com",
            "Aziza <a@example.com>",
            "a@example.com, b@example.com",
            "a@localhost",
            "a@example.com.",
            "a\r\nBcc: x@example.com",
            "a@exa mple.com",
        ] {
            assert_eq!(
                EmailAddress::parse(bad),
                Err(EmailError::Invalid),
                "{bad:?}"
            );
        }
    }
}
