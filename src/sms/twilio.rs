//! `SMS_BACKEND=twilio`: Twilio's Messages API (the API many providers copy).
//! `POST {TWILIO_BASE_URL}/2010-04-01/Accounts/{TWILIO_ACCOUNT_SID}/Messages.json`, form-encoded
//! `To`, `Body`, and `From` (a number) or `MessagingServiceSid`, with HTTP basic auth by the
//! account SID and auth token; `StatusCallback` when a callback URL is configured. A `201`
//! answer carries the message's `sid`. Twilio takes no idempotency key on this call, so a try
//! whose answer was lost may be sent twice.

use std::time::Duration;

use serde::Deserialize;

use super::{Accepted, Outgoing, SendFuture, SmsSender};

/// Twilio's API.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// Where the message comes from.
#[derive(Debug, Clone)]
pub enum TwilioFrom {
    /// A Twilio number or alphanumeric sender id (`TWILIO_FROM`).
    Number(String),
    /// A messaging service (`TWILIO_MESSAGING_SERVICE_SID`), which picks the number.
    Service(String),
}

pub struct TwilioSender {
    client: reqwest::Client,
    url: String,
    account_sid: String,
    auth_token: String,
    from: TwilioFrom,
    status_callback: Option<String>,
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

impl TwilioSender {
    pub fn new(
        base_url: &str,
        account_sid: String,
        auth_token: String,
        from: TwilioFrom,
        status_callback: Option<String>,
        timeout: Duration,
    ) -> Self {
        Self {
            client: super::client(timeout),
            url: format!(
                "{}/2010-04-01/Accounts/{account_sid}/Messages.json",
                base_url.trim_end_matches('/')
            ),
            account_sid,
            auth_token,
            from,
            status_callback,
        }
    }
}

impl SmsSender for TwilioSender {
    fn name(&self) -> &str {
        "twilio"
    }

    fn send<'a>(&'a self, message: Outgoing<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let mut form = vec![("To", message.to), ("Body", message.text)];
            match &self.from {
                TwilioFrom::Number(n) => form.push(("From", n)),
                TwilioFrom::Service(s) => form.push(("MessagingServiceSid", s)),
            }
            if let Some(callback) = &self.status_callback {
                form.push(("StatusCallback", callback));
            }
            let response = self
                .client
                .post(&self.url)
                .basic_auth(&self.account_sid, Some(&self.auth_token))
                .form(&form)
                .send()
                .await
                .map_err(super::transport_error)?;
            let status = response.status();
            if status.is_success() {
                // taken; without a sid only its delivery report is lost
                let created = response.json::<Created>().await.ok();
                return Ok(Accepted {
                    provider_message_id: created.map(|c| c.sid),
                });
            }
            Err(super::status_error(status))
        })
    }
}
