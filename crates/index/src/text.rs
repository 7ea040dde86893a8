//! Small text helpers shared by extraction, search and snippets.

use serde_json::Value;
use std::borrow::Cow;

/// `s` cut to at most `max` bytes, at a character boundary.
pub(crate) fn cap_text(s: &str, max: usize) -> Cow<'_, str> {
    if s.len() <= max {
        return Cow::Borrowed(s);
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Borrowed(&s[..end])
}

/// Append the string and number values of `v` (not its keys), one per line, to `out`,
/// stopping once `out` is longer than `max` bytes.
pub(crate) fn flatten_json(v: &Value, out: &mut String, max: usize) {
    if out.len() > max {
        return;
    }
    match v {
        Value::String(s) => {
            if !s.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(s);
            }
        }
        Value::Number(n) => {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&n.to_string());
        }
        Value::Array(a) => a.iter().for_each(|x| flatten_json(x, out, max)),
        Value::Object(m) => m.values().for_each(|x| flatten_json(x, out, max)),
        Value::Bool(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cap_respects_char_boundaries() {
        assert_eq!(cap_text("héllo", 2), "h");
        assert_eq!(cap_text("héllo", 3), "hé");
        assert_eq!(cap_text("abc", 10), "abc");
    }

    #[test]
    fn flatten_keeps_values_only() {
        let mut s = String::new();
        flatten_json(
            &serde_json::json!({"a": "x", "b": [1, {"c": "y"}], "d": true}),
            &mut s,
            100,
        );
        assert_eq!(s, "x\n1\ny");
    }
}
