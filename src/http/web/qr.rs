//! QR codes drawn on the server as inline SVG: the `qrcode` crate makes the modules, this draws
//! them as one path (a rectangle per run of dark modules in a row) inside the standard's quiet
//! zone. The SVG is hidden from assistive technology; the page names it (`role="img"` and a
//! label on its container).

use std::{
    fmt::Write as _,
    num::NonZeroUsize,
    sync::{Arc, LazyLock, Mutex, MutexGuard},
};

use lru::LruCache;
use qrcode::{Color, EcLevel, QrCode};

/// The light margin around the code, in modules (the standard's four).
const QUIET_ZONE: usize = 4;

/// How many drawn codes are kept (about 3 KB each).
const KEPT: NonZeroUsize = NonZeroUsize::new(1024).unwrap();

/// The codes drawn lately, by their text. Drawing one scores the standard's eight masks, which
/// was half a profile page's CPU; a person's link is the same on every view of their page.
static DRAWN: LazyLock<Mutex<LruCache<String, QrSvg>>> =
    LazyLock::new(|| Mutex::new(LruCache::new(KEPT)));

/// The kept codes (a poisoned lock still holds whole entries: each is put in one step).
fn drawn() -> MutexGuard<'static, LruCache<String, QrSvg>> {
    DRAWN.lock().unwrap_or_else(|e| e.into_inner())
}

/// A QR code as SVG markup, shown as it is (it holds no text of anyone's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrSvg(Arc<str>);

impl QrSvg {
    /// `text` as a QR code (error correction M: a phone reads it off a screen or paper with a
    /// smudge), or `None` when it is too long for any QR code; drawn once while it is kept.
    pub fn new(text: &str) -> Option<Self> {
        if let Some(svg) = drawn().get(text).cloned() {
            return Some(svg);
        }
        let svg = Self::draw(text)?;
        drawn().put(text.to_owned(), svg.clone());
        Some(svg)
    }

    fn draw(text: &str) -> Option<Self> {
        let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
        let width = code.width();
        let size = width + 2 * QUIET_ZONE;
        let modules = code.to_colors();
        let mut path = String::new();
        for (y, row) in modules.chunks(width).enumerate() {
            let mut x = 0;
            while x < width {
                let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
                if run > 0 {
                    let _ = write!(
                        path,
                        "M{} {}h{run}v1h-{run}z",
                        x + QUIET_ZONE,
                        y + QUIET_ZONE
                    );
                }
                x += run.max(1);
            }
        }
        Some(Self(Arc::from(format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\" viewBox=\"0 0 {size} {size}\" \
             aria-hidden=\"true\" focusable=\"false\" shape-rendering=\"crispEdges\">\
             <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
             <path fill=\"#000\" d=\"{path}\"/></svg>"
        ))))
    }
}

impl std::fmt::Display for QrSvg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

// digits, the fixed markup above and nothing else: nothing to escape
impl askama::filters::HtmlSafe for QrSvg {}

#[cfg(test)]
mod tests {
    use super::QrSvg;

    #[test]
    fn a_qr_code_is_one_path_inside_its_quiet_zone() {
        let svg = QrSvg::new("http://127.0.0.1:8000/i/7K3M9Q")
            .unwrap()
            .to_string();
        // 31 bytes at level M: version 3, 29 modules, plus 4 on each side
        assert!(svg.contains("viewBox=\"0 0 37 37\""), "{svg}");
        assert_eq!(svg.matches("<path").count(), 1);
        // the top-left finder pattern starts at the quiet zone's corner, 7 modules wide
        assert!(svg.contains("d=\"M4 4h7v1h-7z"), "{svg}");
        assert!(
            QrSvg::new(&"x".repeat(5000)).is_none(),
            "too long for a QR code"
        );
    }

    #[test]
    fn a_code_is_drawn_once_while_it_is_kept() {
        let link = "http://127.0.0.1:8000/i/KEPT42";
        let (first, again) = (QrSvg::new(link).unwrap(), QrSvg::new(link).unwrap());
        assert!(
            std::sync::Arc::ptr_eq(&first.0, &again.0),
            "the kept drawing"
        );
        assert_eq!(first, QrSvg::draw(link).unwrap(), "as drawing it anew");
        // another link is another drawing
        assert_ne!(QrSvg::new("http://127.0.0.1:8000/i/KEPT43").unwrap(), first);
    }
}
