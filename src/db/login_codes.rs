//! Repository functions for `login_codes` and the per-phone failure state in `login_failures`.

use chrono::NaiveDateTime;
use diesel::{
    dsl::{count_star, min},
    prelude::*,
};

use super::{
    DbConnection,
    schema::{login_codes, login_failures},
};

/// A row of `login_codes`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_codes)]
pub struct LoginCode {
    pub id: i64,
    pub phone: String,
    pub code_hmac: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub attempts: i32,
    pub consumed_at: Option<NaiveDateTime>,
    pub client_ip: String,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = login_codes)]
pub struct NewLoginCode<'a> {
    pub phone: &'a str,
    pub code_hmac: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub client_ip: &'a str,
}

/// The phone's most recent code; only this one can ever be used.
pub fn newest_for_phone(conn: &mut DbConnection, phone: &str) -> QueryResult<Option<LoginCode>> {
    login_codes::table
        .filter(login_codes::phone.eq(phone))
        .order((login_codes::created_at.desc(), login_codes::id.desc()))
        .select(LoginCode::as_select())
        .first(conn)
        .optional()
}

/// Whose codes a limit counts.
#[derive(Debug, Clone, Copy)]
pub enum Scope<'a> {
    Phone(&'a str),
    ClientIp(&'a str),
}

/// How many codes were issued in `scope` since `since`, and when the oldest of them was.
pub fn window(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    let query = login_codes::table
        .filter(login_codes::created_at.gt(since))
        .select((count_star(), min(login_codes::created_at)))
        .into_boxed();
    let query = match scope {
        Scope::Phone(phone) => query.filter(login_codes::phone.eq(phone)),
        Scope::ClientIp(ip) => query.filter(login_codes::client_ip.eq(ip)),
    };
    query.first(conn)
}

/// Inserts a code and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewLoginCode<'_>) -> QueryResult<i64> {
    diesel::insert_into(login_codes::table)
        .values(new)
        .execute(conn)?;
    login_codes::table
        .filter(login_codes::phone.eq(new.phone))
        .select(diesel::dsl::max(login_codes::id))
        .first::<Option<i64>>(conn)?
        .ok_or(diesel::result::Error::NotFound)
}

/// Counts one try against the code, before any comparison. False when the code is used up.
pub fn count_attempt(conn: &mut DbConnection, id: i64, max_attempts: i32) -> QueryResult<bool> {
    diesel::update(
        login_codes::table
            .find(id)
            .filter(login_codes::attempts.lt(max_attempts))
            .filter(login_codes::consumed_at.is_null()),
    )
    .set(login_codes::attempts.eq(login_codes::attempts + 1))
    .execute(conn)
    .map(|n| n == 1)
}

/// Marks the code used; false if someone else used it first.
pub fn consume(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        login_codes::table
            .find(id)
            .filter(login_codes::consumed_at.is_null()),
    )
    .set(login_codes::consumed_at.eq(Some(at)))
    .execute(conn)
    .map(|n| n == 1)
}

/// Retires every other open code of the phone once a newer one was sent.
pub fn retire_older(
    conn: &mut DbConnection,
    phone: &str,
    keep_id: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        login_codes::table
            .filter(login_codes::phone.eq(phone))
            .filter(login_codes::id.ne(keep_id))
            .filter(login_codes::consumed_at.is_null()),
    )
    .set(login_codes::consumed_at.eq(Some(at)))
    .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(login_codes::table.find(id)).execute(conn)
}

/// Removes a phone's codes that no limit looks at any more.
pub fn purge_before(
    conn: &mut DbConnection,
    phone: &str,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        login_codes::table
            .filter(login_codes::phone.eq(phone))
            .filter(login_codes::created_at.lt(before)),
    )
    .execute(conn)
}

/// A row of `login_failures`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = login_failures)]
pub struct Failures {
    pub phone: String,
    pub failures: i32,
    pub locked_until: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

pub fn failures(conn: &mut DbConnection, phone: &str) -> QueryResult<Option<Failures>> {
    login_failures::table
        .find(phone)
        .select(Failures::as_select())
        .first(conn)
        .optional()
}

/// Records one more consecutive failure. At `threshold` the phone is locked until
/// `lock_until` and the count starts again. Callers hold the phone's write lock.
pub fn record_failure(
    conn: &mut DbConnection,
    phone: &str,
    now: NaiveDateTime,
    threshold: i32,
    lock_until: NaiveDateTime,
) -> QueryResult<Failures> {
    let current = failures(conn, phone)?.map_or(0, |f| f.failures);
    let count = current + 1;
    let (failures_value, locked) = if count >= threshold {
        (0, Some(lock_until))
    } else {
        (count, None)
    };
    let updated = diesel::update(login_failures::table.find(phone))
        .set((
            login_failures::failures.eq(failures_value),
            login_failures::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(login_failures::table)
            .values((
                login_failures::phone.eq(phone),
                login_failures::failures.eq(failures_value),
                login_failures::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    if locked.is_some() {
        diesel::update(login_failures::table.find(phone))
            .set(login_failures::locked_until.eq(locked))
            .execute(conn)?;
    }
    Ok(Failures {
        phone: phone.to_owned(),
        failures: failures_value,
        locked_until: locked,
        updated_at: now,
    })
}

/// A successful sign-in ends the run of failures.
pub fn clear_failures(conn: &mut DbConnection, phone: &str) -> QueryResult<usize> {
    diesel::delete(login_failures::table.find(phone)).execute(conn)
}
