//! Sign-in by phone: requesting a code, verifying it, and the signed-in sessions.
//! Every rule here reads its numbers from `Limits` and its time from the caller's clock.

pub mod otp;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::{
    Connection, QueryResult,
    result::{DatabaseErrorKind, Error as DieselError},
};
use sha2::{Digest, Sha256};

use crate::{
    config::{Limits, hex},
    db::{
        self, DbConnection, DbError, DbPool,
        api_tokens::{self, NewApiToken},
        events::{self, Outcome},
        login_codes::{self, NewLoginCode, Scope},
        sessions::{self, NewSession},
        users::{self, NewUser, User},
    },
    i18n::Tr,
    invites::{self, InviteCodeGenerator},
    phone::PhoneNumber,
    sms::SmsSender,
};
use otp::OtpCode;

/// Keys, numbers and the invite code source the sign-in rules need.
#[derive(Clone)]
pub struct AuthConfig {
    pub limits: Limits,
    /// Key for the code HMACs, derived from the server secret.
    pub code_key: [u8; 32],
    /// Draws the invite code of a new account.
    pub invite_codes: std::sync::Arc<dyn InviteCodeGenerator>,
}

/// Who is asking, as far as limits and the session list care.
#[derive(Debug, Clone)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
}

/// The answer to "send me a code".
#[derive(Debug)]
pub enum CodeRequest {
    /// A code was created; send it, then call [`finish_code_request`].
    Issued { code: OtpCode, code_id: i64 },
    /// The previous code is too recent.
    Cooldown { retry_after: i64 },
    /// Too many codes for this phone in the last hour.
    PhoneLimit { retry_after: i64 },
    /// Too many codes from this client IP in the last hour.
    IpLimit { retry_after: i64 },
    /// Too many wrong codes: the phone is locked.
    Locked { retry_after: i64 },
}

fn seconds_until(later: NaiveDateTime, now: NaiveDateTime) -> i64 {
    let delta = later - now;
    // round up, so "try again in N seconds" is never too early
    (delta.num_milliseconds() + 999).div_euclid(1000).max(1)
}

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

/// Checks every limit and, if all allow it, stores a new code. The answer does not depend on
/// whether the phone has an account.
pub fn request_code(
    conn: &mut DbConnection,
    cfg: &AuthConfig,
    phone: &PhoneNumber,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<CodeRequest, DbError> {
    let e164 = phone.as_e164();
    db::write_transaction(conn, |conn| {
        let outcome = check_and_store_code(conn, cfg, e164, client, now)?;
        if !matches!(outcome, CodeRequest::Issued { .. }) {
            events::record(conn, e164, None, &client.ip, Outcome::CodeRefused, now)?;
        }
        Ok(outcome)
    })
}

/// The limits and the new code, inside `request_code`'s transaction.
fn check_and_store_code(
    conn: &mut DbConnection,
    cfg: &AuthConfig,
    phone: &str,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<CodeRequest, DbError> {
    let limits = &cfg.limits;
    {
        db::lock_keys(conn, &[phone, &format!("ip:{}", client.ip)])?;
        login_codes::purge_before(conn, phone, now - TimeDelta::days(1))?;

        if let Some(retry_after) = locked_for(conn, phone, now)? {
            return Ok(CodeRequest::Locked { retry_after });
        }
        if let Some(newest) = login_codes::newest_for_phone(conn, phone)? {
            let allowed_at = newest.created_at + limits.resend_cooldown;
            if allowed_at > now {
                return Ok(CodeRequest::Cooldown {
                    retry_after: seconds_until(allowed_at, now),
                });
            }
        }
        let hour_ago = now - TimeDelta::hours(1);
        let (count, oldest) = login_codes::window(conn, Scope::Phone(phone), hour_ago)?;
        if count >= limits.codes_per_phone_per_hour {
            let at = oldest.unwrap_or(now) + TimeDelta::hours(1);
            return Ok(CodeRequest::PhoneLimit {
                retry_after: seconds_until(at, now),
            });
        }
        let (count, oldest) = login_codes::window(conn, Scope::ClientIp(&client.ip), hour_ago)?;
        if count >= limits.codes_per_ip_per_hour {
            let at = oldest.unwrap_or(now) + TimeDelta::hours(1);
            return Ok(CodeRequest::IpLimit {
                retry_after: seconds_until(at, now),
            });
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
        Ok(CodeRequest::Issued { code, code_id })
    }
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

/// What became of a request for a code, once sending was tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sending {
    /// The code is on its way.
    Sent,
    Cooldown {
        retry_after: i64,
    },
    PhoneLimit {
        retry_after: i64,
    },
    IpLimit {
        retry_after: i64,
    },
    Locked {
        retry_after: i64,
    },
    /// The text message could not be sent; nothing was counted.
    Undelivered,
}

/// The whole "send me a code" flow shared by the web form and the API: check the limits and
/// store the code, send it in the person's language, then keep it (retiring older ones) or
/// drop it if it could not be sent.
pub async fn send_code(
    pool: &DbPool,
    cfg: &AuthConfig,
    sms: &dyn SmsSender,
    tr: &Tr,
    phone: &PhoneNumber,
    client: ClientInfo,
    now: NaiveDateTime,
) -> Result<Sending, DbError> {
    let outcome = {
        let (cfg, phone, client) = (cfg.clone(), phone.clone(), client.clone());
        db::run(pool, move |conn| {
            request_code(conn, &cfg, &phone, &client, now)
        })
        .await?
    };
    let (code, code_id) = match outcome {
        CodeRequest::Issued { code, code_id } => (code, code_id),
        CodeRequest::Cooldown { retry_after } => return Ok(Sending::Cooldown { retry_after }),
        CodeRequest::PhoneLimit { retry_after } => return Ok(Sending::PhoneLimit { retry_after }),
        CodeRequest::IpLimit { retry_after } => return Ok(Sending::IpLimit { retry_after }),
        CodeRequest::Locked { retry_after } => return Ok(Sending::Locked { retry_after }),
    };
    let minutes = cfg.limits.otp_ttl.num_minutes().max(1);
    let text = tr.args(
        "sms-text",
        &[
            ("code", code.as_str().to_owned().into()),
            ("minutes", minutes.into()),
        ],
    );
    let delivered = match sms.send(phone.as_e164(), &text).await {
        Ok(()) => true,
        Err(e) => {
            log::warn!("could not send a sign-in code: {e}");
            false
        }
    };
    let phone = phone.clone();
    db::run(pool, move |conn| {
        finish_code_request(conn, &phone, code_id, delivered, &client, now)
    })
    .await?;
    Ok(if delivered {
        Sending::Sent
    } else {
        Sending::Undelivered
    })
}

/// Seconds until the phone may ask for another code (0 when it may now).
pub fn resend_wait(
    conn: &mut DbConnection,
    cfg: &AuthConfig,
    phone: &PhoneNumber,
    now: NaiveDateTime,
) -> Result<i64, DbError> {
    Ok(login_codes::newest_for_phone(conn, phone.as_e164())?
        .map(|c| c.created_at + cfg.limits.resend_cooldown)
        .filter(|at| *at > now)
        .map_or(0, |at| seconds_until(at, now)))
}

/// What a successful sign-in hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    /// A browser session (the web pages).
    WebSession,
    /// A bearer token (the JSON API).
    ApiToken,
}

/// The answer to "here is my code".
#[derive(Debug)]
pub enum Verification {
    SignedIn {
        user: User,
        /// The secret of the new session or API token; only its hash is stored.
        token: String,
        expires_at: NaiveDateTime,
        new_account: bool,
    },
    /// Wrong code; this many tries remain for it.
    Wrong {
        attempts_left: i32,
    },
    /// No usable code: none was sent, it was used, replaced, or has no tries left.
    NeedNewCode,
    Expired,
    Locked {
        retry_after: i64,
    },
    Blocked,
}

/// Checks a code. The try is counted before the comparison, and every failure also counts
/// towards the phone's lock, whichever code it was against.
pub fn verify_code(
    conn: &mut DbConnection,
    cfg: &AuthConfig,
    phone: &PhoneNumber,
    code: &OtpCode,
    client: &ClientInfo,
    credential: Credential,
    now: NaiveDateTime,
) -> Result<Verification, DbError> {
    let e164 = phone.as_e164();
    db::write_transaction(conn, |conn| {
        let outcome = check_code(conn, cfg, e164, code, client, credential, now)?;
        let (event, user_id) = match &outcome {
            Verification::SignedIn { user, .. } => (Outcome::SignedIn, Some(user.id)),
            Verification::Wrong { .. } => (Outcome::WrongCode, None),
            Verification::NeedNewCode => (Outcome::CodeDead, None),
            Verification::Expired => (Outcome::CodeExpired, None),
            Verification::Locked { .. } => (Outcome::Locked, None),
            Verification::Blocked => (Outcome::Blocked, None),
        };
        events::record(conn, e164, user_id, &client.ip, event, now)?;
        Ok(outcome)
    })
}

/// The rules of `verify_code`, inside its transaction.
fn check_code(
    conn: &mut DbConnection,
    cfg: &AuthConfig,
    e164: &str,
    code: &OtpCode,
    client: &ClientInfo,
    credential: Credential,
    now: NaiveDateTime,
) -> Result<Verification, DbError> {
    let limits = &cfg.limits;
    {
        db::lock_keys(conn, &[e164])?;
        if let Some(retry_after) = locked_for(conn, e164, now)? {
            return Ok(Verification::Locked { retry_after });
        }
        let Some(stored) = login_codes::newest_for_phone(conn, e164)? else {
            return Ok(Verification::NeedNewCode);
        };
        if stored.consumed_at.is_some() {
            return Ok(Verification::NeedNewCode);
        }
        if stored.expires_at <= now {
            return Ok(Verification::Expired);
        }
        if !login_codes::count_attempt(conn, stored.id, limits.otp_max_attempts)? {
            return Ok(Verification::NeedNewCode);
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
                return Ok(Verification::Locked {
                    retry_after: seconds_until(until, now),
                });
            }
            let attempts_left = limits.otp_max_attempts - (stored.attempts + 1);
            return Ok(if attempts_left > 0 {
                Verification::Wrong { attempts_left }
            } else {
                Verification::NeedNewCode
            });
        }
        if !login_codes::consume(conn, stored.id, now)? {
            return Ok(Verification::NeedNewCode);
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
            return Ok(Verification::Blocked);
        }
        users::touch_last_login(conn, user.id, now)?;
        let (token, expires_at) = match credential {
            Credential::WebSession => (
                start_session(conn, limits, user.id, client, now)?,
                now + limits.session_ttl,
            ),
            Credential::ApiToken => (
                issue_api_token(conn, limits, user.id, now)?,
                now + limits.api_token_ttl,
            ),
        };
        Ok(Verification::SignedIn {
            user,
            token,
            expires_at,
            new_account,
        })
    }
}

/// Creates the account with a fresh invite code, drawing again when a code is taken.
pub fn create_user(
    conn: &mut DbConnection,
    invite_codes: &dyn InviteCodeGenerator,
    phone: &str,
    now: NaiveDateTime,
) -> Result<User, DbError> {
    for _ in 0..invites::MAX_DRAWS {
        let code = invite_codes.generate();
        let attempt = conn.transaction(|conn| {
            users::insert(
                conn,
                &NewUser {
                    phone,
                    invite_code: &code,
                    date_joined: now,
                    last_login: None,
                },
            )
        });
        match attempt {
            Ok(user) => return Ok(user),
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                // Either the phone was registered meanwhile, or the code is taken: draw again.
                if let Some(user) = users::find_by_phone(conn, phone)? {
                    return Ok(user);
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(DbError::Exhausted("invite code"))
}

/// SHA-256 of a session token, as stored.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Starts a signed-in session and returns its secret token (128 random bits, hex).
pub fn start_session(
    conn: &mut DbConnection,
    limits: &Limits,
    user_id: i64,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    let mut bytes = [0u8; 16];
    rand::fill(&mut bytes);
    let token = hex(&bytes);
    sessions::insert(
        conn,
        &NewSession {
            token_hash: &token_hash(&token),
            user_id,
            created_at: now,
            last_seen_at: now,
            expires_at: now + limits.session_ttl,
            user_agent: client.user_agent.as_deref().map(|ua| truncate(ua, 255)),
            ip: Some(&client.ip),
        },
    )?;
    Ok(token)
}

/// (id, last seen, expires) of a session or API token row.
type CredentialRow = (i64, NaiveDateTime, NaiveDateTime);

/// A table of credentials found by the SHA-256 of their secret: web sessions or API tokens.
trait Credentials {
    /// The row and its user.
    fn find(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<(CredentialRow, User)>>;
    fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize>;
    fn touch(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()>;
}

struct WebSessions;

impl Credentials for WebSessions {
    fn find(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<(CredentialRow, User)>> {
        Ok(sessions::find_with_user(conn, hash)?
            .map(|(s, u)| ((s.id, s.last_seen_at, s.expires_at), u)))
    }
    fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
        sessions::delete_by_id(conn, id)
    }
    fn touch(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
        sessions::touch(conn, id, at)
    }
}

struct ApiTokens;

impl Credentials for ApiTokens {
    fn find(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<(CredentialRow, User)>> {
        Ok(api_tokens::find_with_user(conn, hash)?
            .map(|(t, u)| ((t.id, t.last_used_at, t.expires_at), u)))
    }
    fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
        api_tokens::delete_by_id(conn, id)
    }
    fn touch(conn: &mut DbConnection, id: i64, at: NaiveDateTime) -> QueryResult<()> {
        api_tokens::touch(conn, id, at)
    }
}

/// The user behind a secret of table `C`, if it is unexpired and the user active. An expired
/// row is removed; a blocked user loses every session and token; "last seen" is written at most
/// once per `session_touch_interval`.
fn authenticate_in<C: Credentials>(
    conn: &mut DbConnection,
    limits: &Limits,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    let Some(((id, last_seen, expires_at), user)) = C::find(conn, &token_hash(token))? else {
        return Ok(None);
    };
    if expires_at <= now {
        C::delete(conn, id)?;
        return Ok(None);
    }
    if !user.is_active {
        sessions::delete_for_user(conn, user.id)?;
        api_tokens::delete_for_user(conn, user.id)?;
        return Ok(None);
    }
    if last_seen + limits.session_touch_interval <= now {
        C::touch(conn, id, now)?;
    }
    Ok(Some(user))
}

/// The user behind a session token, if the session is still open and the user active.
pub fn authenticate(
    conn: &mut DbConnection,
    limits: &Limits,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    authenticate_in::<WebSessions>(conn, limits, token, now)
}

/// Issues an API token (256 random bits, hex); only its SHA-256 is stored.
pub fn issue_api_token(
    conn: &mut DbConnection,
    limits: &Limits,
    user_id: i64,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    let mut bytes = [0u8; 32];
    rand::fill(&mut bytes);
    let token = hex(&bytes);
    api_tokens::insert(
        conn,
        &NewApiToken {
            token_hash: &token_hash(&token),
            user_id,
            created_at: now,
            last_used_at: now,
            expires_at: now + limits.api_token_ttl,
        },
    )?;
    Ok(token)
}

/// The user behind an API token, if it is unexpired, unrevoked and the user active.
pub fn authenticate_api_token(
    conn: &mut DbConnection,
    limits: &Limits,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    authenticate_in::<ApiTokens>(conn, limits, token, now)
}

/// Revokes one API token.
pub fn revoke_api_token(conn: &mut DbConnection, token: &str) -> Result<(), DbError> {
    api_tokens::delete_by_hash(conn, &token_hash(token))?;
    Ok(())
}

/// Ends one session.
pub fn sign_out(conn: &mut DbConnection, token: &str) -> Result<(), DbError> {
    sessions::delete_by_hash(conn, &token_hash(token))?;
    Ok(())
}
