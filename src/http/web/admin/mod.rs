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
    cfg.route("/admin", web::get().to(dashboard::get))
        .route("/admin/users", web::get().to(users::list))
        .route("/admin/users.csv", web::get().to(users::export))
        .route("/admin/users/{id}", web::get().to(person::get))
        .service(
            web::resource("/admin/users/{id}/{action}")
                .route(web::get().to(person::confirm))
                .route(web::post().to(person::act)),
        )
        .route("/admin/audit", web::get().to(audit::get))
        .route("/admin/outbox", web::get().to(outbox::get))
        .route("/admin/outbox/{id}/retry", web::post().to(outbox::retry));
}
