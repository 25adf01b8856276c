//! A person's display name: optional; 1 to 64 characters after trimming, in NFC, with no control
//! or invisible characters (so a name cannot hide, reorder or impersonate text around it).

use unicode_normalization::UnicodeNormalization;

/// The most characters a name has (after trimming and NFC).
pub const MAX_NAME_CHARS: usize = 64;

/// A valid display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

/// Why a name was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("longer than {MAX_NAME_CHARS} characters")]
    TooLong,
    #[error("holds a control or invisible character")]
    Invisible,
}

/// Characters that show nothing, or change how the text around them is shown, besides the
/// controls: bidirectional marks and overrides, zero-width and other invisible formatting
/// characters, the fillers some scripts render as blanks, and noncharacters.
const INVISIBLE: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{034F}', '\u{034F}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{2028}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FDD0}', '\u{FDEF}'),
    ('\u{FE00}', '\u{FE0F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFFB}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

fn invisible(c: char) -> bool {
    c.is_control()
        || INVISIBLE
            .iter()
            .any(|(from, to)| (*from..=*to).contains(&c))
        || (c as u32 & 0xFFFE) == 0xFFFE
}

/// What [`DisplayName::parse`] takes, as a JSON-schema pattern: at most [`MAX_NAME_CHARS`]
/// characters, no control or invisible one, but white space at either end (trimmed). The Basic
/// Multilingual Plane's are written as `\uXXXX` escapes, which every regular-expression dialect
/// a schema meets reads alike; those beyond it as themselves, for the same reason.
pub fn input_pattern() -> String {
    let mut class = String::from(r"\u0000-\u001f\u007f-\u009f");
    for &(from, to) in INVISIBLE {
        if u32::from(to) <= 0xFFFF {
            class.push_str(&format!(
                r"\u{:04x}-\u{:04x}",
                u32::from(from),
                u32::from(to)
            ));
        } else {
            class.extend([from, '-', to]);
        }
    }
    class.push_str(r"\ufffe\uffff");
    // the noncharacters: the last two code points of every plane
    for plane in 1..=16u32 {
        class
            .extend([0xFFFE, 0xFFFF].map(|low| char::from_u32(plane << 16 | low).expect("a char")));
    }
    // white space at either end is trimmed away first
    let space = super::TRIMMED_SPACE;
    format!("^{space}[^{class}]{{0,{MAX_NAME_CHARS}}}{space}$")
}

impl DisplayName {
    /// Reads a typed name: trimmed and normalised to NFC; an empty one is "no name" (`None`).
    pub fn parse(input: &str) -> Result<Option<DisplayName>, NameError> {
        // a bounded look first, so a huge input costs no normalising to refuse
        let input = input.trim();
        if input.len() > MAX_NAME_CHARS * 4 * 4 {
            return Err(NameError::TooLong);
        }
        let name: String = input.nfc().collect();
        if name.is_empty() {
            return Ok(None);
        }
        if name.chars().any(invisible) {
            return Err(NameError::Invisible);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(NameError::TooLong);
        }
        Ok(Some(DisplayName(name)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(s: &str) -> Result<Option<String>, NameError> {
        DisplayName::parse(s).map(|n| n.map(|n| n.as_str().to_owned()))
    }

    #[test]
    fn names_are_trimmed_normalised_and_may_be_empty() {
        assert_eq!(parsed("  Aziza  ").unwrap().as_deref(), Some("Aziza"));
        assert_eq!(parsed("   ").unwrap(), None);
        assert_eq!(parsed("").unwrap(), None);
        // e + combining acute becomes é, one character
        let nfc = parsed("Ame\u{301}lie").unwrap().unwrap();
        assert_eq!(nfc, "Am\u{e9}lie");
        assert_eq!(
            parsed("Gʻulom Oʻrinov").unwrap().as_deref(),
            Some("Gʻulom Oʻrinov")
        );
        assert_eq!(
            parsed("Мария Иванова").unwrap().as_deref(),
            Some("Мария Иванова")
        );
    }

    #[test]
    fn sixty_four_characters_and_no_more() {
        assert!(parsed(&"я".repeat(64)).is_ok());
        assert_eq!(parsed(&"я".repeat(65)), Err(NameError::TooLong));
        // counted after NFC: 64 composed characters typed decomposed still fit
        assert!(parsed(&"e\u{301}".repeat(64)).is_ok());
        assert_eq!(parsed(&"x".repeat(100_000)), Err(NameError::TooLong));
    }

    #[test]
    fn control_and_invisible_characters_are_refused() {
        for bad in [
            "Ali\u{0}",
            "Ali\nVali",
            "Ali\u{200B}",
            "\u{202E}ilA",
            "Ali\u{2066}x",
            "A\u{FEFF}li",
            "\u{3164}",
            "Ali\u{00AD}",
            "x\u{E0041}",
            "Ali\u{7F}",
        ] {
            assert_eq!(parsed(bad), Err(NameError::Invisible), "{bad:?}");
        }
    }
}
