//! The numbers of the sign-in and invite rules (defaults as in the design; each is configurable)
//! and the arithmetic every limit shares: hour windows and "try again in N seconds".

use chrono::{NaiveDateTime, TimeDelta};

/// The sign-in rules; every number is configurable, defaults as in the design.
#[derive(Debug, Clone)]
pub struct Limits {
    pub otp_length: usize,
    pub otp_ttl: TimeDelta,
    pub otp_max_attempts: i32,
    pub resend_cooldown: TimeDelta,
    pub codes_per_phone_per_hour: i64,
    pub codes_per_ip_per_hour: i64,
    pub lock_after_failures: i32,
    pub lock_duration: TimeDelta,
    pub session_ttl: TimeDelta,
    pub session_touch_interval: TimeDelta,
    /// Invite codes a person may try per hour.
    pub invite_tries_per_hour: i64,
    pub api_token_ttl: TimeDelta,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            otp_length: 4,
            otp_ttl: TimeDelta::minutes(5),
            otp_max_attempts: 3,
            resend_cooldown: TimeDelta::seconds(60),
            codes_per_phone_per_hour: 5,
            codes_per_ip_per_hour: 20,
            lock_after_failures: 10,
            lock_duration: TimeDelta::hours(1),
            session_ttl: TimeDelta::days(14),
            session_touch_interval: TimeDelta::minutes(5),
            invite_tries_per_hour: 10,
            api_token_ttl: TimeDelta::days(30),
        }
    }
}

/// The span every "per hour" limit counts over.
pub const WINDOW: TimeDelta = TimeDelta::hours(1);

/// Whole seconds from `now` until `later`, rounded up and at least 1, so "try again in N
/// seconds" is never too early.
pub fn seconds_until(later: NaiveDateTime, now: NaiveDateTime) -> i64 {
    let delta = later - now;
    (delta.num_milliseconds() + 999).div_euclid(1000).max(1)
}

/// Where the current window starts: what happened after this counts.
pub fn window_start(now: NaiveDateTime) -> NaiveDateTime {
    now - WINDOW
}

/// How long until a full window frees a place: the oldest counted event leaves it one
/// [`WINDOW`] after it happened.
pub fn window_retry_after(oldest: Option<NaiveDateTime>, now: NaiveDateTime) -> i64 {
    seconds_until(oldest.unwrap_or(now) + WINDOW, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64, millis: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_764_000_000, 0)
            .unwrap()
            .naive_utc()
            + TimeDelta::seconds(seconds)
            + TimeDelta::milliseconds(millis)
    }

    #[test]
    fn waits_round_up_and_are_never_zero() {
        assert_eq!(seconds_until(at(60, 0), at(0, 0)), 60);
        assert_eq!(seconds_until(at(60, 0), at(0, 1)), 60, "59.999 s is 60");
        assert_eq!(seconds_until(at(0, 0), at(0, 0)), 1);
        assert_eq!(seconds_until(at(0, 0), at(5, 0)), 1, "already past");
    }

    #[test]
    fn a_full_window_frees_a_place_an_hour_after_its_oldest_event() {
        let now = at(3600, 0);
        assert_eq!(window_start(now), at(0, 0));
        assert_eq!(window_retry_after(Some(at(600, 0)), now), 600);
        assert_eq!(window_retry_after(None, now), 3600);
    }
}
