//! OpenCode token usage → [`Usage`].
//!
//! OpenCode records, per assistant message (and per `step-finish` part),
//! `tokens: {total?, input, output, reasoning, cache: {read, write}}` and `cost` (USD),
//! computed by its `getUsage()` from the AI SDK usage:
//!
//! * `input` is already the **uncached** input: `getUsage` subtracts cache reads and
//!   writes from the SDK's input count (Anthropic/Bedrock under AI SDK v5 reported
//!   uncached input and were stored as is). So `input → input`, `cache.read → cache_read`,
//!   `cache.write → cache_creation`. (Known upstream bug not corrected here: OpenCode
//!   1.3.4–1.3.x with Anthropic stored cache-inclusive `input`, anomalyco/opencode#19757.)
//! * `reasoning` is reported next to `output`, and whether it is **inside** `output`
//!   changed over time: before AI SDK v6 (OpenCode < 1.3.4) `output` was the SDK's
//!   `outputTokens`, which includes reasoning for OpenAI-style providers but not for
//!   Gemini; since AI SDK v6 OpenCode stores `output = outputTokens − reasoning`. The
//!   recorded `total` tells which case a message is in, so it decides first:
//!   1. `total == input + output + reasoning + cache.read + cache.write` → reasoning is
//!      separate: normalized output = `output + reasoning`;
//!   2. `total == input + output + cache.read + cache.write` → reasoning is inside output;
//!   3. no usable total: `reasoning > output` → separate; OpenCode ≥ 1.3.4 → separate;
//!      otherwise inside.
//!
//! The normalized `output` therefore always includes reasoning, and `reasoning ⊆ output`.

use convx_model::Usage;
use serde_json::Value;

/// The raw token counters of one message or step.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RawTokens {
    pub input: u64,
    pub output: u64,
    pub reasoning: u64,
    pub cache_read: u64,
    pub cache_write: u64,
    pub total: Option<u64>,
}

impl RawTokens {
    /// Read `{input, output, reasoning, cache:{read, write}, total?}`; `None` when `v` is
    /// not an object.
    pub fn parse(v: &Value) -> Option<RawTokens> {
        let o = v.as_object()?;
        let cache = o.get("cache");
        Some(RawTokens {
            input: num(o.get("input")),
            output: num(o.get("output")),
            reasoning: num(o.get("reasoning")),
            cache_read: num(cache.and_then(|c| c.get("read"))),
            cache_write: num(cache.and_then(|c| c.get("write"))),
            total: o
                .get("total")
                .filter(|t| t.is_number())
                .map(|t| num(Some(t))),
        })
    }

    /// True when every counter is zero (the message recorded no usage).
    pub fn is_zero(&self) -> bool {
        self.input + self.output + self.reasoning + self.cache_read + self.cache_write == 0
    }

    /// Whether `reasoning` was recorded separately from `output` (see the module docs).
    pub fn reasoning_is_separate(&self, version: Option<&str>) -> bool {
        if self.reasoning == 0 {
            return false;
        }
        let base = self.input + self.output + self.cache_read + self.cache_write;
        if let Some(total) = self.total {
            if total == base + self.reasoning {
                return true;
            }
            if total == base {
                return false;
            }
        }
        if self.reasoning > self.output {
            return true;
        }
        version
            .and_then(parse_version)
            .is_some_and(|v| v >= (1, 3, 4))
    }

    /// The normalized usage.
    pub fn normalize(&self, version: Option<&str>) -> Usage {
        let output = if self.reasoning_is_separate(version) {
            self.output + self.reasoning
        } else {
            self.output
        };
        Usage {
            input: self.input,
            cache_creation: self.cache_write,
            cache_read: self.cache_read,
            output,
            reasoning: self.reasoning.min(output),
        }
    }
}

/// A non-negative integer from a JSON number (floats truncated, negatives and junk → 0).
fn num(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f > 0.0)
                    .map(|f| f as u64)
            })
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}

/// `1.3.4` / `v1.3.4-beta.2` → (1, 3, 4). `None` for non-numeric versions (`local`, `dev`).
pub(crate) fn parse_version(v: &str) -> Option<(u64, u64, u64)> {
    let v = v.trim().trim_start_matches('v');
    let core = v.split(['-', '+']).next()?;
    let mut it = core.split('.').map(|p| p.parse::<u64>());
    let major = it.next()?.ok()?;
    let minor = it.next().unwrap_or(Ok(0)).ok()?;
    let patch = it.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(v: Value) -> RawTokens {
        RawTokens::parse(&v).unwrap()
    }

    #[test]
    fn plain_anthropic_message() {
        let u =
            t(json!({"input":1200,"output":340,"reasoning":0,"cache":{"read":18000,"write":900}}))
                .normalize(Some("1.2.3"));
        assert_eq!(
            u,
            Usage {
                input: 1200,
                cache_creation: 900,
                cache_read: 18000,
                output: 340,
                reasoning: 0
            }
        );
        assert_eq!(u.total(), 20440);
    }

    #[test]
    fn total_says_reasoning_is_separate() {
        // 100 + 50 + 30 + 1000 + 0 = 1180 = total → separate; output 50 + 30 = 80.
        let raw = t(
            json!({"total":1180,"input":100,"output":50,"reasoning":30,"cache":{"read":1000,"write":0}}),
        );
        assert_eq!(raw.normalize(Some("1.0.0")).output, 80);
        assert_eq!(raw.normalize(Some("1.0.0")).reasoning, 30);
    }

    #[test]
    fn total_says_reasoning_is_inside_output() {
        // 100 + 50 + 1000 = 1150 = total → reasoning already inside output.
        let raw = t(
            json!({"total":1150,"input":100,"output":50,"reasoning":30,"cache":{"read":1000,"write":0}}),
        );
        assert_eq!(raw.normalize(Some("1.5.0")).output, 50);
    }

    #[test]
    fn no_total_falls_back_to_magnitude_then_version() {
        let bigger = t(json!({"input":10,"output":5,"reasoning":40,"cache":{"read":0,"write":0}}));
        assert_eq!(bigger.normalize(None).output, 45);
        let smaller =
            t(json!({"input":10,"output":50,"reasoning":40,"cache":{"read":0,"write":0}}));
        assert_eq!(smaller.normalize(Some("0.15.8")).output, 50);
        assert_eq!(smaller.normalize(Some("1.3.4")).output, 90);
        assert_eq!(smaller.normalize(Some("local")).output, 50);
    }

    #[test]
    fn junk_numbers_are_zero() {
        let raw = t(json!({"input":-5,"output":"7","reasoning":null,"cache":null}));
        assert_eq!(
            raw,
            RawTokens {
                output: 7,
                ..RawTokens::default()
            }
        );
        assert!(RawTokens::parse(&json!(3)).is_none());
        assert!(t(json!({})).is_zero());
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.3.4"), Some((1, 3, 4)));
        assert_eq!(parse_version("v0.15.2-beta.1"), Some((0, 15, 2)));
        assert_eq!(parse_version("1.2"), Some((1, 2, 0)));
        assert_eq!(parse_version("dev"), None);
    }
}
