//! Who is signed in: `SignedIn` and `Staff` for the web pages (the session cookie), `Bearer` for
//! the API (the `Authorization` header; cookies are never looked at). Each asks the same
//! authentication use case.

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};

use super::{api::problem::ApiError, error::AppError, web::session::TypedSession};
use crate::{
    domain::account::{Credential, User},
    state::AppState,
};

/// The signed-in person of a web page.
pub struct SignedIn {
    pub user: User,
}

/// The answer when the session cookie names no open session: to the sign-in page, with the
/// dead token dropped from the cookie.
pub fn signed_out(session: &TypedSession) -> AppError {
    session.forget_token();
    AppError::SignIn
}

fn state(req: &HttpRequest) -> Result<web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| AppError::Internal("no application state".into()))
}

impl SignedIn {
    /// The signed-in person, or [`AppError::SignIn`]. Forms call it after checking their CSRF
    /// token, so a forged form is refused as such whether or not anyone is signed in.
    pub async fn check(req: &HttpRequest) -> Result<Self, AppError> {
        let session = TypedSession::from_request(req);
        let Some(token) = session.token() else {
            return Err(AppError::SignIn);
        };
        match state(req)?
            .app
            .credentials
            .user(Credential::WebSession, token)
            .await?
        {
            Some(user) => Ok(SignedIn { user }),
            None => Err(signed_out(&session)),
        }
    }
}

/// A signed-in, active staff member: anonymous visitors go to the sign-in page, everyone else
/// gets the 403 page.
pub struct Staff {
    pub user: User,
}

impl Staff {
    pub async fn check(req: &HttpRequest) -> Result<Self, AppError> {
        let SignedIn { user } = SignedIn::check(req).await?;
        if user.is_staff {
            Ok(Staff { user })
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// The page extractors are their `check`.
macro_rules! extracted_by_check {
    ($($t:ty),*) => {$(
        impl FromRequest for $t {
            type Error = AppError;
            type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

            fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
                let req = req.clone();
                Box::pin(async move { Self::check(&req).await })
            }
        }
    )*};
}

extracted_by_check!(SignedIn, Staff);

/// The signed-in person of an API request and the token it came with.
pub struct Bearer {
    pub user: User,
    pub token: String,
}

/// The token from `Authorization: Bearer …`.
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && token.len() == 64
        && token.bytes().all(|b| b.is_ascii_hexdigit()))
    .then(|| token.to_ascii_lowercase())
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(ApiError::unauthorized());
            };
            let user = state
                .app
                .credentials
                .user(Credential::ApiToken, token.clone())
                .await?;
            user.map(|user| Bearer { user, token })
                .ok_or_else(ApiError::unauthorized)
        })
    }
}
