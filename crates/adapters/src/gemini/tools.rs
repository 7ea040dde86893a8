//! Helpers for Gemini tool-call records: arguments, result text, `resultDisplay`,
//! `write_todos` plans, and scrubbing binary data from raw records.

use super::content::{self, Part};
use convx_model::{PlanStep, PlanStepStatus};
use serde_json::Value;

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Tool arguments: the object as recorded; a JSON string is parsed; anything else kept.
pub fn parse_args(v: Option<&Value>) -> Value {
    match v {
        None => Value::Null,
        Some(Value::String(s)) => {
            serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.clone()))
        }
        Some(other) => other.clone(),
    }
}

/// Text and error flag of a `toolCalls[].result` (functionResponse parts, text, inline data).
pub fn result_text(r: &Value) -> (String, bool) {
    let mut out = String::new();
    let mut err = false;
    for p in content::parts(r) {
        let piece = match p {
            Part::FunctionResponse(fr) => {
                let (t, e) = content::function_response_text(fr);
                err |= e;
                t
            }
            Part::Text { text, .. } => text.to_string(),
            Part::InlineData(d) | Part::FileData(d) => content::binary_placeholder(d),
            Part::FunctionCall(fc) => {
                format!("[function call: {}]", str_of(fc, "name").unwrap_or("?"))
            }
            Part::Other(v) => content::other_text(v),
        };
        if piece.is_empty() {
            continue;
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&piece);
    }
    (out, err)
}

/// `resultDisplay`: a string, or an object (file diffs: `fileDiff`; todo lists…).
pub fn display_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(o) => str_of(o, "fileDiff")
            .map(str::to_string)
            .unwrap_or_else(|| o.to_string()),
    }
}

/// `write_todos` arguments: `{todos: [{description, status}]}`.
pub fn todo_steps(args: &Value) -> Option<Vec<PlanStep>> {
    let todos = args.get("todos")?.as_array()?;
    Some(
        todos
            .iter()
            .map(|t| PlanStep {
                text: str_of(t, "description")
                    .or_else(|| str_of(t, "content"))
                    .unwrap_or("")
                    .to_string(),
                status: PlanStepStatus::parse(str_of(t, "status").unwrap_or("pending")),
            })
            .collect(),
    )
}

/// A copy of `v` with base64 payloads (`inlineData.data`, long `data` strings) replaced by
/// a size note, so opaque records never keep binary data.
pub fn scrub(v: &Value) -> Value {
    match v {
        Value::Object(o) => {
            let mut out = serde_json::Map::with_capacity(o.len());
            for (k, val) in o {
                let replaced = match val {
                    Value::String(s)
                        if (k == "data" || k == "base64" || k == "bytes") && s.len() > 64 =>
                    {
                        Some(Value::String(format!(
                            "[binary: {} bytes]",
                            crate::text::base64_decoded_len(s)
                        )))
                    }
                    _ => None,
                };
                out.insert(k.clone(), replaced.unwrap_or_else(|| scrub(val)));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(scrub).collect()),
        other => other.clone(),
    }
}
