//! Pure types and rules, no I/O: phone numbers, one-time codes, invite codes, accounts, paging
//! cursors, the arithmetic of limits, the staff actions, and every refusal a rule can give.
//! Nothing here reads the clock, the database or the network; callers pass "now" in.

/// In a JSON-schema pattern, the white space (Unicode's) that parsers trim from either end of
/// what was typed: `str::trim`'s.
pub const TRIMMED_SPACE: &str =
    r"[\t\n\u000b\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*";

pub mod account;
pub mod client;
pub mod cursor;
pub mod devices;
pub mod email;
pub mod invite_code;
pub mod invite_tree;
pub mod limits;
pub mod name;
pub mod otp;
pub mod outbox;
pub mod paths;
pub mod phone;
pub mod refusal;
pub mod search;
pub mod sms_text;
pub mod staff;
pub mod test_numbers;
pub mod token;
