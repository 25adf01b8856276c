//! One integration test binary: the real server over HTTP, on SQLite and on PostgreSQL.

mod helpers;

mod admin;
mod api;
mod browser;
mod cli;
mod database;
mod error_pages;
mod invites;
mod limits;
mod pages;
mod sessions;
mod sign_in;
