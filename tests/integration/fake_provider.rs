//! A fake SMS provider: a real HTTP server on 127.0.0.1, on a thread of its own, speaking the
//! webhook (`POST /sms`, signature checked) and Twilio's Messages API (basic auth checked), and
//! told by the test to fail, hang or refuse.

use std::{
    collections::VecDeque,
    sync::{Arc, Mutex},
    time::Duration,
};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use user_auth::sms::http::{SIGNATURE_HEADER, TIMESTAMP_HEADER, signature};

/// What the next calls get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// 200 (webhook) or 201 (Twilio) with a message id.
    Accept,
    /// 503.
    Fail,
    /// No answer for this long.
    Hang(Duration),
    /// This status.
    Status(u16),
    /// Accepted after this long.
    Slow(Duration),
}

/// One message the fake took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub to: String,
    pub text: String,
    /// The webhook's idempotency key; Twilio's calls have none.
    pub key: Option<String>,
    pub route: &'static str,
    /// Twilio's `StatusCallback`, when one was given.
    pub callback: Option<String>,
}

#[derive(Default)]
struct State {
    /// Behaviours for the next calls, in order; when empty, `then`.
    script: VecDeque<Behaviour>,
    then: Option<Behaviour>,
    taken: Vec<Taken>,
    /// Every call, taken or not, with its idempotency key.
    calls: Vec<Option<String>>,
    bad_signatures: usize,
    /// Eskiz: the token a login hands out now, and how many logins there were.
    eskiz_token: u32,
    eskiz_logins: usize,
}

pub const WEBHOOK_SECRET: &str = "0123456789abcdef0123456789abcdef-fake";
pub const TWILIO_SID: &str = "AC00000000000000000000000000000000";
pub const TWILIO_TOKEN: &str = "fake-token";
pub const ESKIZ_EMAIL: &str = "test@example.uz";
pub const ESKIZ_PASSWORD: &str = "fake-eskiz-password";

#[derive(Clone)]
pub struct FakeProvider {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl FakeProvider {
    pub fn start() -> Self {
        let state = Arc::new(Mutex::new(State::default()));
        let (tx, rx) = std::sync::mpsc::channel();
        let shared = state.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let data = web::Data::new(shared);
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(data.clone())
                        .route("/sms", web::post().to(webhook))
                        .route(
                            "/2010-04-01/Accounts/{sid}/Messages.json",
                            web::post().to(twilio),
                        )
                        .route("/api/auth/login", web::post().to(eskiz_login))
                        .route("/api/message/sms/send", web::post().to(eskiz_send))
                })
                .workers(2)
                .bind("127.0.0.1:0")
                .expect("the fake provider binds");
                let port = server.addrs()[0].port();
                tx.send(port).unwrap();
                server.run().await
            })
        });
        let port = rx.recv().expect("the fake provider starts");
        Self {
            base: format!("http://127.0.0.1:{port}"),
            state,
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The next calls get `script`, in order, then `then`.
    pub fn script(&self, script: &[Behaviour], then: Behaviour) {
        self.with(|s| {
            s.script = script.iter().copied().collect();
            s.then = Some(then);
        });
    }

    /// Every call from now gets `behaviour`.
    pub fn set(&self, behaviour: Behaviour) {
        self.script(&[], behaviour);
    }

    pub fn taken(&self) -> Vec<Taken> {
        self.with(|s| s.taken.clone())
    }

    pub fn taken_to(&self, to: &str) -> Vec<Taken> {
        self.taken().into_iter().filter(|t| t.to == to).collect()
    }

    /// Every call's idempotency key, in order, taken or not.
    pub fn calls(&self) -> Vec<Option<String>> {
        self.with(|s| s.calls.clone())
    }

    pub fn bad_signatures(&self) -> usize {
        self.with(|s| s.bad_signatures)
    }

    /// Settings for the webhook at this fake.
    pub fn webhook(&self) -> user_auth::config::SmsBackend {
        user_auth::config::SmsBackend::Http {
            url: format!("{}/sms", self.base),
            secret: user_auth::config::Secret(WEBHOOK_SECRET.into()),
        }
    }

    /// Settings for Eskiz at this fake.
    pub fn eskiz(&self) -> user_auth::config::SmsBackend {
        user_auth::config::SmsBackend::Eskiz {
            base_url: format!("{}/api", self.base),
            email: ESKIZ_EMAIL.into(),
            password: user_auth::config::Secret(ESKIZ_PASSWORD.into()),
            from: "4546".into(),
        }
    }

    /// Eskiz's token runs out: the next send with it gets 401.
    pub fn expire_eskiz_token(&self) {
        self.with(|s| s.eskiz_token += 1);
    }

    pub fn eskiz_logins(&self) -> usize {
        self.with(|s| s.eskiz_logins)
    }

    /// Settings for Twilio at this fake.
    pub fn twilio(&self) -> user_auth::config::SmsBackend {
        user_auth::config::SmsBackend::Twilio {
            base_url: self.base.clone(),
            account_sid: TWILIO_SID.into(),
            auth_token: user_auth::config::Secret(TWILIO_TOKEN.into()),
            from: "+15005550006".into(),
            messaging_service: false,
        }
    }
}

type Shared = web::Data<Arc<Mutex<State>>>;

/// The behaviour for this call, and the call recorded.
fn next(state: &Shared, key: Option<String>) -> Behaviour {
    let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
    s.calls.push(key);
    let then = s.then.unwrap_or(Behaviour::Accept);
    s.script.pop_front().unwrap_or(then)
}

/// Applies `behaviour`; `Some` answer to send when it is not an acceptance.
async fn refusal(behaviour: Behaviour) -> Option<HttpResponse> {
    match behaviour {
        Behaviour::Accept => None,
        Behaviour::Slow(d) => {
            actix_web::rt::time::sleep(d).await;
            None
        }
        Behaviour::Fail => Some(HttpResponse::ServiceUnavailable().finish()),
        Behaviour::Status(code) => {
            Some(HttpResponse::build(actix_web::http::StatusCode::from_u16(code).unwrap()).finish())
        }
        Behaviour::Hang(d) => {
            actix_web::rt::time::sleep(d).await;
            Some(HttpResponse::ServiceUnavailable().finish())
        }
    }
}

async fn webhook(req: HttpRequest, body: web::Bytes, state: Shared) -> HttpResponse {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let key = header("idempotency-key");
    let signed = header(TIMESTAMP_HEADER)
        .and_then(|t| t.parse::<i64>().ok())
        .is_some_and(|t| {
            header(SIGNATURE_HEADER).as_deref()
                == Some(signature(WEBHOOK_SECRET.as_bytes(), t, &body).as_str())
        });
    if !signed {
        state.lock().unwrap().bad_signatures += 1;
        return HttpResponse::Unauthorized().finish();
    }
    if let Some(answer) = refusal(next(&state, key.clone())).await {
        return answer;
    }
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let mut s = state.lock().unwrap();
    let id = format!("wh-{}", s.taken.len() + 1);
    s.taken.push(Taken {
        to: json["to"].as_str().unwrap().to_owned(),
        text: json["text"].as_str().unwrap().to_owned(),
        key,
        route: "webhook",
        callback: None,
    });
    HttpResponse::Ok().json(serde_json::json!({ "id": id }))
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct TwilioForm {
    to: String,
    body: String,
    from: Option<String>,
    status_callback: Option<String>,
}

async fn twilio(
    req: HttpRequest,
    path: web::Path<String>,
    form: web::Form<TwilioForm>,
    state: Shared,
) -> HttpResponse {
    let authorised = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(expected_authorization().as_str());
    if !authorised || path.as_str() != TWILIO_SID || form.from.is_none() {
        return HttpResponse::Unauthorized().finish();
    }
    if let Some(answer) = refusal(next(&state, None)).await {
        return answer;
    }
    let mut s = state.lock().unwrap();
    let sid = format!("SM{:032}", s.taken.len() + 1);
    s.taken.push(Taken {
        to: form.to.clone(),
        text: form.body.clone(),
        key: None,
        route: "twilio",
        callback: form.status_callback.clone(),
    });
    HttpResponse::Created().json(serde_json::json!({ "sid": sid, "status": "queued" }))
}

/// The `Authorization` header Twilio's basic auth gives for the fake's account.
fn expected_authorization() -> String {
    use base64::Engine;
    let pair = format!("{TWILIO_SID}:{TWILIO_TOKEN}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

#[derive(serde::Deserialize)]
struct EskizLogin {
    email: String,
    password: String,
}

async fn eskiz_login(form: web::Form<EskizLogin>, state: Shared) -> HttpResponse {
    if form.email != ESKIZ_EMAIL || form.password != ESKIZ_PASSWORD {
        return HttpResponse::Unauthorized().finish();
    }
    let mut s = state.lock().unwrap();
    s.eskiz_logins += 1;
    let token = format!("eskiz-token-{}", s.eskiz_token);
    HttpResponse::Ok().json(serde_json::json!({
        "message": "token_generated",
        "data": { "token": token },
        "token_type": "bearer"
    }))
}

#[derive(serde::Deserialize)]
struct EskizSend {
    mobile_phone: String,
    message: String,
    from: String,
    callback_url: Option<String>,
}

async fn eskiz_send(req: HttpRequest, form: web::Form<EskizSend>, state: Shared) -> HttpResponse {
    let expected = format!("Bearer eskiz-token-{}", state.lock().unwrap().eskiz_token);
    let authorised = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        == Some(expected.as_str());
    if !authorised || form.from.is_empty() || form.mobile_phone.starts_with('+') {
        return HttpResponse::Unauthorized().json(serde_json::json!({ "message": "Expired" }));
    }
    if let Some(answer) = refusal(next(&state, None)).await {
        return answer;
    }
    let mut s = state.lock().unwrap();
    let id = format!("00000000-0000-4000-8000-{:012}", s.taken.len() + 1);
    s.taken.push(Taken {
        to: format!("+{}", form.mobile_phone),
        text: form.message.clone(),
        key: None,
        route: "eskiz",
        callback: form.callback_url.clone(),
    });
    HttpResponse::Ok().json(serde_json::json!({
        "id": id,
        "message": "Waiting for SMS provider",
        "status": "waiting"
    }))
}
