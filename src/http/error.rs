//! `AppError`: the one error type of the web pages. Its response carries only the status (and
//! `Retry-After`, or the way to the sign-in page); the error-page middleware renders the
//! translated page for it.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};

use super::respond::{see_other, set_retry_after};
use crate::app;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request")]
    BadRequest,
    /// The page needs a signed-in person: to the sign-in page.
    #[error("sign in first")]
    SignIn,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("too many requests")]
    TooManyRequests { retry_after: i64 },
    #[error("service unavailable")]
    Unavailable,
    #[error("internal error: {0}")]
    Internal(String),
}

/// Seconds a client is asked to wait while the database is unavailable.
pub const UNAVAILABLE_RETRY_AFTER: i64 = 30;

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::SignIn => StatusCode::SEE_OTHER,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let retry_after = match self {
            AppError::SignIn => return see_other("/login"),
            AppError::TooManyRequests { retry_after } => Some(*retry_after),
            AppError::Unavailable => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        };
        let mut res = HttpResponse::build(self.status_code()).finish();
        set_retry_after(&mut res, retry_after);
        res
    }
}

impl From<app::Error> for AppError {
    fn from(e: app::Error) -> Self {
        match e {
            app::Error::Unavailable => AppError::Unavailable,
            app::Error::Internal(what) => AppError::Internal(what),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        log::error!("template: {e}");
        AppError::Internal(e.to_string())
    }
}
