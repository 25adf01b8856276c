//! Opening the database: which backend `DATABASE_URL` names, connections with their settings,
//! migrations, the pool, and running blocking work with a pooled connection.

use std::{
    path::{Path, PathBuf},
    time::Duration,
};

use diesel::{
    connection::SimpleConnection,
    pg::PgConnection,
    prelude::*,
    r2d2::{self, R2D2Connection},
    sqlite::SqliteConnection,
};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::{backend::DbConnection, liveness};
use crate::files::{create_private_dir_all, create_private_file};

const PG_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");
const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

/// Default location of the embedded database.
pub const DEFAULT_SQLITE_PATH: &str = "data/user-auth.db";

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
    #[error("could not create the database folder or file {path} (DATABASE_URL): {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "another user-auth server is running on the SQLite database {path} (it holds {lock}); one server per SQLite file, or use PostgreSQL for several"
    )]
    InUse { path: String, lock: String },
    #[error("backup: {0}")]
    Backup(String),
}

/// A server holds this lock on its SQLite file for its whole life, so a second server on the
/// same file refuses to start (SQLite's own locks keep one file consistent, but two servers
/// would each enforce the limits from a cache of nothing and race their delivery workers).
/// The command-line tools do not take it: they work beside a running server.
pub fn lock_for_server(url: &DatabaseUrl) -> Result<Option<std::fs::File>, SetupError> {
    let DatabaseUrl::Sqlite(path) = url else {
        return Ok(None);
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir_all(dir).map_err(|source| SetupError::Folder {
            path: dir.display().to_string(),
            source,
        })?;
    }
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let lock = PathBuf::from(name);
    match crate::files::try_lock_file(&lock) {
        Ok(Some(file)) => Ok(Some(file)),
        Ok(None) => Err(SetupError::InUse {
            path: path.display().to_string(),
            lock: lock.display().to_string(),
        }),
        Err(source) => Err(SetupError::Folder {
            path: lock.display().to_string(),
            source,
        }),
    }
}

/// `user-auth backup PATH`: a consistent copy of a live SQLite database (`VACUUM INTO`, which
/// reads one snapshot while the server goes on writing), created `0600`. `PATH` must not exist.
/// On PostgreSQL the answer says to use `pg_dump`.
pub fn backup(url: &DatabaseUrl, to: &Path) -> Result<(), SetupError> {
    let DatabaseUrl::Sqlite(_) = url else {
        return Err(SetupError::Backup(
            "on PostgreSQL, back up with the database's own tools: pg_dump --format=custom --file=user-auth.dump DATABASE_URL (see the README)".into(),
        ));
    };
    if to.exists() {
        return Err(SetupError::Backup(format!(
            "{} exists already",
            to.display()
        )));
    }
    let mut conn = establish(url).map_err(|e| SetupError::Connect(e.to_string()))?;
    // the copy is made private before SQLite writes a byte into it
    create_private_file(to, b"").map_err(|source| SetupError::Folder {
        path: to.display().to_string(),
        source,
    })?;
    let copied = diesel::sql_query("VACUUM INTO ?")
        .bind::<diesel::sql_types::Text, _>(to.to_string_lossy().into_owned())
        .execute(&mut conn);
    if let Err(e) = copied {
        let _ = std::fs::remove_file(to);
        return Err(SetupError::Backup(e.to_string()));
    }
    Ok(())
}

/// Opens one connection, reporting the backend's own error text (never diesel's generic
/// "invalid connection url" that the combined connection would give).
pub fn establish(url: &DatabaseUrl) -> Result<DbConnection, diesel::ConnectionError> {
    super::liveness::install();
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

/// Key of the PostgreSQL advisory lock held while migrating ("user-auth" in ASCII).
const MIGRATION_LOCK: i64 = 0x7573_6572_2d61_7574;

/// Creates the SQLite folder and file if needed (private to this user: SQLite gives its WAL and
/// shared-memory files the database file's permissions), and applies every pending migration.
pub fn migrate(url: &DatabaseUrl) -> Result<usize, SetupError> {
    if let DatabaseUrl::Sqlite(path) = url {
        let folder_error = |dir: &Path, source| SetupError::Folder {
            path: dir.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            create_private_dir_all(dir).map_err(|e| folder_error(dir, e))?;
        }
        match create_private_file(path, b"") {
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                return Err(folder_error(path, e));
            }
            _ => {}
        }
    }
    let mut conn = establish(url).map_err(|e| SetupError::Connect(e.to_string()))?;
    // A least-privilege role may read the migration table but not create it (see README).
    let postgres = matches!(conn, DbConnection::Pg(_));
    if let DbConnection::Pg(c) = &mut conn {
        // Instances started together migrate one after the other: the others wait here, then
        // find every migration applied. The lock is the session's, freed when `conn` closes.
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            .execute(c)
            .map_err(|e| SetupError::Migrate(e.to_string()))?;
    }
    let applied = if postgres && migrations_applied(&mut conn) {
        Ok(0)
    } else {
        match &mut conn {
            DbConnection::Pg(c) => c.run_pending_migrations(PG_MIGRATIONS).map(|v| v.len()),
            DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        }
    };
    applied.map_err(|e| SetupError::Migrate(e.to_string()))
}

/// Whether every migration this binary carries is recorded as applied, found with a plain
/// `SELECT` (the harness would first `CREATE TABLE IF NOT EXISTS` its table, which on
/// PostgreSQL needs the right to create tables even when the table exists). Any error means
/// "not known": no.
pub fn migrations_applied(conn: &mut DbConnection) -> bool {
    use diesel::migration::MigrationSource;
    let wanted: Vec<String> = match conn {
        DbConnection::Pg(_) => MigrationSource::<diesel::pg::Pg>::migrations(&PG_MIGRATIONS)
            .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect()),
        DbConnection::Sqlite(_) => {
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE_MIGRATIONS)
                .map(|ms| ms.iter().map(|m| m.name().version().to_string()).collect())
        }
    }
    .unwrap_or_default();
    let query = "SELECT version FROM __diesel_schema_migrations";
    let applied = match conn {
        DbConnection::Pg(c) => diesel::sql_query(query).load::<VersionRow>(c),
        DbConnection::Sqlite(c) => diesel::sql_query(query).load::<VersionRow>(c),
    };
    let Ok(applied) = applied else {
        return false;
    };
    !wanted.is_empty()
        && wanted
            .iter()
            .all(|version| applied.iter().any(|row| &row.version == version))
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
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
        // returned on the thread that used it, which marked it if it was found lost
        super::liveness::take_lost() || conn.is_broken()
    }
}

pub type DbPool = r2d2::Pool<Manager>;

/// Builds the pool. Connections are made lazily, so a database that goes away and comes back
/// is picked up again without a restart.
pub fn pool(url: &DatabaseUrl, max_size: u32, timeout: Duration) -> DbPool {
    r2d2::Pool::builder()
        .max_size(max_size)
        .min_idle(Some(0))
        // no ping at check-out: `run` finds a lost connection from the work itself
        .test_on_check_out(false)
        .connection_timeout(timeout)
        .build_unchecked(Manager { url: url.clone() })
}

/// Why database work failed.
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
    /// The database takes no writes: its disk is full, or its file is read-only. Answer 503.
    #[error("the database cannot write: {0}")]
    Storage(&'static str),
}

/// Whether `e` says the database cannot store anything (rather than that the query was wrong):
/// SQLite's SQLITE_FULL and SQLITE_READONLY, PostgreSQL's disk_full (53100).
fn storage_problem(e: &diesel::result::Error) -> Option<&'static str> {
    let diesel::result::Error::DatabaseError(_, info) = e else {
        return None;
    };
    let message = info.message();
    if message.contains("database or disk is full")
        || message.contains("No space left on device")
        || message.contains("could not extend file")
    {
        Some("its disk is full")
    } else if message.contains("readonly database") || message.contains("read-only file system") {
        Some("its file is read-only")
    } else {
        None
    }
}

/// Checks a connection out of the pool, recording the wait.
fn check_out(pool: &DbPool) -> Result<r2d2::PooledConnection<Manager>, DbError> {
    let waiting = std::time::Instant::now();
    let got = pool.get();
    metrics::histogram!("db_pool_wait_seconds").record(waiting.elapsed().as_secs_f64());
    got.map_err(|_| {
        metrics::counter!("db_pool_timeouts_total").increment(1);
        DbError::Unavailable
    })
}

/// Runs `f` once with `conn`; when it fails because the connection is gone, marks it lost (the
/// pool drops it) and says whether the database had answered anything of this work.
fn attempt<T, F>(conn: &mut DbConnection, f: &mut F) -> Result<T, (DbError, Option<bool>)>
where
    F: FnMut(&mut DbConnection) -> Result<T, DbError>,
{
    liveness::begin();
    match f(conn) {
        Ok(v) => Ok(v),
        Err(DbError::Query(e)) if storage_problem(&e).is_some() => Err((
            DbError::Storage(storage_problem(&e).unwrap_or_default()),
            None,
        )),
        Err(DbError::Query(e)) => {
            let answered = liveness::answered();
            // A lost server shows up as many different errors; if the connection no longer
            // answers, the database is unavailable rather than the query being wrong.
            if conn.is_broken() || conn.ping().is_err() {
                liveness::mark_lost();
                Err((DbError::Unavailable, Some(answered)))
            } else {
                Err((DbError::Query(e), None))
            }
        }
        Err(other) => Err((other, None)),
    }
}

/// A connection that answers a ping, for the one retry after a lost connection: idle ones
/// that died with it (a database restart ends them all) are dropped on the way, at most the
/// pool's size of them.
fn live_connection(pool: &DbPool) -> Result<r2d2::PooledConnection<Manager>, DbError> {
    for _ in 0..=pool.max_size() {
        let mut conn = check_out(pool)?;
        if conn.ping().is_ok() {
            return Ok(conn);
        }
        liveness::mark_lost();
    }
    Err(DbError::Unavailable)
}

/// Runs blocking database work on the thread pool with a pooled connection. The pool does not
/// ping a connection before handing it out (a round trip per request on PostgreSQL): a
/// connection found lost before the database answered any of the work (so nothing was
/// written) is dropped and the work runs once more on a connection that answers.
pub async fn run<T, F>(pool: &DbPool, mut f: F) -> Result<T, DbError>
where
    F: FnMut(&mut DbConnection) -> Result<T, DbError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    // the request's id goes with its work, so what is logged there names the request
    let request = crate::logging::current();
    actix_web::web::block(move || {
        crate::logging::within(request, || {
            let first = {
                let mut conn = check_out(&pool)?;
                attempt(&mut conn, &mut f)
            };
            match first {
                Ok(v) => Ok(v),
                Err((DbError::Unavailable, Some(false))) => {
                    metrics::counter!("db_connections_lost_total").increment(1);
                    let mut conn = live_connection(&pool)?;
                    attempt(&mut conn, &mut f).map_err(|(e, _)| e)
                }
                Err((e, _)) => Err(e),
            }
        })
    })
    .await
    .map_err(|_| DbError::Blocking)?
}
