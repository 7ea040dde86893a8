//! Small text helpers shared by adapters.

use serde_json::Value;

/// Flatten a tool output that may be a string, an array of content parts
/// (`{type:"text"|"input_text"|"output_text", text}`, images) or any JSON into text.
/// Images become a placeholder with their media type and size, never their data.
pub fn flatten_content(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(items) => {
            let parts: Vec<String> = items
                .iter()
                .map(flatten_part)
                .filter(|s| !s.is_empty())
                .collect();
            parts.join("\n")
        }
        Value::Object(_) => flatten_part(v),
        other => other.to_string(),
    }
}

fn flatten_part(p: &Value) -> String {
    if let Some(s) = p.as_str() {
        return s.to_string();
    }
    let ty = p.get("type").and_then(Value::as_str).unwrap_or("");
    if let Some(t) = p.get("text").and_then(Value::as_str) {
        return t.to_string();
    }
    if ty.contains("image") {
        return image_placeholder(p);
    }
    if let Some(c) = p.get("content") {
        return flatten_content(c);
    }
    p.to_string()
}

/// `[image: image/png, 12345 bytes]` for an image part, from its base64 data or data URL.
pub fn image_placeholder(p: &Value) -> String {
    let (media, size) = image_meta(p);
    match (media, size) {
        (Some(m), Some(s)) => format!("[image: {m}, {s} bytes]"),
        (Some(m), None) => format!("[image: {m}]"),
        (None, Some(s)) => format!("[image: {s} bytes]"),
        (None, None) => "[image]".to_string(),
    }
}

/// Media type and decoded size of an image part (`source.data`, `image_url` data URL...).
pub fn image_meta(p: &Value) -> (Option<String>, Option<u64>) {
    let src = p.get("source").unwrap_or(p);
    let mut media = src
        .get("media_type")
        .or_else(|| src.get("mediaType"))
        .or_else(|| src.get("mimeType"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut size = src
        .get("data")
        .and_then(Value::as_str)
        .map(base64_decoded_len);
    let url = p
        .get("image_url")
        .and_then(|u| u.as_str().or_else(|| u.get("url").and_then(Value::as_str)));
    if let Some((meta, data)) = url
        .and_then(|u| u.strip_prefix("data:"))
        .and_then(|rest| rest.split_once(','))
    {
        if media.is_none() {
            media = meta
                .split(';')
                .next()
                .filter(|m| !m.is_empty())
                .map(str::to_string);
        }
        size = Some(base64_decoded_len(data));
    }
    (media, size)
}

/// Decoded byte length of a base64 string (without decoding it).
pub fn base64_decoded_len(s: &str) -> u64 {
    let s = s.trim_end();
    let pad = s.bytes().rev().take_while(|&b| b == b'=').count() as u64;
    (s.len() as u64 / 4) * 3 - pad.min(2)
}

/// If `text` (trimmed) starts with `<tag ...>` return `tag`.
pub fn leading_tag(text: &str) -> Option<&str> {
    let t = text.trim_start();
    let rest = t.strip_prefix('<')?;
    let end =
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ':'))?;
    let tag = &rest[..end];
    if tag.is_empty() || !matches!(rest.as_bytes()[end], b'>' | b' ' | b'\n') {
        return None;
    }
    Some(tag)
}

/// True when `text` is entirely one `<tag>...</tag>` block (the generic shape of injected context).
pub fn is_wrapped_in_tag(text: &str) -> bool {
    let t = text.trim();
    match leading_tag(t) {
        Some(tag) => t.ends_with(&format!("</{tag}>")),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flattens_parts_and_hides_images() {
        let v = json!([{"type":"input_text","text":"a"},{"type":"input_image","image_url":"data:image/png;base64,AAAA"}]);
        assert_eq!(flatten_content(&v), "a\n[image: image/png, 3 bytes]");
        let v = json!([{"type":"image","source":{"type":"base64","media_type":"image/jpeg","data":"AAAAAA=="}}]);
        assert_eq!(flatten_content(&v), "[image: image/jpeg, 4 bytes]");
    }

    #[test]
    fn tags() {
        assert_eq!(
            leading_tag("  <environment_context>\n<cwd>/x</cwd>"),
            Some("environment_context")
        );
        assert_eq!(leading_tag("<a href=x>"), Some("a"));
        assert_eq!(leading_tag("a < b"), None);
        assert!(is_wrapped_in_tag("<foo_bar>\nx\n</foo_bar>\n"));
        assert!(!is_wrapped_in_tag("<foo>x</bar>"));
    }
}
