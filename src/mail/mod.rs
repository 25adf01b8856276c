//! Sending mail, as the SMS senders send texts: the delivery worker hands a sender one message
//! at a time and learns whether the server took it, and if not, whether trying again may help.
//! `console` writes the message to the log, for development; `smtp` speaks SMTP (the `lettre`
//! crate) with STARTTLS or TLS, or in the clear to a relay on this machine.

use std::time::Duration;

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
    transport::smtp::authentication::Credentials,
};

use crate::sms::{Accepted, SendError, SendFuture};

/// One message to send.
#[derive(Debug, Clone, Copy)]
pub struct OutgoingMail<'a> {
    pub to: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    /// The same for every try of one message: it becomes the Message-ID, so a receiver that
    /// got an earlier try can tell.
    pub idempotency_key: &'a str,
}

/// One way of sending mail.
pub trait MailSender: Send + Sync + 'static {
    /// Its name, as recorded with each message (`console`, `smtp`).
    fn name(&self) -> &str;
    fn send<'a>(&'a self, mail: OutgoingMail<'a>) -> SendFuture<'a>;
}

/// Development sender: one INFO line per message, with the address, the subject and the text
/// (and so its link).
#[derive(Debug, Default, Clone, Copy)]
pub struct ConsoleMail;

impl MailSender for ConsoleMail {
    fn name(&self) -> &str {
        "console"
    }

    fn send<'a>(&'a self, mail: OutgoingMail<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            log::info!(target: "user_auth::mail", "mail to {}: {}\n{}", mail.to, mail.subject, mail.text);
            Ok(Accepted::default())
        })
    }
}

/// A sender that could not be set up: every try fails with the reason, and may succeed once
/// the server restarts with working settings.
pub struct UnavailableMail(pub String);

impl MailSender for UnavailableMail {
    fn name(&self) -> &str {
        "smtp"
    }

    fn send<'a>(&'a self, _: OutgoingMail<'a>) -> SendFuture<'a> {
        Box::pin(async move { Err(SendError::Transient(self.0.clone())) })
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// A plain connection upgraded with STARTTLS before anything is sent (port 587); a server
    /// that does not offer it gets nothing.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on this machine.
    None,
}

/// Where and how to reach the SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpServer {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// User name and password, when the server wants them.
    pub credentials: Option<(String, String)>,
    /// `From:`, e.g. `user-auth <noreply@example.com>`.
    pub from: Mailbox,
    pub timeout: Duration,
}

/// Mail over SMTP.
pub struct SmtpMail {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMail {
    pub fn new(server: SmtpServer) -> Result<Self, String> {
        crate::sms::install_tls();
        let builder = match server.security {
            SmtpSecurity::StartTls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&server.host)
                    .map_err(|e| e.to_string())?
            }
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&server.host)
                .map_err(|e| e.to_string())?,
            SmtpSecurity::None => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&server.host)
            }
        };
        let mut builder = builder.port(server.port).timeout(Some(server.timeout));
        if let Some((user, password)) = server.credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Self {
            transport: builder.build(),
            from: server.from,
        })
    }
}

impl MailSender for SmtpMail {
    fn name(&self) -> &str {
        "smtp"
    }

    fn send<'a>(&'a self, mail: OutgoingMail<'a>) -> SendFuture<'a> {
        Box::pin(async move {
            let to: Mailbox = mail
                .to
                .parse()
                .map_err(|_| SendError::Refused("not a valid address".into()))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(mail.subject)
                .message_id(Some(format!("<{}@user-auth>", mail.idempotency_key)))
                .header(ContentType::TEXT_PLAIN)
                .body(mail.text.to_owned())
                .map_err(|e| SendError::Refused(e.to_string()))?;
            match self.transport.send(message).await {
                Ok(response) => Ok(Accepted {
                    provider_message_id: response.message().next().map(str::to_owned),
                }),
                // a 5xx answer: this message will not go
                Err(e) if e.is_permanent() => Err(SendError::Refused(e.to_string())),
                Err(e) => Err(SendError::Transient(e.to_string())),
            }
        })
    }
}
