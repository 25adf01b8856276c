//! An SMTP receiver started by the test: it speaks enough SMTP for a real client (EHLO, MAIL,
//! RCPT, DATA, RSET, NOOP, QUIT), keeps what it receives, and can refuse messages on command,
//! as a mail server having trouble would (451, try again later) or refusing for good (550).

use std::{
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    sync::{Arc, Mutex},
    thread,
    time::Duration,
};

/// One message as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: String,
}

impl Received {
    /// A header's value (the first one of that name).
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let prefix = format!("{}:", name.to_ascii_lowercase());
        head.split("\r\n")
            .find(|l| l.to_ascii_lowercase().starts_with(&prefix))
            .map(|l| l[prefix.len()..].trim().to_owned())
    }

    /// The body, decoded from quoted-printable or base64 when it was sent so.
    pub fn text(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        match self
            .header("Content-Transfer-Encoding")
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("quoted-printable") => quoted_printable(body),
            Some("base64") => base64(body),
            _ => body.to_owned(),
        }
    }

    /// The verification link's path and query (`/email/verify?token=…`).
    pub fn link_path(&self) -> String {
        let text = self.text();
        let at = text
            .find("/email/verify?token=")
            .unwrap_or_else(|| panic!("no link in {text:?}"));
        text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace())
            .collect()
    }

    /// The token of the link.
    pub fn token(&self) -> String {
        self.link_path()
            .split("token=")
            .nth(1)
            .expect("a token")
            .to_owned()
    }
}

fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64(body: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in body.bytes() {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue;
        };
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Default)]
struct State {
    received: Vec<Received>,
    /// Answer the next this many messages with `refusal` instead of taking them.
    refuse_next: usize,
    refusal: &'static str,
    /// Every conversation seen (taken or not).
    conversations: usize,
}

#[derive(Clone)]
pub struct SmtpReceiver {
    pub port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpReceiver {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                thread::spawn(move || {
                    let _ = converse(stream, &state);
                });
            }
        });
        Self { port, state }
    }

    /// The settings that send mail here.
    pub fn settings(&self) -> user_auth::config::MailSettings {
        user_auth::config::MailSettings {
            backend: user_auth::config::MailBackend::Smtp {
                host: "127.0.0.1".into(),
                port: self.port,
                security: user_auth::config::SmtpTls::None,
                credentials: None,
            },
            from: "user-auth <noreply@example.com>".into(),
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    /// The messages to `to`, oldest first.
    pub fn received_by(&self, to: &str) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(|r| r.to.iter().any(|t| t == to))
            .collect()
    }

    /// Answers the next `n` messages "451 try again later".
    pub fn fail_next(&self, n: usize) {
        let mut state = self.state.lock().unwrap();
        state.refuse_next = n;
        state.refusal = "451 4.3.0 try again later";
    }

    /// Answers the next `n` messages "550 no such mailbox".
    pub fn refuse_next(&self, n: usize) {
        let mut state = self.state.lock().unwrap();
        state.refuse_next = n;
        state.refusal = "550 5.1.1 no such mailbox";
    }

    pub fn conversations(&self) -> usize {
        self.state.lock().unwrap().conversations
    }

    /// Waits (a bounded while, without blocking the server in this runtime) until `count`
    /// messages were taken.
    pub async fn wait_for(&self, count: usize) -> bool {
        for _ in 0..500 {
            if self.received().len() >= count {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }

    /// Waits (a bounded while) until `count` conversations happened.
    pub async fn wait_for_conversations(&self, count: usize) -> bool {
        for _ in 0..500 {
            if self.conversations() >= count {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        false
    }
}

fn converse(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut out = stream.try_clone()?;
    let mut lines = BufReader::new(stream);
    state.lock().unwrap().conversations += 1;
    write!(out, "220 receiver.test ESMTP\r\n")?;
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    // every conversation ends: at QUIT, at a closed connection, or after this many commands
    for _ in 0..1000 {
        line.clear();
        if lines.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write!(out, "250-receiver.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")?;
        } else if upper.starts_with("MAIL FROM:") {
            from = address(&command);
            to.clear();
            write!(out, "250 2.1.0 ok\r\n")?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(address(&command));
            write!(out, "250 2.1.5 ok\r\n")?;
        } else if upper == "DATA" {
            write!(out, "354 go ahead\r\n")?;
            let mut data = String::new();
            for _ in 0..100_000 {
                line.clear();
                if lines.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                // a line that starts with a dot was sent with one more
                match line.strip_prefix("..") {
                    Some(rest) => {
                        data.push('.');
                        data.push_str(rest);
                    }
                    None => data.push_str(&line),
                }
            }
            let mut state = state.lock().unwrap();
            if state.refuse_next > 0 {
                state.refuse_next -= 1;
                write!(out, "{}\r\n", state.refusal)?;
            } else {
                state.received.push(Received {
                    from: from.clone(),
                    to: to.clone(),
                    data,
                });
                let n = state.received.len();
                write!(out, "250 2.0.0 ok: queued as Q{n}\r\n")?;
            }
        } else if upper == "RSET" || upper == "NOOP" {
            write!(out, "250 2.0.0 ok\r\n")?;
        } else if upper == "QUIT" {
            write!(out, "221 2.0.0 bye\r\n")?;
            return Ok(());
        } else {
            write!(out, "502 5.5.2 not implemented\r\n")?;
        }
    }
    Ok(())
}

/// The address in `MAIL FROM:<a@b> SIZE=…` or `RCPT TO:<a@b>`.
fn address(command: &str) -> String {
    command
        .split('<')
        .nth(1)
        .and_then(|rest| rest.split('>').next())
        .unwrap_or("")
        .to_owned()
}
