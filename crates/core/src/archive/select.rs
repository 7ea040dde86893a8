//! Which sessions `convx sync` archives into a project: those whose cwd is inside the
//! project's work tree or any of its worktrees, or whose recorded git remote is one of the
//! project's remotes (so a moved or re-cloned project keeps its history). Nothing is
//! guessed from folder names. Sub-agents follow their parent.

use convx_model::Session;
use std::path::{Path, PathBuf};

/// The marker that keeps a session out of every archive when a user prompt contains it.
pub const NO_SYNC_MARKER: &str = "CONVX_NO_SYNC";

/// The project a sync selects for.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    roots: Vec<Vec<String>>,
    remotes: Vec<String>,
}

impl Selection {
    /// Select by these work-tree roots and remote URLs.
    pub fn new(roots: &[PathBuf], remotes: &[String]) -> Selection {
        let mut r: Vec<Vec<String>> = Vec::new();
        for root in roots {
            for p in [
                root.clone(),
                std::fs::canonicalize(root).unwrap_or_else(|_| root.clone()),
            ] {
                let parts = components(&p.to_string_lossy());
                if !parts.is_empty() && !r.contains(&parts) {
                    r.push(parts);
                }
            }
        }
        let mut remotes: Vec<String> = remotes.iter().filter_map(|u| normalize_remote(u)).collect();
        remotes.sort();
        remotes.dedup();
        r.sort();
        Selection { roots: r, remotes }
    }

    /// True when `s` belongs to the project (its own cwd or remote; parents are handled by
    /// the caller).
    pub fn matches(&self, s: &Session) -> bool {
        if let Some(cwd) = s.cwd.as_deref().filter(|c| !c.trim().is_empty()) {
            let mut candidates = vec![components(cwd)];
            if let Ok(real) = std::fs::canonicalize(Path::new(cwd)) {
                candidates.push(components(&real.to_string_lossy()));
            }
            if candidates.iter().any(|c| {
                self.roots
                    .iter()
                    .any(|r| c.len() >= r.len() && c[..r.len()] == r[..])
            }) {
                return true;
            }
        }
        s.git
            .remote
            .as_deref()
            .and_then(normalize_remote)
            .is_some_and(|r| self.remotes.contains(&r))
    }

    /// A stable description of the selection (part of the state signature).
    pub fn signature(&self) -> String {
        let roots: Vec<String> = self.roots.iter().map(|r| r.join("/")).collect();
        format!(
            "roots={};remotes={}",
            roots.join(","),
            self.remotes.join(",")
        )
    }
}

fn components(p: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in p.split(['/', '\\']).filter(|s| !s.is_empty() && *s != ".") {
        if part == ".." {
            out.pop();
        } else {
            out.push(part.to_string());
        }
    }
    out
}

/// A git remote URL reduced to `host/path`, lowercased, without scheme, user, password,
/// port or `.git`: `git@github.com:o/r.git`, `https://github.com/o/r`,
/// `ssh://git@github.com:22/o/r.git` all become `github.com/o/r`. Local paths are kept as
/// paths. `None` for an empty URL.
pub fn normalize_remote(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() {
        return None;
    }
    let (host, path) = if let Some((_, rest)) = url.split_once("://") {
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host = host.split_once(':').map_or(host, |(h, _)| h);
        (host.to_string(), path.to_string())
    } else if let Some((before, path)) = url
        .split_once(':')
        .filter(|(b, _)| !b.contains('/') && b.len() > 1)
    {
        // scp-like: [user@]host:path
        let host = before.rsplit_once('@').map_or(before, |(_, h)| h);
        (host.to_string(), path.to_string())
    } else {
        (String::new(), url.to_string())
    };
    let path = path.trim_matches('/');
    let path = path
        .strip_suffix(".git")
        .unwrap_or(path)
        .trim_end_matches('/');
    let joined = if host.is_empty() {
        path.to_string()
    } else {
        format!("{host}/{path}")
    };
    let joined = joined.to_lowercase();
    (!joined.is_empty()).then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::Agent;

    #[test]
    fn remote_forms_are_equal() {
        let want = Some("github.com/o/r".to_string());
        for u in [
            "git@github.com:o/r.git",
            "https://github.com/o/r",
            "https://github.com/O/R.git/",
            "ssh://git@github.com:22/o/r.git",
            "https://user:tok@github.com/o/r.git",
            "git+ssh://git@github.com/o/r",
        ] {
            assert_eq!(normalize_remote(u), want, "{u}");
        }
        assert_ne!(normalize_remote("git@github.com:o/other.git"), want);
        assert_eq!(normalize_remote(""), None);
    }

    #[test]
    fn cwd_inside_a_root_or_matching_remote() {
        let sel = Selection::new(
            &[PathBuf::from("/w/app"), PathBuf::from("/w/app-wt")],
            &["git@h.com:o/app.git".into()],
        );
        let mut s = Session::new(Agent::Codex, "x");
        s.cwd = Some("/w/app/src".into());
        assert!(sel.matches(&s));
        s.cwd = Some("/w/app-wt".into());
        assert!(sel.matches(&s));
        s.cwd = Some("/w/application".into());
        assert!(!sel.matches(&s), "prefix of a name is not inside");
        s.git.remote = Some("https://h.com/o/app".into());
        assert!(sel.matches(&s));
        s.cwd = None;
        s.git.remote = None;
        assert!(!sel.matches(&s));
    }
}
