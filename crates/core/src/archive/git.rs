//! Git through the `git` command line (it honours the user's configuration, signing and
//! credentials). Commits use plumbing with a temporary index, so only convx's own paths
//! are committed whatever the user has staged, and no hook runs.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A git failure.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The `git` program could not be run.
    #[error("cannot run git ({0}); is git installed and on PATH?")]
    NotInstalled(std::io::Error),
    /// The path is not (the top level of) a git work tree.
    #[error("{path} is not a git repository{hint}")]
    NotARepo {
        /// The path.
        path: PathBuf,
        /// What to do about it.
        hint: String,
    },
    /// A git command failed.
    #[error("`git {args}` failed: {stderr}")]
    Failed {
        /// The arguments.
        args: String,
        /// Its error output.
        stderr: String,
    },
    /// No author/committer identity is configured.
    #[error(
        "git has no identity to commit with ({0}); set one with `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`"
    )]
    NoIdentity(String),
    /// Nothing to push to.
    #[error("cannot push: the archive has no remote (add one with `git remote add origin URL`)")]
    NoRemote,
    /// A file operation failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// A git work tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    /// Top level of the work tree.
    pub root: PathBuf,
    /// Its git directory (absolute; per worktree).
    pub git_dir: PathBuf,
}

fn git_in(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.arg("-C").arg(dir);
    // Inside a git hook these point at the hooked repository: never inherit them.
    for v in [
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_PREFIX",
        "GIT_COMMON_DIR",
        "GIT_OBJECT_DIRECTORY",
    ] {
        c.env_remove(v);
    }
    c.stdin(Stdio::null());
    c
}

fn run(mut cmd: Command) -> Result<String, GitError> {
    let args: Vec<String> = cmd
        .get_args()
        .skip(2)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let out = cmd.output().map_err(GitError::NotInstalled)?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
    } else {
        Err(GitError::Failed {
            args: args.join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        })
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

impl Repo {
    /// The work tree containing `path` (any folder inside it).
    pub fn discover(path: &Path) -> Result<Repo, GitError> {
        if !path.is_dir() {
            return Err(GitError::NotARepo {
                path: path.to_path_buf(),
                hint: " (no such folder)".into(),
            });
        }
        let mut c = git_in(path);
        c.args(["rev-parse", "--show-toplevel", "--absolute-git-dir"]);
        let out = run(c).map_err(|e| match e {
            GitError::Failed { .. } => GitError::NotARepo {
                path: path.to_path_buf(),
                hint: String::new(),
            },
            e => e,
        })?;
        let mut lines = out.lines();
        let (Some(root), Some(git_dir)) = (lines.next(), lines.next()) else {
            return Err(GitError::NotARepo {
                path: path.to_path_buf(),
                hint: " (bare repositories have no work tree)".into(),
            });
        };
        Ok(Repo {
            root: canonical(Path::new(root)),
            git_dir: canonical(Path::new(git_dir)),
        })
    }

    /// The work tree whose top level is exactly `path`.
    pub fn open(path: &Path) -> Result<Repo, GitError> {
        let hint = " (use --init to create one there)".to_string();
        let repo = Repo::discover(path).map_err(|e| match e {
            GitError::NotARepo { path, .. } => GitError::NotARepo {
                path,
                hint: hint.clone(),
            },
            e => e,
        })?;
        if repo.root != canonical(path) {
            return Err(GitError::NotARepo {
                path: path.to_path_buf(),
                hint: format!(
                    " of its own: it is inside {} (use --init to create one there)",
                    repo.root.display()
                ),
            });
        }
        Ok(repo)
    }

    /// Create `path` (and its parents) and `git init` it, unless it already is a repository.
    pub fn init(path: &Path) -> Result<Repo, GitError> {
        if let Ok(repo) = Repo::open(path) {
            return Ok(repo);
        }
        std::fs::create_dir_all(path)?;
        let mut c = git_in(path);
        c.args(["init", "--quiet"]);
        run(c)?;
        Repo::open(path)
    }

    fn git(&self) -> Command {
        git_in(&self.root)
    }

    /// Every worktree of this repository (the main one included), as absolute paths.
    pub fn worktrees(&self) -> Result<Vec<PathBuf>, GitError> {
        let mut c = self.git();
        c.args(["worktree", "list", "--porcelain"]);
        Ok(run(c)?
            .lines()
            .filter_map(|l| l.strip_prefix("worktree "))
            .map(PathBuf::from)
            .collect())
    }

    /// The URLs of every remote.
    pub fn remote_urls(&self) -> Vec<String> {
        let mut c = self.git();
        c.args(["config", "--get-regexp", r"^remote\..*\.url$"]);
        run(c)
            .map(|out| {
                out.lines()
                    .filter_map(|l| l.split_once(' '))
                    .map(|(_, url)| url.trim().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Fail with [`GitError::NoIdentity`] when git cannot name an author and committer.
    pub fn check_identity(&self) -> Result<(), GitError> {
        for var in ["GIT_AUTHOR_IDENT", "GIT_COMMITTER_IDENT"] {
            let mut c = self.git();
            c.args(["var", var]);
            if let Err(GitError::Failed { stderr, .. }) = run(c) {
                let reason = stderr
                    .lines()
                    .find(|l| l.contains("fatal"))
                    .unwrap_or("no user.name / user.email")
                    .to_string();
                return Err(GitError::NoIdentity(
                    reason.trim_start_matches("fatal: ").to_string(),
                ));
            }
        }
        Ok(())
    }

    /// The current commit, if any.
    pub fn head(&self) -> Option<String> {
        let mut c = self.git();
        c.args(["rev-parse", "-q", "--verify", "HEAD^{commit}"]);
        run(c).ok().filter(|s| !s.is_empty())
    }

    /// Commit the current contents of `paths` (repo-relative files or folders; missing ones
    /// are skipped) and nothing else, on top of HEAD, through a temporary index. The user's
    /// own index keeps their staged changes; its entries for `paths` are refreshed to the new
    /// commit. Returns the new commit, or `None` when nothing changed.
    pub fn commit_paths(
        &self,
        paths: &[String],
        message: &str,
    ) -> Result<Option<String>, GitError> {
        let paths: Vec<&String> = paths
            .iter()
            .filter(|p| self.root.join(p).exists())
            .collect();
        if paths.is_empty() {
            return Ok(None);
        }
        let index = self.git_dir.join("convx").join("commit-index");
        if let Some(dir) = index.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let _ = std::fs::remove_file(&index);
        let head = self.head();
        let with_index = |args: &[&str]| {
            let mut c = self.git();
            c.env("GIT_INDEX_FILE", &index).args(args);
            c
        };
        let result = (|| {
            run(with_index(&[
                "read-tree",
                head.as_deref().unwrap_or("--empty"),
            ]))?;
            let mut add = with_index(&["add", "--all", "--force", "--"]);
            add.args(paths.iter().map(|p| format!(":(literal){p}")));
            run(add)?;
            let tree = run(with_index(&["write-tree"]))?;
            if let Some(h) = &head {
                let mut c = self.git();
                c.args(["rev-parse", &format!("{h}^{{tree}}")]);
                if run(c)? == tree {
                    return Ok(None);
                }
            }
            let mut c = self.git();
            c.args(["commit-tree", &tree, "-m", message]);
            if let Some(h) = &head {
                c.args(["-p", h]);
            }
            let commit = run(c)?;
            let old = head.clone().unwrap_or_else(|| "0".repeat(40));
            let mut c = self.git();
            c.args([
                "update-ref",
                "-m",
                &format!("convx: {}", message.lines().next().unwrap_or("")),
                "HEAD",
                &commit,
                &old,
            ]);
            run(c)?;
            // Make the user's index agree with the new commit for our paths only.
            let mut c = self.git();
            c.args(["reset", "-q", "HEAD", "--"])
                .args(paths.iter().map(|p| format!(":(literal){p}")));
            let _ = run(c);
            Ok(Some(commit))
        })();
        let _ = std::fs::remove_file(&index);
        result
    }

    /// Push the current branch: to its upstream, else to `origin` (setting the upstream).
    pub fn push(&self) -> Result<(), GitError> {
        let mut c = self.git();
        c.args(["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"]);
        if run(c).is_ok() {
            let mut c = self.git();
            c.args(["push", "--quiet"]);
            return run(c).map(|_| ());
        }
        let remotes = {
            let mut c = self.git();
            c.arg("remote");
            run(c)?
        };
        let remote = remotes
            .lines()
            .find(|r| *r == "origin")
            .or_else(|| remotes.lines().next())
            .ok_or(GitError::NoRemote)?;
        let mut c = self.git();
        c.args(["push", "--quiet", "-u", remote, "HEAD"]);
        run(c).map(|_| ())
    }

    /// The hooks folder (honours `core.hooksPath`).
    pub fn hooks_dir(&self) -> Result<PathBuf, GitError> {
        let mut c = self.git();
        c.args(["rev-parse", "--git-path", "hooks"]);
        let p = PathBuf::from(run(c)?);
        Ok(if p.is_absolute() {
            p
        } else {
            self.root.join(p)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_requires_a_repository_top_level() {
        let dir = tempfile::tempdir().unwrap();
        let err = Repo::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("--init"), "{err}");
        let repo = Repo::init(dir.path()).unwrap();
        assert_eq!(repo.root, canonical(dir.path()));
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        let err = Repo::open(&dir.path().join("sub")).unwrap_err();
        assert!(err.to_string().contains("inside"), "{err}");
        assert_eq!(Repo::discover(&dir.path().join("sub")).unwrap(), repo);
    }
}
