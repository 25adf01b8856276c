//! Repository functions for `login_codes`: the codes sent, and what the sending limits count.

use chrono::NaiveDateTime;
use diesel::{
    dsl::{count_star, min, sum},
    prelude::*,
};

use super::{
    DbConnection,
    schema::{code_counts, login_codes},
};
use crate::domain::account::CodePurpose;

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
    pub client_net: String,
    pub phone_prefix: String,
    pub code_length: i32,
    /// Used (to sign in, or to confirm what it was for), not merely retired by a newer code.
    pub signed_in: bool,
    /// One of `CodePurpose::as_str`.
    pub purpose: String,
    /// The account the code is for, unless it is for signing in.
    pub user_id: Option<i64>,
}

impl LoginCode {
    /// Whether this code was sent for `purpose`.
    pub fn serves(&self, purpose: CodePurpose) -> bool {
        self.purpose == purpose.as_str() && self.user_id == purpose.user_id()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = login_codes)]
pub struct NewLoginCode<'a> {
    pub phone: &'a str,
    pub code_hmac: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub client_ip: &'a str,
    pub client_net: &'a str,
    pub phone_prefix: &'a str,
    pub code_length: i32,
    pub purpose: &'a str,
    pub user_id: Option<i64>,
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
    /// Every code sent to one number.
    Phone(&'a str),
    /// The codes asked for from one network that did not end in a sign-in.
    UnusedFromNetwork(&'a str),
    /// Every code sent to numbers with this prefix.
    Prefix(&'a str),
    /// Every code the service sent.
    All,
}

/// The codes of `scope`, as a query to narrow further.
fn in_scope<'a>(
    scope: Scope<'a>,
) -> login_codes::BoxedQuery<'a, <DbConnection as diesel::Connection>::Backend> {
    let query = login_codes::table.into_boxed();
    match scope {
        Scope::Phone(phone) => query.filter(login_codes::phone.eq(phone)),
        Scope::UnusedFromNetwork(net) => query
            .filter(login_codes::client_net.eq(net))
            .filter(login_codes::signed_in.eq(false)),
        Scope::Prefix(prefix) => query.filter(login_codes::phone_prefix.eq(prefix)),
        Scope::All => query,
    }
}

/// The `code_counts` scope of a number block's or the service's codes; `None` for the scopes
/// a limit keeps small, which are counted row by row.
fn tallied(scope: Scope<'_>) -> Option<&str> {
    match scope {
        Scope::Prefix(prefix) => Some(prefix),
        Scope::All => Some(ALL),
        Scope::Phone(_) | Scope::UnusedFromNetwork(_) => None,
    }
}

/// The `code_counts` scope of every code.
pub(super) const ALL: &str = "all";
/// Rows a minute the service's count is spread over.
pub(super) const SHARDS: i64 = 8;

/// The start of the minute `at` is in.
pub(super) fn minute_of(at: NaiveDateTime) -> NaiveDateTime {
    use chrono::Timelike;
    at.with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(at)
}

/// The codes `code_counts` tallied for `$scope` from minute `$whole` on (a query; a macro, so
/// that it serves as a statement and as a subquery alike).
macro_rules! tallied_from {
    ($scope:expr, $whole:expr) => {
        code_counts::table
            .filter(code_counts::scope.eq($scope))
            .filter(code_counts::minute.ge($whole))
            .select(sum(code_counts::codes))
    };
}

/// How many codes were issued in `scope` since `since`. A number's and a network's are counted
/// row by row (their limits keep them few); a number block's and the service's are summed from
/// `code_counts`, a row per minute, with only the window's first, partial minute counted row by
/// row, so the cost does not grow with the traffic of the hour.
pub fn count_since(
    conn: &mut DbConnection,
    scope: Scope<'_>,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    let Some(key) = tallied(scope) else {
        return in_scope(scope)
            .filter(login_codes::created_at.gt(since))
            .select(count_star())
            .first(conn);
    };
    let whole = first_whole_minute(since);
    let partial: i64 = in_scope(scope)
        .filter(login_codes::created_at.gt(since))
        .filter(login_codes::created_at.lt(whole))
        .select(count_star())
        .first(conn)?;
    let minutes: Option<i64> = tallied_from!(key, whole).first(conn)?;
    Ok(partial + minutes.unwrap_or(0))
}

/// The first whole minute of a window that starts at `since`: codes before it are counted row
/// by row, from it on summed from `code_counts`.
fn first_whole_minute(since: NaiveDateTime) -> NaiveDateTime {
    minute_of(since) + chrono::TimeDelta::minutes(1)
}

/// Codes in one hourly window: how many, and when the oldest was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub codes: i64,
    pub oldest: Option<NaiveDateTime>,
}

/// Everything the sending limits of one code request look at, read in one statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendingState {
    /// Unforgiven failed checks of this number from this network since the lock's look-back,
    /// and the oldest of them.
    pub lock_failures: i64,
    pub lock_oldest: Option<NaiveDateTime>,
    /// When the number's newest code was issued.
    pub newest_code_at: Option<NaiveDateTime>,
    /// The number's, the network's unused, the number block's and the service's codes.
    pub phone: Window,
    pub network: Window,
    pub prefix: Window,
    pub all: Window,
    /// The account the code is for (by number, or `user_id`) is staff.
    pub staff: bool,
    /// Failed checks of the number on short codes since the day budget's look-back.
    pub short_failures: i64,
}

/// Where [`sending_state`] looks.
#[derive(Debug, Clone, Copy)]
pub struct SendingKeys<'a> {
    pub phone: &'a str,
    pub network: &'a str,
    pub prefix: &'a str,
    /// The account whose code length applies, when the code is for one's change (else the
    /// number's account, if any).
    pub user_id: Option<i64>,
    /// The start of the hourly windows.
    pub since: NaiveDateTime,
    pub lock_since: NaiveDateTime,
    pub short_since: NaiveDateTime,
    /// Guesses at codes shorter than this count against the day budget.
    pub long_length: i32,
}

/// Reads what the sending limits look at, in one statement (one round trip, a prepared
/// statement the connection keeps): for each scope the count of [`count_since`] and the
/// oldest code, the lock's failures, the newest code, the account's staff flag and the
/// number's failures on short codes.
pub fn sending_state(conn: &mut DbConnection, k: &SendingKeys<'_>) -> QueryResult<SendingState> {
    use diesel::{dsl::exists, sql_types::Bool};

    use super::schema::{check_failures, users};
    let whole = first_whole_minute(k.since);
    let lock = check_failures::table
        .filter(check_failures::client_net.eq(k.network))
        .filter(check_failures::forgiven.eq(false))
        .filter(check_failures::created_at.gt(k.lock_since))
        .filter(check_failures::phone.eq(k.phone));
    let phone = login_codes::table
        .filter(login_codes::phone.eq(k.phone))
        .filter(login_codes::created_at.gt(k.since));
    let network = login_codes::table
        .filter(login_codes::client_net.eq(k.network))
        .filter(login_codes::signed_in.eq(false))
        .filter(login_codes::created_at.gt(k.since));
    let prefix = login_codes::table
        .filter(login_codes::phone_prefix.eq(k.prefix))
        .filter(login_codes::created_at.gt(k.since));
    let all = login_codes::table.filter(login_codes::created_at.gt(k.since));
    let minutes_of = |scope| tallied_from!(scope, whole).single_value();
    let query = diesel::select((
        (
            lock.select(count_star()).single_value(),
            lock.select(min(check_failures::created_at)).single_value(),
            login_codes::table
                .filter(login_codes::phone.eq(k.phone))
                .select(diesel::dsl::max(login_codes::created_at))
                .single_value(),
        ),
        (
            phone.select(count_star()).single_value(),
            phone.select(min(login_codes::created_at)).single_value(),
            network.select(count_star()).single_value(),
            network.select(min(login_codes::created_at)).single_value(),
        ),
        (
            prefix
                .filter(login_codes::created_at.lt(whole))
                .select(count_star())
                .single_value(),
            minutes_of(k.prefix),
            prefix.select(min(login_codes::created_at)).single_value(),
        ),
        (
            all.filter(login_codes::created_at.lt(whole))
                .select(count_star())
                .single_value(),
            minutes_of(ALL),
            all.select(min(login_codes::created_at)).single_value(),
        ),
        (
            exists(
                users::table.filter(users::is_staff.eq(true)).filter(
                    users::phone
                        .eq(k.phone)
                        .and(k.user_id.is_none().into_sql::<Bool>())
                        .or(users::id.nullable().eq(k.user_id)),
                ),
            ),
            check_failures::table
                .filter(check_failures::phone.eq(k.phone))
                .filter(check_failures::created_at.gt(k.short_since))
                .filter(check_failures::code_length.lt(k.long_length))
                .select(count_star())
                .single_value(),
        ),
    ));
    type Row = (
        (Option<i64>, Option<NaiveDateTime>, Option<NaiveDateTime>),
        (
            Option<i64>,
            Option<NaiveDateTime>,
            Option<i64>,
            Option<NaiveDateTime>,
        ),
        (Option<i64>, Option<i64>, Option<NaiveDateTime>),
        (Option<i64>, Option<i64>, Option<NaiveDateTime>),
        (bool, Option<i64>),
    );
    let (
        (lock_failures, lock_oldest, newest_code_at),
        (phone_codes, phone_oldest, net_codes, net_oldest),
        (prefix_partial, prefix_minutes, prefix_oldest),
        (all_partial, all_minutes, all_oldest),
        (staff, short_failures),
    ): Row = super::backend::native!(conn, |c| query.get_result(c))?;
    let n = Option::unwrap_or_default;
    Ok(SendingState {
        lock_failures: n(lock_failures),
        lock_oldest,
        newest_code_at,
        phone: Window {
            codes: n(phone_codes),
            oldest: phone_oldest,
        },
        network: Window {
            codes: n(net_codes),
            oldest: net_oldest,
        },
        prefix: Window {
            codes: n(prefix_partial) + n(prefix_minutes),
            oldest: prefix_oldest,
        },
        all: Window {
            codes: n(all_partial) + n(all_minutes),
            oldest: all_oldest,
        },
        staff,
        short_failures: n(short_failures),
    })
}

/// Counts code `id`, issued `at` to a number of block `prefix`, for its block and the service
/// (in the transaction that inserts it).
fn tally(conn: &mut DbConnection, prefix: &str, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    let minute = minute_of(at);
    for (scope, shard) in [(prefix, 0), (ALL, id.rem_euclid(SHARDS) as i16)] {
        let row = (
            code_counts::scope.eq(scope),
            code_counts::minute.eq(minute),
            code_counts::shard.eq(shard),
            code_counts::codes.eq(1),
        );
        let key = (code_counts::scope, code_counts::minute, code_counts::shard);
        super::backend::native!(conn, |c| diesel::insert_into(code_counts::table)
            .values(row)
            .on_conflict(key)
            .do_update()
            .set(code_counts::codes.eq(code_counts::codes + 1))
            .execute(c))?;
    }
    Ok(())
}

/// Removes the per-minute counts of minutes before `before` (no limit looks past its window).
pub fn purge_counts_before(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(code_counts::table.filter(code_counts::minute.lt(minute_of(before))))
        .execute(conn)
}

/// The prefixes that reached `at_least` codes since `since`, with their counts, most first.
pub fn busy_prefixes(
    conn: &mut DbConnection,
    since: NaiveDateTime,
    at_least: i64,
) -> QueryResult<Vec<(String, i64)>> {
    let counts: Vec<(String, i64)> = login_codes::table
        .filter(login_codes::created_at.gt(since))
        .group_by(login_codes::phone_prefix)
        .select((login_codes::phone_prefix, count_star()))
        .load(conn)?;
    let mut busy: Vec<(String, i64)> = counts.into_iter().filter(|(_, n)| *n >= at_least).collect();
    busy.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(busy)
}

/// Inserts a code, counts it for its number block and the service, and returns its id.
pub fn insert(conn: &mut DbConnection, new: &NewLoginCode<'_>) -> QueryResult<i64> {
    diesel::insert_into(login_codes::table)
        .values(new)
        .execute(conn)?;
    let id = login_codes::table
        .filter(login_codes::phone.eq(new.phone))
        .select(diesel::dsl::max(login_codes::id))
        .first::<Option<i64>>(conn)?
        .ok_or(diesel::result::Error::NotFound)?;
    tally(conn, new.phone_prefix, id, new.created_at)?;
    Ok(id)
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

/// Counts the right try and marks the code used, in one statement; false when it is used up
/// (its tries spent, or used meanwhile).
pub fn use_code(
    conn: &mut DbConnection,
    id: i64,
    max_attempts: i32,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        login_codes::table
            .find(id)
            .filter(login_codes::attempts.lt(max_attempts))
            .filter(login_codes::consumed_at.is_null()),
    )
    .set((
        login_codes::attempts.eq(login_codes::attempts + 1),
        login_codes::consumed_at.eq(Some(at)),
        login_codes::signed_in.eq(true),
    ))
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

/// Removes up to `batch` codes sent before `before`, whoever they went to (retention).
pub fn purge_all_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = login_codes::table
        .filter(login_codes::created_at.lt(before))
        .select(login_codes::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(login_codes::table.filter(login_codes::id.eq_any(old))).execute(conn)
}
