//! `/admin`: the built-in administration for staff. Every page requires a signed-in, active
//! staff member (anonymous → `/login`, others → 403); every change is a POST with a CSRF token.

mod audit;
mod dashboard;
mod person;
mod users;

use actix_web::{HttpResponse, web};

use super::{profile::current_user, see_other};
use crate::{db::users::User, error::AppError, session::TypedSession, startup::AppState};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin", web::get().to(dashboard::get))
        .route("/admin/users", web::get().to(users::list))
        .route("/admin/users.csv", web::get().to(users::export))
        .route("/admin/users/{id}", web::get().to(person::get))
        .service(
            web::resource("/admin/users/{id}/{action}")
                .route(web::get().to(person::confirm))
                .route(web::post().to(person::act)),
        )
        .route("/admin/audit", web::get().to(audit::get));
}

/// The signed-in staff member, or the response to give instead (a redirect to sign in).
async fn staff(
    state: &AppState,
    session: &TypedSession,
) -> Result<Result<User, HttpResponse>, AppError> {
    match current_user(state, session).await? {
        None => Ok(Err(see_other("/login"))),
        Some(user) if !user.is_staff => Err(AppError::Forbidden),
        Some(user) => Ok(Ok(user)),
    }
}

/// `YYYY-MM-DD HH:MM` UTC, for tables.
fn when(at: chrono::NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

/// Percent-encodes a query value.
fn enc(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
