//! `convx hooks install|uninstall`: the pre-commit hook that runs `convx sync`.

use crate::exit::CliError;
use anyhow::Context;
use clap::{Args, Subcommand};
use convx_core::archive::git::{GitError, Repo};
use convx_core::archive::hooks::{self, HookOutcome};
use std::path::PathBuf;

/// Arguments of `convx hooks`.
#[derive(Debug, Args)]
pub struct HooksArgs {
    /// What to do.
    #[command(subcommand)]
    pub action: HooksAction,
}

/// `install` or `uninstall`.
#[derive(Debug, Subcommand)]
pub enum HooksAction {
    /// Install a pre-commit hook that runs `convx sync` and stages the history folder. An
    /// existing pre-commit hook is kept and run first.
    Install(HookTarget),
    /// Remove the hook, restoring the pre-commit hook it replaced.
    Uninstall(HookTarget),
}

/// Which project.
#[derive(Debug, Args)]
pub struct HookTarget {
    /// The project: any folder inside its git work tree (default: the current directory).
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,

    /// The history folder the hook syncs and stages (default: `.ai/history`).
    #[arg(long, value_name = "PATH", default_value = ".ai/history")]
    pub history_subpath: String,

    /// An extra argument for `convx sync` in the hook (repeatable), e.g.
    /// `--arg=--with-reasoning` (install only).
    #[arg(long = "arg", value_name = "ARG", allow_hyphen_values = true)]
    pub args: Vec<String>,
}

fn open(target: &HookTarget) -> anyhow::Result<Repo> {
    let path = match &target.repo {
        Some(p) => p.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    Repo::discover(&path).map_err(|e| match e {
        GitError::NotARepo { .. } => anyhow::Error::new(CliError::Usage(e.to_string())),
        e => anyhow::Error::new(e),
    })
}

/// Run `convx hooks`.
pub fn run(args: HooksArgs) -> anyhow::Result<i32> {
    let outcome = match &args.action {
        HooksAction::Install(t) => {
            let repo = open(t)?;
            let exe = std::env::current_exe().context("cannot locate the convx binary")?;
            hooks::install(&repo, &exe, &t.history_subpath, &t.args).map_err(|e| match e {
                hooks::HookError::Foreign(m) => anyhow::Error::new(CliError::Usage(m)),
                e => anyhow::Error::new(e),
            })?
        }
        HooksAction::Uninstall(t) => hooks::uninstall(&open(t)?).map_err(|e| match e {
            hooks::HookError::Foreign(m) => anyhow::Error::new(CliError::Usage(m)),
            e => anyhow::Error::new(e),
        })?,
    };
    match outcome {
        HookOutcome::Installed { hook, kept } => {
            println!("installed {}", hook.display());
            if let Some(k) = kept {
                println!(
                    "your previous pre-commit hook was kept as {} and runs first",
                    k.display()
                );
            }
        }
        HookOutcome::Updated { hook } => println!("updated {}", hook.display()),
        HookOutcome::Removed { hook, restored } => {
            println!(
                "removed {}{}",
                hook.display(),
                if restored {
                    " (your previous hook is back)"
                } else {
                    ""
                }
            );
        }
        HookOutcome::NotInstalled { hook } => println!("no convx hook at {}", hook.display()),
    }
    Ok(crate::exit::OK)
}
