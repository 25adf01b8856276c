//! Middleware: security headers, the cross-site request guard, and translated error pages.

use actix_web::{
    Error, HttpResponse, ResponseError,
    body::{BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::{Method, header},
    middleware::{DefaultHeaders, Next},
    web,
};
use askama::Template;

use crate::{error::AppError, routes::PageCtx, startup::AppState};

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

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    title: String,
    text: String,
}

/// Replaces the empty body of an error response with the translated error page.
pub async fn error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Handler errors arrive here as responses carrying the error; the request must not be
    // cloned before routing (actix needs sole ownership to record the matched path).
    let res = next.call(req).await?.map_into_boxed_body();
    if res.request().path().starts_with("/api/") {
        // the API answers problem documents of its own
        return Ok(res);
    }
    let status = res.status();
    // Our own pages render their own errors; what comes here is an error response (from a
    // handler, an extractor or the router), whose plain-text body is replaced by the page.
    let replace = res.response().error().is_some()
        || matches!(
            res.response().body().size(),
            BodySize::None | BodySize::Sized(0)
        );
    if !(status.is_client_error() || status.is_server_error()) || !replace {
        return Ok(res);
    }
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    let code = match status.as_u16() {
        c @ (400 | 403 | 404 | 405 | 413 | 429 | 503) => c,
        c if c >= 500 => 500,
        _ => 400,
    };
    let ctx = PageCtx::new(res.request(), &state, false);
    let retry = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<i64>().ok());
    let text = match (code, retry) {
        (429, Some(seconds)) => ctx.tr.args(
            "error-429-text",
            &[("retry", ctx.tr.retry_after(seconds).into())],
        ),
        (429, None) => ctx.t("error-429-text-plain"),
        _ => ctx.t(&format!("error-{code}-text")),
    };
    let page = ErrorPage {
        title: ctx.t(&format!("error-{code}-title")),
        text,
        ctx,
    };
    let body = match page.render() {
        Ok(body) => body,
        Err(e) => {
            log::error!("error page: {e}");
            return Ok(res);
        }
    };
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    let new = new
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body);
    Ok(ServiceResponse::new(req, new))
}
