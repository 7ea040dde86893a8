//! Timestamp parsing shared by adapters: ISO-8601 strings, Unix seconds and milliseconds.

use convx_model::Timestamp;
use serde_json::Value;

/// Parse an ISO-8601 / RFC 3339 timestamp. A missing offset is taken as UTC.
pub fn parse_iso(s: &str) -> Option<Timestamp> {
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    // No offset: treat as UTC civil time.
    s.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok())
        .map(|z| z.timestamp())
}

/// Unix milliseconds.
pub fn from_millis(ms: i64) -> Option<Timestamp> {
    Timestamp::from_millisecond(ms).ok()
}

/// Unix seconds.
pub fn from_secs(s: i64) -> Option<Timestamp> {
    Timestamp::from_second(s).ok()
}

/// A JSON value that is an ISO string, or a number of seconds or milliseconds
/// (numbers above 10^11 are taken as milliseconds).
pub fn from_value(v: &Value) -> Option<Timestamp> {
    match v {
        Value::String(s) => parse_iso(s).or_else(|| s.parse::<i64>().ok().and_then(from_number)),
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .and_then(from_number),
        _ => None,
    }
}

fn from_number(n: i64) -> Option<Timestamp> {
    if n.abs() >= 100_000_000_000 {
        from_millis(n)
    } else {
        from_secs(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_all_shapes() {
        let want: Timestamp = "2026-03-02T14:07:11.482Z".parse().unwrap();
        assert_eq!(parse_iso("2026-03-02T14:07:11.482Z"), Some(want));
        assert_eq!(parse_iso("2026-03-02T14:07:11.482"), Some(want));
        assert_eq!(parse_iso("2026-03-02T15:07:11.482+01:00"), Some(want));
        assert_eq!(from_value(&json!(1772460431482i64)), Some(want));
        assert_eq!(
            from_value(&json!(1772460431)).unwrap().as_second(),
            1772460431
        );
        assert_eq!(from_value(&json!(null)), None);
        assert_eq!(parse_iso("garbage"), None);
    }
}
