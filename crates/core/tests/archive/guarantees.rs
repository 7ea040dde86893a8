//! Idempotence, incremental reads, privacy gate, never deleting, markers, memory budget.

use crate::common::*;
use convx_core::archive::NoProgress;
use convx_model::{Agent, CallUsage, Event, EventKind, SessionKind, Usage};

#[test]
fn a_second_run_reads_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    for i in 0..5 {
        src.put(
            &format!("s{i}"),
            &session(
                Agent::Claude,
                &format!("id-{i}"),
                "2026-01-01T10:00:00Z",
                Some("/home/ana/p"),
                &format!("task {i}"),
            ),
        );
    }
    let first = run(&repo, &backup_options("ana", "h"), &src.source());
    assert_eq!(first.new, 5);
    git(&repo.root, &["add", "-A"]);
    git(&repo.root, &["commit", "-qm", "first"]);
    let before = snapshot(&repo.root, "history");
    let state_file = std::fs::read_dir(repo.git_dir.join("convx/state"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let state_mtime = std::fs::metadata(&state_file).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));

    let counting = src.source();
    let second = run(&repo, &backup_options("ana", "h"), &counting);
    assert_eq!(counting.reads(), 0, "unchanged sources are not read");
    assert_eq!((second.new, second.updated, second.sources_read), (0, 0, 0));
    assert_eq!(
        snapshot(&repo.root, "history"),
        before,
        "same bytes and mtimes"
    );
    assert_eq!(
        std::fs::metadata(&state_file).unwrap().modified().unwrap(),
        state_mtime
    );
    assert_eq!(git(&repo.root, &["status", "--porcelain"]), "");
}

#[test]
fn a_grown_source_re_renders_only_its_session() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    let mut sessions: Vec<_> = (0..4)
        .map(|i| {
            session(
                Agent::Codex,
                &format!("g-{i}"),
                "2026-01-01T10:00:00Z",
                Some("/home/ana/p"),
                &format!("job {i}"),
            )
        })
        .collect();
    for (i, s) in sessions.iter().enumerate() {
        src.put(&format!("s{i}"), s);
    }
    run(&repo, &backup_options("ana", "h"), &src.source());
    let before = snapshot(&repo.root, "history");
    std::thread::sleep(std::time::Duration::from_millis(20));
    grow(
        &mut sessions[2],
        "and one more thing",
        "2026-01-01T11:00:00Z",
    );
    src.put("s2", &sessions[2]);
    let counting = src.source();
    let r = run(&repo, &backup_options("ana", "h"), &counting);
    assert_eq!(counting.reads(), 1);
    assert_eq!((r.new, r.updated, r.unchanged), (0, 1, 3), "{r:?}");
    let after = snapshot(&repo.root, "history");
    let changed: Vec<&String> = after
        .keys()
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert_eq!(
        changed.len(),
        3,
        "the session's .md, its .json and the manifest: {changed:?}"
    );
    assert!(changed.iter().any(|k| k.ends_with("ana@h.sha256")));
    assert!(
        changed
            .iter()
            .all(|k| k.contains("job-2") || k.ends_with(".sha256"))
    );
}

#[test]
fn a_residue_finding_withholds_the_session_and_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "ok",
        &session(
            Agent::Claude,
            "ok-1",
            "2026-01-01T10:00:00Z",
            Some("/home/ana/p"),
            "fine",
        ),
    );
    let mut bad = session(
        Agent::Claude,
        "bad-1",
        "2026-01-01T11:00:00Z",
        Some("/home/ana/p"),
        "oops",
    );
    bad.push(Event::new(EventKind::ToolResult {
        call_id: "x".into(),
        output: format!("token={LEAK}"),
        is_error: false,
    }));
    src.put("bad", &bad);
    let r = run(&repo, &backup_options("ana", "h"), &src.source());
    assert_eq!(r.new, 1);
    assert_eq!(r.withheld.len(), 1);
    let w = &r.withheld[0];
    assert_eq!(w.key, "claude:bad-1");
    assert!(
        w.reasons
            .iter()
            .any(|x| x.contains("test-leak") && x.contains(".md line")),
        "{:?}",
        w.reasons
    );
    assert!(
        w.reasons.iter().any(|x| x.contains(".json line")),
        "{:?}",
        w.reasons
    );
    assert!(r.has_problems());
    let files = snapshot(&repo.root, "history");
    assert!(
        files.keys().all(|k| !k.contains("oops")),
        "nothing of it is written: {:?}",
        files.keys()
    );
    assert!(
        files
            .values()
            .all(|(b, _)| !String::from_utf8_lossy(b).contains(LEAK))
    );
    // It is tried again on the next run (its source is not remembered as done).
    let counting = src.source();
    let again = run(&repo, &backup_options("ana", "h"), &counting);
    assert_eq!(counting.reads(), 1);
    assert_eq!(again.withheld.len(), 1);
}

#[test]
fn every_session_is_redacted_before_rendering() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "s",
        &session(
            Agent::Claude,
            "r-1",
            "2026-01-01T10:00:00Z",
            Some("/home/ana/p"),
            &format!("use {REDACT_ME} please"),
        ),
    );
    run(&repo, &backup_options("ana", "h"), &src.source());
    let files = snapshot(&repo.root, "history");
    assert!(
        files.keys().any(|k| k.contains("use-redacted-test-please")),
        "slug from the redacted prompt: {:?}",
        files.keys()
    );
    for (k, (bytes, _)) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(REDACT_ME), "{k}");
        if !k.ends_with(".sha256") {
            assert!(text.contains("[REDACTED:test]"), "{k}");
        }
    }
}

#[test]
fn vanished_sources_are_kept_unless_pruning_is_asked_for() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "a",
        &session(
            Agent::Claude,
            "a",
            "2026-01-01T10:00:00Z",
            Some("/home/ana/p"),
            "keep me",
        ),
    );
    let gone = src.put(
        "b",
        &session(
            Agent::Claude,
            "b",
            "2026-01-01T11:00:00Z",
            Some("/home/ana/p"),
            "delete me",
        ),
    );
    run(&repo, &backup_options("ana", "h"), &src.source());
    std::fs::remove_file(gone).unwrap();
    let before = snapshot(&repo.root, "history");
    let r = run(&repo, &backup_options("ana", "h"), &src.source());
    assert!(r.pruned.is_empty());
    assert_eq!(snapshot(&repo.root, "history"), before, "never deletes");
    let mut opts = backup_options("ana", "h");
    opts.prune_missing = true;
    let r = run(&repo, &opts, &src.source());
    assert_eq!(r.pruned.len(), 2, "{r:?}");
    assert_eq!(
        md_files(&repo.root, "history"),
        vec!["history/ana/claude/h/p/2026-01-01-1000-keep-me.md"]
    );
    let manifest = std::fs::read_to_string(repo.root.join("history/.convx/ana@h.sha256")).unwrap();
    assert!(!manifest.contains("delete-me"));
}

#[test]
fn a_no_sync_marker_in_a_user_prompt_skips_the_session_and_its_sub_agents() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    let mut private = session(
        Agent::Claude,
        "p",
        "2026-01-01T10:00:00Z",
        Some("/home/ana/p"),
        "hi",
    );
    private.push(Event::new(EventKind::UserPrompt {
        text: "this is private CONVX_NO_SYNC".into(),
        attachments: vec![],
    }));
    let mut child = session(
        Agent::Claude,
        "p-child",
        "2026-01-01T10:05:00Z",
        Some("/home/ana/p"),
        "sub task",
    );
    child.kind = SessionKind::Subagent;
    child.parent = Some("claude:p".into());
    let mut tool_only = session(
        Agent::Claude,
        "t",
        "2026-01-01T11:00:00Z",
        Some("/home/ana/p"),
        "grep the docs",
    );
    tool_only.push(Event::new(EventKind::ToolResult {
        call_id: "z".into(),
        output: "docs mention CONVX_NO_SYNC".into(),
        is_error: false,
    }));
    src.put("p", &private);
    src.put("c", &child);
    src.put("t", &tool_only);
    let r = run(&repo, &backup_options("ana", "h"), &src.source());
    assert_eq!(r.skipped_no_sync, 2);
    assert_eq!(
        md_files(&repo.root, "history"),
        vec!["history/ana/claude/h/p/2026-01-01-1100-grep-the-docs.md"]
    );
}

#[test]
fn re_reading_under_a_small_memory_budget_gives_the_same_archive() {
    let build = |budget: u64| {
        let tmp = tempfile::tempdir().unwrap();
        let repo = init_repo(&tmp.path().join("archive"));
        let src = Sources::new(&tmp.path().join("logs"));
        let parent = session(
            Agent::Claude,
            "par",
            "2026-01-01T10:00:00Z",
            Some("/home/ana/p"),
            "parent",
        );
        let mut fork = session(
            Agent::Claude,
            "fork",
            "2026-01-01T12:00:00Z",
            Some("/home/ana/p"),
            "fork",
        );
        fork.kind = SessionKind::Fork;
        fork.parent = Some(parent.key.clone());
        // The fork repeats the parent's model call: counted once, in the parent.
        let mut copied = Event::new(EventKind::AssistantText {
            text: "copied".into(),
        })
        .at(Some(ts("2026-01-01T12:00:01Z")));
        copied.usage = Some(CallUsage::new(
            Some("model-x".into()),
            Usage {
                output: 20,
                ..Usage::default()
            },
            "par-call-1",
        ));
        fork.push(copied);
        src.put("par", &parent);
        src.put("fork", &fork);
        let mut opts = backup_options("ana", "h");
        opts.memory_budget = budget;
        let counting = src.source();
        let r = convx_core::archive::run(&repo, &opts, &counting, &TestGuard, &NoProgress).unwrap();
        assert_eq!(r.new, 2);
        let files: Vec<(String, Vec<u8>)> = snapshot(&repo.root, "history")
            .into_iter()
            .map(|(k, (b, _))| (k, b))
            .collect();
        (files, counting.reads())
    };
    let (in_memory, reads_a) = build(u64::MAX);
    let (re_read, reads_b) = build(0);
    assert_eq!(reads_a, 2);
    assert_eq!(
        reads_b, 3,
        "the one source over the budget is kept; the other is read twice"
    );
    assert_eq!(in_memory, re_read);
    let fork_json = in_memory
        .iter()
        .find(|(k, _)| k.contains(".2026-01-01-1000-parent--fork.json"))
        .expect("fork next to parent");
    let fork = convx_core::archive::json::read_session(&fork_json.1).unwrap();
    assert_eq!(
        fork.summary.usage.output, 20,
        "only its own call is counted"
    );
}

#[test]
fn an_incremental_run_equals_a_full_one() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    let parent = session(
        Agent::Claude,
        "par",
        "2026-01-01T10:00:00Z",
        Some("/home/ana/p"),
        "parent",
    );
    src.put("par", &parent);
    src.put(
        "other",
        &session(
            Agent::Claude,
            "other",
            "2026-01-01T09:00:00Z",
            Some("/home/ana/q"),
            "unrelated",
        ),
    );
    run(&repo, &backup_options("ana", "h"), &src.source());
    // A sub-agent appears later, repeating one of the parent's calls.
    let mut child = session(
        Agent::Claude,
        "kid",
        "2026-01-01T10:10:00Z",
        Some("/home/ana/p"),
        "child work",
    );
    child.kind = SessionKind::Subagent;
    child.parent = Some(parent.key.clone());
    let mut copied = Event::new(EventKind::AssistantText {
        text: "copied".into(),
    })
    .at(Some(ts("2026-01-01T10:10:01Z")));
    copied.usage = Some(CallUsage::new(
        Some("model-x".into()),
        Usage {
            output: 20,
            ..Usage::default()
        },
        "par-call-1",
    ));
    child.push(copied);
    src.put("kid", &child);
    let counting = src.source();
    let r = run(&repo, &backup_options("ana", "h"), &counting);
    assert_eq!(
        counting.reads(),
        2,
        "the new source and its parent's, not the unrelated one"
    );
    assert_eq!(
        (r.new, r.updated),
        (1, 1),
        "the child is new, the parent gains its link"
    );
    let after = snapshot(&repo.root, "history");
    let mut full = backup_options("ana", "h");
    full.rescan = true;
    let r = run(&repo, &full, &src.source());
    assert_eq!(
        (r.new, r.updated, r.unchanged),
        (0, 0, 3),
        "a full re-read changes nothing"
    );
    assert_eq!(snapshot(&repo.root, "history"), after);
}

#[test]
fn a_dry_run_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "a",
        &session(
            Agent::Claude,
            "a",
            "2026-01-01T10:00:00Z",
            Some("/home/ana/p"),
            "plan only",
        ),
    );
    let mut opts = backup_options("ana", "h");
    opts.dry_run = true;
    let r = run(&repo, &opts, &src.source());
    assert_eq!(r.new, 1);
    assert_eq!(
        r.files[0].path,
        "history/ana/claude/h/p/2026-01-01-1000-plan-only.md"
    );
    assert!(snapshot(&repo.root, "history").is_empty());
    assert!(
        !repo.git_dir.join("convx/state").exists()
            || std::fs::read_dir(repo.git_dir.join("convx/state"))
                .unwrap()
                .count()
                == 0
    );
}

#[test]
fn a_deleted_archive_file_is_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "a",
        &session(
            Agent::Claude,
            "a",
            "2026-01-01T10:00:00Z",
            Some("/home/ana/p"),
            "restore me",
        ),
    );
    run(&repo, &backup_options("ana", "h"), &src.source());
    let before = snapshot(&repo.root, "history");
    let md = md_files(&repo.root, "history").pop().unwrap();
    std::fs::remove_file(repo.root.join(&md)).unwrap();
    let r = run(&repo, &backup_options("ana", "h"), &src.source());
    assert_eq!(r.new, 1);
    let after = snapshot(&repo.root, "history");
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>()
    );
    assert_eq!(after[&md].0, before[&md].0);
}
