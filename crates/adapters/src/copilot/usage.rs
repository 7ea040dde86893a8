//! Copilot CLI token usage.
//!
//! Copilot persists **no per-call usage**: `assistant.usage` events are ephemeral (never
//! written to `events.jsonl`). The only usage on disk is the per-session aggregate in
//! `session.shutdown.data.modelMetrics` = `{ "<model>": { requests: {count, cost},
//! usage: {inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens, reasoningTokens?} } }`,
//! written when a CLI process ends the session. Each shutdown covers that process lifetime
//! only (a resumed session writes another shutdown later), so every shutdown is counted.
//!
//! Mapping (CAPI reports OpenAI-style totals: `inputTokens` includes the cached tokens, and
//! `reasoningTokens` are "output tokens used for reasoning"):
//!
//! | normalized       | `usage`                                                   |
//! |------------------|-----------------------------------------------------------|
//! | `input`          | `inputTokens − cacheReadTokens − cacheWriteTokens` (≥ 0)   |
//! | `cache_read`     | `cacheReadTokens`                                          |
//! | `cache_creation` | `cacheWriteTokens`                                         |
//! | `output`         | `outputTokens` (+ `reasoningTokens` when these exceed it, i.e. were reported apart) |
//! | `reasoning`      | `reasoningTokens`                                          |

use convx_model::Usage;
use serde_json::Value;

fn num(v: &Value, key: &str) -> u64 {
    match v.get(key) {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f > 0.0).map(|f| f as u64))
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// The normalized usage of one `modelMetrics` entry (`{requests, usage}`), or `None` when it
/// records no tokens at all.
pub fn model_metric_usage(metric: &Value) -> Option<Usage> {
    let u = metric.get("usage").filter(|u| u.is_object())?;
    let input = num(u, "inputTokens");
    let cache_read = num(u, "cacheReadTokens");
    let cache_write = num(u, "cacheWriteTokens");
    let output = num(u, "outputTokens");
    let reasoning = num(u, "reasoningTokens");
    if input + cache_read + cache_write + output + reasoning == 0 {
        return None;
    }
    let output = if reasoning > output {
        output + reasoning
    } else {
        output
    };
    Some(Usage {
        input: input.saturating_sub(cache_read + cache_write),
        cache_creation: cache_write,
        cache_read,
        output,
        reasoning,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn input_includes_cache() {
        let m = json!({"requests":{"count":12,"cost":12},"usage":{"inputTokens":184230,"outputTokens":6120,"cacheReadTokens":150112,"cacheWriteTokens":20480,"reasoningTokens":2048}});
        let u = model_metric_usage(&m).unwrap();
        assert_eq!(
            u,
            Usage {
                input: 13638,
                cache_creation: 20480,
                cache_read: 150112,
                output: 6120,
                reasoning: 2048
            }
        );
        assert_eq!(u.total(), 184230 + 6120);
    }

    #[test]
    fn reasoning_reported_apart_is_added() {
        let m = json!({"usage":{"inputTokens":1000,"outputTokens":50,"cacheReadTokens":0,"cacheWriteTokens":0,"reasoningTokens":400}});
        let u = model_metric_usage(&m).unwrap();
        assert_eq!((u.output, u.reasoning), (450, 400));
    }

    #[test]
    fn empty_rows_are_skipped() {
        let m = json!({"requests":{"count":0,"cost":0},"usage":{"inputTokens":0,"outputTokens":0,"cacheReadTokens":0,"cacheWriteTokens":0}});
        assert_eq!(model_metric_usage(&m), None);
        assert_eq!(model_metric_usage(&json!({})), None);
    }
}
