//! Repository functions for `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{DbConnection, schema::users};
use crate::domain::account::User;

/// A row of `users`, read into a [`User`].
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    id: i64,
    phone: String,
    invite_code: String,
    invited_by_id: Option<i64>,
    is_active: bool,
    is_staff: bool,
    date_joined: NaiveDateTime,
    last_login: Option<NaiveDateTime>,
    invited_at: Option<NaiveDateTime>,
    invitee_count: i64,
    is_owner: bool,
    display_name: Option<String>,
    deleted_at: Option<NaiveDateTime>,
    email: Option<String>,
    email_verified_at: Option<NaiveDateTime>,
    unseen_invitees: i64,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: r.id,
            phone: r.phone,
            invite_code: r.invite_code,
            invited_by_id: r.invited_by_id,
            is_active: r.is_active,
            is_staff: r.is_staff,
            date_joined: r.date_joined,
            last_login: r.last_login,
            invited_at: r.invited_at,
            invitee_count: r.invitee_count,
            is_owner: r.is_owner,
            display_name: r.display_name,
            deleted_at: r.deleted_at,
            email: r.email,
            email_verified_at: r.email_verified_at,
            unseen_invitees: r.unseen_invitees,
        }
    }
}

/// The fields a new account is created with.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub phone: &'a str,
    pub invite_code: &'a str,
    pub date_joined: NaiveDateTime,
    pub last_login: Option<NaiveDateTime>,
}

pub fn find_by_phone(conn: &mut DbConnection, phone: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::phone.eq(phone))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
        .map(|row| row.map(User::from))
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    super::backend::native!(conn, |c| users::table
        .find(id)
        .select(UserRow::as_select())
        .first(c)
        .optional())
    .map(|row| row.map(User::from))
}

/// Inserts an account, in one round trip; `None` when its phone or its invite code is taken
/// (no error, so the transaction goes on without a savepoint).
pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<Option<User>> {
    // every column bound (no DEFAULT), so the statement is kept prepared
    let values = (
        users::phone.eq(new.phone),
        users::invite_code.eq(new.invite_code),
        users::date_joined.eq(new.date_joined),
        users::last_login.eq(new.last_login),
    );
    super::backend::native!(conn, |c| diesel::insert_into(users::table)
        .values(values)
        .on_conflict_do_nothing()
        .returning(UserRow::as_returning())
        .get_result(c)
        .optional())
    .map(|row| row.map(User::from))
}

/// Sets (or, with `None`, clears) a person's display name.
pub fn set_display_name(
    conn: &mut DbConnection,
    id: i64,
    name: Option<&str>,
) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::display_name.eq(name))
        .execute(conn)
}

pub fn touch_last_login(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login.eq(Some(at)))
        .execute(conn)
        .map(drop)
}

/// Moves the account to another number; a number taken by another account comes back as the
/// unique violation.
pub fn set_phone(conn: &mut DbConnection, id: i64, phone: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::phone.eq(phone))
        .execute(conn)
        .map(drop)
}

/// Leaves of an account only what others' entries and the audit log refer to: its id, its
/// invite code and its dates. The number becomes `deleted_phone` (so the real one is free),
/// the name, rights and its own entry go. The caller keeps the inviter's count in step.
pub fn tombstone(
    conn: &mut DbConnection,
    id: i64,
    deleted_phone: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::phone.eq(deleted_phone),
            users::display_name.eq(None::<String>),
            users::is_active.eq(false),
            users::is_staff.eq(false),
            users::is_owner.eq(false),
            users::invited_by_id.eq(None::<i64>),
            users::invited_at.eq(None::<NaiveDateTime>),
            users::last_login.eq(None::<NaiveDateTime>),
            users::deleted_at.eq(Some(at)),
            users::email.eq(None::<String>),
            users::email_verified_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
        .map(drop)
}

/// Sets the account's verified address (`None` removes it).
pub fn set_email(
    conn: &mut DbConnection,
    id: i64,
    email: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(email),
            users::email_verified_at.eq(email.map(|_| at)),
        ))
        .execute(conn)
        .map(drop)
}

/// Gives the account `code` as its invite code (a unique violation when another has it).
pub fn set_invite_code(conn: &mut DbConnection, id: i64, code: &str) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::invite_code.eq(code))
        .execute(conn)
        .map(drop)
}
