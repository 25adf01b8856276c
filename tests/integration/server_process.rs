//! The real binary as a child process, for the tests that need more than one server or a tool
//! that speaks to one over the network: its JSON log lines kept, its port read from them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The `SECRET_KEY` every instance a test starts shares.
pub const SECRET: &str = "a shared secret key for both instances, at least sixty-four bytes long";

/// One `user-auth` process; killed when dropped.
pub struct Instance {
    pub child: Child,
    pub port: u16,
    /// Every JSON log line it has written.
    log: Arc<Mutex<Vec<Value>>>,
}

impl Instance {
    /// Starts the binary on `database_url` with `SECRET` and JSON logs, and `env` on top.
    pub fn spawn(database_url: &str, env: &[(&str, &str)]) -> Instance {
        let mut child = Command::new(env!("CARGO_BIN_EXE_user-auth"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", database_url)
            .env("SECRET_KEY", SECRET)
            .env("BIND", "127.0.0.1:0")
            .env("LOG_FORMAT", "json")
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .current_dir(std::env::temp_dir())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start user-auth");
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| serde_json::json!({ "message": line }));
                lines.lock().unwrap().push(value);
            }
        });
        Instance {
            child,
            port: 0,
            log,
        }
    }

    /// Waits (at most 60 s) for the "serving" line and takes the port from it.
    pub fn wait_serving(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            let port = self.lines().iter().find_map(|line| {
                let message = line["message"].as_str()?;
                let rest = message.split("serving http://127.0.0.1:").nth(1)?;
                rest.split(|c: char| !c.is_ascii_digit())
                    .next()?
                    .parse()
                    .ok()
            });
            if let Some(port) = port {
                self.port = port;
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the instance exited with {status}: {:?}", self.lines());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("the instance did not start: {:?}", self.lines());
    }

    pub fn lines(&self) -> Vec<Value> {
        self.log.lock().unwrap().clone()
    }

    /// The access lines it wrote for `route`.
    pub fn access(&self, route: &str) -> Vec<Value> {
        self.lines()
            .into_iter()
            .filter(|l| l["target"] == "user_auth::access" && l["route"] == route)
            .collect()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
