//! What every page shares: the layout's context (`PageCtx`), the request's language, rendering
//! with the right status and headers, and the CSRF check of forms.

use actix_web::{HttpRequest, HttpResponse, http::StatusCode, http::header};
use askama::Template;

use super::{assets, session::TypedSession};
use crate::{
    http::{
        error::AppError,
        refusal::Refused,
        respond::{no_store, set_retry_after},
    },
    i18n::{self, LANG_COOKIE, Tr},
    state::AppState,
};

/// A language in the switcher.
pub struct LangOption {
    pub code: &'static str,
    pub name: &'static str,
    pub current: bool,
}

/// What the base layout needs on every page.
pub struct PageCtx {
    pub tr: Tr,
    pub lang: &'static str,
    pub csrf: String,
    pub signed_in: bool,
    /// Shows the "Admin" link.
    pub staff: bool,
    /// This page's path, where the language switcher returns to.
    pub path: String,
    pub languages: Vec<LangOption>,
    /// Fingerprint for the URLs of the embedded static files.
    pub asset_version: &'static str,
}

impl PageCtx {
    pub fn new(req: &HttpRequest, state: &AppState, signed_in: bool) -> Self {
        let lang = request_language(req);
        let session = TypedSession::from_request(req);
        let path = match req.method() {
            &actix_web::http::Method::GET => req.uri().path_and_query().map_or("/", |p| p.as_str()),
            _ => req.path(),
        };
        Self {
            tr: Tr::new(state.locales.clone(), lang),
            lang,
            csrf: session.csrf_token(&state.csrf_key),
            signed_in,
            staff: false,
            asset_version: assets::version(),
            path: path.to_owned(),
            languages: i18n::LANGUAGES
                .iter()
                .map(|(code, name)| LangOption {
                    code,
                    name,
                    current: *code == lang,
                })
                .collect(),
        }
    }

    /// The translator for a request's language, for text outside a page (a text message).
    pub fn translator(req: &HttpRequest, state: &AppState) -> Tr {
        Tr::new(state.locales.clone(), request_language(req))
    }

    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// Marks the viewer as staff.
    pub fn staff(mut self, is_staff: bool) -> Self {
        self.staff = is_staff;
        self
    }
}

/// The request's language: cookie, then `Accept-Language`, then English.
pub fn request_language(req: &HttpRequest) -> &'static str {
    let cookie = req.cookie(LANG_COOKIE);
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    i18n::negotiate(cookie.as_ref().map(|c| c.value()), accept)
}

/// Renders a page with the given status; pages are never cached, so the back button after
/// sign-out does not show a signed-in page.
pub fn render(status: StatusCode, page: &impl Template) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    let mut res = HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(body);
    no_store(&mut res);
    Ok(res)
}

/// Renders a form again after a refusal: with the refusal's status and `Retry-After` (the page
/// shows its message, `refused.text(…)`).
pub fn render_refused(refused: &Refused, page: &impl Template) -> Result<HttpResponse, AppError> {
    refused.count();
    let mut res = render(refused.status, page)?;
    set_retry_after(&mut res, refused.retry_after);
    Ok(res)
}

/// A form page: 200, or with a refusal's status and `Retry-After` when it shows one.
pub fn render_form(
    refused: Option<&Refused>,
    page: &impl Template,
) -> Result<HttpResponse, AppError> {
    match refused {
        Some(refused) => render_refused(refused, page),
        None => render(StatusCode::OK, page),
    }
}

/// A form that is only its CSRF token (a button).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}

/// A one-time code typed into a form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    pub csrf: String,
    pub code: String,
}

/// A phone number typed into a form.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct PhoneForm {
    pub csrf: String,
    pub phone: String,
}

/// The hint under a phone field: with an example, and whether the country code may be left
/// out (`PHONE_DEFAULT_REGION`).
pub fn phone_hint(ctx: &PageCtx, state: &AppState) -> String {
    let example = [("example", state.phone_example.clone().into())];
    match state.phone_policy.default_region {
        Some(_) => ctx.tr.args("login-phone-hint-national", &example),
        None => ctx.tr.args("login-phone-hint", &example),
    }
}

/// Refuses a form whose CSRF token is not this session's.
pub fn require_csrf(req: &HttpRequest, state: &AppState, submitted: &str) -> Result<(), AppError> {
    if TypedSession::from_request(req).check_csrf(&state.csrf_key, submitted) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}
