//! For operators: `GET /healthz` (the process answers), `GET /readyz` (the database answers,
//! every migration is applied, the outbox is being worked: 503 with the reason otherwise) and
//! `GET /metrics` (Prometheus text). With `ADMIN_BIND` they are served there only, not on the
//! public address. And the middleware that counts and times every request by its route.

use std::time::Instant;

use actix_web::{
    HttpResponse,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header,
    middleware::Next,
    web,
};

use crate::{
    app::ops::NotReady,
    http::client::client_info,
    logging::{self, RequestId},
    state::AppState,
};

/// Registers the three routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    crate::http::headers::resources!(cfg;
        "/healthz" => { get: healthz },
        "/readyz" => { get: readyz },
        "/metrics" => { get: metrics },
    );
}

fn text(status: actix_web::http::StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; charset=utf-8")
        .body(body)
}

pub async fn healthz() -> HttpResponse {
    text(actix_web::http::StatusCode::OK, "ok\n".into())
}

pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    match state.app.ops.ready().await {
        Ok(()) => text(actix_web::http::StatusCode::OK, "ready\n".into()),
        Err(why) => {
            let reason = match why {
                NotReady::Database => "database: no connection, or it does not answer".to_owned(),
                NotReady::Migrations => {
                    "migrations: the database lacks a migration this server needs (run `user-auth migrate`)".to_owned()
                }
                NotReady::OutboxStuck { due_for } => {
                    format!("outbox: a message has been due for {due_for} s and no worker took it")
                }
            };
            log::warn!("not ready: {reason}");
            text(
                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {reason}\n"),
            )
        }
    }
}

pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    // the figures that are read, not counted: set at each scrape
    match state.app.ops.figures().await {
        Ok(f) => {
            metrics::gauge!("db_pool_connections").set(f.connections);
            metrics::gauge!("db_pool_idle_connections").set(f.idle_connections);
            metrics::gauge!("db_pool_max_connections").set(f.max_connections);
            metrics::gauge!("outbox_open_messages").set(f.outbox_open as f64);
            metrics::gauge!("outbox_due_seconds").set(f.outbox_due_for.unwrap_or(0) as f64);
            metrics::gauge!("database_up").set(1);
        }
        Err(_) => metrics::gauge!("database_up").set(0),
    }
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}

/// The header that names a request, on every answer and in every log line of the request.
pub const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// Around every request: names it (the trusted proxy's `X-Request-Id` when there is one and it
/// is plain, a new one otherwise) for its log lines and its answer; counts the answer by route
/// pattern (`/admin/users/{id}`, never the path itself, so the labels stay few), method and
/// status, and times it; and writes the access line (the path without its query: a query may
/// carry a secret, such as an email link's token).
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let behind_proxy = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.address_rules.proxy_hops > 0);
    let id = behind_proxy
        .then(|| {
            req.headers()
                .get(&REQUEST_ID)?
                .to_str()
                .ok()
                .and_then(RequestId::parse)
        })
        .flatten()
        .unwrap_or_else(RequestId::generate);
    let method = req.method().as_str().to_owned();
    let path = req.path().to_owned();
    let answered = logging::scope(id.clone(), next.call(req)).await;
    let elapsed = started.elapsed();
    // (an error here is a middleware's own, rare: the handlers' errors are answers already)
    let (route, status, client) = match &answered {
        Ok(res) => (
            res.request().match_pattern(),
            res.status(),
            client_info(res.request()).ip,
        ),
        Err(e) => (None, e.error_response().status(), "-".to_owned()),
    };
    let route = route.unwrap_or_else(|| "unmatched".to_owned());
    let status = status.as_u16();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method.clone(), "status" => status.to_string())
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route.clone())
        .record(elapsed.as_secs_f64());
    let duration_ms = (elapsed.as_secs_f64() * 1e4).round() / 10.0;
    logging::sync_scope(id.clone(), || {
        log::info!(
            target: "user_auth::access",
            method = method.as_str(), route = route.as_str(), path = path.as_str(), status, duration_ms, client = client.as_str();
            "{client} \"{method} {path}\" {status} {duration_ms}ms"
        );
    });
    let mut res = answered?;
    if let Ok(value) = header::HeaderValue::from_str(id.as_str()) {
        res.headers_mut().insert(REQUEST_ID, value);
    }
    Ok(res)
}
