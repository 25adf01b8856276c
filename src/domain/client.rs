//! Who is asking, as far as limits, the audit log and the session list care.

/// The client of a request: its address (the socket peer, or the one a trusted proxy names) and
/// its user agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: Option<String>,
}
