//! Git behaviour: committing only convx's paths, merging clones, sync selection, verify,
//! hooks.

use crate::common::*;
use convx_core::archive::git::Repo;
use convx_core::archive::hooks::{self, HookOutcome};
use convx_core::archive::verify::verify;
use convx_core::archive::{ArchiveOptions, Layout, LayoutKind, Selection};
use convx_model::Agent;
use std::path::PathBuf;

#[test]
fn commit_takes_only_convx_paths_and_keeps_the_users_staged_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    std::fs::write(repo.root.join("README.md"), "mine\n").unwrap();
    git(&repo.root, &["add", "README.md"]);
    git(&repo.root, &["commit", "-qm", "user commit"]);
    std::fs::write(repo.root.join("notes.txt"), "staged by the user\n").unwrap();
    git(&repo.root, &["add", "notes.txt"]);
    std::fs::write(repo.root.join("README.md"), "mine, edited\n").unwrap();
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "a",
        &session(
            Agent::Claude,
            "a",
            "2026-01-01T10:00:00Z",
            Some("/home/ana/p"),
            "archive me",
        ),
    );
    let opts = backup_options("ana", "h");
    run(&repo, &opts, &src.source());
    let paths = owned(&repo, &opts);
    let commit = repo
        .commit_paths(&paths, "convx backup: 1 new")
        .unwrap()
        .expect("a commit");
    let files = git(&repo.root, &["show", "--name-only", "--format=", &commit]);
    let mut files: Vec<&str> = files.lines().collect();
    files.sort();
    assert_eq!(
        files,
        vec![
            "history/.convx/ana@h.sha256",
            "history/ana/claude/h/p/.2026-01-01-1000-archive-me.json",
            "history/ana/claude/h/p/2026-01-01-1000-archive-me.md",
        ]
    );
    assert_eq!(
        git(&repo.root, &["diff", "--cached", "--name-only"]),
        "notes.txt",
        "the user's staged file is still staged"
    );
    assert_eq!(
        git(&repo.root, &["status", "--porcelain"]),
        " M README.md\nA  notes.txt",
        "history is committed and clean"
    );
    assert_eq!(
        repo.commit_paths(&paths, "again").unwrap(),
        None,
        "nothing new, no commit"
    );
}

/// What `convx backup --commit` commits (see the CLI).
fn owned(repo: &Repo, opts: &ArchiveOptions) -> Vec<String> {
    let l = &opts.layout;
    let mut out = vec![l.manifest_path()];
    if let Ok(agents) = std::fs::read_dir(repo.root.join(l.user_root())) {
        for a in agents.flatten() {
            out.push(format!(
                "{}/{}/{}",
                l.user_root(),
                a.file_name().to_string_lossy(),
                l.host
            ));
        }
    }
    out
}

#[test]
fn clones_backing_up_on_two_hosts_merge_without_conflicts() {
    let tmp = tempfile::tempdir().unwrap();
    let origin = tmp.path().join("origin.git");
    git(
        tmp.path(),
        &[
            "init",
            "-q",
            "--bare",
            "-b",
            "main",
            origin.to_str().unwrap(),
        ],
    );
    // The archive exists with one commit before the machines clone it.
    let seed = tmp.path().join("seed");
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            origin.to_str().unwrap(),
            seed.to_str().unwrap(),
        ],
    );
    std::fs::write(seed.join("README.md"), "my agent history\n").unwrap();
    git(&seed, &["add", "README.md"]);
    git(&seed, &["commit", "-qm", "start"]);
    git(&seed, &["push", "-q", "origin", "HEAD:main"]);
    let clone = |name: &str| {
        let dir = tmp.path().join(name);
        git(
            tmp.path(),
            &[
                "clone",
                "-q",
                origin.to_str().unwrap(),
                dir.to_str().unwrap(),
            ],
        );
        configure(&dir);
        Repo::open(&dir).unwrap()
    };
    let a = clone("a");
    let b = clone("b");
    let logs_a = Sources::new(&tmp.path().join("logs-a"));
    let logs_b = Sources::new(&tmp.path().join("logs-b"));
    for i in 0..3 {
        let when = format!("2026-01-0{}T10:00:00Z", i + 1);
        logs_a.put(
            &format!("a{i}"),
            &session(
                Agent::Claude,
                &format!("a{i}"),
                &when,
                Some("/home/ana/p"),
                "same title on both",
            ),
        );
        logs_b.put(
            &format!("b{i}"),
            &session(
                Agent::Claude,
                &format!("b{i}"),
                &when,
                Some("/home/ana/p"),
                "same title on both",
            ),
        );
    }
    // The same session seen on both machines (e.g. a synced folder) goes to each host's folder.
    let shared = session(
        Agent::Codex,
        "shared",
        "2026-01-05T10:00:00Z",
        Some("/home/ana/p"),
        "shared",
    );
    logs_a.put("shared", &shared);
    logs_b.put("shared", &shared);
    let oa = backup_options("ana", "host-a");
    let ob = backup_options("ana", "host-b");
    run(&a, &oa, &logs_a.source());
    a.commit_paths(&owned(&a, &oa), "a").unwrap().unwrap();
    git(&a.root, &["push", "-q", "origin", "main"]);
    run(&b, &ob, &logs_b.source());
    b.commit_paths(&owned(&b, &ob), "b").unwrap().unwrap();
    let merge = git_raw(
        &b.root,
        &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"],
    );
    assert!(
        merge.status.success(),
        "merge failed: {}",
        String::from_utf8_lossy(&merge.stderr)
    );
    assert_eq!(git(&b.root, &["status", "--porcelain"]), "");
    assert_eq!(md_files(&b.root, "history").len(), 8);
    let report = verify(&b.root, "history", &TestGuard);
    assert!(report.ok(), "{:?}", report.problems);
    assert_eq!((report.sessions, report.manifests), (8, 2));
    // Both keep working after the merge: another round on each side still merges cleanly.
    git(&b.root, &["push", "-q", "origin", "main"]);
    logs_a.put(
        "a9",
        &session(
            Agent::Claude,
            "a9",
            "2026-02-01T10:00:00Z",
            Some("/home/ana/p"),
            "later",
        ),
    );
    run(&a, &oa, &logs_a.source());
    a.commit_paths(&owned(&a, &oa), "a2").unwrap().unwrap();
    let merge = git_raw(
        &a.root,
        &["pull", "-q", "--no-rebase", "--no-edit", "origin", "main"],
    );
    assert!(
        merge.status.success(),
        "{}",
        String::from_utf8_lossy(&merge.stderr)
    );
    assert!(verify(&a.root, "history", &TestGuard).ok());
}

#[test]
fn sync_selects_by_work_tree_worktrees_and_remote() {
    let tmp = tempfile::tempdir().unwrap();
    let project = tmp.path().join("proj");
    let repo = init_repo(&project);
    std::fs::write(project.join("f"), "x").unwrap();
    git(&project, &["add", "f"]);
    git(&project, &["commit", "-qm", "init"]);
    git(
        &project,
        &["remote", "add", "origin", "git@github.com:ana/proj.git"],
    );
    let wt = tmp.path().join("proj-feature");
    git(
        &project,
        &[
            "worktree",
            "add",
            "-q",
            wt.to_str().unwrap(),
            "-b",
            "feature",
        ],
    );
    let roots: Vec<PathBuf> = repo.worktrees().unwrap();
    assert_eq!(roots.len(), 2);
    let selection = Selection::new(&roots, &repo.remote_urls());

    let p = project.to_string_lossy().into_owned();
    let w = wt.to_string_lossy().into_owned();
    let src = Sources::new(&tmp.path().join("logs"));
    src.put(
        "in",
        &session(
            Agent::Claude,
            "in",
            "2026-01-01T10:00:00Z",
            Some(&format!("{p}/src")),
            "inside the tree",
        ),
    );
    src.put(
        "wt",
        &session(
            Agent::Codex,
            "wt",
            "2026-01-01T11:00:00Z",
            Some(&w),
            "in the worktree",
        ),
    );
    let mut moved = session(
        Agent::Claude,
        "moved",
        "2026-01-01T12:00:00Z",
        Some("/old/place/proj"),
        "before the move",
    );
    moved.git.remote = Some("https://github.com/ana/proj".into());
    src.put("moved", &moved);
    src.put(
        "out",
        &session(
            Agent::Claude,
            "out",
            "2026-01-01T13:00:00Z",
            Some(&format!("{p}-other")),
            "elsewhere",
        ),
    );
    let mut opts = ArchiveOptions::new(
        Layout::new(
            LayoutKind::Sync,
            ".ai/history",
            "ana",
            "h",
            Some(HOME.into()),
        )
        .unwrap(),
    );
    opts.selection = Some(selection);
    let r = run(&repo, &opts, &src.source());
    assert_eq!(r.new, 3, "{r:?}");
    assert_eq!(
        md_files(&repo.root, ".ai/history"),
        vec![
            ".ai/history/ana/claude/2026-01-01-1000-inside-the-tree.md",
            ".ai/history/ana/claude/2026-01-01-1200-before-the-move.md",
            ".ai/history/ana/codex/2026-01-01-1100-in-the-worktree.md",
        ]
    );
    let counting = src.source();
    let again = run(&repo, &opts, &counting);
    assert_eq!(
        (counting.reads(), again.new),
        (0, 0),
        "unselected sources are remembered too"
    );
}

#[test]
fn verify_finds_every_kind_of_problem() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("archive"));
    let src = Sources::new(&tmp.path().join("logs"));
    let mut parent = session(
        Agent::Claude,
        "p",
        "2026-01-01T10:00:00Z",
        Some("/home/ana/p"),
        "parent <b>html</b> ```",
    );
    parent.title = Some("Title: \"x\" ---".into());
    let mut child = session(
        Agent::Claude,
        "c",
        "2026-01-01T10:01:00Z",
        Some("/srv/x"),
        "child",
    );
    child.parent = Some(parent.key.clone());
    src.put("p", &parent);
    src.put("c", &child);
    src.put(
        "n",
        &session(Agent::Gemini, "n", "2026-01-01T11:00:00Z", None, "no cwd"),
    );
    let mut opts = backup_options("ana", "h");
    opts.render.reasoning = true;
    run(&repo, &opts, &src.source());
    let clean = verify(&repo.root, "history", &TestGuard);
    assert!(clean.ok(), "{:?}", clean.problems);
    assert_eq!(clean.sessions, 3);

    let files = md_files(&repo.root, "history");
    let md = repo.root.join(&files[0]);
    let text = std::fs::read_to_string(&md).unwrap();
    std::fs::write(&md, text.replace("parent", "PARENT")).unwrap();
    let json = repo
        .root
        .join(convx_core::archive::layout::json_path(&files[1]));
    std::fs::write(&json, "{ not json").unwrap();
    std::fs::write(
        repo.root.join("history/ana/claude/h/stray.md"),
        format!("---\n---\n{LEAK}\n"),
    )
    .unwrap();
    std::fs::remove_file(repo.root.join(&files[2])).unwrap();
    let r = verify(&repo.root, "history", &TestGuard);
    let has = |path: &str, what: &str| {
        r.problems
            .iter()
            .any(|p| p.path.ends_with(path) && p.what.contains(what))
    };
    assert!(
        has(&files[0], "does not match its JSON"),
        "{:?}",
        r.problems
    );
    assert!(has(&files[0], "content differs from the manifest"));
    assert!(has(".json", "not a valid session JSON"));
    assert!(has("stray.md", "not listed in any manifest"));
    assert!(has("stray.md", "possible secret"));
    assert!(has(&files[2], "listed in the manifest but missing"));
    assert!(has(".json", "no Markdown beside it"));
}

#[test]
fn hooks_install_preserves_and_restores_an_existing_hook() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = init_repo(&tmp.path().join("proj"));
    let hooks_dir = repo.hooks_dir().unwrap();
    std::fs::create_dir_all(&hooks_dir).unwrap();
    let mine = "#!/bin/sh\necho mine\n";
    std::fs::write(hooks_dir.join("pre-commit"), mine).unwrap();
    let bin = PathBuf::from("/opt/convx's bin/convx");
    let out = hooks::install(&repo, &bin, ".ai/history", &[]).unwrap();
    assert!(
        matches!(&out, HookOutcome::Installed { kept: Some(_), .. }),
        "{out:?}"
    );
    let hook = std::fs::read_to_string(hooks_dir.join("pre-commit")).unwrap();
    assert!(hook.contains(hooks::MARKER));
    assert!(
        hook.contains(r"convx_bin='/opt/convx'\''s bin/convx'"),
        "{hook}"
    );
    assert!(hook.contains("git add -- '.ai/history'"));
    assert_eq!(
        std::fs::read_to_string(hooks_dir.join(hooks::ORIGINAL)).unwrap(),
        mine
    );
    assert!(matches!(
        hooks::install(&repo, &bin, ".ai/history", &[]).unwrap(),
        HookOutcome::Updated { .. }
    ));
    assert!(matches!(
        hooks::uninstall(&repo).unwrap(),
        HookOutcome::Removed { restored: true, .. }
    ));
    assert_eq!(
        std::fs::read_to_string(hooks_dir.join("pre-commit")).unwrap(),
        mine
    );
    assert!(
        hooks::uninstall(&repo).is_err(),
        "a foreign hook is left alone"
    );
}
