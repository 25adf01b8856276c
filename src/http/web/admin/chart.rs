//! A bar chart of new accounts per day, drawn on the server as SVG: no script, readable labels,
//! and a title and description for assistive technology (the page adds a data table too).

use std::fmt::Write;

use chrono::NaiveDate;

use crate::i18n::Tr;

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A step for the vertical axis that gives at most five gridlines.
fn nice_step(max: i64) -> i64 {
    let mut step = 1;
    while max / step > 5 {
        step = match step.to_string().chars().next() {
            Some('1') => step * 2,
            Some('2') => step * 5 / 2,
            _ => step * 2,
        };
    }
    step
}

/// The chart. `title` and `desc` label it for screen readers; each bar has its own title. Days
/// and numbers are written in `tr`'s language.
pub fn bar_chart(days: &[(NaiveDate, i64)], tr: &Tr, title: &str, desc: &str) -> String {
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0);
    let step = nice_step(max.max(1));
    let top_value = ((max.max(1) + step - 1) / step) * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / days.len().max(1) as f64;
    let bar_w = (slot * 0.7).max(1.0);
    let y = |v: i64| TOP + plot_h - (v as f64 / top_value as f64) * plot_h;

    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc" xmlns="http://www.w3.org/2000/svg"><title id="chart-title">{}</title><desc id="chart-desc">{}</desc>"#,
        escape(title),
        escape(desc)
    );
    let mut v = 0;
    while v <= top_value {
        let yy = y(v);
        let _ = write!(
            svg,
            r#"<line class="chart-grid" x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}"/><text class="chart-label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            WIDTH - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            tr.number(v)
        );
        v += step;
    }
    for (i, (day, n)) in days.iter().enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
        let top = y(*n);
        let _ = write!(
            svg,
            r#"<rect class="chart-bar" x="{x:.1}" y="{top:.1}" width="{bar_w:.1}" height="{:.1}"><title>{}: {}</title></rect>"#,
            TOP + plot_h - top,
            escape(&tr.date(*day).text),
            tr.number(*n)
        );
        // a date under every fifth bar and the last, so labels never overlap
        if i % 5 == 0 || i + 1 == days.len() {
            let _ = write!(
                svg,
                r#"<text class="chart-label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x + bar_w / 2.0,
                HEIGHT - BOTTOM + 16.0,
                escape(&tr.day_month(*day))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::i18n::Locales;

    fn days(values: &[i64]) -> Vec<(NaiveDate, i64)> {
        let start = NaiveDate::from_ymd_opt(2026, 10, 27).unwrap();
        start.iter_days().zip(values.iter().copied()).collect()
    }

    fn tr(lang: &'static str) -> Tr {
        Tr::new(Arc::new(Locales::load().unwrap()), lang)
    }

    #[test]
    fn an_empty_month_draws_flat_bars_and_an_axis() {
        let svg = bar_chart(
            &days(&[0; 30]),
            &tr("en"),
            "New accounts",
            "None in 30 days",
        );
        assert_eq!(svg.matches("<rect").count(), 30);
        assert!(svg.contains(r#"height="0.0""#));
        assert!(svg.contains(">0</text>"));
        assert!(svg.contains("<title id=\"chart-title\">New accounts</title>"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
    }

    #[test]
    fn many_users_scale_to_the_tallest_bar() {
        let mut values = vec![10; 30];
        values[29] = 12_345;
        let svg = bar_chart(&days(&values), &tr("en"), "t", "d");
        assert!(svg.contains("<text class=\"chart-label\" x=\""));
        // the axis ends at the first round number above the tallest bar: 15000, and that bar
        // fills 12345/15000 of the plot's 192 px
        assert!(svg.contains(">15,000</text>"), "{svg}");
        assert!(
            svg.contains(r#"height="158.0"><title>25 November 2026: 12,345"#),
            "{svg}"
        );
        // a handful of gridlines, not thousands
        assert!(svg.matches("chart-grid").count() <= 7);
    }

    #[test]
    fn labels_cross_the_month_boundary_in_order_in_each_language() {
        let svg = bar_chart(&days(&[1; 30]), &tr("en"), "t", "d");
        let first = svg.find(">27 Oct<").unwrap();
        let later = svg.find(">1 Nov<").unwrap();
        assert!(first < later);
        assert!(svg.contains(">25 Nov<"), "the last day is labelled");
        let svg = bar_chart(&days(&[1; 30]), &tr("ru"), "t", "d");
        assert!(
            svg.contains(">25 нояб.<") && svg.contains("<title>25 ноября 2026"),
            "{svg}"
        );
    }

    #[test]
    fn text_is_escaped() {
        let svg = bar_chart(&days(&[1]), &tr("en"), "<b>&", "\"x\"");
        assert!(svg.contains("&lt;b&gt;&amp;") && svg.contains("&quot;x&quot;"));
    }
}
