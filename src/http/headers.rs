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
