//! What a request sends to PostgreSQL: the round trips (each statement, plus the prepare of
//! one that no statement cache keeps) and the transactions of one request of each flow, in
//! service (a cached statement is prepared once per connection, and costs one trip after
//! that), counted on the server's own connections through diesel's instrumentation, against a
//! budget written here. Each flow runs once first, so every cacheable statement is known. The budgets are today's counts, so a
//! change that adds a round trip fails here and says so; lower them as the flows get cheaper.
//! `--nocapture` prints the statements of each counted request (the SQL a floor replays).

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex, Once,
        atomic::{AtomicUsize, Ordering},
    },
};

use diesel::connection::{Instrumentation, InstrumentationEvent};
use reqwest::{Method, StatusCode};

use crate::helpers::{Backend, TestApp, TestDb};

/// What the connections to one database were sent.
#[derive(Default)]
struct Counts {
    statements: AtomicUsize,
    transactions: AtomicUsize,
    /// The text of each statement, in order.
    log: Mutex<Vec<String>>,
    /// The SQL of every statement ever prepared into a cache.
    cacheable: Mutex<HashSet<String>>,
}

/// The databases being counted, by URL.
static COUNTED: Mutex<Vec<(String, Arc<Counts>)>> = Mutex::new(Vec::new());

/// One connection's instrumentation: counts for its database, if that is one being counted,
/// what requests send (the delivery worker runs on its own time and is left out).
#[derive(Default)]
struct Counter(Option<Arc<Counts>>);

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartEstablishConnection { url, .. } = event {
            self.0 = COUNTED
                .lock()
                .unwrap()
                .iter()
                .find(|(counted, _)| counted == url)
                .map(|(_, counts)| counts.clone());
            return;
        }
        let Some(counts) = &self.0 else {
            return;
        };
        if let InstrumentationEvent::CacheQuery { sql, .. } = event {
            counts.cacheable.lock().unwrap().insert(sql.to_owned());
        }
        // a request's database work carries its request id (the delivery worker's and the
        // purge's carry none)
        if user_auth::logging::current().is_none() {
            return;
        }
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                counts.statements.fetch_add(1, Ordering::SeqCst);
                counts.log.lock().unwrap().push(query.to_string());
            }
            InstrumentationEvent::BeginTransaction { .. } => {
                counts.transactions.fetch_add(1, Ordering::SeqCst);
            }
            _ => {}
        }
    }
}

fn counter() -> Option<Box<dyn Instrumentation>> {
    Some(Box::new(Counter::default()))
}

/// One counted request of a flow.
struct Measured {
    flow: &'static str,
    statements: Vec<String>,
    transactions: usize,
}

impl Measured {
    /// Round trips: each statement, and the unnamed prepare of a statement sent with
    /// parameters that no cache keeps (simple-protocol statements such as `BEGIN` carry no
    /// parameters and take one trip).
    fn round_trips(&self, counts: &Counts) -> usize {
        let cacheable = counts.cacheable.lock().unwrap();
        let unprepared = self
            .statements
            .iter()
            .filter_map(|s| s.split_once(" -- binds: "))
            .filter(|(sql, _)| !cacheable.contains(*sql))
            .count();
        self.statements.len() + unprepared
    }
}

/// Runs `request` and returns what it sent.
async fn measure(
    counts: &Counts,
    flow: &'static str,
    request: impl std::future::Future<Output = StatusCode>,
) -> Measured {
    // a quiet moment: nothing of an earlier request still on its way
    actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    let logged = counts.log.lock().unwrap().len();
    let transactions = counts.transactions.load(Ordering::SeqCst);
    let status = request.await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(status.is_success(), "{flow}: {status}");
    Measured {
        flow,
        statements: counts.log.lock().unwrap()[logged..].to_vec(),
        transactions: counts.transactions.load(Ordering::SeqCst) - transactions,
    }
}

/// Each write flow of a new person `phone` who enters `inviter_code`: what each request sent.
async fn journey(app: &TestApp, counts: &Counts, phone: &str, inviter_code: &str) -> [Measured; 4] {
    let asked = measure(counts, "code request", async {
        app.api_code(phone).await.0
    })
    .await;
    let code = crate::helpers::code_in(&app.sms.messages_to(phone)[0].text);
    let mut token = String::new();
    let signed_in = measure(counts, "sign-in, new account", async {
        let body = serde_json::json!({ "phone": phone, "code": code }).to_string();
        let (status, _, json) = app
            .api(Method::POST, "/api/v1/auth/token", Some(&body), None)
            .await;
        token = json["token"].as_str().unwrap_or_default().to_owned();
        status
    })
    .await;
    let profile = measure(counts, "profile", async {
        app.api(Method::GET, "/api/v1/me", None, Some(&token))
            .await
            .0
    })
    .await;
    let invited = measure(counts, "enter an invite code", async {
        let body = serde_json::json!({ "code": inviter_code }).to_string();
        app.api(Method::POST, "/api/v1/me/invite", Some(&body), Some(&token))
            .await
            .0
    })
    .await;
    [asked, signed_in, profile, invited]
}

/// Runs once, on PostgreSQL (where each statement is a trip over the network).
#[actix_web::test]
async fn each_flow_keeps_to_its_budget_of_round_trips() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| assert!(user_auth::db::liveness::observe_statements(counter)));
    let Some((url, db)) = TestDb::create(Backend::Postgres) else {
        return;
    };
    let user_auth::db::DatabaseUrl::Postgres(address) = &url else {
        unreachable!("a PostgreSQL database")
    };
    // counted from the server's first connection on
    let counts = Arc::new(Counts::default());
    COUNTED
        .lock()
        .unwrap()
        .push((address.clone(), counts.clone()));
    let app = TestApp::start(url, db, Default::default()).await;
    let inviter_code = app.create_user("+998901110001").invite_code;

    // (round trips at most, transactions at most) of each flow: today's counts on PostgreSQL,
    // BEGIN and COMMIT included (the aim: one transaction a write, and at most 6 round trips
    // for a code request and for a sign-in)
    let budgets = [(5, 1), (6, 1), (2, 0), (6, 1), (5, 1), (5, 1)];
    journey(&app, &counts, "+998901110002", &inviter_code).await;
    let [asked, signed_in, profile, invited] =
        journey(&app, &counts, "+998901110003", &inviter_code).await;
    // and someone who has an account, with an entered code, signing in again
    let returning = "+998901110002";
    app.advance(61);
    assert!(app.api_code(returning).await.0.is_success());
    let code = crate::helpers::code_in(&app.sms.messages_to(returning).last().unwrap().text);
    let again = measure(&counts, "sign-in, returning", async {
        let body = serde_json::json!({ "phone": returning, "code": code }).to_string();
        app.api(Method::POST, "/api/v1/auth/token", Some(&body), None)
            .await
            .0
    })
    .await;
    // and a wrong guess at a live code (what an attacker's traffic costs)
    let guessed = "+998901110004";
    assert!(app.api_code(guessed).await.0.is_success());
    let right = crate::helpers::code_in(&app.sms.messages_to(guessed)[0].text);
    let wrong = if right == "0000" { "1111" } else { "0000" };
    let missed = measure(&counts, "wrong code", async {
        let body = serde_json::json!({ "phone": guessed, "code": wrong }).to_string();
        let status = app
            .api(Method::POST, "/api/v1/auth/token", Some(&body), None)
            .await
            .0;
        // refused as it should be; counted as a request that reached the database
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        StatusCode::OK
    })
    .await;
    let measured = [asked, signed_in, profile, invited, again, missed];

    let report: Vec<String> = measured
        .iter()
        .zip(budgets)
        .map(|(m, (trips, transactions))| {
            format!(
                "{}: {} round trips (budget {trips}) in {} statements, {} transactions (budget {transactions})",
                m.flow,
                m.round_trips(&counts),
                m.statements.len(),
                m.transactions
            )
        })
        .collect();
    for m in &measured {
        eprintln!("{}:", m.flow);
        for statement in &m.statements {
            eprintln!("    {statement}");
        }
    }
    eprintln!("{}", report.join("\n"));
    for (m, (trips, transactions)) in measured.iter().zip(budgets) {
        assert!(!m.statements.is_empty(), "{}: nothing was counted", m.flow);
        assert!(
            m.round_trips(&counts) <= trips && m.transactions <= transactions,
            "{} is over its budget:\n{}",
            m.flow,
            report.join("\n")
        );
    }
}
