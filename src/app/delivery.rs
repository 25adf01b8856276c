//! Delivering text messages from the outbox: a worker claims the messages that are due, tries
//! each with its provider, and records what happened. A failed try waits (exponential backoff
//! with jitter) and goes again, through the fallback provider after `fallback_after` failures,
//! until its code expires; a message whose code can no longer be used is never sent.

use std::{sync::Arc, time::Duration};

use chrono::{NaiveDateTime, TimeDelta};

use super::{error::Error, parts::Parts};
use crate::{
    db::{self, DbConnection, DbError, outbox},
    domain::outbox::{MessageState, backoff, open},
    sms::{Outgoing, SendError},
};

/// Messages one round claims at most (and tries at once).
pub const BATCH: i64 = 32;
/// How long a claim outlives a try's timeout before another worker may take the message over.
/// (A try cannot outlast its timeout; the margin covers the trip to the database and clocks
/// that differ a little between instances.)
const CLAIM_MARGIN: TimeDelta = TimeDelta::seconds(5);

/// What one round did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Messages claimed.
    pub claimed: usize,
    pub sent: usize,
    /// Failed tries that will be tried again.
    pub retried: usize,
    /// Messages given up: refused by the provider, or their code expired first.
    pub given_up: usize,
}

pub struct Delivery {
    parts: Arc<Parts>,
}

impl Delivery {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Claims the messages that are due and tries each once, all at once.
    pub async fn deliver_due(&self) -> Result<Round, Error> {
        let now = self.parts.now();
        let until = now
            + TimeDelta::from_std(self.parts.senders.timeout).unwrap_or(TimeDelta::seconds(60))
            + CLAIM_MARGIN;
        let claimed = self
            .parts
            .run(move |conn, _| {
                db::write_transaction(conn, |conn| Ok(outbox::claim_due(conn, now, until, BATCH)?))
            })
            .await?;
        let mut round = Round {
            claimed: claimed.len(),
            ..Round::default()
        };
        let tries = claimed.into_iter().map(|m| self.try_once(m));
        for result in futures_util::future::join_all(tries).await {
            match result? {
                Tried::Sent => round.sent += 1,
                Tried::Retry => round.retried += 1,
                Tried::GaveUp => round.given_up += 1,
            }
        }
        Ok(round)
    }

    /// Wakes a worker waiting in [`Delivery::wait_for_work`].
    pub fn wake(&self) {
        self.parts.outbox.notify_one();
    }

    /// Waits until a message is written or `at_most` has passed.
    pub async fn wait_for_work(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.parts.outbox.notified()).await;
    }

    async fn try_once(&self, m: outbox::Claimed) -> Result<Tried, Error> {
        let parts = &self.parts;
        let now = parts.now();
        if m.expires_at <= now {
            return self
                .record(Tried::GaveUp, move |conn, now| {
                    outbox::give_up(
                        conn,
                        m.id,
                        MessageState::Expired,
                        m.provider.as_deref(),
                        "its code expired before it could be sent",
                        now,
                    )
                })
                .await;
        }
        let Ok(text) = open(&parts.config.outbox_key, &m.phone, &m.body) else {
            return self
                .record(Tried::GaveUp, move |conn, now| {
                    outbox::give_up(
                        conn,
                        m.id,
                        MessageState::Failed,
                        None,
                        "its body could not be opened (was SECRET_KEY changed?)",
                        now,
                    )
                })
                .await;
        };
        let sender = parts.senders.for_attempt(m.attempts).clone();
        let provider = sender.name().to_owned();
        let sent = sender
            .send(Outgoing {
                to: &m.phone,
                text: &text,
                idempotency_key: &m.idempotency_key,
            })
            .await;
        match sent {
            Ok(accepted) => {
                self.record(Tried::Sent, move |conn, now| {
                    outbox::mark_sent(
                        conn,
                        m.id,
                        &provider,
                        accepted.provider_message_id.as_deref(),
                        now,
                    )
                })
                .await
            }
            Err(SendError::Refused(error)) => {
                log::warn!("message {}: {provider} refused it: {error}", m.id);
                self.record(Tried::GaveUp, move |conn, now| {
                    outbox::give_up(
                        conn,
                        m.id,
                        MessageState::Failed,
                        Some(&provider),
                        &error,
                        now,
                    )
                })
                .await
            }
            Err(SendError::Transient(error)) => {
                let next = parts.now() + backoff(m.attempts, rand::random::<f64>());
                log::warn!(
                    "message {}: try {} through {provider} failed: {error}",
                    m.id,
                    m.attempts
                );
                if next < m.expires_at {
                    self.record(Tried::Retry, move |conn, now| {
                        outbox::reschedule(conn, m.id, &provider, &error, next, now)
                    })
                    .await
                } else {
                    let error = format!("gave up, its code expires before another try: {error}");
                    self.record(Tried::GaveUp, move |conn, now| {
                        outbox::give_up(
                            conn,
                            m.id,
                            MessageState::Expired,
                            Some(&provider),
                            &error,
                            now,
                        )
                    })
                    .await
                }
            }
        }
    }

    /// Writes a try's result (a no-op when a newer code retired the message meanwhile).
    async fn record<F>(&self, tried: Tried, write: F) -> Result<Tried, Error>
    where
        F: FnOnce(&mut DbConnection, NaiveDateTime) -> diesel::QueryResult<usize> + Send + 'static,
    {
        self.parts
            .run(move |conn, parts| Ok::<_, DbError>(write(conn, parts.now())?))
            .await?;
        Ok(tried)
    }
}

/// What one try came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tried {
    Sent,
    Retry,
    GaveUp,
}
