//! The web pages: one file per page or action, each handler parsing its input, calling one use
//! case and rendering a template; all registered in [`configure`].

mod account;
mod admin;
pub mod assets;
mod code;
mod devices;
mod email;
pub mod errors;
mod home;
mod lang;
mod login;
mod logout;
pub mod page;
mod profile;
pub mod session;

use actix_web::web;

/// Registers every page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::get))
        .service(
            web::resource("/login")
                .route(web::get().to(login::get))
                .route(web::post().to(login::post)),
        )
        .service(
            web::resource("/login/code")
                .route(web::get().to(code::get))
                .route(web::post().to(code::post)),
        )
        .route("/login/resend", web::post().to(code::resend))
        .route("/logout", web::post().to(logout::post))
        .route("/profile", web::get().to(profile::get))
        .route("/profile/invite", web::post().to(profile::post_invite))
        .route("/profile/name", web::post().to(profile::post_name))
        .route("/profile/email", web::post().to(profile::post_email))
        .route(
            "/profile/email/remove",
            web::post().to(profile::remove_email),
        )
        .service(
            web::resource("/email/verify")
                .route(web::get().to(email::get))
                .route(web::post().to(email::post)),
        )
        .service(
            web::resource("/profile/phone")
                .route(web::get().to(account::phone_get))
                .route(web::post().to(account::phone_post)),
        )
        .route(
            "/profile/phone/confirm",
            web::post().to(account::phone_confirm),
        )
        .service(
            web::resource("/profile/delete")
                .route(web::get().to(account::delete_get))
                .route(web::post().to(account::delete_post)),
        )
        .route("/profile/delete/code", web::post().to(account::delete_code))
        .route("/profile/devices", web::get().to(devices::get))
        .route("/profile/export", web::get().to(crate::http::export::web))
        .route(
            "/profile/devices/end-others",
            web::post().to(devices::end_others),
        )
        .route(
            "/profile/devices/{kind}/{id}/end",
            web::post().to(devices::end_one),
        )
        .route("/lang", web::post().to(lang::post))
        .configure(admin::configure)
        .route("/static/{file}", web::get().to(assets::get))
        .route("/static/vendor/{file}", web::get().to(assets::vendor));
}
