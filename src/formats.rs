//! Dates, numbers and relative times in each language's own format, through ICU4X with CLDR's
//! data compiled in: "1 December 2026", "1 декабря 2026 г.", "1-dekabr, 2026"; "100,000" and
//! "100 000"; "5 minutes ago", "5 минут назад". Dates are shown in the service's time zone
//! (`APP_TIME_ZONE`, UTC by default); what is stored stays UTC.

use std::rc::Rc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, TimeZone as _, Timelike};
use chrono_tz::Tz;
use fixed_decimal::Decimal;
use icu_calendar::{Date, Gregorian};
use icu_datetime::{
    FixedCalendarDateTimeFormatter,
    fieldsets::{MD, YMD, YMDT},
    input::{DateTime, Time},
    options::TimePrecision,
};
use icu_decimal::DecimalFormatter;
use icu_experimental::relativetime::{
    RelativeTimeFormatter, RelativeTimeFormatterOptions, options::Numeric,
};
use icu_locale_core::Locale;

/// One language's formatters (built once: building one loads its data).
pub struct Formats {
    date: FixedCalendarDateTimeFormatter<Gregorian, YMD>,
    day_month: FixedCalendarDateTimeFormatter<Gregorian, MD>,
    moment: FixedCalendarDateTimeFormatter<Gregorian, YMDT>,
    number: DecimalFormatter,
    seconds: RelativeTimeFormatter,
    minutes: RelativeTimeFormatter,
    hours: RelativeTimeFormatter,
    days: RelativeTimeFormatter,
}

/// A day or a moment as a person sees it: in their language, and as `<time datetime>` says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shown {
    /// `2026-12-01` or `2026-12-01T14:05+05:00`, in the service's time zone.
    pub iso: String,
    /// "1 December 2026" or "1 Dec 2026, 14:05".
    pub text: String,
}

impl Formats {
    /// The formatters of `lang` (`en`, `ru`, `uz`). English dates are written day first, as in
    /// most of the world ("1 December 2026").
    pub fn new(lang: &str) -> Result<Self, String> {
        let tag = match lang {
            "en" => "en-GB",
            other => other,
        };
        let locale: Locale = tag.parse().map_err(|e| format!("{tag}: {e:?}"))?;
        let err = |what: &str, e: &dyn std::fmt::Debug| format!("{tag} {what}: {e:?}");
        let relative = |make: fn(
            icu_experimental::relativetime::RelativeTimeFormatterPreferences,
            RelativeTimeFormatterOptions,
        )
            -> Result<RelativeTimeFormatter, icu_provider::DataError>| {
            // "now" and "yesterday" where the language has words for them
            let options = RelativeTimeFormatterOptions::default().with_numeric(Numeric::Auto);
            make((&locale).into(), options).map_err(|e| err("relative time", &e))
        };
        Ok(Self {
            date: FixedCalendarDateTimeFormatter::try_new((&locale).into(), YMD::long())
                .map_err(|e| err("dates", &e))?,
            day_month: FixedCalendarDateTimeFormatter::try_new((&locale).into(), MD::medium())
                .map_err(|e| err("days of the month", &e))?,
            moment: FixedCalendarDateTimeFormatter::try_new(
                (&locale).into(),
                YMDT::medium().with_time_precision(TimePrecision::Minute),
            )
            .map_err(|e| err("times", &e))?,
            number: DecimalFormatter::try_new((&locale).into(), Default::default())
                .map_err(|e| err("numbers", &e))?,
            seconds: relative(RelativeTimeFormatter::try_new_long_second)?,
            minutes: relative(RelativeTimeFormatter::try_new_long_minute)?,
            hours: relative(RelativeTimeFormatter::try_new_long_hour)?,
            days: relative(RelativeTimeFormatter::try_new_long_day)?,
        })
    }

    /// A whole number, grouped as the language groups digits.
    pub fn number(&self, n: i64) -> String {
        self.number.format(&Decimal::from(n)).to_string()
    }

    /// The day of the UTC time `at` in `zone`.
    pub fn day(&self, at: NaiveDateTime, zone: Tz) -> Shown {
        self.date(local_day(at, zone))
    }

    /// The UTC time `at` in `zone`, to the minute ("1 Dec 2026, 14:05"), for tables of events.
    pub fn moment(&self, at: NaiveDateTime, zone: Tz) -> Shown {
        let local = zone.from_utc_datetime(&at);
        let naive = local.naive_local();
        let text = match (
            gregorian(naive.date()),
            Time::try_new(naive.hour() as u8, naive.minute() as u8, 0, 0),
        ) {
            (Some(date), Ok(time)) => self.moment.format(&DateTime { date, time }).to_string(),
            _ => naive.format("%Y-%m-%d %H:%M").to_string(),
        };
        Shown {
            iso: iso_minute(&local),
            text,
        }
    }

    /// A day and its month, short, for a chart's axis ("1 Dec").
    pub fn day_month(&self, day: NaiveDate) -> String {
        match gregorian(day) {
            Some(date) => self.day_month.format(&date).to_string(),
            None => day.format("%m-%d").to_string(),
        }
    }

    /// A calendar day as it is ("1 December 2026"), for days that are already days.
    pub fn date(&self, day: NaiveDate) -> Shown {
        Shown {
            iso: day.format("%Y-%m-%d").to_string(),
            text: match gregorian(day) {
                Some(date) => self.date.format(&date).to_string(),
                None => day.to_string(),
            },
        }
    }

    /// How long before `now` `at` was: "5 minutes ago", in the largest whole unit (seconds
    /// under a minute, minutes under an hour, hours under a day, then days), with the
    /// language's words where it has them ("now", "yesterday"); `at` to the minute in `zone`
    /// for `<time datetime>`.
    pub fn ago(&self, at: NaiveDateTime, now: NaiveDateTime, zone: Tz) -> Shown {
        Shown {
            iso: iso_minute(&zone.from_utc_datetime(&at)),
            text: self.ago_text(at, now),
        }
    }

    fn ago_text(&self, at: NaiveDateTime, now: NaiveDateTime) -> String {
        let seconds = (now - at).num_seconds().max(0);
        let (formatter, count) = match seconds {
            s if s < 60 => (&self.seconds, s),
            s if s < 3600 => (&self.minutes, s / 60),
            s if s < 86_400 => (&self.hours, s / 3600),
            s => (&self.days, s / 86_400),
        };
        formatter.format(Decimal::from(-count)).to_string()
    }
}

/// The days of a list's rows, each day written once: rows in time order mostly share theirs
/// (a page of 50 invitees formats one or two days instead of 50).
pub struct Days<'a> {
    formats: &'a Formats,
    zone: Tz,
    last: Option<(NaiveDate, Rc<Shown>)>,
}

impl<'a> Days<'a> {
    pub fn new(formats: &'a Formats, zone: Tz) -> Self {
        Self {
            formats,
            zone,
            last: None,
        }
    }

    /// [`Formats::day`] of `at`, shared with the rows before it of the same day.
    pub fn day(&mut self, at: NaiveDateTime) -> Rc<Shown> {
        let local = local_day(at, self.zone);
        match &self.last {
            Some((day, shown)) if *day == local => shown.clone(),
            _ => {
                let shown = Rc::new(self.formats.date(local));
                self.last = Some((local, shown.clone()));
                shown
            }
        }
    }
}

/// The day of the UTC time `at` in `zone`.
fn local_day(at: NaiveDateTime, zone: Tz) -> NaiveDate {
    zone.from_utc_datetime(&at).date_naive()
}

/// A zone's time to the minute, with its offset: `2026-12-02T02:05+05:00`.
fn iso_minute(local: &chrono::DateTime<Tz>) -> String {
    local.format("%Y-%m-%dT%H:%M%:z").to_string()
}

/// ICU's date of a chrono day (`None` past the years ICU takes).
fn gregorian(day: NaiveDate) -> Option<Date<Gregorian>> {
    Date::try_new_gregorian(day.year(), day.month() as u8, day.day() as u8).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, 0, 0)
            .unwrap()
    }

    #[test]
    fn each_language_writes_dates_numbers_and_times_its_own_way() {
        let [en, ru, uz] = ["en", "ru", "uz"].map(|lang| Formats::new(lang).unwrap());
        let day = at(2026, 12, 1, 12);
        assert_eq!(en.day(day, Tz::UTC).text, "1 December 2026");
        // CLDR keeps "г." with the year by a narrow no-break space
        assert_eq!(ru.day(day, Tz::UTC).text, "1 декабря 2026\u{202f}г.");
        assert_eq!(uz.day(day, Tz::UTC).text, "1-dekabr, 2026");
        assert_eq!(en.day(day, Tz::UTC).iso, "2026-12-01");
        assert_eq!(en.number(100_000), "100,000");
        assert_eq!(ru.number(100_000), "100\u{a0}000");
        assert_eq!(uz.number(100_000), "100\u{a0}000");
        assert_eq!(en.number(7), "7");
        let now = at(2026, 12, 1, 12);
        use chrono::TimeDelta as D;
        for (f, before, text) in [
            (&en, D::minutes(5), "5 minutes ago"),
            (&ru, D::minutes(5), "5 минут назад"),
            (&en, D::hours(3), "3 hours ago"),
            (&en, D::days(2), "2 days ago"),
            (&en, D::days(1), "yesterday"),
            (&ru, D::days(1), "вчера"),
            (&en, D::zero(), "now"),
        ] {
            assert_eq!(f.ago_text(now - before, now), text);
        }
    }

    #[test]
    fn a_day_is_the_day_in_the_services_time_zone() {
        let en = Formats::new("en").unwrap();
        // 21:30 UTC on 1 December is already 2 December in Tashkent (UTC+5)
        let late = at(2026, 12, 1, 21);
        let tashkent: Tz = "Asia/Tashkent".parse().unwrap();
        let shown = en.day(late, tashkent);
        assert_eq!(
            (&*shown.iso, &*shown.text),
            ("2026-12-02", "2 December 2026")
        );
        assert_eq!(en.day(late, Tz::UTC).iso, "2026-12-01");
    }

    #[test]
    fn a_list_of_days_writes_each_as_one_day_does() {
        let ru = Formats::new("ru").unwrap();
        let tashkent: Tz = "Asia/Tashkent".parse().unwrap();
        let mut days = Days::new(&ru, tashkent);
        // across Tashkent's midnight (19:00 UTC), back and forth
        for hour in [12, 18, 19, 23, 18, 3] {
            let at = at(2026, 12, 1, hour);
            assert_eq!(*days.day(at), ru.day(at, tashkent), "{hour}");
        }
    }

    #[test]
    fn a_moment_is_to_the_minute_with_its_offset() {
        let [en, ru, uz] = ["en", "ru", "uz"].map(|lang| Formats::new(lang).unwrap());
        let tashkent: Tz = "Asia/Tashkent".parse().unwrap();
        let at = at(2026, 12, 1, 21) + chrono::TimeDelta::seconds(5 * 60 + 59);
        let shown = en.moment(at, tashkent);
        assert_eq!(
            (&*shown.iso, &*shown.text),
            ("2026-12-02T02:05+05:00", "2 Dec 2026, 02:05")
        );
        assert_eq!(en.moment(at, Tz::UTC).iso, "2026-12-01T21:05+00:00");
        assert_eq!(ru.moment(at, Tz::UTC).text, "1 дек. 2026\u{202f}г., 21:05");
        assert_eq!(uz.moment(at, Tz::UTC).text, "1-dek, 2026, 21:05");
        let day = at.date();
        assert_eq!(en.day_month(day), "1 Dec");
        assert_eq!(ru.day_month(day), "1 дек.");
        assert_eq!(uz.day_month(day), "1-dek");
    }
}
