//! The hidden normalized JSON: the full [`Session`], pretty-printed, fields in the model's
//! declaration order and maps in a stable order, so it diffs well and reads back equal.

use convx_model::{CallRecord, EventKind, Session};
use std::io::Write;

/// Write `session` as pretty JSON followed by a newline.
pub fn write_session(mut w: impl Write, session: &Session) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut w, session)?;
    w.write_all(b"\n")
}

/// Read a session written by [`write_session`]; the in-memory call list (not serialized)
/// is rebuilt from the events, so the result equals what was written.
pub fn read_session(bytes: &[u8]) -> Result<Session, serde_json::Error> {
    let mut s: Session = serde_json::from_slice(bytes)?;
    restore_calls(&mut s);
    Ok(s)
}

/// Rebuild `summary.calls` from the events, exactly as [`Session::push`] records them.
pub fn restore_calls(s: &mut Session) {
    s.summary.calls = s
        .events
        .iter()
        .filter(|e| !e.inherited)
        .filter_map(|e| e.usage.as_ref())
        .map(|u| CallRecord {
            dedup_key: u.dedup_key.clone(),
            model: u.model.clone(),
            tokens: u.tokens,
            duplicate: u.duplicate,
        })
        .collect();
}

/// True when a user prompt (not tool output, not injected context) contains `marker`.
pub fn prompt_contains(s: &Session, marker: &str) -> bool {
    s.events
        .iter()
        .any(|e| matches!(&e.kind, EventKind::UserPrompt { text, .. } if text.contains(marker)))
}

/// Read the `"key"` of a session JSON from its first bytes (it is the second field).
pub fn peek_key(head: &str) -> Option<String> {
    let at = head.find("\n  \"key\": ")?;
    let rest = &head[at + "\n  \"key\": ".len()..];
    let end = rest.find('\n')?;
    serde_json::from_str::<String>(rest[..end].trim_end_matches(',')).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_peeked_from_the_head() {
        let s = Session::new(convx_model::Agent::Claude, "a\"b");
        let mut out = Vec::new();
        write_session(&mut out, &s).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            peek_key(&text[..60.min(text.len())]).as_deref(),
            Some("claude:a\"b")
        );
    }
}
