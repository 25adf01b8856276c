//! Database access: the two-backend connection type, the pool, migrations, transactions and the
//! blocking helper every handler goes through. Repository functions live in the submodules.

pub mod admin;
pub mod api_tokens;
pub mod events;
pub mod invites;
pub mod login_codes;
pub mod schema;
pub mod sessions;
pub mod stamp;
pub mod users;

use std::{path::PathBuf, time::Duration};

use diesel::{
    connection::{AnsiTransactionManager, SimpleConnection, TransactionManager},
    pg::PgConnection,
    prelude::*,
    r2d2::{self, R2D2Connection},
    sqlite::SqliteConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Default location of the embedded database.
pub const DEFAULT_SQLITE_PATH: &str = "data/user-auth.db";

/// One connection to whichever backend `DATABASE_URL` chose.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs `$body` with `$c` bound to the backend's own connection, for the queries every request
/// runs. A query run through [`DbConnection`] is serialised again on every execution (diesel
/// builds its SQL text to bind it and to look up the prepared statement), and its rows are read
/// through a wrapper per field; on the backend's own connection the prepared statement is found
/// by the query's type alone. On SQLite that was more than half of a session check's time.
macro_rules! native {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConnection::Pg($c) => $body,
            $crate::db::DbConnection::Sqlite($c) => $body,
        }
    };
}
pub(crate) use native;

/// Where the data lives, decided once from `DATABASE_URL`.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    Postgres(String),
    Sqlite(PathBuf),
}

impl DatabaseUrl {
    /// `postgres://` / `postgresql://` select PostgreSQL; `sqlite://PATH`, a bare path or nothing
    /// select SQLite (default `data/user-auth.db`).
    pub fn parse(value: Option<&str>) -> DatabaseUrl {
        match value.map(str::trim).filter(|v| !v.is_empty()) {
            None => DatabaseUrl::Sqlite(PathBuf::from(DEFAULT_SQLITE_PATH)),
            Some(v) if v.starts_with("postgres://") || v.starts_with("postgresql://") => {
                DatabaseUrl::Postgres(v.to_owned())
            }
            Some(v) => {
                let path = v
                    .strip_prefix("sqlite://")
                    .or_else(|| v.strip_prefix("sqlite:"))
                    .unwrap_or(v);
                DatabaseUrl::Sqlite(PathBuf::from(path))
            }
        }
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseUrl::Postgres(_) => "PostgreSQL",
            DatabaseUrl::Sqlite(_) => "SQLite",
        }
    }
}

impl std::fmt::Debug for DatabaseUrl {
    // The PostgreSQL URL may carry a password: show only the backend and, for SQLite, the path.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::Postgres(_) => f.write_str("Postgres(..)"),
            DatabaseUrl::Sqlite(p) => write!(f, "Sqlite({})", p.display()),
        }
    }
}

/// Why the database could not be opened or migrated at start-up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("could not connect to the database given by DATABASE_URL: {0}")]
    Connect(String),
    #[error("could not apply the database migrations (DATABASE_URL): {0}")]
    Migrate(String),
    #[error("could not create the database folder {path} (DATABASE_URL): {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
}

/// Opens one connection, reporting the backend's own error text (never diesel's generic
/// "invalid connection url" that the combined connection would give).
pub fn establish(url: &DatabaseUrl) -> Result<DbConnection, diesel::ConnectionError> {
    match url {
        DatabaseUrl::Postgres(u) => PgConnection::establish(u).map(DbConnection::Pg),
        DatabaseUrl::Sqlite(path) => {
            let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
            // foreign keys and the busy timeout are per connection; WAL is stored in the file.
            // (batch_execute: a plain sql_query would run only the first statement.)
            conn.batch_execute(
                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; \
                 PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
            )
            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

/// Creates the SQLite folder if needed and applies every pending migration.
pub fn migrate(url: &DatabaseUrl) -> Result<usize, SetupError> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|source| SetupError::Folder {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let mut conn = establish(url).map_err(|e| SetupError::Connect(e.to_string()))?;
    let applied = match &mut conn {
        DbConnection::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
    };
    applied.map_err(|e| SetupError::Migrate(e.to_string()))
}

/// r2d2 manager that knows the backend, so a new connection never tries the wrong one.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConnection, r2d2::Error> {
        establish(&self.url).map_err(r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

pub type DbPool = r2d2::Pool<Manager>;

/// Builds the pool. Connections are made lazily, so a database that goes away and comes back
/// is picked up again without a restart.
pub fn pool(url: &DatabaseUrl, max_size: u32, timeout: Duration) -> DbPool {
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        .connection_timeout(timeout)
        .build_unchecked(Manager { url: url.clone() })
}

/// Why a database call from a handler failed.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// No connection could be had, or the one we had died: answer 503.
    #[error("database unavailable")]
    Unavailable,
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// A unique value (such as an invite code) could not be drawn in the allowed number of tries.
    #[error("could not draw a unique {0}")]
    Exhausted(&'static str),
    #[error("blocking task failed")]
    Blocking,
}

/// Runs blocking database work on the thread pool with a pooled connection.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, DbError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(|_| DbError::Unavailable)?;
        match f(&mut conn) {
            Ok(v) => Ok(v),
            Err(DbError::Query(e)) => {
                // A lost server shows up as many different errors; if the connection no longer
                // answers, the database is unavailable rather than the query being wrong.
                if conn.is_broken() || conn.ping().is_err() {
                    Err(DbError::Unavailable)
                } else {
                    Err(DbError::Query(e))
                }
            }
            Err(other) => Err(other),
        }
    })
    .await
    .map_err(|_| DbError::Blocking)?
}

/// SQLite has one writer at a time. A writer that finds the lock taken sleeps and polls
/// (`busy_timeout`), so under load a few lose to newcomers until their timeout runs out
/// ("database is locked"). This process's write transactions therefore queue on this mutex
/// instead, and only the one holding it asks SQLite for the lock; other processes (the CLI)
/// still meet `busy_timeout`. One process serves one SQLite file, so a single mutex suffices.
static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// A write transaction: `BEGIN IMMEDIATE` on SQLite (so two writers never deadlock on a lock
/// upgrade), after queueing on [`SQLITE_WRITER`]; a plain transaction on PostgreSQL (callers take
/// advisory locks as needed).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    let _writer = match conn {
        DbConnection::Sqlite(c) => {
            let turn = SQLITE_WRITER
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(turn)
        }
        DbConnection::Pg(c) => {
            AnsiTransactionManager::begin_transaction(c)?;
            None
        }
    };
    match f(conn) {
        Ok(value) => {
            match <DbConnection as TransactionManager<DbConnection>>::commit_transaction(conn) {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ =
                        <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(
                            conn,
                        );
                    Err(e.into())
                }
            }
        }
        Err(e) => {
            <DbConnection as TransactionManager<DbConnection>>::rollback_transaction(conn)?;
            Err(e)
        }
    }
}

/// Serialises writers that touch the same keys (a phone, an IP) until the transaction ends.
/// SQLite needs nothing: its IMMEDIATE transactions already serialise every writer.
pub fn lock_keys(conn: &mut DbConnection, keys: &[&str]) -> QueryResult<()> {
    use sha2::{Digest, Sha256};
    if let DbConnection::Pg(c) = conn {
        for key in keys {
            let digest = Sha256::digest(key.as_bytes());
            let mut first = [0u8; 8];
            first.copy_from_slice(&digest[..8]);
            let id = i64::from_be_bytes(first);
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(id)
                .execute(c)?;
        }
    }
    Ok(())
}
