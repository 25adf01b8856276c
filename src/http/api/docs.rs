//! `/api/openapi.json` (generated from the handlers and types) and `/api/docs` (ReDoc, its
//! script served from the binary).

use actix_web::{HttpResponse, http::header};
use utoipa::{
    Modify, OpenApi,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};

use super::{handlers, problem::Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "user-auth API",
        description = "Sign in with a phone number and a one-time code, enter an invite code, and read the profile. \
                       Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`; \
                       titles and details follow `Accept-Language` (en, ru, uz)."
    ),
    paths(
        handlers::request_code,
        handlers::create_token,
        handlers::delete_token,
        handlers::me,
        handlers::invitees,
        handlers::enter_invite,
        handlers::set_name,
        handlers::set_email,
        handlers::remove_email,
        handlers::verify_email,
        handlers::request_phone_change,
        handlers::confirm_phone_change,
        handlers::request_deletion,
        handlers::delete_account,
        handlers::devices,
        handlers::end_device,
        handlers::end_other_devices,
        crate::http::export::api,
    ),
    components(schemas(Problem)),
    modifiers(&BearerScheme),
    tags(
        (name = "auth", description = "Codes and tokens"),
        (name = "profile", description = "The signed-in person"),
    )
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            components.add_security_scheme(
                "bearer",
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
    }
}

pub async fn openapi_json() -> HttpResponse {
    match ApiDoc::openapi().to_json() {
        Ok(json) => HttpResponse::Ok()
            .content_type("application/json")
            .body(json),
        Err(e) => {
            log::error!("openapi: {e}");
            HttpResponse::InternalServerError().finish()
        }
    }
}

const PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>user-auth API</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<redoc spec-url="/api/openapi.json"></redoc>
<script src="/static/vendor/redoc.standalone.js"></script>
</body>
</html>
"#;

/// The ReDoc page. ReDoc styles itself with inline styles and searches in a blob worker, so this
/// page alone allows those; scripts still come only from this server.
pub async fn page() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; \
             connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        .body(PAGE)
}
