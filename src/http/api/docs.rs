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
        handlers::invitation,
        handlers::new_invite_code,
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
    modifiers(&BearerScheme, &CommonAnswers, &InputPatterns),
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

/// The answers any operation may give whatever it does, added here once rather than on each:
/// an operation that reads a JSON body may refuse it as malformed (400), too large (413) or not
/// JSON (415); any may find the database down (503).
struct CommonAnswers;

impl Modify for CommonAnswers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{Content, Ref, ResponseBuilder};
        let problem = |description: &str| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    Content::new(Some(Ref::from_schema_name("Problem"))),
                )
                .build()
        };
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let mut common = vec![("503", "The service is unavailable (`unavailable`)")];
                if operation.request_body.is_some() {
                    common.extend([
                        (
                            "400",
                            "Malformed JSON (`malformed_json`) or wrong types (`invalid_body`)",
                        ),
                        ("413", "Body too large (`payload_too_large`)"),
                        ("415", "Not `application/json` (`unsupported_media_type`)"),
                    ]);
                }
                for (status, description) in common {
                    let answers = &mut operation.responses.responses;
                    if !answers.contains_key(status) {
                        answers.insert(status.to_owned(), problem(description).into());
                    }
                }
            }
        }
    }
}

/// The shape each parser takes, from the parser's own module, on every field and parameter it
/// reads: a request the schema allows is refused only for what no schema can say (a number
/// that receives no texts, a wrong or unknown code).
struct InputPatterns;

impl Modify for InputPatterns {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use crate::domain::{cursor, invite_code, name, otp, phone};
        use utoipa::openapi::{RefOr, Schema};
        fn constrain(schema: Option<&mut RefOr<Schema>>, pattern: &str, max: Option<usize>) {
            if let Some(RefOr::T(Schema::Object(object))) = schema {
                object.pattern = Some(pattern.to_owned());
                object.max_length = max;
            }
        }
        let phone = (phone::input_pattern(), Some(phone::MAX_INPUT_CHARS));
        let code = (otp::input_pattern(), Some(otp::MAX_INPUT_CHARS));
        let invite = (
            invite_code::input_pattern(),
            Some(invite_code::MAX_INPUT_CHARS),
        );
        // its length is the pattern's: counted after trimming
        let name = (name::input_pattern(), None);
        let fields = [
            ("PhoneBody", "phone", &phone),
            ("TokenBody", "phone", &phone),
            ("TokenBody", "code", &code),
            ("CodeBody", "code", &code),
            ("InviteBody", "code", &invite),
            ("NameBody", "name", &name),
        ];
        if let Some(components) = openapi.components.as_mut() {
            for (body, field, (pattern, max)) in fields {
                if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(body) {
                    constrain(object.properties.get_mut(field), pattern, *max);
                }
            }
        }
        let invitees = openapi
            .paths
            .paths
            .get_mut("/api/v1/me/invitees")
            .and_then(|item| item.get.as_mut())
            .and_then(|operation| operation.parameters.as_mut());
        for parameter in invitees.into_iter().flatten() {
            if let RefOr::T(parameter) = parameter
                && parameter.name == "cursor"
            {
                constrain(parameter.schema.as_mut(), cursor::INPUT_PATTERN, Some(40));
            }
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
