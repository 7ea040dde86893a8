//! Where files go and what they are called.

use crate::common::*;
use convx_core::archive::json;
use convx_model::{Agent, SessionKind};

#[test]
fn backup_layout_by_user_agent_host_and_cwd() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "a",
        &session(
            Agent::Claude,
            "aaaa-1111",
            "2026-03-04T05:06:07Z",
            Some("/home/ana/src/app"),
            "Fix the login bug",
        ),
    );
    src.put(
        "b",
        &session(
            Agent::Codex,
            "bbbb-2222",
            "2026-03-04T23:59:00Z",
            Some("/srv/build"),
            "Build it",
        ),
    );
    src.put(
        "c",
        &session(
            Agent::Gemini,
            "cccc-3333",
            "2026-03-05T00:00:00Z",
            None,
            "¿Qué tal? Ça va",
        ),
    );
    src.put(
        "d",
        &session(
            Agent::Claude,
            "dddd-4444",
            "2026-03-05T01:00:00Z",
            Some("/home/ana"),
            "   ",
        ),
    );
    let report = run(&repo, &backup_options("Ana", "Laptop"), &src.source());
    assert_eq!(report.new, 4, "{report:?}");
    assert_eq!(
        md_files(&repo.root, "history"),
        vec![
            "history/ana/claude/laptop/2026-03-05-0100-dddd4444.md",
            "history/ana/claude/laptop/src/app/2026-03-04-0506-fix-the-login-bug.md",
            "history/ana/codex/laptop/_root/srv/build/2026-03-04-2359-build-it.md",
            "history/ana/gemini/laptop/_unknown/2026-03-05-0000-que-tal-ca-va.md",
        ]
    );
    for md in md_files(&repo.root, "history") {
        let j = json_path_of(&md);
        assert!(repo.root.join(&j).exists(), "{j}");
    }
    assert!(repo.root.join("history/.convx/ana@laptop.sha256").exists());
}

fn json_path_of(md: &str) -> String {
    convx_core::archive::layout::json_path(md)
}

#[test]
fn json_round_trips_exactly() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    let mut s = session(
        Agent::Claude,
        "rt-1",
        "2026-01-01T10:00:00Z",
        Some("/home/ana/x"),
        "round trip ✓ \"quotes\" \\ back",
    );
    s.title = Some("A title".into());
    s.git.branch = Some("main".into());
    s.metadata
        .insert("zeta".into(), serde_json::json!({"b": 1, "a": [1, 2]}));
    s.metadata.insert("alpha".into(), serde_json::json!(0.1));
    src.put("rt", &s);
    run(&repo, &backup_options("ana", "h"), &src.source());
    let md = md_files(&repo.root, "history").pop().unwrap();
    let bytes = std::fs::read(repo.root.join(json_path_of(&md))).unwrap();
    let parsed = json::read_session(&bytes).unwrap();
    assert_eq!(parsed, s, "export → parse → equal");
    let mut again = Vec::new();
    json::write_session(&mut again, &parsed).unwrap();
    assert_eq!(again, bytes, "re-export gives the same bytes");
    let text = String::from_utf8(bytes).unwrap();
    assert!(
        text.starts_with(
            "{\n  \"schema_version\": 1,\n  \"key\": \"claude:rt-1\",\n  \"agent\": \"claude\""
        ),
        "{text}"
    );
    assert!(
        text.find("\"alpha\"").unwrap() < text.find("\"zeta\"").unwrap(),
        "maps in a stable order"
    );
}

#[test]
fn sub_agents_sit_next_to_their_parent_and_link_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    let mut parent = session(
        Agent::Claude,
        "parent-01",
        "2026-02-01T09:00:00Z",
        Some("/home/ana/app"),
        "Refactor the parser",
    );
    parent.push(convx_model::Event::new(convx_model::EventKind::ToolCall {
        call_id: "task-1".into(),
        name: "Task".into(),
        input: serde_json::json!({"description": "explore", "prompt": "Explore the parser module"}),
        subagent: Some("claude:agent-77".into()),
    }));
    let mut child = session(
        Agent::Claude,
        "agent-77",
        "2026-02-01T09:01:00Z",
        Some("/home/ana/elsewhere"),
        "Explore the parser module",
    );
    child.kind = SessionKind::Subagent;
    child.parent = Some(parent.key.clone());
    src.put("parent", &parent);
    src.put("child", &child);
    run(&repo, &backup_options("ana", "h"), &src.source());
    let files = md_files(&repo.root, "history");
    let p = "history/ana/claude/h/app/2026-02-01-0900-refactor-the-parser.md";
    let c = "history/ana/claude/h/app/2026-02-01-0900-refactor-the-parser--explore-the-parser-module.md";
    assert_eq!(files, vec![c.to_string(), p.to_string()]);
    let pm = std::fs::read_to_string(repo.root.join(p)).unwrap();
    let cm = std::fs::read_to_string(repo.root.join(c)).unwrap();
    let child_file = "2026-02-01-0900-refactor-the-parser--explore-the-parser-module.md";
    assert!(
        pm.contains(&format!(
            "children:\n  - key: \"claude:agent-77\"\n    file: \"{child_file}\""
        )),
        "{pm}"
    );
    assert!(
        pm.contains(&format!("]({child_file})")),
        "parent lists the child as a link"
    );
    assert!(pm.contains(&format!(
        "Sub-agent: [2026-02-01-0900-refactor-the-parser--explore-the-parser-module]({child_file})"
    )));
    assert!(cm.contains("parent:\n  key: \"claude:parent-01\"\n  file: \"2026-02-01-0900-refactor-the-parser.md\""), "{cm}");
    assert!(cm.contains(
        "Sub-agent of [2026-02-01-0900-refactor-the-parser](2026-02-01-0900-refactor-the-parser.md)"
    ));
}

#[test]
fn a_session_keeps_its_file_name_forever() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    let mut s = session(
        Agent::Codex,
        "keep-1",
        "2026-01-01T10:00:00Z",
        Some("/home/ana/p"),
        "Original prompt",
    );
    src.put("s", &s);
    run(&repo, &backup_options("ana", "h"), &src.source());
    let before = md_files(&repo.root, "history");
    assert_eq!(
        before,
        vec!["history/ana/codex/h/p/2026-01-01-1000-original-prompt.md"]
    );
    // The first prompt (and so the slug) changes, the cwd too: the name stays.
    if let convx_model::EventKind::UserPrompt { text, .. } = &mut s.events[0].kind {
        *text = "Completely different".into();
    }
    s.summary.first_prompt = Some("Completely different".into());
    s.cwd = Some("/home/ana/moved".into());
    grow(&mut s, "more", "2026-01-01T10:30:00Z");
    src.put("s", &s);
    let r = run(&repo, &backup_options("ana", "h"), &src.source());
    assert_eq!(r.updated, 1);
    assert_eq!(md_files(&repo.root, "history"), before);
    // Even when the per-host state is lost, the name is recovered from the archive.
    std::fs::remove_dir_all(repo.git_dir.join("convx/state")).unwrap();
    grow(&mut s, "even more", "2026-01-01T11:00:00Z");
    src.put("s", &s);
    let r = run(&repo, &backup_options("ana", "h"), &src.source());
    assert_eq!((r.new, r.updated), (0, 1), "{r:?}");
    assert_eq!(md_files(&repo.root, "history"), before);
}

#[test]
fn same_minute_and_slug_get_a_deterministic_short_id_suffix() {
    let names = || {
        let tmp = tempfile::tempdir().unwrap();
        let repo = init_repo(&tmp.path().join("archive"));
        let src = Sources::new(&tmp.path().join("logs"));
        src.put(
            "x",
            &session(
                Agent::Claude,
                "0199aaaa-0000-7000-8000-00000000abcd",
                "2026-01-01T10:00:05Z",
                Some("/home/ana/p"),
                "Run tests",
            ),
        );
        src.put(
            "y",
            &session(
                Agent::Claude,
                "0199aaaa-0000-7000-8000-00000000ef01",
                "2026-01-01T10:00:40Z",
                Some("/home/ana/p"),
                "run TESTS!",
            ),
        );
        run(&repo, &backup_options("ana", "h"), &src.source());
        md_files(&repo.root, "history")
    };
    let first = names();
    assert_eq!(
        first,
        vec![
            "history/ana/claude/h/p/2026-01-01-1000-run-tests-0000abcd.md",
            "history/ana/claude/h/p/2026-01-01-1000-run-tests-0000ef01.md",
        ]
    );
    assert_eq!(names(), first, "deterministic");
}

#[test]
fn a_new_session_does_not_take_an_existing_name() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "x",
        &session(
            Agent::Claude,
            "first-aaaa",
            "2026-01-01T10:00:05Z",
            Some("/home/ana/p"),
            "Same",
        ),
    );
    run(&repo, &backup_options("ana", "h"), &src.source());
    src.put(
        "y",
        &session(
            Agent::Claude,
            "second-bbbb",
            "2026-01-01T10:00:50Z",
            Some("/home/ana/p"),
            "Same",
        ),
    );
    run(&repo, &backup_options("ana", "h"), &src.source());
    assert_eq!(
        md_files(&repo.root, "history"),
        vec![
            "history/ana/claude/h/p/2026-01-01-1000-same-condbbbb.md",
            "history/ana/claude/h/p/2026-01-01-1000-same.md"
        ]
    );
}
