//! What a text message costs: how many SMS segments a text takes, and the origin-bound last
//! line that lets browsers and phones fill the code in.

/// How a text is sent over SMS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 03.38 alphabet: 160 characters in one segment, 153 per segment beyond.
    Gsm7,
    /// Anything else: 70 UTF-16 units in one segment, 67 per segment beyond.
    Ucs2,
}

/// The segments a text takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    pub encoding: Encoding,
    /// Septets (GSM-7, where the extension characters take two) or UTF-16 units (UCS-2).
    pub units: usize,
    pub count: usize,
}

/// GSM 03.38's basic alphabet.
const GSM_BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
/// Its extension table: each takes an escape and itself.
const GSM_EXTENSION: &str = "\u{c}^{}\\[~]|€";

/// How many segments `text` takes, and in which encoding.
pub fn segments(text: &str) -> Segments {
    let gsm: Option<usize> = text
        .chars()
        .map(|c| {
            if GSM_BASIC.contains(c) {
                Some(1)
            } else if GSM_EXTENSION.contains(c) {
                Some(2)
            } else {
                None
            }
        })
        .sum();
    let (encoding, units, single, each) = match gsm {
        Some(septets) => (Encoding::Gsm7, septets, 160, 153),
        None => (Encoding::Ucs2, text.encode_utf16().count(), 70, 67),
    };
    let count = if units <= single {
        1
    } else {
        units.div_ceil(each)
    };
    Segments {
        encoding,
        units,
        count,
    }
}

/// The last line of a message that browsers (WebOTP) and iOS read to offer the code on the
/// site at `host` (with its port when it has one): `@example.com #1234`.
pub fn origin_bound_line(host: &str, code: &str) -> String {
    format!("@{host} #{code}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gsm_texts_count_septets_and_split_at_153() {
        let s = segments(&"a".repeat(160));
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Gsm7, 160, 1));
        assert_eq!(segments(&"a".repeat(161)).count, 2);
        assert_eq!(segments(&"a".repeat(306)).count, 2);
        assert_eq!(segments(&"a".repeat(307)).count, 3);
        // an extension character takes two septets
        assert_eq!(segments(&format!("{}€", "a".repeat(158))).units, 160);
        assert_eq!(segments(&format!("{}€", "a".repeat(159))).count, 2);
    }

    #[test]
    fn anything_else_is_ucs2_and_splits_at_67() {
        let s = segments("Ваш код");
        assert_eq!((s.encoding, s.units, s.count), (Encoding::Ucs2, 7, 1));
        assert_eq!(segments(&"ж".repeat(70)).count, 1);
        assert_eq!(segments(&"ж".repeat(71)).count, 2);
        assert_eq!(segments(&"ж".repeat(135)).count, 3);
        // one character outside the alphabet makes the whole text UCS-2
        assert_eq!(segments(&format!("{}ʻ", "a".repeat(80))).count, 2);
        // a character outside the BMP is two units
        assert_eq!(segments("😀").units, 2);
    }

    #[test]
    fn the_origin_line_is_what_webotp_reads() {
        assert_eq!(
            origin_bound_line("example.com", "1234"),
            "@example.com #1234"
        );
    }
}
