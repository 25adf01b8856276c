//! `POST /lang`: the language switcher; remembers the choice in a cookie for a year.

use actix_web::{HttpRequest, HttpResponse, cookie::Cookie, web};
use serde::Deserialize;

use super::page::require_csrf;
use crate::{
    http::{error::AppError, respond::see_other},
    i18n,
    state::AppState,
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LangForm {
    csrf: String,
    lang: String,
    next: String,
}

/// Only plain paths on this site are followed: a `/`, then visible ASCII only (no control,
/// space, non-ASCII or backslash, which browsers may read differently or a header cannot carry),
/// and no `/` or `\` right after the first (which browsers read as another host). Anything else,
/// a scheme or `//host` included, is `/`.
fn local_path(next: &str) -> &str {
    let b = next.as_bytes();
    let ok = b.first() == Some(&b'/')
        && b.get(1) != Some(&b'/')
        && b.iter().all(|c| (0x21..=0x7e).contains(c) && *c != b'\\');
    if ok { next } else { "/" }
}

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<LangForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    let lang = i18n::supported(&form.lang).ok_or(AppError::BadRequest)?;
    let cookie = Cookie::build(i18n::LANG_COOKIE, lang)
        .path("/")
        .max_age(actix_web::cookie::time::Duration::days(365))
        .same_site(actix_web::cookie::SameSite::Lax)
        .http_only(true)
        .secure(state.cookie_secure)
        .finish();
    let mut res = see_other(local_path(&form.next));
    res.add_cookie(&cookie)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/profile"), "/profile");
        assert_eq!(local_path("//evil.example"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path(""), "/");
        assert_eq!(
            local_path("/profile?older=1.2#invitees"),
            "/profile?older=1.2#invitees"
        );
        for bad in [
            "/\n/x",
            "/\t/evil.example",
            "/\r\nSet-Cookie: a=b",
            " //evil.example",
            "\t//evil.example",
            "/ /x",
            "/\u{7f}",
            "/профиль",
            "/a\\b",
            "javascript:alert(1)",
            "https:/evil.example",
            "//",
            "/\\",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}
