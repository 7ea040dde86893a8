//! Migrations, full-text rebuilds, crash repair, replacement of re-indexed sessions.

use crate::common::*;
use convx_index::search::SearchRequest;
use convx_index::writer::CrashPoint;
use convx_index::{Index, IndexError, IndexReader, Origin, Repair, SCHEMA_VERSION, paths, testing};
use convx_model::{Agent, Session};
use std::path::Path;

fn session(id: &str, text: &str) -> Session {
    Sb::new(Agent::Codex, id, "2026-04-01T10:00:00Z", "/w/proj")
        .prompt(text)
        .reply("ok", Some("gpt-5"), usage(10, 0, 0, 5, 0), "")
        .build()
}

fn hits(dir: &Path, q: &str) -> Vec<String> {
    let r = IndexReader::open(dir).unwrap();
    r.search(&SearchRequest {
        per_session: 0,
        ..SearchRequest::new(q)
    })
    .unwrap()
    .hits
    .into_iter()
    .map(|h| h.key)
    .collect()
}

fn schema(conn: &rusqlite::Connection) -> Vec<(String, String, Option<String>)> {
    let mut st = conn
        .prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn migrates_from_empty_and_from_every_earlier_version() {
    let fresh = tempfile::tempdir().unwrap();
    drop(open(fresh.path()));
    let fresh_conn = rusqlite::Connection::open(fresh.path().join(paths::DATABASE)).unwrap();
    let want = schema(&fresh_conn);
    let v: u32 = fresh_conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, SCHEMA_VERSION);
    for version in 0..SCHEMA_VERSION {
        let dir = tempfile::tempdir().unwrap();
        let conn = testing::create_database_at_version(dir.path(), version).unwrap();
        if version >= 1 {
            // a session indexed by a build at this version (no full-text index yet)
            conn.execute_batch(
                "INSERT INTO sessions (key, agent, native_id, kind, title, cwd, project, origin, indexed_at, started_at)
                   VALUES ('codex:old', 'codex', 'old', 'main', 'old one', '/w/old', 'old', 'sources', 0, 1767261600000);
                 INSERT INTO events (session_id, seq, ts, kind, role, text)
                   VALUES (1, 0, 1767261600000, 'user_prompt', 'user', 'remember the zeppelin');
                 INSERT INTO usage (session_id, seq, ts, agent, model, dedup_key, input, cache_creation, cache_read, output, reasoning, counted)
                   VALUES (1, 0, 1767261600000, 'codex', 'gpt-5', 'k-old', 1, 0, 0, 2, 0, 1);",
            )
            .unwrap();
        }
        drop(conn);
        assert!(
            matches!(
                IndexReader::open(dir.path()),
                Err(IndexError::NeedsUpgrade(_))
            ),
            "v{version}"
        );
        let mut idx = open(dir.path());
        idx.write_sessions(&[session("new", "a fresh session")], Origin::Sources, &[])
            .unwrap();
        drop(idx);
        let conn = rusqlite::Connection::open(dir.path().join(paths::DATABASE)).unwrap();
        assert_eq!(
            schema(&conn),
            want,
            "schema after migrating from v{version}"
        );
        assert_eq!(hits(dir.path(), "fresh"), ["codex:new"]);
        if version >= 1 {
            assert_eq!(
                hits(dir.path(), "zeppelin"),
                ["codex:old"],
                "v{version} data searchable after migration"
            );
        }
    }
}

#[test]
fn a_database_from_a_newer_convx_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let conn = rusqlite::Connection::open(dir.path().join(paths::DATABASE)).unwrap();
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    assert!(matches!(
        Index::open(dir.path(), config()),
        Err(IndexError::TooNew { .. })
    ));
    assert!(matches!(
        IndexReader::open(dir.path()),
        Err(IndexError::TooNew { .. })
    ));
}

#[test]
fn a_missing_index_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(
        IndexReader::open(&dir.path().join("nope")),
        Err(IndexError::Missing(_))
    ));
}

#[test]
fn a_deleted_fulltext_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[session("a", "alpha bravo"), session("b", "charlie")],
    );
    std::fs::remove_dir_all(dir.path().join(paths::FULLTEXT)).unwrap();
    let r = IndexReader::open(dir.path()).unwrap();
    assert!(r.fulltext_problem().is_some());
    assert!(r.search(&SearchRequest::new("alpha")).is_err());
    let idx = open(dir.path());
    assert_eq!(
        idx.repairs(),
        [Repair::Rebuilt {
            reason: "missing".into(),
            sessions: 2
        }]
    );
    drop(idx);
    assert_eq!(hits(dir.path(), "alpha"), ["codex:a"]);
    assert_eq!(hits(dir.path(), "charlie"), ["codex:b"]);
}

#[test]
fn a_corrupt_fulltext_index_is_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[session("a", "alpha bravo")]);
    let ft = dir.path().join(paths::FULLTEXT);
    // garbage meta.json
    std::fs::write(ft.join("meta.json"), b"{ not json").unwrap();
    let idx = open(dir.path());
    assert!(
        matches!(idx.repairs(), [Repair::Rebuilt { reason, sessions: 1 }] if reason.starts_with("damaged")),
        "{:?}",
        idx.repairs()
    );
    drop(idx);
    assert_eq!(hits(dir.path(), "alpha"), ["codex:a"]);
    // a truncated segment file
    let mut files: Vec<_> = std::fs::read_dir(&ft)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e == "idx" || e == "term" || e == "fast")
        })
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in &files {
        let len = std::fs::metadata(f).unwrap().len();
        std::fs::OpenOptions::new()
            .write(true)
            .open(f)
            .unwrap()
            .set_len(len / 2)
            .unwrap();
    }
    let idx = open(dir.path());
    assert!(
        matches!(idx.repairs(), [Repair::Rebuilt { reason, .. }] if reason.starts_with("damaged")),
        "{:?}",
        idx.repairs()
    );
    assert!(idx.check().unwrap().is_empty());
    drop(idx);
    assert_eq!(hits(dir.path(), "alpha"), ["codex:a"]);
}

#[test]
fn a_crash_between_the_two_commits_is_repaired() {
    for point in [
        CrashPoint::BeforeFulltextCommit,
        CrashPoint::AfterFulltextCommit,
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &[session("a", "alpha")]);
        let mut cfg = config();
        cfg.crash_at = Some(point);
        let mut idx = Index::open(dir.path(), cfg).unwrap();
        assert!(
            idx.write_sessions(
                &[session("b", "bravo"), session("a", "alpha again")],
                Origin::Sources,
                &[]
            )
            .is_err()
        );
        drop(idx);
        let r = IndexReader::open(dir.path()).unwrap();
        assert_eq!(r.pending().unwrap(), 2, "{point:?}");
        drop(r);
        let idx = open(dir.path());
        assert_eq!(
            idx.repairs(),
            [Repair::Resynced { sessions: 2 }],
            "{point:?}"
        );
        drop(idx);
        assert_eq!(hits(dir.path(), "bravo"), ["codex:b"]);
        assert_eq!(hits(dir.path(), "again"), ["codex:a"]);
        let status = IndexReader::open(dir.path()).unwrap().status().unwrap();
        assert_eq!((status.pending, status.sessions), (0, 2));
        assert_eq!(status.documents, 4, "{point:?}: no duplicate documents");
    }
}

#[test]
fn re_indexing_a_session_replaces_its_rows_and_documents() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        &[session("a", "original wording"), session("b", "other")],
    );
    write(dir.path(), &[session("a", "revised wording")]);
    assert!(hits(dir.path(), "original").is_empty());
    assert_eq!(hits(dir.path(), "revised"), ["codex:a"]);
    assert_eq!(hits(dir.path(), "wording"), ["codex:a"]);
    let st = IndexReader::open(dir.path()).unwrap().status().unwrap();
    assert_eq!(
        (
            st.sessions,
            st.events,
            st.documents,
            st.usage_rows,
            st.counted_calls
        ),
        (2, 4, 4, 2, 2)
    );
}

#[test]
fn a_second_writer_waits_or_fails() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path());
    let mut cfg = config();
    cfg.wait_for_lock = false;
    assert!(matches!(
        Index::open(dir.path(), cfg),
        Err(IndexError::Locked(_))
    ));
    // readers are not blocked by the writer
    assert!(IndexReader::open(dir.path()).is_ok());
    drop(first);
    let mut cfg = config();
    cfg.wait_for_lock = false;
    assert!(Index::open(dir.path(), cfg).is_ok());
}

#[test]
fn rows_of_every_table_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = Sb::new(Agent::Claude, "full", "2026-04-02T10:00:00Z", "/w/proj")
        .prompt("edit it")
        .tool("Edit", serde_json::json!({"file_path": "/w/proj/src/a.rs", "old_string": "a", "new_string": "b"}), "ok")
        .event(convx_model::Event::new(convx_model::EventKind::PlanUpdate {
            explanation: None,
            steps: vec![convx_model::PlanStep { text: "one".into(), status: convx_model::PlanStepStatus::Completed }],
        }))
        .build();
    s.warnings.push(convx_model::Warning::new(
        "/logs/full.jsonl",
        Some(3),
        convx_model::WarningKind::InvalidJson,
        "eof",
    ));
    write(dir.path(), &[s]);
    let conn = rusqlite::Connection::open(dir.path().join(paths::DATABASE)).unwrap();
    let count = |t: &str| {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
    };
    assert_eq!(
        [
            count("sessions"),
            count("events"),
            count("tool_calls"),
            count("plan_updates"),
            count("files_touched"),
            count("warnings")
        ],
        [1, 4, 1, 1, 1, 1]
    );
    let (path, action): (String, String) = conn
        .query_row("SELECT path, action FROM files_touched", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (path.as_str(), action.as_str()),
        ("/w/proj/src/a.rs", "edit")
    );
    let (name, result, err): (String, i64, bool) = conn
        .query_row(
            "SELECT name, result_seq, is_error FROM tool_calls",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap();
    assert_eq!((name.as_str(), result, err), ("Edit", 2, false));
}
