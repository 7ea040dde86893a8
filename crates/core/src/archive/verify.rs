//! `convx verify`: check an archive without trusting it.
//!
//! * every manifest parses, and every file it lists exists with that SHA-256;
//! * every session file is listed by some manifest;
//! * every JSON parses as a session and has its Markdown beside it (and the reverse);
//! * every Markdown is exactly what its JSON renders to (with the links, cwd and options
//!   recorded in its front matter, which must agree with the JSON);
//! * no file holds a secret (the same residue scan as before writing).

use super::guard::Guard;
use super::json::read_session;
use super::layout::{META_DIR, json_path, md_path, md_stem};
use super::manifest::Manifest;
use super::markdown::{self, RenderContext, front};
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One problem found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Repo-relative path.
    pub path: String,
    /// What is wrong.
    pub what: String,
}

/// What `verify` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct VerifyReport {
    /// The history root checked (repo-relative).
    pub history: String,
    /// Sessions (Markdown + JSON pairs) checked.
    pub sessions: u64,
    /// Files listed in manifests.
    pub files: u64,
    /// Manifests read.
    pub manifests: u64,
    /// Problems, sorted by path.
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when nothing is wrong.
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

fn walk(root: &Path, rel: &str, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(root.join(rel)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let child = format!("{rel}/{name}");
        match e.file_type() {
            Ok(t) if t.is_dir() => walk(root, &child, out),
            Ok(t) if t.is_file() => out.push(child),
            _ => {}
        }
    }
}

fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h)?;
    Ok(hex::encode(h.finalize()))
}

/// Verify the archive under `root/history`.
pub fn verify(root: &Path, history: &str, guard: &dyn Guard) -> VerifyReport {
    let mut report = VerifyReport {
        history: history.to_string(),
        ..VerifyReport::default()
    };
    let mut problems: Vec<Problem> = Vec::new();
    let mut files = Vec::new();
    walk(root, history, &mut files);
    let meta_prefix = format!("{history}/{META_DIR}/");
    let (meta, session_files): (Vec<String>, Vec<String>) =
        files.into_iter().partition(|f| f.starts_with(&meta_prefix));

    // Manifests.
    let mut listed: BTreeMap<String, String> = BTreeMap::new();
    for m in meta.iter().filter(|m| m.ends_with(".sha256")) {
        report.manifests += 1;
        let text = match std::fs::read_to_string(root.join(m)) {
            Ok(t) => t,
            Err(e) => {
                problems.push(Problem {
                    path: m.clone(),
                    what: format!("cannot read manifest: {e}"),
                });
                continue;
            }
        };
        match Manifest::parse(&text) {
            Ok(parsed) => listed.extend(parsed.entries),
            Err(e) => problems.push(Problem {
                path: m.clone(),
                what: format!("bad manifest: {e}"),
            }),
        }
        for f in guard.check_residue(&text) {
            problems.push(Problem {
                path: m.clone(),
                what: format!("possible secret ({}) at line {}", f.rule, f.line),
            });
        }
    }
    report.files = listed.len() as u64;
    let hashed: Vec<Problem> = listed
        .par_iter()
        .filter_map(|(path, want)| match sha256_file(&root.join(path)) {
            Ok(got) if got == *want => None,
            Ok(_) => Some(Problem {
                path: path.clone(),
                what: "content differs from the manifest (changed since written)".into(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Some(Problem {
                path: path.clone(),
                what: "listed in the manifest but missing".into(),
            }),
            Err(e) => Some(Problem {
                path: path.clone(),
                what: format!("cannot read: {e}"),
            }),
        })
        .collect();
    problems.extend(hashed);

    // Pairs.
    let all: BTreeSet<&String> = session_files.iter().collect();
    let mut mds: Vec<&String> = Vec::new();
    for f in &session_files {
        let name = f.rsplit('/').next().unwrap_or(f);
        if name.starts_with('.') && name.ends_with(".json") {
            let md = md_path(f).unwrap_or_default();
            if !all.contains(&md) {
                problems.push(Problem {
                    path: f.clone(),
                    what: format!("no Markdown beside it ({md})"),
                });
            }
        } else if name.ends_with(".md") {
            if !all.contains(&json_path(f)) {
                problems.push(Problem {
                    path: f.clone(),
                    what: format!("no JSON beside it ({})", json_path(f)),
                });
            } else {
                mds.push(f);
            }
        } else {
            continue;
        }
        if !listed.contains_key(f.as_str()) {
            problems.push(Problem {
                path: f.clone(),
                what: "not listed in any manifest".into(),
            });
        }
    }
    report.sessions = mds.len() as u64;
    let leaks: Vec<Problem> = session_files
        .par_iter()
        .flat_map_iter(|f| residue(root, f, guard))
        .collect();
    problems.extend(leaks);
    let checked: Vec<Vec<Problem>> = mds.par_iter().map(|md| check_pair(root, md)).collect();
    problems.extend(checked.into_iter().flatten());
    problems.sort_by(|a, b| (&a.path, &a.what).cmp(&(&b.path, &b.what)));
    problems.dedup();
    report.problems = problems;
    report
}

fn residue(root: &Path, rel: &str, guard: &dyn Guard) -> Vec<Problem> {
    let Ok(bytes) = std::fs::read(root.join(rel)) else {
        return Vec::new();
    };
    guard
        .check_residue(&String::from_utf8_lossy(&bytes))
        .into_iter()
        .map(|f| Problem {
            path: rel.to_string(),
            what: format!("possible secret ({}) at line {}", f.rule, f.line),
        })
        .collect()
}

fn check_pair(root: &Path, md: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let jp = json_path(md);
    let problem = |path: &str, what: String| Problem {
        path: path.to_string(),
        what,
    };
    let (json_bytes, md_text) = match (
        std::fs::read(root.join(&jp)),
        std::fs::read_to_string(root.join(md)),
    ) {
        (Ok(j), Ok(m)) => (j, m),
        (Err(e), _) => return vec![problem(&jp, format!("cannot read: {e}"))],
        (_, Err(e)) => return vec![problem(md, format!("cannot read: {e}"))],
    };
    let session = match read_session(&json_bytes) {
        Ok(s) => s,
        Err(e) => {
            out.push(problem(&jp, format!("not a valid session JSON: {e}")));
            return out;
        }
    };
    drop(json_bytes);
    let Some(rec) = front::read(&md_text) else {
        out.push(problem(md, "no convx front matter".into()));
        return out;
    };
    let cwd_ok = match (
        &rec.cwd,
        session
            .cwd
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty()),
    ) {
        (None, None) => true,
        (Some(shown), Some(cwd)) if shown == "~" || shown.starts_with("~/") => {
            let rest = shown.trim_start_matches('~');
            cwd.replace('\\', "/")
                .trim_end_matches('/')
                .ends_with(rest.trim_end_matches('/'))
        }
        (Some(shown), Some(cwd)) => shown == cwd,
        _ => false,
    };
    if !cwd_ok {
        out.push(problem(
            md,
            "front matter cwd does not match the JSON".into(),
        ));
    }
    if rec.parent.as_ref().map(|p| &p.key) != session.parent.as_ref() {
        out.push(problem(
            md,
            "front matter parent does not match the JSON".into(),
        ));
    }
    if rec
        .children
        .iter()
        .map(|c| &c.key)
        .ne(session.children.iter())
    {
        out.push(problem(
            md,
            "front matter children do not match the JSON".into(),
        ));
    }
    let ctx = RenderContext {
        options: rec.options,
        cwd: rec.cwd,
        parent: rec.parent,
        children: rec.children,
        stem: md_stem(md).to_string(),
    };
    let rendered = markdown::render(&session, &ctx);
    if rendered != md_text {
        let line = rendered
            .lines()
            .zip(md_text.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || rendered.lines().count().min(md_text.lines().count()) + 1,
                |i| i + 1,
            );
        out.push(problem(
            md,
            format!("does not match its JSON (first difference at line {line})"),
        ));
    }
    out
}
