#![no_main]
//! Phone numbers as typed, international and national: no panic; what parses reads back the same.
use libfuzzer_sys::fuzz_target;
use user_auth::domain::phone::PhoneNumber;

fuzz_target!(|input: &str| {
    for region in [None, "UZ".parse().ok()] {
        if let Ok(number) = PhoneNumber::parse(input, region) {
            let again = PhoneNumber::parse(number.as_e164(), None).expect("E.164 reads back");
            assert_eq!(again.as_e164(), number.as_e164());
        }
    }
});
