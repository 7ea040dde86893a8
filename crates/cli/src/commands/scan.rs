//! `convx scan PATH...`: look for secrets in any files or folders with the redaction
//! rules (an archive, a repository, another tool's export). For hooks and CI: exit code 1
//! when anything is found, 0 when nothing is.

use crate::config::Globals;
use crate::exit::CliError;
use crate::output::print_json;
use clap::Args;
use convx_core::redact::{Finding, Redactor};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Arguments of `convx scan`.
#[derive(Debug, Args)]
#[command(
    after_help = "Prints one line per finding: `PATH:LINE RULE-ID MASKED` (the secret itself is never printed).\n\
Exit codes: 0 nothing found, 1 secrets found, 3 invalid configuration, 5 a PATH does not exist.\n\
Uses the same rules, extra rules and allowlist as redaction (see `--list-rules`), even when redaction is disabled.\n\n\
Examples:\n  convx scan ~/convx-archive\n  convx scan --json src/ notes.md\n  git diff --cached --name-only -z | xargs -0 convx scan   # in a pre-commit hook"
)]
pub struct ScanArgs {
    /// Files or folders to scan. Folders are walked recursively; `.git` folders, symbolic
    /// links inside folders and binary files are skipped. Files of any size are read in
    /// chunks.
    #[arg(value_name = "PATH", required_unless_present = "list_rules")]
    pub paths: Vec<PathBuf>,
    /// Print a JSON object (`findings`, `files_scanned`, `bytes_scanned`, `skipped_binary`,
    /// `errors`) instead of lines.
    #[arg(long)]
    pub json: bool,
    /// List the rules (id, confidence, description) and exit.
    #[arg(long)]
    pub list_rules: bool,
}

/// A finding in a file.
#[derive(Debug, Clone, Serialize)]
struct FileFinding {
    path: String,
    #[serde(flatten)]
    finding: Finding,
}

#[derive(Debug, Default, Serialize)]
struct Report {
    findings: Vec<FileFinding>,
    files_scanned: u64,
    bytes_scanned: u64,
    skipped_binary: u64,
    errors: Vec<String>,
}

/// Bytes per chunk when reading a file.
const CHUNK: usize = 8 << 20;
/// Bytes of the previous chunk scanned again with the next (a key block across the cut).
const OVERLAP: usize = 64 << 10;
/// Bytes looked at to decide whether a file is binary.
const SNIFF: usize = 8 << 10;

/// Run `convx scan`.
pub fn run(args: ScanArgs, globals: &Globals) -> anyhow::Result<i32> {
    let mut loaded = crate::config::load(globals)?;
    loaded.config.redact.enabled = true; // scanning is an explicit request
    let redactor = crate::config::redactor(&loaded)?;
    if args.list_rules {
        return list_rules(&redactor, args.json);
    }
    for p in &args.paths {
        if std::fs::metadata(p).is_err() {
            return Err(
                CliError::NotFound(format!("no such file or folder: {}", p.display())).into(),
            );
        }
    }
    let mut files = Vec::new();
    let mut report = Report::default();
    for p in &args.paths {
        collect(p, true, &mut files, &mut report.errors);
    }
    let results: Vec<(PathBuf, std::io::Result<FileScan>)> = files
        .into_par_iter()
        .map(|f| (f.clone(), scan_file(&redactor, &f)))
        .collect();
    for (path, r) in results {
        match r {
            Ok(FileScan::Binary) => report.skipped_binary += 1,
            Ok(FileScan::Text { bytes, findings }) => {
                report.files_scanned += 1;
                report.bytes_scanned += bytes;
                let p = path.display().to_string();
                report
                    .findings
                    .extend(findings.into_iter().map(|finding| FileFinding {
                        path: p.clone(),
                        finding,
                    }));
            }
            Err(e) => report.errors.push(format!("{}: {e}", path.display())),
        }
    }
    if args.json {
        print_json(&report)?;
    } else {
        let mut out = std::io::stdout().lock();
        for f in &report.findings {
            writeln!(
                out,
                "{}:{} {} {}",
                f.path, f.finding.line, f.finding.rule, f.finding.masked
            )?;
        }
        for e in &report.errors {
            eprintln!("convx: warning: {e}");
        }
        eprintln!(
            "convx scan: {} finding(s); {} file(s), {} scanned, {} binary skipped",
            report.findings.len(),
            report.files_scanned + report.skipped_binary,
            human_bytes(report.bytes_scanned),
            report.skipped_binary
        );
    }
    Ok(if report.findings.is_empty() {
        crate::exit::OK
    } else {
        crate::exit::FINDINGS
    })
}

fn list_rules(r: &Redactor, json: bool) -> anyhow::Result<i32> {
    if json {
        print_json(&r.rules())?;
        return Ok(crate::exit::OK);
    }
    let mut t = crate::output::Table::new(&["RULE", "CONFIDENCE", "DESCRIPTION"]);
    for i in r.rules() {
        let conf = if i.high_confidence { "high" } else { "medium" };
        let desc = if i.user {
            format!("(config) {}", i.pattern)
        } else {
            i.description.clone()
        };
        t.row(vec![i.id.clone(), conf.into(), desc]);
    }
    t.write(&mut std::io::stdout().lock())?;
    Ok(crate::exit::OK)
}

/// Files under `path` (itself when it is a file), sorted, skipping `.git` and, inside
/// folders, symbolic links.
fn collect(path: &Path, top: bool, out: &mut Vec<PathBuf>, errors: &mut Vec<String>) {
    let meta = if top {
        std::fs::metadata(path)
    } else {
        std::fs::symlink_metadata(path)
    };
    let meta = match meta {
        Ok(m) => m,
        Err(e) => {
            errors.push(format!("{}: {e}", path.display()));
            return;
        }
    };
    if meta.is_file() {
        out.push(path.to_path_buf());
    } else if meta.is_dir() {
        let entries = match std::fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => {
                errors.push(format!("{}: {e}", path.display()));
                return;
            }
        };
        let mut children: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        children.sort();
        for c in children {
            if c.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            collect(&c, false, out, errors);
        }
    }
}

enum FileScan {
    Binary,
    Text { bytes: u64, findings: Vec<Finding> },
}

/// Scan one file in chunks cut at line ends; consecutive chunks overlap so that a secret
/// across a cut is seen whole, and findings seen twice are reported once.
fn scan_file(r: &Redactor, path: &Path) -> std::io::Result<FileScan> {
    let mut file = std::fs::File::open(path)?;
    let mut buf: Vec<u8> = Vec::new();
    let mut first = true;
    let mut base_line = 1usize;
    let mut bytes = 0u64;
    let mut findings = Vec::new();
    let mut seen: HashSet<(usize, usize, String)> = HashSet::new();
    loop {
        let before = buf.len();
        let read = (&mut file).take(CHUNK as u64).read_to_end(&mut buf)?;
        bytes += read as u64;
        let eof = read < CHUNK;
        if first {
            first = false;
            if memchr::memchr(0, &buf[..buf.len().min(SNIFF)]).is_some() {
                return Ok(FileScan::Binary);
            }
        }
        let cut = if eof {
            buf.len()
        } else {
            memchr::memrchr(b'\n', &buf[before..]).map_or(buf.len(), |i| before + i + 1)
        };
        let text = String::from_utf8_lossy(&buf[..cut]);
        for mut f in r.scan_text(&text) {
            f.line += base_line - 1;
            if seen.insert((f.line, f.column, f.rule.clone())) {
                findings.push(f);
            }
        }
        if eof {
            break;
        }
        let keep = match memchr::memchr(b'\n', &buf[cut.saturating_sub(OVERLAP)..cut]) {
            Some(i) if cut.saturating_sub(OVERLAP) + i + 1 < cut => {
                cut.saturating_sub(OVERLAP) + i + 1
            }
            _ => cut,
        };
        base_line += memchr::memchr_iter(b'\n', &buf[..keep]).count();
        buf.drain(..keep);
    }
    Ok(FileScan::Text { bytes, findings })
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / 1024.0),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_scan_finds_secrets_across_chunk_cuts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.log");
        let filler = "2026-01-01 INFO nothing to see here, just a long log line for padding\n";
        let mut text = String::new();
        while text.len() < CHUNK - 200 {
            text.push_str(filler);
        }
        let line_of_key = text.matches('\n').count() + 1;
        let body: Vec<String> = (0..20).map(|i| format!("{:A<64}", i)).collect();
        text.push_str(&format!(
            "-----BEGIN RSA PRIVATE KEY-----\n{}\n-----END RSA PRIVATE KEY-----\n",
            body.join("\n")
        ));
        while text.len() < 2 * CHUNK + 1000 {
            text.push_str(filler);
        }
        let line_of_pat = text.matches('\n').count() + 1;
        text.push_str("token ghp_0123456789abcdefABCDEF0123456789abcd\n");
        std::fs::write(&path, &text).unwrap();
        let FileScan::Text { findings, bytes } = scan_file(&Redactor::default(), &path).unwrap()
        else {
            panic!("binary")
        };
        assert_eq!(bytes, text.len() as u64);
        let got: Vec<(usize, &str)> = findings.iter().map(|f| (f.line, f.rule.as_str())).collect();
        assert_eq!(
            got,
            vec![(line_of_key, "private-key"), (line_of_pat, "github-pat")]
        );
    }
}
