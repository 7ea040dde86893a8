//! Claude Code adapter: one test per fixture case (see `tests/fixtures/claude/PROVENANCE.md`).
//! Token totals are computed by hand from the fixtures; the arithmetic is in the comments.

mod common;

use convx_adapters::claude::ClaudeAdapter;
use convx_adapters::{Adapter, Environment, ReadOptions};
use convx_model::{EventKind, PlanStepStatus, Session, SessionKind, Usage, WarningKind};
use std::collections::HashSet;
use std::path::PathBuf;

fn case_dir(name: &str) -> PathBuf {
    common::fixtures("claude").join(name)
}

/// The sessions of a case, after the pipeline's linking and usage dedup, snapshotted.
fn load(name: &str) -> Vec<Session> {
    let dir = case_dir(name);
    let sessions = common::sessions_of(&ClaudeAdapter, &dir);
    for s in &sessions {
        let snap = format!("{name}__{}", s.id.replace('/', "__"));
        insta::assert_json_snapshot!(snap, common::snapshot_view(s, &dir));
    }
    sessions
}

fn get<'a>(sessions: &'a [Session], id: &str) -> &'a Session {
    sessions
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no session {id}"))
}

fn u(input: u64, cache_creation: u64, cache_read: u64, output: u64, reasoning: u64) -> Usage {
    Usage {
        input,
        cache_creation,
        cache_read,
        output,
        reasoning,
    }
}

fn kinds(s: &Session) -> Vec<&'static str> {
    s.events.iter().map(|e| e.kind.name()).collect()
}

fn prompts(s: &Session) -> Vec<&str> {
    s.events
        .iter()
        .filter(|e| !e.inherited)
        .filter_map(|e| match &e.kind {
            EventKind::UserPrompt { text, .. } => Some(text.as_str()),
            _ => None,
        })
        .collect()
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

fn subagent_of<'a>(s: &'a Session, call_name: &str, description: &str) -> Option<&'a str> {
    s.events.iter().find_map(|e| match &e.kind {
        EventKind::ToolCall {
            name,
            input,
            subagent,
            ..
        } if name == call_name && input["description"] == description => subagent.as_deref(),
        _ => None,
    })
}

fn total(sessions: &[Session]) -> u64 {
    sessions.iter().map(|s| s.summary.usage.total()).sum()
}

fn warnings(s: &Session) -> Vec<(Option<u64>, WarningKind)> {
    s.warnings.iter().map(|w| (w.line, w.kind)).collect()
}

#[test]
fn v1_plain() {
    let ss = load("v1_plain");
    assert_eq!(ss.len(), 2);

    let a = get(&ss, "80e67507-6744-44cb-97c3-fdfc3d5998b4");
    assert_eq!(a.agent_version.as_deref(), Some("1.0.44"));
    assert_eq!(a.cwd.as_deref(), Some("/home/ana/src/todo-api"));
    assert_eq!(a.git.branch, None, "1.0.x wrote no gitBranch");
    // Read response: 2 lines (text + tool_use) repeating the same usage, counted once.
    // input 4+6+4 = 14; cache_creation 2100+610+250 = 2960; cache_read 0+2100+2710 = 4810;
    // output 85+190+42 = 317.
    assert_eq!(a.summary.usage, u(14, 2960, 4810, 317, 0));
    assert_eq!(a.summary.calls.len(), 3);
    // costUSD once per response: 0.0118 + 0.0087 + 0.0041 = 0.0246.
    let cost = a.summary.recorded_cost_usd.expect("costUSD recorded");
    assert!((cost - 0.0246).abs() < 1e-9, "{cost}");
    // The summary line's leaf is in another session: not this session's title.
    assert_eq!(a.title, None);
    assert_eq!(
        a.display_title(),
        "add a /health endpoint to the express app"
    );
    assert_eq!(
        kinds(a),
        [
            "opaque",
            "user_prompt",
            "assistant_text",
            "tool_call",
            "tool_result",
            "tool_call",
            "tool_result",
            "assistant_text"
        ]
    );
    assert_eq!(a.sources[0].format.as_deref(), Some("claude/session"));

    let b = get(&ss, "fb955e3a-d9ae-479a-a64e-4d6486eb5d51");
    assert_eq!(b.agent_version.as_deref(), Some("2.0.0"));
    assert_eq!(b.git.branch.as_deref(), Some("main"));
    // One response over 3 lines (thinking, text, tool_use) with equal usage, then one more.
    // input 3+5 = 8; cache_creation 4800+320 = 5120; cache_read 9500+14300 = 23800; output 160+96 = 256.
    assert_eq!(b.summary.usage, u(8, 5120, 23800, 256, 0));
    assert_eq!(b.summary.counts.reasoning_blocks, 1);
    assert_eq!(b.summary.counts.assistant_messages, 2);
    assert_eq!(b.models, ["claude-sonnet-4-5-20250929"]);
    // 8101 + 29184
    assert_eq!(total(&ss), 37285);
}

#[test]
fn streaming() {
    let ss = load("streaming");
    let s = get(&ss, "91a305d6-2700-44bf-a981-ada62d2c7850");
    // Response 1: 4 lines with output_tokens 1, 1, 1, 412 -> the last line counts once:
    //   input 10, cache_creation 3000, cache_read 12000, output 412.
    // Response 2: 2 lines (1, 230); cache_creation_input_tokens 0 but breakdown 500+200 = 700;
    //   thinking_tokens 120: input 8, cache_creation 700, cache_read 15000, output 230, reasoning 120.
    // Sum: input 18, cache_creation 3700, cache_read 27000, output 642, reasoning 120.
    assert_eq!(s.summary.usage, u(18, 3700, 27000, 642, 120));
    assert_eq!(s.summary.usage.total(), 31360);
    assert_eq!(
        kinds(s),
        [
            "user_prompt",
            "reasoning",
            "assistant_text",
            "tool_call",
            "tool_result",
            "tool_call",
            "tool_result",
            "reasoning",
            "assistant_text",
            "opaque"
        ]
    );
    // Usage sits on exactly one event per response: the final line's event.
    let carriers: Vec<(usize, &str)> = s
        .events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.usage.as_ref().map(|c| (i, c.dedup_key.as_str())))
        .collect();
    assert_eq!(
        carriers,
        [
            (5, "msg_01sizlEDi2bIBLPLPuuSaKoU"),
            (8, "msg_01il1AnL6Z0xkdZdHvSduoAU")
        ]
    );
    // The tool result that arrived between two lines of the open response keeps its place
    // and is not abandoned although it hangs off the chain.
    assert!(s.events.iter().all(|e| !e.abandoned));
    assert_eq!(s.metadata["slug"], "wise-orbiting-lamport");
}

#[test]
fn subagents_inline() {
    let ss = load("subagents_inline");
    let main_id = "65d9e4d7-fbea-480e-9e22-2f3bd708cad9";
    let main = get(&ss, main_id);
    // Main: input 4+7 = 11; cache_creation 1500+800 = 2300; cache_read 2800+4300 = 7100; output 220+180 = 400.
    assert_eq!(main.summary.usage, u(11, 2300, 7100, 400, 0));
    let warm = get(&ss, &format!("{main_id}/sidechain-1"));
    assert_eq!(warm.kind, SessionKind::Internal);
    assert_eq!(warm.summary.usage, u(3, 2800, 0, 14, 0));
    // The second Task's sidechain is written first: it is linked by its prompt, not order.
    let usages = get(&ss, &format!("{main_id}/sidechain-2"));
    assert_eq!(usages.kind, SessionKind::Subagent);
    assert_eq!(usages.title.as_deref(), Some("Find option usages"));
    // input 5+4 = 9; cache_creation 900+300 = 1200; cache_read 0+900 = 900; output 60+95 = 155.
    assert_eq!(usages.summary.usage, u(9, 1200, 900, 155, 0));
    let parser = get(&ss, &format!("{main_id}/sidechain-3"));
    assert_eq!(parser.title.as_deref(), Some("Find config parser"));
    assert_eq!(parser.summary.usage, u(6, 1100, 0, 140, 0));
    for c in [warm, usages, parser] {
        assert_eq!(c.parent.as_deref(), Some(main.key.as_str()));
        assert_eq!(
            c.sources[0].format.as_deref(),
            Some("claude/sidechain-inline")
        );
    }
    assert_eq!(
        subagent_of(main, "Task", "Find config parser"),
        Some(parser.key.as_str())
    );
    assert_eq!(
        subagent_of(main, "Task", "Find option usages"),
        Some(usages.key.as_str())
    );
    assert_eq!(
        parser.metadata["parent_tool_use_id"],
        "toolu_01rvviq1NufXBRvtc3EvL1M3"
    );
    // A session file holding only a sidechain is one sub-agent session of its sessionId.
    let lone = get(&ss, "694b291f-351d-4c9b-ad67-f1a2b6d69d5a");
    assert_eq!(lone.kind, SessionKind::Subagent);
    assert_eq!(lone.parent.as_deref(), Some(main.key.as_str()));
    assert_eq!(
        lone.sources[0].format.as_deref(),
        Some("claude/sidechain-session")
    );
    assert_eq!(lone.summary.usage, u(4, 600, 0, 33, 0));
    assert_eq!(main.children.len(), 4);
    // The Task results' toolUseResult.usage is not added: 9811 + 2817 + 2264 + 1246 + 637.
    assert_eq!(total(&ss), 16775);
}

#[test]
fn subagents_flat() {
    let ss = load("subagents_flat");
    let main_id = "9de2a332-998a-442f-83a7-38ca45c2cb27";
    let main = get(&ss, main_id);
    // input 5+4 = 9; cache_creation 2200+400 = 2600; cache_read 11000+13200 = 24200; output 150+75 = 225.
    assert_eq!(main.summary.usage, u(9, 2600, 24200, 225, 0));
    let agent = get(&ss, &format!("{main_id}/agent-5f3c2a1b"));
    assert_eq!(agent.kind, SessionKind::Subagent);
    assert_eq!(agent.parent.as_deref(), Some(main.key.as_str()));
    assert_eq!(
        agent.sources[0].format.as_deref(),
        Some("claude/subagent-flat")
    );
    // input 6+3+3 = 12; cache_creation 5000+600+0 = 5600; cache_read 0+5000+10000 = 15000;
    // output 48+52+161 = 261; total 20873 = the Agent result's totalTokens (not added again).
    assert_eq!(agent.summary.usage, u(12, 5600, 15000, 261, 0));
    assert_eq!(agent.summary.usage.total(), 20873);
    assert_eq!(
        subagent_of(main, "Task", "Audit auth middleware"),
        Some(agent.key.as_str())
    );
    let warm = get(&ss, &format!("{main_id}/agent-0c9d8e7f"));
    assert_eq!(warm.kind, SessionKind::Internal);
    assert_eq!(warm.summary.usage.total(), 2914);
    // 27034 + 20873 + 2914
    assert_eq!(total(&ss), 50821);
    assert_eq!(main.children.len(), 2);
}

#[test]
fn subagents_nested() {
    let dir = case_dir("subagents_nested");
    let d = ClaudeAdapter.discover(&[dir.join("root")]).unwrap();
    let names: Vec<String> = d
        .sources
        .iter()
        .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    // Not sessions: sessions-index.json, tool-results/, notes.jsonl, history.jsonl, todos/.
    assert_eq!(
        names,
        [
            "agent-a1b2c3d4e5f6a7b8c.jsonl",
            "agent-acompact-767ece576f2b74e8.jsonl",
            "agent-aside_question-c5e5c961a7749e08.jsonl",
            "agent-a9e8d7c6b5a4f3e2d.jsonl",
            "17c29d2c-f462-4c3d-b552-70c57139b9ae.jsonl",
        ]
    );
    assert_eq!(
        d.sources[0].related.len(),
        1,
        "meta.json sidecar is related"
    );
    assert!(d.sources[1].related.is_empty());

    let ss = load("subagents_nested");
    let id = "17c29d2c-f462-4c3d-b552-70c57139b9ae";
    let main = get(&ss, id);
    // The agent_progress record embeds a sub-agent response with usage: not counted.
    // input 6+4 = 10; cache_creation 4100+900 = 5000; cache_read 9000+13100 = 22100; output 130+310 = 440.
    assert_eq!(main.summary.usage, u(10, 5000, 22100, 440, 0));
    assert_eq!(main.title.as_deref(), Some("Paginate the orders endpoint"));
    let explore = get(&ss, &format!("{id}/agent-a1b2c3d4e5f6a7b8c"));
    assert_eq!(explore.title.as_deref(), Some("Explore orders module"));
    assert_eq!(explore.metadata["agent_type"], "Explore");
    assert_eq!(
        explore.sources[0].format.as_deref(),
        Some("claude/subagent-nested")
    );
    // input 5+4 = 9; cache_creation 3000+500 = 3500; cache_read 0+3000 = 3000; output 70+200 = 270.
    assert_eq!(explore.summary.usage, u(9, 3500, 3000, 270, 0));
    assert_eq!(
        subagent_of(main, "Agent", "Explore orders module"),
        Some(explore.key.as_str())
    );
    let nested = get(&ss, &format!("{id}/agent-a9e8d7c6b5a4f3e2d"));
    assert_eq!(
        nested.parent.as_deref(),
        Some(explore.key.as_str()),
        "parentAgentId"
    );
    assert_eq!(explore.children, std::slice::from_ref(&nested.key));
    assert_eq!(
        subagent_of(explore, "Agent", "Check repository queries"),
        Some(nested.key.as_str())
    );
    assert_eq!(nested.summary.usage.total(), 1894);
    let compact = get(&ss, &format!("{id}/agent-acompact-767ece576f2b74e8"));
    assert_eq!(compact.kind, SessionKind::Internal);
    assert_eq!(compact.summary.usage.total(), 14902);
    // The /btw side question replays the parent's response (same message.id, other
    // requestId, same usage 4/900/13100/310): the replay is a duplicate; own 3/0/14200/64.
    let aside = get(&ss, &format!("{id}/agent-aside_question-c5e5c961a7749e08"));
    assert_eq!(aside.kind, SessionKind::Subagent);
    assert_eq!(aside.summary.usage, u(3, 0, 14200, 64, 0));
    assert!(
        aside
            .events
            .iter()
            .any(|e| e.usage.as_ref().is_some_and(|c| c.duplicate))
    );
    // 27550 + 6779 + 1894 + 14902 + 14267 (79706 if the replay were counted twice).
    assert_eq!(total(&ss), 65392);
}

#[test]
fn rewind() {
    let ss = load("rewind");
    let s = get(&ss, "d0e948fd-00ee-4523-a522-d8140e066811");
    let abandoned: Vec<&str> = s
        .events
        .iter()
        .filter(|e| e.abandoned)
        .map(|e| match &e.kind {
            EventKind::UserPrompt { text, .. } | EventKind::AssistantText { text } => text.as_str(),
            other => other.name(),
        })
        .collect();
    assert_eq!(
        abandoned,
        [
            "make it handle unicode",
            "Normalize with unicodedata.normalize('NFKD', s) and drop combining marks first."
        ]
    );
    // Abandoned responses still happened and count:
    // input 5+4+4 = 13; cache_creation 1200+200+210 = 1610; cache_read 0+1200+1200 = 2400; output 150+180+120 = 450.
    assert_eq!(s.summary.usage, u(13, 1610, 2400, 450, 0));
    assert_eq!(
        s.title.as_deref(),
        Some("actually, make it keep underscores")
    );
    // The self-referencing system entry and the two-entry parentUuid cycle are read.
    assert_eq!(s.summary.opaque_types["progress/hook_progress"], 2);
    assert_eq!(s.summary.opaque_types["system/informational"], 1);
}

#[test]
fn compaction() {
    let ss = load("compaction");
    let s = get(&ss, "15100bd4-59a0-40a7-b11a-372e16cc2314");
    assert!(
        s.events.iter().all(|e| !e.abandoned),
        "pre-compaction history is on the path"
    );
    assert_eq!(s.summary.counts.compactions, 1);
    assert!(s.events.iter().any(|e| matches!(&e.kind, EventKind::Compaction { trigger, .. } if trigger.as_deref() == Some("manual"))));
    assert_eq!(s.metadata["compactions"][0]["pre_tokens"], 10230);
    assert_eq!(
        contexts(s),
        ["compact_summary", "command", "command_output"]
    );
    assert_eq!(
        prompts(s),
        [
            "profile the report generator",
            "now cache the template compilation"
        ]
    );
    // input 6+4+8 = 18; cache_creation 8000+1500+2400 = 11900; cache_read 0+8000+3100 = 11100;
    // output 120+600+340 = 1060.
    assert_eq!(s.summary.usage, u(18, 11900, 11100, 1060, 0));
    // The last summary's leaf is in another session; the one before it names this file's leaf.
    assert_eq!(
        s.title.as_deref(),
        Some("Report generator profiling and template caching")
    );

    let legacy = get(&ss, "ee063661-731f-497c-98d9-23b418357372");
    assert!(
        legacy.events.iter().all(|e| !e.abandoned),
        "1.0.x compaction root keeps history"
    );
    assert_eq!(contexts(legacy), ["compact_summary"]);
    // input 4+5 = 9; cache_creation 900+300 = 1200; cache_read 0+900 = 900; output 80+60 = 140.
    assert_eq!(legacy.summary.usage, u(9, 1200, 900, 140, 0));
}

#[test]
fn fork() {
    let ss = load("fork");
    let orig = get(&ss, "80d1ac45-d1b3-473d-99a4-32a7816864fa");
    let fork = get(&ss, "e1829b24-f4fa-4af4-9da1-533b42159731");
    // Original: input 5+4 = 9; cache_creation 3000+450 = 3450; cache_read 0+3000 = 3000; output 400+350 = 750.
    assert_eq!(orig.summary.usage, u(9, 3450, 3000, 750, 0));
    assert_eq!(orig.title.as_deref(), Some("Rate limiter design"));
    assert_eq!(fork.kind, SessionKind::Fork);
    assert_eq!(fork.parent.as_deref(), Some(orig.key.as_str()));
    assert_eq!(orig.children, std::slice::from_ref(&fork.key));
    assert_eq!(fork.title.as_deref(), Some("Rate limiter design (fork)"));
    // 4 copied entries are inherited (shown, not counted); the fork's own response only:
    // input 6, cache_creation 800, cache_read 3450, output 420.
    assert_eq!(fork.events.iter().filter(|e| e.inherited).count(), 4);
    assert_eq!(fork.summary.usage, u(6, 800, 3450, 420, 0));
    assert_eq!(fork.summary.counts.user_prompts, 1);
    assert_eq!(
        fork.summary.first_prompt.as_deref(),
        Some("what about a sliding window instead?")
    );
    assert_eq!(
        fork.started_at,
        Some("2026-03-02T08:30:20Z".parse().unwrap())
    );
    assert_eq!(fork.metadata["forked_from"]["session_id"], orig.id.as_str());
    // 7209 + 4676
    assert_eq!(total(&ss), 11885);
}

#[test]
fn resume_copy() {
    let ss = load("resume_copy");
    let orig = get(&ss, "99ac6815-1bbb-43d8-9685-41fc50bf8cd3");
    let new = get(&ss, "2b4c61b1-d404-4f45-b482-349123ce1868");
    // Original: input 4, cache_creation 1800, cache_read 0, output 5; costUSD 0.0068.
    assert_eq!(orig.summary.usage, u(4, 1800, 0, 5, 0));
    // The resumed file repeats the original's two entries (old sessionId) before its turn.
    assert_eq!(new.kind, SessionKind::Fork);
    assert_eq!(new.parent.as_deref(), Some(orig.key.as_str()));
    assert_eq!(new.events.iter().filter(|e| e.inherited).count(), 2);
    assert_eq!(prompts(new), ["remove 10 from it"]);
    // Own turn only: input 4, cache_creation 30, cache_read 1800, output 5.
    assert_eq!(new.summary.usage, u(4, 30, 1800, 5, 0));
    assert!(!new.metadata.contains_key("other_session_ids"));
    // 1809 + 1839
    assert_eq!(total(&ss), 3648);
}

#[test]
fn injected_context() {
    let ss = load("injected_context");
    let s = get(&ss, "90a094c6-dcd5-444b-af65-f1a970140633");
    assert_eq!(
        prompts(s),
        [
            "why does app.ts fail to compile?",
            "fix this type error",
            "please also update the README",
            "<div class=\"card\">why is this card not centered?</div>",
        ]
    );
    assert_eq!(
        contexts(s),
        [
            "caveat",
            "command",
            "command_output",
            "shell",
            "shell",
            "system_reminder",
            "interruption",
            "hook",
            "hook",
            "task_notification",
            "ide",
            "ide",
            "interruption",
            "command",
            "meta",
            "tick",
            "goal",
            "system_reminder",
            "new-diagnostics",
            "compact_summary",
            "command",
            "command_output",
        ]
    );
    assert_eq!(s.summary.counts.tool_errors, 1);
    // input 5+3+6 = 14; cache_creation 2600+300+900 = 3800; cache_read 0+2600+2900 = 5500; output 90+45+130 = 265.
    assert_eq!(s.summary.usage, u(14, 3800, 5500, 265, 0));
}

#[test]
fn images_errors() {
    let ss = load("images_errors");
    let s = get(&ss, "5ff8d1a5-d2df-4181-b6f7-6298506a7aa1");
    let json = serde_json::to_string(s).unwrap();
    for blob in ["iVBORw0KGgo", "JVBERi0", "/9j/4", "EqgfCioIAhgC"] {
        assert!(!json.contains(blob), "{blob} leaked");
    }
    let attachments: Vec<(String, Option<String>, Option<u64>)> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::UserPrompt { attachments, .. } => Some(attachments),
            _ => None,
        })
        .flatten()
        .map(|a| (a.kind.clone(), a.media_type.clone(), a.size_bytes))
        .collect();
    // PNG: 70-byte 1x1 image + 1000 padding bytes; PDF: 9-byte header + 3000 bytes.
    assert_eq!(
        attachments,
        [
            ("image".into(), Some("image/png".into()), Some(1070)),
            (
                "document".into(),
                Some("application/pdf".into()),
                Some(3009)
            ),
        ]
    );
    let outputs: Vec<(&str, bool)> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ToolResult {
                output, is_error, ..
            } => Some((output.as_str(), *is_error)),
            _ => None,
        })
        .collect();
    assert_eq!(outputs[0], ("[image: image/jpeg, 2048 bytes]", false));
    assert!(outputs[1].1 && outputs[1].0.starts_with("Exit code 1"));
    assert_eq!(
        outputs[2],
        (
            "Preventing grid blowout <https://css-tricks.com/preventing-a-grid-blowout/>",
            false
        )
    );
    assert_eq!(
        outputs[3],
        (" src/layout.css | 2 +-", false),
        "empty content falls back to toolUseResult.stdout"
    );
    assert_eq!(warnings(s), [(Some(11), WarningKind::OrphanToolResult)]);
    assert_eq!(s.summary.opaque_types["orphan_tool_result"], 1);
    // input 1600+8+6+5+4 = 1623; cache_creation 0+2500+900+2200+100 = 5700;
    // cache_read 0+1600+4100+5000+7200 = 17900; output 40+55+180+60+30 = 365.
    assert_eq!(s.summary.usage, u(1623, 5700, 17900, 365, 0));
}

#[test]
fn plans() {
    let ss = load("plans");
    let s = get(&ss, "1cfa0101-80c6-4743-baae-7c427ab1b16d");
    type Plan<'a> = (Option<&'a str>, Vec<(&'a str, &'a PlanStepStatus)>);
    let plans: Vec<Plan> = s
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::PlanUpdate { explanation, steps } => Some((
                explanation.as_deref(),
                steps.iter().map(|p| (p.text.as_str(), &p.status)).collect(),
            )),
            _ => None,
        })
        .collect();
    assert_eq!(plans.len(), 7);
    assert!(plans[0].0.is_some_and(|p| p.starts_with("## Plan")) && plans[0].1.is_empty());
    assert_eq!(
        plans[2].1[2],
        ("Snapshot test", &PlanStepStatus::InProgress)
    );
    assert_eq!(
        plans[4].1,
        [
            ("Document --json in README", &PlanStepStatus::Pending),
            ("Add CHANGELOG entry", &PlanStepStatus::Pending)
        ]
    );
    assert_eq!(
        plans[6].1,
        [("Document --json in README", &PlanStepStatus::Completed)],
        "deleted task removed"
    );
    assert_eq!(s.summary.counts.tool_calls, 8);
    // input 5+4+4+3+3+3+3 = 25; cache_creation 3100+400+300+500+200+100+150 = 4750;
    // cache_read 0+3100+3500+3800+4300+4500+4600 = 23800; output 210+160+150+140+90+20+60 = 830.
    assert_eq!(s.summary.usage, u(25, 4750, 23800, 830, 0));
}

#[test]
fn titles() {
    let ss = load("titles");
    let title = |id: &str| get(&ss, id).title.clone();
    assert_eq!(
        title("f8adc898-e725-400a-85bb-7ecf82ec8fb0").as_deref(),
        Some("Custom title (renamed)")
    );
    assert_eq!(
        get(&ss, "f8adc898-e725-400a-85bb-7ecf82ec8fb0").metadata["tag"],
        "release"
    );
    assert_eq!(
        title("c6633dac-263f-4777-b2ba-c5754f2f177a").as_deref(),
        Some("AI title")
    );
    assert_eq!(
        title("cc79c494-7bc2-495b-8d71-de251d6356a0").as_deref(),
        Some("the last prompt")
    );
    assert_eq!(
        title("be1cd6f8-d82f-4a02-8266-08f3c2fc140f").as_deref(),
        Some("Summary title")
    );
    let foreign = get(&ss, "74b3976f-d334-435b-b8a5-d4b81acf8763");
    assert_eq!(foreign.title, None);
    assert_eq!(foreign.display_title(), "first prompt of foreign");
    // Only a slash command typed: the command is the title; its expansion is context.
    let command = get(&ss, "153b1959-c174-4041-8624-8c91ba1870cb");
    assert_eq!(command.title.as_deref(), Some("/init"));
    assert_eq!(contexts(command), ["command", "meta"]);
    assert_eq!(command.summary.counts.user_prompts, 0);
    // 6 sessions x (3 + 100 + 0 + 10)
    assert_eq!(total(&ss), 678);
}

#[test]
fn api_errors() {
    let ss = load("api_errors");
    let s = get(&ss, "1cef5fe6-eefb-431e-b593-9d63d0ffbc0d");
    assert_eq!(contexts(s), ["api_error", "synthetic"]);
    assert_eq!(
        s.models,
        ["claude-sonnet-4-5-20250929"],
        "<synthetic> is not a model"
    );
    assert_eq!(s.summary.calls.len(), 2);
    assert_eq!(s.summary.opaque_types["system/api_error"], 1);
    // Response 1: cache_creation_input_tokens 0 but breakdown 1200 + 300 = 1500.
    // input 12+7 = 19; cache_creation 1500+2048 = 3548; cache_read 0+1500 = 1500; output 88+140 = 228.
    assert_eq!(s.summary.usage, u(19, 3548, 1500, 228, 0));
}

#[test]
fn unknown_corrupt() {
    let ss = load("unknown_corrupt");
    let s = get(&ss, "0ee20af9-cc0c-4179-85ae-23a569f12665");
    assert_eq!(
        warnings(s),
        [
            (Some(7), WarningKind::InvalidJson),
            (Some(8), WarningKind::BlankLine),
            (Some(9), WarningKind::UnexpectedShape),
            (Some(10), WarningKind::UnexpectedShape),
            (Some(22), WarningKind::TruncatedTail),
        ]
    );
    let types: Vec<(&str, u64)> = s
        .summary
        .opaque_types
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .collect();
    assert_eq!(
        types,
        [
            ("assistant/container_upload", 1),
            ("attachment/todo_reminder", 1),
            ("file-history-snapshot", 1),
            ("marble-origami-commit", 1),
            ("permission-mode", 1),
            ("pr-link", 1),
            ("progress/bash_progress", 1),
            ("queue-operation", 1),
            ("system/model_refusal_fallback", 1),
            ("system/stop_hook_summary", 1),
            ("tag", 1),
            ("unknown", 2),
            ("user/search_result", 1),
            ("worktree-state", 1),
        ]
    );
    assert_eq!(
        prompts(s),
        ["plan the terraform upgrade", "go ahead"],
        "queued prompt is not a prompt"
    );
    assert_eq!(s.metadata["tag"], "infra");
    // input 9+6 = 15; cache_creation 5000+700 = 5700; cache_read 0+5000 = 5000; output 240+60 = 300.
    assert_eq!(s.summary.usage, u(15, 5700, 5000, 300, 0));

    let empty = get(&ss, "d5029ecf-cb62-44b4-87c8-2685b8f1af9a");
    assert!(empty.events.is_empty());
    assert_eq!(warnings(empty), [(None, WarningKind::EmptyFile)]);
}

#[test]
fn lossy_paths() {
    let dir = case_dir("lossy_paths");
    let d = ClaudeAdapter.discover(&[dir.join("root")]).unwrap();
    let folders: Vec<String> = d
        .sources
        .iter()
        .map(|s| {
            s.path
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(folders[0], "-home-ana-my-app-v2-0");
    assert_eq!(
        folders[1].len(),
        207,
        "200 characters, '-', 6-character hash"
    );

    let ss = load("lossy_paths");
    let s = get(&ss, "44915816-05f4-40c1-8c5c-56fe5e98c641");
    assert_eq!(s.cwd.as_deref(), Some("/home/ana/my_app.v2.0"));
    assert_eq!(
        s.metadata["cwd_changes"][0]["cwd"],
        "/home/ana/my_app.v2.0/packages/core"
    );
    assert_eq!(s.git.branch.as_deref(), Some("feature/build-cache"));
    assert_eq!(
        s.metadata["git_branches"],
        serde_json::json!(["main", "feature/build-cache"])
    );
    assert_eq!(s.agent_version.as_deref(), Some("2.1.3"));
    assert_eq!(
        s.metadata["versions"],
        serde_json::json!(["2.0.76", "2.1.3"])
    );
    // input 4+3+5 = 12; cache_creation 1900+150+700 = 2750; cache_read 0+1900+2050 = 3950; output 30+25+44 = 99.
    assert_eq!(s.summary.usage, u(12, 2750, 3950, 99, 0));
    let long = get(&ss, "f4e975f0-ae09-4a6e-ab97-13ddd3c7fc2c");
    let cwd = long.cwd.as_deref().unwrap();
    assert!(cwd.len() > 200 && cwd.ends_with("/fixtures/very_long_directory_name_for_testing"));
    assert!(
        cwd.contains("order-management-service_legacy-migration/services/fulfilment.worker.v3")
    );
}

#[test]
fn config_dir_list_is_honoured() {
    let a = case_dir("fork").join("root");
    let b = case_dir("rewind").join("root");
    let env = Environment::new("/nonexistent-home").with_var(
        "CLAUDE_CONFIG_DIR",
        format!("{},{}", a.display(), b.display()),
    );
    let roots = ClaudeAdapter.default_roots(&env);
    assert_eq!(roots, [a, b]);
    let d = ClaudeAdapter.discover(&roots).unwrap();
    assert_eq!(d.sources.len(), 3);
    assert!(
        ClaudeAdapter
            .discover(&[PathBuf::from("/nonexistent/claude")])
            .unwrap()
            .sources
            .is_empty()
    );
}

/// Invariants over every case: ordered timestamps, paired tool results, no injected text
/// as a prompt, stable output, and the same summary without retained events.
#[test]
fn conformance() {
    for dir in common::cases("claude") {
        let (_, outputs) = common::read_case(&ClaudeAdapter, &dir);
        let (_, again) = common::read_case(&ClaudeAdapter, &dir);
        let sessions: Vec<&Session> = outputs.iter().flat_map(|o| &o.sessions).collect();
        let sessions2: Vec<&Session> = again.iter().flat_map(|o| &o.sessions).collect();
        assert_eq!(
            serde_json::to_value(&sessions).unwrap(),
            serde_json::to_value(&sessions2).unwrap()
        );
        let discovery = ClaudeAdapter.discover(&[dir.join("root")]).unwrap();
        for source in &discovery.sources {
            let lean = ClaudeAdapter
                .read(
                    source,
                    &ReadOptions {
                        retain_events: false,
                    },
                )
                .unwrap();
            let full = ClaudeAdapter.read(source, &ReadOptions::default()).unwrap();
            for (l, f) in lean.sessions.iter().zip(&full.sessions) {
                assert!(l.events.is_empty());
                assert_eq!(l.summary, f.summary, "{}", f.key);
                assert_eq!(
                    (l.started_at, l.ended_at, &l.title, &l.models),
                    (f.started_at, f.ended_at, &f.title, &f.models)
                );
            }
        }
        for s in sessions {
            let mut last = None;
            let mut calls = HashSet::new();
            for e in &s.events {
                if let Some(t) = e.timestamp {
                    assert!(last.is_none_or(|l| l <= t), "{} out of order", s.key);
                    last = Some(t);
                }
                match &e.kind {
                    EventKind::ToolCall { call_id, .. } => {
                        calls.insert(call_id.clone());
                    }
                    EventKind::ToolResult { call_id, .. } => {
                        assert!(calls.contains(call_id), "{} orphan {call_id}", s.key)
                    }
                    EventKind::UserPrompt { text, .. } => {
                        let t = text.trim_start();
                        assert!(
                            !t.starts_with("<command-")
                                && !t.starts_with("<system-reminder")
                                && !t.starts_with("[Request")
                        );
                        assert!(
                            !t.starts_with("Caveat:")
                                && !t.starts_with("This session is being continued")
                        );
                    }
                    _ => {}
                }
            }
            let usages = s
                .events
                .iter()
                .filter_map(|e| e.usage.as_ref())
                .map(|c| &c.dedup_key);
            let mut keys = HashSet::new();
            for k in usages {
                assert!(keys.insert(k), "{} usage attached twice for {k}", s.key);
            }
        }
    }
}
