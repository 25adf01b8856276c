#![no_main]
//! Request bodies as the JSON and form extractors read them: a value or an error, never a panic.
use libfuzzer_sys::fuzz_target;
use user_auth::http::{
    api::handlers::{InviteBody, PhoneBody, TokenBody},
    web::page::{CodeForm, PhoneForm},
};

fuzz_target!(|input: &[u8]| {
    let _ = serde_json::from_slice::<PhoneBody>(input);
    let _ = serde_json::from_slice::<TokenBody>(input);
    let _ = serde_json::from_slice::<InviteBody>(input);
    let _ = serde_urlencoded::from_bytes::<PhoneForm>(input);
    let _ = serde_urlencoded::from_bytes::<CodeForm>(input);
});
