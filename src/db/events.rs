//! Repository functions for `sign_in_events`: what happened at each step of signing in.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{DbConnection, schema::sign_in_events};
use crate::domain::account::{Event, Outcome};

/// A row of `sign_in_events`, read into an [`Event`].
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = sign_in_events)]
struct EventRow {
    id: i64,
    phone: String,
    user_id: Option<i64>,
    ip: String,
    outcome: String,
    created_at: NaiveDateTime,
}

impl From<EventRow> for Event {
    fn from(r: EventRow) -> Self {
        Event {
            id: r.id,
            phone: r.phone,
            user_id: r.user_id,
            ip: r.ip,
            outcome: r.outcome,
            created_at: r.created_at,
        }
    }
}

/// Records one step of signing in; `region` is the number's (`UZ`), for figures by country.
pub fn record(
    conn: &mut DbConnection,
    phone: &str,
    region: &str,
    user_id: Option<i64>,
    ip: &str,
    outcome: Outcome,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(sign_in_events::table)
        .values((
            sign_in_events::phone.eq(phone),
            sign_in_events::region.eq(region),
            sign_in_events::user_id.eq(user_id),
            sign_in_events::ip.eq(ip),
            sign_in_events::outcome.eq(outcome.as_str()),
            sign_in_events::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// A phone's events older than event `before` (from the newest when `None`), only those with
/// `outcome` when given, newest first; and whether more follow.
pub fn page_for_phone(
    conn: &mut DbConnection,
    phone: &str,
    outcome: Option<Outcome>,
    before: Option<i64>,
    per_page: i64,
) -> QueryResult<(Vec<Event>, bool)> {
    let mut query = sign_in_events::table
        .filter(sign_in_events::phone.eq(phone))
        .into_boxed();
    if let Some(outcome) = outcome {
        query = query.filter(sign_in_events::outcome.eq(outcome.as_str()));
    }
    if let Some(before) = before {
        query = query.filter(sign_in_events::id.lt(before));
    }
    let mut rows: Vec<Event> = query
        .order(sign_in_events::id.desc())
        .limit(per_page + 1)
        .select(EventRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Event::from)
        .collect();
    let more = rows.len() as i64 > per_page;
    rows.truncate(per_page as usize);
    Ok((rows, more))
}

/// Removes up to `batch` events older than `before` (retention).
pub fn purge_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = sign_in_events::table
        .filter(sign_in_events::created_at.lt(before))
        .select(sign_in_events::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(sign_in_events::table.filter(sign_in_events::id.eq_any(old))).execute(conn)
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

/// Events with one of `outcomes` since `since`, counted per (region, outcome).
pub fn count_by_region_since(
    conn: &mut DbConnection,
    outcomes: &[Outcome],
    since: NaiveDateTime,
) -> QueryResult<Vec<(String, String, i64)>> {
    let names: Vec<&str> = outcomes.iter().map(|o| o.as_str()).collect();
    sign_in_events::table
        .filter(sign_in_events::created_at.ge(since))
        .filter(sign_in_events::outcome.eq_any(names))
        .group_by((sign_in_events::region, sign_in_events::outcome))
        .select((
            sign_in_events::region,
            sign_in_events::outcome,
            diesel::dsl::count_star(),
        ))
        .load(conn)
}
