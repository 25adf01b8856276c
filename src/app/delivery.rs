//! Delivering text messages from the outbox: a worker claims the messages that are due, tries
//! each with its provider, and records what happened. A failed try waits (exponential backoff
//! with jitter) and goes again, through the fallback provider after `fallback_after` failures,
//! until its code expires; a message whose code can no longer be used is never sent.

use std::{sync::Arc, time::Duration};

use chrono::{NaiveDateTime, TimeDelta};

use super::{
    error::Error,
    parts::{Config, Parts},
};
use crate::{
    db::{
        self, DbConnection, DbError,
        admin::{self, NewAudit},
        outbox::{self, NewMessage},
        users,
    },
    domain::{
        account::User,
        outbox::{Channel, MessageState, backoff, can_retry, open, seal, split_mail},
        token::hex,
    },
    mail::OutgoingMail,
    sms::{Outgoing, SendError},
};

/// A message's body sealed for its recipient, with the key that makes its sending idempotent.
pub struct Sealed {
    body: Vec<u8>,
    key: String,
}

impl Sealed {
    /// Seals `text` for `to`, with a new idempotency key.
    pub fn new(cfg: &Config, to: &str, text: &str) -> Self {
        let mut key = [0u8; 16];
        rand::fill(&mut key);
        Self {
            body: seal(&cfg.outbox_key, to, text),
            key: hex(&key),
        }
    }

    /// The outbox row of this message to `to` on `channel`, due now, to be sent before
    /// `expires_at`.
    pub fn row<'a>(
        &'a self,
        channel: Channel,
        to: &'a str,
        expires_at: NaiveDateTime,
        now: NaiveDateTime,
    ) -> NewMessage<'a> {
        NewMessage {
            phone: to,
            channel: channel.as_str(),
            body: &self.body,
            expires_at,
            state: MessageState::Pending.as_str(),
            attempts: 0,
            next_attempt_at: now,
            idempotency_key: &self.key,
            created_at: now,
            updated_at: now,
        }
    }
}

/// Puts a message in the outbox, its body sealed, to be sent before `expires_at`; the caller
/// wakes the delivery worker once its transaction commits.
pub fn enqueue(
    conn: &mut DbConnection,
    cfg: &Config,
    channel: Channel,
    to: &str,
    text: &str,
    expires_at: NaiveDateTime,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    let sealed = Sealed::new(cfg, to, text);
    outbox::insert(conn, &sealed.row(channel, to, expires_at, now))?;
    Ok(())
}

/// Messages one round claims at most (and tries at once).
pub const BATCH: i64 = 32;
/// How long a claim outlives a try's timeout before another worker may take the message over.
/// (A try cannot outlast its timeout; the margin covers the trip to the database and clocks
/// that differ a little between instances.)
const CLAIM_MARGIN: TimeDelta = TimeDelta::seconds(5);
/// How long the worker waits before it tries again to record a round's results.
const RECORD_PAUSE: Duration = Duration::from_millis(250);

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
        // (a claim lasts `until`; its results are recorded before it runs out, or not at all)
        let record_until = std::time::Instant::now() + self.parts.senders.timeout;
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
        if claimed.is_empty() {
            return Ok(round);
        }
        let tries = claimed.into_iter().map(|m| self.try_once(m));
        let results = futures_util::future::join_all(tries).await;
        for result in &results {
            let (outcome, provider) = match result {
                Outcome::Sent { provider, .. } => {
                    round.sent += 1;
                    ("sent", provider.clone())
                }
                Outcome::Retry { provider, .. } => {
                    round.retried += 1;
                    ("retried", provider.clone())
                }
                Outcome::GiveUp { provider, .. } => {
                    round.given_up += 1;
                    (
                        "given_up",
                        provider.clone().unwrap_or_else(|| "none".into()),
                    )
                }
            };
            // (the provider says the channel: `smtp` and the mail console are mail)
            metrics::counter!("outbox_tries_total", "outcome" => outcome, "provider" => provider)
                .increment(1);
        }
        // the round's results in one transaction (one commit, however many messages); while
        // the database is away they are held and tried again as long as the claims last, so a
        // message that went out is not sent again when it comes back
        let results = Arc::new(results);
        loop {
            let results = results.clone();
            let recorded = self
                .parts
                .run(move |conn, parts| {
                    let now = parts.now();
                    db::write_transaction(conn, |conn| {
                        // the messages sent (most of a round) in one statement
                        let sent: Vec<_> = results
                            .iter()
                            .filter_map(|r| match r {
                                Outcome::Sent {
                                    id,
                                    provider,
                                    provider_message_id,
                                } => Some((*id, provider.as_str(), provider_message_id.as_deref())),
                                _ => None,
                            })
                            .collect();
                        outbox::mark_all_sent(conn, &sent, now)?;
                        for result in results.iter() {
                            result.record(conn, now)?;
                        }
                        Ok::<_, DbError>(())
                    })
                })
                .await;
            match recorded {
                Err(Error::Unavailable)
                    if std::time::Instant::now() + RECORD_PAUSE < record_until =>
                {
                    tokio::time::sleep(RECORD_PAUSE).await;
                }
                other => return other.map(|()| round),
            }
        }
    }

    /// Wakes a worker waiting in [`Delivery::wait_for_work`].
    pub fn wake(&self) {
        self.parts.outbox.notify_one();
    }

    /// Waits until a message is written or `at_most` has passed.
    pub async fn wait_for_work(&self, at_most: Duration) {
        let _ = tokio::time::timeout(at_most, self.parts.outbox.notified()).await;
    }

    /// Tries one claimed message (no database trip: the round records every result at once).
    async fn try_once(&self, m: outbox::Claimed) -> Outcome {
        let parts = &self.parts;
        if m.expires_at <= parts.now() {
            return Outcome::GiveUp {
                id: m.id,
                state: MessageState::Expired,
                provider: m.provider,
                error: "its code expired before it could be sent".into(),
            };
        }
        let Ok(text) = open(&parts.config.outbox_key, &m.phone, &m.body) else {
            return Outcome::GiveUp {
                id: m.id,
                state: MessageState::Failed,
                provider: None,
                error: "its body could not be opened (was SECRET_KEY changed?)".into(),
            };
        };
        let (provider, sent) = if m.channel == Channel::Email.as_str() {
            let (subject, text) = split_mail(&text);
            let sender = parts.mail.clone();
            let sent = sender
                .send(OutgoingMail {
                    to: &m.phone,
                    subject,
                    text,
                    idempotency_key: &m.idempotency_key,
                })
                .await;
            (sender.name().to_owned(), sent)
        } else {
            let sender = parts.senders.for_attempt(m.attempts).clone();
            let sent = sender
                .send(Outgoing {
                    to: &m.phone,
                    text: &text,
                    idempotency_key: &m.idempotency_key,
                })
                .await;
            (sender.name().to_owned(), sent)
        };
        match sent {
            Ok(accepted) => Outcome::Sent {
                id: m.id,
                provider,
                provider_message_id: accepted.provider_message_id,
            },
            Err(SendError::Refused(error)) => {
                log::warn!("message {}: {provider} refused it: {error}", m.id);
                Outcome::GiveUp {
                    id: m.id,
                    state: MessageState::Failed,
                    provider: Some(provider),
                    error,
                }
            }
            Err(SendError::Transient(error)) => {
                let next = parts.now() + backoff(m.attempts, rand::random::<f64>());
                log::warn!(
                    "message {}: try {} through {provider} failed: {error}",
                    m.id,
                    m.attempts
                );
                if next < m.expires_at {
                    Outcome::Retry {
                        id: m.id,
                        provider,
                        error,
                        next,
                    }
                } else {
                    Outcome::GiveUp {
                        id: m.id,
                        state: MessageState::Expired,
                        provider: Some(provider),
                        error: format!("gave up, its code expires before another try: {error}"),
                    }
                }
            }
        }
    }
}

/// What one try came to, to be recorded (a no-op when a newer code retired the message
/// meanwhile).
#[derive(Debug)]
enum Outcome {
    Sent {
        id: i64,
        provider: String,
        provider_message_id: Option<String>,
    },
    Retry {
        id: i64,
        provider: String,
        error: String,
        next: NaiveDateTime,
    },
    GiveUp {
        id: i64,
        state: MessageState,
        provider: Option<String>,
        error: String,
    },
}

impl Outcome {
    /// Records a try that did not end in a sent message (those are recorded together, by
    /// `outbox::mark_all_sent`).
    fn record(&self, conn: &mut DbConnection, now: NaiveDateTime) -> diesel::QueryResult<usize> {
        match self {
            Outcome::Sent { .. } => Ok(0),
            Outcome::Retry {
                id,
                provider,
                error,
                next,
            } => outbox::reschedule(conn, *id, provider, error, *next, now),
            Outcome::GiveUp {
                id,
                state,
                provider,
                error,
            } => outbox::give_up(conn, *id, *state, provider.as_deref(), error, now),
        }
    }
}

/// What a provider reported about a sent message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Report {
    Delivered,
    Failed(String),
}

/// Messages by state and provider, and how long the oldest unsent one has waited.
#[derive(Debug, Clone, Default)]
pub struct Overview {
    /// (state, provider or "—", count) of messages written in the last hour, and in the last day.
    pub last_hour: Vec<(MessageState, String, i64)>,
    pub last_day: Vec<(MessageState, String, i64)>,
    /// Seconds the oldest pending or sending message has waited.
    pub oldest_unsent_age: Option<i64>,
}

/// Which messages to list.
#[derive(Debug, Clone, Default)]
pub struct OutboxQuery {
    pub state: Option<MessageState>,
    pub provider: Option<String>,
    /// Numbers containing these digits.
    pub phone: Option<String>,
    /// Only those older than this message.
    pub before: Option<i64>,
}

/// A listed message and whether staff may send it again.
#[derive(Debug, Clone)]
pub struct Listed {
    pub message: outbox::MessageRow,
    pub retryable: bool,
}

/// One page of the outbox.
#[derive(Debug, Clone)]
pub struct OutboxPage {
    pub rows: Vec<Listed>,
    pub more: bool,
}

/// Messages per page of the outbox list.
pub const PER_PAGE: i64 = 50;

/// What "send it again" came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryResult {
    /// Back in line, audited; the worker has been woken.
    Queued,
    /// Its code can no longer be used, it did not fail, or a newer message replaced it.
    NotRetryable,
    NotFound,
}

impl Delivery {
    /// Records a provider's delivery report; whether it matched a sent message.
    pub async fn report(
        &self,
        provider: &str,
        provider_message_id: &str,
        report: Report,
    ) -> Result<bool, Error> {
        let (provider, id) = (provider.to_owned(), provider_message_id.to_owned());
        self.parts
            .run(move |conn, parts| {
                let (state, error) = match &report {
                    Report::Delivered => (MessageState::Delivered, None),
                    Report::Failed(e) => (MessageState::Failed, Some(e.as_str())),
                };
                Ok(outbox::report(conn, &provider, &id, state, error, parts.now())? > 0)
            })
            .await
    }

    /// The outbox page's figures.
    pub async fn overview(&self) -> Result<Overview, Error> {
        self.parts
            .run(|conn, parts| {
                let now = parts.now();
                let figures = |rows: Vec<(String, Option<String>, i64)>| {
                    rows.into_iter()
                        .filter_map(|(state, provider, n)| {
                            let provider = provider.unwrap_or_else(|| "—".to_owned());
                            MessageState::parse(&state).map(|s| (s, provider, n))
                        })
                        .collect()
                };
                Ok(Overview {
                    last_hour: figures(outbox::counts_since(conn, now - TimeDelta::hours(1))?),
                    last_day: figures(outbox::counts_since(conn, now - TimeDelta::days(1))?),
                    oldest_unsent_age: outbox::oldest_unsent(conn)?
                        .map(|at| (now - at).num_seconds().max(0)),
                })
            })
            .await
    }

    /// One page of messages, newest first.
    pub async fn page(&self, query: OutboxQuery) -> Result<OutboxPage, Error> {
        self.parts
            .run(move |conn, parts| {
                let now = parts.now();
                let filter = outbox::Filter {
                    state: query.state,
                    provider: query.provider.clone(),
                    phone: query.phone.clone(),
                };
                let (rows, more) = outbox::page(conn, &filter, query.before, PER_PAGE)?;
                let phones: Vec<String> = rows.iter().map(|r| r.phone.clone()).collect();
                let newest = outbox::newest_ids(conn, &phones)?;
                let rows = rows
                    .into_iter()
                    .map(|m| {
                        let is_newest = newest.iter().any(|(p, id)| *p == m.phone && *id == m.id);
                        Listed {
                            retryable: can_retry(
                                &m.state,
                                m.expires_at,
                                !m.body.is_empty(),
                                is_newest,
                                now,
                            ),
                            message: m,
                        }
                    })
                    .collect();
                Ok(OutboxPage { rows, more })
            })
            .await
    }

    /// Staff send a failed message again while its code can be used; audited with who and where.
    pub async fn retry_now(&self, by: &User, ip: &str, id: i64) -> Result<RetryResult, Error> {
        let (actor_id, actor_label, ip) = (by.id, by.phone.clone(), ip.to_owned());
        let result = self
            .parts
            .run(move |conn, parts| {
                let now = parts.now();
                db::write_transaction(conn, |conn| {
                    let Some(m) = outbox::retry_facts(conn, id)? else {
                        return Ok(RetryResult::NotFound);
                    };
                    let newest = outbox::newest_ids(conn, std::slice::from_ref(&m.phone))?
                        .first()
                        .is_some_and(|(_, newest)| *newest == m.id);
                    if !can_retry(&m.state, m.expires_at, !m.body.is_empty(), newest, now)
                        || outbox::requeue(conn, id, now)? != 1
                    {
                        return Ok(RetryResult::NotRetryable);
                    }
                    let target = users::find_by_phone(conn, &m.phone)?;
                    admin::audit(
                        conn,
                        &NewAudit {
                            actor_id: Some(actor_id),
                            actor_label: &actor_label,
                            action: RETRY_ACTION,
                            target_id: target.map(|u| u.id),
                            target_label: &m.phone,
                            ip: Some(&ip),
                            created_at: now,
                        },
                    )?;
                    Ok::<_, DbError>(RetryResult::Queued)
                })
            })
            .await?;
        if result == RetryResult::Queued {
            self.wake();
        }
        Ok(result)
    }
}

/// The audit log's name for "sent a failed text again".
pub const RETRY_ACTION: &str = "retry_message";
