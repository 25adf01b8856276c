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

/// Characters that show nothing, or change how the text around them is shown: controls,
/// bidirectional marks and overrides, zero-width and other invisible formatting characters,
/// the fillers some scripts render as blanks, and noncharacters.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF0}'..='\u{FFFB}' | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}' | '\u{FDD0}'..='\u{FDEF}')
        || (c as u32 & 0xFFFE) == 0xFFFE
}

impl DisplayName {
    /// Reads a typed name: trimmed and normalised to NFC; an empty one is "no name" (`None`).
    pub fn parse(input: &str) -> Result<Option<DisplayName>, NameError> {
        // a bounded look first, so a huge input costs nothing to refuse
        if input.len() > MAX_NAME_CHARS * 4 * 4 {
            return Err(NameError::TooLong);
        }
        let name: String = input.trim().nfc().collect();
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
