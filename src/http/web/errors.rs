//! The translated error pages: every error answer of the web pages (from a handler, an
//! extractor or the router) gets the page in the person's language instead of its empty body.

use actix_web::{
    Error, HttpResponse,
    body::{BodySize, BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};
use askama::Template;

use super::page::PageCtx;
use crate::{
    http::{
        error::AppError,
        respond::{no_store, replace_body},
    },
    state::AppState,
};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    ctx: PageCtx,
    title: String,
    text: String,
}

/// The 404 for every unknown path.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
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
    let mut res = replace_body(res, "text/html; charset=utf-8", body);
    no_store(res.response_mut());
    Ok(res)
}
