//! Signing in by phone: asking for a code (every sending limit, the message in the person's
//! language, kept or dropped by whether it was delivered) and checking a code (tries, expiry,
//! the phone's lock, the account created at the first sign-in, a session or token issued).
//! Every rule reads its numbers from `Limits` and "now" from the injected clock.

use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta};

use super::{
    accounts::{create_user, profile_of},
    credentials,
    error::Error,
    parts::{Config, Parts},
};
use crate::{
    db::{
        self, DbConnection, DbError,
        events::{self},
        login_codes::{self, NewLoginCode, Scope},
        users,
    },
    domain::{
        account::{Credential, Outcome, Profile},
        client::ClientInfo,
        limits::{Limits, seconds_until, window_retry_after, window_start},
        otp::{self, OtpCode},
        phone::PhoneNumber,
        refusal::{SendRefused, VerifyRefused},
    },
    i18n::Tr,
};

/// Asking for codes and checking them.
pub struct SignIn {
    parts: Arc<Parts>,
}

/// A code is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSent {
    /// Seconds until another code may be asked for.
    pub resend_after: i64,
    /// Seconds the code can be used.
    pub expires_in: i64,
}

/// A code that was stored and is to be sent.
#[derive(Debug)]
pub struct IssuedCode {
    pub code: OtpCode,
    pub code_id: i64,
}

/// A successful sign-in.
#[derive(Debug)]
pub struct SignedIn {
    pub profile: Profile,
    /// The secret of the new session or API token; only its hash is stored.
    pub token: String,
    pub expires_at: NaiveDateTime,
    pub new_account: bool,
}

impl SignIn {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// Digits in a code: what a typed code is parsed against.
    pub fn code_length(&self) -> usize {
        self.parts.config.limits.otp_length
    }

    /// "Send me a code": checks every limit and stores the code, sends it in the person's
    /// language, then keeps it (retiring older ones) or drops it if it could not be sent. The
    /// answer does not depend on whether the phone has an account.
    pub async fn request_code(
        &self,
        phone: &PhoneNumber,
        client: &ClientInfo,
        tr: &Tr,
    ) -> Result<Result<CodeSent, SendRefused>, Error> {
        let now = self.parts.now();
        let issued = {
            let (phone, client) = (phone.clone(), client.clone());
            self.parts
                .run(move |conn, parts| request_code(conn, &parts.config, &phone, &client, now))
                .await?
        };
        let IssuedCode { code, code_id } = match issued {
            Ok(issued) => issued,
            Err(refused) => return Ok(Err(refused)),
        };
        let limits = &self.parts.config.limits;
        let text = tr.args(
            "sms-text",
            &[
                ("code", code.as_str().to_owned().into()),
                ("minutes", limits.otp_ttl.num_minutes().max(1).into()),
            ],
        );
        let delivered = match self.parts.sms.send(phone.as_e164(), &text).await {
            Ok(()) => true,
            Err(e) => {
                log::warn!("could not send a sign-in code: {e}");
                false
            }
        };
        {
            let (phone, client) = (phone.clone(), client.clone());
            self.parts
                .run(move |conn, _| {
                    finish_code_request(conn, &phone, code_id, delivered, &client, now)
                })
                .await?;
        }
        Ok(if delivered {
            Ok(CodeSent {
                resend_after: limits.resend_cooldown.num_seconds(),
                expires_in: limits.otp_ttl.num_seconds(),
            })
        } else {
            Err(SendRefused::Undelivered)
        })
    }

    /// Seconds until the phone may ask for another code (0 when it may now).
    pub async fn resend_wait(&self, phone: &PhoneNumber) -> Result<i64, Error> {
        let phone = phone.clone();
        self.parts
            .run(move |conn, parts| resend_wait(conn, &parts.config.limits, &phone, parts.now()))
            .await
    }

    /// "Here is my code": signs in, creating the account at the first sign-in, and issues the
    /// credential asked for. `replacing` is the session this browser held, if any: a new
    /// sign-in ends it.
    pub async fn verify(
        &self,
        phone: &PhoneNumber,
        code: OtpCode,
        client: &ClientInfo,
        credential: Credential,
        replacing: Option<String>,
    ) -> Result<Result<SignedIn, VerifyRefused>, Error> {
        let (phone, client) = (phone.clone(), client.clone());
        self.parts
            .run(move |conn, parts| {
                let signed_in = verify_code(
                    conn,
                    &parts.config,
                    &phone,
                    &code,
                    &client,
                    credential,
                    parts.now(),
                )?;
                if let (Ok(_), Some(previous)) = (&signed_in, replacing) {
                    credentials::end_one(conn, Credential::WebSession, &previous)?;
                }
                Ok(signed_in)
            })
            .await
    }
}

/// Seconds until the lock on `phone` ends, if it is locked.
fn locked_for(
    conn: &mut DbConnection,
    phone: &str,
    now: NaiveDateTime,
) -> Result<Option<i64>, DbError> {
    Ok(login_codes::failures(conn, phone)?
        .and_then(|f| f.locked_until)
        .filter(|until| *until > now)
        .map(|until| seconds_until(until, now)))
}

/// Checks every limit and, if all allow it, stores a new code; a refusal is recorded as an
/// event. The answer does not depend on whether the phone has an account.
pub fn request_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<Result<IssuedCode, SendRefused>, DbError> {
    let e164 = phone.as_e164();
    db::write_transaction(conn, |conn| {
        let outcome = check_and_store_code(conn, cfg, e164, client, now)?;
        if outcome.is_err() {
            events::record(conn, e164, None, &client.ip, Outcome::CodeRefused, now)?;
        }
        Ok(outcome)
    })
}

/// The limits and the new code, inside `request_code`'s transaction.
fn check_and_store_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &str,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<Result<IssuedCode, SendRefused>, DbError> {
    let limits = &cfg.limits;
    db::lock_keys(conn, &[phone, &format!("ip:{}", client.ip)])?;
    login_codes::purge_before(conn, phone, now - TimeDelta::days(1))?;

    if let Some(retry_after) = locked_for(conn, phone, now)? {
        return Ok(Err(SendRefused::PhoneLocked { retry_after }));
    }
    if let Some(newest) = login_codes::newest_for_phone(conn, phone)? {
        let allowed_at = newest.created_at + limits.resend_cooldown;
        if allowed_at > now {
            return Ok(Err(SendRefused::ResendTooSoon {
                retry_after: seconds_until(allowed_at, now),
            }));
        }
    }
    let since = window_start(now);
    let (count, oldest) = login_codes::window(conn, Scope::Phone(phone), since)?;
    if count >= limits.codes_per_phone_per_hour {
        return Ok(Err(SendRefused::TooManyForPhone {
            retry_after: window_retry_after(oldest, now),
        }));
    }
    let (count, oldest) = login_codes::window(conn, Scope::ClientIp(&client.ip), since)?;
    if count >= limits.codes_per_ip_per_hour {
        return Ok(Err(SendRefused::TooManyFromAddress {
            retry_after: window_retry_after(oldest, now),
        }));
    }

    let code = OtpCode::generate(limits.otp_length);
    let mac = otp::code_mac(&cfg.code_key, phone, &code);
    let code_id = login_codes::insert(
        conn,
        &NewLoginCode {
            phone,
            code_hmac: &mac,
            created_at: now,
            expires_at: now + limits.otp_ttl,
            client_ip: &client.ip,
        },
    )?;
    Ok(Ok(IssuedCode { code, code_id }))
}

/// After sending: a delivered code retires the older ones; an undelivered one is removed, so
/// the failure counts against no limit and the previous code stays usable.
pub fn finish_code_request(
    conn: &mut DbConnection,
    phone: &PhoneNumber,
    code_id: i64,
    delivered: bool,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<(), DbError> {
    db::write_transaction(conn, |conn| {
        if delivered {
            login_codes::retire_older(conn, phone.as_e164(), code_id, now)?;
            events::record(
                conn,
                phone.as_e164(),
                None,
                &client.ip,
                Outcome::CodeSent,
                now,
            )?;
        } else {
            login_codes::delete(conn, code_id)?;
        }
        Ok(())
    })
}

/// Seconds until the phone may ask for another code (0 when it may now).
pub fn resend_wait(
    conn: &mut DbConnection,
    limits: &Limits,
    phone: &PhoneNumber,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(login_codes::newest_for_phone(conn, phone.as_e164())?
        .map(|c| c.created_at + limits.resend_cooldown)
        .filter(|at| *at > now)
        .map_or(0, |at| seconds_until(at, now)))
}

/// Checks a code and records what happened. The try is counted before the comparison, and
/// every failure also counts towards the phone's lock, whichever code it was against.
pub fn verify_code(
    conn: &mut DbConnection,
    cfg: &Config,
    phone: &PhoneNumber,
    code: &OtpCode,
    client: &ClientInfo,
    credential: Credential,
    now: NaiveDateTime,
) -> Result<Result<SignedIn, VerifyRefused>, DbError> {
    let e164 = phone.as_e164();
    db::write_transaction(conn, |conn| {
        let outcome = check_code(conn, cfg, e164, code, client, credential, now)?;
        let (event, user_id) = match &outcome {
            Ok(signed_in) => (Outcome::SignedIn, Some(signed_in.profile.user.id)),
            Err(VerifyRefused::Wrong { .. }) => (Outcome::WrongCode, None),
            Err(VerifyRefused::UsedUp) => (Outcome::CodeDead, None),
            Err(VerifyRefused::Expired) => (Outcome::CodeExpired, None),
            Err(VerifyRefused::PhoneLocked { .. }) => (Outcome::Locked, None),
            Err(VerifyRefused::Blocked) => (Outcome::Blocked, None),
        };
        events::record(conn, e164, user_id, &client.ip, event, now)?;
        Ok(outcome)
    })
}

/// The rules of `verify_code`, inside its transaction.
fn check_code(
    conn: &mut DbConnection,
    cfg: &Config,
    e164: &str,
    code: &OtpCode,
    client: &ClientInfo,
    credential: Credential,
    now: NaiveDateTime,
) -> Result<Result<SignedIn, VerifyRefused>, DbError> {
    let limits = &cfg.limits;
    db::lock_keys(conn, &[e164])?;
    if let Some(retry_after) = locked_for(conn, e164, now)? {
        return Ok(Err(VerifyRefused::PhoneLocked { retry_after }));
    }
    let Some(stored) = login_codes::newest_for_phone(conn, e164)? else {
        return Ok(Err(VerifyRefused::UsedUp));
    };
    if stored.consumed_at.is_some() {
        return Ok(Err(VerifyRefused::UsedUp));
    }
    if stored.expires_at <= now {
        return Ok(Err(VerifyRefused::Expired));
    }
    if !login_codes::count_attempt(conn, stored.id, limits.otp_max_attempts)? {
        return Ok(Err(VerifyRefused::UsedUp));
    }
    if !otp::matches(&cfg.code_key, e164, code, &stored.code_hmac) {
        let failures = login_codes::record_failure(
            conn,
            e164,
            now,
            limits.lock_after_failures,
            now + limits.lock_duration,
        )?;
        if let Some(until) = failures.locked_until {
            return Ok(Err(VerifyRefused::PhoneLocked {
                retry_after: seconds_until(until, now),
            }));
        }
        let attempts_left = limits.otp_max_attempts - (stored.attempts + 1);
        return Ok(Err(if attempts_left > 0 {
            VerifyRefused::Wrong { attempts_left }
        } else {
            VerifyRefused::UsedUp
        }));
    }
    if !login_codes::consume(conn, stored.id, now)? {
        return Ok(Err(VerifyRefused::UsedUp));
    }
    login_codes::clear_failures(conn, e164)?;

    let (user, new_account) = match users::find_by_phone(conn, e164)? {
        Some(user) => (user, false),
        None => (
            create_user(conn, cfg.invite_codes.as_ref(), e164, now)?,
            true,
        ),
    };
    if !user.is_active {
        return Ok(Err(VerifyRefused::Blocked));
    }
    users::touch_last_login(conn, user.id, now)?;
    let (token, expires_at) = credentials::issue(conn, limits, credential, user.id, client, now)?;
    Ok(Ok(SignedIn {
        profile: profile_of(conn, user)?,
        token,
        expires_at,
        new_account,
    }))
}
