//! `/admin`: the built-in administration for staff. Every page requires a signed-in, active
//! staff member (anonymous → `/login`, others → 403); every change is a POST with a CSRF token.

mod audit;
mod chart;
mod dashboard;
mod format;
mod outbox;
mod person;
mod users;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    crate::http::headers::resources!(cfg;
        "/admin" => { get: dashboard::get },
        "/admin/users" => { get: users::list },
        "/admin/users.csv" => { get: users::export },
        "/admin/users/{id}" => { get: person::get },
        "/admin/users/{id}/{action}" => { get: person::confirm, post: person::act },
        "/admin/audit" => { get: audit::get },
        "/admin/outbox" => { get: outbox::get },
        "/admin/outbox/{id}/retry" => { post: outbox::retry },
    );
}
