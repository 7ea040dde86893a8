//! What `backup` and `sync` share: their options, the run with lock, progress and git, and
//! the summary they print.

use crate::cli::SourceArgs;
use crate::exit::CliError;
use crate::output::{print_json, thousands};
use anyhow::Context;
use clap::Args;
use convx_core::archive::git::Repo;
use convx_core::archive::lock::{Lock, LockError};
use convx_core::archive::source::{AdapterSource, JsonDirSource, SessionSource};
use convx_core::archive::{
    ArchiveOptions, Layout, LayoutKind, Progress, RenderOptions, Report, Selection,
};
use convx_core::redact::Redactor;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Options shared by `convx backup` and `convx sync`.
#[derive(Debug, Clone, Args)]
pub struct ArchiveArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// User folder in the history (default: your OS user name).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Host folder in the history (default: this machine's short host name).
    #[arg(long, value_name = "NAME")]
    pub host: Option<String>,

    /// Folder inside the repository that holds the history (backup: `history`, sync:
    /// `.ai/history`).
    #[arg(long, value_name = "PATH")]
    pub history_subpath: Option<String>,

    /// Include the agents' reasoning in the Markdown (collapsed).
    #[arg(long)]
    pub with_reasoning: bool,

    /// Include injected context (AGENTS.md, environment blocks, reminders) in the Markdown.
    #[arg(long)]
    pub with_context: bool,

    /// Commit the written files: only convx's own paths, whatever else is staged.
    #[arg(long)]
    pub commit: bool,

    /// Push after committing (implies --commit).
    #[arg(long)]
    pub push: bool,

    /// Print what would be written; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// If another convx run holds the archive, exit with code 4 instead of waiting.
    #[arg(long)]
    pub no_wait: bool,

    /// Delete archived sessions whose source file is gone. Off by default: agents delete
    /// old logs, and the archive is where they survive.
    #[arg(long)]
    pub prune_missing: bool,

    /// Read every source again, even unchanged ones (files are still only rewritten when
    /// their bytes change).
    #[arg(long)]
    pub rescan: bool,

    /// Print a JSON summary on stdout.
    #[arg(long)]
    pub json: bool,

    /// Print nothing unless something needs attention (for cron and hooks).
    #[arg(long, short)]
    pub quiet: bool,

    /// Read normalized session JSON files (as written by convx) from DIR instead of the
    /// agents' logs.
    #[arg(long, value_name = "DIR", hide = true)]
    pub from_json: Option<PathBuf>,
}

/// The OS user name, as the default `--user`.
fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
        .unwrap_or_else(|| "user".to_string())
}

/// The short host name, as the default `--host`.
fn os_host() -> String {
    let h = gethostname::gethostname().to_string_lossy().into_owned();
    h.split('.')
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("host")
        .to_string()
}

/// Lock the archive, waiting (with a message) unless `no_wait`.
pub fn lock(repo: &Repo, no_wait: bool, quiet: bool) -> anyhow::Result<Lock> {
    let root = repo.root.display().to_string();
    Lock::acquire(&repo.git_dir, !no_wait, &|holder| {
        if !quiet {
            eprintln!("convx: waiting for another convx run on {root} to finish ({holder})…");
        }
    })
    .map_err(|e| match e {
        LockError::Busy { holder } => CliError::Locked(format!(
            "another convx run is using {root} ({holder}); try again later"
        ))
        .into(),
        e => anyhow::Error::new(e),
    })
}

struct Bar {
    bar: Option<ProgressBar>,
    new: AtomicU64,
    updated: AtomicU64,
}

impl Bar {
    fn new(show: bool) -> Bar {
        let bar = show.then(|| {
            let b = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
            b.set_style(
                ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} {msg}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            b
        });
        Bar {
            bar,
            new: AtomicU64::new(0),
            updated: AtomicU64::new(0),
        }
    }
}

impl Progress for Bar {
    fn phase(&self, name: &'static str, total: u64) {
        if let Some(b) = &self.bar {
            b.set_prefix(name);
            b.set_length(total);
            b.set_position(0);
        }
    }
    fn inc(&self, n: u64) {
        if let Some(b) = &self.bar {
            b.inc(n);
        }
    }
    fn wrote(&self, new: bool) {
        let counter = if new { &self.new } else { &self.updated };
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.set_message(format!(
                "{} new, {} updated",
                thousands(self.new.load(Ordering::Relaxed)),
                thousands(self.updated.load(Ordering::Relaxed))
            ));
        }
    }
}

/// Run an archive into `repo`.
pub fn execute(
    command: &str,
    repo: &Repo,
    kind: LayoutKind,
    selection: Option<Selection>,
    args: &ArchiveArgs,
    globals: &crate::config::Globals,
) -> anyhow::Result<i32> {
    let default_subpath = match kind {
        LayoutKind::Backup => "history",
        LayoutKind::Sync => ".ai/history",
    };
    let env = crate::environment::from_process()?;
    let layout = Layout::new(
        kind,
        args.history_subpath.as_deref().unwrap_or(default_subpath),
        &args.user.clone().unwrap_or_else(os_user),
        &args.host.clone().unwrap_or_else(os_host),
        Some(env.home.to_string_lossy().into_owned()),
    )
    .map_err(|e| CliError::Usage(e.to_string()))?;
    let commit = (args.commit || args.push) && !args.dry_run;
    if commit {
        repo.check_identity()
            .map_err(|e| CliError::Config(e.to_string()))?;
    }
    let _lock = lock(repo, args.no_wait, args.quiet || args.json)?;
    let mut opts = ArchiveOptions::new(layout.clone());
    opts.selection = selection;
    opts.render = RenderOptions {
        reasoning: args.with_reasoning,
        context: args.with_context,
    };
    opts.since = args.source.since;
    opts.agents = args.source.agents.clone();
    opts.dry_run = args.dry_run;
    opts.prune_missing = args.prune_missing;
    opts.rescan = args.rescan;
    let source: Box<dyn SessionSource> = match &args.from_json {
        Some(dir) => Box::new(JsonDirSource { dir: dir.clone() }),
        None => Box::new(AdapterSource {
            request: super::load_request(&args.source, true)?,
        }),
    };
    let guard: Redactor = crate::config::load_redactor(globals)?;
    let bar = Bar::new(std::io::stderr().is_terminal() && !args.quiet && !args.json);
    let report = convx_core::archive::run(repo, &opts, source.as_ref(), &guard, &bar)
        .with_context(|| format!("{command} into {} failed", repo.root.display()))?;
    if let Some(b) = &bar.bar {
        b.finish_and_clear();
    }
    let mut commit_id = None;
    if commit {
        let message = commit_message(command, &layout, &report);
        commit_id = repo
            .commit_paths(&owned_paths(repo, &layout), &message)
            .with_context(|| format!("cannot commit in {}", repo.root.display()))?;
        if args.push {
            repo.push()
                .with_context(|| format!("cannot push {}", repo.root.display()))?;
        }
    }
    if args.json {
        print_json(&serde_json::json!({
            "command": command,
            "repo": repo.root,
            "history": layout.history,
            "user": layout.user,
            "host": layout.host,
            "commit": commit_id,
            "pushed": args.push && commit,
            "report": report,
        }))?;
    } else {
        print_human(command, repo, &report, commit_id.as_deref(), args)?;
    }
    Ok(if report.has_problems() {
        crate::exit::FINDINGS
    } else {
        crate::exit::OK
    })
}

/// Every path this user and host may write, as they exist now (for the commit).
pub fn owned_paths(repo: &Repo, layout: &Layout) -> Vec<String> {
    let mut out = vec![layout.manifest_path()];
    match layout.kind {
        LayoutKind::Sync => out.push(layout.user_root()),
        LayoutKind::Backup => {
            if let Ok(agents) = std::fs::read_dir(repo.root.join(layout.user_root())) {
                for a in agents.flatten() {
                    out.push(format!(
                        "{}/{}/{}",
                        layout.user_root(),
                        a.file_name().to_string_lossy(),
                        layout.host
                    ));
                }
            }
        }
    }
    out
}

fn commit_message(command: &str, layout: &Layout, r: &Report) -> String {
    let mut m = format!(
        "convx {command}: {} new, {} updated session{} ({}@{})",
        thousands(r.new),
        thousands(r.updated),
        if r.new + r.updated == 1 { "" } else { "s" },
        layout.user,
        layout.host
    );
    if !r.pruned.is_empty() {
        m.push_str(&format!(", {} file(s) pruned", r.pruned.len()));
    }
    m
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 30 {
        format!("{:.1} GB", n as f64 / (1u64 << 30) as f64)
    } else if n >= 1 << 20 {
        format!("{:.1} MB", n as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KB", n as f64 / 1024.0)
    }
}

fn home_relative(p: &Path) -> String {
    match etcetera::home_dir()
        .ok()
        .and_then(|h| p.strip_prefix(h).ok().map(Path::to_path_buf))
    {
        Some(rest) if rest.as_os_str().is_empty() => "~".to_string(),
        Some(rest) => format!("~/{}", rest.display()),
        None => p.display().to_string(),
    }
}

fn print_human(
    command: &str,
    repo: &Repo,
    r: &Report,
    commit: Option<&str>,
    args: &ArchiveArgs,
) -> anyhow::Result<()> {
    let mut err = std::io::stderr().lock();
    for w in &r.withheld {
        writeln!(
            err,
            "convx: WITHHELD {} ({}): a secret is still present after redaction",
            w.key, w.path
        )?;
        for reason in &w.reasons {
            writeln!(err, "         {reason}")?;
        }
    }
    for e in &r.errors {
        writeln!(err, "convx: error: {e}")?;
    }
    drop(err);
    let mut out = std::io::stdout().lock();
    if r.dry_run {
        for f in &r.files {
            let verb = if f.outcome == convx_core::archive::write::Outcome::Created {
                "create"
            } else {
                "update"
            };
            writeln!(out, "would {verb} {}", f.path)?;
        }
        for p in &r.pruned {
            writeln!(out, "would delete {p}")?;
        }
    }
    if args.quiet && !r.has_problems() {
        return Ok(());
    }
    // Cron and git hooks run hourly: when nothing changed, say nothing unless a person is
    // watching (a terminal).
    let nothing_changed = r.new == 0 && r.updated == 0 && r.pruned.is_empty() && !r.has_problems();
    if nothing_changed && !r.dry_run && !std::io::stderr().is_terminal() {
        return Ok(());
    }
    let secs = r.duration_ms as f64 / 1000.0;
    let mut line = format!(
        "convx {command}{}: {} new, {} updated, {} unchanged, {} withheld, {} skipped records",
        if r.dry_run { " (dry run)" } else { "" },
        thousands(r.new),
        thousands(r.updated),
        thousands(r.unchanged),
        thousands(r.withheld.len() as u64),
        thousands(r.skipped_records),
    );
    if r.skipped_no_sync > 0 {
        line.push_str(&format!(
            ", {} skipped (CONVX_NO_SYNC)",
            thousands(r.skipped_no_sync)
        ));
    }
    if !r.pruned.is_empty() {
        line.push_str(&format!(", {} files pruned", r.pruned.len()));
    }
    line.push_str(&format!(
        " · {} of {} sources read ({}) · {secs:.2}s → {}",
        thousands(r.sources_read),
        thousands(r.sources_total),
        human_bytes(r.bytes_read),
        home_relative(&repo.root)
    ));
    if let Some(c) = commit {
        line.push_str(&format!(" · committed {}", &c[..c.len().min(10)]));
    }
    writeln!(out, "{line}")?;
    Ok(())
}
