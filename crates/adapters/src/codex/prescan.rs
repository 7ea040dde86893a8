//! A short look ahead before the real pass: where the copied parent history of a fork or
//! sub-agent ends, and whether the file has `response_item`s at all.
//!
//! Forks and `thread_spawn` sub-agents start with a copy of the parent's rollout (its
//! `session_meta`, messages and `token_count`s), all stamped with the copy time: a burst of
//! lines sharing one second right after the file's own `session_meta` (§1.8). The burst is
//! taken as copied when it holds a copied `session_meta`, when the file is a fork
//! (`forked_from_id`), or when a sub-agent file has two different running totals in it (no
//! sub-agent completes two model calls within the second it was spawned). A `task_started`
//! whose `started_at` is not before the file's own start is an own turn and ends the burst.
//!
//! The scan stops as soon as both questions are answered; for ordinary files that is after
//! a few lines.

use crate::AdapterError;
use crate::jsonl;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;

/// What the look ahead found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Prescan {
    /// Last line number (1-based, as numbered by [`jsonl::for_each_line`]) of the copied prefix.
    pub prefix_end: Option<u64>,
    /// The file has model-history items (`response_item` lines or generation-A bare items).
    pub has_items: bool,
}

struct Meta {
    id: String,
    secs: i64,
    fork: bool,
    subagent: bool,
}

#[derive(Default)]
struct Burst {
    second: Option<String>,
    last_line: u64,
    saw_meta: bool,
    first_total: Option<Value>,
    distinct_totals: bool,
    done: bool,
}

/// Scan `path` (decompressing `.zst`).
pub(crate) fn prescan(path: &Path) -> Result<Prescan, AdapterError> {
    let reader = jsonl::open(path)?;
    let mut reader = BufReader::with_capacity(64 * 1024, reader);
    let mut buf = Vec::new();
    let mut number = 0u64;
    let mut meta: Option<Meta> = None;
    let mut first = true;
    let mut burst = Burst::default();
    let mut out = Prescan::default();
    loop {
        buf.clear();
        match reader.read_until(b'\n', &mut buf) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        number += 1;
        let line = trim(&buf);
        if line.is_empty() {
            continue;
        }
        let Ok((v, _)) = jsonl::parse_line(line) else {
            continue;
        };
        if !v.is_object() {
            continue;
        }
        let ty = v.get("type").and_then(Value::as_str);
        let envelope = v.get("payload").is_some() && ty.is_some();
        if envelope && ty == Some("response_item")
            || !envelope && ty.is_some() && v.get("record_type").is_none()
        {
            out.has_items = true;
        }
        if first {
            first = false;
            meta = own_meta(&v);
            if meta.is_none() {
                burst.done = true;
            }
        } else if !burst.done
            && let Some(m) = &meta
        {
            scan_burst(&mut burst, m, &v, number);
        }
        if burst.done && out.has_items {
            break;
        }
    }
    if let Some(m) = &meta {
        let copied = burst.last_line > 0
            && (burst.saw_meta || m.fork || (m.subagent && burst.distinct_totals));
        if copied {
            out.prefix_end = Some(burst.last_line);
        }
    }
    Ok(out)
}

fn own_meta(v: &Value) -> Option<Meta> {
    if v.get("type").and_then(Value::as_str) != Some("session_meta") {
        return None;
    }
    let p = v.get("payload")?;
    let secs = v
        .get("timestamp")
        .and_then(Value::as_str)
        .and_then(crate::time::parse_iso)?
        .as_second();
    let source = p.get("source");
    let sub = source.and_then(|s| s.get("subagent"));
    Some(Meta {
        id: p
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        secs,
        fork: p
            .get("forked_from_id")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty()),
        subagent: sub.is_some() || p.get("parent_thread_id").and_then(Value::as_str).is_some(),
    })
}

fn scan_burst(b: &mut Burst, m: &Meta, v: &Value, number: u64) {
    let ts = v.get("timestamp").and_then(Value::as_str).unwrap_or("");
    let second = ts.get(..19).map(str::to_string);
    match (&b.second, second) {
        (None, Some(s)) => {
            // The burst must start right after the own meta (within 2 s).
            let near = crate::time::parse_iso(ts)
                .is_some_and(|t| (0..=2).contains(&(t.as_second() - m.secs)));
            if !near {
                b.done = true;
                return;
            }
            b.second = Some(s);
        }
        (Some(cur), Some(s)) if *cur == s => {}
        _ => {
            b.done = true;
            return;
        }
    }
    let ty = v.get("type").and_then(Value::as_str);
    let p = v.get("payload");
    let pty = p.and_then(|p| p.get("type")).and_then(Value::as_str);
    match (ty, pty) {
        (Some("session_meta"), _)
            if p.and_then(|p| p.get("id")).and_then(Value::as_str) != Some(m.id.as_str()) =>
        {
            b.saw_meta = true;
        }
        (Some("event_msg"), Some("task_started" | "turn_started")) => {
            let started = p.and_then(|p| p.get("started_at")).and_then(Value::as_i64);
            if started.is_some_and(|s| s >= m.secs) {
                b.done = true;
                return;
            }
        }
        (Some("event_msg"), Some("token_count")) => {
            if let Some(t) = p
                .and_then(|p| p.get("info"))
                .and_then(|i| i.get("total_token_usage"))
            {
                match &b.first_total {
                    None => b.first_total = Some(t.clone()),
                    Some(f) if f != t => b.distinct_totals = true,
                    Some(_) => {}
                }
            }
        }
        _ => {}
    }
    b.last_line = number;
}

fn trim(buf: &[u8]) -> &[u8] {
    let mut end = buf.len();
    while end > 0 && matches!(buf[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    let mut start = 0;
    if buf[..end].starts_with(&[0xEF, 0xBB, 0xBF]) {
        start = 3;
    }
    while start < end && (buf[start] == 0 || buf[start].is_ascii_whitespace()) {
        start += 1;
    }
    &buf[start..end]
}
