//! Configuration errors and layering through the CLI.

use crate::common::{convx, write};
use predicates::str::contains;

#[test]
fn invalid_config_names_file_line_and_key_and_exits_3() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        ".config/convx/config.toml",
        "[redact]\nenabeld = false\n",
    );
    let out = convx(d.path())
        .args(["scan", "."])
        .assert()
        .code(3)
        .get_output()
        .clone();
    let err = String::from_utf8(out.stderr).unwrap();
    let file = d.path().join(".config/convx/config.toml");
    assert!(
        err.contains(&format!(
            "{}:2:1: redact.enabeld: unknown field `enabeld`",
            file.display()
        )),
        "{err}"
    );
}

#[test]
fn explicit_config_flag_wins_and_must_exist() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), ".config/convx/config.toml", "this is not toml");
    write(d.path(), "other.toml", "[anonymize]\nenabled = true\n");
    write(d.path(), "a.txt", "nothing\n");
    convx(d.path())
        .args(["--config", "other.toml", "scan", "a.txt"])
        .assert()
        .code(0);
    convx(d.path())
        .args(["--config", "missing.toml", "scan", "a.txt"])
        .assert()
        .code(3)
        .stderr(contains("cannot read config file missing.toml"));
    convx(d.path())
        .env("CONVX_CONFIG", "other.toml")
        .args(["scan", "a.txt"])
        .assert()
        .code(0);
}

#[test]
fn env_errors_name_the_variable() {
    let d = tempfile::tempdir().unwrap();
    write(d.path(), "a.txt", "nothing\n");
    convx(d.path())
        .env("CONVX_REDACT_ENABELD", "false")
        .args(["scan", "a.txt"])
        .assert()
        .code(3)
        .stderr(contains(
            "environment variable CONVX_REDACT_ENABELD: redact.enabeld: unknown field `enabeld`",
        ));
}

#[test]
fn disabling_redaction_warns() {
    let d = tempfile::tempdir().unwrap();
    convx(d.path())
        .env("CONVX_REDACT_ENABLED", "false")
        .arg("sessions")
        .assert()
        .code(0)
        .stderr(contains("warning: secret redaction is disabled"));
    convx(d.path()).arg("sessions").assert().code(0).stderr(
        predicates::prelude::PredicateBooleanExt::not(contains("warning")),
    );
}
