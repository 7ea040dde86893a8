//! Gemini CLI adapter: every fixture case, with hand-computed token totals.
//!
//! Token mapping (see `convx_adapters::gemini::usage`): input = input − cached + tool,
//! cache_read = cached, output = output + thoughts, reasoning = thoughts.

mod common;

use convx_adapters::gemini::GeminiAdapter;
use convx_adapters::{Adapter, Environment, ReadOptions};
use convx_model::{EventKind, Session, SessionKind, Usage, WarningKind};
use std::path::{Path, PathBuf};

fn case(name: &str) -> PathBuf {
    common::fixtures("gemini").join(name)
}

fn sessions(name: &str) -> Vec<Session> {
    common::sessions_of(&GeminiAdapter, &case(name))
}

fn by_key<'a>(ss: &'a [Session], key: &str) -> &'a Session {
    ss.iter()
        .find(|s| s.key == key)
        .unwrap_or_else(|| panic!("no session {key}; have {:?}", keys(ss)))
}

fn keys(ss: &[Session]) -> Vec<&str> {
    ss.iter().map(|s| s.key.as_str()).collect()
}

fn usage(input: u64, cache_read: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cache_creation: 0,
        cache_read,
        output,
        reasoning,
    }
}

fn snapshot_all(name: &str) {
    let c = case(name);
    for s in sessions(name) {
        let snap = format!("{name}__{}", s.id.replace([':', '@', '/'], "_"));
        insta::assert_json_snapshot!(snap, common::snapshot_view(&s, &c));
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

/// Invariants every case must keep.
fn check_invariants(s: &Session) {
    let mut last = None;
    let mut calls = std::collections::HashSet::new();
    for e in &s.events {
        if let Some(t) = e.timestamp {
            assert!(
                last.is_none_or(|l| l <= t),
                "{}: timestamps go back at {:?}",
                s.key,
                e
            );
            last = Some(t);
        }
        match &e.kind {
            EventKind::ToolCall { call_id, .. } => {
                calls.insert(call_id.clone());
            }
            EventKind::ToolResult { call_id, .. } => assert!(
                calls.contains(call_id),
                "{}: orphan result {call_id}",
                s.key
            ),
            EventKind::Opaque { raw, .. } => {
                assert!(!raw.to_string().contains("iVBORw0KGgo"), "base64 kept")
            }
            _ => {}
        }
    }
    let keys: Vec<&str> = s
        .events
        .iter()
        .filter_map(|e| e.usage.as_ref().map(|u| u.dedup_key.as_str()))
        .collect();
    let unique: std::collections::HashSet<&&str> = keys.iter().collect();
    assert_eq!(keys.len(), unique.len(), "{}: one usage per call", s.key);
}

#[test]
fn every_case_keeps_invariants_and_reads_identically_twice() {
    for c in common::cases("gemini") {
        let a = common::sessions_of(&GeminiAdapter, &c);
        let b = common::sessions_of(&GeminiAdapter, &c);
        assert!(!a.is_empty(), "{c:?}");
        for (x, y) in a.iter().zip(&b) {
            check_invariants(x);
            assert_eq!(
                serde_json::to_value(x).unwrap(),
                serde_json::to_value(y).unwrap()
            );
        }
        // Listing mode gives the same summaries.
        let (d, _) = common::read_case(&GeminiAdapter, &c);
        for src in &d.sources {
            let full = GeminiAdapter
                .read(
                    src,
                    &ReadOptions {
                        retain_events: true,
                    },
                )
                .unwrap();
            let lean = GeminiAdapter
                .read(
                    src,
                    &ReadOptions {
                        retain_events: false,
                    },
                )
                .unwrap();
            for (f, l) in full.sessions.iter().zip(&lean.sessions) {
                assert!(l.events.is_empty());
                assert_eq!(f.summary.usage, l.summary.usage);
                assert_eq!(f.summary.counts, l.summary.counts);
            }
        }
    }
}

#[test]
fn default_roots_follow_gemini_cli_home() {
    let win = Environment::new("C:/Users/ana/home")
        .with_os(convx_adapters::Os::Windows)
        .with_var("USERPROFILE", r"C:\Users\ana");
    assert_eq!(
        GeminiAdapter.default_roots(&win),
        vec![PathBuf::from(r"C:\Users\ana").join(".gemini")]
    );

    let env = Environment::new("/home/ana");
    assert_eq!(
        GeminiAdapter.default_roots(&env),
        vec![PathBuf::from("/home/ana/.gemini")]
    );
    let env = env.with_var("GEMINI_CLI_HOME", "/srv/gem");
    assert_eq!(
        GeminiAdapter.default_roots(&env),
        vec![PathBuf::from("/srv/gem/.gemini")]
    );
    let missing = GeminiAdapter
        .discover(&[PathBuf::from("/nonexistent/.gemini")])
        .unwrap();
    assert!(missing.sources.is_empty());
    // `--input` may also point at `tmp/`, a project folder or its `chats/`: same sources.
    let root = case("jsonl_replay").join("root");
    let all = GeminiAdapter.discover(std::slice::from_ref(&root)).unwrap();
    for sub in ["tmp", "tmp/notes-cli", "tmp/notes-cli/chats"] {
        let d = GeminiAdapter.discover(&[root.join(sub)]).unwrap();
        let a: Vec<_> = all.sources.iter().map(|s| (&s.path, &s.hint)).collect();
        let b: Vec<_> = d.sources.iter().map(|s| (&s.path, &s.hint)).collect();
        assert_eq!(a, b, "{sub}");
    }
}

#[test]
fn legacy_hash_folders() {
    let ss = sessions("legacy_hash_folders");
    assert_eq!(
        keys(&ss),
        vec![
            "gemini:3f9a1c2e-7b41-4d0e-9a55-2c8e61f0b7d4",
            "gemini:8d2e5b71-0c4f-4a9b-b6e2-91d3f5a7c820"
        ]
    );

    // v0.2: string content, hash folder; the root comes from hashing tool-path ancestors.
    let s = &ss[0];
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/src/webshop"));
    assert_eq!(s.metadata["project_root_via"], "hash_match");
    assert_eq!(s.sources[0].format.as_deref(), Some("gemini/json"));
    // m02: 5210 in, 0 cached, 38 out, 212 thoughts → (5210, 0, 250, 212)
    // m03: 5630 in, 4096 cached, 164 out, 95 thoughts → (1534, 4096, 259, 95)
    // m05: 6102 in, 5120 cached, 287 out, 140 thoughts → (982, 5120, 427, 140)
    // m0b: 5980 in, 5120 cached, 120 out → (860, 5120, 120, 0)
    // m06: tokens null → no call.
    // Σ input 8586, cache_read 14336, output 1056, reasoning 447;
    // total 23978 = 5460 + 5889 + 6100 + 6529.
    assert_eq!(s.summary.usage, usage(8586, 14336, 1056, 447));
    assert_eq!(s.summary.usage.total(), 23978);
    assert_eq!(s.summary.counts.user_prompts, 3);
    assert_eq!(s.summary.counts.tool_calls, 3);
    assert_eq!(s.summary.counts.tool_errors, 1); // npm test: status error
    assert_eq!(s.summary.counts.reasoning_blocks, 3);
    assert_eq!(s.summary.counts.assistant_messages, 3);
    // v0.2 recorded the @file expansion inside the string content: split off as context.
    assert_eq!(
        prompts(s),
        vec![
            "why does the cart total ignore discounts?",
            "what does @src/discounts.ts do with expired coupons?",
            "please fix it and run the tests"
        ]
    );
    assert_eq!(contexts(s), vec!["referenced_files"]);

    // v0.22: parts content, resolved through projects.json; info/error/warning are context.
    let s = &ss[1];
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/src/notes-cli"));
    assert_eq!(s.metadata["project_root_via"], "projects_json");
    assert_eq!(s.title.as_deref(), Some("Add --json output to notes list"));
    assert_eq!(contexts(s), vec!["error", "info", "warning"]);
    // g1 (pro): 3321 in, 52 out, 311 thoughts → (3321, 0, 363, 311)
    // g2 (flash): 4410 in, 2048 cached, 402 out → (2362, 2048, 402, 0)
    assert_eq!(
        s.summary.usage_by_model["gemini-2.5-pro"],
        usage(3321, 0, 363, 311)
    );
    assert_eq!(
        s.summary.usage_by_model["gemini-2.5-flash"],
        usage(2362, 2048, 402, 0)
    );
    assert_eq!(s.summary.usage.total(), 3684 + 4812);
    assert_eq!(s.models, vec!["gemini-2.5-pro", "gemini-2.5-flash"]);
    snapshot_all("legacy_hash_folders");
}

#[test]
fn slug_project_root() {
    let ss = sessions("slug_project_root");
    assert_eq!(ss.len(), 1);
    let s = &ss[0];
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/src/webshop"));
    assert_eq!(s.metadata["project_root_via"], "project_root_file");
    assert_eq!(s.metadata["project_id"], "webshop");
    assert_eq!(s.kind, SessionKind::Main);
    // displayContent is the typed prompt; the @file contents are context.
    assert_eq!(prompts(s)[0], "explain @src/cart.ts");
    assert!(prompts(s)[1].starts_with("here is the failing checkout screenshot"));
    let img = s.events.iter().find_map(|e| match &e.kind {
        EventKind::UserPrompt { attachments, .. } if !attachments.is_empty() => {
            Some(&attachments[0])
        }
        _ => None,
    });
    assert_eq!(img.unwrap().media_type.as_deref(), Some("image/png"));
    assert_eq!(img.unwrap().size_bytes, Some(70));
    assert_eq!(
        contexts(s),
        vec!["referenced_files", "info", "next_speaker"]
    );
    assert_eq!(s.summary.counts.user_prompts, 2);
    assert_eq!(s.summary.counts.plan_updates, 1);
    assert_eq!(s.summary.counts.tool_errors, 1); // cancelled shell call
    // g1: 2890 in, 210 out → (2890, 0, 210, 0)
    // g2: 9876 in, 8192 cached, 421 out, 388 thoughts → (1684, 8192, 809, 388)
    // g3: 10502 in, 9216 cached, 96 out → (1286, 9216, 96, 0)
    // Σ (5860, 17408, 1115, 388); total 24383 = 3100 + 10685 + 10598.
    assert_eq!(s.summary.usage, usage(5860, 17408, 1115, 388));
    assert_eq!(s.summary.usage.total(), 24383);
    let plan = s.events.iter().find_map(|e| match &e.kind {
        EventKind::PlanUpdate { steps, .. } => Some(steps.len()),
        _ => None,
    });
    assert_eq!(plan, Some(3));
    snapshot_all("slug_project_root");
}

#[test]
fn shared_session_ids() {
    let ss = sessions("shared_session_ids");
    let main = "gemini:5e7d9b10-aa11-4c2d-8e9f-0123456789ab";
    let cleared = "gemini:5e7d9b10-aa11-4c2d-8e9f-0123456789ab@2025-10-02T14-37";
    let parent = "gemini:9c3b7a51-2d4e-4f60-a718-293a4b5c6d7e";
    let sub = "gemini:9c3b7a51-2d4e-4f60-a718-293a4b5c6d7e@2026-03-04T11-21";
    assert_eq!(ss.len(), 4);
    // Pre-v0.18 `/clear`: same id, a separate conversation (no parent), distinct key.
    let c = by_key(&ss, cleared);
    assert_eq!(c.kind, SessionKind::Main);
    assert_eq!(c.parent, None);
    assert_eq!(
        c.metadata["shares_session_id"],
        "5e7d9b10-aa11-4c2d-8e9f-0123456789ab"
    );
    assert_eq!(c.cwd.as_deref(), Some("/home/ana/work/infra"));
    // 2300 in, 1024 cached, 64 out → (1276, 1024, 64, 0)
    assert_eq!(c.summary.usage, usage(1276, 1024, 64, 0));
    assert_eq!(by_key(&ss, main).summary.usage, usage(4100, 0, 120, 0));
    // v0.31–v0.36 flat sub-agent: kind "subagent" under the parent's id.
    let s = by_key(&ss, sub);
    assert_eq!(s.kind, SessionKind::Subagent);
    assert_eq!(s.parent.as_deref(), Some(parent));
    assert_eq!(by_key(&ss, parent).children, vec![sub.to_string()]);
    // 5200 in, 300 out, 150 thoughts → (5200, 0, 450, 150)
    assert_eq!(s.summary.usage, usage(5200, 0, 450, 150));
    // parent: (3000, 0, 40) + (3400−2048, 2048, 90) = (4352, 2048, 130)
    assert_eq!(by_key(&ss, parent).summary.usage, usage(4352, 2048, 130, 0));
    snapshot_all("shared_session_ids");
}

#[test]
fn jsonl_replay() {
    let c = case("jsonl_replay");
    let (d, _) = common::read_case(&GeminiAdapter, &c);
    // .unreadable-*, .tmp-* and tmp-* files are not sessions.
    assert_eq!(d.sources.len(), 1);
    assert_eq!(
        d.sources[0].related,
        vec![c.join("root/tmp/notes-cli/.project_root")]
    );
    let ss = sessions("jsonl_replay");
    let s = &ss[0];
    assert_eq!(s.key, "gemini:c7e2a9f4-5d3b-4e8a-9f1c-6b2d8e4a7c31");
    assert_eq!(s.sources[0].format.as_deref(), Some("gemini/jsonl"));
    assert_eq!(s.title.as_deref(), Some("Rename list command to ls"));
    assert_eq!(s.metadata["memory_scratchpad"]["version"], 1);
    // m2 appears 3 times (executing, +tokens, success): one call, one result, one usage.
    let grep_calls = s
        .events
        .iter()
        .filter(|e| matches!(&e.kind, EventKind::ToolCall { name, .. } if name == "grep_search"))
        .count();
    assert_eq!(grep_calls, 1);
    // $rewindTo m5: m5, m6, m7 kept as abandoned, still billed.
    let abandoned: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.abandoned)
        .map(|e| e.kind_name())
        .collect();
    assert_eq!(
        abandoned,
        vec![
            "user_prompt",
            "tool_call",
            "tool_call",
            "tool_result",
            "tool_result",
            "assistant_text"
        ]
    );
    assert_eq!(s.summary.counts.user_prompts, 3);
    assert_eq!(s.summary.counts.tool_errors, 1);
    // Unknown line kind and unknown message type are opaque.
    assert_eq!(s.summary.opaque_types["$annotate"], 1);
    assert_eq!(s.summary.opaque_types["message/tool_summary"], 1);
    // Corrupt line 9 and the truncated tail (line 22) are reported; the rest is read.
    let w: Vec<(Option<u64>, WarningKind)> = s.warnings.iter().map(|w| (w.line, w.kind)).collect();
    assert_eq!(
        w,
        vec![
            (Some(9), WarningKind::InvalidJson),
            (Some(22), WarningKind::TruncatedTail)
        ]
    );
    // m2: 7012, 0, 88+264, 264        → (7012, 0, 352, 264)
    // m3: 7720−6144, 6144, 356+120    → (1576, 6144, 476, 120)
    // m4: 8240−7168, 7168, 190        → (1072, 7168, 190, 0)
    // m6: 8530−8192, 8192, 140+60     → (338, 8192, 200, 60)   abandoned, billed
    // m7: 8911−8192, 8192, 75         → (719, 8192, 75, 0)     abandoned, billed
    // m9: 8460−8192, 8192, 210+45     → (268, 8192, 255, 45)
    // m11: 8822−8192, 8192, 64        → (630, 8192, 64, 0)
    // Σ (11615, 46080, 1612, 489); total 59307.
    assert_eq!(s.summary.usage, usage(11615, 46080, 1612, 489));
    assert_eq!(s.summary.usage.total(), 59307);
    snapshot_all("jsonl_replay");
}

#[test]
fn jsonl_checkpoints() {
    let ss = sessions("jsonl_checkpoints");
    let s = &ss[0];
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/work/infra"));
    // Environment context comes from the first checkpoint; the tool-response user turns
    // (line 7 and the `_response` turn of the last checkpoint) duplicate tool results.
    assert_eq!(contexts(s), vec!["environment_context", "info"]);
    assert_eq!(
        prompts(s),
        vec![
            "why is `terraform plan` so slow?",
            "ok, apply that in the CI workflow",
            "now document the change in README.md"
        ]
    );
    // The rollback checkpoint (line 12) drops u3 + g3: abandoned.
    let abandoned: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.abandoned)
        .map(|e| e.kind_name())
        .collect();
    assert_eq!(abandoned, vec!["user_prompt", "reasoning", "tool_call"]);
    // The <state_snapshot> summary is a compaction (its checkpoint adds none); the last
    // checkpoint replaces g6 by a distilled copy with a derived id: a second compaction, and
    // the copy is inherited (shown, not counted).
    assert_eq!(s.summary.counts.compactions, 2);
    let copy = s.events.last().unwrap();
    assert!(copy.inherited);
    assert!(
        matches!(&copy.kind, EventKind::AssistantText { text } if text == "Updated README.md.")
    );
    assert_eq!(s.summary.counts.assistant_messages, 3);
    assert_eq!(s.summary.counts.tool_calls, 3);
    assert_eq!(s.summary.counts.opaque_records, 0);
    // g1: 12040, 0, 96+402           → (12040, 0, 498, 402)
    // g2: 13110−11264, 11264, 340+150 → (1846, 11264, 490, 150)
    // g3: 13650−12288, 12288, 120+30  → (1362, 12288, 150, 30)  abandoned, billed
    // g5: 4210, 0, 260+88             → (4210, 0, 348, 88)
    // g6: 4702−4096, 4096, 22         → (606, 4096, 22, 0)
    // Σ (20064, 27648, 1508, 670); total 49220.
    assert_eq!(s.summary.usage, usage(20064, 27648, 1508, 670));
    assert_eq!(s.summary.usage.total(), 49220);
    snapshot_all("jsonl_checkpoints");
}

#[test]
fn migrated_json_jsonl() {
    let c = case("migrated_json_jsonl");
    let (d, _) = common::read_case(&GeminiAdapter, &c);
    assert_eq!(d.sources.len(), 1, "the .json copy is not listed");
    assert!(d.sources[0].path.extension().is_some_and(|e| e == "jsonl"));
    let ss = sessions("migrated_json_jsonl");
    let s = &ss[0];
    assert!(
        s.metadata["migrated_from"]
            .as_str()
            .unwrap()
            .ends_with("session-2026-03-30T17-45-b5c6d7e8.json")
    );
    assert_eq!(s.summary.counts.user_prompts, 3);
    // A: 3200, 0, 150+50 → (3200, 0, 200, 50); B: (3600−3072, 3072, 220) = (528, 3072, 220, 0)
    // C: (4100−3584, 3584, 310+90) = (516, 3584, 400, 90)
    // Σ (4244, 6656, 820, 140); total 11720 — the migrated copy is counted once.
    assert_eq!(s.summary.usage, usage(4244, 6656, 820, 140));
    assert_eq!(s.summary.usage.total(), 11720);
    snapshot_all("migrated_json_jsonl");
}

#[test]
fn subagent_nested() {
    let ss = sessions("subagent_nested");
    let main = by_key(&ss, "gemini:f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f");
    let sub = by_key(&ss, "gemini:k3x9qa");
    assert_eq!(sub.kind, SessionKind::Subagent);
    assert_eq!(sub.parent.as_deref(), Some(main.key.as_str()));
    assert_eq!(main.children, vec!["gemini:k3x9qa".to_string()]);
    assert_eq!(main.cwd.as_deref(), Some("/home/ana/src/webshop"));
    assert_eq!(main.metadata["project_root_via"], "projects_json");
    let link = main.events.iter().find_map(|e| match &e.kind {
        EventKind::ToolCall { subagent, .. } => subagent.clone(),
        _ => None,
    });
    assert_eq!(link.as_deref(), Some("gemini:k3x9qa"));
    // main: (6100, 0, 45+130, 130) + (7950−6016, 6016, 260) = (8034, 6016, 435, 130)
    assert_eq!(main.summary.usage, usage(8034, 6016, 435, 130));
    // sub: (2100, 0, 60+210, 210) + (3900−2048, 2048, 410+95, 95) = (3952, 2048, 775, 305)
    assert_eq!(sub.summary.usage, usage(3952, 2048, 775, 305));
    // v0.37 nested JSON sub-agent.
    let old_main = by_key(&ss, "gemini:0a1b2c3d-4e5f-4061-8273-94a5b6c7d8e9");
    let old_sub = by_key(&ss, "gemini:p7r2mz");
    assert_eq!(old_sub.parent.as_deref(), Some(old_main.key.as_str()));
    assert_eq!(old_sub.sources[0].format.as_deref(), Some("gemini/json"));
    assert_eq!(old_main.summary.usage, usage(5000, 0, 80, 0));
    assert_eq!(old_sub.summary.usage, usage(1500, 0, 300, 0));
    snapshot_all("subagent_nested");
}

#[test]
fn corrupt_files() {
    let c = case("corrupt_files");
    let (d, outs) = common::read_case(&GeminiAdapter, &c);
    assert_eq!(d.sources.len(), 3);
    // The 0-byte file: no session, one warning.
    let empty: Vec<&convx_model::Warning> = outs.iter().flat_map(|o| &o.warnings).collect();
    assert_eq!(empty.len(), 1);
    assert_eq!(empty[0].kind, WarningKind::EmptyFile);
    let ss = sessions("corrupt_files");
    assert_eq!(ss.len(), 2);
    // Document cut during a rewrite: the first three messages survive.
    let s = by_key(&ss, "gemini:d9e8f7a6-b5c4-4d3e-8f2a-1b0c9d8e7f6a");
    assert_eq!(s.warnings[0].kind, WarningKind::TruncatedTail);
    assert_eq!(s.summary.counts.user_prompts, 2);
    // Only m02 is complete: 2500, 0, 40+20 → (2500, 0, 60, 20).
    assert_eq!(s.summary.usage, usage(2500, 0, 60, 20));
    // JSONL whose metadata line is damaged: messages still read, id from the file name.
    let j = by_key(&ss, "gemini:session-2026-04-30T10-00-77aa88bb");
    let w: Vec<(Option<u64>, WarningKind)> = j.warnings.iter().map(|w| (w.line, w.kind)).collect();
    assert_eq!(
        w,
        vec![
            (Some(1), WarningKind::InvalidJson),
            (None, WarningKind::UnexpectedShape)
        ]
    );
    assert_eq!(j.summary.usage, usage(900, 0, 2, 0));
    snapshot_all("corrupt_files");
}

#[test]
fn source_without_hint_resolves_project_itself() {
    // A source built by hand (no discovery hint) still finds the project root and parent.
    let c = case("subagent_nested");
    let p = c.join("root/tmp/webshop/chats/f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f/k3x9qa.jsonl");
    let src = convx_adapters::Source::file(convx_model::Agent::Gemini, &p).unwrap();
    let out = GeminiAdapter.read(&src, &ReadOptions::default()).unwrap();
    let s = &out.sessions[0];
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/src/webshop"));
    assert_eq!(s.kind, SessionKind::Subagent);
    assert!(Path::new(&s.sources[0].path).ends_with("k3x9qa.jsonl"));
}
