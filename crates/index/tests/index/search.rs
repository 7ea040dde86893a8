//! Search over fixture sessions: ranking, filters, hostile input, CJK, snippets.

use crate::common::*;
use convx_index::search::{SearchRequest, SearchResults};
use convx_index::{Filter, IndexError, IndexReader, ProjectFilter, Role};
use convx_model::{Agent, Session};
use serde_json::json;
use std::path::Path;

fn corpus() -> Vec<Session> {
    vec![
        Sb::new(Agent::Codex, "s1", "2026-01-10T09:00:00Z", "/home/ana/src/convx")
            .prompt("fix the database migration that fails on startup")
            .reply(
                "The migration failed because the schema version was stale. I fixed the migration script.",
                Some("gpt-5"),
                usage(100, 0, 0, 10, 0),
                "",
            )
            .tool("Bash", json!({"command": "cargo test migration"}), "test migration::up ... ok")
            .build(),
        Sb::new(Agent::Claude, "s2", "2026-01-15T09:00:00Z", "/home/ana/src/convx/crates/index")
            .prompt("add a tokenizer for CJK text: 数据库迁移失败 should be searchable")
            .say("Added a bigram tokenizer; Straße and café work too.")
            .tool("Read", json!({"file_path": "/home/ana/src/convx/crates/index/src/lib.rs"}), "pub mod tokenizer;")
            .build(),
        Sb::new(Agent::Gemini, "s3", "2026-02-01T09:00:00Z", "/home/ana/work/webapp")
            .prompt("why is the login page slow?")
            .say(
                "The login page loads three megabytes of JavaScript on every visit, renders a large hero image, \
                 waits for two sequential API calls and only then shows the form; a migration to code splitting \
                 would help, together with caching the API responses and lazy loading the image.",
            )
            .build(),
        Sb::new(Agent::Claude, "s4", "2026-02-05T09:00:00Z", "/home/ana/src/other/convx")
            .prompt("rename foo-bar to baz_qux and find NEAR duplicates (if any)")
            .say("Renamed foo_bar everywhere.")
            .build(),
    ]
}

fn setup(dir: &Path) -> IndexReader {
    write(dir, &corpus());
    IndexReader::open(dir).unwrap()
}

fn req(text: &str) -> SearchRequest {
    SearchRequest::new(text)
}

fn keys(r: &SearchResults) -> Vec<&str> {
    r.hits.iter().map(|h| h.key.as_str()).collect()
}

#[test]
fn ranks_by_bm25_and_highlights() {
    let dir = tempfile::tempdir().unwrap();
    let r = setup(dir.path());
    let res = r.search(&req("migration")).unwrap();
    assert_eq!(keys(&res), ["codex:s1", "gemini:s3"]);
    assert!(res.hits[0].score > res.hits[1].score);
    let top = &res.hits[0];
    assert_eq!(top.agent, "codex");
    assert_eq!(top.project.as_deref(), Some("convx"));
    assert_eq!(
        top.title,
        "fix the database migration that fails on startup"
    );
    assert!(
        top.snippet.marked("[", "]").contains("[migration]"),
        "{:?}",
        top.snippet
    );
    // every hit of every session when per_session is 0
    let all = r
        .search(&SearchRequest {
            per_session: 0,
            ..req("migration")
        })
        .unwrap();
    assert!(all.hits.iter().filter(|h| h.key == "codex:s1").count() >= 3);
    // the event index points at the matching event
    let h = &r.search(&req("stale schema")).unwrap().hits[0];
    assert_eq!(
        (h.key.as_str(), h.event, h.role),
        ("codex:s1", 1, Role::Assistant)
    );
}

#[test]
fn all_words_must_match() {
    let dir = tempfile::tempdir().unwrap();
    let r = setup(dir.path());
    assert_eq!(
        keys(&r.search(&req("migration startup")).unwrap()),
        ["codex:s1"]
    );
    assert!(
        r.search(&req("migration nonexistentword"))
            .unwrap()
            .hits
            .is_empty()
    );
    assert_eq!(
        keys(&r.search(&req("\"login page\"")).unwrap()),
        ["gemini:s3"]
    );
    assert!(r.search(&req("\"page login\"")).unwrap().hits.is_empty());
    assert_eq!(
        keys(&r.search(&req("migr*")).unwrap()),
        ["codex:s1", "gemini:s3"]
    );
    assert_eq!(keys(&r.search(&req("tokeniz*")).unwrap()), ["claude:s2"]);
}

#[test]
fn filters() {
    let dir = tempfile::tempdir().unwrap();
    let r = setup(dir.path());
    let with = |f: Filter| {
        r.search(&SearchRequest {
            filter: f,
            per_session: 0,
            ..req("migration")
        })
        .unwrap()
    };
    assert_eq!(
        keys(&with(Filter {
            agents: vec![Agent::Gemini],
            ..Filter::default()
        })),
        ["gemini:s3"]
    );
    let by_path = with(Filter {
        project: Some(ProjectFilter::Path("/home/ana/work/".into())),
        ..Filter::default()
    });
    assert_eq!(keys(&by_path), ["gemini:s3"]);
    let since = with(Filter {
        since: Some(ts("2026-01-20T00:00:00Z")),
        ..Filter::default()
    });
    assert_eq!(keys(&since), ["gemini:s3"]);
    let until = with(Filter {
        until: Some(ts("2026-01-20T00:00:00Z")),
        ..Filter::default()
    });
    assert!(keys(&until).iter().all(|k| *k == "codex:s1"));
    let users = with(Filter {
        roles: vec![Role::User],
        ..Filter::default()
    });
    assert_eq!(users.hits.len(), 1);
    assert_eq!(users.hits[0].role, Role::User);
    let tool = with(Filter {
        tools: vec!["BASH".into()],
        ..Filter::default()
    });
    assert!(!tool.hits.is_empty());
    assert!(tool.hits.iter().all(|h| h.tool.as_deref() == Some("Bash")));
    assert!(tool.hits.iter().any(|h| h.role == Role::ToolResult));
    // a project name matches every directory of that name and what is below it
    let any = |f: Filter, q: &str| {
        r.search(&SearchRequest {
            filter: f,
            ..req(q)
        })
        .unwrap()
    };
    let name = Filter {
        project: Some(ProjectFilter::Name("convx".into())),
        ..Filter::default()
    };
    let mut got = keys(&any(name.clone(), ""))
        .into_iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    got.sort();
    assert_eq!(got, ["claude:s2", "claude:s4", "codex:s1"]);
    assert_eq!(keys(&any(name, "tokenizer")), ["claude:s2"]);
    let unknown = any(
        Filter {
            project: Some(ProjectFilter::Name("nope".into())),
            ..Filter::default()
        },
        "the",
    );
    assert!(unknown.hits.is_empty() && unknown.note.is_some());
    // filters alone list the newest matching events
    let only = any(
        Filter {
            agents: vec![Agent::Claude],
            ..Filter::default()
        },
        "",
    );
    assert_eq!(keys(&only), ["claude:s4", "claude:s2"]);
    assert!(only.note.is_some());
}

#[test]
fn hostile_input_never_fails() {
    let dir = tempfile::tempdir().unwrap();
    let r = setup(dir.path());
    let long = "a".repeat(10_000);
    let inputs = [
        "foo-bar",
        "\"",
        "\"\"",
        "*",
        "**",
        "(",
        ")",
        "((a",
        "NEAR",
        "NEAR(a b)",
        "a AND OR NOT b",
        "title:foo",
        "body:",
        "+-!^~",
        "'; DROP TABLE sessions; --",
        "\\",
        "[1 TO 2]",
        "{",
        "🔥",
        "café",
        "Straße",
        "数据库",
        "库",
        "迁移失败",
        "テスト",
        "\u{0}",
        "foo*bar",
        "*foo",
        "-v",
        "::",
        "a\"b",
        &long,
        "   ",
    ];
    for q in inputs {
        let res = r.search(&req(q));
        assert!(res.is_ok(), "{q:?}: {:?}", res.err());
    }
    assert_eq!(keys(&r.search(&req("foo-bar")).unwrap()), ["claude:s4"]);
    assert_eq!(keys(&r.search(&req("baz_qux")).unwrap()), ["claude:s4"]);
    assert_eq!(keys(&r.search(&req("NEAR")).unwrap()), ["claude:s4"]);
    assert_eq!(keys(&r.search(&req("(if")).unwrap()), ["claude:s4"]);
    assert_eq!(
        keys(&r.search(&req("STRASSE")).unwrap()),
        Vec::<&str>::new()
    );
    assert_eq!(keys(&r.search(&req("straße")).unwrap()), ["claude:s2"]);
    assert!(r.search(&req("\"")).unwrap().note.is_some());
}

#[test]
fn cjk_text_is_searchable() {
    let dir = tempfile::tempdir().unwrap();
    let r = setup(dir.path());
    for q in ["数据库", "迁移", "迁移失败", "库", "败", "数据库迁移失败"] {
        assert_eq!(keys(&r.search(&req(q)).unwrap()), ["claude:s2"], "{q}");
    }
    assert!(r.search(&req("失迁")).unwrap().hits.is_empty());
    let h = &r.search(&req("迁移")).unwrap().hits[0];
    assert!(
        h.snippet.marked("[", "]").contains("[迁移]"),
        "{:?}",
        h.snippet
    );
}

#[test]
fn raw_queries_use_the_engine_syntax() {
    let dir = tempfile::tempdir().unwrap();
    let r = setup(dir.path());
    let raw = |q: &str| {
        r.search(&SearchRequest {
            raw: true,
            ..req(q)
        })
    };
    assert_eq!(keys(&raw("login OR tokenizer").unwrap()).len(), 2);
    assert_eq!(keys(&raw("body:\"login page\"").unwrap()), ["gemini:s3"]);
    assert_eq!(keys(&raw("migration AND -login").unwrap()), ["codex:s1"]);
    assert_eq!(keys(&raw("agent:gemini migration").unwrap()), ["gemini:s3"]);
    assert!(matches!(raw("body:(").unwrap_err(), IndexError::Query(_)));
}

#[test]
fn hits_serialize_with_the_documented_fields() {
    let dir = tempfile::tempdir().unwrap();
    let r = setup(dir.path());
    let res = r.search(&req("login")).unwrap();
    let v = serde_json::to_value(&res.hits[0]).unwrap();
    for k in [
        "key",
        "agent",
        "event",
        "timestamp",
        "snippet",
        "score",
        "project",
        "title",
    ] {
        assert!(v.get(k).is_some(), "{k} missing in {v}");
    }
    assert_eq!(v["timestamp"], "2026-02-01T09:00:00Z");
}

#[test]
fn tool_outputs_can_be_left_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = config();
    cfg.fulltext.tool_outputs = false;
    let mut idx = convx_index::Index::open(dir.path(), cfg).unwrap();
    idx.write_sessions(&corpus(), convx_index::Origin::Sources, &[])
        .unwrap();
    drop(idx);
    let r = IndexReader::open(dir.path()).unwrap();
    assert!(r.search(&req("\"migration::up\"")).unwrap().hits.is_empty());
    // switching them back on rebuilds the full-text index from the database
    let idx = open(dir.path());
    assert!(matches!(
        idx.repairs(),
        [convx_index::Repair::Rebuilt { .. }]
    ));
    drop(idx);
    let r = IndexReader::open(dir.path()).unwrap();
    assert_eq!(
        keys(&r.search(&req("\"migration::up\"")).unwrap()),
        ["codex:s1"]
    );
}
