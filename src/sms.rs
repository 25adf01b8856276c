//! Sending the one-time code. Pluggable: the console sender writes the message to the log.

use std::{
    future::Future,
    pin::Pin,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, Ordering},
    },
};

/// Why a message was not sent.
#[derive(Debug, thiserror::Error)]
#[error("the message could not be sent: {0}")]
pub struct SmsError(pub String);

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SmsError>> + Send + 'a>>;

/// Delivers a text message to a phone number in E.164 form.
pub trait SmsSender: Send + Sync + 'static {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a>;
}

/// Development sender: one INFO line per message, with the number and the text (and so the code).
#[derive(Debug, Default, Clone, Copy)]
pub struct ConsoleSender;

impl SmsSender for ConsoleSender {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            log::info!(target: "user_auth::sms", "SMS to {to}: {text}");
            Ok(())
        })
    }
}

/// One message as the capturing sender saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    pub to: String,
    pub text: String,
}

/// Keeps every message in memory, and can be told to fail; for tests.
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

    /// While set, every send fails.
    pub fn set_failing(&self, failing: bool) {
        self.failing.store(failing, Ordering::SeqCst);
    }
}

impl SmsSender for CapturingSender {
    fn send<'a>(&'a self, to: &'a str, text: &'a str) -> SendFuture<'a> {
        Box::pin(async move {
            if self.failing.load(Ordering::SeqCst) {
                return Err(SmsError("the test sender is set to fail".into()));
            }
            self.messages
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(SentMessage {
                    to: to.to_owned(),
                    text: text.to_owned(),
                });
            Ok(())
        })
    }
}
