//! Copilot CLI adapter: every fixture case, with hand-computed token totals.
//!
//! Usage mapping (see `convx_adapters::copilot::usage`): input = inputTokens − cacheRead −
//! cacheWrite, cache_read = cacheReadTokens, cache_creation = cacheWriteTokens,
//! output = outputTokens, reasoning = reasoningTokens. Only `session.shutdown` carries usage.

mod common;

use convx_adapters::copilot::CopilotAdapter;
use convx_adapters::{Adapter, Environment, ReadOptions};
use convx_model::{EventKind, Session, Usage, WarningKind};
use std::path::PathBuf;

fn case(name: &str) -> PathBuf {
    common::fixtures("copilot").join(name)
}

fn sessions(name: &str) -> Vec<Session> {
    common::sessions_of(&CopilotAdapter, &case(name))
}

fn snapshot_all(name: &str) {
    let c = case(name);
    for s in sessions(name) {
        insta::assert_json_snapshot!(format!("{name}__{}", s.id), common::snapshot_view(&s, &c));
    }
}

fn contexts(s: &Session) -> Vec<&str> {
    s.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Context { source, .. } => Some(source.as_str()),
            _ => None,
        })
        .collect()
}

fn prompts(s: &Session) -> Vec<&str> {
    s.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::UserPrompt { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
}

fn dedup_keys(s: &Session) -> Vec<&str> {
    s.events
        .iter()
        .filter_map(|e| e.usage.as_ref().map(|u| u.dedup_key.as_str()))
        .collect()
}

#[test]
fn every_case_keeps_invariants_and_reads_identically_twice() {
    for c in common::cases("copilot") {
        let a = common::sessions_of(&CopilotAdapter, &c);
        let b = common::sessions_of(&CopilotAdapter, &c);
        assert!(!a.is_empty(), "{c:?}");
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(
                serde_json::to_value(x).unwrap(),
                serde_json::to_value(y).unwrap()
            );
            let mut last = None;
            let mut calls = std::collections::HashSet::new();
            for e in &x.events {
                if let Some(t) = e.timestamp {
                    assert!(last.is_none_or(|l| l <= t), "{}: time goes back", x.key);
                    last = Some(t);
                }
                match &e.kind {
                    EventKind::ToolCall { call_id, .. } => {
                        calls.insert(call_id.clone());
                    }
                    EventKind::ToolResult { call_id, .. } => assert!(calls.contains(call_id)),
                    EventKind::Opaque { raw, .. } => {
                        assert!(!raw.to_string().contains("iVBORw0KGgo"), "base64 kept")
                    }
                    _ => {}
                }
            }
        }
        let (d, _) = common::read_case(&CopilotAdapter, &c);
        for src in &d.sources {
            let full = CopilotAdapter.read(src, &ReadOptions::default()).unwrap();
            let lean = CopilotAdapter
                .read(
                    src,
                    &ReadOptions {
                        retain_events: false,
                    },
                )
                .unwrap();
            assert!(lean.sessions[0].events.is_empty());
            assert_eq!(
                full.sessions[0].summary.usage,
                lean.sessions[0].summary.usage
            );
            assert_eq!(
                full.sessions[0].summary.counts,
                lean.sessions[0].summary.counts
            );
        }
    }
}

#[test]
fn default_roots_follow_copilot_home() {
    let win = Environment::new("C:/Users/ana/home")
        .with_os(convx_adapters::Os::Windows)
        .with_var("USERPROFILE", r"C:\Users\ana");
    assert_eq!(
        CopilotAdapter.default_roots(&win),
        vec![PathBuf::from(r"C:\Users\ana").join(".copilot")]
    );

    let env = Environment::new("/home/ana");
    assert_eq!(
        CopilotAdapter.default_roots(&env),
        vec![PathBuf::from("/home/ana/.copilot")]
    );
    let env = env.with_var("COPILOT_HOME", "/data/copilot");
    assert_eq!(
        CopilotAdapter.default_roots(&env),
        vec![PathBuf::from("/data/copilot")]
    );
    let d = CopilotAdapter
        .discover(&[PathBuf::from("/nonexistent/.copilot")])
        .unwrap();
    assert!(d.sources.is_empty());
}

#[test]
fn current_layout() {
    let c = case("current_layout");
    let (d, _) = common::read_case(&CopilotAdapter, &c);
    // events.jsonl only; workspace.yaml is read with it, checkpoints/ and files/ are not sessions.
    assert_eq!(d.sources.len(), 1);
    assert!(d.sources[0].related[0].ends_with("workspace.yaml"));
    let ss = sessions("current_layout");
    let s = &ss[0];
    assert_eq!(s.key, "copilot:7d3f1a9e-52c4-4b8e-9a06-1e2f3a4b5c6d");
    assert_eq!(s.title.as_deref(), Some("Fix cart rounding drift"));
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/src/webshop"));
    assert_eq!(s.git.branch.as_deref(), Some("fix/rounding"));
    assert_eq!(
        s.git.commit.as_deref(),
        Some("3e1f9a7c5b2d4e6f8a0b1c2d3e4f5a6b7c8d9e0f")
    );
    assert_eq!(
        s.git.remote.as_deref(),
        Some("https://github.com/ana/webshop")
    );
    assert_eq!(s.agent_version.as_deref(), Some("1.0.34"));
    assert_eq!(s.sources[0].format.as_deref(), Some("copilot/events"));
    // The typed `content` is the prompt, not `transformedContent`.
    assert_eq!(
        prompts(s),
        vec![
            "why do cart totals drift by a cent?",
            "round each line to cents and run the tests",
            "ok, fix that and commit"
        ]
    );
    assert_eq!(contexts(s), vec!["info"]);
    let c = &s.summary.counts;
    assert_eq!(c.tool_calls, 4); // view, edit, bash, bash — requests and execution_start once each
    assert_eq!(c.tool_errors, 1); // npm test failed
    assert_eq!(c.compactions, 1);
    // reasoning event + reasoningText repeat (collapsed) + gpt-5.1 encrypted reasoning
    assert_eq!(c.reasoning_blocks, 2);
    assert_eq!(c.assistant_messages, 3);
    assert_eq!(s.models, vec!["claude-sonnet-4.5", "gpt-5.1"]);
    // sonnet: 96420 − 71680 − 18944 = 5796 in, 71680 read, 18944 written, 2310 out
    // gpt-5.1: 41200 − 30720 = 10480 in, 30720 read, 860 out (512 reasoning inside)
    // Σ (16276 in, 18944 write, 102400 read, 3170 out, 512 reasoning) = 140790.
    assert_eq!(
        s.summary.usage_by_model["claude-sonnet-4.5"],
        Usage {
            input: 5796,
            cache_creation: 18944,
            cache_read: 71680,
            output: 2310,
            reasoning: 0
        }
    );
    assert_eq!(
        s.summary.usage,
        Usage {
            input: 16276,
            cache_creation: 18944,
            cache_read: 102400,
            output: 3170,
            reasoning: 512
        }
    );
    assert_eq!(s.summary.usage.total(), 140790);
    assert_eq!(
        dedup_keys(s),
        vec![
            "7d3f1a9e-52c4-4b8e-9a06-1e2f3a4b5c6d:shutdown:claude-sonnet-4.5",
            "7d3f1a9e-52c4-4b8e-9a06-1e2f3a4b5c6d:shutdown:gpt-5.1"
        ]
    );
    assert!(s.warnings.is_empty());
    snapshot_all("current_layout");
}

#[test]
fn legacy_flat() {
    let c = case("legacy_flat");
    let (d, _) = common::read_case(&CopilotAdapter, &c);
    // The flat copy of a session that also has a folder is not listed.
    let names: Vec<String> = d
        .sources
        .iter()
        .map(|s| {
            s.path
                .strip_prefix(c.join("root/session-state"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    assert_eq!(
        names,
        vec![
            "2b9e4c71-8f3a-4d5e-b1c2-3d4e5f6a7b8c.jsonl",
            "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d/events.jsonl"
        ]
    );
    let ss = sessions("legacy_flat");
    let flat = ss
        .iter()
        .find(|s| s.id == "2b9e4c71-8f3a-4d5e-b1c2-3d4e5f6a7b8c")
        .unwrap();
    assert_eq!(
        flat.sources[0].format.as_deref(),
        Some("copilot/legacy-flat")
    );
    assert_eq!(flat.cwd.as_deref(), Some("/home/ana/src/notes-cli"));
    assert_eq!(flat.summary.counts.tool_calls, 1);
    // The pre-`subagent.*` event name is kept as opaque.
    assert_eq!(flat.summary.opaque_types["custom_agent.started"], 1);
    // No shutdown persisted in this generation: no usage.
    assert!(flat.summary.usage.is_zero());
    let resumed = ss
        .iter()
        .find(|s| s.id == "5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d")
        .unwrap();
    assert_eq!(resumed.summary.counts.user_prompts, 2);
    assert_eq!(resumed.metadata["resumes"], 1);
    snapshot_all("legacy_flat");
}

#[test]
fn resumed_and_corrupt() {
    let ss = sessions("resumed_and_corrupt");
    let s = &ss[0];
    let sid = "9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";
    // Sub-agent prompt (agentId) is context; the two typed prompts are prompts.
    assert_eq!(
        prompts(s),
        vec![
            "summarize the open terraform drift",
            "fix the RDS parameter group drift"
        ]
    );
    assert_eq!(contexts(s), vec!["subagent_prompt", "abort"]);
    // Corrupt line, event without type, truncated tail.
    let w: Vec<(Option<u64>, WarningKind)> = s.warnings.iter().map(|w| (w.line, w.kind)).collect();
    assert_eq!(
        w,
        vec![
            (Some(12), WarningKind::InvalidJson),
            (Some(19), WarningKind::UnexpectedShape),
            (Some(23), WarningKind::TruncatedTail)
        ]
    );
    for t in [
        "session.canvas.opened",
        "session.binary_asset",
        "subagent.started",
        "subagent.completed",
        "session.resume",
        "unknown",
    ] {
        assert_eq!(s.summary.opaque_types[t], 1, "{t}");
    }
    // Two shutdowns (one per process lifetime) are both counted; the zero gpt-5-mini row is not.
    // #1 sonnet: 20500 − 12288 − 6144 = 2068 in, 12288 read, 6144 write, 640 out  (21140)
    // #2 sonnet: 58900 − 45056 − 9216 = 4628 in, 45056 read, 9216 write, 1720 out (60620)
    // #2 haiku:  12400 − 8192 − 2048 = 2160 in, 8192 read, 2048 write, 2100 out   (14500)
    // Σ (8856 in, 17408 write, 65536 read, 4460 out) = 96260.
    assert_eq!(
        s.summary.usage,
        Usage {
            input: 8856,
            cache_creation: 17408,
            cache_read: 65536,
            output: 4460,
            reasoning: 0
        }
    );
    assert_eq!(s.summary.usage.total(), 96260);
    assert_eq!(
        dedup_keys(s),
        vec![
            format!("{sid}:shutdown:claude-sonnet-4.5"),
            format!("{sid}:shutdown:claude-sonnet-4.5#2"),
            format!("{sid}:shutdown:claude-haiku-4.5#2"),
        ]
    );
    assert_eq!(s.metadata["shutdowns"].as_array().unwrap().len(), 2);
    assert_eq!(s.metadata["resumes"], 1);
    snapshot_all("resumed_and_corrupt");
}

#[test]
fn same_session_in_two_files_is_counted_once() {
    // A flat copy read on its own (no discovery) carries the same dedup keys as the folder.
    let c = case("resumed_and_corrupt");
    let mut all = sessions("resumed_and_corrupt");
    all.extend(sessions("resumed_and_corrupt"));
    for s in &mut all[1..] {
        s.key.push_str("-copy");
    }
    common::finish(&mut all);
    let counted: u64 = all.iter().map(|s| s.summary.usage.total()).sum();
    assert_eq!(counted, 96260, "{c:?}");
}
