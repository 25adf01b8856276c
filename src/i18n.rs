//! Translations: Fluent bundles for every language in `locales/`, and choosing a language.

use std::{collections::HashMap, sync::Arc};

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue, concurrent::FluentBundle};
use unic_langid::LanguageIdentifier;

use crate::formats::Formats;
pub use crate::formats::Shown;

/// Languages offered, in switcher order: (code, own name).
pub const LANGUAGES: &[(&str, &str)] = &[("en", "English"), ("ru", "Русский"), ("uz", "Oʻzbekcha")];
pub const DEFAULT_LANGUAGE: &str = "en";
/// Cookie that remembers the switcher's choice.
pub const LANG_COOKIE: &str = "lang";

/// Every `.ftl` file, per language, embedded in the binary.
const SOURCES: &[(&str, &str, &str)] = &[
    ("en", "main.ftl", include_str!("../locales/en/main.ftl")),
    ("ru", "main.ftl", include_str!("../locales/ru/main.ftl")),
    ("uz", "main.ftl", include_str!("../locales/uz/main.ftl")),
];

/// The loaded bundles, each language's formats of dates and numbers, and the time zone dates
/// are shown in.
pub struct Locales {
    bundles: HashMap<&'static str, FluentBundle<FluentResource>>,
    /// Messages without arguments, formatted once at start-up: most strings of a page.
    plain: HashMap<&'static str, HashMap<String, String>>,
    formats: HashMap<&'static str, Formats>,
    /// `APP_TIME_ZONE`.
    zone: Tz,
}

impl Locales {
    /// Parses every embedded file; a syntax error or duplicate id is reported, not ignored.
    pub fn load() -> Result<Self, String> {
        let mut bundles = HashMap::new();
        for (code, _) in LANGUAGES {
            let langid: LanguageIdentifier = code.parse().map_err(|e| format!("{code}: {e}"))?;
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            // Unicode isolation marks around arguments are noise in HTML and SMS text.
            bundle.set_use_isolating(false);
            for (_, file, source) in SOURCES.iter().filter(|(c, _, _)| c == code) {
                let resource = FluentResource::try_new((*source).to_owned())
                    .map_err(|(_, errors)| format!("locales/{code}/{file}: {errors:?}"))?;
                bundle
                    .add_resource(resource)
                    .map_err(|errors| format!("locales/{code}/{file}: {errors:?}"))?;
            }
            bundles.insert(*code, bundle);
        }
        let mut plain: HashMap<&'static str, HashMap<String, String>> = HashMap::new();
        for (code, _) in LANGUAGES {
            let bundle = &bundles[code];
            let cached = plain.entry(*code).or_default();
            for id in Self::ids(code) {
                if let Some(pattern) = bundle.get_message(&id).and_then(|m| m.value()) {
                    let mut errors = Vec::new();
                    let text = bundle.format_pattern(pattern, None, &mut errors);
                    // a message that needs arguments reports errors without them: not cached
                    if errors.is_empty() {
                        cached.insert(id, text.into_owned());
                    }
                }
            }
        }
        let mut formats = HashMap::new();
        for (code, _) in LANGUAGES {
            formats.insert(*code, Formats::new(code)?);
        }
        Ok(Self {
            bundles,
            plain,
            formats,
            zone: Tz::UTC,
        })
    }

    /// Shows dates in `zone` (`APP_TIME_ZONE`).
    pub fn in_zone(mut self, zone: Tz) -> Self {
        self.zone = zone;
        self
    }

    /// The message `id` in `lang`, falling back to English, then to the id itself.
    pub fn format(&self, lang: &str, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        if args.is_none() {
            for candidate in [lang, DEFAULT_LANGUAGE] {
                if let Some(text) = self.plain.get(candidate).and_then(|m| m.get(id)) {
                    return text.clone();
                }
            }
        }
        for candidate in [lang, DEFAULT_LANGUAGE] {
            let Some(bundle) = self.bundles.get(candidate) else {
                continue;
            };
            if let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) {
                let mut errors = Vec::new();
                let text = bundle.format_pattern(pattern, args, &mut errors);
                if !errors.is_empty() {
                    log::warn!("translation {candidate}/{id}: {errors:?}");
                }
                return text.into_owned();
            }
        }
        log::warn!("missing translation {lang}/{id}");
        id.to_owned()
    }

    /// Whether `lang` has a message `id` of its own.
    pub fn has(&self, lang: &str, id: &str) -> bool {
        self.bundles.get(lang).is_some_and(|b| b.has_message(id))
    }

    /// Every message id of one language.
    pub fn ids(lang: &str) -> Vec<String> {
        SOURCES
            .iter()
            .filter(|(c, _, _)| *c == lang)
            .flat_map(|(_, _, src)| {
                src.lines()
                    .filter(|l| l.starts_with(|c: char| c.is_ascii_lowercase()))
                    .filter_map(|l| l.split_once('=').map(|(id, _)| id.trim().to_owned()))
            })
            .collect()
    }
}

/// A translator bound to one language, handed to templates.
#[derive(Clone)]
pub struct Tr {
    locales: Arc<Locales>,
    pub lang: &'static str,
}

impl Tr {
    pub fn new(locales: Arc<Locales>, lang: &'static str) -> Self {
        Self { locales, lang }
    }

    pub fn t(&self, id: &str) -> String {
        self.locales.format(self.lang, id, None)
    }

    /// A message with arguments.
    pub fn args<'a>(&self, id: &str, args: &[(&'a str, FluentValue<'a>)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.locales.format(self.lang, id, Some(&fa))
    }

    fn formats(&self) -> &Formats {
        self.locales
            .formats
            .get(self.lang)
            .unwrap_or_else(|| &self.locales.formats[DEFAULT_LANGUAGE])
    }

    /// A whole number with the language's digit grouping (`100,000`; `100 000` in Russian).
    pub fn number(&self, n: i64) -> String {
        self.formats().number(n)
    }

    /// The day of the UTC time `at`, in the service's time zone and the language's format.
    pub fn day(&self, at: NaiveDateTime) -> Shown {
        self.formats().day(at, self.locales.zone)
    }

    /// A calendar day ("1 December 2026").
    pub fn date(&self, day: chrono::NaiveDate) -> Shown {
        self.formats().date(day)
    }

    /// [`Tr::day`] for the rows of a list, each day written once.
    pub fn days(&self) -> crate::formats::Days<'_> {
        crate::formats::Days::new(self.formats(), self.locales.zone)
    }

    /// A day and its month, short ("1 Dec").
    pub fn day_month(&self, day: chrono::NaiveDate) -> String {
        self.formats().day_month(day)
    }

    /// The UTC time `at` to the minute, in the service's time zone and the language's format.
    pub fn moment(&self, at: NaiveDateTime) -> Shown {
        self.formats().moment(at, self.locales.zone)
    }

    /// "5 minutes ago": how long before `now` the UTC time `at` was (and `at`, to the minute,
    /// for `<time datetime>`).
    pub fn ago(&self, at: NaiveDateTime, now: NaiveDateTime) -> Shown {
        self.formats().ago(at, now, self.locales.zone)
    }

    /// "Try again in …", in seconds below two minutes and in minutes above.
    pub fn retry_after(&self, seconds: i64) -> String {
        if seconds < 120 {
            self.args("retry-in-seconds", &[("seconds", seconds.into())])
        } else {
            self.args(
                "retry-in-minutes",
                &[("minutes", ((seconds + 59) / 60).into())],
            )
        }
    }
}

/// Picks the language: the cookie if it names a supported one, then `Accept-Language` in order
/// of preference, then English.
pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> &'static str {
    if let Some(lang) = cookie.and_then(supported) {
        return lang;
    }
    let mut wanted: Vec<(f32, usize, &str)> = accept_language
        .unwrap_or("")
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0 && !tag.is_empty()).then_some((q, i, tag))
        })
        .collect();
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    wanted
        .into_iter()
        .find_map(|(_, _, tag)| supported(tag.split(['-', '_']).next().unwrap_or(tag)))
        .unwrap_or(DEFAULT_LANGUAGE)
}

/// The supported language code equal to `code` (case-insensitive).
pub fn supported(code: &str) -> Option<&'static str> {
    LANGUAGES
        .iter()
        .map(|(c, _)| *c)
        .find(|c| c.eq_ignore_ascii_case(code.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_loads() {
        let l = Locales::load().unwrap();
        for (code, _) in LANGUAGES {
            assert!(l.has(code, "app-name"), "{code}");
        }
    }

    #[test]
    fn every_id_exists_in_every_language() {
        let en = Locales::ids("en");
        assert!(en.len() > 20);
        for (code, _) in LANGUAGES {
            let ids = Locales::ids(code);
            let missing: Vec<_> = en.iter().filter(|id| !ids.contains(id)).collect();
            let extra: Vec<_> = ids.iter().filter(|id| !en.contains(id)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{code}: missing {missing:?}, extra {extra:?}"
            );
        }
    }

    /// Prefixes of message ids; a string literal starting with one of them is a message id.
    const ID_PREFIXES: &[&str] = &[
        "app-", "nav-", "skip-", "error-", "login-", "phone-", "code-", "retry-", "sms-",
        "profile-", "invite-", "problem-", "admin-",
    ];

    /// Every message id used in templates (`t("…")`) and Rust sources (string literals that look
    /// like ids), from the files on disk.
    fn used_ids() -> Vec<(String, String)> {
        fn walk(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, ext, out);
                } else if path.extension().is_some_and(|e| e == ext) {
                    out.push(path);
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        walk(&root.join("templates"), "html", &mut files);
        walk(&root.join("src"), "rs", &mut files);
        let mut ids = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let literals: Vec<&str> = if file.extension().is_some_and(|e| e == "html") {
                // in templates only `t("…")` names a message (ids and classes look alike)
                text.split("t(\"")
                    .skip(1)
                    .filter_map(|s| s.split('"').next())
                    .collect()
            } else {
                // the odd pieces between double quotes are the string literals
                text.split('"').skip(1).step_by(2).collect()
            };
            for literal in literals {
                let is_id = literal.len() > 3
                    && literal
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && ID_PREFIXES.iter().any(|p| literal.starts_with(p));
                if is_id && !ID_PREFIXES.contains(&literal) {
                    ids.push((file.display().to_string(), literal.to_owned()));
                }
            }
        }
        ids
    }

    #[test]
    fn every_id_used_in_templates_and_code_exists_in_every_language() {
        let locales = Locales::load().unwrap();
        let used = used_ids();
        assert!(used.len() > 150, "the scan finds the ids: {}", used.len());
        for sample in [
            "phone-error-empty",
            "invite-error-cycle",
            "admin-users-found",
            "problem-unauthorized",
            "code-wrong",
            "login-title",
        ] {
            assert!(
                used.iter().any(|(_, id)| id == sample),
                "the scan misses `{sample}`"
            );
        }
        for (file, id) in &used {
            for (lang, _) in LANGUAGES {
                assert!(
                    locales.has(lang, id),
                    "{file} uses `{id}`, which locales/{lang} lacks"
                );
            }
        }
    }

    #[test]
    fn every_id_built_at_run_time_exists_in_every_language() {
        use crate::domain::{account::Outcome, outbox::Channel, staff::Action};
        let mut ids = Vec::new();
        for code in [400, 403, 404, 405, 413, 429, 500, 503] {
            ids.push(format!("error-{code}-title"));
            ids.push(format!("error-{code}-text"));
        }
        for status in [400, 401, 403, 404, 405, 409, 413, 415, 422, 429, 500, 503] {
            ids.push(format!("problem-title-{status}"));
        }
        for action in Action::ON_THE_PAGES {
            for kind in ["action", "confirm", "done"] {
                ids.push(format!("admin-{kind}-{}", action.slug()));
            }
        }
        for action in Action::ALL {
            ids.push(format!(
                "admin-audit-action-{}",
                action.as_str().replace('_', "-")
            ));
        }
        for outcome in Outcome::ALL {
            ids.push(format!(
                "admin-outcome-{}",
                outcome.as_str().replace('_', "-")
            ));
        }
        for channel in [Channel::Sms, Channel::Email] {
            ids.push(format!("admin-outbox-channel-{}", channel.as_str()));
        }
        let locales = Locales::load().unwrap();
        for id in ids {
            for (lang, _) in LANGUAGES {
                assert!(locales.has(lang, &id), "locales/{lang} lacks `{id}`");
            }
        }
    }

    #[test]
    fn cookie_beats_header_and_header_order_is_respected() {
        assert_eq!(negotiate(Some("ru"), Some("en")), "ru");
        assert_eq!(negotiate(Some("xx"), Some("ru-RU,ru;q=0.9")), "ru");
        assert_eq!(negotiate(None, Some("de-DE, ru;q=0.5, en;q=0.8")), "en");
        assert_eq!(negotiate(None, Some("de, ru;q=0.5")), "ru");
        assert_eq!(negotiate(None, Some("ru;q=0")), "en");
        assert_eq!(negotiate(None, Some("garbage;;;q=x")), "en");
        assert_eq!(negotiate(None, None), "en");
    }

    #[test]
    fn numbers_are_grouped_per_language() {
        let locales = Arc::new(Locales::load().unwrap());
        let en = Tr::new(locales.clone(), "en");
        let ru = Tr::new(locales, "ru");
        assert_eq!(en.number(0), "0");
        assert_eq!(en.number(999), "999");
        assert_eq!(en.number(1000), "1,000");
        assert_eq!(en.number(100_000), "100,000");
        assert_eq!(en.number(-1_234_567), "-1,234,567");
        assert_eq!(ru.number(100_000), "100\u{a0}000");
    }

    #[test]
    fn russian_plurals_come_from_fluent() {
        let tr = Tr::new(Arc::new(Locales::load().unwrap()), "ru");
        assert_eq!(tr.retry_after(1), "Повторите через 1 секунду.");
        assert_eq!(tr.retry_after(3), "Повторите через 3 секунды.");
        assert_eq!(tr.retry_after(5), "Повторите через 5 секунд.");
        assert_eq!(tr.retry_after(21 * 60), "Повторите через 21 минуту.");
    }
}
