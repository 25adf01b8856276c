//! The SQL floor of a write flow on PostgreSQL: the statements one request of the flow sends,
//! captured as the use case runs (diesel's instrumentation), replayed by `pgbench` with the same
//! concurrency and the same kind of data. What pgbench reaches is what the database itself
//! allows for that SQL; the report puts the app beside it.
//!
//! Replaying needs each request's own values where the captured request had its own: a bind
//! equal to one of the captured request's inputs (its number, address, network, block, account,
//! code, token) becomes a look-up of the same input of the replayed request in `bench_floor`
//! (a primary-key read inside the statement, no round trip); a lock key or counter key made of
//! an input (`net:…`) is made the same way; a long random value (a token's hash, a message's
//! idempotency key) becomes a fresh random one; everything else stays what it was. Every
//! statement stays the text the app sent, with these in place of its parameters.

use std::{cell::RefCell, fmt::Write as _, process::Command, time::Duration};

use diesel::{
    RunQueryDsl,
    connection::{Instrumentation, InstrumentationEvent},
};
use user_auth::db::DbPool;

thread_local! {
    /// The statements sent on this thread while a capture runs.
    static CAPTURED: RefCell<Option<Vec<String>>> = const { RefCell::new(None) };
}

/// Each connection's recorder: adds what it sends to this thread's capture, if one runs.
struct Recorder;

impl Instrumentation for Recorder {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            CAPTURED.with_borrow_mut(|c| {
                if let Some(c) = c {
                    c.push(query.to_string());
                }
            });
        }
    }
}

/// Records the statements of every connection opened from now on (call before the first pool).
pub fn install() {
    assert!(
        user_auth::db::liveness::observe_statements(|| Some(Box::new(Recorder))),
        "one observer per process"
    );
}

/// Runs `work` and answers what it sent on this thread.
pub fn capture<T>(work: impl FnOnce() -> T) -> (T, Vec<String>) {
    CAPTURED.set(Some(Vec::new()));
    let answer = work();
    (answer, CAPTURED.take().unwrap_or_default())
}

/// One request's own values (a `bench_floor` row).
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    pub phone: Option<String>,
    pub ip: Option<String>,
    pub net: Option<String>,
    pub prefix: Option<String>,
    pub user_id: Option<i64>,
    pub code_id: Option<i64>,
    pub token_hash: Option<String>,
    /// The invite code a new account is given.
    pub invite_code: Option<String>,
    /// The account the captured request made: the replayed request's is found by its number.
    pub new_user_id: Option<i64>,
}

impl Inputs {
    fn texts(&self) -> [(&'static str, Option<&str>); 6] {
        [
            ("invite_code", self.invite_code.as_deref()),
            ("phone", self.phone.as_deref()),
            ("ip", self.ip.as_deref()),
            ("net", self.net.as_deref()),
            ("prefix", self.prefix.as_deref()),
            ("token_hash", self.token_hash.as_deref()),
        ]
    }

    fn numbers(&self) -> [(&'static str, Option<i64>); 2] {
        [("user_id", self.user_id), ("code_id", self.code_id)]
    }
}

/// A bind value as diesel's debug output shows it.
#[derive(Debug, Clone, PartialEq)]
enum Value {
    Text(String),
    Int(i64),
    Bool(bool),
    Null,
    /// A timestamp (`2026-12-07T03:16:00.123`).
    Time(String),
    List(Vec<Value>),
}

/// Reads diesel's `-- binds: [...]` list.
fn parse_binds(s: &str) -> Option<Vec<Value>> {
    let mut p = Parser {
        s: s.as_bytes(),
        at: 0,
    };
    match p.value()? {
        Value::List(values) => Some(values),
        _ => None,
    }
}

struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_spaces(&mut self) {
        while self.s.get(self.at) == Some(&b' ') {
            self.at += 1;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.s[self.at..].starts_with(token.as_bytes()) {
            self.at += token.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self) -> Option<Value> {
        self.skip_spaces();
        if self.eat("[") {
            let mut items = Vec::new();
            loop {
                self.skip_spaces();
                if self.eat("]") {
                    return Some(Value::List(items));
                }
                items.push(self.value()?);
                self.skip_spaces();
                self.eat(",");
            }
        }
        if self.eat("Some(") {
            let v = self.value()?;
            self.skip_spaces();
            return self.eat(")").then_some(v);
        }
        if self.eat("None") {
            return Some(Value::Null);
        }
        if self.eat("true") {
            return Some(Value::Bool(true));
        }
        if self.eat("false") {
            return Some(Value::Bool(false));
        }
        if self.eat("\"") {
            let mut text = String::new();
            loop {
                match *self.s.get(self.at)? {
                    b'"' => {
                        self.at += 1;
                        return Some(Value::Text(text));
                    }
                    b'\\' => {
                        let c = *self.s.get(self.at + 1)?;
                        self.at += 2;
                        text.push(match c {
                            b'n' => '\n',
                            b't' => '\t',
                            b'r' => '\r',
                            b'0' => '\0',
                            other => other as char,
                        });
                    }
                    _ => {
                        // a whole UTF-8 character
                        let rest = std::str::from_utf8(&self.s[self.at..]).ok()?;
                        let c = rest.chars().next()?;
                        text.push(c);
                        self.at += c.len_utf8();
                    }
                }
            }
        }
        let start = self.at;
        while self
            .s
            .get(self.at)
            .is_some_and(|c| !matches!(c, b',' | b']' | b')'))
        {
            self.at += 1;
        }
        let token = std::str::from_utf8(&self.s[start..self.at]).ok()?.trim();
        if let Ok(n) = token.parse() {
            Some(Value::Int(n))
        } else if token.len() >= 19 && token.as_bytes()[10] == b'T' {
            Some(Value::Time(token.to_owned()))
        } else {
            None
        }
    }
}

/// A text as an SQL literal that pgbench leaves alone (it reads `:name` as a variable, even in
/// quotes, so a colon is spelt `chr(58)`).
fn literal(text: &str) -> String {
    let parts: Vec<String> = text
        .split(':')
        .map(|p| format!("'{}'", p.replace('\'', "''")))
        .collect();
    format!("({}::text)", parts.join(" || chr(58) || "))
}

/// The replayed request's `column`.
fn input(column: &str) -> String {
    format!("(SELECT {column} FROM bench_floor WHERE n = :n)")
}

/// What replaces a bind of the captured request, as SQL.
fn replay(value: &Value, captured: &Inputs) -> Result<String, String> {
    Ok(match value {
        Value::Null => "NULL".into(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Value::Int(n) if captured.new_user_id == Some(*n) => {
            format!("(SELECT id FROM users WHERE phone = {})", input("phone"))
        }
        Value::Int(n) => captured
            .numbers()
            .iter()
            .find(|(_, v)| *v == Some(*n))
            .map_or_else(|| n.to_string(), |(column, _)| input(column)),
        Value::Time(t) => {
            let t = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
                .map_err(|e| format!("{t}: {e}"))?;
            format!(
                "(TIMESTAMP 'epoch' + {} * INTERVAL '1 microsecond')",
                t.and_utc().timestamp_micros()
            )
        }
        Value::Text(text) => {
            let texts = captured.texts();
            if let Some((column, _)) = texts.iter().find(|(_, v)| *v == Some(text.as_str())) {
                input(column)
            } else if let Some((tag, column)) = texts.iter().find_map(|(column, v)| {
                let tag = text.strip_suffix(v.filter(|v| !v.is_empty())?)?;
                (!tag.is_empty() && !tag.bytes().any(|b| b.is_ascii_digit()))
                    .then_some((tag, column))
            }) {
                format!("({} || {})", literal(tag), input(column))
            } else if text.len() >= 32
                && text
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_".contains(&b))
            {
                // a value of its own for each request (a token's hash, an idempotency key)
                format!(
                    "substr(md5(random()::text) || md5(random()::text), 1, {})",
                    text.len()
                )
            } else {
                literal(text)
            }
        }
        // bytes (a message body; an emptied one is `[]`)
        Value::List(items) if items.iter().all(|v| matches!(v, Value::Int(0..=255))) => {
            let mut hex = String::from("'\\x");
            for v in items {
                if let Value::Int(b) = v {
                    let _ = write!(hex, "{b:02x}");
                }
            }
            format!("{hex}'::bytea")
        }
        Value::List(items) => {
            let parts = items
                .iter()
                .map(|v| replay(v, captured))
                .collect::<Result<Vec<_>, _>>()?;
            let ty = match items.first() {
                Some(Value::Text(_)) => "text",
                _ => "bigint",
            };
            format!("ARRAY[{}]::{ty}[]", parts.join(", "))
        }
    })
}

/// The pgbench script of the statements `captured` (as diesel shows them), sent for a request
/// whose values were `inputs`: each request of a client takes the next `bench_floor` row.
pub fn script(captured: &[String], inputs: &Inputs) -> Result<String, String> {
    let mut out = String::from("\\set k :k + 1\n\\set n :client_id * 1000000 + :k\n");
    for statement in captured {
        let (sql, binds) = statement
            .split_once(" -- binds: ")
            .unwrap_or((statement.as_str(), "[]"));
        let binds = parse_binds(binds).ok_or_else(|| format!("binds of {sql}: {binds}"))?;
        let mut sql = sql.to_owned();
        // from the last, so `$1` never matches the start of `$12`
        for (i, value) in binds.iter().enumerate().rev() {
            sql = sql.replace(&format!("${}", i + 1), &replay(value, inputs)?);
        }
        out.push_str(&sql.replace('\n', " "));
        out.push_str(";\n");
    }
    Ok(out)
}

/// Fills `bench_floor` with the requests pgbench replays: client `c`'s k-th request (from 1)
/// takes `rows[c * per_client + k - 1]`.
pub fn load_inputs(pool: &DbPool, rows: &[Inputs], clients: usize) -> usize {
    let mut conn = pool.get().unwrap();
    diesel::sql_query("DROP TABLE IF EXISTS bench_floor")
        .execute(&mut conn)
        .unwrap();
    diesel::sql_query(
        "CREATE UNLOGGED TABLE bench_floor (n BIGINT PRIMARY KEY, phone TEXT, ip TEXT, net TEXT, \
         prefix TEXT, user_id BIGINT, code_id BIGINT, token_hash TEXT, invite_code TEXT)",
    )
    .execute(&mut conn)
    .unwrap();
    let per_client = rows.len() / clients.max(1);
    let text = |v: &Option<String>| {
        v.as_deref()
            .map_or("NULL".into(), |s| format!("'{}'", s.replace('\'', "''")))
    };
    let number = |v: &Option<i64>| v.map_or("NULL".into(), |n| n.to_string());
    for c in 0..clients {
        let chunk = &rows[c * per_client..(c + 1) * per_client];
        for (part, batch) in chunk.chunks(1000).enumerate() {
            let mut sql = String::from("INSERT INTO bench_floor VALUES ");
            for (j, r) in batch.iter().enumerate() {
                let k = part * 1000 + j + 1;
                if j > 0 {
                    sql.push_str(", ");
                }
                let _ = write!(
                    sql,
                    "({}, {}, {}, {}, {}, {}, {}, {}, {})",
                    c * 1_000_000 + k,
                    text(&r.phone),
                    text(&r.ip),
                    text(&r.net),
                    text(&r.prefix),
                    number(&r.user_id),
                    number(&r.code_id),
                    text(&r.token_hash),
                    text(&r.invite_code),
                );
            }
            diesel::sql_query(sql).execute(&mut conn).unwrap();
        }
    }
    diesel::sql_query("ANALYZE").execute(&mut conn).unwrap();
    per_client
}

/// What pgbench measured.
#[derive(Debug, Clone, Default)]
pub struct PgBench {
    pub tps: f64,
    pub latency_ms: f64,
    pub transactions: u64,
    pub failed: u64,
    /// Each statement's average latency (ms) and text, as `pgbench -r` reports them.
    pub statements: Vec<(f64, String)>,
}

/// Runs `script` with pgbench against `url`: `clients` connections for `duration`.
pub fn run(url: &str, script: &str, clients: usize, duration: Duration) -> Result<PgBench, String> {
    let path = std::env::temp_dir().join(format!("user-auth-floor-{}.sql", std::process::id()));
    std::fs::write(&path, script).map_err(|e| e.to_string())?;
    let output = Command::new("pgbench")
        .args(["-n", "-M", "prepared", "-r", "-D", "k=0"])
        .args(["-c", &clients.to_string(), "-j", "2"])
        .args(["-T", &duration.as_secs().max(1).to_string()])
        .arg("-f")
        .arg(&path)
        .arg(url)
        .output()
        .map_err(|e| format!("pgbench: {e}"))?;
    let _ = std::fs::remove_file(&path);
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let errors = String::from_utf8_lossy(&output.stderr).into_owned();
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(label))
            .and_then(|rest| {
                rest.split_whitespace()
                    .next()?
                    .split('/')
                    .next()?
                    .parse::<f64>()
                    .ok()
            })
    };
    let Some(tps) = field("tps = ") else {
        return Err(format!("pgbench: {errors}{text}"));
    };
    let statements = text
        .lines()
        .skip_while(|l| !l.contains("statement latencies"))
        .skip(1)
        .filter_map(|l| {
            let l = l.trim_start();
            let (ms, rest) = l.split_once(' ')?;
            let ms = ms.parse().ok()?;
            // `latency failures statement` columns
            let rest = rest.trim_start();
            let sql = rest.split_once(' ').map_or(rest, |(_, s)| s).trim_start();
            Some((ms, sql.to_owned()))
        })
        .collect();
    Ok(PgBench {
        tps,
        latency_ms: field("latency average = ").unwrap_or(0.0),
        transactions: field("number of transactions actually processed: ").unwrap_or(0.0) as u64,
        failed: field("number of failed transactions: ").unwrap_or(0.0) as u64,
        statements,
    })
}

/// The whole floor of one flow: capture a request, load the replayed requests' values, run.
pub fn measure(
    pool: &DbPool,
    url: &str,
    clients: usize,
    duration: Duration,
    captured: &[String],
    captured_inputs: &Inputs,
    rows: &[Inputs],
) -> Result<PgBench, String> {
    let script = script(captured, captured_inputs)?;
    load_inputs(pool, rows, clients);
    let mut result = run(url, &script, clients, duration)?;
    if result.statements.is_empty() {
        result.statements = script.lines().map(|l| (0.0, l.to_owned())).collect();
    }
    Ok(result)
}
