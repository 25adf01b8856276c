//! Where a person is signed in: their live web sessions and API tokens, each with the browser
//! and system its user agent names, in words.

use chrono::NaiveDateTime;

use super::account::Credential;

/// One place a person is signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Device {
    pub kind: Credential,
    pub id: i64,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    /// "Firefox", "Chrome", …; `None` when the user agent says nothing known.
    pub browser: Option<String>,
    /// "Windows 10", "Android", "iPhone", …; `None` when unknown.
    pub system: Option<String>,
    pub ip: Option<String>,
    /// The session or token of the request that asks.
    pub current: bool,
}

/// The browser and the system a user agent names (`None` for what it does not say).
pub fn describe(user_agent: Option<&str>) -> (Option<String>, Option<String>) {
    let Some(parsed) = user_agent.and_then(|ua| woothee::parser::Parser::new().parse(ua)) else {
        return (None, None);
    };
    let known = |s: &str| (!s.is_empty() && s != "UNKNOWN").then(|| s.to_owned());
    (known(parsed.name), known(parsed.os))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_agent_is_told_in_words() {
        let firefox = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
        assert_eq!(
            describe(Some(firefox)),
            (Some("Firefox".into()), Some("Linux".into()))
        );
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
        assert_eq!(
            describe(Some(iphone)),
            (Some("Safari".into()), Some("iPhone".into()))
        );
        assert_eq!(
            describe(Some("curl/8.5.0")).0.as_deref(),
            Some("HTTP Library")
        );
        assert_eq!(describe(Some("")), (None, None));
        assert_eq!(describe(None), (None, None));
    }
}
