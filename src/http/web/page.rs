//! What every page shares: the layout's context (`PageCtx`), the request's language, rendering
//! with the right status and headers, the CSRF check of forms, and days shown in lists.

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

/// A calendar day shown as `YYYY-MM-DD`, as `NaiveDate` shows it, but laid out once and written
/// in one piece without HTML escaping (digits and dashes only), since a page of invitees shows
/// one per row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Day {
    date: chrono::NaiveDate,
    /// The text, when the year has four digits.
    text: Option<[u8; 10]>,
}

impl Day {
    pub fn new(date: chrono::NaiveDate) -> Self {
        use chrono::Datelike;
        let text = u32::try_from(date.year())
            .ok()
            .filter(|year| *year <= 9999)
            .map(|year| {
                let mut text = *b"0000-00-00";
                for (at, two) in [
                    (0, year / 100),
                    (2, year % 100),
                    (5, date.month()),
                    (8, date.day()),
                ] {
                    text[at] = b'0' + (two / 10) as u8;
                    text[at + 1] = b'0' + (two % 10) as u8;
                }
                text
            });
        Self { date, text }
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.text.as_ref().map(|t| std::str::from_utf8(t)) {
            Some(Ok(text)) => f.write_str(text),
            // chrono's own form for years of other lengths (`+12345-01-01`)
            _ => self.date.fmt(f),
        }
    }
}

impl askama::filters::HtmlSafe for Day {}

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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::Day;

    #[test]
    fn a_day_is_shown_as_chrono_shows_it() {
        let mut days = vec![
            NaiveDate::MIN,
            NaiveDate::MAX,
            NaiveDate::from_ymd_opt(-1, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(5, 6, 7).unwrap(),
            NaiveDate::from_ymd_opt(999, 10, 9).unwrap(),
            NaiveDate::from_ymd_opt(9999, 12, 31).unwrap(),
            NaiveDate::from_ymd_opt(10000, 1, 1).unwrap(),
        ];
        // every day of two years around now
        let start = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        days.extend(start.iter_days().take(731));
        for day in days {
            assert_eq!(Day::new(day).to_string(), day.to_string());
        }
        assert_eq!(
            Day::new(NaiveDate::from_ymd_opt(2026, 3, 4).unwrap()).to_string(),
            "2026-03-04"
        );
    }
}
