//! The use cases called directly, without HTTP, on both backends: one file per use case.

mod accounts;
mod credentials;
mod invites;
mod ops;
mod retention;
mod sign_in;
mod staff;

use std::{sync::Arc, time::Duration};

use chrono::TimeDelta;
use user_auth::{
    app::{
        App, Config, Parts, Senders,
        sign_in::{CodeSent, SignedIn},
    },
    clock::{Clock, ManualClock},
    db::{self, DatabaseUrl, DbPool},
    domain::{
        account::{Credential, User},
        client::{AddressRules, ClientInfo},
        invite_code::{InviteCodeGenerator, RandomInviteCodes},
        limits::Limits,
        otp::OtpCode,
        phone::PhoneNumber,
        refusal::{SendRefused, VerifyRefused},
        staff::{Action, ActionResult},
    },
    i18n::{Locales, Tr},
    sms::CapturingSender,
};

use crate::helpers::{Backend, TestDb, code_in, create_account, find_account};

/// The use cases over a fresh database, with a manual clock and a capturing sender.
pub struct UseCases {
    pub app: App,
    pub clock: ManualClock,
    pub sms: CapturingSender,
    pub pool: DbPool,
    pub url: DatabaseUrl,
    pub limits: Limits,
    _db: TestDb,
}

impl UseCases {
    pub fn new(backend: Backend) -> Option<Self> {
        Self::with_limits(backend, Limits::default())
    }

    /// With these sign-in rules' numbers (and random invite codes).
    pub fn with_limits(backend: Backend, limits: Limits) -> Option<Self> {
        Self::with(backend, limits, Arc::new(RandomInviteCodes))
    }

    pub fn with(
        backend: Backend,
        limits: Limits,
        invite_codes: Arc<dyn InviteCodeGenerator>,
    ) -> Option<Self> {
        let (url, test_db) = TestDb::create(backend)?;
        db::migrate(&url).expect("migrations");
        let pool = db::pool(&url, 8, Duration::from_secs(10));
        let clock = ManualClock::new();
        let sms = CapturingSender::new();
        let app = App::new(Parts {
            pool: pool.clone(),
            clock: Arc::new(clock.clone()),
            senders: Senders::one(Arc::new(sms.clone())),
            mail: Arc::new(user_auth::mail::ConsoleMail),
            config: Config {
                limits: limits.clone(),
                code_key: [7; 32],
                invite_codes,
                outbox_key: [9; 32],
                origin_host: None,
                test_numbers: Default::default(),
                link_origin: "http://127.0.0.1:8000".into(),
                invitee_phones: Default::default(),
                invite_notify_sms: false,
                time_zone: chrono_tz::Tz::UTC,
            },
            outbox: Arc::new(tokio::sync::Notify::new()),
        });
        Some(Self {
            app,
            clock,
            sms,
            pool,
            url,
            limits,
            _db: test_db,
        })
    }

    pub fn conn(&self) -> diesel::r2d2::PooledConnection<db::Manager> {
        self.pool.get().expect("a database connection")
    }

    pub fn now(&self) -> chrono::NaiveDateTime {
        self.clock.now()
    }

    pub fn advance(&self, seconds: i64) {
        self.clock.advance(TimeDelta::seconds(seconds));
    }

    /// An account, as a first sign-in creates it.
    pub fn create_user(&self, e164: &str) -> User {
        create_account(&mut self.conn(), e164, self.now())
    }

    /// Changes `e164`'s role as the command line does (creating the account for a grant).
    pub fn role(&self, e164: &str, action: Action) -> ActionResult {
        user_auth::app::staff::set_role_by_phone(
            &mut self.conn(),
            &RandomInviteCodes,
            e164,
            action,
            self.now(),
        )
        .expect("the database")
    }

    /// `role`, which must succeed.
    pub fn grant(&self, e164: &str, action: Action) -> User {
        match self.role(e164, action) {
            ActionResult::Done(user) => user,
            other => panic!("{action:?} {e164}: {other:?}"),
        }
    }

    /// The account as stored now.
    pub fn user(&self, e164: &str) -> Option<User> {
        find_account(&mut self.conn(), e164)
    }

    /// Runs the delivery worker's round once, as the server's worker would.
    pub async fn deliver(&self) -> user_auth::app::delivery::Round {
        self.app.delivery.deliver_due().await.expect("the database")
    }

    /// The code in the last message to `phone`.
    pub fn last_code(&self, phone: &PhoneNumber) -> OtpCode {
        let messages = self.sms.messages_to(phone.as_e164());
        let text = &messages.last().expect("a message").text;
        OtpCode::parse(&code_in(text), self.limits.otp_length).expect("a code")
    }

    /// Asks for a code for `phone` from `client`, in English.
    pub async fn request(
        &self,
        phone: &PhoneNumber,
        client: &ClientInfo,
    ) -> Result<CodeSent, SendRefused> {
        let sent = self
            .app
            .sign_in
            .request_code(phone, client, &english())
            .await
            .expect("the database");
        // as the server's worker does at once
        self.deliver().await;
        sent
    }

    /// Checks `code` for `phone` from `client`.
    pub async fn verify(
        &self,
        phone: &PhoneNumber,
        code: OtpCode,
        client: &ClientInfo,
        kind: Credential,
    ) -> Result<SignedIn, VerifyRefused> {
        self.app
            .sign_in
            .verify(phone, code, client, kind, None)
            .await
            .expect("the database")
    }

    /// The person behind a session or token.
    pub async fn who(&self, kind: Credential, token: String) -> Option<User> {
        self.app
            .credentials
            .user(kind, token)
            .await
            .expect("the database")
    }

    /// Ends a session or token.
    pub async fn end(&self, kind: Credential, token: String) {
        self.app
            .credentials
            .end(kind, token)
            .await
            .expect("the database")
    }

    /// Asks for a code and signs in with it, from `client`; the session or token.
    pub async fn sign_in(
        &self,
        phone: &PhoneNumber,
        client: &ClientInfo,
        kind: Credential,
    ) -> String {
        self.request(phone, client).await.expect("a code");
        self.verify(phone, self.last_code(phone), client, kind)
            .await
            .expect("signed in")
            .token
    }
}

pub fn english() -> Tr {
    translator("en")
}

pub fn translator(lang: &'static str) -> Tr {
    Tr::new(Arc::new(Locales::load().expect("locales")), lang)
}

pub fn phone(e164: &str) -> PhoneNumber {
    PhoneNumber::parse(e164, None).expect("a valid number")
}

/// A client at `ip`, as the rules see it (IPv4 by address, IPv6 by /64).
pub fn client(ip: &str) -> ClientInfo {
    AddressRules::default().client(
        Some(ip.parse().expect("an address")),
        &[],
        Some("test".into()),
    )
}
