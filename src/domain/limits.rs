//! The numbers of the sign-in and invite rules (defaults as in the design; each is configurable),
//! the arithmetic every limit shares (hour windows, "try again in N seconds"), how long a new
//! code is, and the worst case they leave an attacker.

use chrono::{NaiveDateTime, TimeDelta};

/// The sign-in rules; every number is configurable, defaults as in the design.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Digits of a code while the number's day budget of checks on short codes lasts.
    pub otp_length: usize,
    /// Digits of every code sent to a staff member.
    pub staff_otp_length: usize,
    pub otp_ttl: TimeDelta,
    /// Tries per code; also the number's day budget of wrong checks on short codes.
    pub otp_max_attempts: i32,
    pub resend_cooldown: TimeDelta,
    pub codes_per_phone_per_hour: i64,
    /// Codes per client network per hour that did not end in a sign-in.
    pub codes_per_ip_per_hour: i64,
    /// Failed checks per client network per hour (typos followed by a sign-in are forgiven).
    pub wrong_checks_per_ip_per_hour: i64,
    /// Failed checks of one number from one network within `lock_duration` that lock that
    /// network (only) out of that number until the window frees a place.
    pub lock_after_failures: i32,
    pub lock_duration: TimeDelta,
    /// Codes the service sends per hour in all.
    pub sms_per_hour: i64,
    /// Codes per hour to numbers that share all but their last 4 digits.
    pub sms_per_prefix_per_hour: i64,
    pub session_ttl: TimeDelta,
    pub session_touch_interval: TimeDelta,
    /// Invite codes a person may try per hour.
    pub invite_tries_per_hour: i64,
    /// People who may enter one person's code (`None`: no limit).
    pub invitees_per_inviter: Option<i64>,
    /// Invitees within one hour from one network or number block that flag their inviter for
    /// staff.
    pub invite_bunch_size: usize,
    /// New invite codes a person may give themselves in a day.
    pub invite_code_changes_per_day: i64,
    /// Invite links with a code no account has that one client network may open per hour
    /// (past it, that network's links answer nothing for the rest of the hour).
    pub invite_link_misses_per_hour: i64,
    /// Verification links sent for one account in an hour.
    pub email_links_per_account_per_hour: i64,
    /// Verification links sent to one address in an hour (whichever accounts asked).
    pub email_links_per_address_per_hour: i64,
    pub api_token_ttl: TimeDelta,
    /// How long sign-in events, codes, failed checks and invite tries are kept.
    pub retention: TimeDelta,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            otp_length: 4,
            staff_otp_length: LONG_OTP_LENGTH,
            otp_ttl: TimeDelta::minutes(5),
            otp_max_attempts: 3,
            resend_cooldown: TimeDelta::seconds(60),
            codes_per_phone_per_hour: 5,
            codes_per_ip_per_hour: 20,
            wrong_checks_per_ip_per_hour: 30,
            lock_after_failures: 10,
            lock_duration: TimeDelta::hours(1),
            sms_per_hour: 1000,
            sms_per_prefix_per_hour: 20,
            session_ttl: TimeDelta::days(14),
            session_touch_interval: TimeDelta::minutes(5),
            invite_tries_per_hour: 10,
            invitees_per_inviter: None,
            invite_link_misses_per_hour: 30,
            invite_code_changes_per_day: 3,
            invite_bunch_size: 10,
            email_links_per_account_per_hour: 5,
            email_links_per_address_per_hour: 3,
            api_token_ttl: TimeDelta::days(30),
            retention: TimeDelta::days(90),
        }
    }
}

/// The span every "per hour" limit counts over.
pub const WINDOW: TimeDelta = TimeDelta::hours(1);

/// The length of a code once a number's day budget of checks on short codes is spent (and the
/// longest code there is).
pub const LONG_OTP_LENGTH: usize = 8;

/// How long a verification link can be used.
pub const EMAIL_LINK_TTL: TimeDelta = TimeDelta::hours(24);

/// The span of a number's budget of checks on short codes.
pub const SHORT_CODE_BUDGET_WINDOW: TimeDelta = TimeDelta::days(1);

impl Limits {
    /// Digits of a new code for a number: staff always get `staff_otp_length`; everyone else
    /// gets `otp_length` until the number has had `otp_max_attempts` failed checks on short
    /// codes within a day, then [`LONG_OTP_LENGTH`].
    pub fn code_length(&self, staff: bool, short_failures_in_a_day: i64) -> usize {
        if staff {
            self.staff_otp_length
        } else if short_failures_in_a_day >= i64::from(self.otp_max_attempts) {
            LONG_OTP_LENGTH
        } else {
            self.otp_length
        }
    }

    /// Whether a code of `length` digits is short, so that checks on it spend the number's
    /// day budget.
    pub fn is_short(&self, length: usize) -> bool {
        length < LONG_OTP_LENGTH
    }

    /// The largest chance that an attacker with unlimited addresses signs in to one given
    /// (non-staff) number within one day, by the union bound over every guess the rules let
    /// through: at most `otp_max_attempts` guesses at `otp_length` digits (the day budget),
    /// and every other guess at [`LONG_OTP_LENGTH`] digits, at most `otp_max_attempts` per code
    /// and `codes_per_phone_per_hour` codes in each of the 25 hour windows that touch a day.
    pub fn worst_case_per_day(&self) -> f64 {
        let tries = f64::from(self.otp_max_attempts);
        let short = if self.is_short(self.otp_length) {
            tries / 10f64.powi(self.otp_length as i32)
        } else {
            0.0
        };
        let long_codes = self.codes_per_phone_per_hour as f64 * 25.0;
        short + long_codes * tries / 10f64.powi(LONG_OTP_LENGTH as i32)
    }
}

impl Limits {
    /// The longest span any limit looks back over: records younger than this are never purged.
    pub fn longest_lookback(&self) -> TimeDelta {
        [WINDOW, SHORT_CODE_BUDGET_WINDOW, self.lock_duration]
            .into_iter()
            .max()
            .unwrap_or(WINDOW)
    }
}

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
    fn codes_grow_long_once_a_numbers_short_budget_is_spent() {
        let l = Limits::default();
        assert_eq!(l.code_length(false, 0), 4);
        assert_eq!(l.code_length(false, 2), 4);
        assert_eq!(l.code_length(false, 3), 8, "one short code's three tries");
        assert_eq!(l.code_length(true, 0), 8, "staff");
        assert!(l.is_short(4) && l.is_short(7) && !l.is_short(8));
    }

    #[test]
    fn the_worst_case_is_about_three_in_ten_thousand_a_day() {
        let l = Limits::default();
        // the inputs the bound assumes
        assert_eq!((l.otp_length, l.otp_max_attempts), (4, 3));
        assert_eq!((LONG_OTP_LENGTH, l.codes_per_phone_per_hour), (8, 5));
        // 3 guesses at 4 digits, and 5 × 25 codes × 3 guesses at 8 digits
        let expected = 3.0 / 1e4 + 375.0 / 1e8;
        assert!((l.worst_case_per_day() - expected).abs() < 1e-12);
        assert!(l.worst_case_per_day() < 3.04e-4);
        // with OTP_LENGTH=6 the short codes' share falls a hundredfold
        let six = Limits {
            otp_length: 6,
            ..Limits::default()
        };
        assert!((six.worst_case_per_day() - (3.0 / 1e6 + 375.0 / 1e8)).abs() < 1e-12);
    }

    #[test]
    fn a_full_window_frees_a_place_an_hour_after_its_oldest_event() {
        let now = at(3600, 0);
        assert_eq!(window_start(now), at(0, 0));
        assert_eq!(window_retry_after(Some(at(600, 0)), now), 600);
        assert_eq!(window_retry_after(None, now), 3600);
    }
}
