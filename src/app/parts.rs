//! What every use case shares: the pool, the clock, the sender, the keys and the numbers.

use std::{sync::Arc, time::Duration};

use chrono::NaiveDateTime;
use tokio::sync::Notify;

use super::error::Error;
use crate::{
    clock::Clock,
    db::{self, DbConnection, DbError, DbPool},
    domain::{
        invite_code::InviteCodeGenerator, limits::Limits, phone::PhoneDisplay,
        test_numbers::TestNumbers,
    },
    mail::MailSender,
    sms::SmsSender,
};

/// The numbers, keys and invite code source that the sign-in and invite rules read.
#[derive(Clone)]
pub struct Config {
    pub limits: Limits,
    /// Key for the code HMACs, derived from the server secret.
    pub code_key: [u8; 32],
    /// Draws the invite code of a new account.
    pub invite_codes: Arc<dyn InviteCodeGenerator>,
    /// Key that seals the outbox's message bodies, derived from the server secret.
    pub outbox_key: [u8; 32],
    /// The site's host (`PUBLIC_ORIGIN`), named on a text's last line so browsers offer the
    /// code there.
    pub origin_host: Option<String>,
    /// Numbers that sign in with a fixed code, never sent (`TEST_PHONE_NUMBERS`).
    pub test_numbers: Arc<TestNumbers>,
    /// Where links in mail point: `PUBLIC_ORIGIN`, else the address the server listens on.
    pub link_origin: String,
    /// How people see the numbers of those who entered their code (`INVITEE_PHONE_DISPLAY`).
    pub invitee_phones: PhoneDisplay,
    /// Texts the inviter when someone joins (`INVITE_NOTIFY_SMS`).
    pub invite_notify_sms: bool,
    /// Where a day begins for the figures per day (`APP_TIME_ZONE`).
    pub time_zone: chrono_tz::Tz,
}

impl Config {
    /// The invite link of `code`, whole (`https://example.com/i/7K3M9Q`), to share.
    pub fn invite_link(&self, code: &str) -> String {
        format!(
            "{}{}",
            self.link_origin,
            crate::domain::invite_code::link_path(code)
        )
    }
}

/// The providers the delivery worker sends through.
#[derive(Clone)]
pub struct Senders {
    pub primary: Arc<dyn SmsSender>,
    /// Used for a message once the primary has failed it `fallback_after` times.
    pub fallback: Option<Arc<dyn SmsSender>>,
    pub fallback_after: i32,
    /// How long one try may take; a claim outlives it, so no two workers try one message at once.
    pub timeout: Duration,
}

impl Senders {
    /// Only `primary`, with the default timeout.
    pub fn one(primary: Arc<dyn SmsSender>) -> Self {
        Self {
            primary,
            fallback: None,
            fallback_after: 3,
            timeout: crate::sms::DEFAULT_TIMEOUT,
        }
    }

    /// The provider for a message's `attempt`-th try (counting from 1).
    pub fn for_attempt(&self, attempt: i32) -> &Arc<dyn SmsSender> {
        match &self.fallback {
            Some(fallback) if attempt > self.fallback_after => fallback,
            _ => &self.primary,
        }
    }
}

/// Everything the use cases are built from.
pub struct Parts {
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    pub senders: Senders,
    /// How mail goes out.
    pub mail: Arc<dyn MailSender>,
    pub config: Config,
    /// Wakes the delivery worker when a message is written.
    pub outbox: Arc<Notify>,
}

impl Parts {
    /// "Now", from the injected clock.
    pub(super) fn now(&self) -> NaiveDateTime {
        self.clock.now()
    }

    /// Runs `f` with a pooled connection on the blocking thread pool. `f` gets the parts too, so
    /// it needs to capture only its own inputs.
    pub(super) async fn run<T, F>(self: &Arc<Self>, f: F) -> Result<T, Error>
    where
        F: FnMut(&mut DbConnection, &Parts) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let parts = self.clone();
        let mut f = f;
        Ok(db::run(&self.pool, move |conn| f(conn, &parts)).await?)
    }
}
