//! Integration tests of the Cursor adapter over `tests/fixtures/cursor/` (see its
//! PROVENANCE.md). Token totals were computed by hand from the SQL scripts.

mod common;
#[path = "fixtures/opencode/sqlfix.rs"]
mod sqlfix;

use convx_adapters::{Adapter, ReadOptions, cursor::CursorAdapter};
use convx_model::{EventKind, Session, Usage, WarningKind};
use std::path::{Path, PathBuf};

fn case(name: &str) -> PathBuf {
    common::fixtures("cursor").join(name)
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
    sqlfix::check_cases(&common::cases("cursor"));
}

#[test]
fn global_composers() {
    let c = case("global_composers");
    let (d, _) = common::read_case(&CursorAdapter, &c);
    // One source per User folder: the global database, workspace files related.
    assert_eq!(d.sources.len(), 1);
    assert!(d.sources[0].path.ends_with("globalStorage/state.vscdb"));
    assert!(
        d.sources[0]
            .related
            .iter()
            .any(|p| p.ends_with("workspace.json"))
    );
    let all = common::sessions_of(&CursorAdapter, &c);
    let mut ids: Vec<&str> = all.iter().map(|s| s.id.as_str()).collect();
    ids.sort();
    // The empty composer and the JSON-null composer are not sessions.
    assert_eq!(
        ids,
        [
            "4a7c1e2d-0b3f-4e5a-9c8d-7f6e5d4c3b2a",
            "7e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b",
            "9e1d2c3b-4a5f-4687-9abc-def012345678",
            "c3d4e5f6-a7b8-49c0-8d1e-2f3a4b5c6d7e",
        ]
    );

    let a = session(&all, "4a7c1e2d-0b3f-4e5a-9c8d-7f6e5d4c3b2a");
    assert_eq!(a.key, "cursor:4a7c1e2d-0b3f-4e5a-9c8d-7f6e5d4c3b2a");
    assert_eq!(a.sources[0].format.as_deref(), Some("cursor/composer-kv"));
    assert_eq!(a.cwd.as_deref(), Some("/home/ana/shop-api"));
    assert_eq!(a.title.as_deref(), Some("Fix login redirect loop"));
    assert_eq!(a.models, ["claude-4.5-sonnet"]);
    assert_eq!(a.started_at.unwrap().to_string(), "2025-10-30T08:00:00Z");
    assert_eq!(
        kinds(a),
        [
            "user_prompt",
            "reasoning",
            "tool_call",
            "tool_result",
            "tool_call",
            "tool_result",
            "assistant_text",
            "user_prompt",
            "assistant_text"
        ]
    );
    // tokenCount: b-a5 18234 in / 412 out, b-a7 20110 / 230; the others are zeros.
    // input 18234 + 20110 = 38344; output 412 + 230 = 642.
    assert_eq!(
        a.summary.usage,
        Usage {
            input: 38344,
            output: 642,
            ..Usage::default()
        }
    );
    assert_eq!(a.metadata["usage_reliable"], serde_json::json!(false));
    assert_eq!(a.summary.counts.tool_errors, 1);
    assert!(
        matches!(&a.events[2].kind, EventKind::ToolCall { call_id, name, input, .. }
        if call_id == "toolu_01RtC5mD7nE9pF1qG3hJ5kL7" && name == "run_terminal_cmd" && input["command"] == "npm test -- auth")
    );
    // A BLOB-stored bubble (b-a2) reads like a TEXT one; ms and ISO timestamps mix.
    assert_eq!(
        a.events[1].timestamp.unwrap().to_string(),
        "2025-10-30T08:00:09.48Z"
    );
    assert_eq!(
        a.events[2].timestamp.unwrap().to_string(),
        "2025-10-30T08:00:14.25Z"
    );
    // The corrupt bubble and the missing one are warnings; the edited-away bubble is counted.
    let w: Vec<WarningKind> = a.warnings.iter().map(|w| w.kind).collect();
    assert_eq!(w, [WarningKind::InvalidJson, WarningKind::Other]);
    assert!(a.warnings[0].detail.contains("b-a8"));
    assert_eq!(a.metadata["unreferenced_bubbles"], serde_json::json!(1));

    let b = session(&all, "9e1d2c3b-4a5f-4687-9abc-def012345678");
    assert_eq!(
        b.sources[0].format.as_deref(),
        Some("cursor/composer-inline")
    );
    assert_eq!(b.cwd.as_deref(), Some("/home/ana/shop-api"));
    // Inline conversation; the trailing empty user bubble (draft) is not a prompt; 950 / 120.
    assert_eq!(
        kinds(b),
        [
            "user_prompt",
            "assistant_text",
            "user_prompt",
            "assistant_text"
        ]
    );
    assert_eq!(
        b.summary.usage,
        Usage {
            input: 950,
            output: 120,
            ..Usage::default()
        }
    );
    assert_eq!(b.models, ["gpt-4o"]);

    let e = session(&all, "c3d4e5f6-a7b8-49c0-8d1e-2f3a4b5c6d7e");
    assert_eq!(e.sources[0].format.as_deref(), Some("cursor/composer-map"));
    assert_eq!(e.summary.usage.total(), 0);
    assert!(!e.metadata.contains_key("usage_reliable"));

    let o = session(&all, "7e0f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b");
    assert_eq!(o.metadata["orphan"], serde_json::json!(true));
    // Orphan bubbles in createdAt order (o-1 before o-2 though stored the other way).
    assert_eq!(kinds(o), ["user_prompt", "assistant_text"]);
    snapshot_all("global_composers", &all, &c);
}

#[test]
fn workspaces_map_chats_to_folders() {
    let c = case("workspaces");
    let all = common::sessions_of(&CursorAdapter, &c);
    assert_eq!(all.len(), 5);
    let cwd = |id: &str| session(&all, id).cwd.clone();
    assert_eq!(
        cwd("5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e").as_deref(),
        Some("/home/ana/api")
    );
    assert_eq!(
        session(&all, "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e").metadata["remote"],
        serde_json::json!("ssh-remote+build-box")
    );
    assert_eq!(
        cwd("6c7d8e9f-0a1b-4c2d-9e3f-4a5b6c7d8e9f").as_deref(),
        Some(r"C:\Users\ana\proj one")
    );
    // Multi-root workspace whose .code-workspace file is not on this machine: no cwd guessed.
    let m = session(&all, "7d8e9f0a-1b2c-4d3e-8f4a-5b6c7d8e9f0a");
    assert_eq!(m.cwd, None);
    assert_eq!(
        m.metadata["workspace_file"],
        serde_json::json!("/home/ana/work/monorepo.code-workspace")
    );
    // Legacy chat-panel tab (the empty tab is not a session) and a composer kept only in
    // the workspace database.
    let tab = session(&all, "2f4e6a8c-1111-4222-8333-944455566677");
    assert_eq!(tab.sources[0].format.as_deref(), Some("cursor/aichat"));
    assert_eq!(tab.cwd.as_deref(), Some("/home/ana/old-proj"));
    assert_eq!(kinds(tab), ["user_prompt", "assistant_text"]);
    let h = session(&all, "8e9f0a1b-2c3d-4e4f-9a5b-6c7d8e9f0a1b");
    assert_eq!(
        h.sources[0].format.as_deref(),
        Some("cursor/composer-workspace")
    );
    assert!(
        h.sources[0]
            .path
            .ends_with("d4e5f60718293a4b5c6d7e8f90a1b2c3/state.vscdb")
    );
    // Only the gunicorn answer has a token count: 3100 + 160.
    let total: u64 = all.iter().map(|s| s.summary.usage.total()).sum();
    assert_eq!(total, 3260);
    snapshot_all("workspaces", &all, &c);
}

/// The global database in WAL mode with a live writer: uncheckpointed rows are read, and a
/// concurrent write transaction does not block the reader.
#[test]
fn live_cursor_database() {
    let tmp = tempfile::tempdir().unwrap();
    let user = tmp.path().join("Cursor/User");
    std::fs::create_dir_all(user.join("globalStorage")).unwrap();
    let db = user.join("globalStorage/state.vscdb");
    let w = rusqlite::Connection::open(&db).unwrap();
    w.query_row("PRAGMA journal_mode=WAL", [], |_| Ok(()))
        .unwrap();
    w.execute_batch("PRAGMA wal_autocheckpoint=0;").unwrap();
    w.execute_batch(
        &std::fs::read_to_string(common::fixtures("cursor").join("schema.sql")).unwrap(),
    )
    .unwrap();
    w.execute_batch(
        r#"INSERT INTO cursorDiskKV VALUES ('composerData:live-1', '{"composerId":"live-1","createdAt":1761811200000,"fullConversationHeadersOnly":[{"bubbleId":"u","type":1}]}');
           INSERT INTO cursorDiskKV VALUES ('bubbleId:live-1:u', CAST('{"type":1,"text":"hello"}' AS BLOB));"#,
    )
    .unwrap();
    let d = CursorAdapter.discover(std::slice::from_ref(&user)).unwrap();
    assert_eq!(d.sources.len(), 1);
    assert!(
        d.sources[0]
            .related
            .iter()
            .any(|p| p.ends_with("state.vscdb-wal"))
    );
    let out = CursorAdapter
        .read(&d.sources[0], &ReadOptions::default())
        .unwrap();
    assert_eq!(out.sessions.len(), 1);
    assert_eq!(out.sessions[0].summary.counts.user_prompts, 1);
    let w2 = rusqlite::Connection::open(&db).unwrap();
    w2.execute_batch("BEGIN IMMEDIATE; INSERT INTO ItemTable VALUES ('k', 'v');")
        .unwrap();
    let out = CursorAdapter
        .read(
            &d.sources[0],
            &ReadOptions {
                retain_events: false,
            },
        )
        .unwrap();
    assert_eq!(out.sessions[0].summary.counts.user_prompts, 1);
    assert!(out.sessions[0].events.is_empty());
    w2.execute_batch("COMMIT").unwrap();
    drop(w);
}

#[test]
fn every_case_reads_twice_identically() {
    for c in common::cases("cursor") {
        let a = common::sessions_of(&CursorAdapter, &c);
        let b = common::sessions_of(&CursorAdapter, &c);
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
