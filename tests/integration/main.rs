//! One integration test binary: the real server over HTTP, on SQLite and on PostgreSQL.

mod helpers;

mod database;
mod limits;
mod pages;
mod sessions;
mod sign_in;
