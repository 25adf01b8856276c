//! Accounts: creating one with its invite code, and a person's profile, the one place that
//! answers "who invited this person".

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{credentials::end_all, error::Error, parts::Parts};
use crate::{
    db::{
        DbConnection, DbError, emails, invites,
        users::{self, NewUser},
    },
    domain::{
        account::{Profile, User, deleted_phone},
        invite_code::{InviteCodeGenerator, MAX_DRAWS},
        name::DisplayName,
    },
};

/// Reading accounts.
pub struct Accounts {
    parts: Arc<Parts>,
}

impl Accounts {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// A person's profile: the account, the code they entered and an address waiting for its
    /// link.
    pub async fn profile(&self, user: User) -> Result<Profile, Error> {
        self.parts
            .run(move |conn, parts| profile_of(conn, user.clone(), parts.now()))
            .await
    }

    /// Sets the person's display name (`None` clears it); the updated profile.
    pub async fn set_name(&self, user: User, name: Option<DisplayName>) -> Result<Profile, Error> {
        self.parts
            .run(move |conn, parts| {
                users::set_display_name(conn, user.id, name.as_ref().map(DisplayName::as_str))?;
                let user = User {
                    display_name: name.as_ref().map(|n| n.as_str().to_owned()),
                    ..user.clone()
                };
                profile_of(conn, user, parts.now())
            })
            .await
    }
}

/// Creates the account with a fresh invite code, drawing again when a code is taken; if the
/// phone was registered meanwhile, that account is the answer.
pub fn create_user(
    conn: &mut DbConnection,
    invite_codes: &dyn InviteCodeGenerator,
    phone: &str,
    now: NaiveDateTime,
) -> Result<User, DbError> {
    for _ in 0..MAX_DRAWS {
        let code = invite_codes.generate();
        let new = NewUser {
            phone,
            invite_code: &code,
            date_joined: now,
            last_login: None,
        };
        if let Some(user) = users::insert(conn, &new)? {
            return Ok(user);
        }
        // Either the phone was registered meanwhile, or the code is taken: draw again.
        if let Some(user) = users::find_by_phone(conn, phone)? {
            return Ok(user);
        }
    }
    Err(DbError::Exhausted("invite code"))
}

/// Deletes `user`'s account: every session and token ends, the number is free again, their
/// own entry leaves their inviter's count and list, and the people who entered their code keep
/// their entry (shown as a deleted account's). The row stays without anything personal, for
/// those entries and the audit log. The one place an account is deleted, by its owner or staff.
pub fn delete_account(
    conn: &mut DbConnection,
    user: &User,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    if let Some(inviter) = user.invited_by_id {
        invites::remove_invitee(conn, inviter, user)?;
        invites::forget_entry(conn, user.id)?;
    }
    users::tombstone(conn, user.id, &deleted_phone(user.id), now)?;
    invites::forget_tries(conn, user.id)?;
    emails::delete_for_user(conn, user.id)?;
    end_all(conn, user.id)?;
    Ok(())
}

/// The account whose code this person entered, if any.
pub fn inviter_of(conn: &mut DbConnection, user: &User) -> Result<Option<User>, DbError> {
    match user.invited_by_id {
        Some(id) => Ok(users::find_by_id(conn, id)?),
        None => Ok(None),
    }
}

/// The account with the code it entered and the address waiting for its link, as of `now`.
pub fn profile_of(
    conn: &mut DbConnection,
    user: User,
    now: NaiveDateTime,
) -> Result<Profile, DbError> {
    let inviter = inviter_of(conn, &user)?;
    let pending_email = emails::open_for_user(conn, user.id, now)?.map(|v| v.email);
    Ok(Profile {
        user,
        inviter_deleted: inviter.as_ref().is_some_and(|i| i.deleted_at.is_some()),
        entered_code: inviter.map(|i| i.invite_code),
        pending_email,
    })
}
