//! `POST /lang`: the language switcher; remembers the choice in a cookie for a year.

use actix_web::{HttpRequest, HttpResponse, cookie::Cookie, web};
use serde::Deserialize;

use super::page::require_csrf;
use crate::{
    domain::paths::local_path,
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
