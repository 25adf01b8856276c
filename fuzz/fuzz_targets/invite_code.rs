#![no_main]
//! Invite codes as typed: no panic; what parses is well formed and reads back the same.
use libfuzzer_sys::fuzz_target;
use user_auth::domain::invite_code::{InviteCode, is_well_formed};

fuzz_target!(|input: &str| {
    if let Ok(code) = InviteCode::parse(input) {
        assert!(is_well_formed(code.as_str()));
        assert_eq!(InviteCode::parse(code.as_str()), Ok(code));
    }
});
