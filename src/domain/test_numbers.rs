//! Test numbers (`TEST_PHONE_NUMBERS`): numbers that sign in with a fixed code, never sent, until
//! an end date — for app-store review and for monitoring that signs in from outside. Every other
//! rule (limits, tries, the day budget of guesses) applies to them as to anyone.

use chrono::NaiveDate;

use super::{
    otp::OtpCode,
    phone::{PhoneError, PhoneNumber},
};

/// One test number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestNumber {
    /// E.164.
    pub phone: String,
    pub code: OtpCode,
    /// The last day (UTC) its fixed code works.
    pub until: NaiveDate,
}

/// Why `TEST_PHONE_NUMBERS` could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TestNumberError {
    #[error("`{0}` is not NUMBER:CODE:YYYY-MM-DD")]
    Shape(String),
    #[error("`{0}` is not a phone number that receives texts ({1})")]
    Phone(String, PhoneError),
    #[error("the code of {0} must be 4 to 8 digits")]
    Code(String),
    #[error("`{0}` is not a date like 2027-01-31")]
    Date(String),
}

/// The test numbers in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestNumbers(Vec<TestNumber>);

impl TestNumbers {
    /// Reads `+998901234567:1234:2027-01-31,+998901234568:567890:2027-01-31`.
    pub fn parse(list: &str) -> Result<Self, TestNumberError> {
        let mut numbers = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let mut parts = entry.split(':').map(str::trim);
            let (Some(phone), Some(code), Some(until), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(TestNumberError::Shape(entry.to_owned()));
            };
            let phone = PhoneNumber::parse(phone, None)
                .map_err(|e| TestNumberError::Phone(phone.to_owned(), e))?;
            let code = OtpCode::parse(code, 4)
                .map_err(|_| TestNumberError::Code(phone.as_e164().to_owned()))?;
            let until = NaiveDate::parse_from_str(until, "%Y-%m-%d")
                .map_err(|_| TestNumberError::Date(until.to_owned()))?;
            numbers.push(TestNumber {
                phone: phone.as_e164().to_owned(),
                code,
                until,
            });
        }
        Ok(Self(numbers))
    }

    pub fn all(&self) -> &[TestNumber] {
        &self.0
    }

    /// The fixed code of `phone` on `today`, if it is a test number still in force.
    pub fn fixed_code(&self, phone: &str, today: NaiveDate) -> Option<&OtpCode> {
        self.in_force(phone, today).map(|t| &t.code)
    }

    /// The test number `phone`, if it is one still in force on `today`.
    pub fn in_force(&self, phone: &str, today: NaiveDate) -> Option<&TestNumber> {
        self.0.iter().find(|t| t.phone == phone && today <= t.until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_list_reads_and_ends_on_its_day() {
        let t = TestNumbers::parse(
            " +998 90 123 45 67:123456:2027-01-31 , +998901234568:4321:2026-12-31",
        )
        .unwrap();
        assert_eq!(t.all().len(), 2);
        let fixed = |p, d| t.fixed_code(p, day(d)).map(|c| c.as_str().to_owned());
        assert_eq!(
            fixed("+998901234567", "2027-01-31").as_deref(),
            Some("123456")
        );
        assert_eq!(fixed("+998901234567", "2027-02-01"), None, "over");
        assert_eq!(
            fixed("+998901234568", "2026-12-01").as_deref(),
            Some("4321")
        );
        assert_eq!(
            fixed("+998901234569", "2026-12-01"),
            None,
            "not a test number"
        );
        assert_eq!(TestNumbers::parse("").unwrap().all().len(), 0);
    }

    #[test]
    fn a_bad_entry_says_what_is_wrong() {
        let e = |s| TestNumbers::parse(s).unwrap_err();
        assert!(matches!(e("+998901234567:1234"), TestNumberError::Shape(_)));
        assert!(matches!(
            e("+99890:1234:2027-01-31"),
            TestNumberError::Phone(..)
        ));
        assert!(matches!(
            e("+998901234567:12a4:2027-01-31"),
            TestNumberError::Code(_)
        ));
        assert!(matches!(
            e("+998901234567:123:2027-01-31"),
            TestNumberError::Code(_)
        ));
        assert!(matches!(
            e("+998901234567:1234:31.01.2027"),
            TestNumberError::Date(_)
        ));
    }
}
