//! `TypedSession`: the encrypted session cookie, with named accessors instead of string keys,
//! the CSRF token bound to it, and the middleware that keeps the cookie.
//!
//! The cookie holds a random id and nothing else that matters: `sid` when signed in (its row in
//! `sessions` is checked on every request), `anon` before that (only for binding CSRF tokens),
//! and, during sign-in, the phone number the code was sent to.

use std::future::{Ready, ready};

use actix_session::{
    Session, SessionExt, SessionMiddleware,
    config::{CookieContentSecurity, PersistentSession},
    storage::CookieSessionStore,
};
use actix_web::{
    FromRequest, HttpRequest,
    cookie::{Key, SameSite, time::Duration as CookieDuration},
    dev::Payload,
};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::{
    domain::token::{hex, random_hex},
    state::AppState,
};

/// Name of the session cookie over plain HTTP (development on loopback).
pub const SESSION_COOKIE: &str = "user_auth_session";
/// Name of the session cookie with `COOKIE_SECURE`: browsers keep a `__Host-` cookie only if it
/// is `Secure`, for the whole site and for this host alone, so no other site or subdomain can
/// set or overwrite it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-user_auth_session";

/// The encrypted cookie session: `HttpOnly`, `SameSite=Lax`, `Path=/`, with the configured
/// lifetime; with `COOKIE_SECURE`, `Secure` and `__Host-` prefixed. It holds ids only.
pub fn session_middleware(state: &AppState) -> SessionMiddleware<CookieSessionStore> {
    let ttl = CookieDuration::days(state.session_ttl.num_days());
    let name = if state.cookie_secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    };
    SessionMiddleware::builder(CookieSessionStore::default(), Key::from(&state.cookie_key))
        .cookie_name(name.to_owned())
        .cookie_path("/".to_owned())
        .cookie_domain(None)
        .cookie_secure(state.cookie_secure)
        .cookie_http_only(true)
        .cookie_same_site(SameSite::Lax)
        .cookie_content_security(CookieContentSecurity::Private)
        .session_lifecycle(PersistentSession::default().session_ttl(ttl))
        .build()
}

const SID: &str = "sid";
const ANON: &str = "anon";
const PHONE: &str = "phone";
const INVITE: &str = "invite";

pub struct TypedSession(Session);

impl TypedSession {
    pub fn from_request(req: &HttpRequest) -> Self {
        Self(req.get_session())
    }

    /// The signed-in session's token, if any.
    pub fn token(&self) -> Option<String> {
        self.0.get::<String>(SID).ok().flatten()
    }

    /// Starts a signed-in session under a new cookie (no fixation); answers the invite code
    /// the person was signing in to accept, if any.
    pub fn sign_in(
        &self,
        token: &str,
    ) -> Result<Option<String>, actix_session::SessionInsertError> {
        let invite = self.0.remove_as::<String>(INVITE).and_then(Result::ok);
        self.0.renew();
        self.0.remove(ANON);
        self.0.remove(PHONE);
        self.0.insert(SID, token)?;
        Ok(invite)
    }

    /// Forgets everything; the cookie is removed.
    pub fn clear(&self) {
        self.0.purge();
    }

    /// Drops a signed-in token that the database no longer knows.
    pub fn forget_token(&self) {
        self.0.remove(SID);
    }

    pub fn pending_phone(&self) -> Option<String> {
        self.0.get::<String>(PHONE).ok().flatten()
    }

    pub fn set_pending_phone(&self, e164: &str) -> Result<(), actix_session::SessionInsertError> {
        self.0.insert(PHONE, e164)
    }

    /// The invite code to accept once signed in (an invite link's "Sign in to accept"), or
    /// none: a sign-in started without one forgets an earlier one.
    pub fn set_pending_invite(
        &self,
        code: Option<&str>,
    ) -> Result<(), actix_session::SessionInsertError> {
        match code {
            Some(code) => self.0.insert(INVITE, code),
            None => {
                self.0.remove(INVITE);
                Ok(())
            }
        }
    }

    fn binding(&self) -> Option<String> {
        self.token().map(|t| format!("s:{t}")).or_else(|| {
            self.0
                .get::<String>(ANON)
                .ok()
                .flatten()
                .map(|a| format!("a:{a}"))
        })
    }

    /// The CSRF token for forms on this page; creates the anonymous id on first use.
    pub fn csrf_token(&self, key: &[u8; 32]) -> String {
        let binding = match self.binding() {
            Some(b) => b,
            None => {
                let id = random_hex::<16>();
                // if the insert fails the form simply gets a token that will not verify
                let _ = self.0.insert(ANON, &id);
                format!("a:{id}")
            }
        };
        csrf_for(key, &binding)
    }

    /// Whether `submitted` is this session's CSRF token.
    pub fn check_csrf(&self, key: &[u8; 32], submitted: &str) -> bool {
        match self.binding() {
            Some(b) => csrf_for(key, &b)
                .as_bytes()
                .ct_eq(submitted.as_bytes())
                .into(),
            None => false,
        }
    }
}

fn csrf_for(key: &[u8; 32], binding: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key");
    mac.update(binding.as_bytes());
    hex(&mac.finalize().into_bytes())
}

impl FromRequest for TypedSession {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Self(req.get_session())))
    }
}
