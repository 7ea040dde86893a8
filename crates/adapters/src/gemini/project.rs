//! Mapping a Gemini project folder (`tmp/<project-id>/`) to the project root path.
//!
//! * v0.29+ slug folders hold a `.project_root` file with the owning path, and the registry
//!   `~/.gemini/projects.json` (`{"projects": {"<path>": "<slug>"}}`) maps paths to slugs.
//! * v0.2–v0.28 folders are named by the lowercase hex SHA-256 of the project root string;
//!   the path is recovered by hashing candidates: registry paths, the record's `directories`,
//!   and ancestors of absolute paths found in tool arguments. Every record's `projectHash` is
//!   the same SHA-256, so candidates are checked against it too.

use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Name of the ownership marker in slug folders.
pub const PROJECT_ROOT_FILE: &str = ".project_root";
/// Name of the project registry in the Gemini home.
pub const REGISTRY_FILE: &str = "projects.json";

/// Lowercase hex SHA-256 of a path string (Gemini's `getProjectHash`).
pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// True for a 64-character lowercase hex folder name (hash-era project id).
pub fn is_hash_name(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// How a project root was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootVia {
    /// The folder's `.project_root` file.
    ProjectRootFile,
    /// The `projects.json` registry (slug or hash match).
    Registry,
    /// A candidate path whose SHA-256 equals the record's `projectHash`.
    HashMatch,
}

impl RootVia {
    /// Short label kept in session metadata.
    pub fn label(self) -> &'static str {
        match self {
            RootVia::ProjectRootFile => "project_root_file",
            RootVia::Registry => "projects_json",
            RootVia::HashMatch => "hash_match",
        }
    }
}

/// The `projects.json` registry, indexed both ways.
#[derive(Debug, Default, Clone)]
pub struct Registry {
    /// Where it was read from.
    pub path: Option<PathBuf>,
    by_slug: HashMap<String, String>,
    by_hash: HashMap<String, String>,
}

impl Registry {
    /// Read `<gemini home>/projects.json`; a missing or malformed file gives an empty registry.
    pub fn load(gemini_home: &Path) -> Registry {
        let path = gemini_home.join(REGISTRY_FILE);
        let Ok(bytes) = std::fs::read(&path) else {
            return Registry::default();
        };
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
            return Registry::default();
        };
        let mut reg = Registry {
            path: Some(path),
            ..Registry::default()
        };
        if let Some(projects) = v.get("projects").and_then(|p| p.as_object()) {
            for (root, slug) in projects {
                if let Some(slug) = slug.as_str() {
                    reg.by_slug.insert(slug.to_string(), root.clone());
                }
                reg.by_hash.insert(sha256_hex(root), root.clone());
            }
        }
        reg
    }

    /// The root registered for a slug or hash folder name.
    pub fn lookup(&self, folder: &str) -> Option<&str> {
        self.by_slug
            .get(folder)
            .or_else(|| self.by_hash.get(folder))
            .map(String::as_str)
    }

    /// The root whose hash is `hash`, if registered.
    pub fn by_hash(&self, hash: &str) -> Option<&str> {
        self.by_hash.get(hash).map(String::as_str)
    }
}

/// The content of `<project dir>/.project_root`, trimmed.
pub fn read_project_root_file(project_dir: &Path) -> Option<String> {
    let s = std::fs::read_to_string(project_dir.join(PROJECT_ROOT_FILE)).ok()?;
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

/// Resolve a project folder from the files next to it. Returns the root, how it was found and
/// the file that told (to be fingerprinted with the session).
pub fn resolve_folder(
    project_dir: &Path,
    registry: &Registry,
) -> Option<(String, RootVia, PathBuf)> {
    if let Some(root) = read_project_root_file(project_dir) {
        return Some((
            root,
            RootVia::ProjectRootFile,
            project_dir.join(PROJECT_ROOT_FILE),
        ));
    }
    let name = project_dir.file_name()?.to_str()?;
    let root = registry.lookup(name)?;
    Some((root.to_string(), RootVia::Registry, registry.path.clone()?))
}

/// Absolute path strings seen in a session (tool arguments, directories), kept to find the
/// project root of hash-named folders. Bounded.
#[derive(Debug, Default)]
pub struct PathCandidates {
    paths: Vec<String>,
    seen: HashSet<String>,
}

const MAX_CANDIDATES: usize = 48;

impl PathCandidates {
    /// Remember `p` if it looks like an absolute path (POSIX or Windows).
    pub fn add(&mut self, p: &str) {
        if self.paths.len() >= MAX_CANDIDATES || p.len() > 4096 || p.contains('\n') {
            return;
        }
        let b = p.as_bytes();
        let abs = p.starts_with('/')
            || (b.len() >= 3
                && b[0].is_ascii_alphabetic()
                && b[1] == b':'
                && (b[2] == b'\\' || b[2] == b'/'));
        if abs && self.seen.insert(p.to_string()) {
            self.paths.push(p.to_string());
        }
    }

    /// Collect path-like string arguments of a tool call.
    pub fn add_from_args(&mut self, args: &serde_json::Value) {
        const KEYS: &[&str] = &[
            "absolute_path",
            "file_path",
            "path",
            "dir_path",
            "directory",
            "cwd",
            "dir",
        ];
        let Some(o) = args.as_object() else { return };
        for k in KEYS {
            if let Some(s) = o.get(*k).and_then(|v| v.as_str()) {
                self.add(s);
            }
        }
        if let Some(list) = o.get("paths").and_then(|v| v.as_array()) {
            list.iter()
                .filter_map(|v| v.as_str())
                .for_each(|s| self.add(s));
        }
    }

    /// The first candidate (or ancestor of one) whose SHA-256 is `hash`.
    pub fn find(&self, hash: &str) -> Option<String> {
        let mut tried = HashSet::new();
        for p in &self.paths {
            for cand in ancestors(p) {
                if tried.insert(cand) && sha256_hex(cand) == hash {
                    return Some(cand.to_string());
                }
            }
        }
        None
    }
}

/// `p` and its ancestors (splitting on `/` and `\`), longest first, without trailing
/// separators; the filesystem root itself is not a candidate.
fn ancestors(p: &str) -> Vec<&str> {
    let trimmed = p.trim_end_matches(['/', '\\']);
    let mut out = Vec::new();
    if trimmed.is_empty() {
        return out;
    }
    out.push(trimmed);
    for (i, c) in trimmed.char_indices().rev() {
        if (c == '/' || c == '\\') && i > 0 {
            let a = trimmed[..i].trim_end_matches(['/', '\\']);
            if !a.is_empty() && !a.ends_with(':') {
                out.push(a);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_of_root_matches_gemini() {
        // echo -n /home/ana/src/webshop | sha256sum
        assert_eq!(
            sha256_hex("/home/ana/src/webshop"),
            "dbc31b1465ce4e4031c677be7a94e736b1297baabf00bbf1f3b1c97f906dab97"
        );
        assert!(is_hash_name(&sha256_hex("/x")));
        assert!(!is_hash_name("webshop"));
    }

    #[test]
    fn ancestors_split_both_separators() {
        assert_eq!(ancestors("/a/b/c.txt"), vec!["/a/b/c.txt", "/a/b", "/a"]);
        assert_eq!(
            ancestors(r"C:\Users\ana\p\x.rs"),
            vec![
                r"C:\Users\ana\p\x.rs",
                r"C:\Users\ana\p",
                r"C:\Users\ana",
                r"C:\Users"
            ]
        );
    }

    #[test]
    fn candidates_find_root_by_hash() {
        let mut c = PathCandidates::default();
        c.add("relative/path");
        c.add_from_args(&serde_json::json!({"absolute_path": "/home/ana/src/webshop/src/cart.ts"}));
        let h = sha256_hex("/home/ana/src/webshop");
        assert_eq!(c.find(&h).as_deref(), Some("/home/ana/src/webshop"));
        assert_eq!(c.find(&sha256_hex("/nowhere")), None);
    }
}
