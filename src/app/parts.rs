//! What every use case shares: the pool, the clock, the sender, the keys and the numbers.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::error::Error;
use crate::{
    clock::Clock,
    db::{self, DbConnection, DbError, DbPool},
    domain::{invite_code::InviteCodeGenerator, limits::Limits},
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
}

/// Everything the use cases are built from.
pub struct Parts {
    pub pool: DbPool,
    pub clock: Arc<dyn Clock>,
    pub sms: Arc<dyn SmsSender>,
    pub config: Config,
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
        F: FnOnce(&mut DbConnection, &Parts) -> Result<T, DbError> + Send + 'static,
        T: Send + 'static,
    {
        let parts = self.clone();
        Ok(db::run(&self.pool, move |conn| f(conn, &parts)).await?)
    }
}
