//! user-auth: sign in with a phone number and a one-time code, with invite codes and a profile.

pub mod admin;
pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod i18n;
pub mod invites;
pub mod middleware;
pub mod phone;
pub mod routes;
pub mod seed;
pub mod session;
pub mod sms;
pub mod startup;
