//! user-auth: sign in with a phone number and a one-time code, with invite codes and a profile.
//!
//! The layers, each importing only those below it (a test, `layers`, checks this):
//! `startup` → `http` → `state` → `app` → `domain` and `db`, with `config`, `i18n`, `sms` and
//! `clock` beneath the layers that use them.

pub mod app;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod files;
pub mod formats;
pub mod http;
pub mod i18n;
pub mod logging;
pub mod mail;
pub mod sms;
pub mod startup;
pub mod state;

#[cfg(test)]
mod layers;
