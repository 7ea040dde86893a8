//! Gemini `PartListUnion` content: a plain string (v0.2–v0.3), one `Part` object, or an
//! array of parts / strings (v0.4.0+). Parts are `{text}`, `{text, thought: true}`,
//! `{inlineData: {mimeType, data}}`, `{fileData: {mimeType, fileUri}}`, `{functionCall}`,
//! `{functionResponse}`, `{executableCode}`, `{codeExecutionResult}`…

use convx_model::Attachment;
use serde_json::Value;

/// One part of a content value, classified.
#[derive(Debug, Clone, Copy)]
pub enum Part<'a> {
    /// Text; `thought` marks reasoning parts.
    Text {
        /// The text.
        text: &'a str,
        /// `thought: true`.
        thought: bool,
    },
    /// `{functionCall: {id?, name, args}}` (the inner object).
    FunctionCall(&'a Value),
    /// `{functionResponse: {id?, name, response}}` (the inner object).
    FunctionResponse(&'a Value),
    /// `{inlineData: {mimeType, data}}` (the inner object).
    InlineData(&'a Value),
    /// `{fileData: {mimeType, fileUri}}` (the inner object).
    FileData(&'a Value),
    /// Anything else (executable code, results, unknown part kinds).
    Other(&'a Value),
}

/// The parts of a content value, in order.
pub fn parts(content: &Value) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    match content {
        Value::Array(items) => items.iter().for_each(|p| push_part(p, &mut out)),
        Value::Null => {}
        other => push_part(other, &mut out),
    }
    out
}

fn push_part<'a>(p: &'a Value, out: &mut Vec<Part<'a>>) {
    match p {
        Value::String(s) => out.push(Part::Text {
            text: s,
            thought: false,
        }),
        Value::Object(o) => {
            if let Some(fc) = o.get("functionCall").filter(|v| v.is_object()) {
                out.push(Part::FunctionCall(fc));
            } else if let Some(fr) = o.get("functionResponse").filter(|v| v.is_object()) {
                out.push(Part::FunctionResponse(fr));
            } else if let Some(d) = o.get("inlineData").filter(|v| v.is_object()) {
                out.push(Part::InlineData(d));
            } else if let Some(d) = o.get("fileData").filter(|v| v.is_object()) {
                out.push(Part::FileData(d));
            } else if let Some(t) = o.get("text").and_then(Value::as_str) {
                let thought = o.get("thought").and_then(Value::as_bool).unwrap_or(false);
                out.push(Part::Text { text: t, thought });
            } else {
                out.push(Part::Other(p));
            }
        }
        Value::Array(items) => items.iter().for_each(|i| push_part(i, out)),
        Value::Null => {}
        other => out.push(Part::Other(other)),
    }
}

fn str_field<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| v.get(*k).and_then(Value::as_str))
}

/// `[image: image/png, 1234 bytes]`-style placeholder for an `inlineData` / `fileData` part
/// (the base64 data is never kept).
pub fn binary_placeholder(d: &Value) -> String {
    let mime = str_field(d, &["mimeType", "mime_type"]);
    let kind = kind_of(mime);
    let size = d
        .get("data")
        .and_then(Value::as_str)
        .map(crate::text::base64_decoded_len);
    let name = str_field(d, &["fileUri", "displayName", "name"]);
    let mut bits: Vec<String> = Vec::new();
    if let Some(n) = name {
        bits.push(n.to_string());
    }
    if let Some(m) = mime {
        bits.push(m.to_string());
    }
    if let Some(s) = size {
        bits.push(format!("{s} bytes"));
    }
    if bits.is_empty() {
        format!("[{kind}]")
    } else {
        format!("[{kind}: {}]", bits.join(", "))
    }
}

fn kind_of(mime: Option<&str>) -> &'static str {
    match mime {
        Some(m) if m.starts_with("image/") => "image",
        Some(m) if m.starts_with("audio/") => "audio",
        Some(m) if m.starts_with("video/") => "video",
        _ => "file",
    }
}

/// An attachment record for an `inlineData` / `fileData` part.
pub fn attachment(d: &Value) -> Attachment {
    let mime = str_field(d, &["mimeType", "mime_type"]);
    Attachment {
        kind: kind_of(mime).to_string(),
        media_type: mime.map(str::to_string),
        size_bytes: d
            .get("data")
            .and_then(Value::as_str)
            .map(crate::text::base64_decoded_len),
        name: str_field(d, &["fileUri", "displayName", "name"]).map(str::to_string),
    }
}

/// The text of a `functionResponse`'s `response` (`output`, else `error`, else `content`,
/// else compact JSON), and whether it reports an error.
pub fn function_response_text(fr: &Value) -> (String, bool) {
    let resp = fr.get("response").unwrap_or(&Value::Null);
    let is_error = resp.get("error").is_some_and(|e| !e.is_null()) && resp.get("output").is_none();
    let mut text = match resp {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        _ => {
            if let Some(o) = resp.get("output") {
                value_text(o)
            } else if let Some(e) = resp.get("error").filter(|e| !e.is_null()) {
                value_text(e)
            } else if let Some(c) = resp.get("content") {
                value_text(c)
            } else {
                resp.to_string()
            }
        }
    };
    // Multimodal function responses (2026): `functionResponse.parts` with inline data.
    if let Some(extra) = fr.get("parts") {
        let more = flatten(extra);
        if !more.is_empty() {
            if !text.is_empty() {
                text.push('\n');
            }
            text.push_str(&more);
        }
    }
    (text, is_error)
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Flatten a content value to display text: text parts concatenated as the CLI does,
/// thoughts included, binary data replaced by placeholders, function calls and responses
/// summarized.
pub fn flatten(content: &Value) -> String {
    let mut out = String::new();
    for p in parts(content) {
        let piece = match p {
            Part::Text { text, .. } => text.to_string(),
            Part::FunctionCall(fc) => {
                format!(
                    "[function call: {}]",
                    str_field(fc, &["name"]).unwrap_or("?")
                )
            }
            Part::FunctionResponse(fr) => function_response_text(fr).0,
            Part::InlineData(d) | Part::FileData(d) => binary_placeholder(d),
            Part::Other(v) => other_text(v),
        };
        if piece.is_empty() {
            continue;
        }
        // Separate placeholders and structured pieces from surrounding text.
        if !out.is_empty() && !matches!(p, Part::Text { .. }) && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&piece);
    }
    out
}

/// Text of parts convx does not model specifically (`executableCode`, `codeExecutionResult`,
/// unknown): their code/output field when present, else compact JSON.
pub fn other_text(v: &Value) -> String {
    if let Some(code) = v.get("executableCode") {
        return str_field(code, &["code"])
            .map(str::to_string)
            .unwrap_or_else(|| code.to_string());
    }
    if let Some(res) = v.get("codeExecutionResult") {
        return str_field(res, &["output"])
            .map(str::to_string)
            .unwrap_or_else(|| res.to_string());
    }
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn string_and_parts_flatten_alike() {
        assert_eq!(flatten(&json!("hello")), "hello");
        assert_eq!(flatten(&json!([{"text":"a "},"b"])), "a b");
        assert_eq!(flatten(&json!({"text":"one"})), "one");
    }

    #[test]
    fn binary_data_is_never_kept() {
        let v = json!([{"text":"see"},{"inlineData":{"mimeType":"image/png","data":"AAAAAAAA"}}]);
        assert_eq!(flatten(&v), "see\n[image: image/png, 6 bytes]");
        let a = attachment(&v[1]["inlineData"]);
        assert_eq!(a.kind, "image");
        assert_eq!(a.size_bytes, Some(6));
    }

    #[test]
    fn function_responses() {
        let ok = json!({"id":"c1","name":"ls","response":{"output":"a.txt"}});
        assert_eq!(function_response_text(&ok), ("a.txt".to_string(), false));
        let err =
            json!({"id":"c1","name":"ls","response":{"error":"[Operation Cancelled] denied"}});
        assert_eq!(
            function_response_text(&err),
            ("[Operation Cancelled] denied".to_string(), true)
        );
    }
}
