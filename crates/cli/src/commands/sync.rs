//! `convx sync`: archive one project's sessions into that project.

use super::archive_common::{ArchiveArgs, execute};
use crate::exit::CliError;
use anyhow::Context;
use clap::Args;
use convx_core::archive::git::{GitError, Repo};
use convx_core::archive::{LayoutKind, Selection};
use std::path::PathBuf;

/// Arguments of `convx sync`.
///
/// Selects the sessions whose cwd is inside the project's work tree or any of its
/// worktrees, or whose recorded git remote is one of the project's remotes, and writes them
/// flat to `<history>/<user>/<agent>/` (default history: `.ai/history`). A session whose
/// prompt contains `CONVX_NO_SYNC` is never synced.
#[derive(Debug, Args)]
#[command(
    after_help = "Selects sessions whose cwd is inside this repository's work tree or one of its \
worktrees, or whose recorded git remote is one of its remotes, and writes them flat to \
<history>/<user>/<agent>/YYYY-MM-DD-HHMM-<slug>.md (default history: .ai/history). A session whose \
prompt contains CONVX_NO_SYNC is never synced. `convx hooks install` runs this before each commit."
)]
pub struct SyncArgs {
    /// The project: any folder inside its git work tree (default: the current directory).
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,

    #[command(flatten)]
    pub archive: ArchiveArgs,
}

/// Run `convx sync`.
pub fn run(args: SyncArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let path = match &args.repo {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    let repo = Repo::discover(&path).map_err(|e| match e {
        GitError::NotARepo { .. } => anyhow::Error::new(CliError::Usage(format!(
            "{e}: run `convx sync` inside a project's git work tree, or pass --repo PATH"
        ))),
        e => anyhow::Error::new(e),
    })?;
    let roots = repo
        .worktrees()
        .context("cannot list the project's worktrees")?;
    let selection = Selection::new(&roots, &repo.remote_urls());
    execute(
        "sync",
        &repo,
        LayoutKind::Sync,
        Some(selection),
        &args.archive,
        globals,
    )
}
