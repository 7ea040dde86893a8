//! Server-side SVG charts: no script, no external request, styled by CSS classes (so they
//! follow the light/dark theme and pass a strict Content-Security-Policy). Every label is
//! escaped with [`esc`].

use crate::format::{compact, thousands};
use convx_model::Usage;
use std::fmt::Write;

const W: f64 = 800.0;
const H: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 8.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 28.0;

/// Escape text for SVG/HTML text nodes and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The four token categories stacked in usage charts, with their CSS classes.
pub const TOKEN_PARTS: [(&str, &str); 4] = [
    ("input", "c-input"),
    ("cache write", "c-cwrite"),
    ("cache read", "c-cread"),
    ("output", "c-output"),
];

fn parts(u: &Usage) -> [u64; 4] {
    [u.input, u.cache_creation, u.cache_read, u.output]
}

fn open(out: &mut String, label: &str) {
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(label)
    );
}

/// The smallest "round" value ≥ `max` whose quarters are round too (1.2, 2, 4, 6, 8, 10 × 10ⁿ).
fn nice(max: f64) -> f64 {
    if max <= 0.0 || !max.is_finite() {
        return 1.0;
    }
    let exp = 10f64.powf(max.log10().floor());
    let f = max / exp;
    let n = [1.0, 1.2, 2.0, 4.0, 6.0, 8.0, 10.0]
        .into_iter()
        .find(|n| f <= *n + 1e-9)
        .unwrap_or(10.0);
    n * exp
}

fn y_axis(out: &mut String, max: f64, fmt: &dyn Fn(f64) -> String) {
    for i in 0..=4 {
        let v = max * f64::from(i) / 4.0;
        let y = TOP + (H - TOP - BOTTOM) * (1.0 - f64::from(i) / 4.0);
        let _ = write!(
            out,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="axis" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 6.0,
            y + 4.0,
            esc(&fmt(v))
        );
    }
}

fn x_labels(out: &mut String, labels: &[String], slot: f64) {
    let n = labels.len();
    if n == 0 {
        return;
    }
    // About seven labels; the last one is right-aligned so it never leaves the chart.
    let every = n.div_ceil(7).max(1);
    for (i, l) in labels.iter().enumerate() {
        let last = i + 1 == n;
        if !last && (i % every != 0 || n - 1 - i < every.div_ceil(2).max(1) + 1) {
            continue;
        }
        let (x, anchor) = if last && n > 1 {
            (W - RIGHT, "end")
        } else {
            (LEFT + slot * (i as f64 + 0.5), "middle")
        };
        let _ = write!(
            out,
            r#"<text class="axis" x="{x:.1}" y="{}" text-anchor="{anchor}">{}</text>"#,
            H - 8.0,
            esc(l)
        );
    }
}

/// Stacked bars of token usage per period (`labels[i]` ↔ `values[i]`).
pub fn stacked_tokens(title: &str, labels: &[String], values: &[Usage]) -> String {
    let mut out = String::new();
    open(&mut out, title);
    let max = nice(values.iter().map(Usage::total).max().unwrap_or(0).max(1) as f64);
    y_axis(&mut out, max, &|v| compact(v as u64));
    let slot = (W - LEFT - RIGHT) / labels.len().max(1) as f64;
    let bar = (slot * 0.8).max(1.0);
    let plot = H - TOP - BOTTOM;
    for (i, (l, u)) in labels.iter().zip(values).enumerate() {
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = H - BOTTOM;
        let _ = write!(
            out,
            "<g><title>{}: {} tokens (input {}, cache write {}, cache read {}, output {})</title>",
            esc(l),
            thousands(u.total()),
            thousands(u.input),
            thousands(u.cache_creation),
            thousands(u.cache_read),
            thousands(u.output)
        );
        for (v, (_, class)) in parts(u).iter().zip(TOKEN_PARTS) {
            if *v == 0 {
                continue;
            }
            let h = plot * *v as f64 / max;
            y -= h;
            let _ = write!(
                out,
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{h:.1}"/>"#
            );
        }
        out.push_str("</g>");
    }
    x_labels(&mut out, labels, slot);
    out.push_str("</svg>");
    out
}

/// Vertical bars (e.g. cost per day); `fmt` formats values for the axis and tooltips.
pub fn bars(title: &str, labels: &[String], values: &[f64], fmt: &dyn Fn(f64) -> String) -> String {
    let mut out = String::new();
    open(&mut out, title);
    let max = nice(values.iter().copied().fold(0.0_f64, f64::max));
    y_axis(&mut out, max, fmt);
    let slot = (W - LEFT - RIGHT) / labels.len().max(1) as f64;
    let bar = (slot * 0.8).max(1.0);
    let plot = H - TOP - BOTTOM;
    for (i, (l, v)) in labels.iter().zip(values).enumerate() {
        let h = plot * v.max(0.0) / max;
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let _ = write!(
            out,
            r#"<g><title>{}: {}</title><rect class="c-cost" x="{x:.1}" y="{:.1}" width="{bar:.1}" height="{h:.1}"/></g>"#,
            esc(l),
            esc(&fmt(*v)),
            H - BOTTOM - h
        );
    }
    x_labels(&mut out, labels, slot);
    out.push_str("</svg>");
    out
}

/// Horizontal stacked token bars, one per group (model, project, agent), largest first as
/// given. `classes[i]` is an extra CSS class for the row label (e.g. an agent colour).
pub fn hbars(title: &str, labels: &[String], values: &[Usage], notes: &[String]) -> String {
    const ROW: f64 = 22.0;
    const LABEL: f64 = 220.0;
    const NOTE: f64 = 150.0;
    let h = ROW * labels.len().max(1) as f64 + 4.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {W} {h}" width="100%" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        esc(title)
    );
    let max = values.iter().map(Usage::total).max().unwrap_or(0).max(1) as f64;
    let span = W - LABEL - NOTE;
    for (i, (l, u)) in labels.iter().zip(values).enumerate() {
        let y = ROW * i as f64 + 2.0;
        let _ = write!(
            out,
            r#"<g><title>{}: {} tokens</title><text class="label" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            esc(l),
            thousands(u.total()),
            LABEL - 8.0,
            y + 15.0,
            esc(&convx_model::truncate_chars(l, 30))
        );
        let mut x = LABEL;
        for (v, (_, class)) in parts(u).iter().zip(TOKEN_PARTS) {
            if *v == 0 {
                continue;
            }
            let w = span * *v as f64 / max;
            let _ = write!(
                out,
                r#"<rect class="{class}" x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{:.1}"/>"#,
                ROW - 6.0
            );
            x += w;
        }
        let note = notes.get(i).map(String::as_str).unwrap_or("");
        let _ = write!(
            out,
            r#"<text class="axis" x="{:.1}" y="{:.1}">{} {}</text></g>"#,
            x + 6.0,
            y + 15.0,
            esc(&compact(u.total())),
            esc(note)
        );
    }
    out.push_str("</svg>");
    out
}

/// A small bar sparkline of counts (project activity), `title` per bar.
pub fn sparkline(values: &[u64], titles: &[String]) -> String {
    const SW: f64 = 240.0;
    const SH: f64 = 32.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="spark" viewBox="0 0 {SW} {SH}" width="{SW}" height="{SH}" role="img" aria-label="sessions over time" xmlns="http://www.w3.org/2000/svg">"#
    );
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = SW / values.len().max(1) as f64;
    for (i, v) in values.iter().enumerate() {
        if *v == 0 {
            continue;
        }
        let h = (SH - 2.0) * *v as f64 / max;
        let _ = write!(
            out,
            r#"<rect class="c-spark" x="{:.1}" y="{:.1}" width="{:.1}" height="{h:.1}"><title>{}</title></rect>"#,
            slot * i as f64,
            SH - h,
            (slot * 0.85).max(1.0),
            esc(titles.get(i).map(String::as_str).unwrap_or(""))
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let l = vec!["<script>alert(1)</script>".to_string()];
        let u = vec![Usage {
            input: 5,
            ..Usage::default()
        }];
        for svg in [
            stacked_tokens("t", &l, &u),
            hbars("t", &l, &u, &["<b>".into()]),
            bars("t", &l, &[1.0], &|v| format!("{v}")),
            sparkline(&[1], &l),
        ] {
            assert!(!svg.contains("<script"), "{svg}");
            assert!(!svg.contains("<b>"), "{svg}");
            assert!(svg.contains("&lt;script&gt;"), "{svg}");
        }
    }

    #[test]
    fn axis_maxima_are_round() {
        assert_eq!(nice(1_100_000.0), 1_200_000.0);
        assert_eq!(nice(0.86), 1.0);
        assert_eq!(nice(3.0), 4.0);
        assert_eq!(nice(1.0), 1.0);
        assert_eq!(nice(0.0), 1.0);
    }

    #[test]
    fn empty_charts_render() {
        assert!(stacked_tokens("t", &[], &[]).ends_with("</svg>"));
        assert!(hbars("t", &[], &[], &[]).ends_with("</svg>"));
    }
}
