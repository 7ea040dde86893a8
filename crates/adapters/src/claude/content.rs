//! Helpers for message content blocks: tool outputs as text, attachments, and scrubbing
//! base64 data and encrypted blobs out of JSON kept raw.

use crate::text;
use convx_model::Attachment;
use serde_json::Value;

/// The text of a tool result's `content` (string, or text/image/other blocks). Images
/// become placeholders; web search results become `title <url>` lines; encrypted
/// content is never kept.
pub(crate) fn flatten_result(content: &Value) -> String {
    match content {
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(flatten_item)
                .filter(|s| !s.is_empty())
                .collect();
            parts.join("\n")
        }
        Value::Object(_) => flatten_item(content),
        other => text::flatten_content(other),
    }
}

fn flatten_item(p: &Value) -> String {
    if let Some(url) = p.get("url").and_then(Value::as_str) {
        let title = p.get("title").and_then(Value::as_str).unwrap_or("");
        return if title.is_empty() {
            url.to_string()
        } else {
            format!("{title} <{url}>")
        };
    }
    if p.get("text").is_some_and(Value::is_string) || p.is_string() {
        return text::flatten_content(p);
    }
    let ty = p.get("type").and_then(Value::as_str).unwrap_or("");
    if ty.contains("image") {
        return text::image_placeholder(p);
    }
    if ty == "document" {
        return document_placeholder(p);
    }
    if ty == "tool_reference"
        && let Some(name) = p.get("tool_name").and_then(Value::as_str)
    {
        return format!("[tool: {name}]");
    }
    if let Some(c) = p.get("content") {
        return flatten_result(c);
    }
    let mut v = p.clone();
    scrub(&mut v);
    v.to_string()
}

/// An output for a tool result whose `content` is empty, from the structured
/// `toolUseResult` (Bash `stdout`/`stderr`, or a plain error string).
pub(crate) fn output_from_tool_use_result(tur: Option<&Value>) -> Option<String> {
    match tur? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(o) => {
            let out = o.get("stdout").and_then(Value::as_str).unwrap_or("");
            let err = o.get("stderr").and_then(Value::as_str).unwrap_or("");
            let joined = match (out.is_empty(), err.is_empty()) {
                (true, true) => return None,
                (false, true) => out.to_string(),
                (true, false) => err.to_string(),
                (false, false) => format!("{out}\n{err}"),
            };
            Some(joined)
        }
        _ => None,
    }
}

/// An attachment for an `image` or `document` block of a prompt (metadata only).
pub(crate) fn attachment(block: &Value, kind: &str) -> Attachment {
    let src = block.get("source").unwrap_or(&Value::Null);
    let (mut media_type, mut size_bytes) = text::image_meta(block);
    let src_type = src.get("type").and_then(Value::as_str).unwrap_or("");
    if src_type == "text" {
        size_bytes = src
            .get("data")
            .and_then(Value::as_str)
            .map(|d| d.len() as u64);
        media_type = media_type.or_else(|| Some("text/plain".to_string()));
    }
    let name = block
        .get("title")
        .and_then(Value::as_str)
        .or_else(|| src.get("url").and_then(Value::as_str))
        .or_else(|| src.get("file_id").and_then(Value::as_str))
        .map(str::to_string);
    Attachment {
        kind: kind.to_string(),
        media_type,
        size_bytes,
        name,
    }
}

/// `[document: application/pdf, 3009 bytes, spec.pdf]` for a document block.
fn document_placeholder(p: &Value) -> String {
    let a = attachment(p, "document");
    let parts: Vec<String> = [
        a.media_type,
        a.size_bytes.map(|s| format!("{s} bytes")),
        a.name,
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        "[document]".to_string()
    } else {
        format!("[document: {}]", parts.join(", "))
    }
}

/// Keys whose string values are binary or encrypted payloads.
const BLOB_KEYS: &[&str] = &[
    "data",
    "base64",
    "signature",
    "encrypted_content",
    "encrypted_index",
];

/// Replace base64 data and encrypted blobs inside `v` by a short `[omitted: N chars]`
/// note, so raw records kept as opaque never carry them.
pub(crate) fn scrub(v: &mut Value) {
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                if let Value::String(s) = x {
                    if BLOB_KEYS.contains(&k.as_str()) && looks_like_blob(s) {
                        *x = Value::String(format!("[omitted: {} chars]", s.len()));
                    }
                } else {
                    scrub(x);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(scrub),
        _ => {}
    }
}

fn looks_like_blob(s: &str) -> bool {
    s.len() >= 64
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'+' | b'/' | b'=' | b'-' | b'_' | b'\n' | b'\r')
        })
}

/// The plain text of a message `content` (string, or its text blocks joined).
pub(crate) fn plain_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(blocks)) => {
            let parts: Vec<&str> = blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            parts.join("\n")
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_flatten_without_blobs() {
        let v = json!([{"type":"text","text":"found 2"},{"type":"image","source":{"type":"base64","media_type":"image/png","data":"iVBORw0KGgo="}}]);
        assert_eq!(flatten_result(&v), "found 2\n[image: image/png, 8 bytes]");
        let v = json!([{"type":"web_search_result","title":"Rust","url":"https://rust-lang.org","encrypted_content":"Eq8Kxyz"}]);
        assert_eq!(flatten_result(&v), "Rust <https://rust-lang.org>");
        assert_eq!(flatten_result(&json!("plain")), "plain");
        let v = json!({"type":"web_search_tool_result_error","error_code":"max_uses_exceeded"});
        assert_eq!(
            flatten_result(&v),
            r#"{"type":"web_search_tool_result_error","error_code":"max_uses_exceeded"}"#
        );
        assert_eq!(
            flatten_result(&json!([{"type":"tool_reference","tool_name":"mcp__db__query"}])),
            "[tool: mcp__db__query]"
        );
    }

    #[test]
    fn documents_become_placeholders() {
        let doc = json!([{"type":"document","title":"spec.pdf","source":{"type":"base64","media_type":"application/pdf","data":"JVBERi0xLjcK"}}]);
        assert_eq!(
            flatten_result(&doc),
            "[document: application/pdf, 9 bytes, spec.pdf]"
        );
        assert_eq!(flatten_result(&json!({"type":"document"})), "[document]");
    }

    #[test]
    fn tool_use_result_fallback() {
        assert_eq!(
            output_from_tool_use_result(Some(&json!({"stdout":"ok","stderr":""}))).as_deref(),
            Some("ok")
        );
        assert_eq!(
            output_from_tool_use_result(Some(&json!("Error: boom"))).as_deref(),
            Some("Error: boom")
        );
        assert_eq!(
            output_from_tool_use_result(Some(&json!({"stdout":""}))),
            None
        );
        assert_eq!(output_from_tool_use_result(None), None);
    }

    #[test]
    fn attachments_and_scrub() {
        let img = json!({"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAAAAA=="}});
        let a = attachment(&img, "image");
        assert_eq!(
            (a.media_type.as_deref(), a.size_bytes),
            (Some("image/jpeg"), Some(4))
        );
        let doc = json!({"type":"document","title":"spec.txt","source":{"type":"text","media_type":"text/plain","data":"hello"}});
        let a = attachment(&doc, "document");
        assert_eq!(
            (a.size_bytes, a.name.as_deref()),
            (Some(5), Some("spec.txt"))
        );
        let blob = "A".repeat(100);
        let mut v = json!({"message":{"content":[{"type":"thinking","thinking":"hm","signature":blob},{"type":"image","source":{"data":blob}}]},"data":{"type":"x"},"note":blob});
        scrub(&mut v);
        assert_eq!(
            v["message"]["content"][0]["signature"],
            "[omitted: 100 chars]"
        );
        assert_eq!(
            v["message"]["content"][1]["source"]["data"],
            "[omitted: 100 chars]"
        );
        assert_eq!(v["data"]["type"], "x");
        assert_eq!(v["note"].as_str().map(str::len), Some(100));
    }
}
