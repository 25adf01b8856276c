//! Sending text messages. A sender is one provider: the delivery worker (`app::delivery`) hands
//! it one message at a time and learns whether the provider took it, and if not, whether trying
//! again may help. `console` writes the message to the log, for development; `http`, `twilio`
//! and `eskiz` are real providers over HTTPS.

pub mod eskiz;
pub mod http;
pub mod twilio;

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

/// One message to send.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// E.164.
    pub to: &'a str,
    pub text: &'a str,
    /// The same for every try of one message, so a provider that honours it sends it once.
    pub idempotency_key: &'a str,
}

/// The provider took the message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    /// The provider's id of the message, for its delivery reports.
    pub provider_message_id: Option<String>,
}

/// Why a provider did not take a message. The text never holds the message, a code or a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// It may work later: no answer, a timeout, a 5xx, a 429.
    #[error("{0}")]
    Transient(String),
    /// It will not work: the provider refused this message (a 4xx: a bad number, say).
    #[error("{0}")]
    Refused(String),
}

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<Accepted, SendError>> + Send + 'a>>;

/// One provider.
pub trait SmsSender: Send + Sync + 'static {
    /// Its name, as recorded with each message (`console`, `http`, `twilio`, ...).
    fn name(&self) -> &str;
    fn send<'a>(&'a self, message: Outgoing<'a>) -> SendFuture<'a>;
}

/// How long one try may take, connection included, before it counts as failed.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Development sender: one INFO line per message, with the number and the text (and so the code).
#[derive(Debug, Default, Clone, Copy)]
pub struct ConsoleSender;

impl SmsSender for ConsoleSender {
    fn name(&self) -> &str {
        "console"
    }

    fn send<'a>(&'a self, message: Outgoing<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            log::info!(target: "user_auth::sms", "SMS to {}: {}", message.to, message.text);
            Ok(Accepted::default())
        })
    }
}

/// One message as the capturing sender saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub to: String,
    pub text: String,
}

/// Keeps every message in memory, and can be told to fail; for tests that are not about
/// delivery (those run the `http` provider against a fake provider).
#[derive(Debug, Default, Clone)]
pub struct CapturingSender {
    messages: Arc<Mutex<Vec<SentMessage>>>,
    failing: Arc<AtomicBool>,
}

impl CapturingSender {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn messages(&self) -> Vec<SentMessage> {
        self.messages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Messages sent to one number, oldest first.
    pub fn messages_to(&self, to: &str) -> Vec<SentMessage> {
        self.messages().into_iter().filter(|m| m.to == to).collect()
    }

    /// While set, every send fails (and may be tried again).
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

impl SmsSender for CapturingSender {
    fn name(&self) -> &str {
        "capture"
    }

    fn send<'a>(&'a self, message: Outgoing<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            if self.failing.load(Ordering::SeqCst) {
                return Err(SendError::Transient(
                    "the test sender is set to fail".into(),
                ));
            }
            self.messages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(SentMessage {
                    to: message.to.to_owned(),
                    text: message.text.to_owned(),
                });
            Ok(Accepted::default())
        })
    }
}

/// The HTTPS client every provider uses: rustls (with ring), a whole-request timeout, and no
/// redirects (a provider's API answers where it is asked).
pub fn client(timeout: Duration) -> reqwest::Client {
    install_tls();
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("user-auth/", env!("CARGO_PKG_VERSION")))
        .build()
        .expect("the HTTPS client builds")
}

/// Makes ring the process's TLS crypto provider: reqwest is built without one of its own (so
/// no C crypto library is built). Any HTTPS client in the process needs it first.
pub fn install_tls() {
    // `Err` means a provider is installed already
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A provider's message id as text, whether its JSON gave a string or a number.
pub(crate) fn id_text(id: serde_json::Value) -> String {
    match id {
        serde_json::Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A try that got no answer: always worth another. The URL is left out of the text.
pub(crate) fn transport_error(e: reqwest::Error) -> SendError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "no answer"
    };
    SendError::Transient(format!("{kind}: {}", e.without_url()))
}

/// A provider's non-success status: 408, 429 and 5xx may pass, the rest will not.
pub(crate) fn status_error(status: reqwest::StatusCode) -> SendError {
    let text = format!("the provider answered {status}");
    if status.is_server_error()
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || status == reqwest::StatusCode::REQUEST_TIMEOUT
    {
        SendError::Transient(text)
    } else {
        SendError::Refused(text)
    }
}
