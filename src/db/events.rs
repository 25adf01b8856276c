//! Repository functions for `sign_in_events`: what happened at each step of signing in.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{DbConnection, schema::sign_in_events};

/// The outcomes recorded, as stored (the table's CHECK lists the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    CodeSent,
    CodeRefused,
    SignedIn,
    WrongCode,
    CodeDead,
    CodeExpired,
    Locked,
    Blocked,
}

impl Outcome {
    pub const ALL: [Outcome; 8] = [
        Outcome::CodeSent,
        Outcome::CodeRefused,
        Outcome::SignedIn,
        Outcome::WrongCode,
        Outcome::CodeDead,
        Outcome::CodeExpired,
        Outcome::Locked,
        Outcome::Blocked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::CodeSent => "code_sent",
            Outcome::CodeRefused => "code_refused",
            Outcome::SignedIn => "signed_in",
            Outcome::WrongCode => "wrong_code",
            Outcome::CodeDead => "code_dead",
            Outcome::CodeExpired => "code_expired",
            Outcome::Locked => "locked",
            Outcome::Blocked => "blocked",
        }
    }
}

/// A row of `sign_in_events`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sign_in_events)]
pub struct Event {
    pub id: i64,
    pub phone: String,
    pub user_id: Option<i64>,
    pub ip: String,
    pub outcome: String,
    pub created_at: NaiveDateTime,
}

pub fn record(
    conn: &mut DbConnection,
    phone: &str,
    user_id: Option<i64>,
    ip: &str,
    outcome: Outcome,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sign_in_events::table)
        .values((
            sign_in_events::phone.eq(phone),
            sign_in_events::user_id.eq(user_id),
            sign_in_events::ip.eq(ip),
            sign_in_events::outcome.eq(outcome.as_str()),
            sign_in_events::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// The latest events for a phone, newest first.
pub fn recent_for_phone(
    conn: &mut DbConnection,
    phone: &str,
    limit: i64,
) -> QueryResult<Vec<Event>> {
    sign_in_events::table
        .filter(sign_in_events::phone.eq(phone))
        .order((sign_in_events::created_at.desc(), sign_in_events::id.desc()))
        .limit(limit)
        .select(Event::as_select())
        .load(conn)
}

/// How many events with one of `outcomes` happened since `since`.
pub fn count_since(
    conn: &mut DbConnection,
    outcomes: &[Outcome],
    since: NaiveDateTime,
) -> QueryResult<i64> {
    let names: Vec<&str> = outcomes.iter().map(|o| o.as_str()).collect();
    sign_in_events::table
        .filter(sign_in_events::created_at.ge(since))
        .filter(sign_in_events::outcome.eq_any(names))
        .count()
        .get_result(conn)
}
