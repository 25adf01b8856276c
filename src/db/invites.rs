//! Repository functions for invite codes: lookups, the inviter chain, the conditional update,
//! the tries log, and the keyset-paginated invitee list.
//!
//! The inviter chain is one recursive query written in PostgreSQL's placeholder style and run on
//! SQLite with `?N` placeholders; the same text is what the `EXPLAIN` test checks for index use.

use chrono::NaiveDateTime;
use diesel::{
    prelude::*,
    sql_types::{BigInt, Bool, Nullable, Text, Timestamp},
};

use super::{
    DbConnection,
    backend::{Stamp, statement, write_sql},
    schema::{invite_attempts, invite_entries, invite_link_misses, users},
    users::UserRow,
};
use crate::domain::account::{Invitee, User};

/// What the rules of entering a code look at.
#[derive(Debug, Clone)]
pub struct EntryState {
    pub user: User,
    /// The person's tries since the start of the window, and the oldest of them.
    pub tries: i64,
    pub oldest_try: Option<NaiveDateTime>,
    /// The account whose code it is (not a deleted one), if any, and how many entered it.
    pub owner_id: Option<i64>,
    pub owner_invitees: i64,
    /// Whether anyone entered the person's code: only then can their entry close a cycle.
    pub has_invitees: bool,
    /// The address waiting for its link.
    pub pending_email: Option<String>,
}

/// The advisory locks of entries (PostgreSQL's two-key form, a key space of their own): the
/// class, then the account's id.
const ENTRY_LOCK_CLASS: i32 = 1;

/// The lock that serialises entries that could close a cycle.
const CHAINS_LOCK: &str = "lock:invite-chains";

/// Reads what entering `code` looks at (inside the caller's write transaction), after taking
/// the locks that keep it true until the transaction ends; `None` when the account is gone.
///
/// Why these locks suffice (PostgreSQL; SQLite has one writer at a time): an entry takes the
/// person's own lock exclusively and the code owner's shared, so many can enter one code at
/// once while the owner's own entry waits for them (and they for it). A new link closes a cycle
/// only if the person entering already has invitees; the own lock means nobody can become
/// their invitee meanwhile, and such entries take [`CHAINS_LOCK`] before walking the chain
/// ([`closes_cycle`]), so of any set of entries that would make a cycle, the last one sees all
/// the others. The two locks are taken in key order, in one statement, so entries never wait on
/// each other in a circle.
pub fn read_entry(
    conn: &mut DbConnection,
    user_id: i64,
    code: &str,
    since: NaiveDateTime,
    now: NaiveDateTime,
) -> QueryResult<Option<EntryState>> {
    let locked = match conn {
        DbConnection::Pg(c) => Some(EntryLocks { user_id, code }.get_result::<Option<i64>>(c)?),
        DbConnection::Sqlite(_) => None,
    };
    let query = EntryRead {
        user_id,
        code,
        since,
        now,
    };
    type Row = (
        UserRow,
        (
            i64,
            Option<NaiveDateTime>,
            Option<i64>,
            Option<i64>,
            bool,
            Option<String>,
        ),
    );
    let row: Option<Row> = super::backend::native!(conn, |c| query.get_result(c).optional())?;
    Ok(row.map(
        |(user, (tries, oldest_try, owner_id, owner_invitees, has_invitees, pending_email))| {
            EntryState {
                user: User::from(user),
                tries,
                oldest_try,
                owner_invitees: owner_invitees.unwrap_or(0),
                // a code that changed hands between the two statements is not the one locked
                // (codes are never given out twice, so this is for safety only)
                owner_id: owner_id.filter(|id| locked.is_none_or(|l| l == Some(*id))),
                has_invitees,
                pending_email,
            }
        },
    ))
}

/// The locks of [`read_entry`]: the person's own (exclusive) and the code owner's (shared),
/// in key order; answers the owner's id.
struct EntryLocks<'a> {
    user_id: i64,
    code: &'a str,
}

statement!(EntryLocks<'_>, cached -> Nullable<BigInt>, [Pg], |this, out| {
    write_sql!(out;
        "SELECT MAX(owner) FROM (SELECT owner, CASE WHEN mine THEN pg_advisory_xact_lock("
        [diesel::sql_types::Integer: &ENTRY_LOCK_CLASS] ", k) ELSE pg_advisory_xact_lock_shared("
        [diesel::sql_types::Integer: &ENTRY_LOCK_CLASS] ", k) END AS locked \
         FROM (SELECT CAST(id & 2147483647 AS integer) AS k, mine, owner FROM (SELECT "
        [BigInt: &this.user_id] " AS id, TRUE AS mine, NULL::bigint AS owner UNION ALL \
         SELECT id, FALSE, id FROM users WHERE invite_code = " [Text: this.code]
        // a subquery's order is kept by the query above it (OFFSET 0 keeps it a subquery)
        " AND deleted_at IS NULL) AS keys ORDER BY k, mine DESC OFFSET 0) AS ordered) AS locks"
    );
    Ok(())
});

/// The statement of [`read_entry`]'s state.
struct EntryRead<'a> {
    user_id: i64,
    code: &'a str,
    since: NaiveDateTime,
    now: NaiveDateTime,
}

statement!(EntryRead<'_>, cached -> (
    users::SqlType,
    (BigInt, Nullable<Timestamp>, Nullable<BigInt>, Nullable<BigInt>, Bool, Nullable<Text>),
), [Pg, Sqlite], |this, out| {
    let tries = |out: &mut diesel::query_builder::AstPass<'_, 'c, DB>| {
        write_sql!(out;
            " FROM invite_attempts WHERE user_id = " [BigInt: &this.user_id]
            " AND created_at > " [Timestamp: &this.since] ")"
        );
        QueryResult::Ok(())
    };
    out.push_sql("SELECT ");
    users::all_columns.walk_ast(out.reborrow())?;
    out.push_sql(", (SELECT COUNT(*)");
    tries(&mut out)?;
    out.push_sql(", (SELECT MIN(created_at)");
    tries(&mut out)?;
    // the code's owner and how many entered its code
    let owner = |out: &mut diesel::query_builder::AstPass<'_, 'c, DB>, column: &'static str| {
        write_sql!(out;
            ", (SELECT o." (column) " FROM users AS o WHERE o.invite_code = " [Text: this.code]
            " AND o.deleted_at IS NULL)"
        );
        QueryResult::Ok(())
    };
    owner(&mut out, "id")?;
    owner(&mut out, "invitee_count")?;
    write_sql!(out;
        // whether anyone entered the person's code: the newest such person, so that the plan
        // kept for everyone reads the invitee index (an `EXISTS` priced for an average person,
        // when a few have very many invitees, scans the table)
        ", (SELECT i.id FROM users AS i WHERE i.invited_by_id = "
        [BigInt: &this.user_id] " ORDER BY i.invited_at DESC, i.id DESC LIMIT 1) IS NOT NULL, "
    );
    super::emails::write_open_address(&mut out, "users.id", &this.now)?;
    write_sql!(out; " FROM users WHERE users.id = " [BigInt: &this.user_id]);
    Ok(())
});

/// The text of [`read_entry`]'s state read as PostgreSQL runs it (`$N` placeholders), for the
/// `EXPLAIN` tests.
pub fn entry_read_sql() -> String {
    let query = EntryRead {
        user_id: 0,
        code: "",
        since: NaiveDateTime::default(),
        now: NaiveDateTime::default(),
    };
    without_binds(diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string())
}

/// A statement's text as `diesel::debug_query` shows it, without its bind values.
fn without_binds(debug: String) -> String {
    debug
        .split(" -- binds:")
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Whether linking `user_id` under `owner_id` would close a cycle, for a person who has
/// invitees (see [`read_entry`]): takes the lock of such entries, then walks up the owner's chain.
pub fn closes_cycle(conn: &mut DbConnection, user_id: i64, owner_id: i64) -> QueryResult<bool> {
    super::lock_keys(conn, &[CHAINS_LOCK])?;
    chain_contains(conn, owner_id, user_id)
}

/// The writes of an entry (a try, and the link when every rule allowed it).
#[derive(Debug, Clone)]
pub struct EntryWrites {
    pub user_id: i64,
    /// The inviter, when the rules allowed the entry.
    pub owner_id: Option<i64>,
    /// The most people who may enter one code (`None`: no limit).
    pub max_invitees: Option<i64>,
    /// Tries before this no longer count: they are purged.
    pub since: NaiveDateTime,
    pub now: NaiveDateTime,
    /// The client network the entry is made from (`None` when not known: a direct call).
    pub network: Option<String>,
}

/// Records an entry (inside the caller's transaction, after [`read_entry`]): the person's old
/// tries purged, this try counted and, when `owner_id` is given, the owner's count and the
/// link, only while the count is under `max_invitees` (checked on the owner's row as it is
/// updated, so entries of one code at once never pass the limit). False when no link was made
/// (none asked, the person had one already, or the owner has as many invitees as allowed).
pub fn record_entry(conn: &mut DbConnection, w: &EntryWrites) -> QueryResult<bool> {
    match conn {
        DbConnection::Pg(c) => EntryOnPostgres(w).get_result::<i64>(c).map(|n| n == 1),
        DbConnection::Sqlite(_) => {
            purge_tries_before(conn, w.user_id, w.since)?;
            record_try(conn, w.user_id, w.now)?;
            let Some(owner_id) = w.owner_id else {
                return Ok(false);
            };
            // one writer at a time: the count read now stays the count
            let count: i64 = users::table
                .find(owner_id)
                .select(users::invitee_count)
                .first(conn)?;
            if w.max_invitees.is_some_and(|max| count >= max) {
                return Ok(false);
            }
            if !set_inviter(conn, w.user_id, owner_id, w.now)? {
                return Ok(false);
            }
            add_invitee(conn, owner_id)?;
            if let Some(network) = &w.network {
                diesel::insert_into(invite_entries::table)
                    .values((
                        invite_entries::user_id.eq(w.user_id),
                        invite_entries::inviter_id.eq(owner_id),
                        invite_entries::client_net.eq(network),
                        invite_entries::created_at.eq(w.now),
                    ))
                    .execute(conn)?;
            }
            Ok(true)
        }
    }
}

/// [`record_entry`] on PostgreSQL: the same writes as SQLite's, in one statement.
struct EntryOnPostgres<'a>(&'a EntryWrites);

statement!(EntryOnPostgres<'_>, cached -> BigInt, [Pg], |this, out| {
    let w = this.0;
    write_sql!(out;
        "WITH purged AS (DELETE FROM invite_attempts WHERE user_id = " [BigInt: &w.user_id]
        " AND created_at < " [Timestamp: &w.since] "), tried AS (INSERT INTO invite_attempts \
         (user_id, created_at) VALUES (" [BigInt: &w.user_id] ", " [Timestamp: &w.now]
        // the owner's count first: its row is locked as it is updated and the limit checked on
        // its newest version; then the link, only if counted (the person's own lock has kept
        // `invited_by_id` empty since the read, so a counted entry always links)
        ")), counted AS (UPDATE users SET invitee_count = invitee_count + 1, \
         unseen_invitees = unseen_invitees + 1 WHERE id = "
        [Nullable<BigInt>: &w.owner_id] " AND (" [Nullable<BigInt>: &w.max_invitees]
        " IS NULL OR invitee_count < " [Nullable<BigInt>: &w.max_invitees]
        ") RETURNING id), linked AS (UPDATE users SET invited_by_id = "
        [Nullable<BigInt>: &w.owner_id] ", invited_at = " [Timestamp: &w.now]
        " WHERE id = " [BigInt: &w.user_id]
        " AND invited_by_id IS NULL AND EXISTS (SELECT 1 FROM counted) RETURNING id), \
         entered AS (INSERT INTO invite_entries (user_id, inviter_id, client_net, created_at) \
         SELECT id, " [Nullable<BigInt>: &w.owner_id] ", " [Nullable<Text>: &w.network] ", "
        [Timestamp: &w.now] " FROM linked WHERE " [Nullable<Text>: &w.network]
        " IS NOT NULL) SELECT COUNT(*) FROM linked"
    );
    Ok(())
});

/// Counts the rows with id `$2` on the inviter chain upwards from `$1`.
pub const CHAIN_SQL: &str = "WITH RECURSIVE chain(id, invited_by_id) AS ( \
        SELECT id, invited_by_id FROM users WHERE id = $1 \
        UNION \
        SELECT u.id, u.invited_by_id FROM users u JOIN chain c ON u.id = c.invited_by_id \
    ) SELECT COUNT(*) AS n FROM chain WHERE id = $2";

/// Whether `target` is `start` or one of the people who invited `start`, directly or through
/// others. Walks up the chain in one recursive query; `UNION` stops even on damaged data.
pub fn chain_contains(conn: &mut DbConnection, start: i64, target: i64) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let found: Found = match conn {
        DbConnection::Pg(c) => diesel::sql_query(CHAIN_SQL)
            .bind::<BigInt, _>(start)
            .bind::<BigInt, _>(target)
            .get_result(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(CHAIN_SQL.replace('$', "?"))
            .bind::<BigInt, _>(start)
            .bind::<BigInt, _>(target)
            .get_result(c)?,
    };
    Ok(found.n > 0)
}

/// Records the inviter, only if none was recorded yet; false when someone was first.
pub fn set_inviter(
    conn: &mut DbConnection,
    user_id: i64,
    inviter_id: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::invited_by_id.is_null()),
    )
    .set((
        users::invited_by_id.eq(Some(inviter_id)),
        users::invited_at.eq(Some(at)),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

/// Counts one more invitee, not yet seen by the inviter.
pub fn add_invitee(conn: &mut DbConnection, inviter_id: i64) -> QueryResult<()> {
    diesel::update(users::table.find(inviter_id))
        .set((
            users::invitee_count.eq(users::invitee_count + 1),
            users::unseen_invitees.eq(users::unseen_invitees + 1),
        ))
        .execute(conn)
        .map(drop)
}

/// The inviter has been shown `seen` of their new invitees (as many as they had when the page
/// was read: those who joined meanwhile stay new).
pub fn mark_invitees_seen(conn: &mut DbConnection, user_id: i64, seen: i64) -> QueryResult<()> {
    diesel::update(
        users::table
            .find(user_id)
            .filter(users::unseen_invitees.ge(seen)),
    )
    .set(users::unseen_invitees.eq(users::unseen_invitees - seen))
    .execute(conn)
    .map(drop)
}

/// Whose code `code` is (not a deleted account's): the id, number and name.
pub fn inviter_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> QueryResult<Option<(i64, String, Option<String>)>> {
    users::table
        .filter(users::invite_code.eq(code))
        .filter(users::deleted_at.is_null())
        .select((users::id, users::phone, users::display_name))
        .first(conn)
        .optional()
}

/// Look-ups of unknown invite codes from `net` since `since`: how many, and the oldest.
pub fn link_misses(
    conn: &mut DbConnection,
    net: &str,
    since: NaiveDateTime,
) -> QueryResult<(i64, Option<NaiveDateTime>)> {
    invite_link_misses::table
        .filter(invite_link_misses::client_net.eq(net))
        .filter(invite_link_misses::created_at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(invite_link_misses::created_at),
        ))
        .first(conn)
}

/// Records a look-up of an unknown invite code from `net`.
pub fn record_link_miss(conn: &mut DbConnection, net: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(invite_link_misses::table)
        .values((
            invite_link_misses::client_net.eq(net),
            invite_link_misses::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Removes up to `batch` look-ups older than `before` (retention).
pub fn purge_link_misses_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = invite_link_misses::table
        .filter(invite_link_misses::created_at.lt(before))
        .select(invite_link_misses::id)
        .limit(batch)
        .load::<i64>(conn)?;
    diesel::delete(invite_link_misses::table.filter(invite_link_misses::id.eq_any(old)))
        .execute(conn)
}

/// Takes `invitee` off their inviter's count (the invitee's account is being deleted), and off
/// the inviter's new ones if they were among them (the newest `unseen_invitees`).
pub fn remove_invitee(conn: &mut DbConnection, inviter_id: i64, invitee: &User) -> QueryResult<()> {
    let unseen: i64 = users::table
        .find(inviter_id)
        .select(users::unseen_invitees)
        .first(conn)?;
    let newer = match invitee.invited_at {
        Some(at) if unseen > 0 => users::table
            .filter(users::invited_by_id.eq(inviter_id))
            .filter(
                users::invited_at
                    .gt(at)
                    .or(users::invited_at.eq(at).and(users::id.gt(invitee.id))),
            )
            .select(users::id)
            .limit(unseen)
            .load::<i64>(conn)?
            .len() as i64,
        _ => unseen,
    };
    let was_new = i64::from(newer < unseen);
    diesel::update(users::table.find(inviter_id))
        .set((
            users::invitee_count.eq(users::invitee_count - 1),
            users::unseen_invitees.eq(users::unseen_invitees - was_new),
        ))
        .execute(conn)
        .map(drop)
}

/// The newest `limit` entries of `inviter_id`'s code: when, from which network, and the
/// invitee's number (through the entries' index).
pub fn recent_entries(
    conn: &mut DbConnection,
    inviter_id: i64,
    limit: i64,
) -> QueryResult<Vec<(NaiveDateTime, String, String)>> {
    invite_entries::table
        .inner_join(users::table)
        .filter(invite_entries::inviter_id.eq(inviter_id))
        .order(invite_entries::created_at.desc())
        .limit(limit)
        .select((
            invite_entries::created_at,
            invite_entries::client_net,
            users::phone,
        ))
        .load(conn)
}

/// The people above `user_id` in the chain, nearest first, at most `max` (each with its
/// depth): who invited them, who invited that one, and so on. `UNION ALL` with the depth
/// bound ends even on damaged data.
pub const CHAIN_UP_SQL: &str = "WITH RECURSIVE up(id, invited_by_id, depth) AS ( \
        SELECT id, invited_by_id, CAST(0 AS BIGINT) FROM users WHERE id = $1 \
        UNION ALL \
        SELECT u.id, u.invited_by_id, up.depth + 1 FROM users u \
        JOIN up ON u.id = up.invited_by_id WHERE up.depth < $2 \
    ) SELECT u.id, u.phone, u.invitee_count, up.depth FROM up JOIN users u ON u.id = up.id \
    WHERE up.depth > 0 ORDER BY up.depth";

pub fn chain_up(
    conn: &mut DbConnection,
    user_id: i64,
    max: i64,
) -> QueryResult<Vec<crate::domain::invite_tree::ChainLink>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        id: i64,
        #[diesel(sql_type = Text)]
        phone: String,
        #[diesel(sql_type = BigInt)]
        invitee_count: i64,
        #[diesel(sql_type = BigInt)]
        depth: i64,
    }
    let rows: Vec<Row> = match conn {
        DbConnection::Pg(c) => diesel::sql_query(CHAIN_UP_SQL)
            .bind::<BigInt, _>(user_id)
            .bind::<BigInt, _>(max)
            .load(c)?,
        DbConnection::Sqlite(c) => diesel::sql_query(CHAIN_UP_SQL.replace('$', "?"))
            .bind::<BigInt, _>(user_id)
            .bind::<BigInt, _>(max)
            .load(c)?,
    };
    Ok(rows
        .into_iter()
        .map(|r| crate::domain::invite_tree::ChainLink {
            id: r.id,
            phone: r.phone,
            invitee_count: r.invitee_count,
            depth: r.depth,
        })
        .collect())
}

/// How many people entered the codes of the people who entered `user_id`'s (the second level
/// down).
pub fn second_level(conn: &mut DbConnection, user_id: i64) -> QueryResult<i64> {
    // a sum of BIGINT is NUMERIC on PostgreSQL: cast back
    users::table
        .filter(users::invited_by_id.eq(user_id))
        .select(diesel::dsl::sql::<BigInt>(
            "CAST(COALESCE(SUM(invitee_count), 0) AS BIGINT)",
        ))
        .first::<i64>(conn)
}

/// How many entered `inviter_id`'s code since `since` (as recorded with their network).
pub fn entries_since(
    conn: &mut DbConnection,
    inviter_id: i64,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    invite_entries::table
        .filter(invite_entries::inviter_id.eq(inviter_id))
        .filter(invite_entries::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// Forgets the record of a person's entry (their account is being deleted).
pub fn forget_entry(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(invite_entries::table.find(user_id))
        .execute(conn)
        .map(drop)
}

/// Forgets a person's tries at entering codes.
pub fn forget_tries(conn: &mut DbConnection, user_id: i64) -> QueryResult<()> {
    diesel::delete(invite_attempts::table.filter(invite_attempts::user_id.eq(user_id)))
        .execute(conn)
        .map(drop)
}

pub fn record_try(conn: &mut DbConnection, user_id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::insert_into(invite_attempts::table)
        .values((
            invite_attempts::user_id.eq(user_id),
            invite_attempts::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Removes a person's tries that the limit no longer looks at.
pub fn purge_tries_before(
    conn: &mut DbConnection,
    user_id: i64,
    before: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::delete(
        invite_attempts::table
            .filter(invite_attempts::user_id.eq(user_id))
            .filter(invite_attempts::created_at.lt(before)),
    )
    .execute(conn)
}

/// Removes up to `batch` tries older than `before`, whoever made them (retention).
pub fn purge_all_tries_before(
    conn: &mut DbConnection,
    before: NaiveDateTime,
    batch: i64,
) -> QueryResult<usize> {
    let old = invite_attempts::table
        .filter(invite_attempts::created_at.lt(before))
        .select(invite_attempts::id)
        .limit(batch)
        .load::<i64>(conn)?;
    if old.is_empty() {
        return Ok(0);
    }
    diesel::delete(invite_attempts::table.filter(invite_attempts::id.eq_any(old))).execute(conn)
}

/// A row of the invitee list, read into an [`Invitee`].
#[derive(Debug, Queryable)]
struct InviteeRow {
    id: i64,
    phone: String,
    #[diesel(deserialize_as = Stamp)]
    invited_at: NaiveDateTime,
}

/// Which slice of the invitee list to read.
#[derive(Debug, Clone, Copy)]
pub enum Slice {
    First,
    OlderThan(NaiveDateTime, i64),
    NewerThan(NaiveDateTime, i64),
}

/// The three invitee queries, each a fixed statement (so both backends keep it prepared) that
/// `users_invitees_idx` serves in order, from the index alone. The redundant `invited_at <=`
/// / `>=` lets the index range start at the cursor instead of filtering from the top.
macro_rules! invitee_query {
    ($inviter_id:expr, $slice:expr, $limit:expr, |$q:ident| $then:expr) => {{
        let base = users::table
            .filter(users::invited_by_id.eq($inviter_id))
            .select((users::id, users::phone, users::invited_at.assume_not_null()))
            .limit($limit);
        match $slice {
            Slice::First => {
                let $q = base.order((users::invited_at.desc(), users::id.desc()));
                $then
            }
            Slice::OlderThan(at, id) => {
                let $q = base
                    .filter(users::invited_at.le(at))
                    .filter(users::invited_at.lt(at).or(users::id.lt(id)))
                    .order((users::invited_at.desc(), users::id.desc()));
                $then
            }
            Slice::NewerThan(at, id) => {
                let $q = base
                    .filter(users::invited_at.ge(at))
                    .filter(users::invited_at.gt(at).or(users::id.gt(id)))
                    .order((users::invited_at.asc(), users::id.asc()));
                $then
            }
        }
    }};
}

/// Reads up to `limit` invitees of `inviter_id` in the order the slice implies (newest first,
/// except `NewerThan`: oldest first, and the caller reverses them).
pub fn invitees(
    conn: &mut DbConnection,
    inviter_id: i64,
    slice: Slice,
    limit: i64,
) -> QueryResult<Vec<Invitee>> {
    // read on the backend's own connection: rows read through the multi-backend wrapper are
    // decoded field by field
    super::backend::native!(conn, |c| invitee_query!(inviter_id, slice, limit, |q| {
        q.load::<InviteeRow>(c)
    }))
    .map(|rows| {
        rows.into_iter()
            .map(|r| Invitee {
                id: r.id,
                phone: r.phone,
                invited_at: r.invited_at,
            })
            .collect()
    })
}

/// The text of the invitee query for `slice` as PostgreSQL (`$N` placeholders) and SQLite (`?`)
/// run it, for the `EXPLAIN` tests.
pub fn invitees_sql(slice: Slice) -> (String, String) {
    (
        without_binds(invitee_query!(0_i64, slice, 0_i64, |q| {
            diesel::debug_query::<diesel::pg::Pg, _>(&q).to_string()
        })),
        without_binds(invitee_query!(0_i64, slice, 0_i64, |q| {
            diesel::debug_query::<diesel::sqlite::Sqlite, _>(&q).to_string()
        })),
    )
}
