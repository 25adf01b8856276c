//! What operators ask of a running server: is it ready (the database answers, every migration
//! is applied, the outbox is being worked), and the figures `/metrics` reads at each scrape.

use std::sync::Arc;

use chrono::TimeDelta;

use super::{error::Error, parts::Parts};
use crate::db::{self, outbox};

/// A pending message due longer than this means no worker is taking messages.
pub const OUTBOX_STUCK_AFTER: TimeDelta = TimeDelta::minutes(2);

/// Why the server is not ready, if it is not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotReady {
    /// No connection, or the database does not answer.
    Database,
    /// The database lacks a migration this server needs.
    Migrations,
    /// A message has been due this many seconds and no worker took it.
    OutboxStuck { due_for: i64 },
}

/// The figures read at a scrape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Figures {
    /// Connections the pool holds, and how many of them are idle.
    pub connections: u32,
    pub idle_connections: u32,
    pub max_connections: u32,
    /// Messages pending or being sent, and how long the longest-due one has been due.
    pub outbox_open: i64,
    pub outbox_due_for: Option<i64>,
}

pub struct Ops {
    parts: Arc<Parts>,
}

impl Ops {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// `Ok(())` when ready, else the first reason it is not.
    pub async fn ready(&self) -> Result<(), NotReady> {
        let checked = self
            .parts
            .run(|conn, parts| {
                if !db::migrations_applied(conn) {
                    return Ok(Err(NotReady::Migrations));
                }
                let (due, _) = outbox::backlog(conn)?;
                let now = parts.now();
                Ok(match due {
                    Some(at) if now - at > OUTBOX_STUCK_AFTER => Err(NotReady::OutboxStuck {
                        due_for: (now - at).num_seconds(),
                    }),
                    _ => Ok(()),
                })
            })
            .await;
        match checked {
            Ok(answer) => answer,
            Err(_) => Err(NotReady::Database),
        }
    }

    /// The pool's state, and the outbox's (from the database: `None` when it does not answer).
    pub async fn figures(&self) -> Result<Figures, Error> {
        let state = self.parts.pool.state();
        let (due, open) = self.parts.run(|conn, _| Ok(outbox::backlog(conn)?)).await?;
        let now = self.parts.now();
        Ok(Figures {
            connections: state.connections,
            idle_connections: state.idle_connections,
            max_connections: self.parts.pool.max_size(),
            outbox_open: open,
            outbox_due_for: due.map(|at| (now - at).num_seconds().max(0)),
        })
    }
}
