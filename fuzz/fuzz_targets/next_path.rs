#![no_main]
//! `next` paths: the answer is the input or `/`, and always a plain path on this site.
use libfuzzer_sys::fuzz_target;
use user_auth::domain::paths::local_path;

fuzz_target!(|input: &str| {
    let path = local_path(input);
    assert!(path == input || path == "/");
    assert!(path.starts_with('/') && !path.starts_with("//") && !path.starts_with("/\\"));
    assert!(path.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'\\'));
});
