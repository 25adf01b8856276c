//! The `ClientInfo` extractor: who is asking, for limits, the audit log and the session list.

use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};

use crate::{domain::client::ClientInfo, state::AppState};

/// The client of a request: the socket peer, or, behind trusted reverse proxies, the
/// `X-Forwarded-For` entry they wrote (see `AddressRules::client`).
pub fn client_info(req: &HttpRequest) -> ClientInfo {
    let rules = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.address_rules)
        .unwrap_or_default();
    let forwarded: Vec<&str> = if rules.proxy_hops > 0 {
        req.headers()
            .get_all("x-forwarded-for")
            .flat_map(|v| v.to_str().unwrap_or("").split(','))
            .collect()
    } else {
        Vec::new()
    };
    let user_agent = req
        .headers()
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    rules.client(req.peer_addr().map(|a| a.ip()), &forwarded, user_agent)
}

impl FromRequest for ClientInfo {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(client_info(req)))
    }
}
