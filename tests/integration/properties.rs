//! Every parser of outside input against generated input (proptest): no panic over 100,000
//! cases each (`PROPTEST_CASES` changes that), and round trips where they apply. The fuzz
//! targets in `fuzz/` drive the same functions with coverage guidance.

use std::net::IpAddr;

use proptest::prelude::*;
use user_auth::domain::{
    client::AddressRules,
    cursor::Cursor,
    email::EmailAddress,
    invite_code::{ALPHABET, InviteCode, is_well_formed},
    limits::LONG_OTP_LENGTH,
    name::DisplayName,
    otp::OtpCode,
    paths::local_path,
    phone::{PhoneError, PhoneNumber},
};
use user_auth::http::{
    api::handlers::{InviteBody, PhoneBody, TokenBody},
    web::page::{CodeForm, PhoneForm},
};

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    ProptestConfig {
        cases,
        // the failing case is printed; nothing is written into the source tree
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text that looks like what people type into a phone field, and then anything at all.
fn phone_like() -> impl Strategy<Value = String> {
    prop_oneof![
        "[+]?[0-9 ()./-]{0,24}",
        "\\+998[0-9]{9}",
        "[0-9+]{0,3}[\\PC]{0,8}[0-9]{0,12}",
        any::<String>(),
    ]
}

/// Text matching a pattern the API's description gives (its anchors dropped: the generator
/// makes whole strings).
fn matching(pattern: &str) -> impl Strategy<Value = String> + use<> {
    let inner = pattern
        .strip_prefix('^')
        .and_then(|p| p.strip_suffix('$'))
        .expect("an anchored pattern");
    // short runs, so most of what is made is within the field's length; all of it still matches
    let inner = inner.replace("]*", "]{0,1}");
    proptest::string::string_regex(&inner).expect("the pattern reads as a regular expression")
}

fn uz() -> phonenumber::country::Id {
    "UZ".parse().unwrap()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn phone_numbers(input in phone_like(), national in any::<bool>()) {
        let region = national.then(uz);
        if let Ok(number) = PhoneNumber::parse(&input, region) {
            let e164 = number.as_e164().to_owned();
            prop_assert!(e164.starts_with('+') && e164[1..].bytes().all(|b| b.is_ascii_digit()));
            // the stored form and the displayed form both read back as the same number
            prop_assert_eq!(PhoneNumber::parse(&e164, None).map(|n| n.as_e164().to_owned()), Ok(e164.clone()));
            prop_assert_eq!(PhoneNumber::parse(&number.display(), None).map(|n| n.as_e164().to_owned()), Ok(e164));
        }
    }

    // What the API's description allows, the parsers take: a refusal of it is only ever about
    // what no pattern can say (a number that receives no texts).
    #[test]
    fn schema_valid_phone_numbers_are_read(input in matching(&user_auth::domain::phone::input_pattern())) {
        prop_assume!(input.chars().count() <= user_auth::domain::phone::MAX_INPUT_CHARS);
        let refused = PhoneNumber::parse(&input, None).err();
        prop_assert!(
            matches!(refused, None | Some(PhoneError::Invalid | PhoneError::NotTextable | PhoneError::NeedsPlus)),
            "{:?}: {:?}", input, refused
        );
    }

    #[test]
    fn schema_valid_codes_are_read(input in matching(&user_auth::domain::otp::input_pattern())) {
        prop_assume!(input.chars().count() <= user_auth::domain::otp::MAX_INPUT_CHARS);
        prop_assert!(OtpCode::parse(&input, 4).is_ok(), "{:?}", input);
    }

    #[test]
    fn schema_valid_invite_codes_are_read(input in matching(&user_auth::domain::invite_code::input_pattern())) {
        prop_assume!(input.chars().count() <= user_auth::domain::invite_code::MAX_INPUT_CHARS);
        prop_assert!(InviteCode::parse(&input).is_ok(), "{:?}", input);
    }

    #[test]
    fn schema_valid_names_are_read(input in matching(&user_auth::domain::name::input_pattern())) {
        // the one thing the pattern cannot say: a name whose normal form (NFC) is longer than
        // what was typed (a few characters decompose) may pass 64 characters and be refused
        use unicode_normalization::UnicodeNormalization;
        prop_assume!(input.trim().nfc().count() <= input.trim().chars().count());
        prop_assert!(DisplayName::parse(&input).is_ok(), "{:?}", input);
    }

    #[test]
    fn schema_valid_cursors_are_read(input in matching(user_auth::domain::cursor::INPUT_PATTERN)) {
        prop_assert!(input.is_empty() || Cursor::decode(&input).is_some(), "{:?}", input);
    }

    #[test]
    fn invite_codes(input in prop_oneof!["[0-9A-Za-z -]{0,12}", any::<String>()]) {
        if let Ok(code) = InviteCode::parse(&input) {
            prop_assert!(is_well_formed(code.as_str()));
            prop_assert_eq!(InviteCode::parse(code.as_str()), Ok(code));
        }
    }

    #[test]
    fn invite_codes_as_people_copy_them(
        picks in proptest::collection::vec(0..ALPHABET.len(), 6),
        lower in any::<bool>(),
        dash in 0usize..7,
    ) {
        let code: String = picks.iter().map(|&i| char::from(ALPHABET[i])).collect();
        let mut typed = if lower { code.to_lowercase() } else { code.clone() };
        typed.insert(dash, '-');
        let typed = format!("  {typed} ");
        prop_assert_eq!(InviteCode::parse(&typed).map(|c| c.as_str().to_owned()), Ok(code));
    }

    #[test]
    fn one_time_codes(input in prop_oneof!["[0-9 -]{0,20}", any::<String>()], shortest in 4usize..=8) {
        if let Ok(code) = OtpCode::parse(&input, shortest) {
            prop_assert!((shortest..=LONG_OTP_LENGTH).contains(&code.len()));
            prop_assert!(code.as_str().bytes().all(|b| b.is_ascii_digit()));
            prop_assert_eq!(OtpCode::parse(code.as_str(), shortest), Ok(code));
        }
    }

    #[test]
    fn cursors(input in prop_oneof!["-?[0-9]{0,20}\\.-?[0-9]{0,20}", any::<String>()]) {
        if let Some(cursor) = Cursor::decode(&input) {
            prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
    }

    #[test]
    fn cursors_round_trip(micros in -8_000_000_000_000_000i64..8_000_000_000_000_000, id in any::<i64>()) {
        let at = chrono::DateTime::from_timestamp_micros(micros).unwrap().naive_utc();
        let cursor = Cursor { at, id };
        prop_assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }

    #[test]
    fn next_paths(input in prop_oneof!["/[\\x00-\\x7f]{0,12}", "[/\\\\:a-z]{0,6}", any::<String>()]) {
        let path = local_path(&input);
        prop_assert!(path == input || path == "/");
        prop_assert!(path.starts_with('/'));
        prop_assert!(!path.starts_with("//") && !path.starts_with("/\\"));
        prop_assert!(path.bytes().all(|b| (0x21..=0x7e).contains(&b) && b != b'\\'));
    }

    #[test]
    fn accept_language(
        header in prop_oneof!["([a-zA-Z_-]{0,8}(;q=[0-9.]{0,5})?,? ?){0,5}", any::<String>()],
        cookie in proptest::option::of(any::<String>()),
    ) {
        let lang = user_auth::i18n::negotiate(cookie.as_deref(), Some(&header));
        prop_assert!(user_auth::i18n::supported(lang) == Some(lang));
    }

    #[test]
    fn forwarded_for(
        entries in proptest::collection::vec(prop_oneof!["[0-9.:a-f ]{0,20}", any::<IpAddr>().prop_map(|ip| ip.to_string()), any::<String>()], 0..6),
        peer in proptest::option::of(any::<IpAddr>()),
        hops in 0usize..4,
    ) {
        let rules = AddressRules { proxy_hops: hops, ..AddressRules::default() };
        let entries: Vec<&str> = entries.iter().map(String::as_str).collect();
        let client = rules.client(peer, &entries, None);
        // the peer, or the one entry the outermost trusted proxy wrote: never one to its left
        let trusted = (hops > 0)
            .then(|| entries.len().checked_sub(hops))
            .flatten()
            .and_then(|i| entries[i].trim().parse::<IpAddr>().ok());
        let expected = trusted.or(peer).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
        prop_assert_eq!(client.ip, expected);
    }

    #[test]
    fn email_addresses(input in prop_oneof!["[a-z.+]{0,8}@[a-z.-]{0,10}", any::<String>()]) {
        if let Ok(address) = EmailAddress::parse(&input) {
            prop_assert_eq!(EmailAddress::parse(address.as_str()), Ok(address));
        }
    }

    #[test]
    fn display_names(input in any::<String>()) {
        if let Ok(Some(name)) = DisplayName::parse(&input) {
            prop_assert_eq!(DisplayName::parse(name.as_str()), Ok(Some(name)));
        }
    }

    #[test]
    fn json_bodies(body in prop_oneof![
        "\\{\"(phone|code)\": ?(\"[\\PC]{0,12}\"|[0-9]{1,5}|null|\\[\\]|\\{\\})(, ?\"[a-z]{1,5}\": ?\"[a-z]{0,3}\")?\\}",
        any::<String>(),
    ]) {
        // what the JSON extractor does with a body: a value or an error, never a panic
        let _ = serde_json::from_str::<PhoneBody>(&body);
        let _ = serde_json::from_str::<TokenBody>(&body);
        let _ = serde_json::from_str::<InviteBody>(&body);
    }

    #[test]
    fn form_bodies(body in prop_oneof!["((csrf|phone|code)=[%0-9A-Za-z+&=]{0,12}&?){0,4}", any::<String>()]) {
        let _ = serde_urlencoded::from_str::<PhoneForm>(&body);
        let _ = serde_urlencoded::from_str::<CodeForm>(&body);
    }
}
