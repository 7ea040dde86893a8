//! `convx verify`: check an archive (hashes, JSON ↔ Markdown, nothing unredacted).

use crate::exit::CliError;
use crate::output::{print_json, thousands};
use clap::Args;
use convx_core::archive::verify::verify;
use convx_core::redact::Redactor;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `convx verify`.
///
/// Checks that every file listed in the per-host manifests exists with its SHA-256, that
/// every session file is listed, that every JSON parses and renders exactly to its Markdown,
/// and that no file holds a secret. Exits with code 1 on any problem.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The archive repository (default: the default `convx backup` archive).
    #[arg(value_name = "REPO")]
    pub repo: Option<PathBuf>,

    /// The history folder inside REPO (default: `history`, else `.ai/history`).
    #[arg(long, value_name = "PATH")]
    pub history_subpath: Option<String>,

    /// Print a JSON report.
    #[arg(long)]
    pub json: bool,
}

/// Run `convx verify`.
pub fn run(args: VerifyArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let repo = match args.repo {
        Some(r) => r,
        None => super::backup::default_archive()?,
    };
    if !repo.is_dir() {
        return Err(CliError::NotFound(format!("no archive at {}", repo.display())).into());
    }
    let history = match args.history_subpath {
        Some(h) => h.trim_matches('/').to_string(),
        None => ["history", ".ai/history"]
            .into_iter()
            .find(|h| repo.join(h).is_dir())
            .ok_or_else(|| {
                CliError::NotFound(format!(
                    "no history in {} (looked for history/ and .ai/history/)",
                    repo.display()
                ))
            })?
            .to_string(),
    };
    if !repo.join(&history).is_dir() {
        return Err(
            CliError::NotFound(format!("no folder {history} in {}", repo.display())).into(),
        );
    }
    let redactor: Redactor = crate::config::load_redactor(globals)?;
    let report = verify(&repo, &history, &redactor);
    if args.json {
        print_json(&report)?;
    } else {
        let mut out = std::io::stdout().lock();
        for p in &report.problems {
            writeln!(out, "{}: {}", p.path, p.what)?;
        }
        let verdict = if report.ok() {
            "OK".to_string()
        } else {
            format!("{} problem(s)", thousands(report.problems.len() as u64))
        };
        writeln!(
            out,
            "verified {} sessions, {} files in {} manifest(s) under {}/{}: {verdict}",
            thousands(report.sessions),
            thousands(report.files),
            report.manifests,
            repo.display(),
            history
        )?;
    }
    Ok(if report.ok() {
        crate::exit::OK
    } else {
        crate::exit::FINDINGS
    })
}
