//! Where a form may send a person afterwards (`next`): a plain path on this site, nothing else.

/// Only plain paths on this site are followed: a `/`, then visible ASCII only (no control,
/// space, non-ASCII or backslash, which browsers may read differently or a header cannot carry),
/// and no `/` or `\` right after the first (which browsers read as another host). Anything else,
/// a scheme or `//host` included, is `/`.
pub fn local_path(next: &str) -> &str {
    let b = next.as_bytes();
    let ok = b.first() == Some(&b'/')
        && b.get(1) != Some(&b'/')
        && b.iter().all(|c| (0x21..=0x7e).contains(c) && *c != b'\\');
    if ok { next } else { "/" }
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path("/profile"), "/profile");
        assert_eq!(local_path("//evil.example"), "/");
        assert_eq!(local_path("https://evil.example"), "/");
        assert_eq!(local_path("/\\evil.example"), "/");
        assert_eq!(local_path(""), "/");
        assert_eq!(
            local_path("/profile?older=1.2#invitees"),
            "/profile?older=1.2#invitees"
        );
        for bad in [
            "/\n/x",
            "/\t/evil.example",
            "/\r\nSet-Cookie: a=b",
            " //evil.example",
            "\t//evil.example",
            "/ /x",
            "/\u{7f}",
            "/профиль",
            "/a\\b",
            "javascript:alert(1)",
            "https:/evil.example",
            "//",
            "/\\",
        ] {
            assert_eq!(local_path(bad), "/", "{bad:?}");
        }
    }
}
