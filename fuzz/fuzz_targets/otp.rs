#![no_main]
//! One-time codes as typed: no panic; what parses is digits only and reads back the same.
use libfuzzer_sys::fuzz_target;
use user_auth::domain::otp::OtpCode;

fuzz_target!(|input: &str| {
    for shortest in [4, 6, 8] {
        if let Ok(code) = OtpCode::parse(input, shortest) {
            assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
            assert_eq!(OtpCode::parse(code.as_str(), shortest), Ok(code));
        }
    }
});
