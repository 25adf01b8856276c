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
mod invitation;
mod lang;
mod login;
mod logout;
pub mod page;
mod profile;
mod qr;
pub mod session;

use actix_web::web;

/// Registers every page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    crate::http::headers::resources!(cfg;
        "/" => { get: home::get },
        "/login" => { get: login::get, post: login::post },
        "/login/code" => { get: code::get, post: code::post },
        "/login/resend" => { post: code::resend },
        "/logout" => { post: logout::post },
        "/profile" => { get: profile::get },
        "/profile/invite" => { post: profile::post_invite },
        "/profile/invite/print" => { get: profile::print },
        "/profile/invite/new" => { post: profile::new_code },
        "/profile/name" => { post: profile::post_name },
        "/profile/email" => { post: profile::post_email },
        "/profile/email/remove" => { post: profile::remove_email },
        "/email/verify" => { get: email::get, post: email::post },
        "/profile/phone" => { get: account::phone_get, post: account::phone_post },
        "/profile/phone/confirm" => { post: account::phone_confirm },
        "/profile/delete" => { get: account::delete_get, post: account::delete_post },
        "/profile/delete/code" => { post: account::delete_code },
        "/profile/devices" => { get: devices::get },
        "/profile/export" => { get: crate::http::export::web },
        "/profile/devices/end-others" => { post: devices::end_others },
        "/profile/devices/{kind}/{id}/end" => { post: devices::end_one },
        "/i/{code}" => { get: invitation::get, post: invitation::post },
        "/lang" => { post: lang::post },
        "/static/{file}" => { get: assets::get },
        "/static/vendor/{file}" => { get: assets::vendor },
    );
    admin::configure(cfg);
}
