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

/// Twilio's `X-Twilio-Signature` for a `POST` to `url` with form `params`: base64 of
/// HMAC-SHA1(auth token, url followed by every parameter's name and value, sorted by name).
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    let mut mac = <Hmac<sha1::Sha1> as Mac>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC takes any key");
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// Whether `given` is Twilio's signature of this request, compared in constant time.
pub fn verify(auth_token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(
        signature(auth_token, url, params)
            .as_bytes()
            .ct_eq(given.as_bytes()),
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_twilio_s_documented_example() {
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .rev()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            signature("12345", url, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert!(verify(
            "12345",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!verify(
            "12346",
            url,
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
        assert!(!verify(
            "12345",
            "https://mycompany.com/other",
            &params,
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        ));
    }
}
