//! The use cases: everything a person, a staff member or a tool can do, each owning its trip to
//! the database (`db::run`) and its transaction. They are the only callers of `db::*`, take
//! parsed input (`domain` types), read "now" from the injected clock, and answer with values:
//! an answer, or a refusal from `domain::refusal`, inside `Result<_, Error>` for when the
//! database failed. The web pages and the JSON API call the same methods.
//!
//! Each module also offers its rules as functions over a connection (`&mut DbConnection`), so
//! use cases can share them inside one transaction, and tools, tests and the benchmark's floor
//! can run them without the thread hop.

pub mod accounts;
pub mod changes;
pub mod credentials;
pub mod delivery;
pub mod email;
mod error;
pub mod export;
pub mod invites;
pub mod ops;
mod parts;
pub mod retention;
pub mod seed;
pub mod sign_in;
pub mod staff;

use std::sync::Arc;

pub use error::Error;
pub use parts::{Config, Parts, Senders};

/// Every use case, built once from the same parts and shared by the whole server.
pub struct App {
    pub sign_in: sign_in::SignIn,
    pub credentials: credentials::Credentials,
    pub accounts: accounts::Accounts,
    pub changes: changes::Changes,
    pub invites: invites::Invites,
    pub staff: staff::Staff,
    pub retention: retention::Retention,
    pub delivery: delivery::Delivery,
    pub emails: email::Emails,
    pub export: export::Export,
    pub ops: ops::Ops,
}

impl App {
    pub fn new(parts: Parts) -> Self {
        let parts = Arc::new(parts);
        Self {
            sign_in: sign_in::SignIn::new(parts.clone()),
            credentials: credentials::Credentials::new(parts.clone()),
            accounts: accounts::Accounts::new(parts.clone()),
            changes: changes::Changes::new(parts.clone()),
            invites: invites::Invites::new(parts.clone()),
            staff: staff::Staff::new(parts.clone()),
            retention: retention::Retention::new(parts.clone()),
            delivery: delivery::Delivery::new(parts.clone()),
            emails: email::Emails::new(parts.clone()),
            export: export::Export::new(parts.clone()),
            ops: ops::Ops::new(parts),
        }
    }
}
