//! Integration tests of the OpenCode adapter over the fixture cases in
//! `tests/fixtures/opencode/` (see its PROVENANCE.md). Token totals below were computed by
//! hand from the fixture files; the arithmetic is in the comments.

mod common;
#[path = "fixtures/opencode/sqlfix.rs"]
mod sqlfix;

use convx_adapters::{Adapter, ReadOptions, opencode::OpenCodeAdapter};
use convx_model::{EventKind, Session, SessionKind, Usage, WarningKind};
use std::path::{Path, PathBuf};

fn case(name: &str) -> PathBuf {
    common::fixtures("opencode").join(name)
}

fn session<'a>(all: &'a [Session], id: &str) -> &'a Session {
    all.iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no session {id}"))
}

fn kinds(s: &Session) -> Vec<&'static str> {
    s.events.iter().map(|e| e.kind_name()).collect()
}

fn snapshot_all(name: &str, sessions: &[Session], case: &Path) {
    for s in sessions {
        insta::assert_json_snapshot!(format!("{name}__{}", s.id), common::snapshot_view(s, case));
    }
}

#[test]
fn fixture_databases_match_their_scripts() {
    sqlfix::check_cases(&common::cases("opencode"));
}

#[test]
fn sqlite_session() {
    let c = case("sqlite_session");
    let (d, _) = common::read_case(&OpenCodeAdapter, &c);
    assert_eq!(d.sources.len(), 1);
    assert!(d.sources[0].hint.is_none());
    let all = common::sessions_of(&OpenCodeAdapter, &c);
    assert_eq!(all.len(), 1);
    let s = &all[0];
    assert_eq!(s.key, "opencode:ses_3a9f2c41bffeR8kLm2Qx7VtN0p");
    assert_eq!(s.cwd.as_deref(), Some("/home/li/app"));
    assert_eq!(s.agent_version.as_deref(), Some("1.2.6"));
    assert_eq!(s.sources[0].format.as_deref(), Some("opencode/sqlite"));
    assert_eq!(s.models, ["anthropic/claude-sonnet-4-5", "openai/gpt-5"]);
    // m2 (anthropic): input 1843, cache_creation 2301, cache_read 12288, output 412.
    // m3 (anthropic): input 27, cache_creation 1466, cache_read 14589, output 618 (total 16700 = 27+618+14589+1466).
    // m5 (openai): total 18238 = 2210+540+384+15104 → reasoning separate → output 540+384 = 924, reasoning 384.
    // input 1843+27+2210 = 4080; cache_creation 2301+1466 = 3767; cache_read 12288+14589+15104 = 41981;
    // output 412+618+924 = 1954. step-finish parts repeat the same numbers and are NOT counted.
    assert_eq!(
        s.summary.usage,
        Usage {
            input: 4080,
            cache_creation: 3767,
            cache_read: 41981,
            output: 1954,
            reasoning: 384
        }
    );
    assert_eq!(s.summary.usage.total(), 51782);
    // 0.019236 + 0.01497 + 0.01033
    assert!((s.summary.recorded_cost_usd.unwrap() - 0.044536).abs() < 1e-9);
    let c = &s.summary.counts;
    assert_eq!(
        (
            c.user_prompts,
            c.assistant_messages,
            c.tool_calls,
            c.tool_errors
        ),
        (2, 3, 5, 1)
    );
    assert_eq!(
        (c.reasoning_blocks, c.plan_updates, c.context_blocks),
        (2, 1, 2)
    );
    // Typed text + image + file mention → one prompt with two attachments; the Read-tool
    // expansion OpenCode injected is context.
    match &s.events[0].kind {
        EventKind::UserPrompt { text, attachments } => {
            assert!(text.starts_with("The login test fails randomly"));
            assert_eq!(attachments.len(), 2);
            assert_eq!(attachments[0].kind, "image");
            assert_eq!(attachments[0].size_bytes, Some(70));
        }
        k => panic!("{k:?}"),
    }
    assert!(
        matches!(&s.events[1].kind, EventKind::Context { source, .. } if source == "synthetic")
    );
    // The interrupted (running) bash call has no result; the encrypted-only reasoning is flagged.
    let calls: Vec<&str> = s
        .events_of("tool_call")
        .filter_map(|e| match &e.kind {
            EventKind::ToolCall { call_id, .. } => Some(call_id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(calls.len(), 5);
    assert_eq!(s.events_of("tool_result").count(), 4);
    assert!(s.events.iter().any(
        |e| matches!(&e.kind, EventKind::Reasoning { text, encrypted: true } if text.is_empty())
    ));
    // Usage is on one event per assistant message, keyed by the message id.
    let keys: Vec<&str> = s
        .events
        .iter()
        .filter_map(|e| e.usage.as_ref())
        .map(|u| u.dedup_key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "msg_a61f0c2e1002Rt5uV7wX9yZ1aB",
            "msg_a61f0c2e1003Kl9mN1oP3qR5sT",
            "msg_a61f0c2e1005Wx3yZ5aB7cD9eF"
        ]
    );
    assert!(s.warnings.is_empty());
    snapshot_all("sqlite_session", &all, &case("sqlite_session"));
}

#[test]
fn sqlite_subagent_compaction() {
    let c = case("sqlite_subagent_compaction");
    let all = common::sessions_of(&OpenCodeAdapter, &c);
    assert_eq!(all.len(), 2);
    let p = session(&all, "ses_2f81c0a7dffeHq3Lm9Wv5Tz1Xb");
    let child = session(&all, "ses_2f81c09a4ffeNp7Kd2Rs8Uy4Qc");
    assert_eq!(child.kind, SessionKind::Subagent);
    assert_eq!(
        child.parent.as_deref(),
        Some("opencode:ses_2f81c0a7dffeHq3Lm9Wv5Tz1Xb")
    );
    assert_eq!(p.children, ["opencode:ses_2f81c09a4ffeNp7Kd2Rs8Uy4Qc"]);
    assert!(p.events.iter().any(
        |e| matches!(&e.kind, EventKind::ToolCall { name, subagent: Some(k), .. }
        if name == "task" && k == "opencode:ses_2f81c09a4ffeNp7Kd2Rs8Uy4Qc")
    ));
    // The child's first message was written by the parent's task tool: context, not a prompt.
    assert_eq!(child.summary.counts.user_prompts, 0);
    assert!(
        matches!(&child.events[0].kind, EventKind::Context { source, .. } if source == "subagent_prompt")
    );
    // Parent usage. m2: 4120/9800w/0r/385. m4 (message totals zero → its two step-finish
    // parts): 980/0w/13900r/210 and 55/1200w/14870r/640. m6 (summary): 22310/0/0/1450.
    // m8: 310/1720w/23800r/220. m10 (abandoned by the revert, still counted): 120/300w/25500r/95.
    // input 4120+980+55+22310+310+120 = 27895; cache_creation 9800+1200+1720+300 = 13020;
    // cache_read 13900+14870+23800+25500 = 78070; output 385+210+640+1450+220+95 = 3000.
    assert_eq!(
        p.summary.usage,
        Usage {
            input: 27895,
            cache_creation: 13020,
            cache_read: 78070,
            output: 3000,
            reasoning: 0
        }
    );
    // 0.2463 + 0.0451 + 0.0878 + 0.4434 + 0.0744 + 0.0532
    assert!((p.summary.recorded_cost_usd.unwrap() - 0.9502).abs() < 1e-9);
    let step_keys: Vec<&str> = p
        .events
        .iter()
        .filter(|e| e.kind_name() == "model_call")
        .filter_map(|e| e.usage.as_ref())
        .map(|u| u.dedup_key.as_str())
        .collect();
    assert_eq!(
        step_keys,
        [
            "msg_a8b0c1d2e004Dd5Ee6Ff7Gg8Hh/prt_a8b0c1d2e404Xx1Yy2Zz3Aa4Bb",
            "msg_a8b0c1d2e004Dd5Ee6Ff7Gg8Hh/prt_a8b0c1d2e407Mm3Nn4Oo5Pp6Qq",
        ]
    );
    // Child: 2600/5100w/0r/410 + 40/450w/7600r/520 → 2640 / 5550 / 7600 / 930.
    assert_eq!(
        child.summary.usage,
        Usage {
            input: 2640,
            cache_creation: 5550,
            cache_read: 7600,
            output: 930,
            reasoning: 0
        }
    );
    // Compaction, its summary, the synthetic continuation, the subtask and the ignored text
    // are not prompts; the two typed prompts are (one of them abandoned).
    assert_eq!(p.summary.counts.user_prompts, 2);
    assert_eq!(p.summary.counts.compactions, 1);
    let sources: Vec<&str> = p
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Context { source, .. } => Some(source.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(
        sources,
        ["subtask", "ignored", "compact_summary", "synthetic"]
    );
    assert!(
        matches!(p.events.iter().find(|e| e.kind_name() == "compaction").map(|e| &e.kind),
        Some(EventKind::Compaction { trigger: Some(t), .. }) if t == "auto")
    );
    // Revert to m9: m9 and m10 are abandoned, nothing before them.
    let abandoned: Vec<&str> = p
        .events
        .iter()
        .filter(|e| e.abandoned)
        .map(|e| e.kind_name())
        .collect();
    assert_eq!(abandoned, ["user_prompt", "assistant_text"]);
    assert_eq!(p.summary.opaque_types.get("part/lsp-diagnostics"), Some(&1));
    assert_eq!(p.summary.opaque_types.get("assistant_error"), Some(&1));
    assert_eq!(p.summary.opaque_types.get("part/retry"), Some(&1));
    assert_eq!(p.summary.opaque_types.get("part/agent"), Some(&1));
    // The corrupt part row is reported and skipped; the rest of the message is read.
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].kind, WarningKind::InvalidJson);
    assert!(
        p.warnings[0]
            .detail
            .contains("prt_a8b0c1d2e804Pp7Qq8Rr9Ss0Tt")
    );
    assert_eq!(p.metadata.get("shared"), Some(&serde_json::json!(true)));
    snapshot_all("sqlite_subagent_compaction", &all, &c);
}

#[test]
fn legacy_json_tree() {
    let c = case("legacy_json");
    let (d, _) = common::read_case(&OpenCodeAdapter, &c);
    assert_eq!(d.sources.len(), 2);
    // The session file is the source; its message/part folders and files are related.
    let x = d
        .sources
        .iter()
        .find(|s| s.path.ends_with("ses_4d1e7b20affeJk8Lm3Nb6Vc9Xz.json"))
        .unwrap();
    assert!(
        x.related
            .iter()
            .any(|r| r.ends_with("prt_9b7e3c1d4201Qa1Ws3Ed5Rf7Tg.json"))
    );
    let all = common::sessions_of(&OpenCodeAdapter, &c);
    let x = session(&all, "ses_4d1e7b20affeJk8Lm3Nb6Vc9Xz");
    let y = session(&all, "ses_4d1e7a55cffeQw2Er5Ty8Ui1Op");
    assert_eq!(x.sources[0].format.as_deref(), Some("opencode/json"));
    assert_eq!(
        y.parent.as_deref(),
        Some("opencode:ses_4d1e7b20affeJk8Lm3Nb6Vc9Xz")
    );
    assert_eq!(x.children, ["opencode:ses_4d1e7a55cffeQw2Er5Ty8Ui1Op"]);
    assert_eq!(x.cwd.as_deref(), Some("/Users/sam/code/weather-cli"));
    assert_eq!(
        x.metadata.get("project_id"),
        Some(&serde_json::json!(
            "c7d2e9a4f1b3086d5e2a7c9b4f1d3e6a8b0c2d4e"
        ))
    );
    // m2 gpt-5-codex 1.1.36, no total, reasoning 640 ≤ output 1210 → inside output:
    //   5400 / 0 / 9984 / 1210 (reasoning 640).
    // m4 gemini-2.5-pro, reasoning 900 > output 150 → separate: output 150+900 = 1050.
    //   3200 / 0 / 0 / 1050 (reasoning 900).
    // input 8600, cache_read 9984, output 2260, reasoning 1540.
    assert_eq!(
        x.summary.usage,
        Usage {
            input: 8600,
            cache_creation: 0,
            cache_read: 9984,
            output: 2260,
            reasoning: 1540
        }
    );
    // Sub-agent: 2900 / 0 / 4480 / 260 (reasoning 128 inside).
    assert_eq!(
        y.summary.usage,
        Usage {
            input: 2900,
            cache_creation: 0,
            cache_read: 4480,
            output: 260,
            reasoning: 128
        }
    );
    assert_eq!(x.summary.counts.plan_updates, 1);
    // Bad files are reported with their own path and skipped.
    let w: Vec<(WarningKind, bool)> = x
        .warnings
        .iter()
        .map(|w| (w.kind, w.source.ends_with(".json")))
        .collect();
    assert_eq!(
        w,
        [
            (WarningKind::EmptyFile, true),
            (WarningKind::InvalidJson, true)
        ]
    );
    assert!(
        x.warnings[1]
            .source
            .ends_with("prt_9b7e3c1d4207Qa1Ws3Ed5Rf7Tg.json")
    );
    snapshot_all("legacy_json", &all, &c);
}

#[test]
fn legacy_inline_parts() {
    let c = case("legacy_inline_parts");
    let all = common::sessions_of(&OpenCodeAdapter, &c);
    assert_eq!(all.len(), 1);
    let s = &all[0];
    assert_eq!(s.sources[0].format.as_deref(), Some("opencode/json-inline"));
    // No project folder and no directory in the session info: cwd from the assistant path.
    assert_eq!(s.cwd.as_deref(), Some("/home/kim/dotfiles"));
    assert!(!s.metadata.contains_key("project_id"));
    assert_eq!(s.models, ["anthropic/claude-sonnet-4-20250514"]);
    // 12/13870w/0r/388 + 8/520w/13870r/95 → input 20, cache_creation 14390, cache_read 13870, output 483.
    assert_eq!(
        s.summary.usage,
        Usage {
            input: 20,
            cache_creation: 14390,
            cache_read: 13870,
            output: 483,
            reasoning: 0
        }
    );
    assert_eq!(
        kinds(s),
        [
            "user_prompt",
            "context",
            "opaque",
            "assistant_text",
            "tool_call",
            "tool_result",
            "tool_call",
            "tool_result",
            "tool_call",
            "assistant_text",
            "user_prompt",
            "opaque",
            "assistant_text"
        ]
    );
    // The identical system prompt of the second turn is not repeated.
    assert_eq!(s.summary.counts.context_blocks, 1);
    assert_eq!(s.summary.counts.tool_errors, 1);
    snapshot_all("legacy_inline_parts", &all, &c);
}

#[test]
fn session_in_several_stores_is_listed_once() {
    let c = case("both_stores");
    let (d, outputs) = common::read_case(&OpenCodeAdapter, &c);
    let names: Vec<String> = d
        .sources
        .iter()
        .map(|s| {
            s.path
                .strip_prefix(c.join("root"))
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    // A: opencode.db wins (3 msgs everywhere; database beats JSON, main beats dev).
    // B: only in JSON. C: JSON has 4 messages, opencode.db only 2 → JSON wins. D: only in dev.
    assert_eq!(
        names,
        [
            "opencode-dev.db",
            "opencode.db",
            "storage/session/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c/ses_5e0a1b2abffeKk1Ll0Mm9Nn8Oo.json",
            "storage/session/0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c/ses_5e0a1b2bcffeFf5Gg4Hh3Ii2Jj.json",
        ]
    );
    assert_eq!(
        d.sources[0].hint.as_deref(),
        Some(r#"{"skip":["ses_5e0a1b2cdffeAa9Bb8Cc7Dd6Ee"]}"#)
    );
    assert_eq!(
        d.sources[1].hint.as_deref(),
        Some(r#"{"skip":["ses_5e0a1b2abffeKk1Ll0Mm9Nn8Oo"]}"#)
    );
    let per_source: Vec<Vec<&str>> = outputs
        .iter()
        .map(|o| o.sessions.iter().map(|s| s.id.as_str()).collect())
        .collect();
    assert_eq!(
        per_source,
        [
            vec!["ses_5e0a1b29affePp7Qq6Rr5Ss4Tt"],
            vec!["ses_5e0a1b2cdffeAa9Bb8Cc7Dd6Ee"],
            vec!["ses_5e0a1b2abffeKk1Ll0Mm9Nn8Oo"],
            vec!["ses_5e0a1b2bcffeFf5Gg4Hh3Ii2Jj"],
        ]
    );
    let all = common::sessions_of(&OpenCodeAdapter, &c);
    let mut keys: Vec<&str> = all.iter().map(|s| s.key.as_str()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 4);
    let cc = session(&all, "ses_5e0a1b2abffeKk1Ll0Mm9Nn8Oo");
    assert_eq!(cc.sources[0].format.as_deref(), Some("opencode/json"));
    // C from JSON, both turns: 700/0w/4100r/210 + 60/250w/4900r/95.
    assert_eq!(
        cc.summary.usage,
        Usage {
            input: 760,
            cache_creation: 250,
            cache_read: 9000,
            output: 305,
            reasoning: 0
        }
    );
    let a = session(&all, "ses_5e0a1b2cdffeAa9Bb8Cc7Dd6Ee");
    assert!(a.sources[0].path.ends_with("/opencode.db"));
    // A once: 900 + 1200 + 5000 + 300 = 7400.
    assert_eq!(a.summary.usage.total(), 7400);
    let dd = session(&all, "ses_5e0a1b29affePp7Qq6Rr5Ss4Tt");
    assert_eq!(dd.models, ["openrouter/qwen/qwen3-coder"]);
    assert_eq!(dd.summary.usage.total(), 2140);
    snapshot_all("both_stores", &all, &c);
}

#[test]
fn opencode2_session_message_store() {
    let c = case("sqlite_v2");
    let all = common::sessions_of(&OpenCodeAdapter, &c);
    assert_eq!(all.len(), 4);
    let old = session(&all, "ses_1f2e3d4c5ffeOl1Dm2Ig3Ra4Te");
    // Migrated session: its rows are in both `message` and `session_message` (same ids):
    // read once, from session_message. 500 + 100 + 2000 + 300 = 2900 (not 5800).
    assert_eq!(old.sources[0].format.as_deref(), Some("opencode/sqlite-v2"));
    assert_eq!(old.summary.usage.total(), 2900);
    assert_eq!(old.summary.counts.user_prompts, 1);
    // A v1-only session still comes from message/part: 50 + 20.
    let v1 = session(&all, "ses_1f2e3d4e6ffeVo9Nl0Ya1Bc2De");
    assert_eq!(v1.sources[0].format.as_deref(), Some("opencode/sqlite"));
    assert_eq!(v1.summary.usage.total(), 70);
    let new = session(&all, "ses_1f2e3d3a9ffeNe5Wv6Tw7Ox8Yz");
    assert_eq!(new.agent_version.as_deref(), Some("2.0.12"));
    assert_eq!(
        kinds(new),
        [
            "user_prompt",
            "context",
            "reasoning",
            "assistant_text",
            "tool_call",
            "tool_result",
            "tool_call",
            "tool_result",
            "tool_call",
            "tool_result",
            "opaque",
            "user_prompt",
            "assistant_text",
            "compaction"
        ]
    );
    // a1 (openai/gpt-5, 2.0.12, no total, reasoning 200 ≤ output 300, version ≥ 1.3.4 → separate):
    //   2400 / 0 / 11000 / 300 + 200 = 500. a2 (anthropic): 150 / 900 / 13500 / 80.
    assert_eq!(
        new.summary.usage,
        Usage {
            input: 2550,
            cache_creation: 900,
            cache_read: 24500,
            output: 580,
            reasoning: 200
        }
    );
    assert_eq!(new.models, ["openai/gpt-5", "anthropic/claude-sonnet-4-5"]);
    assert_eq!(new.summary.counts.tool_errors, 1);
    assert!(new.events.iter().any(|e| matches!(&e.kind, EventKind::ToolResult { output, is_error: true, .. } if output == "Command exited with code 1")));
    assert!(
        matches!(&new.events[0].kind, EventKind::UserPrompt { attachments, .. } if attachments.len() == 1)
    );
    let fork = session(&all, "ses_1f2e3d2b7ffeFo3Rk4Ed5Cp6Yq");
    assert_eq!(fork.kind, SessionKind::Fork);
    assert_eq!(
        fork.parent.as_deref(),
        Some("opencode:ses_1f2e3d3a9ffeNe5Wv6Tw7Ox8Yz")
    );
    assert_eq!(fork.summary.usage.total(), 15);
    assert_eq!(
        fork.summary.opaque_types.get("content/image-generation"),
        Some(&1)
    );
    snapshot_all("sqlite_v2", &all, &c);
}

#[test]
fn wal_only_rows_are_read() {
    let c = case("wal_only");
    let root = c.join("root");
    let before = (
        std::fs::read(root.join("opencode.db")).unwrap(),
        std::fs::read(root.join("opencode.db-wal")).unwrap(),
    );
    let (d, _) = common::read_case(&OpenCodeAdapter, &c);
    assert!(
        d.sources[0]
            .related
            .iter()
            .any(|r| r.ends_with("opencode.db-wal"))
    );
    let all = common::sessions_of(&OpenCodeAdapter, &c);
    // Rows of the second turn and the whole second session live only in the -wal file.
    assert_eq!(all.len(), 2);
    let w = session(&all, "ses_2a0f9e8dcffeWa1Lq2Ze3Xr4Cv");
    assert_eq!(w.summary.counts.user_prompts, 2);
    // total 3940 = 1700+96+64+2080 → reasoning separate: output 96+64 = 160. Then 150/0/4140/120.
    assert_eq!(
        w.summary.usage,
        Usage {
            input: 1850,
            cache_creation: 0,
            cache_read: 6220,
            output: 280,
            reasoning: 64
        }
    );
    let v = session(&all, "ses_2a0f9e5bbffeNm3Qa4Ws5Ed6Rf");
    assert_eq!(v.summary.counts.user_prompts, 1);
    // Reading never writes the database or its WAL (nor checkpoints).
    assert_eq!(std::fs::read(root.join("opencode.db")).unwrap(), before.0);
    assert_eq!(
        std::fs::read(root.join("opencode.db-wal")).unwrap(),
        before.1
    );
    // Without its WAL the database file alone lacks those rows.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("root")).unwrap();
    std::fs::copy(
        root.join("opencode.db"),
        tmp.path().join("root/opencode.db"),
    )
    .unwrap();
    let alone = common::sessions_of(&OpenCodeAdapter, tmp.path());
    assert_eq!(alone.len(), 1);
    assert_eq!(alone[0].summary.counts.user_prompts, 1);
    snapshot_all("wal_only", &all, &c);
}

/// A database in WAL mode with a live writer that never checkpointed: rows only in the
/// `-wal` file are seen, while the writer stays open.
#[test]
fn live_writer_with_uncheckpointed_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("opencode");
    std::fs::create_dir_all(&root).unwrap();
    let db = root.join("opencode.db");
    let w = rusqlite::Connection::open(&db).unwrap();
    w.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
        .unwrap();
    w.execute_batch("PRAGMA wal_autocheckpoint=0;").unwrap();
    w.execute_batch(
        &std::fs::read_to_string(common::fixtures("opencode").join("schema-1.2.sql")).unwrap(),
    )
    .unwrap();
    w.execute_batch(LIVE_ROWS).unwrap();
    assert!(root.join("opencode.db-wal").metadata().unwrap().len() > 0);
    let d = OpenCodeAdapter
        .discover(std::slice::from_ref(&root))
        .unwrap();
    assert_eq!(d.sources.len(), 1);
    let out = OpenCodeAdapter
        .read(&d.sources[0], &ReadOptions::default())
        .unwrap();
    assert_eq!(out.sessions.len(), 1);
    assert_eq!(out.sessions[0].summary.counts.user_prompts, 1);
    assert_eq!(out.sessions[0].summary.usage.total(), 30);
    // Another connection holds a write transaction while we read: still readable.
    let w2 = rusqlite::Connection::open(&db).unwrap();
    w2.execute_batch("BEGIN IMMEDIATE; INSERT INTO project VALUES ('p2','/y',NULL,NULL,NULL,NULL,1,1,NULL,'[]');").unwrap();
    let out = OpenCodeAdapter
        .read(&d.sources[0], &ReadOptions::default())
        .unwrap();
    assert_eq!(out.sessions.len(), 1);
    w2.execute_batch("COMMIT").unwrap();
    // Listing mode keeps summaries, not events.
    let out = OpenCodeAdapter
        .read(
            &d.sources[0],
            &ReadOptions {
                retain_events: false,
            },
        )
        .unwrap();
    assert!(out.sessions[0].events.is_empty());
    assert_eq!(out.sessions[0].summary.counts.user_prompts, 1);
    drop(w);
}

const LIVE_ROWS: &str = r#"
INSERT INTO project VALUES ('global','/',NULL,NULL,NULL,NULL,1,1,NULL,'[]');
INSERT INTO session VALUES ('ses_live','global',NULL,'s','/w','Live','1.2.3',NULL,NULL,NULL,NULL,NULL,NULL,NULL,1772000000000,1772000000000,NULL,NULL);
INSERT INTO message VALUES ('msg_1','ses_live',1772000000000,1772000000000,'{"role":"user","time":{"created":1772000000000}}');
INSERT INTO part VALUES ('prt_1','msg_1','ses_live',1772000000000,1772000000000,'{"type":"text","text":"hi"}');
INSERT INTO message VALUES ('msg_2','ses_live',1772000001000,1772000001000,'{"role":"assistant","time":{"created":1772000001000},"modelID":"m","providerID":"p","cost":0,"tokens":{"input":10,"output":20,"reasoning":0,"cache":{"read":0,"write":0}}}');
INSERT INTO part VALUES ('prt_2','msg_2','ses_live',1772000001000,1772000001000,'{"type":"text","text":"hello"}');
"#;

#[test]
fn every_case_reads_twice_identically() {
    for c in common::cases("opencode") {
        let a = common::sessions_of(&OpenCodeAdapter, &c);
        let b = common::sessions_of(&OpenCodeAdapter, &c);
        assert_eq!(
            serde_json::to_value(&a).unwrap(),
            serde_json::to_value(&b).unwrap(),
            "{}",
            c.display()
        );
        for s in &a {
            let mut last = None;
            for e in &s.events {
                if let (Some(t), Some(l)) = (e.timestamp, last) {
                    assert!(t >= l, "{}: events out of order", s.key);
                }
                last = e.timestamp.or(last);
            }
        }
    }
}
