//! Helpers shared by the adapter integration tests.
#![allow(dead_code)]

use convx_adapters::{Adapter, Discovery, ReadOptions, SourceOutput};
use convx_model::Session;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The fixtures folder of `agent`: `tests/fixtures/<agent>`.
pub fn fixtures(agent: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(agent)
}

/// Every case folder of `agent` (folders under `tests/fixtures/<agent>` that have a `root/`).
pub fn cases(agent: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(fixtures(agent))
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.join("root").is_dir()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Discover and read every source of `adapter` under `<case>/root`.
pub fn read_case(adapter: &dyn Adapter, case: &Path) -> (Discovery, Vec<SourceOutput>) {
    let root = case.join("root");
    let discovery = adapter.discover(std::slice::from_ref(&root)).expect("discover");
    let outputs = discovery
        .sources
        .iter()
        .map(|s| adapter.read(s, &ReadOptions::default()).expect("read"))
        .collect();
    (discovery, outputs)
}

/// All sessions of a case, after the same linking and usage dedup the pipeline applies.
pub fn sessions_of(adapter: &dyn Adapter, case: &Path) -> Vec<Session> {
    let (_, outputs) = read_case(adapter, case);
    let mut sessions: Vec<Session> = outputs.into_iter().flat_map(|o| o.sessions).collect();
    finish(&mut sessions);
    sessions
}

/// Minimal copy of the pipeline's final pass (sort, link children, dedupe usage by key),
/// so adapter tests see what users see without depending on convx-core.
pub fn finish(sessions: &mut Vec<Session>) {
    use std::collections::{HashMap, HashSet};
    sessions.sort_by(|a, b| a.started_at.cmp(&b.started_at).then_with(|| a.key.cmp(&b.key)));
    let index: HashMap<String, usize> = sessions.iter().enumerate().map(|(i, s)| (s.key.clone(), i)).collect();
    let links: Vec<(usize, String)> = sessions
        .iter()
        .filter_map(|s| s.parent.as_ref().and_then(|p| index.get(p)).map(|&p| (p, s.key.clone())))
        .collect();
    for (p, k) in links {
        if !sessions[p].children.contains(&k) {
            sessions[p].children.push(k);
        }
    }
    let mut order: Vec<usize> = (0..sessions.len()).collect();
    order.sort_by_key(|&i| (sessions[i].parent.is_some(), sessions[i].started_at, i));
    let mut seen = HashSet::new();
    for i in order {
        let s = &mut sessions[i];
        let mut dup = false;
        for c in &mut s.summary.calls {
            if !c.duplicate && !seen.insert(c.dedup_key.clone()) {
                c.duplicate = true;
                dup = true;
            }
        }
        if dup {
            let keys: HashSet<String> =
                s.summary.calls.iter().filter(|c| c.duplicate).map(|c| c.dedup_key.clone()).collect();
            for e in &mut s.events {
                if let Some(u) = &mut e.usage {
                    if keys.contains(&u.dedup_key) {
                        u.duplicate = true;
                    }
                }
            }
            s.summary.retotal();
        }
    }
}

/// A session as JSON with machine-specific values made stable for snapshots:
/// paths under `case` become relative (`<case>/...`), mtimes become 0.
pub fn snapshot_view(session: &Session, case: &Path) -> Value {
    let mut v = serde_json::to_value(session).expect("serialize");
    let prefix = case.display().to_string();
    relativize(&mut v, &prefix);
    if let Some(sources) = v.get_mut("sources").and_then(Value::as_array_mut) {
        for s in sources {
            if let Some(fp) = s.get_mut("fingerprint") {
                fp["mtime_ns"] = Value::from(0);
            }
        }
    }
    v
}

fn relativize(v: &mut Value, prefix: &str) {
    match v {
        Value::String(s) if s.contains(prefix) => *s = s.replace(prefix, "<case>"),
        Value::Array(a) => a.iter_mut().for_each(|x| relativize(x, prefix)),
        Value::Object(o) => o.values_mut().for_each(|x| relativize(x, prefix)),
        _ => {}
    }
}
