//! The JSON API under `/api/v1`: the same domain functions and rules as the web pages, bearer
//! tokens instead of cookies, RFC 9457 problems for errors, and an OpenAPI description.

mod docs;
mod handlers;
pub mod problem;

use std::{future::Future, pin::Pin};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, middleware::from_fn, web};

pub use docs::ApiDoc;
use problem::ApiError;

use crate::{auth, db, db::users::User, startup::AppState};

/// Largest request body the API reads.
pub const BODY_LIMIT: usize = 4 * 1024;

/// Declares every `/api/v1` route once: the list the tests compare with the OpenAPI
/// description is the list that is registered. A known path with another method is a 405.
macro_rules! api_routes {
    ($($path:literal => { $($method:ident: $handler:path),+ $(,)? }),* $(,)?) => {
        /// Every route under `/api/v1`, as (method, path).
        pub const ROUTES: &[(&str, &str)] = &[$($((stringify!($method), $path)),+),*];

        fn register(scope: actix_web::Scope) -> actix_web::Scope {
            scope $(
                .service(
                    web::resource($path)
                        $(.route(web::$method().to($handler)))+
                        .default_service(web::to(handlers::method_not_allowed)),
                )
            )*
        }
    };
}

api_routes! {
    "/auth/code" => { post: handlers::request_code },
    "/auth/token" => { post: handlers::create_token, delete: handlers::delete_token },
    "/me" => { get: handlers::me },
    "/me/invitees" => { get: handlers::invitees },
    "/me/invite" => { post: handlers::enter_invite },
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
    cfg.service(
        web::scope("/api")
            .route("/openapi.json", web::get().to(docs::openapi_json))
            .route("/docs", web::get().to(docs::page))
            .service(register(v1))
            .default_service(web::to(handlers::not_found))
            .wrap(from_fn(problem::translate_problems)),
    );
}

/// The translator for an API request: `Accept-Language` only (the API ignores cookies).
pub fn request_tr(req: &HttpRequest, state: &AppState) -> crate::i18n::Tr {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    crate::i18n::Tr::new(state.locales.clone(), crate::i18n::negotiate(None, accept))
}

/// The signed-in user of an API request and the token it came with.
pub struct Bearer {
    pub user: User,
    pub token: String,
}

/// The token from `Authorization: Bearer …`; cookies are never looked at.
fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer")
        && token.len() == 64
        && token.bytes().all(|b| b.is_ascii_hexdigit()))
    .then(|| token.to_ascii_lowercase())
}

impl FromRequest for Bearer {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer_token(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let (Some(token), Some(state)) = (token, state) else {
                return Err(ApiError::unauthorized());
            };
            let (limits, now, t) = (state.auth.limits.clone(), state.clock.now(), token.clone());
            let user = db::run(&state.pool, move |conn| {
                auth::authenticate_api_token(conn, &limits, &t, now)
            })
            .await?;
            user.map(|user| Bearer { user, token })
                .ok_or_else(ApiError::unauthorized)
        })
    }
}
