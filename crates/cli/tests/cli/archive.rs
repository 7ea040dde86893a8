//! `convx backup` and `convx verify`.

use crate::world::*;
use convx_model::Agent;

fn three(w: &World) {
    w.put(
        "a",
        &session(
            Agent::Claude,
            "aaaa-1",
            0,
            &w.cwd("src/app"),
            "Fix the login bug",
            2,
            200,
        ),
    );
    w.put(
        "b",
        &session(
            Agent::Codex,
            "bbbb-2",
            60,
            "/srv/build",
            "Build the release",
            1,
            200,
        ),
    );
    w.put(
        "c",
        &session(
            Agent::Claude,
            "cccc-3",
            120,
            &w.cwd("src/app"),
            "Write docs",
            1,
            200,
        ),
    );
}

#[test]
fn backup_without_output_creates_the_default_archive() {
    let w = World::new();
    three(&w);
    let input = w.input.to_str().unwrap();
    let out = w.run(&["backup", "--from-json", input, "--host", "laptop"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let archive = w.home.join(".local/share/convx/archive");
    assert!(
        text(&out.stderr).contains(&format!("created a new archive at {}", archive.display())),
        "{}",
        text(&out.stderr)
    );
    assert!(archive.join(".git").is_dir());
    assert!(
        archive
            .join("history/ana/claude/laptop/src/app/2026-02-01-0000-fix-the-login-bug.md")
            .is_file()
    );
    assert!(
        archive
            .join(
                "history/ana/codex/laptop/_root/srv/build/.2026-02-01-0100-build-the-release.json"
            )
            .is_file()
    );
    let summary = text(&out.stdout);
    assert!(summary.starts_with("convx backup: 3 new, 0 updated, 0 unchanged, 0 withheld, 0 skipped records · 3 of 3 sources read"), "{summary}");
    assert!(
        summary
            .trim_end()
            .ends_with("→ ~/.local/share/convx/archive"),
        "{summary}"
    );

    let again = w.run(&["backup", "--from-json", input, "--host", "laptop"]);
    assert!(again.status.success());
    // Nothing changed and no terminal (cron, hooks): silent.
    assert_eq!(
        text(&again.stdout),
        "",
        "a no-op run prints nothing off a terminal"
    );
    assert_eq!(text(&again.stderr), "", "no message the second time");
    assert!(
        w.run(&[
            "backup",
            "--from-json",
            input,
            "--host",
            "laptop",
            "--quiet"
        ])
        .stdout
        .is_empty(),
        "--quiet is silent"
    );

    let v = w.run(&["verify"]);
    assert!(v.status.success(), "{}{}", text(&v.stdout), text(&v.stderr));
    assert!(
        text(&v.stdout).starts_with("verified 3 sessions, 6 files in 1 manifest(s)"),
        "{}",
        text(&v.stdout)
    );
}

#[test]
fn output_must_be_a_repository_unless_init() {
    let w = World::new();
    three(&w);
    let dir = w.path("not-a-repo");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "x").unwrap();
    let out = w.run(&[
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("is not a git repository") && err.contains("--init"),
        "{err}"
    );
    let out = w.run(&[
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        dir.to_str().unwrap(),
        "--init",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.join(".git").is_dir() && dir.join("history").is_dir());
}

#[test]
fn commit_takes_only_convx_paths_with_a_summary_message() {
    let w = World::new();
    three(&w);
    let repo = w.path("archive");
    init(&repo);
    std::fs::write(repo.join("mine.txt"), "staged by me\n").unwrap();
    git(&repo, &["add", "mine.txt"]);
    let out = w.run(&[
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        repo.to_str().unwrap(),
        "--host",
        "h",
        "--commit",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("· committed "),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        git(&repo, &["log", "--format=%s"]),
        "convx backup: 3 new, 0 updated sessions (ana@h)"
    );
    let committed = git(&repo, &["show", "--name-only", "--format=", "HEAD"]);
    assert_eq!(committed.lines().count(), 7, "{committed}");
    assert!(committed.lines().all(|l| l.starts_with("history/")));
    assert_eq!(git(&repo, &["status", "--porcelain"]), "A  mine.txt");
    // Nothing new: no empty commit.
    let out = w.run(&[
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        repo.to_str().unwrap(),
        "--host",
        "h",
        "--commit",
    ]);
    assert!(out.status.success());
    assert_eq!(git(&repo, &["rev-list", "--count", "HEAD"]), "1");
}

#[test]
fn commit_without_a_git_identity_is_a_clear_error() {
    let w = World::new();
    three(&w);
    let repo = w.path("archive");
    init(&repo);
    let out = w
        .cmd()
        .env_remove("GIT_AUTHOR_NAME")
        .env_remove("GIT_AUTHOR_EMAIL")
        .env_remove("GIT_COMMITTER_NAME")
        .env_remove("GIT_COMMITTER_EMAIL")
        .env("GIT_CONFIG_COUNT", "1")
        .env("GIT_CONFIG_KEY_0", "user.useConfigOnly")
        .env("GIT_CONFIG_VALUE_0", "true")
        .args([
            "backup",
            "--from-json",
            w.input.to_str().unwrap(),
            "--output",
            repo.to_str().unwrap(),
            "--commit",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("git has no identity") && err.contains("git config --global user.email"),
        "{err}"
    );
    assert!(
        !repo.join("history").exists(),
        "nothing written before failing"
    );
}

#[test]
fn a_locked_archive_waits_or_exits_with_code_4() {
    let w = World::new();
    three(&w);
    let repo = w.path("archive");
    init(&repo);
    let r = convx_core::archive::git::Repo::open(&repo).unwrap();
    let held = convx_core::archive::lock::Lock::acquire(&r.git_dir, false, &|_| {}).unwrap();
    let args = [
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        repo.to_str().unwrap(),
    ];
    let out = w.cmd().args(args).arg("--no-wait").output().unwrap();
    assert_eq!(out.status.code(), Some(4));
    assert!(
        text(&out.stderr).contains("another convx run is using"),
        "{}",
        text(&out.stderr)
    );
    assert!(!repo.join("history").exists());

    let mut child = w
        .cmd()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        while let Ok(n) = std::io::Read::read(&mut stderr, &mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        text(&seen)
    });
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "it waits while the lock is held"
    );
    assert!(!repo.join("history").exists());
    drop(held);
    let status = child.wait().unwrap();
    assert!(status.success());
    let err = reader.join().unwrap();
    assert!(err.contains("waiting for another convx run"), "{err}");
    assert!(repo.join("history").is_dir());
}

#[test]
fn json_summary_and_dry_run() {
    let w = World::new();
    three(&w);
    let repo = w.path("archive");
    init(&repo);
    let base = [
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        repo.to_str().unwrap(),
        "--host",
        "h",
    ];
    let dry = w.cmd().args(base).arg("--dry-run").output().unwrap();
    assert!(dry.status.success());
    let plan = text(&dry.stdout);
    assert!(
        plan.contains(
            "would create history/ana/claude/h/src/app/2026-02-01-0000-fix-the-login-bug.md"
        ),
        "{plan}"
    );
    assert!(plan.contains("convx backup (dry run): 3 new"), "{plan}");
    assert!(!repo.join("history").exists());
    let out = w.cmd().args(base).arg("--json").output().unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["command"], "backup");
    assert_eq!(v["report"]["new"], 3);
    assert_eq!(v["report"]["withheld"].as_array().unwrap().len(), 0);
    assert_eq!(v["report"]["files"][0]["outcome"], "created");
    assert_eq!(v["host"], "h");
    assert!(v["report"]["duration_ms"].is_u64());
}

#[test]
fn verify_fails_on_a_tampered_archive() {
    let w = World::new();
    three(&w);
    let repo = w.path("archive");
    init(&repo);
    let out = w.run(&[
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        repo.to_str().unwrap(),
        "--host",
        "h",
    ]);
    assert!(out.status.success());
    let ok = w.run(&["verify", repo.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    let md = repo.join("history/ana/claude/h/src/app/2026-02-01-0000-fix-the-login-bug.md");
    let t = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, t.replace("Fix the login bug", "Fix the logout bug")).unwrap();
    let bad = w.run(&["verify", repo.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(1));
    let report = text(&bad.stdout);
    assert!(
        report.contains("2026-02-01-0000-fix-the-login-bug.md: does not match its JSON"),
        "{report}"
    );
    assert!(report.contains("2 problem(s)"), "{report}");
    let json = w.run(&["verify", repo.to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 2);
    assert_eq!(
        w.run(&["verify", w.path("nowhere").to_str().unwrap()])
            .status
            .code(),
        Some(5)
    );
}

#[test]
fn help_texts() {
    let w = World::new();
    for cmd in ["backup", "sync", "verify"] {
        let out = w.run(&[cmd, "--help"]);
        assert!(out.status.success());
        insta::assert_snapshot!(format!("help_{cmd}"), text(&out.stdout));
    }
}

#[test]
fn push_sends_the_commit_to_the_remote() {
    let w = World::new();
    three(&w);
    let origin = w.path("origin.git");
    git(
        w.tmp.path(),
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.to_str().unwrap(),
        ],
    );
    let repo = w.path("archive");
    git(
        w.tmp.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            repo.to_str().unwrap(),
        ],
    );
    let out = w.run(&[
        "backup",
        "--from-json",
        w.input.to_str().unwrap(),
        "--output",
        repo.to_str().unwrap(),
        "--host",
        "h",
        "--push",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        git(&origin, &["log", "--format=%s", "main"]),
        "convx backup: 3 new, 0 updated sessions (ana@h)"
    );
}
