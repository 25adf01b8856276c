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

use crate::{app::ops::NotReady, state::AppState};

/// Registers the three routes.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/healthz", web::get().to(healthz))
        .route("/readyz", web::get().to(readyz))
        .route("/metrics", web::get().to(metrics));
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
            metrics::gauge!("db_pool_connections").set(f.pool_connections);
            metrics::gauge!("db_pool_idle_connections").set(f.pool_idle);
            metrics::gauge!("db_pool_max_connections").set(f.pool_max);
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

/// Counts every answer by route pattern (`/admin/users/{id}`, never the path itself, so the
/// labels stay few), method and status, and times it.
pub async fn observe(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!("http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    Ok(res)
}
