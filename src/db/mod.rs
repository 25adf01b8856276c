//! The data layer: repository functions over `&mut DbConnection`, one module per table or
//! area, on a connection that is PostgreSQL or SQLite (`backend`), opened and pooled by `pool`.
//! Only the use cases (`src/app/`) call into it.

pub mod admin;
pub mod api_tokens;
pub mod backend;
pub mod check_failures;
pub mod code_check;
pub mod code_request;
pub mod emails;
pub mod events;
pub mod invites;
pub mod liveness;
pub mod login_codes;
pub mod outbox;
pub mod pool;
pub mod schema;
pub mod sessions;
pub mod users;

pub use backend::{DbConnection, lock_keys, write_transaction};
pub use pool::{
    DEFAULT_SQLITE_PATH, DatabaseUrl, DbError, DbPool, Manager, SetupError, backup, establish,
    lock_for_server, migrate, migrations_applied, pool, run,
};
