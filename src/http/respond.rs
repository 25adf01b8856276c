//! Small pieces of every response: redirects, `Cache-Control: no-store`, `Retry-After`, and
//! replacing an error response's body while keeping its headers.

use actix_web::{
    HttpResponse,
    body::BoxBody,
    dev::ServiceResponse,
    http::header::{self, HeaderValue},
};

/// A redirect after a form or to another page, never cached. A location a header cannot carry
/// becomes `/` (it never turns into a server error).
pub fn see_other(location: &str) -> HttpResponse {
    let location =
        HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/"));
    let mut res = HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .finish();
    no_store(&mut res);
    res
}

/// Marks a response as never to be stored (pages, so the back button after sign-out does not
/// show a signed-in page).
pub fn no_store(res: &mut HttpResponse) {
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Sets `Retry-After` (in seconds) when there is a wait.
pub fn set_retry_after(res: &mut HttpResponse, seconds: Option<i64>) {
    if let Some(value) = seconds.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        res.headers_mut().insert(header::RETRY_AFTER, value);
    }
}

/// The same response with another body: its status and headers are kept, except the body's
/// own (`Content-Type`, `Content-Length`).
pub fn replace_body(
    res: ServiceResponse<BoxBody>,
    content_type: &'static str,
    body: String,
) -> ServiceResponse<BoxBody> {
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(old.status());
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    ServiceResponse::new(req, new.content_type(content_type).body(body))
}
