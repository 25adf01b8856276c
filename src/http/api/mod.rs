//! The JSON API under `/api/v1`: the same use cases and rules as the web pages, bearer tokens
//! instead of cookies, RFC 9457 problems for errors, and an OpenAPI description.

mod body;
mod docs;
pub mod handlers;
pub mod problem;

use actix_web::{
    http::header,
    middleware::{DefaultHeaders, from_fn},
    web,
};

pub use docs::ApiDoc;

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 4 * 1024;

/// Declares every `/api/v1` route once: the list the tests compare with the OpenAPI
/// description is the list that is registered. A known path with another method is a 405.
macro_rules! api_routes {
    ($($path:literal => { $($method:ident: $handler:path),+ $(,)? }),* $(,)?) => {
        /// Every route under `/api/v1`, as (method, path).
        pub const ROUTES: &[(&str, &str)] = &[$($((stringify!($method), $path)),+),*];

        fn register(scope: actix_web::Scope) -> actix_web::Scope {
            crate::http::headers::resources!(scope, other: handlers::method_not_allowed;
                $($path => { $($method: $handler),+ }),*
            )
        }
    };
}

api_routes! {
    "/auth/code" => { post: handlers::request_code },
    "/auth/token" => { post: handlers::create_token, delete: handlers::delete_token },
    "/me" => { get: handlers::me },
    "/me/invitees" => { get: handlers::invitees },
    "/me/invite" => { post: handlers::enter_invite },
    "/me/invite-code" => { post: handlers::new_invite_code },
    "/invitations/{code}" => { get: handlers::invitation },
    "/me/name" => { put: handlers::set_name },
    "/me/email" => { put: handlers::set_email, delete: handlers::remove_email },
    "/email/verify" => { post: handlers::verify_email },
    "/me/phone" => { post: handlers::request_phone_change },
    "/me/phone/confirm" => { post: handlers::confirm_phone_change },
    "/me/delete/code" => { post: handlers::request_deletion },
    "/me/delete" => { post: handlers::delete_account },
    "/me/devices" => { get: handlers::devices },
    "/me/export" => { get: crate::http::export::api },
    "/me/devices/end-others" => { post: handlers::end_other_devices },
    "/me/devices/{kind}/{id}" => { delete: handlers::end_device },
}

/// Registers the API, its description and its documentation page.
pub fn configure(cfg: &mut web::ServiceConfig) {
    let v1 = web::scope("/v1")
        .app_data(
            web::JsonConfig::default()
                .limit(BODY_LIMIT)
                .error_handler(problem::json_error),
        )
        .app_data(web::QueryConfig::default().error_handler(problem::query_error));
    let api = crate::http::headers::resources!(web::scope("/api");
        "/openapi.json" => { get: docs::openapi_json },
        "/docs" => { get: docs::page },
    );
    cfg.service(
        api.service(register(v1))
            .default_service(web::to(handlers::not_found))
            .wrap(from_fn(problem::translate_problems))
            // tokens and profiles must not stay in a cache
            .wrap(DefaultHeaders::new().add((header::CACHE_CONTROL, "no-store"))),
    );
}
