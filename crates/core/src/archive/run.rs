//! One archive run: skip what did not change, read the rest with its family, name, render,
//! guard and write, then update the manifest and the state.

use super::guard::Guard;
use super::jobs::{Job, incomplete_reads, plan_jobs};
use super::layout::{Layout, json_path, split_dir};
use super::manifest::Manifest;
use super::markdown::{self, RenderOptions};
use super::plan;
use super::select::Selection;
use super::source::{Discovered, SessionSource};
use super::state::{STATE_VERSION, SessionState, SourceState, State, recover_paths, state_path};
use super::write::{GuardedWriter, Outcome, TempDir, place, write_if_changed};
use super::{ArchiveError, Progress, git::Repo, json};
use convx_model::{Agent, Timestamp};
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
