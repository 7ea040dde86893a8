//! Token usage of one Anthropic API response, normalized.
//!
//! Anthropic semantics: `input_tokens` excludes cache reads and writes, so the mapping is
//! direct (`input` = `input_tokens`). `cache_creation` is `cache_creation_input_tokens`,
//! or the sum of the `cache_creation` breakdown (`ephemeral_5m` + `ephemeral_1h`) when that
//! is larger (before 2.1.152 the top-level field could be 0 while the breakdown was not).
//! `reasoning` is `output_tokens_details.thinking_tokens` when present (a part of output).

use convx_model::Usage;
use serde_json::Value;

/// A non-negative token count from a JSON number (integers, floats, numeric strings).
pub(crate) fn count(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f > 0.0).map(|f| f as u64))
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// The normalized usage of an API `usage` object.
pub(crate) fn normalize(u: &Value) -> Usage {
    let input = count(u.get("input_tokens"));
    let top = count(u.get("cache_creation_input_tokens"));
    let breakdown = u.get("cache_creation").map_or(0, |c| {
        count(c.get("ephemeral_5m_input_tokens")) + count(c.get("ephemeral_1h_input_tokens"))
    });
    let output = count(u.get("output_tokens"));
    let reasoning = count(
        u.get("output_tokens_details")
            .and_then(|d| d.get("thinking_tokens")),
    )
    .min(output);
    Usage {
        input,
        cache_creation: top.max(breakdown),
        cache_read: count(u.get("cache_read_input_tokens")),
        output,
        reasoning,
    }
}

/// `output_tokens` of a usage object (what tells a streaming snapshot from the final line).
pub(crate) fn output_tokens(u: &Value) -> u64 {
    count(u.get("output_tokens"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_fields() {
        let u = json!({"input_tokens":3,"cache_creation_input_tokens":5120,"cache_read_input_tokens":14800,
            "cache_creation":{"ephemeral_5m_input_tokens":5120,"ephemeral_1h_input_tokens":0},"output_tokens":97,
            "service_tier":"standard"});
        assert_eq!(
            normalize(&u),
            Usage {
                input: 3,
                cache_creation: 5120,
                cache_read: 14800,
                output: 97,
                reasoning: 0
            }
        );
    }

    #[test]
    fn breakdown_wins_when_larger() {
        let u = json!({"input_tokens":10,"cache_creation_input_tokens":0,
            "cache_creation":{"ephemeral_5m_input_tokens":1200,"ephemeral_1h_input_tokens":300},"output_tokens":5});
        assert_eq!(normalize(&u).cache_creation, 1500);
        // The top-level field wins when the breakdown is smaller (or partial).
        let u = json!({"cache_creation_input_tokens":900,"cache_creation":{"ephemeral_5m_input_tokens":100}});
        assert_eq!(normalize(&u).cache_creation, 900);
    }

    #[test]
    fn reasoning_and_nulls() {
        let u = json!({"input_tokens":null,"output_tokens":40,"output_tokens_details":{"thinking_tokens":25},
            "cache_read_input_tokens":null,"cache_creation":null});
        assert_eq!(
            normalize(&u),
            Usage {
                output: 40,
                reasoning: 25,
                ..Usage::default()
            }
        );
        let u = json!({"output_tokens":10,"output_tokens_details":{"thinking_tokens":99}});
        assert_eq!(normalize(&u).reasoning, 10);
        assert_eq!(normalize(&json!({})), Usage::default());
        assert_eq!(count(Some(&json!(12.0))), 12);
        assert_eq!(count(Some(&json!(-4))), 0);
        assert_eq!(count(Some(&json!("7"))), 7);
    }
}
