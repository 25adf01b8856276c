//! The providers' delivery reports: `POST /sms/status/http` (the webhook's, signed with
//! `SMS_HTTP_SECRET` like the requests it receives) and `POST /sms/status/twilio` (Twilio's
//! status callback, signed with the auth token over `PUBLIC_ORIGIN` + the path) and
//! `POST /sms/status/eskiz?secret=…` (Eskiz signs nothing: the URL it was given carries a secret
//! derived from `SECRET_KEY`). An unsigned or
//! wrongly signed report is refused with 401 and changes nothing; a provider that is not
//! configured has no such address (404). A report that is not final yet (queued, sent) is taken
//! and ignored.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::error::AppError;
use crate::{
    app::delivery::Report,
    state::{AppState, ESKIZ_STATUS_PATH, TWILIO_STATUS_PATH, WEBHOOK_STATUS_PATH},
};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route(WEBHOOK_STATUS_PATH, web::post().to(webhook))
        .route(TWILIO_STATUS_PATH, web::post().to(twilio))
        .route(ESKIZ_STATUS_PATH, web::post().to(eskiz));
}

fn header<'a>(req: &'a HttpRequest, name: &str) -> &'a str {
    req.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

/// The webhook's report: `{"id": "<the id the send answered>", "status": "delivered" |
/// "failed", "error": "…"}`.
#[derive(Deserialize)]
struct WebhookReport {
    id: String,
    status: String,
    #[serde(default)]
    error: Option<String>,
}

async fn webhook(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let signed = state.callbacks.webhook_signed(
        header(&req, "x-signature-timestamp"),
        header(&req, "x-signature"),
        &body,
    );
    match signed {
        None => return Err(AppError::NotFound),
        Some(false) => return Ok(HttpResponse::Unauthorized().finish()),
        Some(true) => {}
    }
    let Ok(report) = serde_json::from_slice::<WebhookReport>(&body) else {
        return Err(AppError::BadRequest);
    };
    let report_as = match report.status.as_str() {
        "delivered" => Report::Delivered,
        "failed" | "undelivered" => Report::Failed(
            report
                .error
                .unwrap_or_else(|| "the provider reported it undelivered".into()),
        ),
        _ => return Ok(HttpResponse::NoContent().finish()),
    };
    state
        .app
        .delivery
        .report("http", &report.id, report_as)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn twilio(
    req: HttpRequest,
    form: web::Form<Vec<(String, String)>>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    let params = form.into_inner();
    match state
        .callbacks
        .twilio_signed(&params, header(&req, "x-twilio-signature"))
    {
        None => return Err(AppError::NotFound),
        Some(false) => return Ok(HttpResponse::Unauthorized().finish()),
        Some(true) => {}
    }
    let field = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let (Some(sid), Some(status)) = (field("MessageSid"), field("MessageStatus")) else {
        return Err(AppError::BadRequest);
    };
    let report = match status {
        "delivered" => Report::Delivered,
        "undelivered" | "failed" => Report::Failed(format!(
            "Twilio reported it {status} (error {})",
            field("ErrorCode").unwrap_or("unknown")
        )),
        _ => return Ok(HttpResponse::NoContent().finish()),
    };
    state.app.delivery.report("twilio", sid, report).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct EskizSecret {
    secret: String,
}

/// Eskiz's report, as a form or as JSON: `request_id` (the id the send answered; `message_id` or
/// `id` when that is missing) and `status` (`DELIVRD`, or `UNDELIV`, `REJECTD`, `EXPIRED`, …).
async fn eskiz(
    req: HttpRequest,
    query: web::Query<EskizSecret>,
    body: web::Bytes,
    state: web::Data<AppState>,
) -> Result<HttpResponse, AppError> {
    match state.callbacks.eskiz_secret_ok(&query.secret) {
        None => return Err(AppError::NotFound),
        Some(false) => return Ok(HttpResponse::Unauthorized().finish()),
        Some(true) => {}
    }
    let json = header(&req, "content-type").starts_with("application/json");
    let fields: Vec<(String, String)> = if json {
        let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(&body) else {
            return Err(AppError::BadRequest);
        };
        map.into_iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect()
    } else {
        serde_urlencoded::from_bytes(&body).map_err(|_| AppError::BadRequest)?
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let id = field("request_id").or(field("message_id")).or(field("id"));
    let (Some(id), Some(status)) = (id, field("status")) else {
        return Err(AppError::BadRequest);
    };
    let report = match status.to_ascii_uppercase().as_str() {
        "DELIVRD" | "DELIVERED" => Report::Delivered,
        "UNDELIV" | "UNDELIVERED" | "REJECTD" | "REJECTED" | "EXPIRED" | "FAILED" => {
            Report::Failed(format!("Eskiz reported it {status}"))
        }
        _ => return Ok(HttpResponse::NoContent().finish()),
    };
    state.app.delivery.report("eskiz", id, report).await?;
    Ok(HttpResponse::NoContent().finish())
}
