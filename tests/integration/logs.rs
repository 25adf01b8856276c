//! A request's log lines carry its id, the one its answer carries; a client cannot choose it
//! unless a trusted proxy passes it on.

use std::sync::{Mutex, OnceLock};

use reqwest::StatusCode;

use crate::{
    database::{end_outage, start_outage},
    helpers::{Backend, TestApp},
};

/// What the process logged: target, message, the request id it was logged under, the fields.
type Line = (String, String, Option<String>, Vec<(String, String)>);

pub(crate) struct Capture(Mutex<Vec<Line>>);

impl Capture {
    /// Every message logged so far, with its target.
    pub(crate) fn messages(&self) -> Vec<(String, String)> {
        let lines = self.0.lock().unwrap();
        lines.iter().map(|l| (l.0.clone(), l.1.clone())).collect()
    }
}

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record) {
        struct Fields(Vec<(String, String)>);
        impl<'k> log::kv::VisitSource<'k> for Fields {
            fn visit_pair(
                &mut self,
                key: log::kv::Key<'k>,
                value: log::kv::Value<'k>,
            ) -> Result<(), log::kv::Error> {
                self.0.push((key.to_string(), value.to_string()));
                Ok(())
            }
        }
        let mut fields = Fields(Vec::new());
        let _ = record.key_values().visit(&mut fields);
        let id = user_auth::logging::current().map(|id| id.to_string());
        self.0.lock().unwrap().push((
            record.target().to_owned(),
            record.args().to_string(),
            id,
            fields.0,
        ));
    }

    fn flush(&self) {}
}

/// The process's log, captured (installed at first use; other tests' lines land here too).
pub(crate) fn captured() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(capture).expect("no other logger in the tests");
        log::set_max_level(log::LevelFilter::Info);
        capture
    })
}

fn lines_of(id: &str) -> Vec<Line> {
    captured()
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.2.as_deref() == Some(id))
        .cloned()
        .collect()
}

#[actix_web::test]
async fn a_request_s_log_lines_carry_the_id_of_its_answer() {
    let capture = captured();
    let Some(app) = TestApp::spawn(Backend::Sqlite).await else {
        return;
    };
    app.sign_in("+998901234567", "+998901234567").await;

    // the database goes away: the warning logged while serving names the request
    let outage = start_outage(&app);
    let res = app
        .client
        .get(app.url("/profile"))
        .header("x-request-id", "chosen-by-the-client")
        .send()
        .await
        .unwrap();
    end_outage(outage);
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert_ne!(id, "chosen-by-the-client", "no proxy is trusted here");
    assert_eq!(id.len(), 32);

    let lines = lines_of(&id);
    assert!(
        lines
            .iter()
            .any(|l| l.1.contains("database unavailable") && l.0.starts_with("user_auth::app")),
        "{lines:?}"
    );
    let access = lines
        .iter()
        .find(|l| l.0 == "user_auth::access")
        .unwrap_or_else(|| panic!("no access line: {lines:?}"));
    let field = |k: &str| access.3.iter().find(|f| f.0 == k).map(|f| f.1.as_str());
    assert_eq!(field("route"), Some("/profile"));
    assert_eq!(field("status"), Some("503"));
    assert_eq!(field("client"), Some("127.0.0.1"));

    // every request gets its own id
    let other = app.get("/login").await;
    let other_id = other.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(other_id, id);
    assert!(!capture.0.lock().unwrap().is_empty());
}
