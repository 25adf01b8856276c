//! `POST /logout`: ends the session in the database (so a copied cookie is dead too).

use actix_web::{HttpRequest, HttpResponse, web};

use super::{
    page::{CsrfForm, require_csrf},
    session::TypedSession,
};
use crate::{
    domain::account::Credential,
    http::{error::AppError, respond::see_other},
    state::AppState,
};

pub async fn post(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    form: web::Form<CsrfForm>,
) -> Result<HttpResponse, AppError> {
    require_csrf(&req, &state, &form.csrf)?;
    if let Some(token) = session.token() {
        state
            .app
            .credentials
            .end(Credential::WebSession, token)
            .await?;
    }
    session.clear();
    Ok(see_other("/login"))
}
