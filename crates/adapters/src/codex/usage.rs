//! Token usage from `event_msg:token_count` (§1.8): deltas of the running
//! `total_token_usage`, never sums of `last_token_usage`.

use convx_model::Usage;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// Codex's `TokenUsage` (all counts; `cached ⊆ input`, `reasoning ⊆ output`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Raw {
    pub input: u64,
    pub cached: u64,
    pub output: u64,
    pub reasoning: u64,
    pub total: u64,
}

impl Raw {
    /// Parse a `TokenUsage` object leniently (missing or negative fields are 0).
    pub fn from_value(v: &Value) -> Option<Raw> {
        let o = v.as_object()?;
        let f = |k: &str| {
            o.get(k)
                .and_then(|x| {
                    x.as_u64()
                        .or_else(|| x.as_f64().filter(|f| *f > 0.0).map(|f| f as u64))
                })
                .unwrap_or(0)
        };
        Some(Raw {
            input: f("input_tokens"),
            cached: f("cached_input_tokens"),
            output: f("output_tokens"),
            reasoning: f("reasoning_output_tokens"),
            total: f("total_tokens"),
        })
    }

    fn components(&self) -> [u64; 4] {
        [self.input, self.cached, self.output, self.reasoning]
    }

    fn ge(&self, other: &Raw) -> bool {
        self.components()
            .iter()
            .zip(other.components())
            .all(|(a, b)| *a >= b)
    }

    fn minus(&self, other: &Raw) -> Raw {
        Raw {
            input: self.input - other.input,
            cached: self.cached - other.cached,
            output: self.output - other.output,
            reasoning: self.reasoning - other.reasoning,
            total: self.total.saturating_sub(other.total),
        }
    }

    /// The normalized usage: input = uncached input, cache_read = cached input.
    pub fn normalize(&self) -> Usage {
        let cached = self.cached.min(self.input);
        Usage {
            input: self.input - cached,
            cache_creation: 0,
            cache_read: cached,
            output: self.output,
            reasoning: self.reasoning,
        }
    }
}

/// Walks the `token_count` events of one file and yields the real per-call deltas.
#[derive(Debug, Default)]
pub(crate) struct Tracker {
    prev: Option<Raw>,
}

impl Tracker {
    /// Account for one `token_count` payload's `info` (must be non-null). Returns the delta
    /// to count, or `None` for re-emits, estimates, resets and empty deltas.
    pub fn observe(&mut self, info: &Value) -> Option<Raw> {
        let total = info.get("total_token_usage").and_then(Raw::from_value);
        let last = info.get("last_token_usage").and_then(Raw::from_value);
        let Some(total) = total else {
            // No running total recorded: the per-call value is all there is.
            return last.filter(|l| l.input > 0 || l.output > 0);
        };
        let delta = match self.prev {
            None => Some(total),
            Some(prev) if prev == total => None,
            Some(prev) if total.ge(&prev) => Some(total.minus(&prev)),
            // The total went down (reset / fill to context window): only a real last usage counts.
            Some(_) => last,
        };
        self.prev = Some(total);
        delta.filter(|d| d.input > 0 || d.output > 0)
    }
}

/// The cross-file identity of one counted delta: (timestamp, model, token tuple).
pub(crate) fn dedup_key(timestamp: &str, model: Option<&str>, d: &Raw) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "{timestamp}|{}|{}|{}|{}|{}",
        model.unwrap_or(""),
        d.input,
        d.cached,
        d.output,
        d.reasoning
    ));
    let digest = h.finalize();
    format!("codex-usage:{}", hex::encode(&digest[..16]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn info(total: [u64; 4], last: [u64; 4]) -> Value {
        let t = |a: [u64; 4]| {
            json!({"input_tokens": a[0], "cached_input_tokens": a[1], "output_tokens": a[2],
                   "reasoning_output_tokens": a[3], "total_tokens": a[0] + a[2]})
        };
        json!({"total_token_usage": t(total), "last_token_usage": t(last), "model_context_window": 258400})
    }

    #[test]
    fn deltas_skip_reemits_estimates_and_resets() {
        let mut t = Tracker::default();
        let d = t
            .observe(&info([100, 40, 10, 5], [100, 40, 10, 5]))
            .unwrap();
        assert_eq!(
            d.normalize(),
            Usage {
                input: 60,
                cache_creation: 0,
                cache_read: 40,
                output: 10,
                reasoning: 5
            }
        );
        // Re-emit: identical totals.
        assert!(
            t.observe(&info([100, 40, 10, 5], [100, 40, 10, 5]))
                .is_none()
        );
        // Next call.
        let d = t
            .observe(&info([250, 120, 30, 5], [150, 80, 20, 0]))
            .unwrap();
        assert_eq!((d.input, d.cached, d.output, d.reasoning), (150, 80, 20, 0));
        // Estimate after compaction: total unchanged, last has only total_tokens.
        let mut est = info([250, 120, 30, 5], [0, 0, 0, 0]);
        est["last_token_usage"]["total_tokens"] = json!(9000);
        assert!(t.observe(&est).is_none());
        // Reset to the context window: components zero -> skipped, becomes the baseline.
        let reset = json!({"total_token_usage": {"input_tokens":0,"cached_input_tokens":0,"output_tokens":0,"reasoning_output_tokens":0,"total_tokens":258400},
                           "last_token_usage": {"input_tokens":0,"cached_input_tokens":0,"output_tokens":0,"reasoning_output_tokens":0,"total_tokens":258120}});
        assert!(t.observe(&reset).is_none());
        let d = t.observe(&info([50, 0, 5, 0], [50, 0, 5, 0])).unwrap();
        assert_eq!((d.input, d.output), (50, 5));
        // Went down with a real last usage: last counts.
        let d = t.observe(&info([10, 0, 1, 0], [10, 0, 1, 0])).unwrap();
        assert_eq!((d.input, d.output), (10, 1));
    }

    #[test]
    fn cached_is_clamped_and_keys_are_stable() {
        let r = Raw {
            input: 5,
            cached: 9,
            output: 1,
            reasoning: 0,
            total: 6,
        };
        assert_eq!(r.normalize().total(), 6);
        let a = dedup_key("2026-03-02T14:07:21.700Z", Some("gpt-5"), &r);
        assert_eq!(a, dedup_key("2026-03-02T14:07:21.700Z", Some("gpt-5"), &r));
        assert_ne!(a, dedup_key("2026-03-02T14:07:21.701Z", Some("gpt-5"), &r));
    }
}
