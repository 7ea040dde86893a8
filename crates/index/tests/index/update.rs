//! Incremental updates from sources (with a fake reader: the adapters are tested in their
//! own crate) and from an archive's JSON files.

use crate::common::*;
use convx_adapters::{Source, SourceOutput};
use convx_core::redact::Redactor;
use convx_index::IndexReader;
use convx_index::search::SearchRequest;
use convx_index::update::archive::update_from_archive;
use convx_index::update::{UpdateOptions, UpdateReport, update_sources_with};
use convx_model::{Agent, Session};
use std::path::Path;

fn hits(dir: &Path, q: &str) -> Vec<String> {
    let r = IndexReader::open(dir).unwrap();
    r.search(&SearchRequest::new(q))
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.key)
        .collect()
}

/// A "log file" holding sessions as a JSON array; the fake adapter parses it.
fn log_file(path: &Path, sessions: &[Session]) -> Source {
    std::fs::write(path, serde_json::to_vec(sessions).unwrap()).unwrap();
    Source::file(Agent::Claude, path).unwrap()
}

fn read(src: &Source) -> Result<SourceOutput, String> {
    let bytes = std::fs::read(&src.path).map_err(|e| e.to_string())?;
    let mut sessions: Vec<Session> =
        serde_json::from_slice(&bytes).map_err(|e| format!("{}: {e}", src.display()))?;
    for s in &mut sessions {
        s.sources = vec![convx_model::SourceFile {
            path: src.display(),
            fingerprint: src.fingerprint,
            format: None,
        }];
        s.rebuild_summary();
    }
    Ok(SourceOutput {
        sessions,
        warnings: vec![],
    })
}

fn run(index_dir: &Path, sources: &[Source]) -> UpdateReport {
    let mut idx = open(index_dir);
    update_sources_with(
        &mut idx,
        sources,
        &read,
        &Redactor::default(),
        &UpdateOptions::default(),
        &mut |_| {},
        UpdateReport::default(),
    )
    .unwrap()
}

#[test]
fn unchanged_sources_are_skipped_and_changed_ones_re_read() {
    let logs = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let short = Sb::new(Agent::Claude, "k", "2026-05-01T10:00:00Z", "/w")
        .prompt("first part")
        .build();
    let full = Sb::new(Agent::Claude, "k", "2026-05-01T10:00:00Z", "/w")
        .prompt("first part")
        .say("second part")
        .build();
    let other = Sb::new(Agent::Claude, "o", "2026-05-02T10:00:00Z", "/w")
        .prompt("unrelated")
        .build();
    let a = log_file(&logs.path().join("a.json"), std::slice::from_ref(&short));
    let b = log_file(&logs.path().join("b.json"), &[full]);
    let c = log_file(&logs.path().join("c.json"), &[other]);
    let bad = logs.path().join("bad.json");
    std::fs::write(&bad, b"{ truncated").unwrap();
    let bad = Source::file(Agent::Claude, &bad).unwrap();

    let r1 = run(
        index.path(),
        &[a.clone(), b.clone(), c.clone(), bad.clone()],
    );
    assert_eq!(
        (r1.sources, r1.changed, r1.unchanged, r1.failed.len()),
        (4, 4, 0, 1)
    );
    assert_eq!(r1.sessions_written, 2);
    assert_eq!(hits(index.path(), "second"), ["claude:k"]);

    // nothing changed: nothing is read (the unreadable source is retried)
    let r2 = run(
        index.path(),
        &[a.clone(), b.clone(), c.clone(), bad.clone()],
    );
    assert_eq!(
        (
            r2.changed,
            r2.unchanged,
            r2.sessions_written,
            r2.failed.len()
        ),
        (1, 3, 0, 1)
    );
    let r3 = run(index.path(), &[a.clone(), b.clone(), c.clone()]);
    assert!(r3.is_noop(), "{r3:?}");

    // `a` changes: `b`, which also holds session k, is read with it, so k stays complete
    let mut short2 = short;
    short2.title = Some("renamed".into());
    let a2 = log_file(&logs.path().join("a.json"), &[short2]);
    let r4 = run(index.path(), &[a2.clone(), b.clone(), c.clone()]);
    assert_eq!((r4.changed, r4.unchanged), (1, 2));
    assert_eq!(
        r4.bytes_read,
        a2.fingerprint.size + b.fingerprint.size,
        "companion source read too"
    );
    assert_eq!(hits(index.path(), "second"), ["claude:k"]);
    let st = IndexReader::open(index.path()).unwrap().status().unwrap();
    assert_eq!((st.sessions, st.sources), (2, 3));
}

fn archive_file(dir: &Path, name: &str, s: &Session) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, serde_json::to_vec_pretty(s).unwrap()).unwrap();
    p
}

#[test]
fn an_archive_is_indexed_from_its_json_files() {
    let repo = tempfile::tempdir().unwrap();
    let index = tempfile::tempdir().unwrap();
    let host = repo.path().join("history/ana/codex/laptop/src/proj");
    let s1 = Sb::new(
        Agent::Codex,
        "x1",
        "2026-04-01T10:00:00Z",
        "/home/ana/src/proj",
    )
    .prompt("archive me please")
    .reply("ok", Some("gpt-5"), usage(100, 0, 0, 10, 0), "")
    .build();
    let s2 = Sb::new(
        Agent::Claude,
        "x2",
        "2026-04-02T10:00:00Z",
        "/home/ana/src/proj",
    )
    .prompt("second archived")
    .build();
    let f1 = archive_file(&host, ".2026-04-01-1000-archive-me-please.json", &s1);
    archive_file(
        &repo.path().join("history/ana/claude/desk/src/proj"),
        ".2026-04-02-1000-second-archived.json",
        &s2,
    );
    std::fs::write(
        host.join("2026-04-01-1000-archive-me-please.md"),
        "# markdown",
    )
    .unwrap();
    std::fs::write(host.join(".2026-04-03-1000-broken.json"), "{").unwrap();
    archive_file(
        &repo.path().join(".git/objects"),
        ".2026-04-04-1000-not-this.json",
        &s1,
    );

    let run = |full: bool| {
        let mut idx = open(index.path());
        let opts = UpdateOptions {
            full,
            ..UpdateOptions::default()
        };
        update_from_archive(
            &mut idx,
            repo.path(),
            &Redactor::default(),
            &opts,
            &mut |_| {},
        )
        .unwrap()
    };
    let r = run(false);
    assert_eq!(
        (r.sources, r.changed, r.sessions_written, r.failed.len()),
        (3, 3, 2, 1)
    );
    assert!(r.failed[0].contains("broken"), "{:?}", r.failed);
    assert_eq!(hits(index.path(), "archive"), ["codex:x1"]);
    assert_eq!(hits(index.path(), "archived"), ["claude:x2"]);
    let r = run(false);
    assert_eq!((r.changed, r.unchanged, r.sessions_written), (1, 2, 0));
    // a changed file is read again
    let mut s1b = s1.clone();
    s1b.push(convx_model::Event::new(
        convx_model::EventKind::UserPrompt {
            text: "one more thing".into(),
            attachments: vec![],
        },
    ));
    std::fs::write(&f1, serde_json::to_vec_pretty(&s1b).unwrap()).unwrap();
    let r = run(false);
    assert_eq!((r.changed, r.sessions_written), (2, 1));
    assert_eq!(hits(index.path(), "thing"), ["codex:x1"]);
    let r = run(true);
    assert_eq!(r.sessions_written, 2);
    // archived sessions keep their usage
    let st = IndexReader::open(index.path()).unwrap().status().unwrap();
    assert_eq!(st.counted_calls, 1);
}
