//! `SMS_BACKEND=eskiz`: Eskiz (eskiz.uz), a provider of the product's first market, Uzbekistan.
//! Its API (`ESKIZ_BASE_URL`, default `https://notify.eskiz.uz/api`):
//! - `POST /auth/login` with form `email`, `password` answers `{"data": {"token": "…"}}`, a
//!   bearer token for about a month; a `401` on sending means it ran out, so the sender logs in
//!   again once and retries;
//! - `POST /message/sms/send` with form `mobile_phone` (the number without `+`), `message`,
//!   `from` (`ESKIZ_FROM`, the sender name Eskiz approved; `4546` for tests) and `callback_url`,
//!   answers `{"id": "…", "status": "waiting"}`.
//!
//! Eskiz sends only texts that match a template it has approved: have the texts of
//! `locales/*/main.ftl` (`sms-text`) approved first. Eskiz signs no delivery report, so the
//! callback URL carries a secret derived from `SECRET_KEY`, and a report without it is refused.

use std::time::Duration;

use serde::Deserialize;
use tokio::sync::Mutex;

use super::{Accepted, Outgoing, SendError, SendFuture, SmsSender};

pub const DEFAULT_BASE_URL: &str = "https://notify.eskiz.uz/api";

pub struct EskizSender {
    client: reqwest::Client,
    base: String,
    email: String,
    password: String,
    from: String,
    callback_url: Option<String>,
    /// The bearer token, once logged in.
    token: Mutex<Option<String>>,
}

#[derive(Deserialize)]
struct Login {
    data: LoginData,
}

#[derive(Deserialize)]
struct LoginData {
    token: String,
}

#[derive(Deserialize)]
struct Sent {
    id: Option<serde_json::Value>,
}

impl EskizSender {
    pub fn new(
        base: &str,
        email: String,
        password: String,
        from: String,
        callback_url: Option<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            client: super::client(timeout),
            base: base.trim_end_matches('/').to_owned(),
            email,
            password,
            from,
            callback_url,
            token: Mutex::new(None),
        }
    }

    async fn login(&self) -> Result<String, SendError> {
        let response = self
            .client
            .post(format!("{}/auth/login", self.base))
            .form(&[("email", &self.email), ("password", &self.password)])
            .send()
            .await
            .map_err(super::transport_error)?;
        let status = response.status();
        if !status.is_success() {
            // wrong credentials are a setting to fix, not the message's fault: try again later
            return Err(SendError::Transient(format!(
                "Eskiz refused the login ({status})"
            )));
        }
        let login: Login = response
            .json()
            .await
            .map_err(|_| SendError::Transient("Eskiz's login answer had no token".into()))?;
        Ok(login.data.token)
    }

    /// The token to send with: the one held, unless it is `stale` (it was just refused), in
    /// which case one login replaces it for every try waiting on it.
    async fn token(&self, stale: Option<&str>) -> Result<String, SendError> {
        let mut held = self.token.lock().await;
        match held.as_deref() {
            Some(token) if Some(token) != stale => Ok(token.to_owned()),
            _ => Ok(held.insert(self.login().await?).clone()),
        }
    }

    async fn try_send(
        &self,
        token: &str,
        message: Outgoing<'_>,
    ) -> Result<reqwest::Response, SendError> {
        let mut form = vec![
            ("mobile_phone", message.to.trim_start_matches('+')),
            ("message", message.text),
            ("from", self.from.as_str()),
        ];
        if let Some(url) = &self.callback_url {
            form.push(("callback_url", url));
        }
        self.client
            .post(format!("{}/message/sms/send", self.base))
            .bearer_auth(token)
            .form(&form)
            .send()
            .await
            .map_err(super::transport_error)
    }
}

impl SmsSender for EskizSender {
    fn name(&self) -> &str {
        "eskiz"
    }

    fn send<'a>(&'a self, message: Outgoing<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let current = self.token(None).await?;
            let mut response = self.try_send(&current, message).await?;
            if response.status() == reqwest::StatusCode::UNAUTHORIZED {
                // the token ran out: log in again, once
                let fresh = self.token(Some(&current)).await?;
                response = self.try_send(&fresh, message).await?;
            }
            let status = response.status();
            if status.is_success() {
                let sent = response.json::<Sent>().await.ok();
                return Ok(Accepted {
                    provider_message_id: sent.and_then(|s| s.id).map(super::id_text),
                });
            }
            Err(super::status_error(status))
        })
    }
}
