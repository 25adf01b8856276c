//! HTTP handlers, one file per page or action, all registered in [`configure`].
//! Handlers are thin: parse input, call one domain function, pick a template.

mod admin;
pub mod assets;
mod code;
mod home;
mod lang;
mod login;
mod logout;
mod profile;

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use askama::Template;

use crate::{
    auth::ClientInfo,
    error::AppError,
    i18n::{self, LANG_COOKIE, Tr},
    session::TypedSession,
    startup::AppState,
};

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::get))
        .service(
            web::resource("/login")
                .route(web::get().to(login::get))
                .route(web::post().to(login::post)),
        )
        .service(
            web::resource("/login/code")
                .route(web::get().to(code::get))
                .route(web::post().to(code::post)),
        )
        .route("/login/resend", web::post().to(code::resend))
        .route("/logout", web::post().to(logout::post))
        .route("/profile", web::get().to(profile::get))
        .route("/profile/invite", web::post().to(profile::post_invite))
        .route("/lang", web::post().to(lang::post))
        .configure(admin::configure)
        .route("/static/{file}", web::get().to(assets::get))
        .route("/static/vendor/{file}", web::get().to(assets::vendor))
        .configure(crate::api::configure);
}

/// The 404 for every unknown path.
pub async fn not_found() -> Result<HttpResponse, AppError> {
    Err(AppError::NotFound)
}

/// A calendar day shown as `YYYY-MM-DD`, as `NaiveDate` shows it, but laid out once and written
/// in one piece without HTML escaping (digits and dashes only): a profile page shows a hundred.
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
pub fn render(
    status: actix_web::http::StatusCode,
    page: &impl Template,
) -> Result<HttpResponse, AppError> {
    let body = page.render()?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

/// Adds `Retry-After` to a refusal that has one.
pub fn with_retry_after(mut res: HttpResponse, retry_after: Option<i64>) -> HttpResponse {
    if let Some(value) =
        retry_after.and_then(|s| header::HeaderValue::from_str(&s.to_string()).ok())
    {
        res.headers_mut().insert(header::RETRY_AFTER, value);
    }
    res
}

pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}

/// The client for limits and the session list: the socket peer, or, behind a trusted reverse
/// proxy, the last address in `X-Forwarded-For` (the one the proxy itself appended).
pub fn client_info(req: &HttpRequest, trust_proxy_headers: bool) -> ClientInfo {
    let forwarded = trust_proxy_headers
        .then(|| {
            req.headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|part| part.trim().parse::<std::net::IpAddr>().ok())
                .last()
        })
        .flatten();
    let ip = forwarded
        .or_else(|| req.peer_addr().map(|a| a.ip()))
        .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    ClientInfo { ip, user_agent }
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
