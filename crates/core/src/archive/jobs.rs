//! Selecting, naming and preparing the sessions of a run: filters (`--since`, `--agent`),
//! the sync selection, the no-sync marker, file names (kept forever, collisions resolved
//! with a short-id suffix, sub-agents next to their parent) and the links between files.

use super::guard::Guard;
use super::layout::{self, json_path, md_stem, split_dir};
use super::markdown::{Link, RenderContext};
use super::plan::{self, Plan};
use super::run::{ArchiveOptions, Report};
use super::select::Selection;
use super::slug::{key_hash, session_slug, short_id};
use super::source::Discovered;
use super::state::State;
use super::{git::Repo, json};
use convx_model::{Counts, Session};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// One session to render and write.
pub(crate) struct Job {
    pub session: Session,
    pub path: String,
    pub ctx: RenderContext,
}

pub(crate) type Jobs = (Vec<Job>, std::collections::BTreeMap<usize, Vec<Job>>);

/// A new session, its folder and its stem, before collisions are resolved.
type Candidate<'a> = (&'a Session, String, String);

/// Per source read: `Some(keys)` when it was read completely (remember its fingerprint),
/// `None` when it must be read again next time.
pub(crate) struct Incomplete {
    reads: Vec<(usize, Option<Vec<String>>)>,
    sources: HashSet<usize>,
    source_of: HashMap<String, usize>,
}

pub(crate) fn incomplete_reads(
    _disc: &Discovered,
    inc: &mut Incomplete,
    failed_keys: &HashSet<String>,
) -> Vec<(usize, Option<Vec<String>>)> {
    for k in failed_keys {
        if let Some(&i) = inc.source_of.get(k) {
            inc.sources.insert(i);
        }
    }
    std::mem::take(&mut inc.reads)
        .into_iter()
        .map(|(i, keys)| (i, if inc.sources.contains(&i) { None } else { keys }))
        .collect()
}

/// Select, name and prepare the render jobs.
pub(crate) fn plan_jobs(
    repo: &Repo,
    opts: &ArchiveOptions,
    guard: &dyn Guard,
    state: &State,
    plan: Plan,
    report: &mut Report,
) -> (Jobs, Incomplete) {
    let Plan {
        sessions,
        mut events,
        source_of,
        marked,
        reads,
    } = plan;
    let mut incomplete: HashSet<usize> = HashSet::new();
    let by_key: HashMap<&str, &Session> = sessions.iter().map(|s| (s.key.as_str(), s)).collect();
    let mut keep: Vec<&Session> = Vec::new();
    let mut selected_memo: HashMap<&str, bool> = HashMap::new();
    for s in &sessions {
        let filtered = opts
            .since
            .is_some_and(|since| s.ended_at.or(s.started_at).is_some_and(|t| t < since))
            || (!opts.agents.is_empty() && !opts.agents.contains(&s.agent));
        if filtered {
            if let Some(&i) = source_of.get(&s.key) {
                incomplete.insert(i);
            }
            continue;
        }
        if !selected(s, &by_key, opts.selection.as_ref(), &mut selected_memo, 0) {
            continue;
        }
        if ancestors(s, &by_key).any(|k| marked.contains(k)) {
            report.skipped_no_sync += 1;
            continue;
        }
        if s.summary.counts == Counts::default()
            && s.summary.usage.is_zero()
            && events.get(&s.key).is_none_or(|e| e.is_empty())
        {
            report.skipped_empty += 1;
            continue;
        }
        keep.push(s);
    }

    // Names: known sessions keep theirs; new ones are named parents first.
    let mut paths: HashMap<String, String> = state
        .sessions
        .iter()
        .map(|(k, v)| (k.clone(), v.path.clone()))
        .collect();
    let mut taken: HashSet<String> = paths.values().cloned().collect();
    let keep_keys: HashSet<&str> = keep.iter().map(|s| s.key.as_str()).collect();
    let depth_of = |s: &Session| -> usize {
        let mut d = 0;
        let mut cur = s;
        while let Some(p) = cur.parent.as_deref() {
            if d > 32 {
                break;
            }
            match by_key.get(p) {
                Some(ps) if keep_keys.contains(p) => {
                    d += 1;
                    cur = ps;
                }
                _ => {
                    if state.sessions.contains_key(p) {
                        d += 1;
                    }
                    break;
                }
            }
        }
        d
    };
    let mut new: Vec<(usize, &Session)> = keep
        .iter()
        .filter(|s| !paths.contains_key(&s.key))
        .map(|s| (depth_of(s), *s))
        .collect();
    new.sort_by(|a, b| (a.0, a.1.started_at, &a.1.key).cmp(&(b.0, b.1.started_at, &b.1.key)));
    let redact = |c: &str| guard.redact_text(c).into_owned();
    let mut at = 0;
    while at < new.len() {
        let depth = new[at].0;
        let level: Vec<&Session> = new[at..]
            .iter()
            .take_while(|(d, _)| *d == depth)
            .map(|(_, s)| *s)
            .collect();
        at += level.len();
        let mut groups: HashMap<String, Vec<Candidate>> = HashMap::new();
        for s in level {
            let slug = session_slug(s);
            let (dir, stem) = match s.parent.as_deref().and_then(|p| paths.get(p)) {
                Some(pp) => (
                    split_dir(pp).0.to_string(),
                    layout::child_stem(md_stem(pp), s, &slug),
                ),
                None => (opts.layout.session_dir(s, &redact), layout::stem(s, &slug)),
            };
            groups
                .entry(format!("{dir}/{stem}.md"))
                .or_default()
                .push((s, dir, stem));
        }
        let mut names: Vec<(String, Vec<Candidate>)> = groups.into_iter().collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        for (candidate, members) in names {
            let clash = members.len() > 1 || taken.contains(&candidate);
            for (s, dir, stem) in members {
                let path = if !clash && !foreign(&repo.root, &candidate, &s.key) {
                    candidate.clone()
                } else {
                    unique(&repo.root, &dir, &stem, &s.key, &taken)
                };
                taken.insert(path.clone());
                paths.insert(s.key.clone(), path);
            }
        }
    }

    let mut kept: Vec<Job> = Vec::new();
    let mut reread: std::collections::BTreeMap<usize, Vec<Job>> = std::collections::BTreeMap::new();
    let keep_keys: Vec<String> = keep.iter().map(|s| s.key.clone()).collect();
    drop(keep);
    drop(by_key);
    let mut owned: HashMap<String, Session> =
        sessions.into_iter().map(|s| (s.key.clone(), s)).collect();
    for key in keep_keys {
        let session = owned.remove(&key).expect("kept sessions are owned");
        let path = paths[&key].clone();
        let link = |k: &String| Link {
            key: k.clone(),
            file: paths.get(k).map(|p| layout::relative_link(&path, p)),
        };
        let ctx = RenderContext {
            options: opts.render,
            cwd: layout::cwd_display(session.cwd.as_deref(), opts.layout.home.as_deref()),
            parent: session.parent.as_ref().map(link),
            children: session.children.iter().map(link).collect(),
            stem: md_stem(&path).to_string(),
        };
        match events.remove(&key) {
            Some(ev) => kept.push(Job {
                session: plan::assemble(session, ev),
                path,
                ctx,
            }),
            None => reread
                .entry(source_of[&key])
                .or_default()
                .push(Job { session, path, ctx }),
        }
    }
    let reads: Vec<(usize, Option<Vec<String>>)> = reads
        .into_iter()
        .map(|(i, r)| {
            (
                i,
                if r.error.is_some() {
                    None
                } else {
                    Some(r.keys)
                },
            )
        })
        .collect();
    (
        (kept, reread),
        Incomplete {
            reads,
            sources: incomplete,
            source_of,
        },
    )
}

fn selected<'a>(
    s: &'a Session,
    by_key: &HashMap<&'a str, &'a Session>,
    sel: Option<&Selection>,
    memo: &mut HashMap<&'a str, bool>,
    depth: usize,
) -> bool {
    let Some(sel) = sel else { return true };
    if let Some(&v) = memo.get(s.key.as_str()) {
        return v;
    }
    let v = sel.matches(s)
        || (depth < 32
            && s.parent
                .as_deref()
                .and_then(|p| by_key.get(p))
                .is_some_and(|p| selected(p, by_key, Some(sel), memo, depth + 1)));
    memo.insert(s.key.as_str(), v);
    v
}

/// The session's key and its ancestors' keys.
fn ancestors<'a>(
    s: &'a Session,
    by_key: &'a HashMap<&'a str, &'a Session>,
) -> impl Iterator<Item = &'a str> + 'a {
    let mut cur = Some(s.key.as_str());
    let mut n = 0;
    std::iter::from_fn(move || {
        let k = cur?;
        n += 1;
        cur = if n > 32 {
            None
        } else {
            by_key.get(k).and_then(|s| s.parent.as_deref())
        };
        Some(k)
    })
}

/// True when `rel` exists and belongs to another session.
fn foreign(root: &Path, rel: &str, key: &str) -> bool {
    if !root.join(rel).exists() {
        return false;
    }
    let mut head = vec![0u8; 1024];
    let n = std::fs::File::open(root.join(json_path(rel)))
        .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
        .unwrap_or(0);
    json::peek_key(&String::from_utf8_lossy(&head[..n])).as_deref() != Some(key)
}

/// A free name for `key` in `dir`: `<stem>-<short id>`, then longer hashes.
fn unique(root: &Path, dir: &str, stem: &str, key: &str, taken: &HashSet<String>) -> String {
    let id = key.split_once(':').map_or(key, |(_, id)| id);
    let mut candidates = vec![
        format!("{stem}-{}", short_id(id)),
        format!("{stem}-{}", key_hash(key, 12)),
    ];
    candidates.extend((2..100).map(|n| format!("{stem}-{}-{n}", key_hash(key, 12))));
    for c in candidates {
        let rel = format!("{dir}/{c}.md");
        if !taken.contains(&rel) && !foreign(root, &rel, key) {
            return rel;
        }
    }
    format!("{dir}/{stem}-{}.md", key_hash(key, 40))
}
