//! `convx backup`: archive every session into a dedicated Git repository.

use super::archive_common::{ArchiveArgs, execute};
use crate::exit::CliError;
use anyhow::Context;
use clap::Args;
use convx_core::archive::LayoutKind;
use convx_core::archive::git::{GitError, Repo};
use std::path::PathBuf;

/// Arguments of `convx backup`.
///
/// Files: `<history>/<user>/<agent>/<host>/<cwd relative to home>/YYYY-MM-DD-HHMM-<slug>.md`
/// and the normalized JSON beside it as `.YYYY-MM-DD-HHMM-<slug>.json` (times are the
/// session start in UTC; `_root/` holds sessions run outside home, `_unknown/` those with
/// no recorded cwd). Runs that find nothing new read no log and write nothing.
#[derive(Debug, Args)]
#[command(
    after_help = "Layout: <history>/<user>/<agent>/<host>/<cwd relative to home>/YYYY-MM-DD-HHMM-<slug>.md \
(session start in UTC) plus the normalized JSON beside it as .YYYY-MM-DD-HHMM-<slug>.json. \
Sessions run outside home go under _root/<absolute path>, sessions with no recorded cwd under \
_unknown/. Sub-agents sit next to their parent as <parent>--<slug>.md. Each host keeps a manifest \
in <history>/.convx/<user>@<host>.sha256. Unchanged logs are not even read; files are only \
rewritten when their bytes change."
)]
pub struct BackupArgs {
    /// The archive repository. Default: `$XDG_DATA_HOME/convx/archive`
    /// (`~/.local/share/convx/archive`), created and `git init`-ed on first use.
    #[arg(long, short, value_name = "REPO")]
    pub output: Option<PathBuf>,

    /// Create the repository (`git init`) if REPO is not one yet.
    #[arg(long)]
    pub init: bool,

    #[command(flatten)]
    pub archive: ArchiveArgs,
}

/// The default archive location.
pub fn default_archive() -> anyhow::Result<PathBuf> {
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy()
        .context("cannot determine the data directory (set HOME)")?;
    Ok(base.data_dir().join("convx").join("archive"))
}

fn is_empty_dir(p: &std::path::Path) -> bool {
    std::fs::read_dir(p).is_ok_and(|mut d| d.next().is_none())
}

/// Run `convx backup`.
pub fn run(args: BackupArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let (path, default) = match &args.output {
        Some(p) => (p.clone(), false),
        None => (default_archive()?, true),
    };
    let fresh = !path.exists() || is_empty_dir(&path);
    let repo = if args.init || (default && fresh) {
        let repo = Repo::init(&path)
            .with_context(|| format!("cannot create a git repository at {}", path.display()))?;
        if fresh && !args.archive.quiet && !args.archive.json {
            eprintln!(
                "convx: created a new archive at {} (a git repository)",
                repo.root.display()
            );
        }
        repo
    } else {
        Repo::open(&path).map_err(|e| match e {
            GitError::NotARepo { .. } => {
                anyhow::Error::new(CliError::Usage(format!("--output: {e}")))
            }
            e => anyhow::Error::new(e),
        })?
    };
    execute(
        "backup",
        &repo,
        LayoutKind::Backup,
        None,
        &args.archive,
        globals,
    )
}
