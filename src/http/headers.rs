//! Middleware every answer passes: the security headers, and the guard that refuses
//! state-changing requests a browser marks as cross-site.

use actix_web::{
    Error, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{Method, header},
    middleware::{Condition, DefaultHeaders, Next},
};

use super::error::AppError;

/// Headers on every response. No inline script or style is allowed anywhere.
pub fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
}

/// With `COOKIE_SECURE` (the site is served over HTTPS): every answer tells browsers to come back
/// over HTTPS only, for a year.
pub fn strict_transport_security(enabled: bool) -> Condition<DefaultHeaders> {
    Condition::new(
        enabled,
        DefaultHeaders::new().add((header::STRICT_TRANSPORT_SECURITY, "max-age=31536000")),
    )
}

/// A state-changing request that the browser marks as coming from another site is refused
/// before any handler runs (the CSRF token is the first layer, this the second).
pub async fn refuse_cross_site(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // The API authenticates with bearer tokens and ignores cookies: nothing for a forged
    // cross-site request to ride on.
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || req.path().starts_with("/api/");
    let cross_site = req
        .headers()
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"cross-site"));
    if !safe && cross_site {
        return Ok(req.into_response(AppError::Forbidden.error_response()));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

/// The route of one method as the route lists name it (`get`, `post`, …). A `get` route
/// answers HEAD too (the same answer without its body), as RFC 9110 asks of every server.
pub fn route_for(method: &str) -> actix_web::Route {
    use actix_web::{guard, web};
    match method {
        "get" => web::route().guard(guard::Any(guard::Get()).or(guard::Head())),
        other => web::route().method(
            Method::from_bytes(other.to_ascii_uppercase().as_bytes()).expect("a method name"),
        ),
    }
}

/// Names a resource's methods in the `Allow` header of its 405 answers, as RFC 9110 asks
/// (HEAD with GET: [`route_for`]).
pub fn allow(methods: &[&str]) -> actix_web::middleware::ErrorHandlers<BoxBody> {
    use actix_web::middleware::{ErrorHandlerResponse, ErrorHandlers};
    let allowed = methods
        .iter()
        .flat_map(|m| match *m {
            "get" => vec!["GET", "HEAD"],
            other => vec![other],
        })
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(", ");
    let value = header::HeaderValue::from_str(&allowed).expect("method names are ASCII");
    ErrorHandlers::new().handler(
        actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
        move |mut res| {
            res.response_mut()
                .headers_mut()
                .insert(header::ALLOW, value.clone());
            Ok(ErrorHandlerResponse::Response(res.map_into_left_body()))
        },
    )
}

/// Registers each path as one resource with its methods' handlers; any other method gets 405
/// with an `Allow` header naming them ([`allow`]), answered by `$other` when one is given.
macro_rules! resources {
    ($cfg:expr; $($path:literal => { $($method:ident: $handler:expr),+ $(,)? }),* $(,)?) => {
        $cfg $(.service(
            actix_web::web::resource($path)
                $(.route($crate::http::headers::route_for(stringify!($method)).to($handler)))+
                .wrap($crate::http::headers::allow(&[$(stringify!($method)),+])),
        ))*
    };
    ($cfg:expr, other: $other:expr; $($path:literal => { $($method:ident: $handler:expr),+ $(,)? }),* $(,)?) => {
        $cfg $(.service(
            actix_web::web::resource($path)
                $(.route($crate::http::headers::route_for(stringify!($method)).to($handler)))+
                .default_service(actix_web::web::to($other))
                .wrap($crate::http::headers::allow(&[$(stringify!($method)),+])),
        ))*
    };
}
pub(crate) use resources;
