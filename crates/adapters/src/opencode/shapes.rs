//! Helpers over OpenCode's on-disk shapes: model names, todo lists, file attachments,
//! scrubbing of opaque records, and the oldest inline-parts message generation.

use super::build::Part;
use crate::text;
use convx_model::{Attachment, PlanStep, PlanStepStatus};
use serde_json::{Value, json};

fn str_at<'a>(v: &'a Value, ptr: &str) -> Option<&'a str> {
    v.pointer(ptr)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// `providerID/modelID` of an assistant message (or of a newer `model: {providerID, modelID|id}`).
pub(crate) fn model_of(info: &Value) -> Option<String> {
    let (provider, model) = match (str_at(info, "/providerID"), str_at(info, "/modelID")) {
        (p, Some(m)) => (p, m),
        _ => (
            str_at(info, "/model/providerID"),
            str_at(info, "/model/modelID").or_else(|| str_at(info, "/model/id"))?,
        ),
    };
    Some(match provider {
        Some(p) if !m_has_provider(model, p) => format!("{p}/{model}"),
        _ => model.to_string(),
    })
}

fn m_has_provider(model: &str, provider: &str) -> bool {
    model
        .strip_prefix(provider)
        .is_some_and(|r| r.starts_with('/'))
}

/// Todo list of a `todowrite` call: `{todos: [{content, status, priority, id}]}`.
pub(crate) fn plan_steps(input: &Value) -> Option<Vec<PlanStep>> {
    let todos = input.get("todos")?.as_array()?;
    Some(
        todos
            .iter()
            .map(|t| PlanStep {
                text: t
                    .get("content")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                status: PlanStepStatus::parse(
                    t.get("status").and_then(Value::as_str).unwrap_or("pending"),
                ),
            })
            .collect(),
    )
}

/// Attachment metadata of a file part `{mime, filename?, url, source?}`; never its data.
pub(crate) fn attachment(d: &Value) -> Attachment {
    let mime = d
        .get("mime")
        .or_else(|| d.get("mediaType"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let url = d.get("url").and_then(Value::as_str).unwrap_or("");
    let size = url
        .strip_prefix("data:")
        .and_then(|r| r.split_once(','))
        .map(|(meta, data)| {
            if meta.ends_with(";base64") {
                text::base64_decoded_len(data)
            } else {
                data.len() as u64
            }
        });
    let name = str_at(d, "/filename")
        .or_else(|| str_at(d, "/source/path"))
        .or_else(|| url.strip_prefix("file://"))
        .map(str::to_string);
    let kind = match mime.as_deref() {
        Some(m) if m.starts_with("image/") => "image",
        Some("application/x-directory") => "directory",
        _ => "file",
    };
    Attachment {
        kind: kind.into(),
        media_type: mime,
        size_bytes: size,
        name,
    }
}

/// A copy of `v` safe to keep as an opaque record: `data:` URLs become placeholders and
/// encrypted / signature blobs are dropped.
pub(crate) fn scrub(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with("data:") && s.contains(";base64,") => {
            let (media, size) = text::image_meta(&json!({"image_url": s}));
            Value::String(format!(
                "[data: {}, {} bytes]",
                media.unwrap_or_default(),
                size.unwrap_or(0)
            ))
        }
        Value::Array(a) => Value::Array(a.iter().map(scrub).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let lk = k.to_ascii_lowercase();
                    if (lk.contains("encrypted") || lk.contains("signature")) && v.is_string() {
                        (k.clone(), Value::String("[removed]".into()))
                    } else {
                        (k.clone(), scrub(v))
                    }
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Parts of the oldest generation, stored inline in the message (`parts: [...]`,
/// AI-SDK style `tool-invocation` parts), rewritten to the current part shapes.
pub(crate) fn inline_parts(mid: &str, data: &Value) -> Vec<Part> {
    let tools = data.pointer("/metadata/tool");
    let parts = data
        .get("parts")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let id = p.get("id").and_then(Value::as_str).map_or_else(|| format!("{mid}#{i}"), str::to_string);
            let data = match p.get("type").and_then(Value::as_str) {
                Some("tool-invocation") => {
                    let inv = p.get("toolInvocation").cloned().unwrap_or(Value::Null);
                    let call = inv.get("toolCallId").and_then(Value::as_str).unwrap_or("").to_string();
                    let meta = tools.and_then(|t| t.get(&call));
                    let failed = meta.and_then(|m| m.get("error")).is_some_and(|e| !e.is_null() && e != &json!(false));
                    let status = match inv.get("state").and_then(Value::as_str) {
                        Some("result") if failed => "error",
                        Some("result") => "completed",
                        _ => "running",
                    };
                    let result = inv.get("result").cloned().unwrap_or(Value::Null);
                    let text = result.as_str().map_or_else(|| text::flatten_content(&result), str::to_string);
                    json!({
                        "type": "tool", "callID": call, "tool": inv.get("toolName"),
                        "state": {"status": status, "input": inv.get("args"), "output": text, "error": text,
                                  "time": meta.and_then(|m| m.get("time"))},
                    })
                }
                _ => p.clone(),
            };
            Part { id, data }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_never_keep_data() {
        let a = attachment(
            &json!({"type":"file","mime":"image/png","filename":"shot.png","url":"data:image/png;base64,AAAAAAAA"}),
        );
        assert_eq!(
            a,
            Attachment {
                kind: "image".into(),
                media_type: Some("image/png".into()),
                size_bytes: Some(6),
                name: Some("shot.png".into())
            }
        );
        let f = attachment(&json!({"mime":"text/plain","url":"file:///home/li/app/src/a.ts"}));
        assert_eq!(f.name.as_deref(), Some("/home/li/app/src/a.ts"));
    }

    #[test]
    fn scrub_drops_blobs() {
        let v = scrub(
            &json!({"url":"data:image/png;base64,AAAA","metadata":{"openai":{"reasoningEncryptedContent":"gAAAA"}}}),
        );
        assert_eq!(v["url"], "[data: image/png, 3 bytes]");
        assert_eq!(
            v["metadata"]["openai"]["reasoningEncryptedContent"],
            "[removed]"
        );
    }

    #[test]
    fn models() {
        assert_eq!(
            model_of(&json!({"providerID":"anthropic","modelID":"claude-sonnet-4-5"})).as_deref(),
            Some("anthropic/claude-sonnet-4-5")
        );
        assert_eq!(
            model_of(&json!({"model":{"providerID":"openai","id":"gpt-5"}})).as_deref(),
            Some("openai/gpt-5")
        );
        assert_eq!(
            model_of(&json!({"providerID":"openrouter","modelID":"openrouter/x"})).as_deref(),
            Some("openrouter/x")
        );
        assert_eq!(model_of(&json!({})), None);
    }
}
