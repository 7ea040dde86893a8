//! `convx sync` and the pre-commit hook in a real project repository.

use crate::world::*;
use convx_model::{Agent, Event, EventKind};

#[test]
fn sync_and_the_pre_commit_hook() {
    let w = World::new();
    let proj = w.home.join("src/proj");
    init(&proj);
    std::fs::create_dir_all(proj.join("src")).unwrap();
    std::fs::write(proj.join("main.rs"), "fn main() {}\n").unwrap();
    git(&proj, &["add", "main.rs"]);
    git(&proj, &["commit", "-qm", "init"]);
    git(
        &proj,
        &["remote", "add", "origin", "git@github.com:ana/proj.git"],
    );
    let p = proj.to_string_lossy().into_owned();
    w.put(
        "in",
        &session(
            Agent::Claude,
            "in-1",
            0,
            &format!("{p}/src"),
            "Add a parser",
            1,
            100,
        ),
    );
    w.put(
        "out",
        &session(
            Agent::Claude,
            "out-1",
            5,
            &w.cwd("src/other"),
            "Unrelated work",
            1,
            100,
        ),
    );
    let mut private = session(Agent::Codex, "priv-1", 10, &p, "Rotate the keys", 1, 100);
    private.push(Event::new(EventKind::UserPrompt {
        text: "CONVX_NO_SYNC please".into(),
        attachments: vec![],
    }));
    w.put("private", &private);
    let input = w.input.to_str().unwrap().to_string();

    let out = w.run(&[
        "sync",
        "--repo",
        &format!("{p}/src"),
        "--from-json",
        &input,
        "--host",
        "h",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).starts_with("convx sync: 1 new, 0 updated, 0 unchanged, 0 withheld, 0 skipped records, 1 skipped (CONVX_NO_SYNC)"), "{}", text(&out.stdout));
    let listed: Vec<String> = files(&proj)
        .into_keys()
        .filter(|k| k.starts_with(".ai/"))
        .collect();
    assert_eq!(
        listed,
        vec![
            ".ai/history/.convx/ana@h.sha256",
            ".ai/history/ana/claude/.2026-02-01-0000-add-a-parser.json",
            ".ai/history/ana/claude/2026-02-01-0000-add-a-parser.md"
        ]
    );

    // An existing hook is kept and still runs.
    let hooks = proj.join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    std::fs::write(
        hooks.join("pre-commit"),
        "#!/bin/sh\ntouch \"$(git rev-parse --show-toplevel)/.hook-ran\"\n",
    )
    .unwrap();
    let perms = std::os::unix::fs::PermissionsExt::from_mode(0o755);
    std::fs::set_permissions(hooks.join("pre-commit"), perms).unwrap();
    let out = w.run(&[
        "hooks",
        "install",
        "--repo",
        &p,
        &format!("--arg=--from-json={input}"),
        "--arg=--host=h",
        "--arg=--user=ana",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("previous pre-commit hook was kept"),
        "{}",
        text(&out.stdout)
    );

    // A new session in the project, then a commit: the hook syncs and stages it.
    w.put(
        "later",
        &session(Agent::Claude, "later-1", 30, &p, "Fix the parser", 1, 100),
    );
    std::fs::write(proj.join("main.rs"), "fn main() { println!(); }\n").unwrap();
    git(&proj, &["add", "main.rs"]);
    git(&proj, &["commit", "-qm", "change"]);
    let committed = git(&proj, &["show", "--name-only", "--format=", "HEAD"]);
    assert!(
        committed.contains(".ai/history/ana/claude/2026-02-01-0030-fix-the-parser.md"),
        "{committed}"
    );
    assert!(
        committed.contains(".ai/history/ana/claude/2026-02-01-0000-add-a-parser.md"),
        "{committed}"
    );
    assert!(committed.contains("main.rs"));
    assert!(proj.join(".hook-ran").exists(), "the previous hook ran");

    let out = w.run(&["hooks", "uninstall", "--repo", &p]);
    assert!(out.status.success());
    assert!(
        std::fs::read_to_string(hooks.join("pre-commit"))
            .unwrap()
            .contains("touch")
    );
}

#[test]
fn sync_outside_a_repository_is_a_usage_error() {
    let w = World::new();
    let out = w.run(&["sync", "--repo", w.home.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a git repository"),
        "{}",
        text(&out.stderr)
    );
}
