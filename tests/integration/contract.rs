//! The API against its own description, checked by a tool nobody here wrote: Schemathesis runs
//! its default checks on every operation of `/api/openapi.json` (documented statuses, content
//! types and schemas, `Allow` on 405, schema-valid requests accepted and schema-violating ones
//! refused, and no 5xx), with one addition in `tests/schemathesis/hooks.py`: a schema-valid
//! request may meet only the documented semantic refusals (a wrong code, an unknown invite code).
//!
//! Needs `schemathesis` (`pip install schemathesis`, which `.ci/run` does); without it this test
//! says so and passes, unless `REQUIRE_SCHEMATHESIS=1`.

use std::process::Command;

use crate::server_process::Instance;

/// The number the run signs in with: a test number with a fixed code, never sent.
const PHONE: &str = "+998901234567";
const CODE: &str = "246810";
/// Examples per operation and phase, and the seed: the same run every time (change the seed
/// to explore further).
const EXAMPLES: &str = "60";
const SEED: &str = "20261202";

fn schemathesis() -> Option<&'static str> {
    let found = Command::new("schemathesis")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        crate::helpers::missing(
            "REQUIRE_SCHEMATHESIS",
            "schemathesis is not installed: the API contract test",
        );
    }
    found.then_some("schemathesis")
}

/// Runs Schemathesis against `instance` with `args`; fails with its report unless it passes.
fn run(instance: &Instance, token: &str, args: &[&str]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemathesis");
    // run from the temporary folder: the tool writes its own files where it runs
    let out = Command::new("schemathesis")
        .current_dir(std::env::temp_dir())
        .env("SCHEMATHESIS_HOOKS", "hooks")
        .env("PYTHONPATH", &dir)
        .env("NO_COLOR", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .arg("--config-file")
        .arg(dir.join("schemathesis.toml"))
        .arg("run")
        .arg(instance.url("/api/openapi.json"))
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", EXAMPLES, "--seed", SEED])
        .args(["--generation-database", "none"])
        .args(args)
        .output()
        .expect("run schemathesis");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "schemathesis found failures:\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(report.contains("Tested:"), "{report}");
}

#[tokio::test]
async fn the_api_keeps_its_openapi_contract_under_schemathesis() {
    if schemathesis().is_none() {
        return;
    }
    let db = std::env::temp_dir().join(format!("user-auth-contract-{}.db", std::process::id()));
    let url = format!("sqlite://{}", db.display());
    let numbers = format!("{PHONE}:{CODE}:2999-12-31");
    // the limits high, so the tool reaches the logic behind them rather than a 429
    let mut server = Instance::spawn(
        &url,
        &[
            ("TEST_PHONE_NUMBERS", numbers.as_str()),
            ("OTP_RESEND_SECONDS", "0"),
            ("OTP_MAX_PER_PHONE_HOUR", "1000000"),
            ("OTP_MAX_PER_IP_HOUR", "1000000"),
            ("OTP_MAX_WRONG_PER_IP_HOUR", "1000000"),
            ("SMS_MAX_PER_PREFIX_HOUR", "1000000"),
            ("INVITE_MAX_TRIES_HOUR", "1000000"),
        ],
    );
    server.wait_serving();
    user_auth::sms::install_tls();
    let client = reqwest::Client::new();
    let ask = client
        .post(server.url("/api/v1/auth/code"))
        .json(&serde_json::json!({ "phone": PHONE }))
        .send()
        .await
        .unwrap();
    assert_eq!(ask.status(), reqwest::StatusCode::ACCEPTED);
    let signed_in: serde_json::Value = client
        .post(server.url("/api/v1/auth/token"))
        .json(&serde_json::json!({ "phone": PHONE, "code": CODE }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = signed_in["token"].as_str().expect("a token").to_owned();

    // Signed in, every operation but the two that end the token the run signs in with; then
    // those two, last.
    let ending = ["delete_token", "end_device"];
    let mut first = Vec::new();
    for id in ending {
        first.extend(["--exclude-operation-id", id]);
    }
    run(&server, &token, &first);
    let mut last = Vec::new();
    for id in ending {
        last.extend(["--include-operation-id", id]);
    }
    run(&server, &token, &last);

    drop(server);
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
}
