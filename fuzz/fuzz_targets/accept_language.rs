#![no_main]
//! `Accept-Language` and the language cookie: always one of the supported languages.
use libfuzzer_sys::fuzz_target;
use user_auth::i18n::{negotiate, supported};

fuzz_target!(|input: &str| {
    let (cookie, header) = input.split_once('\n').unwrap_or((input, input));
    for lang in [negotiate(Some(cookie), Some(header)), negotiate(None, Some(input))] {
        assert_eq!(supported(lang), Some(lang));
    }
});
