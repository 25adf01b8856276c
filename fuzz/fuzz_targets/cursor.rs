#![no_main]
//! Paging cursors from a query string: no panic; a decoded cursor encodes back to itself.
use libfuzzer_sys::fuzz_target;
use user_auth::domain::cursor::Cursor;

fuzz_target!(|input: &str| {
    if let Some(cursor) = Cursor::decode(input) {
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
    }
});
