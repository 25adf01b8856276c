//! The `ClientInfo` extractor: who is asking, for limits, the audit log and the session list.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};

use crate::{domain::client::ClientInfo, state::AppState};

/// The client of a request: the socket peer, or, behind a trusted reverse proxy, the last
/// address in `X-Forwarded-For` (the one the proxy itself appended).
pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let trust_proxy_headers = req
        .app_data::<web::Data<AppState>>()
        .is_some_and(|state| state.trust_proxy_headers);
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

impl FromRequest for ClientInfo {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(client_info(req)))
    }
}
