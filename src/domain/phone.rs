//! `PhoneNumber`: the only way a phone number gets into the system, parsed with libphonenumber.

use std::fmt;

use phonenumber::{Mode, Type, country};

/// Longest input we look at; anything longer is refused before parsing.
pub const MAX_INPUT_CHARS: usize = 32;
/// What the parser takes before it asks libphonenumber, as a JSON-schema pattern (with
/// [`MAX_INPUT_CHARS`]): a leading `+`, up to 15 digits, spaces, dashes, dots and brackets.
/// Whether the digits make a number that receives texts is the parser's to say.
pub fn input_pattern() -> String {
    let space = super::TRIMMED_SPACE;
    format!(r"^{space}\+?[ ().-]*([0-9][ ().-]*){{1,{MAX_DIGITS}}}{space}$")
}
/// E.164 allows at most 15 digits.
const MAX_DIGITS: usize = 15;

/// Why a phone number was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("empty")]
    Empty,
    #[error("characters other than digits, spaces, dashes, dots, brackets and a leading +")]
    Characters,
    #[error("too long")]
    TooLong,
    #[error("no country code")]
    NeedsPlus,
    #[error("not a valid number")]
    Invalid,
    /// Valid, but of a kind that cannot receive text messages (fixed line, premium rate,
    /// shared cost, toll free, pager, UAN, voicemail, …).
    #[error("cannot receive text messages")]
    NotTextable,
    /// A region the service does not send codes to (`PHONE_ALLOWED_REGIONS`).
    #[error("not in a region codes are sent to")]
    RegionNotServed,
}

/// Which numbers the service takes: how national input is read (`PHONE_DEFAULT_REGION`), and
/// which regions get codes (`PHONE_ALLOWED_REGIONS`; `None` for all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhonePolicy {
    pub default_region: Option<country::Id>,
    pub allowed_regions: Option<Vec<country::Id>>,
}

impl PhonePolicy {
    /// Parses what a person typed ([`PhoneNumber::parse`]), then refuses a region that gets no
    /// codes.
    pub fn parse(&self, input: &str) -> Result<PhoneNumber, PhoneError> {
        let phone = PhoneNumber::parse(input, self.default_region)?;
        match &self.allowed_regions {
            Some(allowed) if !phone.region().is_some_and(|r| allowed.contains(&r)) => {
                Err(PhoneError::RegionNotServed)
            }
            _ => Ok(phone),
        }
    }
}

/// A valid phone number that can receive texts, held in E.164 form (`+998901234567`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses what a person typed. Without `default_region` a leading `+` is required.
    pub fn parse(input: &str, default_region: Option<country::Id>) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        // counted as typed, so a schema can say it (`maxLength`)
        if input.chars().count() > MAX_INPUT_CHARS {
            return Err(PhoneError::TooLong);
        }
        let input = trimmed;
        // libphonenumber would quietly accept letters (vanity numbers) and non-ASCII digits;
        // a sign-in form should not.
        let allowed = |(i, c): (usize, char)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.') || (c == '+' && i == 0)
        };
        if !input.char_indices().all(allowed) {
            return Err(PhoneError::Characters);
        }
        let digits = input.chars().filter(char::is_ascii_digit).count();
        if digits > MAX_DIGITS {
            return Err(PhoneError::TooLong);
        }
        if digits == 0 {
            return Err(PhoneError::Invalid);
        }
        let international = input.starts_with('+');
        if !international && default_region.is_none() {
            return Err(PhoneError::NeedsPlus);
        }
        let region = if international { None } else { default_region };
        let number = phonenumber::parse(region, input).map_err(|_| PhoneError::Invalid)?;
        if !phonenumber::is_valid(&number) {
            return Err(PhoneError::Invalid);
        }
        // only numbers that receive texts: a code sent to a premium-rate or shared-cost number
        // is paid for twice, and one to a fixed line never arrives
        match number.number_type(&phonenumber::metadata::DATABASE) {
            Type::Mobile | Type::FixedLineOrMobile => {}
            _ => return Err(PhoneError::NotTextable),
        }
        Ok(Self(number.format().mode(Mode::E164).to_string()))
    }

    /// The number's region (`UZ`), if libphonenumber knows it.
    pub fn region(&self) -> Option<country::Id> {
        phonenumber::parse(None, &self.0).ok()?.country().id()
    }

    /// All but the last 4 digits: numbers that share it are usually one operator's block, so
    /// a budget per prefix caps texts pumped to a range of numbers.
    pub fn prefix(&self) -> &str {
        &self.0[..self.0.len().saturating_sub(4)]
    }

    /// Wraps a value read back from the database, where only parsed numbers are stored.
    pub fn from_e164_unchecked(e164: String) -> Self {
        Self(e164)
    }

    /// The last two digits, as a notice names a number without giving it away.
    pub fn ending(&self) -> String {
        let e164 = self.as_e164();
        e164[e164.len().saturating_sub(2)..].to_owned()
    }

    pub fn as_e164(&self) -> &str {
        &self.0
    }

    /// The number grouped for reading (`+998 90 123 45 67`).
    pub fn display(&self) -> String {
        display_e164(&self.0)
    }
}

/// How people see the numbers of those who entered their code (`INVITEE_PHONE_DISPLAY`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PhoneDisplay {
    /// The whole number.
    #[default]
    Full,
    /// The country code and the last two digits: `+998 •••••••67`.
    Masked,
}

impl PhoneDisplay {
    /// `full` or `masked`.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim() {
            "full" => Some(Self::Full),
            "masked" => Some(Self::Masked),
            _ => None,
        }
    }

    /// A stored E.164 number as this setting shows it (grouped for reading when whole).
    pub fn show(self, e164: &str) -> String {
        match self {
            Self::Full => display_e164(e164),
            Self::Masked => mask_e164(e164),
        }
    }
}

/// A stored E.164 number with all but its country code and last two digits hidden:
/// `+998 •••••••67` (a number libphonenumber cannot read keeps only its last two digits).
pub fn mask_e164(e164: &str) -> String {
    let digits = e164.trim_start_matches('+');
    let code = phonenumber::parse(None, e164)
        .ok()
        .map(|n| n.code().value().to_string())
        .filter(|code| digits.starts_with(code.as_str()));
    let (shown, national) = match &code {
        Some(code) => (format!("+{code} "), &digits[code.len()..]),
        None => (String::new(), digits),
    };
    let hidden = national.chars().count().saturating_sub(2);
    let last: String = national.chars().skip(hidden).collect();
    format!("{shown}{}{last}", "•".repeat(hidden))
}

/// Groups a stored E.164 number for reading; falls back to the raw value.
pub fn display_e164(e164: &str) -> String {
    display_e164_shared(e164).to_string()
}

/// [`display_e164`] without a copy, for lists.
///
/// Formatting parses the number with libphonenumber, which is slow next to everything else a
/// page does, and a page shows fifty numbers: results are kept in a small cache per thread (no
/// lock between the server's workers; cleared when full).
pub fn display_e164_shared(e164: &str) -> std::rc::Rc<str> {
    use std::{cell::RefCell, collections::HashMap, rc::Rc};
    const CAPACITY: usize = 20_000;
    thread_local! {
        static CACHE: RefCell<HashMap<Box<str>, Rc<str>>> = RefCell::default();
    }
    if let Some(hit) = CACHE.with_borrow(|c| c.get(e164).cloned()) {
        return hit;
    }
    let shown: Rc<str> = match phonenumber::parse(None, e164) {
        Ok(n) => n.format().mode(Mode::International).to_string().into(),
        Err(_) => e164.into(),
    };
    CACHE.with_borrow_mut(|cache| {
        if cache.len() >= CAPACITY {
            cache.clear();
        }
        cache.insert(e164.into(), shown.clone());
    });
    shown
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.0)
    }
}

/// An example of the expected format, for the form hint: a mobile number of the default region
/// in national form, or an international one.
pub fn example(default_region: Option<country::Id>) -> String {
    let region: &str = match &default_region {
        Some(r) => r.as_ref(),
        None => "UZ",
    };
    let example = phonenumber::metadata::DATABASE.by_id(region).and_then(|m| {
        m.descriptors()
            .mobile()
            .and_then(|d| d.example())
            .map(|e| (m.country_code(), e.to_owned()))
    });
    match example {
        Some((cc, national)) => {
            let full = format!("+{cc}{national}");
            match phonenumber::parse(None, &full) {
                Ok(n) if default_region.is_some() => n.format().mode(Mode::National).to_string(),
                Ok(n) => n.format().mode(Mode::International).to_string(),
                Err(_) => full,
            }
        }
        None => "+998 90 123 45 67".to_owned(),
    }
}

/// Loads the phone-number metadata now rather than on the first request.
pub fn preload_metadata() {
    let _ = phonenumber::metadata::DATABASE.by_id("UZ");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn parse(s: &str) -> Result<String, PhoneError> {
        PhoneNumber::parse(s, None).map(|p| p.as_e164().to_owned())
    }

    #[test]
    fn a_masked_number_keeps_its_country_code_and_last_two_digits() {
        assert_eq!(mask_e164("+998901234567"), "+998 •••••••67");
        assert_eq!(mask_e164("+79123456789"), "+7 ••••••••89");
        assert_eq!(mask_e164("+447400123456"), "+44 ••••••••56");
        assert_eq!(mask_e164("12"), "12");
        assert_eq!(PhoneDisplay::Masked.show("+998901234567"), "+998 •••••••67");
        assert_eq!(
            PhoneDisplay::Full.show("+998901234567"),
            "+998 90 123 45 67"
        );
        assert_eq!(PhoneDisplay::parse(" masked "), Some(PhoneDisplay::Masked));
        assert_eq!(PhoneDisplay::parse("full"), Some(PhoneDisplay::Full));
        assert_eq!(PhoneDisplay::parse("hidden"), None);
    }

    #[test]
    fn international_numbers_are_stored_in_e164() {
        assert_eq!(parse("+998 90 123-45-67").unwrap(), "+998901234567");
        assert_eq!(parse("  +7 (912) 345-67-89 ").unwrap(), "+79123456789");
        assert_eq!(parse("+44 7400 123456").unwrap(), "+447400123456");
    }

    #[test]
    fn bad_input_is_refused_with_its_reason() {
        assert_eq!(parse(""), Err(PhoneError::Empty));
        assert_eq!(parse("   "), Err(PhoneError::Empty));
        assert_eq!(parse("+"), Err(PhoneError::Invalid));
        assert_eq!(parse("+998 abc"), Err(PhoneError::Characters));
        assert_eq!(parse("+1-800-FLOWERS"), Err(PhoneError::Characters));
        assert_eq!(parse("+12"), Err(PhoneError::Invalid));
        assert_eq!(
            parse(&format!("+{}", "1".repeat(30))),
            Err(PhoneError::TooLong)
        );
        assert_eq!(parse("+٩٩٨٩٠١٢٣٤٥٦٧"), Err(PhoneError::Characters));
        assert_eq!(
            parse("+９９８９０１２３４５６７"),
            Err(PhoneError::Characters)
        );
        assert_eq!(parse("90 123 45 67"), Err(PhoneError::NeedsPlus));
        assert_eq!(
            parse("+1 555 000 0000"),
            Err(PhoneError::Invalid),
            "valid-looking but unassigned"
        );
        assert_eq!(
            parse("+99 1234567"),
            Err(PhoneError::Invalid),
            "no such country code"
        );
        assert_eq!(parse("9+98901234567"), Err(PhoneError::Characters));
    }

    #[test]
    fn only_numbers_that_receive_texts_are_taken() {
        // mobile, and the US's fixed-line-or-mobile
        assert!(parse("+998 90 123 45 67").is_ok());
        assert!(parse("+1 650 253 0000").is_ok());
        for (number, what) in [
            ("+998 71 123 45 67", "Tashkent fixed line"),
            ("+44 20 7946 0000", "London fixed line"),
            ("+44 909 876 5432", "UK premium rate"),
            ("+44 845 464 7000", "UK shared cost"),
            ("+44 800 123 4567", "UK toll free"),
            ("+1 800 253 0000", "US toll free"),
            ("+1 900 253 0000", "US premium rate"),
            ("+44 76 2345 6789", "UK pager"),
            ("+44 55 1234 5678", "UK corporate (UAN)"),
        ] {
            assert_eq!(parse(number), Err(PhoneError::NotTextable), "{what}");
        }
    }

    #[test]
    fn the_allowed_regions_are_the_only_ones_served() {
        let uz = country::Id::from_str("UZ").unwrap();
        let policy = PhonePolicy {
            default_region: Some(uz),
            allowed_regions: Some(vec![uz, country::Id::from_str("KZ").unwrap()]),
        };
        assert_eq!(
            policy.parse("90 123 45 67").unwrap().as_e164(),
            "+998901234567"
        );
        assert!(policy.parse("+7 701 123 45 67").is_ok(), "Kazakhstan");
        assert_eq!(
            policy.parse("+7 912 345 67 89"),
            Err(PhoneError::RegionNotServed),
            "Russia shares +7"
        );
        assert_eq!(
            policy.parse("+44 7400 123456"),
            Err(PhoneError::RegionNotServed)
        );
        assert_eq!(policy.parse(""), Err(PhoneError::Empty));
        assert!(PhonePolicy::default().parse("+44 7400 123456").is_ok());
        let p = PhoneNumber::parse("+998901234567", None).unwrap();
        assert_eq!(p.region(), Some(uz));
        assert_eq!(p.prefix(), "+99890123");
    }

    #[test]
    fn national_format_uses_the_default_region() {
        let uz = country::Id::from_str("UZ").unwrap();
        let p = PhoneNumber::parse("90 123 45 67", Some(uz)).unwrap();
        assert_eq!(p.as_e164(), "+998901234567");
        let p = PhoneNumber::parse("+7 912 345 67 89", Some(uz)).unwrap();
        assert_eq!(p.as_e164(), "+79123456789", "an explicit country code wins");
    }

    #[test]
    fn display_groups_digits() {
        assert_eq!(display_e164("+998901234567"), "+998 90 123 45 67");
    }

    #[test]
    fn example_is_a_valid_number() {
        let e = example(None);
        assert!(PhoneNumber::parse(&e, None).is_ok(), "{e}");
        let uz = country::Id::from_str("UZ").unwrap();
        let e = example(Some(uz));
        assert!(PhoneNumber::parse(&e, Some(uz)).is_ok(), "{e}");
    }
}
