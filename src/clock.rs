//! "Now", injected, so expiry, cooldowns and locks can be tested without sleeping.

use std::sync::{Arc, Mutex};

use chrono::{NaiveDateTime, SubsecRound, TimeDelta, Utc};

/// Source of the current UTC time, in whole microseconds: the precision PostgreSQL keeps, so a
/// time read back from either database equals the one written (keyset cursors rely on it).
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> NaiveDateTime;
}

/// The real clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        Utc::now().naive_utc().trunc_subsecs(6)
    }
}

/// A clock that moves only when told to; for tests and tools.
#[derive(Debug, Clone)]
pub struct ManualClock {
    now: Arc<Mutex<NaiveDateTime>>,
}

impl ManualClock {
    /// Starts at the current time.
    pub fn new() -> Self {
        Self::at(Utc::now().naive_utc())
    }

    pub fn at(now: NaiveDateTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(now.trunc_subsecs(6))),
        }
    }

    pub fn advance(&self, by: TimeDelta) {
        let mut now = self.now.lock().unwrap_or_else(|e| e.into_inner());
        *now = (*now + by).trunc_subsecs(6);
    }
}

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> NaiveDateTime {
        *self.now.lock().unwrap_or_else(|e| e.into_inner())
    }
}
