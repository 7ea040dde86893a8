//! `convx serve` and `convx export-html` as a user runs them: a real process, a fake empty
//! home, a real TCP connection, a real signal.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `convx` with HOME pointing at an empty directory and no agent variables.
fn convx(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_convx"));
    cmd.env("HOME", home).env_remove("CONVX_SERVE_TOKEN");
    for var in convx_adapters::Environment::VARS {
        cmd.env_remove(var);
    }
    cmd
}

fn http_get(port: u16, path: &str, host: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

#[cfg(unix)]
#[test]
fn serve_prints_its_url_answers_and_stops_on_sigterm() {
    let home = tempfile::tempdir().unwrap();
    let mut child = convx(home.path())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("convx console: ")
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with('/'),
        "{url}"
    );
    let port: u16 = url["http://127.0.0.1:".len()..url.len() - 1]
        .parse()
        .unwrap();

    let page = http_get(port, "/", &format!("127.0.0.1:{port}"));
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    assert!(
        page.to_ascii_lowercase()
            .contains("content-security-policy: default-src 'none'")
    );
    assert!(
        page.contains("No sessions yet"),
        "an empty home shows the empty state"
    );
    let api = http_get(port, "/api/sessions", "localhost");
    assert!(api.contains("{\"total\":0,\"rows\":[]}"), "{api}");
    let rebinding = http_get(port, "/", "attacker.example");
    assert!(rebinding.starts_with("HTTP/1.1 421"), "{rebinding}");

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let code = child.wait().unwrap();
    assert!(
        code.success(),
        "convx serve exits 0 on SIGTERM, got {code:?}"
    );
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("console stopped"), "{err}");
}

#[test]
fn serve_refuses_unsafe_binding() {
    let home = tempfile::tempdir().unwrap();
    let out = convx(home.path())
        .args(["serve", "--bind", "0.0.0.0", "--port", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("without a token"));
    let out = convx(home.path())
        .args([
            "serve", "--bind", "0.0.0.0", "--token", "short", "--port", "0",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 16 characters"));
}

#[test]
fn serve_reports_a_busy_port() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port().to_string();
    let home = tempfile::tempdir().unwrap();
    let out = convx(home.path())
        .args(["serve", "--port", &port])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("already in use"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn export_html_needs_a_selection_and_reports_missing_sessions() {
    let home = tempfile::tempdir().unwrap();
    let out_dir = home.path().join("out");
    let out = convx(home.path())
        .args(["export-html", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("<KEY|--project <P>|--all>"));
    let out = convx(home.path())
        .args(["export-html", "codex:nope", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no session matches `codex:nope`"));
    let out = convx(home.path())
        .args(["export-html", "--all", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let index = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(index.contains("No sessions were exported."));
    assert!(!index.contains("<script"));
}
