//! Text messages on their way out: their states, the wait before another try, and the sealed
//! body (the text holds the code, so the database keeps it encrypted).

use aes_gcm::{
    Aes256Gcm, KeyInit, Nonce,
    aead::{Aead, Payload},
};
use chrono::TimeDelta;

/// How a message goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// A text to a number.
    Sms,
    /// Mail to an address.
    Email,
}

impl Channel {
    /// As stored (the table's CHECK lists the same words).
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// A mail's subject and text as one body, to be sealed like a text's: the subject line first.
pub fn mail_body(subject: &str, text: &str) -> String {
    format!("{}\n{text}", subject.replace(['\r', '\n'], " "))
}

/// The subject and text of a body made by [`mail_body`].
pub fn split_mail(body: &str) -> (&str, &str) {
    body.split_once('\n').unwrap_or((body, ""))
}

/// Where a message is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Waiting for its first or next try.
    Pending,
    /// Claimed by a worker that is trying a provider now.
    Sending,
    /// A provider accepted it.
    Sent,
    /// The provider reported it delivered to the phone.
    Delivered,
    /// A provider refused it for good, or reported it undelivered.
    Failed,
    /// Its code could no longer be used (expired, or retired by a newer one) before it went
    /// out: it is never sent.
    Expired,
}

impl MessageState {
    pub const ALL: [MessageState; 6] = [
        MessageState::Pending,
        MessageState::Sending,
        MessageState::Sent,
        MessageState::Delivered,
        MessageState::Failed,
        MessageState::Expired,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MessageState::Pending => "pending",
            MessageState::Sending => "sending",
            MessageState::Sent => "sent",
            MessageState::Delivered => "delivered",
            MessageState::Failed => "failed",
            MessageState::Expired => "expired",
        }
    }

    /// The states a worker still acts on.
    pub const OPEN: [MessageState; 2] = [MessageState::Pending, MessageState::Sending];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// No worker will touch it again.
    pub fn is_final(self) -> bool {
        !Self::OPEN.contains(&self)
    }
}

/// Whether staff may send a message again: it failed, its code has not expired, its body is
/// kept, and it is the newest message to its number (a newer code retired its code).
pub fn can_retry(
    state: &str,
    expires_at: chrono::NaiveDateTime,
    has_body: bool,
    newest: bool,
    now: chrono::NaiveDateTime,
) -> bool {
    state == MessageState::Failed.as_str() && expires_at > now && has_body && newest
}

/// The first wait after a failed try; each later one doubles, up to [`MAX_BACKOFF`].
pub const FIRST_BACKOFF: TimeDelta = TimeDelta::seconds(2);
pub const MAX_BACKOFF: TimeDelta = TimeDelta::seconds(60);

/// The wait after the `attempts`-th failed try: exponential, capped, with "equal jitter" (a
/// random half on top of a fixed half, `jitter` in `[0, 1)`), so retries after an outage do not
/// all arrive at once and never come sooner than half the nominal wait.
pub fn backoff(attempts: i32, jitter: f64) -> TimeDelta {
    let doublings = attempts.clamp(1, 16) - 1;
    let nominal = (FIRST_BACKOFF * 2i32.pow(doublings as u32)).min(MAX_BACKOFF);
    let half = nominal.num_milliseconds() / 2;
    TimeDelta::milliseconds(half + (half as f64 * jitter.clamp(0.0, 1.0)) as i64)
}

/// Why a sealed body could not be opened.
#[derive(Debug, thiserror::Error)]
#[error("the message body could not be opened")]
pub struct SealError;

const NONCE_LEN: usize = 12;

/// Encrypts `text` with AES-256-GCM under `key`, a fresh random nonce in front; the number is
/// bound in as associated data, so a body copied to another number's row does not open.
pub fn seal(key: &[u8; 32], phone: &str, text: &str) -> Vec<u8> {
    let cipher = Aes256Gcm::new(key.into());
    let mut nonce = [0u8; NONCE_LEN];
    rand::fill(&mut nonce);
    let sealed = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: text.as_bytes(),
                aad: phone.as_bytes(),
            },
        )
        .expect("AES-GCM encrypts any message of a text's size");
    [nonce.as_slice(), &sealed].concat()
}

/// The text sealed by [`seal`] for `phone`.
pub fn open(key: &[u8; 32], phone: &str, body: &[u8]) -> Result<String, SealError> {
    if body.len() < NONCE_LEN {
        return Err(SealError);
    }
    let (nonce, sealed) = body.split_at(NONCE_LEN);
    let cipher = Aes256Gcm::new(key.into());
    let text = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: sealed,
                aad: phone.as_bytes(),
            },
        )
        .map_err(|_| SealError)?;
    String::from_utf8(text).map_err(|_| SealError)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_body_opens_only_with_its_key_and_number() {
        let key = [7u8; 32];
        let body = seal(&key, "+998901234567", "Your code: 1234");
        assert!(
            !body.windows(4).any(|w| w == b"1234"),
            "no code in the clear"
        );
        assert_eq!(
            open(&key, "+998901234567", &body).unwrap(),
            "Your code: 1234"
        );
        assert!(open(&[8u8; 32], "+998901234567", &body).is_err());
        assert!(open(&key, "+998901234568", &body).is_err());
        assert!(open(&key, "+998901234567", &body[..5]).is_err());
        assert_ne!(
            body,
            seal(&key, "+998901234567", "Your code: 1234"),
            "fresh nonce"
        );
    }

    #[test]
    fn waits_double_up_to_a_minute_and_never_drop_below_half() {
        let ms = |a, j| backoff(a, j).num_milliseconds();
        assert_eq!((ms(1, 0.0), ms(1, 0.999_999)), (1000, 1999));
        assert_eq!((ms(2, 0.0), ms(3, 0.0), ms(4, 0.0)), (2000, 4000, 8000));
        assert_eq!(
            (ms(6, 0.0), ms(7, 0.0), ms(40, 0.0)),
            (30_000, 30_000, 30_000)
        );
        assert!(ms(40, 1.0) <= MAX_BACKOFF.num_milliseconds());
    }

    #[test]
    fn states_round_trip_and_two_are_open() {
        for s in MessageState::ALL {
            assert_eq!(MessageState::parse(s.as_str()), Some(s));
        }
        let open: Vec<_> = MessageState::ALL
            .into_iter()
            .filter(|s| !s.is_final())
            .collect();
        assert_eq!(open, [MessageState::Pending, MessageState::Sending]);
    }
}
