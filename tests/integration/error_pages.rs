//! Every error status gets a translated page: the middleware on its own, with handlers that
//! fail the way real ones can (429 with a retry time, 500, 503).

use std::{sync::Arc, time::Duration};

use actix_web::{
    App, HttpResponse,
    http::StatusCode,
    middleware::from_fn,
    test::{self, TestRequest},
    web,
};
use user_auth::{
    config::Settings,
    db::{self, DatabaseUrl},
    http::{
        error::AppError,
        web::{errors::error_pages, session::session_middleware},
    },
    i18n::Locales,
    state::{AppState, Dependencies},
};

async fn fail(err: web::Path<String>) -> Result<HttpResponse, AppError> {
    Err(match err.as_str() {
        "429" => AppError::TooManyRequests { retry_after: 90 },
        "503" => AppError::Unavailable,
        "403" => AppError::Forbidden,
        "400" => AppError::BadRequest,
        _ => AppError::Internal("boom".into()),
    })
}

async fn page(status: &str, lang: &str) -> (StatusCode, Option<String>, String) {
    let settings = Settings::for_tests(DatabaseUrl::Sqlite(
        std::env::temp_dir().join("never-opened.db"),
    ));
    // the pool connects lazily; these handlers never touch it
    let pool = db::pool(&settings.database_url, 1, Duration::from_secs(1));
    let locales = Arc::new(Locales::load().unwrap());
    let state = AppState::new(
        &settings,
        Dependencies::from_settings(&settings),
        pool,
        locales,
    );
    let sessions = session_middleware(&state);
    let app = test::init_service(
        App::new()
            .app_data(web::Data::new(state))
            .route("/fail/{status}", web::get().to(fail))
            .wrap(from_fn(error_pages))
            .wrap(sessions),
    )
    .await;
    let req = TestRequest::get()
        .uri(&format!("/fail/{status}"))
        .insert_header(("accept-language", lang))
        .to_request();
    let res = test::call_service(&app, req).await;
    let status = res.status();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let body = String::from_utf8(test::read_body(res).await.to_vec()).unwrap();
    (status, retry, body)
}

#[actix_web::test]
async fn too_many_requests_says_when_to_retry() {
    let (status, retry, body) = page("429", "en").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("90"));
    assert!(
        body.contains("Too many requests") && body.contains("Try again in 90 seconds."),
        "{body}"
    );

    let (_, _, body) = page("429", "ru").await;
    assert!(
        body.contains("Слишком много запросов") && body.contains("Повторите через 90 секунд."),
        "{body}"
    );
}

#[actix_web::test]
async fn server_errors_are_translated_pages() {
    for (code, en, ru) in [
        ("500", "Something went wrong", "Что-то пошло не так"),
        (
            "503",
            "Temporarily unavailable",
            "Сервис временно недоступен",
        ),
        ("403", "Not allowed", "Доступ запрещён"),
        ("400", "Bad request", "Неверный запрос"),
    ] {
        let (status, _, body) = page(code, "en").await;
        assert_eq!(status.as_str(), code);
        assert!(body.contains(en), "{code}: {body}");
        assert!(!body.contains("boom"), "internal details stay in the log");
        let (_, _, body) = page(code, "ru").await;
        assert!(
            body.contains(ru) && body.contains("<html lang=\"ru\">"),
            "{code}: {body}"
        );
    }
}
