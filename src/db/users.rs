//! Repository functions for `users`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{DbConnection, schema::users};

/// A row of `users`.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i64,
    pub phone: String,
    pub invite_code: String,
    pub invited_by_id: Option<i64>,
    pub is_active: bool,
    pub is_staff: bool,
    pub date_joined: NaiveDateTime,
    pub last_login: Option<NaiveDateTime>,
    /// When this person entered someone's invite code.
    pub invited_at: Option<NaiveDateTime>,
    /// How many people entered this person's code (kept by `activate_invite`).
    pub invitee_count: i64,
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
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_id(conn: &mut DbConnection, id: i64) -> QueryResult<Option<User>> {
    super::native!(conn, |c| users::table
        .find(id)
        .select(User::as_select())
        .first(c)
        .optional())
}

/// Inserts an account. A unique violation (phone or invite code) comes back as the diesel error.
pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .execute(conn)?;
    users::table
        .filter(users::phone.eq(new.phone))
        .select(User::as_select())
        .first(conn)
}

pub fn touch_last_login(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login.eq(Some(at)))
        .execute(conn)
        .map(drop)
}
