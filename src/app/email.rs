//! A person's email address, verified by a link: asking sends a link (a 256-bit token, stored
//! only as its hash, single use, valid 24 hours) through the outbox, under limits per account
//! and per address; opening it makes the address the account's. Until then the verified
//! address, if any, stays.

use std::sync::Arc;

use chrono::NaiveDateTime;

use super::{
    accounts::profile_of,
    delivery::enqueue,
    error::Error,
    parts::{Config, Parts},
};
use crate::{
    db::{
        self, DbConnection, DbError,
        emails::{self, NewVerification, Scope},
        users,
    },
    domain::{
        account::{Profile, User},
        email::EmailAddress,
        limits::{EMAIL_LINK_TTL, window_retry_after, window_start},
        outbox::{Channel, mail_body},
        refusal::{EmailRefused, LinkRefused},
        token::{random_hex, token_hash},
    },
    i18n::Tr,
};

/// Where a verification link leads.
pub const VERIFY_PATH: &str = "/email/verify";

/// A link is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkSent {
    /// Seconds the link can be used.
    pub expires_in: i64,
}

pub struct Emails {
    parts: Arc<Parts>,
}

impl Emails {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Sends a link to `address` for `user`, in `tr`'s language.
    pub async fn request(
        &self,
        user: &User,
        address: &EmailAddress,
        tr: &Tr,
    ) -> Result<Result<LinkSent, EmailRefused>, Error> {
        let (user_id, address, tr) = (user.id, address.clone(), tr.clone());
        let sent = self
            .parts
            .run(move |conn, parts| {
                let mail = |link: &str| {
                    let args = [
                        ("email", address.as_str().to_owned().into()),
                        ("link", link.to_owned().into()),
                        ("hours", EMAIL_LINK_TTL.num_hours().into()),
                    ];
                    mail_body(
                        &tr.t("email-mail-subject"),
                        &tr.args("email-mail-text", &args),
                    )
                };
                request(conn, &parts.config, user_id, &address, parts.now(), mail)
            })
            .await?;
        if sent.is_ok() {
            self.parts.outbox.notify_one();
        }
        Ok(sent)
    }

    /// Opens a link: the address becomes the account's verified one.
    pub async fn verify(&self, token: String) -> Result<Result<EmailAddress, LinkRefused>, Error> {
        self.parts
            .run(move |conn, parts| verify(conn, &token, parts.now()))
            .await
    }

    /// Removes the verified address (and any link waiting); the updated profile.
    pub async fn remove(&self, user: User) -> Result<Profile, Error> {
        self.parts
            .run(move |conn, parts| {
                let now = parts.now();
                db::write_transaction(conn, |conn| {
                    users::set_email(conn, user.id, None, now)?;
                    emails::retire_open(conn, user.id, now)?;
                    let user = User {
                        email: None,
                        email_verified_at: None,
                        ..user.clone()
                    };
                    profile_of(conn, user, now)
                })
            })
            .await
    }
}

/// The rules of asking for a link, in one transaction: the limits, then the link (older open
/// links of the account retired) and its mail in the outbox. `mail(link)` is the mail's body.
pub fn request(
    conn: &mut DbConnection,
    cfg: &Config,
    user_id: i64,
    address: &EmailAddress,
    now: NaiveDateTime,
    mail: impl FnOnce(&str) -> String,
) -> Result<Result<LinkSent, EmailRefused>, DbError> {
    db::write_transaction(conn, |conn| {
        let email = address.as_str();
        db::lock_keys(
            conn,
            &[&format!("email-user:{user_id}"), &format!("email:{email}")],
        )?;
        let user = users::find_by_id(conn, user_id)?;
        if user.as_ref().and_then(|u| u.email.as_deref()) == Some(email) {
            return Ok(Err(EmailRefused::Unchanged));
        }
        let limits = &cfg.limits;
        let since = window_start(now);
        let (count, oldest) = emails::window(conn, Scope::Account(user_id), since)?;
        if count >= limits.email_links_per_account_per_hour {
            let retry_after = window_retry_after(oldest, now);
            return Ok(Err(EmailRefused::TooManyForAccount { retry_after }));
        }
        let (count, oldest) = emails::window(conn, Scope::Address(email), since)?;
        if count >= limits.email_links_per_address_per_hour {
            let retry_after = window_retry_after(oldest, now);
            return Ok(Err(EmailRefused::TooManyForAddress { retry_after }));
        }
        emails::retire_open(conn, user_id, now)?;
        let token = random_hex::<32>();
        emails::insert(
            conn,
            &NewVerification {
                user_id,
                email,
                token_hash: &token_hash(&token),
                created_at: now,
                expires_at: now + EMAIL_LINK_TTL,
            },
        )?;
        let link = format!("{}{VERIFY_PATH}?token={token}", cfg.link_origin);
        enqueue(
            conn,
            cfg,
            Channel::Email,
            email,
            &mail(&link),
            now + EMAIL_LINK_TTL,
            now,
        )?;
        Ok(Ok(LinkSent {
            expires_in: EMAIL_LINK_TTL.num_seconds(),
        }))
    })
}

/// The rules of opening a link, in one transaction: a known, unused, unexpired link of a live
/// account; it is used up, and its address becomes the account's.
pub fn verify(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Result<EmailAddress, LinkRefused>, DbError> {
    db::write_transaction(conn, |conn| {
        let Some(link) = emails::find_by_hash(conn, &token_hash(token))? else {
            return Ok(Err(LinkRefused::Invalid));
        };
        if link.used_at.is_some() {
            return Ok(Err(LinkRefused::Invalid));
        }
        if link.expires_at <= now {
            return Ok(Err(LinkRefused::Expired));
        }
        let live = users::find_by_id(conn, link.user_id)?.is_some_and(|u| u.deleted_at.is_none());
        if !live || !emails::mark_used(conn, link.id, now)? {
            return Ok(Err(LinkRefused::Invalid));
        }
        users::set_email(conn, link.user_id, Some(&link.email), now)?;
        emails::retire_open(conn, link.user_id, now)?;
        Ok(Ok(EmailAddress::from_stored(link.email)))
    })
}
