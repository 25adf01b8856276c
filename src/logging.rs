//! The process's log: readable lines by default, one JSON object per line with
//! `LOG_FORMAT=json`. Every line written while a request is served carries that request's id,
//! on the request's own task and on the blocking thread that runs its database work.

use std::{cell::RefCell, fmt, io::Write, sync::Arc};

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LogFormat {
    /// `[time LEVEL target] message request_id=…`, for people.
    #[default]
    Text,
    /// One JSON object per line: `time`, `level`, `target`, `message`, `request_id` and the
    /// line's fields (an access line's `method`, `route`, `path`, `status`, `duration_ms`,
    /// `client`), for log collectors.
    Json,
}

impl LogFormat {
    /// `text` or `json`, in any case.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "text" => Some(Self::Text),
            "json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// A request's id: kept from a trusted proxy's `X-Request-Id` when it is one, made otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// The longest id kept from a proxy.
    pub const MAX_LEN: usize = 64;

    /// A new id: 128 random bits in hex.
    pub fn generate() -> Self {
        let bits: u128 = rand::random();
        Self(format!("{bits:032x}").into())
    }

    /// A proxy's id, if it is 1 to 64 letters, digits, `-`, `_` or `.` (a UUID, nginx's
    /// `$request_id`, …): anything else could forge or break a log line, and is replaced.
    pub fn parse(value: &str) -> Option<Self> {
        let fits = (1..=Self::MAX_LEN).contains(&value.len())
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
        fits.then(|| Self(value.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

tokio::task_local! {
    static REQUEST: RequestId;
}

thread_local! {
    static BLOCKING: RefCell<Option<RequestId>> = const { RefCell::new(None) };
}

/// The id of the request being served here, if any.
pub fn current() -> Option<RequestId> {
    REQUEST
        .try_with(RequestId::clone)
        .ok()
        .or_else(|| BLOCKING.with(|b| b.borrow().clone()))
}

/// Runs `f` (a request's service) with `id` as its request id.
pub async fn scope<F: Future>(id: RequestId, f: F) -> F::Output {
    REQUEST.scope(id, f).await
}

/// Runs `f` (synchronous: a line to log) with `id` as its request id.
pub fn sync_scope<T>(id: RequestId, f: impl FnOnce() -> T) -> T {
    REQUEST.sync_scope(id, f)
}

/// Runs `f` on this (blocking) thread with `id`, the request id of the task that sent the work.
pub fn within<T>(id: Option<RequestId>, f: impl FnOnce() -> T) -> T {
    struct Reset(Option<RequestId>);
    impl Drop for Reset {
        fn drop(&mut self) {
            BLOCKING.with(|b| *b.borrow_mut() = self.0.take());
        }
    }
    let _reset = Reset(BLOCKING.with(|b| b.replace(id)));
    f()
}

/// Installs the logger: `RUST_LOG` filters (default `info`), `format` writes.
pub fn init(format: LogFormat) {
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("info"))
        .format(move |buf, record| {
            let time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let id = current();
            match format {
                LogFormat::Text => {
                    write!(
                        buf,
                        "[{time} {:<5} {}] {}",
                        record.level(),
                        record.target(),
                        record.args()
                    )?;
                    if let Some(id) = id {
                        write!(buf, " request_id={id}")?;
                    }
                    writeln!(buf)
                }
                LogFormat::Json => {
                    let mut line = serde_json::Map::new();
                    line.insert("time".into(), time.into());
                    line.insert("level".into(), record.level().as_str().into());
                    line.insert("target".into(), record.target().into());
                    line.insert("message".into(), record.args().to_string().into());
                    if let Some(id) = id {
                        line.insert("request_id".into(), id.as_str().into());
                    }
                    let mut fields = Fields(&mut line);
                    let _ = record.key_values().visit(&mut fields);
                    writeln!(buf, "{}", serde_json::Value::Object(line))
                }
            }
        })
        .init();
}

/// A line's fields, as JSON: numbers stay numbers.
struct Fields<'a>(&'a mut serde_json::Map<String, serde_json::Value>);

impl<'kvs> log::kv::VisitSource<'kvs> for Fields<'_> {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        let json = if let Some(n) = value.to_u64() {
            n.into()
        } else if let Some(n) = value.to_i64() {
            n.into()
        } else if let Some(x) = value.to_f64() {
            serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, Into::into)
        } else {
            value.to_string().into()
        };
        self.0.insert(key.as_str().to_owned(), json);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_ids_are_kept_from_a_proxy() {
        for ok in ["abc", "0f8fad5b-d9cb-469f-a165-70867728950e", "a.b_c-1"] {
            assert_eq!(RequestId::parse(ok).unwrap().as_str(), ok);
        }
        let long = "a".repeat(RequestId::MAX_LEN + 1);
        for bad in ["", "a b", "a\"b", "a\nb", "ä", "a=b", long.as_str()] {
            assert!(RequestId::parse(bad).is_none(), "{bad:?}");
        }
        let made = RequestId::generate();
        assert_eq!(made.as_str().len(), 32);
        assert_eq!(RequestId::parse(made.as_str()), Some(made.clone()));
        assert_ne!(made, RequestId::generate());
    }

    #[test]
    fn a_blocking_thread_carries_the_id_it_was_given_and_then_none() {
        assert_eq!(current(), None);
        let id = RequestId::generate();
        within(Some(id.clone()), || assert_eq!(current(), Some(id.clone())));
        assert_eq!(current(), None);
        sync_scope(id.clone(), || assert_eq!(current(), Some(id.clone())));
    }
}
