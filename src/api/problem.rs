//! RFC 9457 problem details: every API error, with a stable machine `code` and a title and
//! detail translated by `Accept-Language`.

use actix_web::{
    Error, HttpResponse, ResponseError,
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    error::{JsonPayloadError, QueryPayloadError},
    http::{StatusCode, header},
    middleware::Next,
    web,
};
use fluent_bundle::FluentValue;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{db::DbError, error::AppError, i18n::Tr, startup::AppState};

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

/// An API error before translation: status, code, the Fluent id of its detail and arguments.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail_id: &'static str,
    pub args: Vec<(&'static str, Arg)>,
    pub retry_after: Option<i64>,
    pub attempts_left: Option<i32>,
}

/// A Fluent argument value.
#[derive(Debug, Clone)]
pub enum Arg {
    Number(i64),
    Text(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, detail_id: &'static str) -> Self {
        Self {
            status,
            code,
            detail_id,
            args: Vec::new(),
            retry_after: None,
            attempts_left: None,
        }
    }

    pub fn arg(mut self, name: &'static str, value: Arg) -> Self {
        self.args.push((name, value));
        self
    }

    pub fn retry_after(mut self, seconds: i64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "problem-unauthorized",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "error-404-text")
    }

    /// The translated document.
    pub fn problem(&self, tr: &Tr) -> Problem {
        let mut args: Vec<(&str, FluentValue)> = self
            .args
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Arg::Number(n) => FluentValue::from(*n),
                    Arg::Text(t) => FluentValue::from(t.clone()),
                };
                (*k, v)
            })
            .collect();
        if let Some(seconds) = self.retry_after {
            args.push(("retry", tr.retry_after(seconds).into()));
        }
        Problem {
            kind: format!("urn:user-auth:problem:{}", self.code),
            title: tr.t(&format!("problem-title-{}", self.status.as_u16())),
            status: self.status.as_u16(),
            detail: tr.args(self.detail_id, &args),
            code: self.code.to_owned(),
            retry_after_seconds: self.retry_after,
            attempts_left: self.attempts_left,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    /// Headers only; [`translate_problems`] writes the body in the request's language.
    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status);
        res.content_type(PROBLEM_JSON);
        if let Some(seconds) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        if self.status == StatusCode::UNAUTHORIZED {
            res.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        res.finish()
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Unavailable => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "error-503-text",
            )
            .retry_after(30),
            AppError::NotFound => Self::not_found(),
            AppError::Forbidden => {
                Self::new(StatusCode::FORBIDDEN, "forbidden", "problem-forbidden")
            }
            AppError::BadRequest => {
                Self::new(StatusCode::BAD_REQUEST, "bad_request", "error-400-text")
            }
            AppError::TooManyRequests { retry_after } => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "error-429-text",
            )
            .retry_after(retry_after),
            AppError::Internal(_) => Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "error-500-text",
            ),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        AppError::from(e).into()
    }
}

/// Maps the JSON extractor's failures to problems: wrong media type 415, too large 413, not JSON
/// 400 `malformed_json`, JSON of the wrong shape (missing fields, wrong types) 400 `invalid_body`.
pub fn json_error(err: JsonPayloadError, _req: &actix_web::HttpRequest) -> Error {
    let problem = match &err {
        JsonPayloadError::ContentType => unsupported_media_type(),
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "problem-payload-too-large",
            )
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "problem-invalid-body",
        )
        .arg("reason", Arg::Text(e.to_string())),
        _ => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "problem-malformed-json",
        ),
    };
    problem.into()
}

/// Query strings of the wrong shape.
pub fn query_error(err: QueryPayloadError, _req: &actix_web::HttpRequest) -> Error {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "invalid_query",
        "problem-invalid-query",
    )
    .arg("reason", Arg::Text(err.to_string()))
    .into()
}

fn unsupported_media_type() -> ApiError {
    ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "problem-unsupported-media-type",
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
    let tr = super::request_tr(res.request(), &state);
    let body = match serde_json::to_string(&api_error.problem(&tr)) {
        Ok(body) => body,
        Err(_) => return Ok(res),
    };
    let (req, old) = res.into_parts();
    let mut new = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.append_header((name.clone(), value.clone()));
        }
    }
    if let Some(seconds) = api_error.retry_after {
        new.insert_header((header::RETRY_AFTER, seconds.to_string()));
    }
    if status == StatusCode::UNAUTHORIZED {
        new.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
    }
    Ok(ServiceResponse::new(
        req,
        new.content_type(PROBLEM_JSON).body(body),
    ))
}

/// A problem for an error that did not come from our own code.
fn fallback(status: StatusCode) -> ApiError {
    match status.as_u16() {
        404 => ApiError::not_found(),
        405 => ApiError::new(status, "method_not_allowed", "error-405-text"),
        413 => ApiError::new(status, "payload_too_large", "problem-payload-too-large"),
        415 => unsupported_media_type(),
        s if s >= 500 => ApiError::new(status, "internal", "error-500-text"),
        _ => ApiError::new(StatusCode::BAD_REQUEST, "bad_request", "error-400-text"),
    }
}
