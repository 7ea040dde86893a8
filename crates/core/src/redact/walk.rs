//! Walking a [`Session`]: every text field goes through the redactor, and what was
//! replaced is recorded per (rule, field).
//!
//! Identity fields are left alone because other sessions and files refer to them: the
//! session key and native id, parent/children keys, tool call ids, event native ids,
//! usage dedup keys, model names, timestamps.

use super::Redactor;
use convx_model::{Event, EventKind, RedactionRecord, Session};
use rayon::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;

/// Counts per (rule id, field).
type Acc = BTreeMap<(String, &'static str), u64>;

/// Sessions with at least this many events are redacted in parallel.
const PARALLEL_EVENTS: usize = 64;

pub(super) fn redact_session(r: &Redactor, s: &mut Session) {
    let mut acc = Acc::new();
    opt(r, &mut s.title, "title", &mut acc);
    opt(
        r,
        &mut s.summary.first_prompt,
        "summary.first_prompt",
        &mut acc,
    );
    opt(r, &mut s.cwd, "cwd", &mut acc);
    opt(r, &mut s.git.remote, "git.remote", &mut acc);
    opt(r, &mut s.git.branch, "git.branch", &mut acc);
    for src in &mut s.sources {
        text(r, &mut src.path, "source.path", &mut acc);
    }
    for v in s.metadata.values_mut() {
        json(r, v, "metadata", &mut acc);
    }
    for w in &mut s.warnings {
        text(r, &mut w.source, "warning.source", &mut acc);
        text(r, &mut w.detail, "warning.detail", &mut acc);
    }
    let events = if s.events.len() >= PARALLEL_EVENTS {
        s.events
            .par_iter_mut()
            .fold(Acc::new, |mut acc, e| {
                event(r, e, &mut acc);
                acc
            })
            .reduce(Acc::new, merge)
    } else {
        let mut acc = Acc::new();
        for e in &mut s.events {
            event(r, e, &mut acc);
        }
        acc
    };
    let acc = merge(acc, events);
    for ((rule, field), count) in acc {
        match s
            .redactions
            .iter_mut()
            .find(|x| x.rule == rule && x.field == field)
        {
            Some(x) => x.count += count,
            None => s.redactions.push(RedactionRecord {
                rule,
                field: field.to_string(),
                count,
            }),
        }
    }
}

fn merge(mut a: Acc, b: Acc) -> Acc {
    for (k, v) in b {
        *a.entry(k).or_default() += v;
    }
    a
}

fn event(r: &Redactor, e: &mut Event, acc: &mut Acc) {
    match &mut e.kind {
        EventKind::UserPrompt {
            text: t,
            attachments,
        } => {
            text(r, t, "user_prompt", acc);
            for a in attachments {
                opt(r, &mut a.name, "user_prompt.attachment", acc);
            }
        }
        EventKind::AssistantText { text: t } => text(r, t, "assistant_text", acc),
        EventKind::Reasoning { text: t, .. } => text(r, t, "reasoning", acc),
        EventKind::ToolCall { name, input, .. } => {
            text(r, name, "tool_call.name", acc);
            json(r, input, "tool_call.input", acc);
        }
        EventKind::ToolResult { output, .. } => text(r, output, "tool_result.output", acc),
        EventKind::Context { text: t, .. } => text(r, t, "context", acc),
        EventKind::PlanUpdate { explanation, steps } => {
            opt(r, explanation, "plan_update.explanation", acc);
            for step in steps {
                text(r, &mut step.text, "plan_update.step", acc);
            }
        }
        EventKind::Compaction { summary, .. } => opt(r, summary, "compaction.summary", acc),
        EventKind::ModelCall {} => {}
        EventKind::Opaque { raw, .. } => json(r, raw, "opaque.raw", acc),
    }
}

fn text(r: &Redactor, s: &mut String, field: &'static str, acc: &mut Acc) {
    let mut report = |rule: &str, n: u64| *acc.entry((rule.to_string(), field)).or_default() += n;
    if let std::borrow::Cow::Owned(new) = r.apply(s, &mut report) {
        *s = new;
    }
}

fn opt(r: &Redactor, s: &mut Option<String>, field: &'static str, acc: &mut Acc) {
    if let Some(s) = s {
        text(r, s, field, acc);
    }
}

fn json(r: &Redactor, v: &mut Value, field: &'static str, acc: &mut Acc) {
    let mut report = |rule: &str, n: u64| *acc.entry((rule.to_string(), field)).or_default() += n;
    redact_json(r, v, &mut report);
}

/// Redact every string value and object key of `v`.
pub(super) fn redact_json(r: &Redactor, v: &mut Value, report: &mut dyn FnMut(&str, u64)) {
    match v {
        Value::String(s) => {
            if let std::borrow::Cow::Owned(new) = r.apply(s, report) {
                *s = new;
            }
        }
        Value::Array(items) => {
            for item in items {
                redact_json(r, item, report);
            }
        }
        Value::Object(map) => {
            let mut renamed = false;
            for (k, item) in map.iter_mut() {
                redact_json(r, item, report);
                renamed |= !r.main.find(k).is_empty() || r.lines.is_some() || r.anon.is_some();
            }
            if renamed {
                let old = std::mem::take(map);
                for (k, item) in old {
                    let mut key = r.apply(&k, report).into_owned();
                    while map.contains_key(&key) {
                        key.push('#');
                    }
                    map.insert(key, item);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}
