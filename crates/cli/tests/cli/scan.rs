//! `convx scan`.

use crate::common::{GHP, convx, write};

fn tree() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    let root = d.path().join("repo");
    write(&root, "README.md", "# demo\nnothing to see\n");
    write(
        &root,
        "src/app.env",
        format!("PORT=8080\nGITHUB_TOKEN={GHP}\nDATABASE_URL=postgres://app:Zx9kLm2Qp7@db/app\n"),
    );
    write(
        &root,
        "logs/session.jsonl",
        format!(
            "{}\n",
            serde_json::json!({ "output": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\nQyNTUxOQAAACDbA1Xm1cOa2+L3lLZ5a5aOe5QhXyoVq/PJu8ZgN1sJXQAAAJgZfWzBGX1s\n-----END OPENSSH PRIVATE KEY-----\n" })
        ),
    );
    write(
        &root,
        ".git/config",
        format!("[remote]\nurl = https://{GHP}@github.com/o/r\n"),
    );
    let mut bin = b"\x00\x01binary".to_vec();
    bin.extend_from_slice(GHP.as_bytes());
    write(&root, "img.bin", bin);
    d
}

#[test]
fn scan_reports_findings_masked_and_exits_1() {
    let d = tree();
    let out = convx(d.path())
        .args(["scan", "repo"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        !stdout.contains(GHP)
            && !stdout.contains("Zx9kLm2Qp7")
            && !stdout.contains("b3BlbnNzaC1rZXkt"),
        "{stdout}"
    );
    insta::assert_snapshot!(stdout, @r"
    repo/logs/session.jsonl:1 private-key -----BEGIN OPENSSH PRIVATE KEY-----…
    repo/src/app.env:2 github-pat ghp_…abcd
    repo/src/app.env:3 connection-url-password …(10 chars)
    ");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("3 finding(s); 4 file(s)") && stderr.contains("1 binary skipped"),
        "{stderr}"
    );
}

#[test]
fn scan_json() {
    let d = tree();
    let out = convx(d.path())
        .args(["scan", "--json", "repo/src", "repo/README.md"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files_scanned"], 2);
    let f = &v["findings"][0];
    assert_eq!(
        (f["path"].as_str(), f["line"].as_u64(), f["rule"].as_str()),
        (Some("repo/src/app.env"), Some(2), Some("github-pat"))
    );
    assert_eq!(f["column"], 14);
    assert_eq!(f["masked"], "ghp_…abcd");
    assert!(!String::from_utf8_lossy(&out.stdout).contains(GHP));
}

#[test]
fn clean_tree_exits_0() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "ok/a.txt",
        "commit 3f9a7c2e1b8d4f6a0c5e9b7d2a4f6c8e1b3d5f7a\nid 550e8400-e29b-41d4-a716-446655440000\n",
    );
    convx(d.path())
        .args(["scan", "ok"])
        .assert()
        .code(0)
        .stdout("");
}

#[test]
fn missing_path_exits_5() {
    let d = tempfile::tempdir().unwrap();
    convx(d.path())
        .args(["scan", "nope"])
        .assert()
        .code(5)
        .stderr(predicates::str::contains("no such file or folder: nope"));
}

#[test]
fn list_rules() {
    let d = tempfile::tempdir().unwrap();
    let out = convx(d.path())
        .args(["scan", "--list-rules"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(s.starts_with("RULE"), "{s}");
    assert!(s.lines().count() > 40);
    assert!(s.contains("github-pat") && s.contains("generic-password"));
}

#[test]
fn scan_uses_config_rules_and_allowlist() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        ".config/convx/config.toml",
        format!(
            "[redact]\nenabled = false\nallowlist = [\"{GHP}\"]\n\n[[redact.rules]]\nid = \"acme-license\"\nregex = 'ACME-[0-9]{{8}}'\n"
        ),
    );
    write(
        d.path(),
        "notes.txt",
        format!("license ACME-12345678\ntoken {GHP}\n"),
    );
    let out = convx(d.path())
        .args(["scan", "notes.txt"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "notes.txt:1 acme-license …(13 chars)\n"
    );
}
