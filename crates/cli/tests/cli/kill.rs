//! A real `convx backup` killed with SIGKILL at several points leaves no partial file, and
//! the next run completes the archive exactly as an uninterrupted run would.

use crate::world::*;
use convx_core::archive::json::read_session;
use convx_core::archive::layout::json_path;
use convx_core::archive::markdown::{RenderContext, front, render};
use convx_model::Agent;
use std::path::Path;
use std::time::{Duration, Instant};

enum Kill {
    AfterMs(u64),
    AfterFiles(usize),
}

fn history_files(repo: &Path) -> usize {
    files(repo)
        .keys()
        .filter(|k| k.starts_with("history/") && (k.ends_with(".md") || k.ends_with(".json")))
        .count()
}

/// Every file in the work tree is whole: no temp file, every JSON parses, every Markdown
/// is exactly its JSON's rendering.
fn assert_consistent(repo: &Path, when: &str) {
    let all = files(repo);
    for (path, bytes) in &all {
        let name = path.rsplit('/').next().unwrap();
        assert!(
            !name.contains(".convx-") && !name.ends_with(".tmp"),
            "{when}: temp file in the work tree: {path}"
        );
        if name.starts_with('.') && name.ends_with(".json") {
            read_session(bytes).unwrap_or_else(|e| panic!("{when}: partial JSON {path}: {e}"));
        }
        if name.ends_with(".md") {
            let json = all
                .get(&json_path(path))
                .unwrap_or_else(|| panic!("{when}: Markdown without JSON {path}"));
            let session = read_session(json).unwrap();
            let md = String::from_utf8(bytes.clone()).unwrap();
            let rec = front::read(&md).unwrap_or_else(|| panic!("{when}: partial Markdown {path}"));
            let ctx = RenderContext {
                options: rec.options,
                cwd: rec.cwd,
                parent: rec.parent,
                children: rec.children,
                stem: name.trim_end_matches(".md").to_string(),
            };
            assert!(
                render(&session, &ctx) == md,
                "{when}: partial or stale Markdown {path}"
            );
        }
    }
}

#[test]
fn a_killed_backup_leaves_no_partial_file_and_the_next_run_completes() {
    let w = World::new();
    for i in 0..120u32 {
        let s = session(
            Agent::Claude,
            &format!("kill-{i:03}"),
            i * 7,
            &w.cwd("proj"),
            &format!("task number {i}"),
            4,
            60_000,
        );
        w.put(&format!("s{i:03}"), &s);
    }
    let input = w.input.to_str().unwrap().to_string();
    let reference = w.path("reference");
    init(&reference);
    let out = w.run(&[
        "backup",
        "--from-json",
        &input,
        "--output",
        reference.to_str().unwrap(),
        "--host",
        "h",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let expected = files(&reference);
    assert_eq!(expected.keys().filter(|k| k.ends_with(".md")).count(), 120);

    let repo = w.path("archive");
    init(&repo);
    let points = [
        Kill::AfterMs(30),
        Kill::AfterFiles(2),
        Kill::AfterMs(300),
        Kill::AfterFiles(40),
        Kill::AfterFiles(120),
        Kill::AfterFiles(200),
    ];
    let mut killed = 0;
    for (n, point) in points.iter().enumerate() {
        let mut child = w
            .cmd()
            .args([
                "backup",
                "--from-json",
                &input,
                "--output",
                repo.to_str().unwrap(),
                "--host",
                "h",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(120);
        match point {
            Kill::AfterMs(ms) => std::thread::sleep(Duration::from_millis(*ms)),
            Kill::AfterFiles(k) => {
                while history_files(&repo) < *k
                    && child.try_wait().unwrap().is_none()
                    && Instant::now() < deadline
                {
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap(); // SIGKILL
            killed += 1;
        }
        child.wait().unwrap();
        assert_consistent(&repo, &format!("after kill {n}"));
    }
    assert!(
        killed >= 3,
        "at least a few runs were really killed mid-way ({killed})"
    );
    let out = w.run(&[
        "backup",
        "--from-json",
        &input,
        "--output",
        repo.to_str().unwrap(),
        "--host",
        "h",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_consistent(&repo, "after the final run");
    assert_eq!(
        files(&repo),
        expected,
        "the archive is complete and identical to an uninterrupted run"
    );
    let v = w.run(&["verify", repo.to_str().unwrap()]);
    assert!(v.status.success(), "{}", text(&v.stdout));
    let again = w.run(&[
        "backup",
        "--from-json",
        &input,
        "--output",
        repo.to_str().unwrap(),
        "--host",
        "h",
    ]);
    assert!(
        again.status.success() && text(&again.stdout).is_empty(),
        "the run after completion has nothing to do: {}",
        text(&again.stdout)
    );
}
