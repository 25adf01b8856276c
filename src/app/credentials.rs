//! Web sessions and API tokens: issued at sign-in, checked on every signed-in request (one
//! authentication path for both kinds), and ended by signing out, revoking, or staff action.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::{error::Error, parts::Parts};
use crate::{
    db::{
        DbConnection, DbError,
        api_tokens::{self, NewApiToken},
        code_check::NewCredential,
        sessions::{self, NewSession},
    },
    domain::{
        account::{Credential, User},
        client::ClientInfo,
        devices::{Device, describe},
        limits::Limits,
        token::{random_hex, token_hash},
    },
};

/// Finding the person behind a session or an API token, and ending either.
pub struct Credentials {
    parts: Arc<Parts>,
}

impl Credentials {
    pub(super) fn new(parts: Arc<Parts>) -> Self {
        Self { parts }
    }

    /// The person behind a session or API token, if it is still open (unexpired, not ended)
    /// and the account active.
    pub async fn user(&self, kind: Credential, token: String) -> Result<Option<User>, Error> {
        self.parts
            .run(move |conn, parts| {
                authenticate(conn, &parts.config.limits, kind, &token, parts.now())
            })
            .await
    }

    /// Where `user` is signed in: every live session and token, newest first, the one of
    /// `current` (the asking request's kind and secret) marked; and the time they were read at
    /// (for "5 minutes ago").
    pub async fn devices(
        &self,
        user: &User,
        current: (Credential, String),
    ) -> Result<(Vec<Device>, NaiveDateTime), Error> {
        let user_id = user.id;
        self.parts
            .run(move |conn, parts| {
                let now = parts.now();
                let (kind, token) = current.clone();
                let current = id_of(conn, kind, &token)?.map(|id| (kind, id));
                Ok((live_devices(conn, user_id, current, now)?, now))
            })
            .await
    }

    /// Ends one of `user`'s sessions or tokens by its id; whether it was theirs and live.
    pub async fn end_device(&self, user: &User, kind: Credential, id: i64) -> Result<bool, Error> {
        let user_id = user.id;
        self.parts
            .run(move |conn, _| {
                Ok(match kind {
                    Credential::WebSession => sessions::delete_own(conn, user_id, id)?,
                    Credential::ApiToken => api_tokens::delete_own(conn, user_id, id)?,
                } == 1)
            })
            .await
    }

    /// Ends every session and token of `user` but the one of `current`; how many ended.
    pub async fn end_others(
        &self,
        user: &User,
        current: (Credential, String),
    ) -> Result<usize, Error> {
        let user_id = user.id;
        self.parts
            .run(move |conn, _| {
                let (kind, token) = current.clone();
                let keep = id_of(conn, kind, &token)?;
                let keep_of = |k: Credential| if k == kind { keep } else { None };
                Ok(
                    sessions::delete_others(conn, user_id, keep_of(Credential::WebSession))?
                        + api_tokens::delete_others(conn, user_id, keep_of(Credential::ApiToken))?,
                )
            })
            .await
    }

    /// Ends one session (signing out) or API token (revoking it): its row goes, so a copy of
    /// it is dead too.
    pub async fn end(&self, kind: Credential, token: String) -> Result<(), Error> {
        self.parts
            .run(move |conn, _| end_one(conn, kind, &token))
            .await
    }
}

/// `user_id`'s live sessions and tokens, most recently used first; `current` (kind and row id)
/// marked.
pub fn live_devices(
    conn: &mut DbConnection,
    user_id: i64,
    current: Option<(Credential, i64)>,
    now: NaiveDateTime,
) -> Result<Vec<Device>, DbError> {
    let mut all = Vec::new();
    for (kind, rows) in [
        (
            Credential::WebSession,
            sessions::live_for_user(conn, user_id, now)?,
        ),
        (
            Credential::ApiToken,
            api_tokens::live_for_user(conn, user_id, now)?,
        ),
    ] {
        all.extend(rows.into_iter().map(|(id, created, seen, ua, ip)| {
            let (browser, system) = describe(ua.as_deref());
            Device {
                kind,
                id,
                created_at: created,
                last_seen_at: seen,
                browser,
                system,
                ip,
                current: current == Some((kind, id)),
            }
        }));
    }
    all.sort_by_key(|d| std::cmp::Reverse(d.last_seen_at));
    Ok(all)
}

/// The row id of a session or token secret.
fn id_of(conn: &mut DbConnection, kind: Credential, token: &str) -> Result<Option<i64>, DbError> {
    let hash = token_hash(token);
    Ok(match kind {
        Credential::WebSession => sessions::id_of(conn, &hash)?,
        Credential::ApiToken => api_tokens::id_of(conn, &hash)?,
    })
}

/// Ends one session or API token.
pub fn end_one(conn: &mut DbConnection, kind: Credential, token: &str) -> Result<(), DbError> {
    let hash = token_hash(token);
    match kind {
        Credential::WebSession => sessions::delete_by_hash(conn, &hash)?,
        Credential::ApiToken => api_tokens::delete_by_hash(conn, &hash)?,
    };
    Ok(())
}

/// (id, last seen, expires) of a session or API token row.
type CredentialRow = (i64, NaiveDateTime, NaiveDateTime);

fn find(
    conn: &mut DbConnection,
    kind: Credential,
    hash: &str,
) -> QueryResult<Option<(CredentialRow, User)>> {
    Ok(match kind {
        Credential::WebSession => sessions::find_with_user(conn, hash)?
            .map(|(s, u)| ((s.id, s.last_seen_at, s.expires_at), u)),
        Credential::ApiToken => api_tokens::find_with_user(conn, hash)?
            .map(|(t, u)| ((t.id, t.last_used_at, t.expires_at), u)),
    })
}

/// The user behind a secret of either kind, if it is unexpired and the user active. An expired
/// row is removed; a blocked user loses every session and token; "last seen" is written at most
/// once per `session_touch_interval`.
pub fn authenticate(
    conn: &mut DbConnection,
    limits: &Limits,
    kind: Credential,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<User>, DbError> {
    let Some(((id, last_seen, expires_at), user)) = find(conn, kind, &token_hash(token))? else {
        return Ok(None);
    };
    if expires_at <= now {
        match kind {
            Credential::WebSession => sessions::delete_by_id(conn, id)?,
            Credential::ApiToken => api_tokens::delete_by_id(conn, id)?,
        };
        return Ok(None);
    }
    if !user.is_active {
        end_all(conn, user.id)?;
        return Ok(None);
    }
    if last_seen + limits.session_touch_interval <= now {
        match kind {
            Credential::WebSession => sessions::touch(conn, id, now)?,
            Credential::ApiToken => api_tokens::touch(conn, id, now)?,
        }
    }
    Ok(Some(user))
}

/// A new credential's secret (only its hash is stored) and when it expires.
pub struct Minted {
    pub kind: Credential,
    pub token: String,
    hash: String,
    pub expires_at: NaiveDateTime,
}

impl Minted {
    /// A new secret of `kind`: a session's 128 random bits, an API token's 256 (hex).
    pub fn new(limits: &Limits, kind: Credential, now: NaiveDateTime) -> Self {
        let (token, ttl) = match kind {
            Credential::WebSession => (random_hex::<16>(), limits.session_ttl),
            Credential::ApiToken => (random_hex::<32>(), limits.api_token_ttl),
        };
        Self {
            kind,
            hash: token_hash(&token),
            token,
            expires_at: now + ttl,
        }
    }

    /// Its row, for `user_id` signing in from `client`.
    pub fn row<'a>(
        &'a self,
        user_id: i64,
        client: &'a ClientInfo,
        now: NaiveDateTime,
    ) -> NewCredential<'a> {
        let user_agent = client.user_agent.as_deref().map(|ua| truncate(ua, 255));
        match self.kind {
            Credential::WebSession => NewCredential::Session(NewSession {
                token_hash: &self.hash,
                user_id,
                created_at: now,
                last_seen_at: now,
                expires_at: self.expires_at,
                user_agent,
                ip: Some(&client.ip),
            }),
            Credential::ApiToken => NewCredential::ApiToken(NewApiToken {
                token_hash: &self.hash,
                user_id,
                created_at: now,
                last_used_at: now,
                expires_at: self.expires_at,
                user_agent,
                ip: Some(&client.ip),
            }),
        }
    }
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Issues a credential of `kind` for `user_id` and returns its secret.
fn issue(
    conn: &mut DbConnection,
    limits: &Limits,
    kind: Credential,
    user_id: i64,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    let minted = Minted::new(limits, kind, now);
    minted.row(user_id, client, now).insert(conn)?;
    Ok(minted.token)
}

/// Starts a signed-in browser session and returns its secret token.
pub fn start_session(
    conn: &mut DbConnection,
    limits: &Limits,
    user_id: i64,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    issue(conn, limits, Credential::WebSession, user_id, client, now)
}

/// Issues an API token and returns its secret.
pub fn issue_api_token(
    conn: &mut DbConnection,
    limits: &Limits,
    user_id: i64,
    client: &ClientInfo,
    now: NaiveDateTime,
) -> Result<String, DbError> {
    issue(conn, limits, Credential::ApiToken, user_id, client, now)
}

/// Ends every session and API token of a user (blocking, "sign out everywhere").
pub fn end_all(conn: &mut DbConnection, user_id: i64) -> Result<(), DbError> {
    sessions::delete_for_user(conn, user_id)?;
    api_tokens::delete_for_user(conn, user_id)?;
    Ok(())
}
