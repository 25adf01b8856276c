//! What a request sends to PostgreSQL: the statements (each a round trip, the pool's check-out
//! ping included) and the transactions of one request of each flow, counted on the server's own
//! connections through diesel's instrumentation, against a budget written here. The budgets are
//! today's counts, so a change that adds a round trip fails here and says so; lower them as
//! the flows get cheaper.

use std::sync::{
    Arc, Mutex, Once,
    atomic::{AtomicUsize, Ordering},
};

use diesel::connection::{Instrumentation, InstrumentationEvent, set_default_instrumentation};
use reqwest::{Method, StatusCode};

use crate::helpers::{Backend, TestApp, TestDb};

/// Round trips and transactions of the connections to one database.
#[derive(Default)]
struct Counts {
    statements: AtomicUsize,
    transactions: AtomicUsize,
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
        // a request's database work carries its request id (the delivery worker's and the
        // purge's carry none)
        if user_auth::logging::current().is_none() {
            return;
        }
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                counts.statements.fetch_add(1, Ordering::SeqCst);
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

/// (statements, transactions) so far.
fn snapshot(counts: &Counts) -> (usize, usize) {
    (
        counts.statements.load(Ordering::SeqCst),
        counts.transactions.load(Ordering::SeqCst),
    )
}

/// Runs once, on PostgreSQL (where each statement is a trip over the network).
#[actix_web::test]
async fn each_flow_keeps_to_its_budget_of_round_trips() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| set_default_instrumentation(counter).expect("instrumentation"));
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
    let (inviter, phone) = ("+998901110001", "+998901110002");
    let inviter_code = app.create_user(inviter).invite_code;

    // (flow, statements at most, transactions at most): today's counts on PostgreSQL, the
    // pool's check-out ping, BEGIN and COMMIT included (the aim: one transaction a write, and
    // at most 6 round trips for a code request and for a sign-in)
    let mut measured = Vec::new();
    let mut measure = async |flow: &'static str,
                             budget: (usize, usize),
                             request: std::pin::Pin<
        Box<dyn std::future::Future<Output = StatusCode> + '_>,
    >| {
        // a quiet moment: nothing of an earlier request still on its way
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        let before = snapshot(&counts);
        let status = request.await;
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
        let after = snapshot(&counts);
        assert!(status.is_success(), "{flow}: {status}");
        measured.push((flow, after.0 - before.0, after.1 - before.1, budget));
    };
    measure(
        "code request",
        (25, 1),
        Box::pin(async { app.api_code(phone).await.0 }),
    )
    .await;
    let code = crate::helpers::code_in(&app.sms.messages_to(phone)[0].text);
    let token = std::cell::RefCell::new(String::new());
    measure(
        "sign-in, new account",
        (21, 2),
        Box::pin(async {
            let body = serde_json::json!({ "phone": phone, "code": code }).to_string();
            let (status, _, json) = app
                .api(Method::POST, "/api/v1/auth/token", Some(&body), None)
                .await;
            *token.borrow_mut() = json["token"].as_str().unwrap_or_default().to_owned();
            status
        }),
    )
    .await;
    let token = token.into_inner();
    measure(
        "profile",
        (4, 0),
        Box::pin(async {
            app.api(Method::GET, "/api/v1/me", None, Some(&token))
                .await
                .0
        }),
    )
    .await;
    measure(
        "enter an invite code",
        (15, 1),
        Box::pin(async {
            let body = serde_json::json!({ "code": inviter_code }).to_string();
            app.api(Method::POST, "/api/v1/me/invite", Some(&body), Some(&token))
                .await
                .0
        }),
    )
    .await;
    let report: Vec<String> = measured
        .iter()
        .map(|(flow, s, t, (sb, tb))| {
            format!("{flow}: {s} statements (budget {sb}), {t} transactions (budget {tb})")
        })
        .collect();
    eprintln!("{}", report.join("\n"));
    for (flow, statements, transactions, (budget_s, budget_t)) in &measured {
        assert!(
            statements <= budget_s && transactions <= budget_t,
            "{flow} is over its budget:\n{}",
            report.join("\n")
        );
        assert!(*statements > 0, "{flow}: nothing was counted");
    }
}
