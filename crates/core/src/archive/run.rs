//! One archive run: skip what did not change, read the rest with its family, name, render,
//! guard and write, then update the manifest and the state.

use super::guard::Guard;
use super::layout::{self, Layout, json_path, md_stem, split_dir};
use super::manifest::Manifest;
use super::markdown::{self, Link, RenderContext, RenderOptions};
use super::plan::{self, Plan};
use super::select::Selection;
use super::slug::{key_hash, session_slug, short_id};
use super::source::{Discovered, SessionSource};
use super::state::{STATE_VERSION, SessionState, SourceState, State, recover_paths, state_path};
use super::write::{GuardedWriter, Outcome, TempDir, place, write_if_changed};
use super::{ArchiveError, Progress, git::Repo, json};
use convx_model::{Agent, Counts, Session, Timestamp};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

/// How to run.
#[derive(Debug, Clone)]
pub struct ArchiveOptions {
    /// Where files go.
    pub layout: Layout,
    /// For `sync`: which sessions belong to the project (`None` archives everything).
    pub selection: Option<Selection>,
    /// What the Markdown includes.
    pub render: RenderOptions,
    /// Only sessions active at or after this instant.
    pub since: Option<Timestamp>,
    /// Only these agents (empty: all).
    pub agents: Vec<Agent>,
    /// Compute and report, write nothing.
    pub dry_run: bool,
    /// Delete the files of sessions whose source file is gone (off by default: the archive
    /// keeps sessions the agents deleted).
    pub prune_missing: bool,
    /// Re-read every source even if unchanged.
    pub rescan: bool,
    /// Bytes of sources whose sessions may stay in memory between planning and writing;
    /// past it, sources are read a second time when written.
    pub memory_budget: u64,
}

impl ArchiveOptions {
    /// Defaults for `layout`: everything, no reasoning or context, 128 MB budget.
    pub fn new(layout: Layout) -> Self {
        ArchiveOptions {
            layout,
            selection: None,
            render: RenderOptions::default(),
            since: None,
            agents: Vec::new(),
            dry_run: false,
            prune_missing: false,
            rescan: false,
            memory_budget: 128 * 1024 * 1024,
        }
    }

    fn signature(&self) -> String {
        format!(
            "renderer={};reasoning={};context={};home={};{}",
            markdown::RENDERER_VERSION,
            self.render.reasoning,
            self.render.context,
            self.layout.home.as_deref().unwrap_or(""),
            self.selection
                .as_ref()
                .map(Selection::signature)
                .unwrap_or_default()
        )
    }
}

/// A session not written because its rendered files still held a secret.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Withheld {
    /// Session key.
    pub key: String,
    /// The file it would have been written to.
    pub path: String,
    /// `<rule> in <file> line <n>` for each finding.
    pub reasons: Vec<String>,
}

/// A file written (or, in a dry run, that would be).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileChange {
    /// Session key.
    pub key: String,
    /// Repo-relative `.md` path.
    pub path: String,
    /// `created` or `updated`.
    pub outcome: Outcome,
}

/// What a run did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    /// Nothing was written.
    pub dry_run: bool,
    /// Sessions written for the first time.
    pub new: u64,
    /// Sessions whose files changed.
    pub updated: u64,
    /// Archived sessions left as they were (most in sources that were not even read).
    pub unchanged: u64,
    /// Sessions withheld by the residue scan.
    pub withheld: Vec<Withheld>,
    /// Sessions skipped because a user prompt contains `CONVX_NO_SYNC` (and their sub-agents).
    pub skipped_no_sync: u64,
    /// Sessions with nothing in them.
    pub skipped_empty: u64,
    /// Records the readers skipped (bad lines...).
    pub skipped_records: u64,
    /// Sources found.
    pub sources_total: u64,
    /// Sources read in this run.
    pub sources_read: u64,
    /// Bytes of the sources read.
    pub bytes_read: u64,
    /// Sources or sessions that failed, with the reason.
    pub errors: Vec<String>,
    /// Files deleted by `--prune-missing`.
    pub pruned: Vec<String>,
    /// The files written.
    pub files: Vec<FileChange>,
    /// Wall time in milliseconds.
    pub duration_ms: u64,
}

impl Report {
    /// True when something went wrong (withheld sessions, unreadable sources).
    pub fn has_problems(&self) -> bool {
        !self.withheld.is_empty() || !self.errors.is_empty()
    }
}

enum Status {
    Written {
        md: Outcome,
        json: Outcome,
        md_sha: String,
        json_sha: String,
    },
    Withheld(Vec<String>),
    Failed(String),
}

struct Done {
    key: String,
    path: String,
    parent: Option<String>,
    children: Vec<String>,
    status: Status,
}

struct Job {
    session: Session,
    path: String,
    ctx: RenderContext,
}

/// Run the archive into `repo`.
pub fn run(
    repo: &Repo,
    opts: &ArchiveOptions,
    source: &dyn SessionSource,
    guard: &dyn Guard,
    progress: &dyn Progress,
) -> Result<Report, ArchiveError> {
    let started = Instant::now();
    let tmp_path = repo.git_dir.join("convx").join("tmp");
    let tmp =
        TempDir::new(tmp_path.clone()).map_err(ArchiveError::io("cannot prepare", &tmp_path))?;
    let state_file = state_path(&repo.git_dir, &opts.layout);
    let mut state = State::load(&state_file).unwrap_or_else(|| {
        let mut s = State {
            version: STATE_VERSION,
            ..State::default()
        };
        for (key, path) in recover_paths(&repo.root, &opts.layout) {
            s.sessions.insert(
                key,
                SessionState {
                    path,
                    parent: None,
                    children: Vec::new(),
                },
            );
        }
        s
    });
    let signature = opts.signature();
    let full = opts.rescan || state.signature != signature;
    let disc = source.discover();
    let mut report = Report {
        dry_run: opts.dry_run,
        sources_total: disc.sources.len() as u64,
        errors: disc.errors.clone(),
        skipped_records: disc.warnings,
        ..Report::default()
    };

    let mut initial: BTreeSet<usize> = BTreeSet::new();
    for (i, src) in disc.sources.iter().enumerate() {
        match state.sources.get(&*src.path.to_string_lossy()) {
            Some(st) if !full && st.fingerprint == src.fingerprint => {}
            _ => {
                initial.insert(i);
            }
        }
    }
    heal_missing_files(repo, &state, &disc, &mut initial);

    if initial.is_empty() && !opts.prune_missing {
        report.unchanged = state.sessions.len() as u64;
        if !opts.dry_run && state.signature != signature {
            state.signature = signature;
            state
                .save(&state_file, &tmp)
                .map_err(ArchiveError::io("cannot write", &state_file))?;
        }
        report.duration_ms = started.elapsed().as_millis() as u64;
        return Ok(report);
    }

    let plan = plan::read_and_decide(
        &disc,
        initial,
        &state,
        source,
        guard,
        opts.memory_budget,
        progress,
    );
    for (&i, read) in &plan.reads {
        report.sources_read += 1;
        report.bytes_read += disc.sources[i].fingerprint.size;
        report.skipped_records += read.warnings;
        if let Some(e) = &read.error {
            report.errors.push(e.clone());
        }
    }
    let (jobs, mut incomplete) = plan_jobs(repo, opts, guard, &state, plan, &mut report);
    let (kept, reread) = jobs;

    progress.phase(
        "writing",
        (kept.len() + reread.values().map(Vec::len).sum::<usize>()) as u64,
    );
    let write_one =
        |job: Job| -> Done { write_job(repo, job, &tmp, guard, opts.dry_run, progress) };
    let mut done: Vec<Done> = kept.into_par_iter().map(write_one).collect();
    let reread: Vec<(usize, Vec<Job>)> = reread.into_iter().collect();
    let more: Vec<Vec<Done>> = reread
        .into_par_iter()
        .map(
            |(i, jobs)| match plan::read_source(source, guard, &disc.sources[i]) {
                Ok((mut sessions, _)) => jobs
                    .into_iter()
                    .map(|mut job| {
                        let found = sessions.iter().position(|s| s.key == job.session.key);
                        match found {
                            Some(at) => {
                                let events = std::mem::take(&mut sessions[at].events);
                                job.session = plan::assemble(job.session, events);
                                write_one(job)
                            }
                            None => failed(
                                job,
                                "the session vanished from its source while archiving".into(),
                            ),
                        }
                    })
                    .collect(),
                Err(e) => jobs.into_iter().map(|job| failed(job, e.clone())).collect(),
            },
        )
        .collect();
    done.extend(more.into_iter().flatten());
    done.sort_by(|a, b| a.path.cmp(&b.path));

    let manifest_rel = opts.layout.manifest_path();
    let manifest_file = repo.root.join(&manifest_rel);
    let mut manifest = std::fs::read_to_string(&manifest_file)
        .ok()
        .and_then(|t| Manifest::parse(&t).ok())
        .unwrap_or_default();
    if opts.prune_missing {
        prune(
            repo,
            &disc,
            &mut state,
            &mut manifest,
            &mut report,
            opts.dry_run,
        );
    }
    let mut failed_keys: HashSet<String> = HashSet::new();
    for d in &done {
        match &d.status {
            Status::Written {
                md,
                json,
                md_sha,
                json_sha,
            } => {
                let outcome = if *md == Outcome::Created {
                    Some(Outcome::Created)
                } else if *md == Outcome::Updated || *json != Outcome::Unchanged {
                    Some(Outcome::Updated)
                } else {
                    None
                };
                match outcome {
                    Some(Outcome::Created) => report.new += 1,
                    Some(_) => report.updated += 1,
                    None => {}
                }
                if let Some(outcome) = outcome {
                    report.files.push(FileChange {
                        key: d.key.clone(),
                        path: d.path.clone(),
                        outcome,
                    });
                }
                manifest.entries.insert(d.path.clone(), md_sha.clone());
                manifest
                    .entries
                    .insert(json_path(&d.path), json_sha.clone());
            }
            Status::Withheld(reasons) => {
                failed_keys.insert(d.key.clone());
                report.withheld.push(Withheld {
                    key: d.key.clone(),
                    path: d.path.clone(),
                    reasons: reasons.clone(),
                });
            }
            Status::Failed(e) => {
                failed_keys.insert(d.key.clone());
                report.errors.push(format!("{}: {e}", d.key));
            }
        }
    }
    for (i, read) in &incomplete_reads(&disc, &mut incomplete, &failed_keys) {
        let path = disc.sources[*i].path.to_string_lossy().into_owned();
        match read {
            Some(keys) => {
                state.sources.insert(
                    path,
                    SourceState {
                        fingerprint: disc.sources[*i].fingerprint,
                        keys: keys.clone(),
                    },
                );
            }
            None => {
                state.sources.remove(&path);
            }
        }
    }
    for d in done {
        if !matches!(d.status, Status::Failed(_)) {
            state.sessions.insert(
                d.key,
                SessionState {
                    path: d.path,
                    parent: d.parent,
                    children: d.children,
                },
            );
        }
    }
    let withheld_known = report
        .withheld
        .iter()
        .filter(|w| state.sessions.contains_key(&w.key))
        .count() as u64;
    report.unchanged =
        (state.sessions.len() as u64).saturating_sub(report.new + report.updated + withheld_known);
    state.signature = signature;
    if !opts.dry_run {
        if !manifest.entries.is_empty() || manifest_file.exists() {
            if let Some(dir) = manifest_file.parent() {
                std::fs::create_dir_all(dir).map_err(ArchiveError::io("cannot create", dir))?;
            }
            write_if_changed(&manifest_file, manifest.render().as_bytes(), &tmp)
                .map_err(ArchiveError::io("cannot write", &manifest_file))?;
        }
        state
            .save(&state_file, &tmp)
            .map_err(ArchiveError::io("cannot write", &state_file))?;
    }
    report.duration_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// Sources whose archived files are gone from the work tree are read again. One
/// `read_dir` per archive folder, not one `stat` per file.
fn heal_missing_files(
    repo: &Repo,
    state: &State,
    disc: &Discovered,
    initial: &mut BTreeSet<usize>,
) {
    let mut by_dir: HashMap<&str, Vec<(&str, &str)>> = HashMap::new();
    for (key, st) in &state.sessions {
        let (dir, _) = split_dir(&st.path);
        by_dir
            .entry(dir)
            .or_default()
            .push((key.as_str(), st.path.as_str()));
    }
    let mut missing: HashSet<&str> = HashSet::new();
    for (dir, sessions) in by_dir {
        let names: HashSet<String> = std::fs::read_dir(repo.root.join(dir))
            .map(|rd| {
                rd.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        for (key, path) in sessions {
            let md = split_dir(path).1;
            let json = format!(".{}.json", md.strip_suffix(".md").unwrap_or(md));
            if !names.contains(md) || !names.contains(&json) {
                missing.insert(key);
            }
        }
    }
    if missing.is_empty() {
        return;
    }
    let index: HashMap<String, usize> = disc
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.path.to_string_lossy().into_owned(), i))
        .collect();
    for (path, st) in &state.sources {
        if st.keys.iter().any(|k| missing.contains(k.as_str()))
            && let Some(&i) = index.get(path)
        {
            initial.insert(i);
        }
    }
}

type Jobs = (Vec<Job>, std::collections::BTreeMap<usize, Vec<Job>>);

/// A new session, its folder and its stem, before collisions are resolved.
type Candidate<'a> = (&'a Session, String, String);

/// Per source read: `Some(keys)` when it was read completely (remember its fingerprint),
/// `None` when it must be read again next time.
struct Incomplete {
    reads: Vec<(usize, Option<Vec<String>>)>,
    sources: HashSet<usize>,
    source_of: HashMap<String, usize>,
}

fn incomplete_reads(
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
fn plan_jobs(
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

fn failed(job: Job, reason: String) -> Done {
    Done {
        key: job.session.key.clone(),
        path: job.path,
        parent: job.session.parent.clone(),
        children: job.session.children.clone(),
        status: Status::Failed(reason),
    }
}

fn write_job(
    repo: &Repo,
    job: Job,
    tmp: &TempDir,
    guard: &dyn Guard,
    dry_run: bool,
    progress: &dyn Progress,
) -> Done {
    let Job { session, path, ctx } = job;
    let status = (|| -> std::io::Result<Status> {
        let mut jw = std::io::BufWriter::with_capacity(64 * 1024, GuardedWriter::new(tmp, guard));
        json::write_session(&mut jw, &session)?;
        let j = jw.into_inner().map_err(|e| e.into_error())?.finish()?;
        let mut mw = GuardedWriter::new(tmp, guard);
        markdown::render_to(&session, &ctx, &mut mw)?;
        let m = mw.finish()?;
        if !j.findings.is_empty() || !m.findings.is_empty() {
            let mut reasons: Vec<String> = Vec::new();
            for (file, r) in [(json_path(&path), &j), (path.clone(), &m)] {
                reasons.extend(
                    r.findings
                        .iter()
                        .map(|f| format!("{} in {file} line {} ({})", f.rule, f.line, f.masked)),
                );
            }
            j.discard();
            m.discard();
            return Ok(Status::Withheld(reasons));
        }
        let (md_sha, json_sha) = (m.sha256.clone(), j.sha256.clone());
        // JSON first: a run killed in between leaves a complete JSON and no or an older
        // Markdown, both repaired by the next run.
        let json_outcome = place(j, &repo.root.join(json_path(&path)), tmp, dry_run)?;
        let md_outcome = place(m, &repo.root.join(&path), tmp, dry_run)?;
        Ok(Status::Written {
            md: md_outcome,
            json: json_outcome,
            md_sha,
            json_sha,
        })
    })()
    .unwrap_or_else(|e| Status::Failed(format!("cannot write {path}: {e}")));
    progress.inc(1);
    if let Status::Written { md, json, .. } = &status
        && (*md != Outcome::Unchanged || *json != Outcome::Unchanged)
    {
        progress.wrote(*md == Outcome::Created);
    }
    Done {
        key: session.key,
        path,
        parent: session.parent,
        children: session.children,
        status,
    }
}

/// `--prune-missing`: forget sources that are gone (their file no longer exists under a
/// scanned root) and delete their sessions' files.
fn prune(
    repo: &Repo,
    disc: &Discovered,
    state: &mut State,
    manifest: &mut Manifest,
    report: &mut Report,
    dry_run: bool,
) {
    let found: HashSet<String> = disc
        .sources
        .iter()
        .map(|s| s.path.to_string_lossy().into_owned())
        .collect();
    let gone: Vec<String> = state
        .sources
        .keys()
        .filter(|p| {
            !found.contains(*p)
                && disc.roots.iter().any(|r| Path::new(p).starts_with(r))
                && !Path::new(p).exists()
        })
        .cloned()
        .collect();
    if gone.is_empty() {
        return;
    }
    let mut dropped_keys: Vec<String> = Vec::new();
    for p in &gone {
        if let Some(st) = state.sources.remove(p) {
            dropped_keys.extend(st.keys);
        }
    }
    let still: HashSet<&String> = state.sources.values().flat_map(|s| s.keys.iter()).collect();
    let dropped: Vec<String> = dropped_keys
        .into_iter()
        .filter(|k| !still.contains(k))
        .collect();
    for key in dropped {
        let Some(st) = state.sessions.remove(&key) else {
            continue;
        };
        for rel in [st.path.clone(), json_path(&st.path)] {
            if !dry_run {
                let _ = std::fs::remove_file(repo.root.join(&rel));
            }
            manifest.entries.remove(&rel);
            report.pruned.push(rel);
        }
    }
}
