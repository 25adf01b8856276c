//! Finding accounts: the admin's search text and filters, the orders, and the keyset position of
//! an export.

use chrono::NaiveDateTime;

use super::invite_code::InviteCode;

/// Yes, no, or either, for a filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tri {
    #[default]
    Any,
    Yes,
    No,
}

/// How the user list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UserSort {
    /// Newest accounts first.
    #[default]
    Joined,
    /// Most invitees first.
    Invitees,
}

/// The search and filters of the user list (and of its CSV export).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserFilter {
    /// Digits of a phone number, matched anywhere in it.
    pub phone_digits: Option<String>,
    /// An exact invite code.
    pub invite_code: Option<String>,
    pub staff: Tri,
    pub blocked: Tri,
    pub entered_code: Tri,
    pub sort: UserSort,
}

impl UserFilter {
    /// Reads the search text: phone digits matched anywhere, or an exact invite code (typed in
    /// any case, with spaces or dashes). Text that is neither matches no one.
    pub fn search(text: &str) -> Self {
        let text = text.trim();
        let digits: String = text.chars().filter(char::is_ascii_digit).collect();
        let looks_like_phone = !text.is_empty()
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || matches!(c, '+' | ' ' | '-' | '(' | ')'));
        let code = InviteCode::parse(text).ok().map(|c| c.as_str().to_owned());
        // no account has an empty code
        let code = match (&code, text.is_empty() || looks_like_phone) {
            (None, false) => Some(String::new()),
            _ => code,
        };
        UserFilter {
            phone_digits: (looks_like_phone && !digits.is_empty()).then_some(digits),
            invite_code: code,
            ..UserFilter::default()
        }
    }
}

/// A position in the export: the sort key of the last row written, and its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportCursor {
    Joined(NaiveDateTime, i64),
    Invitees(i64, i64),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_text_is_phone_digits_or_an_invite_code() {
        let f = UserFilter::search(" +998 (90) 12-3 ");
        assert_eq!(f.phone_digits.as_deref(), Some("99890123"));
        assert_eq!(f.invite_code, None);

        let f = UserFilter::search("7k3-m9q");
        assert_eq!(f.phone_digits, None);
        assert_eq!(f.invite_code.as_deref(), Some("7K3M9Q"));

        // six digits are both a phone fragment and a well-formed code
        let f = UserFilter::search("123456");
        assert_eq!(f.phone_digits.as_deref(), Some("123456"));
        assert_eq!(f.invite_code.as_deref(), Some("123456"));

        let f = UserFilter::search("hello world");
        assert_eq!(f.invite_code.as_deref(), Some(""), "matches no one");

        assert_eq!(UserFilter::search("  "), UserFilter::default());
    }
}
