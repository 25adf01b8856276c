//! The one table from every refusal to what the edge answers: the HTTP status, the API's stable
//! code, the Fluent id of the message, its arguments, and `Retry-After`. The web pages show the
//! translated message on their form; the API sends it as a problem document. Nothing else maps
//! a refusal.

use actix_web::http::StatusCode;
use fluent_bundle::FluentValue;

use crate::{
    domain::{
        email::EmailError,
        invite_code::InviteCodeError,
        name::{MAX_NAME_CHARS, NameError},
        otp::OtpError,
        phone::PhoneError,
        refusal::{
            ChangeRefused, CodeChangeRefused, EmailRefused, InvitationRefused, InviteRefused,
            LinkRefused, SendRefused, VerifyRefused,
        },
    },
    i18n::Tr,
};

/// A refusal as the edge answers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: StatusCode,
    /// Stable and machine-readable (the API's `code`).
    pub code: &'static str,
    /// Fluent id of the message.
    pub message: &'static str,
    pub args: Vec<(&'static str, Arg)>,
    /// Seconds until a retry can succeed.
    pub retry_after: Option<i64>,
    /// Tries left for the current code.
    pub attempts_left: Option<i32>,
}

/// A Fluent argument value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Number(i64),
    Text(String),
}

impl Refused {
    pub fn new(status: StatusCode, code: &'static str, message: &'static str) -> Self {
        Self {
            status,
            code,
            message,
            args: Vec::new(),
            retry_after: None,
            attempts_left: None,
        }
    }

    pub fn arg(mut self, name: &'static str, value: Arg) -> Self {
        self.args.push((name, value));
        self
    }

    /// Counts the refusal as answered (`refusals_total` by its code), for `/metrics`.
    pub fn count(&self) {
        metrics::counter!("refusals_total", "code" => self.code).increment(1);
    }

    pub fn retry_after(mut self, seconds: i64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// The message in `tr`'s language, with its arguments and, when there is a wait, "try again
    /// in …" as `$retry`.
    pub fn text(&self, tr: &Tr) -> String {
        let mut args: Vec<(&str, FluentValue)> = self
            .args
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Arg::Number(n) => FluentValue::from(*n),
                    Arg::Text(t) => FluentValue::from(t.clone()),
                };
                (*k, v)
            })
            .collect();
        if let Some(seconds) = self.retry_after {
            args.push(("retry", tr.retry_after(seconds).into()));
        }
        tr.args(self.message, &args)
    }
}

/// Anything the edge can refuse with.
pub trait Refusal {
    fn refused(&self) -> Refused;
}

impl Refusal for Refused {
    fn refused(&self) -> Refused {
        self.clone()
    }
}

const UNPROCESSABLE: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;
const TOO_MANY: StatusCode = StatusCode::TOO_MANY_REQUESTS;

fn locked(retry_after: i64) -> Refused {
    Refused::new(TOO_MANY, "phone_locked", "login-locked").retry_after(retry_after)
}

impl Refusal for PhoneError {
    fn refused(&self) -> Refused {
        let message = match self {
            PhoneError::Empty => "phone-error-empty",
            PhoneError::Characters => "phone-error-characters",
            PhoneError::TooLong => "phone-error-too-long",
            PhoneError::NeedsPlus => "phone-error-needs-plus",
            PhoneError::Invalid => "phone-error-invalid",
            PhoneError::NotTextable => "phone-error-type",
            PhoneError::RegionNotServed => "phone-error-region",
        };
        Refused::new(UNPROCESSABLE, "phone_invalid", message)
    }
}

impl Refusal for OtpError {
    fn refused(&self) -> Refused {
        match self {
            OtpError::Empty => Refused::new(UNPROCESSABLE, "otp_invalid", "code-error-empty"),
            OtpError::Format { min, max } => {
                Refused::new(UNPROCESSABLE, "otp_invalid", "code-error-format")
                    .arg("min", Arg::Number(*min as i64))
                    .arg("max", Arg::Number(*max as i64))
            }
        }
    }
}

impl Refusal for InviteCodeError {
    fn refused(&self) -> Refused {
        let message = match self {
            InviteCodeError::Empty => "invite-error-empty",
            InviteCodeError::TooLong => "invite-error-too-long",
            InviteCodeError::Characters => "invite-error-characters",
            InviteCodeError::Length => "invite-error-length",
        };
        Refused::new(UNPROCESSABLE, "invite_code_invalid", message)
    }
}

impl Refusal for NameError {
    fn refused(&self) -> Refused {
        match self {
            NameError::TooLong => {
                Refused::new(UNPROCESSABLE, "name_invalid", "name-error-too-long")
                    .arg("max", Arg::Number(MAX_NAME_CHARS as i64))
            }
            NameError::Invisible => {
                Refused::new(UNPROCESSABLE, "name_invalid", "name-error-invisible")
            }
        }
    }
}

impl Refusal for SendRefused {
    fn refused(&self) -> Refused {
        match *self {
            SendRefused::ResendTooSoon { retry_after } => {
                Refused::new(TOO_MANY, "resend_too_soon", "problem-resend-too-soon")
                    .retry_after(retry_after)
            }
            SendRefused::TooManyForPhone { retry_after } => {
                Refused::new(TOO_MANY, "too_many_codes_phone", "code-limit-phone")
                    .retry_after(retry_after)
            }
            SendRefused::TooManyFromAddress { retry_after } => {
                Refused::new(TOO_MANY, "too_many_codes_ip", "code-limit-ip")
                    .retry_after(retry_after)
            }
            SendRefused::TooManyForPrefix { retry_after } => {
                Refused::new(TOO_MANY, "too_many_codes_prefix", "code-limit-prefix")
                    .retry_after(retry_after)
            }
            SendRefused::BudgetSpent { retry_after } => {
                Refused::new(TOO_MANY, "sms_budget_spent", "code-limit-total")
                    .retry_after(retry_after)
            }
            SendRefused::PhoneLocked { retry_after } => locked(retry_after),
        }
    }
}

impl Refusal for VerifyRefused {
    fn refused(&self) -> Refused {
        match *self {
            VerifyRefused::Wrong { attempts_left } if attempts_left > 0 => {
                let mut refused = Refused::new(UNPROCESSABLE, "otp_wrong", "code-wrong")
                    .arg("left", Arg::Number(attempts_left.into()));
                refused.attempts_left = Some(attempts_left);
                refused
            }
            // the last try was wrong: the code is dead, as if it had been used up
            VerifyRefused::Wrong { .. } | VerifyRefused::UsedUp => {
                Refused::new(UNPROCESSABLE, "otp_used_up", "code-need-new")
            }
            VerifyRefused::TooManyFromAddress { retry_after } => {
                Refused::new(TOO_MANY, "too_many_wrong_codes_ip", "code-wrong-limit-ip")
                    .retry_after(retry_after)
            }
            VerifyRefused::Expired => Refused::new(UNPROCESSABLE, "otp_expired", "code-expired"),
            VerifyRefused::PhoneLocked { retry_after } => locked(retry_after),
            VerifyRefused::Blocked => {
                Refused::new(StatusCode::FORBIDDEN, "account_blocked", "login-blocked")
            }
        }
    }
}

impl Refusal for InviteRefused {
    fn refused(&self) -> Refused {
        match *self {
            InviteRefused::Unknown => {
                Refused::new(UNPROCESSABLE, "invite_code_unknown", "invite-error-unknown")
            }
            InviteRefused::Own => {
                Refused::new(UNPROCESSABLE, "invite_code_own", "invite-error-own")
            }
            InviteRefused::Cycle => {
                Refused::new(UNPROCESSABLE, "invite_cycle", "invite-error-cycle")
            }
            InviteRefused::AlreadyEntered => Refused::new(
                StatusCode::CONFLICT,
                "invite_already_entered",
                "invite-error-already",
            ),
            InviteRefused::RateLimited { retry_after } => {
                Refused::new(TOO_MANY, "invite_rate_limited", "invite-error-rate")
                    .retry_after(retry_after)
            }
            InviteRefused::Full => Refused::new(
                StatusCode::CONFLICT,
                "invite_code_full",
                "invite-error-full",
            ),
        }
    }
}

impl Refusal for CodeChangeRefused {
    fn refused(&self) -> Refused {
        match *self {
            CodeChangeRefused::TooMany { retry_after } => Refused::new(
                TOO_MANY,
                "invite_code_changes_limited",
                "invite-new-code-rate",
            )
            .retry_after(retry_after),
        }
    }
}

impl Refusal for InvitationRefused {
    fn refused(&self) -> Refused {
        match *self {
            InvitationRefused::Unknown => Refused::new(
                StatusCode::NOT_FOUND,
                "invitation_unknown",
                "invitation-unknown",
            ),
            InvitationRefused::TooManyMisses { retry_after } => {
                Refused::new(TOO_MANY, "invitation_rate_limited", "invitation-rate")
                    .retry_after(retry_after)
            }
        }
    }
}

impl Refusal for EmailError {
    fn refused(&self) -> Refused {
        let message = match self {
            EmailError::Empty => "email-error-empty",
            EmailError::TooLong => "email-error-too-long",
            EmailError::Invalid => "email-error-invalid",
        };
        Refused::new(UNPROCESSABLE, "email_invalid", message)
    }
}

impl Refusal for EmailRefused {
    fn refused(&self) -> Refused {
        match *self {
            EmailRefused::Unchanged => {
                Refused::new(UNPROCESSABLE, "email_unchanged", "email-error-same")
            }
            EmailRefused::TooManyForAccount { retry_after } => {
                Refused::new(TOO_MANY, "too_many_links_account", "email-limit-account")
                    .retry_after(retry_after)
            }
            EmailRefused::TooManyForAddress { retry_after } => {
                Refused::new(TOO_MANY, "too_many_links_address", "email-limit-address")
                    .retry_after(retry_after)
            }
        }
    }
}

impl Refusal for LinkRefused {
    fn refused(&self) -> Refused {
        match self {
            LinkRefused::Invalid => {
                Refused::new(UNPROCESSABLE, "link_invalid", "email-link-invalid")
            }
            LinkRefused::Expired => {
                Refused::new(UNPROCESSABLE, "link_expired", "email-link-expired")
            }
        }
    }
}

impl Refusal for ChangeRefused {
    fn refused(&self) -> Refused {
        match self {
            ChangeRefused::Send(refused) => refused.refused(),
            ChangeRefused::Verify(refused) => refused.refused(),
            ChangeRefused::SamePhone => {
                Refused::new(UNPROCESSABLE, "phone_unchanged", "phone-change-same")
            }
            ChangeRefused::PhoneTaken => {
                Refused::new(StatusCode::CONFLICT, "phone_taken", "phone-change-taken")
            }
            ChangeRefused::LastOwner => Refused::new(
                StatusCode::CONFLICT,
                "last_owner",
                "delete-error-last-owner",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::i18n::Locales;

    /// Every refusal, for checks over the whole table.
    fn every_refusal() -> Vec<Refused> {
        let mut all: Vec<Refused> = Vec::new();
        all.extend(
            [
                PhoneError::Empty,
                PhoneError::Characters,
                PhoneError::TooLong,
                PhoneError::NeedsPlus,
                PhoneError::Invalid,
                PhoneError::NotTextable,
                PhoneError::RegionNotServed,
            ]
            .iter()
            .map(Refusal::refused),
        );
        all.extend(
            [OtpError::Empty, OtpError::Format { min: 4, max: 8 }]
                .iter()
                .map(Refusal::refused),
        );
        all.extend(
            [
                InviteCodeError::Empty,
                InviteCodeError::TooLong,
                InviteCodeError::Characters,
                InviteCodeError::Length,
            ]
            .iter()
            .map(Refusal::refused),
        );
        all.extend(
            [NameError::TooLong, NameError::Invisible]
                .iter()
                .map(Refusal::refused),
        );
        all.extend(
            [
                SendRefused::ResendTooSoon { retry_after: 5 },
                SendRefused::TooManyForPhone { retry_after: 5 },
                SendRefused::TooManyFromAddress { retry_after: 5 },
                SendRefused::TooManyForPrefix { retry_after: 5 },
                SendRefused::BudgetSpent { retry_after: 5 },
                SendRefused::PhoneLocked { retry_after: 5 },
            ]
            .iter()
            .map(Refusal::refused),
        );
        all.extend(
            [
                VerifyRefused::Wrong { attempts_left: 2 },
                VerifyRefused::Wrong { attempts_left: 0 },
                VerifyRefused::UsedUp,
                VerifyRefused::TooManyFromAddress { retry_after: 5 },
                VerifyRefused::Expired,
                VerifyRefused::PhoneLocked { retry_after: 5 },
                VerifyRefused::Blocked,
            ]
            .iter()
            .map(Refusal::refused),
        );
        all.extend(
            [
                InviteRefused::Unknown,
                InviteRefused::Own,
                InviteRefused::Cycle,
                InviteRefused::AlreadyEntered,
                InviteRefused::RateLimited { retry_after: 5 },
                InviteRefused::Full,
            ]
            .iter()
            .map(Refusal::refused),
        );
        all.extend(
            [
                ChangeRefused::SamePhone,
                ChangeRefused::PhoneTaken,
                ChangeRefused::LastOwner,
            ]
            .iter()
            .map(Refusal::refused),
        );
        all.extend(
            [EmailError::Empty, EmailError::TooLong, EmailError::Invalid]
                .iter()
                .map(Refusal::refused),
        );
        all.extend(
            [
                EmailRefused::Unchanged,
                EmailRefused::TooManyForAccount { retry_after: 5 },
                EmailRefused::TooManyForAddress { retry_after: 5 },
            ]
            .iter()
            .map(Refusal::refused),
        );
        all.extend(
            [LinkRefused::Invalid, LinkRefused::Expired]
                .iter()
                .map(Refusal::refused),
        );
        all
    }

    #[test]
    fn every_refusal_is_a_client_error_or_a_503_with_a_message_in_every_language() {
        let locales = Arc::new(Locales::load().unwrap());
        for r in every_refusal() {
            assert!(
                r.status.is_client_error() || r.status == StatusCode::SERVICE_UNAVAILABLE,
                "{r:?}"
            );
            assert_eq!(r.status == TOO_MANY, r.retry_after.is_some(), "{r:?}");
            for (lang, _) in crate::i18n::LANGUAGES {
                assert!(locales.has(lang, r.message), "{lang} lacks {}", r.message);
                let text = r.text(&Tr::new(locales.clone(), lang));
                assert!(!text.contains('{') && !text.is_empty(), "{lang}: {text}");
            }
        }
    }

    #[test]
    fn a_wait_and_the_tries_left_reach_the_message() {
        let tr = Tr::new(Arc::new(Locales::load().unwrap()), "en");
        let r = SendRefused::TooManyForPhone { retry_after: 90 }.refused();
        assert_eq!(
            r.text(&tr),
            "Too many codes were sent to this number. Try again in 90 seconds."
        );
        let r = VerifyRefused::Wrong { attempts_left: 2 }.refused();
        assert_eq!(r.attempts_left, Some(2));
        assert!(r.text(&tr).contains('2'), "{}", r.text(&tr));
        let r = OtpError::Format { min: 4, max: 8 }.refused();
        assert_eq!(r.text(&tr), "A code has 4 to 8 digits.");
    }
}
