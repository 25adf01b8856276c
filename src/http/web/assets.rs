//! `GET /static/{file}`: the stylesheet, icon and profile script, embedded in the binary.

use actix_web::{HttpResponse, http::header, web};

use crate::http::error::AppError;

const FILES: &[(&str, &str, &str)] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/app.css"),
    ),
    (
        "favicon.svg",
        "image/svg+xml",
        include_str!("../../../static/favicon.svg"),
    ),
    (
        "profile.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/profile.js"),
    ),
];

/// A short fingerprint of the embedded files, appended to their URLs (`?v=…`) so a new release
/// is fetched at once although browsers may cache the files for a year.
pub fn version() -> &'static str {
    static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for (_, _, body) in FILES {
            hasher.update(body.as_bytes());
        }
        crate::domain::token::hex(&hasher.finalize()[..6])
    });
    &VERSION
}

pub async fn get(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    let (_, content_type, body) = FILES
        .iter()
        .find(|(name, _, _)| *name == file.as_str())
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(*content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(*body))
}

/// Third-party files served as they are (ReDoc for `/api/docs`), cached for a day.
pub async fn vendor(file: web::Path<String>) -> Result<HttpResponse, AppError> {
    const REDOC: &str = include_str!("../../../static/vendor/redoc.standalone.js");
    match file.as_str() {
        "redoc.standalone.js" => Ok(HttpResponse::Ok()
            .content_type("text/javascript; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .body(REDOC)),
        _ => Err(AppError::NotFound),
    }
}
