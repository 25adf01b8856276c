//! `SMS_BACKEND=http`: a JSON webhook that any gateway (or a small service of one's own) can
//! receive. Each try is one signed `POST`:
//!
//! ```text
//! POST $SMS_HTTP_URL
//! Content-Type: application/json
//! Idempotency-Key: 5c0f…            (the same on every try of one message)
//! X-Signature-Timestamp: 1764590400 (Unix seconds)
//! X-Signature: v1=<hex HMAC-SHA256(SMS_HTTP_SECRET, "{timestamp}.{body}")>
//!
//! {"to":"+998901234567","text":"Your user-auth code: 1234. …","idempotency_key":"5c0f…"}
//! ```
//!
//! A 2xx answer takes the message; its JSON `id`, when present, is the provider's id for the
//! delivery report. 408, 429 and 5xx (and no answer in time) are tried again; any other status
//! refuses the message for good.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::{Accepted, Outgoing, SendError, SendFuture, SmsSender};
use crate::domain::token::hex;

/// The header names of the signature, shared with the status callback's check.
pub const SIGNATURE_HEADER: &str = "x-signature";
pub const TIMESTAMP_HEADER: &str = "x-signature-timestamp";

/// `v1=` and the hex HMAC-SHA256 of `"{timestamp}.{body}"` under `secret`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("HMAC takes any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    format!("v1={}", hex(&bytes))
}

/// How far a signed request's timestamp may be from now (a replay after that is refused).
pub const SIGNATURE_TOLERANCE_SECONDS: i64 = 300;

/// Whether `signature` signs `body` at `timestamp` under `secret`, and the timestamp is within
/// [`SIGNATURE_TOLERANCE_SECONDS`] of `now` (Unix seconds). Compared in constant time.
pub fn verify(secret: &[u8], timestamp: &str, given: &str, body: &[u8], now: i64) -> bool {
    use subtle::ConstantTimeEq;
    let Ok(at) = timestamp.parse::<i64>() else {
        return false;
    };
    let expected = signature(secret, at, body);
    (at - now).abs() <= SIGNATURE_TOLERANCE_SECONDS
        && bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
}

#[derive(Serialize)]
struct Body<'a> {
    to: &'a str,
    text: &'a str,
    idempotency_key: &'a str,
}

#[derive(Deserialize, Default)]
struct Answer {
    id: Option<serde_json::Value>,
}

pub struct HttpSender {
    client: reqwest::Client,
    url: String,
    secret: Vec<u8>,
}

impl HttpSender {
    pub fn new(url: String, secret: Vec<u8>, timeout: Duration) -> Self {
        Self {
            client: super::client(timeout),
            url,
            secret,
        }
    }
}

impl SmsSender for HttpSender {
    fn name(&self) -> &str {
        "http"
    }

    fn send<'a>(&'a self, message: Outgoing<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let body = serde_json::to_vec(&Body {
                to: message.to,
                text: message.text,
                idempotency_key: message.idempotency_key,
            })
            .map_err(|e| SendError::Refused(e.to_string()))?;
            let timestamp = chrono::Utc::now().timestamp();
            let response = self
                .client
                .post(&self.url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .header("idempotency-key", message.idempotency_key)
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .header(SIGNATURE_HEADER, signature(&self.secret, timestamp, &body))
                .body(body)
                .send()
                .await
                .map_err(super::transport_error)?;
            let status = response.status();
            if status.is_success() {
                let answer: Answer = response.json().await.unwrap_or_default();
                return Ok(Accepted {
                    provider_message_id: answer.id.map(super::id_text),
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
    fn a_signature_holds_for_its_body_key_and_time_only() {
        let (key, body, at) = (
            b"k".repeat(32),
            br#"{"id":"1","status":"delivered"}"#,
            1_764_590_400,
        );
        let sig = signature(&key, at, body);
        assert!(sig.starts_with("v1=") && sig.len() == 3 + 64);
        assert!(verify(&key, &at.to_string(), &sig, body, at + 10));
        assert!(
            !verify(&key, &at.to_string(), &sig, b"{}", at),
            "another body"
        );
        assert!(
            !verify(&b"j".repeat(32), &at.to_string(), &sig, body, at),
            "another key"
        );
        assert!(
            !verify(&key, &(at + 1).to_string(), &sig, body, at),
            "another time"
        );
        assert!(
            !verify(&key, &at.to_string(), &sig, body, at + 301),
            "too old: a replay"
        );
        assert!(!verify(&key, "soon", &sig, body, at));
    }
}
