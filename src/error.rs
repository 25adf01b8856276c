//! `AppError`: the one error type at the HTTP edge. Its response carries only the status (and
//! `Retry-After`); the error-page middleware renders the translated page for it.

use actix_web::{HttpResponse, ResponseError, http::StatusCode};

use crate::db::DbError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("bad request")]
    BadRequest,
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

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::BadRequest => StatusCode::BAD_REQUEST,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        match self {
            AppError::TooManyRequests { retry_after } => {
                res.insert_header(("Retry-After", retry_after.to_string()));
            }
            AppError::Unavailable => {
                res.insert_header(("Retry-After", "30"));
            }
            _ => {}
        }
        res.finish()
    }
}

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable => {
                log::warn!("database unavailable");
                AppError::Unavailable
            }
            DbError::Exhausted(what) => {
                log::error!("could not draw a unique {what}");
                AppError::Unavailable
            }
            other => {
                log::error!("{other}");
                AppError::Internal(other.to_string())
            }
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        log::error!("template: {e}");
        AppError::Internal(e.to_string())
    }
}
