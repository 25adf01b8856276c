//! How the admin pages write times and query strings.

/// `YYYY-MM-DD HH:MM` UTC, for the CSV export (pages show times through `Tr::moment`).
pub fn when(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// Percent-encodes a query value.
pub fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
