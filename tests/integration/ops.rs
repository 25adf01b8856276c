//! The probes and `/metrics`: what they answer, what the metrics count, and `ADMIN_BIND`
//! keeping them off the public address.

use diesel::prelude::*;
use reqwest::StatusCode;

use crate::helpers::{Backend, Options, TestApp};

/// The value of the first sample of `metric` whose labels include every one of `labels`.
fn sample(text: &str, metric: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter(|l| l.starts_with(&format!("{metric}{{")) || l.starts_with(&format!("{metric} ")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next()?.parse().ok())
}

async fn probes_answer_and_metrics_count_what_happens(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    let res = app.get("/healthz").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), "ok\n");
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::OK);

    // a sign-in, a refused number, and a page by a route with a parameter
    app.sign_in("+998901234567", "+998901234567").await;
    let csrf = app.csrf().await;
    let res = app
        .post_form("/login", &[("csrf", &csrf), ("phone", "12")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let _ = app.get("/admin/users/12345").await;

    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain; version=0.0.4")
    );
    let text = res.text().await.unwrap();
    // (the recorder is the process's: other tests add to the counts, so these are lower bounds)
    let at_least = |metric: &str, labels: &[&str], n: f64| {
        let v = sample(&text, metric, labels)
            .unwrap_or_else(|| panic!("no {metric} {labels:?} in:\n{text}"));
        assert!(v >= n, "{metric} {labels:?} = {v}");
    };
    at_least(
        "http_requests_total",
        &[r#"route="/login""#, r#"method="POST""#, r#"status="303""#],
        1.0,
    );
    at_least(
        "http_requests_total",
        &[r#"route="/login""#, r#"status="422""#],
        1.0,
    );
    at_least(
        "http_requests_total",
        &[r#"route="/admin/users/{id}""#],
        1.0,
    );
    assert!(!text.contains("/admin/users/12345"), "routes, never paths");
    at_least(
        "http_request_duration_seconds_bucket",
        &[r#"route="/login""#, r#"le="+Inf""#],
        2.0,
    );
    at_least("codes_sent_total", &[r#"purpose="sign_in""#], 1.0);
    at_least("sign_ins_total", &[r#"account="new""#], 1.0);
    at_least("refusals_total", &[r#"code="phone_invalid""#], 1.0);
    at_least("outbox_tries_total", &[r#"outcome="sent""#], 1.0);
    at_least("db_pool_wait_seconds_count", &[], 1.0);
    at_least("db_pool_max_connections", &[], 1.0);
    assert_eq!(sample(&text, "database_up", &[]), Some(1.0));
    assert!(sample(&text, "outbox_open_messages", &[]).is_some());
    assert!(sample(&text, "outbox_due_seconds", &[]).is_some());
    // no number, code or secret in the metrics
    assert!(!text.contains("998901234567"));
}

/// A missing migration: `/readyz` answers 503 and says why; `/healthz` still answers.
async fn readyz_says_why_it_is_not_ready(backend: Backend) {
    let Some(app) = TestApp::spawn(backend).await else {
        return;
    };
    diesel::sql_query(
        "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT max(version) FROM __diesel_schema_migrations)",
    )
    .execute(&mut app.conn())
    .unwrap();
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.text().await.unwrap().contains("user-auth migrate"));
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[actix_web::test]
async fn admin_bind_keeps_probes_and_metrics_off_the_public_address() {
    let options = Options {
        admin_bind: true,
        ..Options::default()
    };
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, options).await else {
        return;
    };
    let admin = app.admin_address.clone().expect("an admin address");
    for path in ["/healthz", "/readyz", "/metrics"] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::NOT_FOUND,
            "{path} public"
        );
        let res = app
            .client
            .get(format!("{admin}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path} on ADMIN_BIND");
    }
    // and nothing else is served there
    let res = app
        .client
        .get(format!("{admin}/login"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // the public address still serves the site
    assert_eq!(app.get("/login").await.status(), StatusCode::OK);
}

crate::on_both_backends!(
    probes_answer_and_metrics_count_what_happens,
    readyz_says_why_it_is_not_ready,
);
