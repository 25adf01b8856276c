//! The HTTP edge: the web pages (`web`) and the JSON API (`api`), with what they share — who is
//! asking (`client`), who is signed in (`auth`), the one refusal table (`refusal`), the page
//! errors (`error`) and the middleware every answer passes (`headers`). Handlers parse, call one
//! use case through `AppState::app`, and render; nothing here touches the database.

pub mod api;
pub mod auth;
pub mod callbacks;
pub mod client;
pub mod error;
pub mod export;
pub mod headers;
pub mod ops;
pub mod refusal;
pub mod respond;
pub mod web;

use actix_web::{
    App, Error,
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    middleware::from_fn,
};

use crate::state::AppState;

/// The whole application for one server worker: pages, API, static files, and the middleware
/// (logging, security headers and HSTS, the session cookie, error pages, the cross-site guard).
pub fn app(
    state: actix_web::web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let sessions = web::session::session_middleware(&state);
    let state_secure = state.cookie_secure;
    let public_ops = state.ops_on_public_bind;
    App::new()
        .app_data(state)
        .app_data(actix_web::web::FormConfig::default().limit(8 * 1024))
        .app_data(actix_web::web::QueryConfig::default())
        .configure(web::configure)
        .configure(api::configure)
        .configure(callbacks::configure)
        .configure(|cfg| {
            if public_ops {
                ops::configure(cfg);
            }
        })
        .default_service(actix_web::web::to(web::errors::not_found))
        .wrap(from_fn(headers::refuse_cross_site))
        .wrap(from_fn(web::errors::error_pages))
        .wrap(sessions)
        .wrap(headers::security_headers())
        .wrap(headers::strict_transport_security(state_secure))
        // outermost: the request id, the metrics and the access line see every answer
        .wrap(from_fn(ops::observe))
}

/// The operators' address (`ADMIN_BIND`): the probes and the metrics, nothing else.
pub fn ops_app(
    state: actix_web::web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    App::new()
        .app_data(state)
        .configure(ops::configure)
        .wrap(from_fn(ops::observe))
}
