//! One integration test binary: the real server over HTTP, on SQLite and on PostgreSQL, and
//! the use cases called directly (`app/`).

mod helpers;

mod account_changes;
mod admin;
mod api;
mod app;
mod browser;
mod cli;
mod connections;
mod contract;
mod database;
mod dates;
mod delivery;
mod devices;
mod email;
mod error_pages;
mod export;
mod fake_provider;
mod hostile_input;
mod invite_links;
mod invites;
mod limits;
mod logs;
mod names;
mod ops;
mod pages;
mod postgres_restart;
mod properties;
mod proxy;
mod retention;
mod round_trips;
mod server_process;
mod sessions;
mod sign_in;
mod smtp_receiver;
