//! `sessions`, `show`, `doctor` on the adapters' fixture homes.

use std::path::PathBuf;

fn fixture_root(agent: &str, case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../adapters/tests/fixtures")
        .join(agent)
        .join(case)
        .join("root")
}

/// `convx` with an empty fake home and no agent env vars, so the developer's real logs are
/// never read.
fn convx(home: &tempfile::TempDir) -> assert_cmd::Command {
    let mut cmd = super::common::convx(home.path());
    for var in [
        "CODEX_HOME",
        "CLAUDE_CONFIG_DIR",
        "GEMINI_CLI_HOME",
        "XDG_DATA_HOME",
        "COPILOT_HOME",
        "OPENCODE_DATA_DIR",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

#[test]
fn sessions_json_lists_usage_from_an_input_override() {
    let home = tempfile::tempdir().unwrap();
    let root = fixture_root("codex", "v2026_world_state_ids");
    let out = convx(&home)
        .args(["sessions", "--json", "--agent", "codex", "--input"])
        .arg(format!("codex={}", root.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert!(r["key"].as_str().unwrap().starts_with("codex:"));
    for field in [
        "id",
        "kind",
        "started_at",
        "cwd",
        "git",
        "title",
        "first_prompt",
        "models",
        "counts",
        "sources",
    ] {
        assert!(r.get(field).is_some(), "missing {field}");
    }
    // Hand-computed in the adapter test: one call, 10,000 + 30,000 + 1,000 = 41,000.
    let u = &r["usage"];
    let total: u64 = ["input", "cache_creation", "cache_read", "output"]
        .iter()
        .map(|k| u[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, 41_000);
    assert_eq!(u["reasoning"], 500);
}

#[test]
fn doctor_names_unknown_record_types() {
    let home = tempfile::tempdir().unwrap();
    let root = fixture_root("codex", "v2026_world_state_ids");
    let out = convx(&home)
        .args(["doctor", "--agent", "codex", "--input"])
        .arg(format!("codex={}", root.display()))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("UNKNOWN"), "{text}");
    assert!(text.contains("response_item/brand_new_item"), "{text}");
    assert!(text.contains("kept raw"), "{text}");
}

#[test]
fn doctor_reports_bad_lines_with_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    let root = fixture_root("codex", "corrupt_lines");
    let out = convx(&home)
        .args(["doctor", "--json", "--agent", "codex", "--input"])
        .arg(format!("codex={}", root.display()))
        .output()
        .unwrap();
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codex = &reports[0];
    assert!(
        codex["warnings"]["invalid_json"].as_u64().unwrap() >= 1,
        "{codex}"
    );
    let sample = &codex["warning_samples"][0];
    assert!(sample["source"].as_str().unwrap().ends_with(".jsonl"));
    assert!(sample["line"].as_u64().is_some());
}

#[test]
fn show_finds_a_session_by_id_prefix_and_unknown_keys_exit_5() {
    let home = tempfile::tempdir().unwrap();
    let root = fixture_root("codex", "v2026_world_state_ids");
    let input = format!("codex={}", root.display());
    let listed = convx(&home)
        .args(["sessions", "--json", "--input", &input])
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let out = convx(&home)
        .args(["show", &id[..8], "--json", "--input", &input])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["id"], id.as_str());
    assert!(!s["events"].as_array().unwrap().is_empty());
    convx(&home)
        .args(["show", "nope-nope", "--input", &input])
        .assert()
        .code(5);
}

#[test]
fn bad_flags_exit_2() {
    let home = tempfile::tempdir().unwrap();
    convx(&home)
        .args(["sessions", "--agent", "vim"])
        .assert()
        .code(2);
    convx(&home)
        .args(["sessions", "--since", "someday"])
        .assert()
        .code(2);
}

#[test]
fn help_texts() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["sessions", "--help"],
        vec!["show", "--help"],
        vec!["doctor", "--help"],
        vec!["agents", "--help"],
    ] {
        let out = convx(&home).args(&args).output().unwrap();
        assert!(out.status.success());
        let name = format!("help_{}", args[0].trim_start_matches('-'));
        insta::assert_snapshot!(name, String::from_utf8_lossy(&out.stdout));
    }
}
