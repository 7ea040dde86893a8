//! Number, time, duration and cost formatting shared by pages, charts and export.

use convx_model::Timestamp;
use jiff::tz::TimeZone;

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1234567` → `1.2M`, `12345` → `12.3k`, `999` → `999`.
pub fn compact(n: u64) -> String {
    let f = n as f64;
    if n >= 1_000_000_000 {
        format!("{:.1}B", f / 1e9)
    } else if n >= 1_000_000 {
        format!("{:.1}M", f / 1e6)
    } else if n >= 10_000 {
        format!("{:.0}k", f / 1e3)
    } else if n >= 1_000 {
        format!("{:.1}k", f / 1e3)
    } else {
        n.to_string()
    }
}

/// A cost: `$0.00`, `$12.34`, `$1,234`; with unpriced tokens `$1.20+` (or `?` when nothing
/// could be priced but tokens were used).
pub fn cost(usd: f64, unpriced_tokens: u64) -> String {
    if unpriced_tokens > 0 && usd == 0.0 {
        return "?".into();
    }
    let base = if usd >= 1000.0 {
        format!("${}", thousands(usd.round() as u64))
    } else {
        format!("${usd:.2}")
    };
    if unpriced_tokens > 0 {
        format!("{base}+")
    } else {
        base
    }
}

/// `3725` seconds → `1h 02m`; `95` → `1m 35s`; `7` → `7s`.
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m, s) = (secs / 86_400, secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if d > 0 {
        format!("{d}d {h:02}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// `YYYY-MM-DD HH:MM` in `tz`, or `-`.
pub fn datetime(t: Option<Timestamp>, tz: &TimeZone) -> String {
    t.map(|t| {
        t.to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_else(|| "-".into())
}

/// `HH:MM:SS` in `tz`, or empty.
pub fn clock(t: Option<Timestamp>, tz: &TimeZone) -> String {
    t.map(|t| t.to_zoned(tz.clone()).strftime("%H:%M:%S").to_string())
        .unwrap_or_default()
}

/// The zone's name for page footers (`UTC`, `Europe/Berlin`, or the offset).
pub fn zone_name(tz: &TimeZone) -> String {
    match tz.iana_name() {
        Some(n) => n.to_string(),
        None => {
            let off = tz.to_offset(Timestamp::now());
            if off.seconds() == 0 {
                "UTC".into()
            } else {
                off.to_string()
            }
        }
    }
}

/// Cut `s` to at most `max` bytes on a char boundary; returns the kept prefix and whether
/// anything was cut.
pub fn cut(s: &str, max: usize) -> (&str, bool) {
    if s.len() <= max {
        return (s, false);
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    (&s[..i], true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(compact(999), "999");
        assert_eq!(compact(1234), "1.2k");
        assert_eq!(compact(123_456), "123k");
        assert_eq!(compact(12_345_678), "12.3M");
        assert_eq!(cost(0.0, 0), "$0.00");
        assert_eq!(cost(1.234, 0), "$1.23");
        assert_eq!(cost(1.2, 5), "$1.20+");
        assert_eq!(cost(0.0, 5), "?");
        assert_eq!(cost(2345.6, 0), "$2,346");
    }

    #[test]
    fn durations() {
        assert_eq!(duration(7), "7s");
        assert_eq!(duration(95), "1m 35s");
        assert_eq!(duration(3725), "1h 02m");
        assert_eq!(duration(90_000), "1d 01h");
    }

    #[test]
    fn cut_respects_chars() {
        assert_eq!(cut("héllo", 2), ("h", true));
        assert_eq!(cut("abc", 5), ("abc", false));
    }
}
