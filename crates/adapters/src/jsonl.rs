//! Streaming, fault-tolerant JSON Lines reading shared by the line-oriented adapters.
//!
//! Memory is bounded by the longest line: lines are read one at a time into a reused
//! buffer. Every bad line becomes a [`Warning`] with its 1-based line number; reading goes
//! on with the next line:
//! * blank and NUL-filled lines: [`WarningKind::BlankLine`] (blank lines are common and only
//!   reported when they contain NULs);
//! * invalid UTF-8: decoded lossily, parsed, and reported as [`WarningKind::InvalidUtf8`];
//! * lone surrogate escapes (`"\ud83d"`): replaced by U+FFFD, parsed, reported;
//! * invalid JSON: [`WarningKind::InvalidJson`], or [`WarningKind::TruncatedTail`] for a
//!   last line without newline (a file still being written).

use crate::error::AdapterError;
use convx_model::{Warning, WarningKind};
use serde_json::Value;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// Open a log file, transparently decompressing `.zst` files.
pub fn open(path: &Path) -> Result<Box<dyn Read + Send>, AdapterError> {
    let file = File::open(path).map_err(|e| AdapterError::io(path, e))?;
    if path.extension().is_some_and(|e| e == "zst") {
        let dec = zstd::stream::read::Decoder::new(file).map_err(|e| AdapterError::io(path, e))?;
        Ok(Box::new(dec))
    } else {
        Ok(Box::new(file))
    }
}

/// One parsed line.
#[derive(Debug)]
pub struct Line {
    /// 1-based line number.
    pub number: u64,
    /// The parsed JSON value.
    pub value: Value,
    /// Length of the raw line in bytes.
    pub len: usize,
}

/// Read `reader` line by line, calling `on_line` for each line that parses as JSON.
/// Warnings for bad lines are pushed to `warnings` with `source` as their file name.
/// Returns the number of bytes read. An I/O error mid-file stops reading and is reported
/// as an [`WarningKind::Unreadable`] warning (what was read so far is kept).
pub fn for_each_line(
    reader: impl Read,
    source: &str,
    warnings: &mut Vec<Warning>,
    mut on_line: impl FnMut(Line),
) -> u64 {
    let mut reader = BufReader::with_capacity(256 * 1024, reader);
    let mut buf: Vec<u8> = Vec::with_capacity(64 * 1024);
    let mut number = 0u64;
    let mut total = 0u64;
    let mut saw_content = false;
    loop {
        buf.clear();
        let n = match reader.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                warnings.push(Warning::new(
                    source,
                    Some(number + 1),
                    WarningKind::Unreadable,
                    e.to_string(),
                ));
                break;
            }
        };
        total += n as u64;
        number += 1;
        let complete = buf.last() == Some(&b'\n');
        if buf.contains(&0) && buf.iter().all(|&b| b == 0 || b.is_ascii_whitespace()) {
            warnings.push(Warning::new(
                source,
                Some(number),
                WarningKind::BlankLine,
                "NUL-filled line",
            ));
            continue;
        }
        let line = trim_line(&buf);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        saw_content = true;
        match parse_line(line) {
            Ok((value, issue)) => {
                if let Some((kind, detail)) = issue {
                    warnings.push(Warning::new(source, Some(number), kind, detail));
                }
                on_line(Line {
                    number,
                    value,
                    len: n,
                });
            }
            Err(detail) => {
                let kind = if complete {
                    WarningKind::InvalidJson
                } else {
                    WarningKind::TruncatedTail
                };
                warnings.push(Warning::new(source, Some(number), kind, detail));
            }
        }
    }
    if !saw_content && number == 0 {
        warnings.push(Warning::new(
            source,
            None,
            WarningKind::EmptyFile,
            "0-byte file",
        ));
    }
    total
}

fn trim_line(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let mut start = 0;
    // A UTF-8 BOM at the start of a file.
    if buf[..end].starts_with(&[0xEF, 0xBB, 0xBF]) {
        start = 3;
    }
    // Codex newline-terminates a truncated line before appending again; NUL padding may
    // precede a valid record after a crash.
    while start < end && buf[start] == 0 {
        start += 1;
    }
    &buf[start..end]
}

type Issue = Option<(WarningKind, String)>;

/// Parse one line, recovering from invalid UTF-8 and lone surrogate escapes.
pub fn parse_line(line: &[u8]) -> Result<(Value, Issue), String> {
    match serde_json::from_slice::<Value>(line) {
        Ok(v) => Ok((v, None)),
        Err(first) => {
            let (text, mut issue): (std::borrow::Cow<'_, str>, Issue) =
                match std::str::from_utf8(line) {
                    Ok(s) => (s.into(), None),
                    Err(_) => (
                        String::from_utf8_lossy(line),
                        Some((
                            WarningKind::InvalidUtf8,
                            "invalid UTF-8 replaced by U+FFFD".to_string(),
                        )),
                    ),
                };
            if let Ok(v) = serde_json::from_str::<Value>(&text) {
                return Ok((v, issue));
            }
            if let Some(fixed) = replace_lone_surrogates(&text)
                && let Ok(v) = serde_json::from_str::<Value>(&fixed)
            {
                issue = Some((
                    WarningKind::InvalidUtf8,
                    "lone surrogate escape replaced by U+FFFD".to_string(),
                ));
                return Ok((v, issue));
            }
            Err(first.to_string())
        }
    }
}

/// Replace `\uD800`-`\uDFFF` escapes that are not part of a valid surrogate pair by
/// `\uFFFD`. Returns `None` when there is nothing to replace.
fn replace_lone_surrogates(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    let mut last = 0;
    let hex_at = |i: usize| -> Option<u16> {
        let h = b.get(i + 2..i + 6)?;
        u16::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok()
    };
    while i + 1 < b.len() {
        if b[i] == b'\\' {
            if b[i + 1] == b'u' {
                if let Some(cp) = hex_at(i) {
                    let is_high = (0xD800..0xDC00).contains(&cp);
                    let is_low = (0xDC00..0xE000).contains(&cp);
                    if is_high {
                        let pair = b.get(i + 6) == Some(&b'\\')
                            && b.get(i + 7) == Some(&b'u')
                            && hex_at(i + 6).is_some_and(|c| (0xDC00..0xE000).contains(&c));
                        if pair {
                            i += 12;
                            continue;
                        }
                    }
                    if is_high || is_low {
                        out.push_str(&s[last..i]);
                        out.push_str("\\uFFFD");
                        i += 6;
                        last = i;
                        changed = true;
                        continue;
                    }
                }
                i += 6;
                continue;
            }
            i += 2; // skip the escaped character
            continue;
        }
        i += 1;
    }
    if !changed {
        return None;
    }
    out.push_str(&s[last..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> (Vec<(u64, Value)>, Vec<Warning>) {
        let mut w = Vec::new();
        let mut lines = Vec::new();
        for_each_line(input, "f.jsonl", &mut w, |l| {
            lines.push((l.number, l.value))
        });
        (lines, w)
    }

    #[test]
    fn bad_lines_are_reported_and_skipped() {
        let mut input = Vec::new();
        input.extend_from_slice(b"{\"a\":1}\n");
        input.extend_from_slice(b"{\"a\":2, \"trunc\n");
        input.extend_from_slice(b"\n");
        input.extend_from_slice(b"\0\0\0\0\n");
        input.extend_from_slice(b"{\"s\":\"caf\xe9\"}\n");
        input.extend_from_slice(b"{\"e\":\"\\ud83d x\"}\n");
        input.extend_from_slice(b"{\"ok\":\"\\ud83d\\ude00\"}\n");
        input.extend_from_slice(b"{\"tail\":");
        let (lines, w) = run(&input);
        let nums: Vec<u64> = lines.iter().map(|l| l.0).collect();
        assert_eq!(nums, vec![1, 5, 6, 7]);
        assert_eq!(lines[1].1["s"], "caf\u{FFFD}");
        assert_eq!(lines[2].1["e"], "\u{FFFD} x");
        assert_eq!(lines[3].1["ok"], "😀");
        let kinds: Vec<(Option<u64>, WarningKind)> = w.iter().map(|w| (w.line, w.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (Some(2), WarningKind::InvalidJson),
                (Some(4), WarningKind::BlankLine),
                (Some(5), WarningKind::InvalidUtf8),
                (Some(6), WarningKind::InvalidUtf8),
                (Some(8), WarningKind::TruncatedTail),
            ]
        );
    }

    #[test]
    fn empty_input_is_reported() {
        let (lines, w) = run(b"");
        assert!(lines.is_empty());
        assert_eq!(w[0].kind, WarningKind::EmptyFile);
    }

    #[test]
    fn crlf_and_bom_are_tolerated() {
        let (lines, w) = run(b"\xEF\xBB\xBF{\"a\":1}\r\n{\"b\":2}\r\n");
        assert_eq!(lines.len(), 2);
        assert!(w.is_empty());
    }
}
