//! Gemini token accounting.
//!
//! Every `gemini` message may carry a `tokens` object copied from the API's
//! `usageMetadata` of **one** API call (`chatRecordingService.recordMessageTokens`: the usage
//! goes to the last `gemini` message if it has none yet, otherwise it is queued for the next
//! one). So one message with `tokens` = one API call, identified by the message id.
//!
//! Mapping to the normalized [`Usage`] (Gemini API semantics: `promptTokenCount` includes
//! `cachedContentTokenCount`; `candidatesTokenCount` excludes `thoughtsTokenCount`;
//! `totalTokenCount = prompt + candidates + thoughts + toolUsePrompt`):
//!
//! | normalized     | Gemini `tokens`                                  |
//! |----------------|--------------------------------------------------|
//! | `input`        | `input - cached + tool` (saturating)             |
//! | `cache_read`   | `cached`                                         |
//! | `cache_creation` | 0 (Gemini reports no cache writes)             |
//! | `output`       | `output + thoughts`                              |
//! | `reasoning`    | `thoughts`                                       |
//!
//! So `Usage::total()` equals the recorded `total`. One exception is detected from the data:
//! when `total == input + output + tool` while `thoughts > 0`, the writer already counted the
//! thoughts inside `output`, and they are not added a second time.

use convx_model::Usage;
use serde_json::Value;

/// The raw `tokens` object of a message, with missing fields as 0.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeminiTokens {
    /// `promptTokenCount` (includes cached).
    pub input: u64,
    /// `candidatesTokenCount`.
    pub output: u64,
    /// `cachedContentTokenCount`.
    pub cached: u64,
    /// `thoughtsTokenCount`.
    pub thoughts: u64,
    /// `toolUsePromptTokenCount`.
    pub tool: u64,
    /// `totalTokenCount` (0 when absent).
    pub total: u64,
}

fn num(v: &Value, key: &str) -> u64 {
    match v.get(key) {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f > 0.0).map(|f| f as u64))
            .unwrap_or(0),
        Some(Value::String(s)) => s.trim().parse::<u64>().unwrap_or(0),
        _ => 0,
    }
}

impl GeminiTokens {
    /// Read a `tokens` value; `None` for `null`, absent or non-object values.
    pub fn from_value(v: &Value) -> Option<GeminiTokens> {
        if !v.is_object() {
            return None;
        }
        Some(GeminiTokens {
            input: num(v, "input"),
            output: num(v, "output"),
            cached: num(v, "cached"),
            thoughts: num(v, "thoughts"),
            tool: num(v, "tool"),
            total: num(v, "total"),
        })
    }

    /// The normalized usage (see the module docs for the mapping).
    pub fn normalize(&self) -> Usage {
        let thoughts_inside_output = self.thoughts > 0
            && self.total > 0
            && self.total == self.input + self.output + self.tool;
        let output = if thoughts_inside_output {
            self.output
        } else {
            self.output + self.thoughts
        };
        Usage {
            input: self.input.saturating_sub(self.cached) + self.tool,
            cache_creation: 0,
            cache_read: self.cached,
            output,
            reasoning: self.thoughts.min(output),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_reference_example() {
        // input 8123 (6000 cached), output 41, thoughts 120, tool 0, total 8284.
        let t = GeminiTokens::from_value(
            &json!({"input":8123,"output":41,"cached":6000,"thoughts":120,"tool":0,"total":8284}),
        )
        .unwrap();
        let u = t.normalize();
        assert_eq!(
            u,
            Usage {
                input: 2123,
                cache_creation: 0,
                cache_read: 6000,
                output: 161,
                reasoning: 120
            }
        );
        assert_eq!(u.total(), 8284);
    }

    #[test]
    fn tool_prompt_tokens_are_input() {
        let t = GeminiTokens::from_value(
            &json!({"input":100,"output":10,"cached":0,"tool":7,"total":117}),
        )
        .unwrap();
        let u = t.normalize();
        assert_eq!(u.input, 107);
        assert_eq!(u.total(), 117);
    }

    #[test]
    fn thoughts_already_in_output_are_not_added_twice() {
        // total = input + output: the thoughts are inside output.
        let t = GeminiTokens::from_value(
            &json!({"input":100,"output":50,"cached":0,"thoughts":30,"total":150}),
        )
        .unwrap();
        let u = t.normalize();
        assert_eq!((u.output, u.reasoning), (50, 30));
    }

    #[test]
    fn legacy_without_thoughts_and_null() {
        assert_eq!(GeminiTokens::from_value(&Value::Null), None);
        let t = GeminiTokens::from_value(&json!({"input":10,"output":5,"cached":20,"total":15}))
            .unwrap();
        // cached > input (inconsistent record): input saturates at 0.
        let u = t.normalize();
        assert_eq!(u.input, 0);
        assert_eq!(u.output, 5);
    }
}
