//! Why a use case could not answer at all (as opposed to a rule saying no, which is an answer).

use crate::db::DbError;

/// The database failed or could not be reached. Logged here, once; the edge only picks a
/// status.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database is unreachable, or a unique value could not be drawn: try again later.
    #[error("service unavailable")]
    Unavailable,
    /// Anything else: a bug or a broken database.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable => {
                log::warn!("database unavailable");
                Error::Unavailable
            }
            DbError::Storage(why) => {
                log::error!(
                    "the database cannot write ({why}): answering 503 until it can; free space or fix its permissions"
                );
                Error::Unavailable
            }
            DbError::Exhausted(what) => {
                log::error!("could not draw a unique {what}");
                Error::Unavailable
            }
            other => {
                log::error!("{other}");
                Error::Internal(other.to_string())
            }
        }
    }
}
