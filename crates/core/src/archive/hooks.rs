//! `convx hooks install|uninstall`: a pre-commit hook that runs `convx sync` and stages
//! the history folder. An existing hook is kept: it is moved aside to
//! `pre-commit.convx-orig` and run first; uninstalling puts it back.

use super::git::{GitError, Repo};
use std::path::{Path, PathBuf};

/// First line of our block in a hook file (how we recognise our hook).
pub const MARKER: &str = "# >>> convx sync hook >>>";
/// Where an existing hook is kept.
pub const ORIGINAL: &str = "pre-commit.convx-orig";

/// What `install` or `uninstall` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookOutcome {
    /// The hook was written; `kept` is the user's previous hook, now run first.
    Installed {
        /// The hook file.
        hook: PathBuf,
        /// The previous hook, moved aside, if there was one.
        kept: Option<PathBuf>,
    },
    /// Our hook was already there; it was rewritten.
    Updated {
        /// The hook file.
        hook: PathBuf,
    },
    /// Our hook was removed (and the previous one restored, if any).
    Removed {
        /// The hook file.
        hook: PathBuf,
        /// The restored previous hook.
        restored: bool,
    },
    /// There was no convx hook to remove.
    NotInstalled {
        /// The hook file.
        hook: PathBuf,
    },
}

/// A hook could not be installed or removed.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// Git could not tell where hooks live.
    #[error(transparent)]
    Git(#[from] GitError),
    /// A file operation failed.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The hook in place is not ours.
    #[error("{0}")]
    Foreign(String),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HookError + '_ {
    move |source| HookError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The hook script.
pub fn script(convx: &Path, history: &str, extra_args: &[String]) -> String {
    let args: Vec<String> = extra_args.iter().map(|a| shell_quote(a)).collect();
    format!(
        r#"#!/bin/sh
{MARKER}
# Installed by `convx hooks install`: archives this project's AI agent sessions into
# {history} before each commit, and stages them. Remove with `convx hooks uninstall`.
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/{ORIGINAL}" ]; then
  "$hook_dir/{ORIGINAL}" "$@" || exit $?
fi
convx_bin={bin}
[ -x "$convx_bin" ] || convx_bin=convx
"$convx_bin" sync --quiet --history-subpath {hist}{args}
status=$?
if [ "$status" -gt 1 ]; then
  echo "convx: sync failed (exit $status); committing without it" >&2
fi
if [ -d {hist} ]; then
  git add -- {hist} || echo "convx: could not stage {history}" >&2
fi
# <<< convx sync hook <<<
exit 0
"#,
        bin = shell_quote(&convx.to_string_lossy()),
        hist = shell_quote(history),
        args = if args.is_empty() {
            String::new()
        } else {
            format!(" {}", args.join(" "))
        },
    )
}

fn is_ours(path: &Path) -> bool {
    std::fs::read_to_string(path).is_ok_and(|t| t.contains(MARKER))
}

fn make_executable(path: &Path) -> Result<(), HookError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).map_err(io(path))?;
    }
    let _ = path;
    Ok(())
}

/// Install (or update) the pre-commit hook of `repo`.
pub fn install(
    repo: &Repo,
    convx: &Path,
    history: &str,
    extra_args: &[String],
) -> Result<HookOutcome, HookError> {
    let dir = repo.hooks_dir()?;
    std::fs::create_dir_all(&dir).map_err(io(&dir))?;
    let hook = dir.join("pre-commit");
    let original = dir.join(ORIGINAL);
    let text = script(convx, history, extra_args);
    if is_ours(&hook) {
        std::fs::write(&hook, text).map_err(io(&hook))?;
        make_executable(&hook)?;
        return Ok(HookOutcome::Updated { hook });
    }
    let mut kept = None;
    if hook.exists() {
        if original.exists() {
            return Err(HookError::Foreign(format!(
                "{} exists and so does {}; move one of them away first",
                hook.display(),
                original.display()
            )));
        }
        std::fs::rename(&hook, &original).map_err(io(&hook))?;
        kept = Some(original);
    }
    std::fs::write(&hook, text).map_err(io(&hook))?;
    make_executable(&hook)?;
    Ok(HookOutcome::Installed { hook, kept })
}

/// Remove our pre-commit hook from `repo`, restoring the one it replaced.
pub fn uninstall(repo: &Repo) -> Result<HookOutcome, HookError> {
    let dir = repo.hooks_dir()?;
    let hook = dir.join("pre-commit");
    let original = dir.join(ORIGINAL);
    if !hook.exists() {
        return Ok(HookOutcome::NotInstalled { hook });
    }
    if !is_ours(&hook) {
        return Err(HookError::Foreign(format!(
            "{} was not installed by convx; leaving it alone",
            hook.display()
        )));
    }
    std::fs::remove_file(&hook).map_err(io(&hook))?;
    let restored = original.exists();
    if restored {
        std::fs::rename(&original, &hook).map_err(io(&original))?;
    }
    Ok(HookOutcome::Removed { hook, restored })
}
