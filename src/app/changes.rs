//! A person moves their account to a new number, or deletes it. Each is confirmed with a code
//! that serves only that change of that account, under every rule of a sign-in code (the same
//! sending limits, tries, expiry and locks), and each is recorded in the audit log.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::{
    Connection,
    result::{DatabaseErrorKind, Error as DieselError},
};

use super::{
    accounts::{delete_account, profile_of},
    error::Error,
    parts::{Config, Parts},
    sign_in::{
        CodeSent, code_sent, confirm_code, count_code, enqueue_text, issue_code, message_text,
    },
    staff::ROLES_LOCK,
};
use crate::{
    db::{
        self, DbConnection, DbError,
        admin::{self as repo, NewAudit},
        users,
    },
    domain::{
        account::{CodePurpose, Profile, User},
        client::ClientInfo,
        otp::OtpCode,
        phone::PhoneNumber,
        refusal::{ChangeRefused, VerifyRefused},
        staff::{Action, deleted_label},
    },
    i18n::Tr,
};

/// How long the notice to a number an account left may wait for delivery.
const NOTICE_TTL: TimeDelta = TimeDelta::hours(24);

/// Changing a number and deleting an account.
pub struct Changes {
    parts: Arc<Parts>,
}

impl Changes {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Sends a code to `phone`, the number `user` wants to move to.
    pub async fn request_phone_change(
        &self,
        user: &User,
        phone: &PhoneNumber,
        client: &ClientInfo,
        tr: &Tr,
    ) -> Result<Result<CodeSent, ChangeRefused>, Error> {
        if phone.as_e164() == user.phone {
            return Ok(Err(ChangeRefused::SamePhone));
        }
        let purpose = CodePurpose::ChangePhone { user_id: user.id };
        self.send(phone.clone(), purpose, client, tr, "sms-change-phone-text")
            .await
    }

    /// Moves `user` to `phone` with the code sent there: the account keeps its id, its invite
    /// code and its invite links both ways; the old number is told.
    pub async fn change_phone(
        &self,
        user: &User,
        phone: &PhoneNumber,
        code: OtpCode,
        client: &ClientInfo,
        tr: &Tr,
    ) -> Result<Result<Profile, ChangeRefused>, Error> {
        let (user_id, phone, client, tr) = (user.id, phone.clone(), client.clone(), tr.clone());
        let changed = self
            .parts
            .run(move |conn, parts| {
                let notice = |new: &PhoneNumber| {
                    tr.args("sms-phone-changed", &[("ending", new.ending().into())])
                };
                change_phone(
                    conn,
                    &parts.config,
                    user_id,
                    &phone,
                    &code,
                    &client,
                    parts.now(),
                    notice,
                )
            })
            .await?;
        if changed.is_ok() {
            self.parts.outbox.notify_one();
        }
        Ok(changed)
    }

    /// Sends a code to the person's own number to confirm deleting the account; the last
    /// owner is refused before anything is sent.
    pub async fn request_deletion(
        &self,
        user: &User,
        client: &ClientInfo,
        tr: &Tr,
    ) -> Result<Result<CodeSent, ChangeRefused>, Error> {
        let user_id = user.id;
        let last_owner = self
            .parts
            .run(move |conn, _| is_last_owner(conn, user_id))
            .await?;
        if last_owner {
            return Ok(Err(ChangeRefused::LastOwner));
        }
        let phone = PhoneNumber::from_e164_unchecked(user.phone.clone());
        let purpose = CodePurpose::DeleteAccount { user_id };
        self.send(phone, purpose, client, tr, "sms-delete-text")
            .await
    }

    /// Deletes the person's account with the code sent to their number.
    pub async fn delete(
        &self,
        user: &User,
        code: OtpCode,
        client: &ClientInfo,
    ) -> Result<Result<(), ChangeRefused>, Error> {
        let (user_id, client) = (user.id, client.clone());
        self.parts
            .run(move |conn, parts| {
                delete_own_account(conn, &parts.config, user_id, &code, &client, parts.now())
            })
            .await
    }

    /// Issues a code for `purpose` to `phone`, its message `message_id`, under every sending
    /// limit; wakes the delivery worker.
    async fn send(
        &self,
        phone: PhoneNumber,
        purpose: CodePurpose,
        client: &ClientInfo,
        tr: &Tr,
        message_id: &'static str,
    ) -> Result<Result<CodeSent, ChangeRefused>, Error> {
        let (client, tr) = (client.clone(), tr.clone());
        let issued = self
            .parts
            .run(move |conn, parts| {
                let now = parts.now();
                db::write_transaction(conn, |conn| {
                    let text = |code: &OtpCode| message_text(&tr, &parts.config, message_id, code);
                    issue_code(conn, &parts.config, &phone, &client, now, purpose, text)
                })
            })
            .await?;
        match issued {
            Ok(_) => {
                count_code(purpose);
                self.parts.outbox.notify_one();
                Ok(Ok(code_sent(&self.parts.config.limits)))
            }
            Err(refused) => Ok(Err(ChangeRefused::Send(refused))),
        }
    }
}

/// Whether `user_id` is the service's only owner.
fn is_last_owner(conn: &mut DbConnection, user_id: i64) -> Result<bool, DbError> {
    let owner = users::find_by_id(conn, user_id)?.is_some_and(|u| u.is_owner);
    Ok(owner && repo::count_owners(conn)? <= 1)
}

/// The rules of a change of number, in one transaction: the code, then the number's being free
/// (checked again by its unique index), then the change, the notice to the old number and the
/// audit row. `notice(new)` is the text for the old number.
#[allow(clippy::too_many_arguments)]
pub fn change_phone(
    conn: &mut DbConnection,
    cfg: &Config,
    user_id: i64,
    phone: &PhoneNumber,
    code: &OtpCode,
    client: &ClientInfo,
    now: NaiveDateTime,
    notice: impl FnOnce(&PhoneNumber) -> String,
) -> Result<Result<Profile, ChangeRefused>, DbError> {
    db::write_transaction(conn, |conn| {
        let purpose = CodePurpose::ChangePhone { user_id };
        if let Err(refused) = confirm_code(conn, cfg, phone, code, client, purpose, now)? {
            return Ok(Err(ChangeRefused::Verify(refused)));
        }
        let Some(user) = users::find_by_id(conn, user_id)?.filter(|u| u.deleted_at.is_none())
        else {
            return Ok(Err(ChangeRefused::Verify(VerifyRefused::UsedUp)));
        };
        let new = phone.as_e164();
        if users::find_by_phone(conn, new)?.is_some() {
            return Ok(Err(ChangeRefused::PhoneTaken));
        }
        // a savepoint, so a number taken meanwhile leaves the transaction usable
        match conn.transaction(|conn| users::set_phone(conn, user_id, new)) {
            Ok(()) => {}
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Ok(Err(ChangeRefused::PhoneTaken));
            }
            Err(e) => return Err(e.into()),
        }
        enqueue_text(
            conn,
            cfg,
            &user.phone,
            &notice(phone),
            now + NOTICE_TTL,
            now,
        )?;
        repo::audit(
            conn,
            &NewAudit {
                actor_id: Some(user_id),
                actor_label: &user.phone,
                action: Action::ChangePhone.as_str(),
                target_id: Some(user_id),
                target_label: new,
                ip: Some(&client.ip),
                created_at: now,
            },
        )?;
        let user = User {
            phone: new.to_owned(),
            ..user
        };
        Ok(Ok(profile_of(conn, user, now)?))
    })
}

/// The rules of deleting one's own account, in one transaction: not the last owner (under the
/// lock every change of roles takes), the code, then the deletion and its audit row, which
/// does not name the number.
pub fn delete_own_account(
    conn: &mut DbConnection,
    cfg: &Config,
    user_id: i64,
    code: &OtpCode,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<Result<(), ChangeRefused>, DbError> {
    db::write_transaction(conn, |conn| {
        db::lock_keys(conn, &[ROLES_LOCK])?;
        let Some(user) = users::find_by_id(conn, user_id)?.filter(|u| u.deleted_at.is_none())
        else {
            return Ok(Err(ChangeRefused::Verify(VerifyRefused::UsedUp)));
        };
        if is_last_owner(conn, user_id)? {
            return Ok(Err(ChangeRefused::LastOwner));
        }
        let phone = PhoneNumber::from_e164_unchecked(user.phone.clone());
        let purpose = CodePurpose::DeleteAccount { user_id };
        if let Err(refused) = confirm_code(conn, cfg, &phone, code, client, purpose, now)? {
            return Ok(Err(ChangeRefused::Verify(refused)));
        }
        delete_account(conn, &user, now)?;
        let label = deleted_label(user_id);
        repo::audit(
            conn,
            &NewAudit {
                actor_id: Some(user_id),
                actor_label: &label,
                action: Action::Delete.as_str(),
                target_id: Some(user_id),
                target_label: &label,
                ip: Some(&client.ip),
                created_at: now,
            },
        )?;
        Ok(Ok(()))
    })
}
