//! `GET /`: the profile for a signed-in person, the sign-in form for everyone else.

use actix_web::HttpResponse;

use super::session::TypedSession;
use crate::http::respond::see_other;

pub async fn get(session: TypedSession) -> HttpResponse {
    // /profile checks the session row and sends a stale cookie back to /login
    see_other(if session.token().is_some() {
        "/profile"
    } else {
        "/login"
    })
}
