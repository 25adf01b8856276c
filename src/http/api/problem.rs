//! RFC 9457 problem details: every API error, with a stable machine `code` and a title and
//! detail translated by `Accept-Language`.

use actix_web::{
    Error, HttpRequest, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::{JsonPayloadError, QueryPayloadError},
    http::{StatusCode, header},
    middleware::Next,
    web,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    app,
    http::{
        error::UNAVAILABLE_RETRY_AFTER,
        refusal::{Arg, Refusal, Refused},
        respond::{replace_body, set_retry_after},
    },
    i18n::{self, Tr},
    state::AppState,
};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem document (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem; the same for every occurrence of one `code`.
    #[serde(rename = "type")]
    #[schema(example = "urn:user-auth:problem:invite_code_own")]
    pub kind: String,
    /// A short summary of the status, in the request's language.
    pub title: String,
    /// The HTTP status.
    #[schema(example = 422)]
    pub status: u16,
    /// What went wrong and what to do, in the request's language.
    pub detail: String,
    /// Stable machine-readable code.
    #[schema(example = "invite_code_own")]
    pub code: String,
    /// Seconds until a retry can succeed (429 and some 503 answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<i64>,
    /// Tries left for the current code (`otp_wrong`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<i32>,
}

/// An API error before translation: a refusal, or a failure of the request itself.
#[derive(Debug, Clone)]
pub struct ApiError(pub Refused);

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.0.status.as_u16(), self.0.code)
    }
}

impl<R: Refusal> From<R> for ApiError {
    fn from(refusal: R) -> Self {
        ApiError(refusal.refused())
    }
}

impl From<app::Error> for ApiError {
    fn from(e: app::Error) -> Self {
        ApiError(match e {
            app::Error::Unavailable => Refused::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "error-503-text",
            )
            .retry_after(UNAVAILABLE_RETRY_AFTER),
            app::Error::Internal(_) => internal(StatusCode::INTERNAL_SERVER_ERROR),
        })
    }
}

impl ApiError {
    pub fn unauthorized() -> Self {
        ApiError(Refused::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "problem-unauthorized",
        ))
    }

    pub fn not_found() -> Self {
        ApiError(Refused::new(
            StatusCode::NOT_FOUND,
            "not_found",
            "error-404-text",
        ))
    }

    pub fn method_not_allowed() -> Self {
        ApiError(Refused::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "error-405-text",
        ))
    }

    /// The translated document.
    pub fn problem(&self, tr: &Tr) -> Problem {
        let r = &self.0;
        Problem {
            kind: format!("urn:user-auth:problem:{}", r.code),
            title: tr.t(&format!("problem-title-{}", r.status.as_u16())),
            status: r.status.as_u16(),
            detail: r.text(tr),
            code: r.code.to_owned(),
            retry_after_seconds: r.retry_after,
            attempts_left: r.attempts_left,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    /// Headers only; [`translate_problems`] writes the body in the request's language.
    fn error_response(&self) -> HttpResponse {
        self.0.count();
        let mut res = HttpResponse::build(self.0.status)
            .content_type(PROBLEM_JSON)
            .finish();
        set_retry_after(&mut res, self.0.retry_after);
        if self.0.status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

/// The translator for an API request: `Accept-Language` only (the API ignores cookies).
pub fn api_tr(req: &HttpRequest, state: &AppState) -> Tr {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Tr::new(state.locales.clone(), i18n::negotiate(None, accept))
}

/// Maps the JSON extractor's failures to problems: wrong media type 415, too large 413, not JSON
/// 400 `malformed_json`, JSON of the wrong shape (missing fields, wrong types) 400 `invalid_body`.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> Error {
    let problem = match &err {
        JsonPayloadError::ContentType => unsupported_media_type(),
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            payload_too_large()
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => Refused::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "problem-invalid-body",
        )
        .arg("reason", Arg::Text(e.to_string())),
        _ => Refused::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "problem-malformed-json",
        ),
    };
    ApiError(problem).into()
}

/// Query strings of the wrong shape.
pub fn query_error(err: QueryPayloadError, _req: &HttpRequest) -> Error {
    ApiError(
        Refused::new(
            StatusCode::BAD_REQUEST,
            "invalid_query",
            "problem-invalid-query",
        )
        .arg("reason", Arg::Text(err.to_string())),
    )
    .into()
}

fn unsupported_media_type() -> Refused {
    Refused::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "problem-unsupported-media-type",
    )
}

/// A failure of ours; its details stay in the log.
fn internal(status: StatusCode) -> Refused {
    Refused::new(status, "internal", "error-500-text")
}

fn payload_too_large() -> Refused {
    Refused::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "problem-payload-too-large",
    )
}

/// Writes the translated problem document for every API error response, and turns the other
/// errors that can reach the API (an unknown method, for instance) into problems too.
pub async fn translate_problems(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    let api_error = match res.response().error() {
        Some(e) => match e.as_error::<ApiError>() {
            Some(api) => api.clone(),
            None => fallback(status),
        },
        None if status == StatusCode::METHOD_NOT_ALLOWED || status == StatusCode::NOT_FOUND => {
            fallback(status)
        }
        None => return Ok(res),
    };
    let Some(state) = res.request().app_data::<web::Data<AppState>>().cloned() else {
        return Ok(res);
    };
    let tr = api_tr(res.request(), &state);
    let body = match serde_json::to_string(&api_error.problem(&tr)) {
        Ok(body) => body,
        Err(_) => return Ok(res),
    };
    // the headers of the error response (`Retry-After`, `WWW-Authenticate`) are kept
    let mut res = replace_body(res, PROBLEM_JSON, body);
    set_retry_after(res.response_mut(), api_error.0.retry_after);
    Ok(res)
}

/// A problem for an error that did not come from our own code.
fn fallback(status: StatusCode) -> ApiError {
    ApiError(match status.as_u16() {
        404 => return ApiError::not_found(),
        405 => return ApiError::method_not_allowed(),
        413 => payload_too_large(),
        415 => unsupported_media_type(),
        s if s >= 500 => internal(status),
        _ => Refused::new(StatusCode::BAD_REQUEST, "bad_request", "error-400-text"),
    })
}
