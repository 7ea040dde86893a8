//! Reading what changed, with its family, and deciding what each session looks like: one
//! copy per key, children linked, each model call counted once (the load pipeline's
//! `finish`, run on event-less copies so memory stays bounded).

use super::guard::Guard;
use super::select::NO_SYNC_MARKER;
use super::source::{Discovered, SessionSource};
use super::state::State;
use super::{Progress, json};
use convx_model::{Event, Session};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};

/// What reading one source gave.
#[derive(Debug, Default)]
pub(crate) struct SourceRead {
    /// Keys of every session in it (copies included).
    pub keys: Vec<String>,
    /// Why it could not be read.
    pub error: Option<String>,
    /// Records skipped.
    pub warnings: u64,
}

/// One session as read.
struct Item {
    src: usize,
    session: Session,
    kept: bool,
    marker: bool,
}

/// Everything read, decided.
pub(crate) struct Plan {
    /// Event-less sessions after deduplication and linking, one per key.
    pub sessions: Vec<Session>,
    /// Events kept in memory, by key (the others are read again when written).
    pub events: HashMap<String, Vec<Event>>,
    /// The source each session comes from (discovery index).
    pub source_of: HashMap<String, usize>,
    /// Keys whose own user prompts contain the no-sync marker.
    pub marked: HashSet<String>,
    /// Per source read (discovery index).
    pub reads: BTreeMap<usize, SourceRead>,
}

/// Read a source: sessions redacted, with events.
pub(crate) fn read_source(
    source: &dyn SessionSource,
    guard: &dyn Guard,
    src: &convx_adapters::Source,
) -> Result<(Vec<Session>, u64), String> {
    let out = source.read(src)?;
    let mut warnings = out.warnings.len() as u64;
    let mut sessions = out.sessions;
    for s in &mut sessions {
        warnings += s.warnings.len() as u64;
        // A source's (size, mtime) changes whenever the agent touches it; archived, it would
        // rewrite every session of a shared source (a database) on every run.
        for f in &mut s.sources {
            f.fingerprint = convx_model::Fingerprint::default();
        }
        guard.redact_session(s);
    }
    Ok((sessions, warnings))
}

/// Read `initial` and, round after round, the sources of every related session the state
/// knows (same key, parent, children), then decide.
pub(crate) fn read_and_decide(
    disc: &Discovered,
    initial: BTreeSet<usize>,
    state: &State,
    source: &dyn SessionSource,
    guard: &dyn Guard,
    budget: u64,
    progress: &dyn Progress,
) -> Plan {
    let path_index: HashMap<String, usize> = disc
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| (s.path.to_string_lossy().into_owned(), i))
        .collect();
    let mut sources_of_key: HashMap<&str, Vec<&str>> = HashMap::new();
    for (path, st) in &state.sources {
        for k in &st.keys {
            sources_of_key
                .entry(k.as_str())
                .or_default()
                .push(path.as_str());
        }
    }
    let mut children_of: HashMap<&str, Vec<&str>> = HashMap::new();
    for (k, st) in &state.sessions {
        if let Some(p) = &st.parent {
            children_of.entry(p.as_str()).or_default().push(k.as_str());
        }
    }
    let left = AtomicU64::new(budget);
    let big_kept = std::sync::atomic::AtomicBool::new(false);
    let mut reads: BTreeMap<usize, SourceRead> = BTreeMap::new();
    let mut items: Vec<Item> = Vec::new();
    let mut wanted = initial;
    progress.phase("reading", wanted.len() as u64);
    loop {
        let mut batch: Vec<usize> = wanted
            .iter()
            .copied()
            .filter(|i| !reads.contains_key(i))
            .collect();
        if batch.is_empty() {
            break;
        }
        batch.sort_by_key(|&i| (disc.sources[i].fingerprint.size, i));
        let results: Vec<(usize, SourceRead, Vec<Item>)> = batch
            .par_iter()
            .map(|&i| {
                let src = &disc.sources[i];
                let r = match read_source(source, guard, src) {
                    Ok((sessions, warnings)) => {
                        let keys = sessions.iter().map(|s| s.key.clone()).collect();
                        let size = src.fingerprint.size;
                        // Sources are read smallest first. One source larger than the whole
                        // budget is kept too: it is read last, when its parse is the peak
                        // anyway, and reading it a second time would only cost time.
                        let kept = left
                            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| {
                                l.checked_sub(size)
                            })
                            .is_ok()
                            || (size > budget && !big_kept.swap(true, Ordering::Relaxed));
                        let items = sessions
                            .into_iter()
                            .map(|mut s| {
                                let marker = json::prompt_contains(&s, NO_SYNC_MARKER);
                                if !kept {
                                    s.events = Vec::new();
                                }
                                Item {
                                    src: i,
                                    session: s,
                                    kept,
                                    marker,
                                }
                            })
                            .collect();
                        (
                            i,
                            SourceRead {
                                keys,
                                error: None,
                                warnings,
                            },
                            items,
                        )
                    }
                    Err(e) => (
                        i,
                        SourceRead {
                            error: Some(e),
                            ..SourceRead::default()
                        },
                        Vec::new(),
                    ),
                };
                progress.inc(1);
                r
            })
            .collect();
        let mut grow = 0;
        for (i, read, new_items) in results {
            for item in &new_items {
                let s = &item.session;
                let mut related: Vec<&str> = vec![s.key.as_str()];
                related.extend(s.parent.as_deref());
                related.extend(s.children.iter().map(String::as_str));
                if let Some(st) = state.sessions.get(&s.key) {
                    related.extend(st.parent.as_deref());
                    related.extend(st.children.iter().map(String::as_str));
                }
                related.extend(
                    children_of
                        .get(s.key.as_str())
                        .into_iter()
                        .flatten()
                        .copied(),
                );
                for k in related {
                    for p in sources_of_key.get(k).into_iter().flatten() {
                        if let Some(&j) = path_index.get(*p)
                            && wanted.insert(j)
                        {
                            grow += 1;
                        }
                    }
                }
            }
            reads.insert(i, read);
            items.extend(new_items);
        }
        if grow > 0 {
            progress.phase("reading", wanted.len() as u64);
            progress.inc(reads.len() as u64);
        }
    }
    decide(items, reads, disc)
}

fn decide(items: Vec<Item>, reads: BTreeMap<usize, SourceRead>, disc: &Discovered) -> Plan {
    // One copy per key: the one with most prompts and replies, then the earliest, then the
    // source path (deterministic whatever the read order).
    let score = |s: &Session| s.summary.counts.user_prompts + s.summary.counts.assistant_messages;
    let mut best: HashMap<String, Item> = HashMap::new();
    for item in items {
        match best.get(&item.session.key) {
            Some(cur) => {
                let a = (
                    std::cmp::Reverse(score(&item.session)),
                    item.session.started_at,
                    &disc.sources[item.src].path,
                );
                let b = (
                    std::cmp::Reverse(score(&cur.session)),
                    cur.session.started_at,
                    &disc.sources[cur.src].path,
                );
                if a < b {
                    best.insert(item.session.key.clone(), item);
                }
            }
            None => {
                best.insert(item.session.key.clone(), item);
            }
        }
    }
    let mut events = HashMap::new();
    let mut source_of = HashMap::new();
    let mut marked = HashSet::new();
    let mut sessions = Vec::with_capacity(best.len());
    for (key, mut item) in best {
        if item.kept {
            events.insert(key.clone(), std::mem::take(&mut item.session.events));
        }
        if item.marker {
            marked.insert(key.clone());
        }
        source_of.insert(key, item.src);
        sessions.push(item.session);
    }
    crate::load::finish(&mut sessions);
    Plan {
        sessions,
        events,
        source_of,
        marked,
        reads,
    }
}

/// Put `events` back into an event-less decided session: the duplicate flags decided on the
/// calls are copied onto the events. When the events no longer match the calls (the source
/// changed between two reads), the summary is rebuilt from the events instead.
pub(crate) fn assemble(mut skeleton: Session, mut events: Vec<Event>) -> Session {
    let mut calls = skeleton.summary.calls.iter();
    let mut consistent = true;
    for e in events.iter_mut().filter(|e| !e.inherited) {
        if let Some(u) = &mut e.usage {
            match calls.next() {
                Some(c) if c.dedup_key == u.dedup_key => u.duplicate = c.duplicate,
                _ => consistent = false,
            }
        }
    }
    if calls.next().is_some() {
        consistent = false;
    }
    if !consistent {
        let dups: HashSet<&str> = skeleton
            .summary
            .calls
            .iter()
            .filter(|c| c.duplicate)
            .map(|c| c.dedup_key.as_str())
            .collect();
        for e in events.iter_mut() {
            if let Some(u) = &mut e.usage {
                u.duplicate = u.duplicate || dups.contains(u.dedup_key.as_str());
            }
        }
        skeleton.events = events;
        skeleton.rebuild_summary();
        return skeleton;
    }
    skeleton.events = events;
    skeleton
}
