//! Keeping the index current: incrementally from the agents' logs, from an archive's
//! normalized JSON, or from sessions another command (`backup`, `sync`) has just read.

pub mod archive;

use crate::IndexError;
use crate::store::{Origin, SourceRecord};
use crate::writer::{Index, Repair, WriteReport};
use convx_adapters::{ReadOptions, Source, SourceOutput, adapter_for};
use convx_core::load::{LoadRequest, discover, finish};
use convx_core::redact::Redactor;
use convx_model::{Fingerprint, Session};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// How to update.
#[derive(Debug, Clone)]
pub struct UpdateOptions {
    /// Re-read every source, even unchanged ones.
    pub full: bool,
    /// Read about this many source bytes per batch (memory bound; one source is never split).
    pub batch_bytes: u64,
    /// At most this many sources per batch.
    pub batch_sources: usize,
}

impl Default for UpdateOptions {
    fn default() -> Self {
        UpdateOptions {
            full: false,
            batch_bytes: 32 * 1024 * 1024,
            batch_sources: 2000,
        }
    }
}

/// Progress of an update, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Discovery finished: `changed` of `total` sources must be read (`bytes` of them).
    Planned {
        /// Sources found.
        total: u64,
        /// Sources to read.
        changed: u64,
        /// Their size.
        bytes: u64,
    },
    /// A batch was written.
    Batch {
        /// Sources read so far.
        sources: u64,
        /// Bytes read so far.
        bytes: u64,
        /// Sessions written so far.
        sessions: u64,
    },
}

/// What an update did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateReport {
    /// Sources (or archive files) found.
    pub sources: u64,
    /// Sources read because they were new or changed.
    pub changed: u64,
    /// Sources skipped because their (size, mtime) had not changed.
    pub unchanged: u64,
    /// Bytes read.
    pub bytes_read: u64,
    /// Sources that could not be read, with the reason (retried next time).
    pub failed: Vec<String>,
    /// Sessions written.
    pub sessions_written: u64,
    /// Sessions not written because the index holds a fuller copy from other sources.
    pub sessions_kept: u64,
    /// Events stored.
    pub events: u64,
    /// Full-text documents written.
    pub documents: u64,
    /// Records skipped or degraded while reading.
    pub warnings: u64,
    /// What opening the index repaired.
    pub repairs: Vec<Repair>,
}

impl UpdateReport {
    fn absorb(&mut self, w: &WriteReport) {
        self.sessions_written += w.written;
        self.sessions_kept += w.kept_existing;
        self.events += w.events;
        self.documents += w.documents;
    }

    /// True when nothing was read or written and nothing failed.
    pub fn is_noop(&self) -> bool {
        self.changed == 0 && self.failed.is_empty() && self.repairs.is_empty()
    }
}

/// Split `items` (with their sizes) into batches of at most `max_bytes` / `max_items`.
pub(crate) fn batches<T>(
    items: Vec<(T, u64)>,
    max_bytes: u64,
    max_items: usize,
) -> Vec<Vec<(T, u64)>> {
    let mut out: Vec<Vec<(T, u64)>> = Vec::new();
    let mut cur: Vec<(T, u64)> = Vec::new();
    let mut bytes = 0;
    for (t, n) in items {
        if !cur.is_empty() && (bytes + n > max_bytes || cur.len() >= max_items) {
            out.push(std::mem::take(&mut cur));
            bytes = 0;
        }
        bytes += n;
        cur.push((t, n));
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The source records for `sources`, each with the keys of the `sessions` read from it.
pub fn source_records(sources: &[Source], sessions: &[Session]) -> Vec<SourceRecord> {
    let mut by_path: HashMap<String, Vec<String>> = HashMap::new();
    for s in sessions {
        for f in &s.sources {
            by_path
                .entry(f.path.clone())
                .or_default()
                .push(s.key.clone());
        }
    }
    sources
        .iter()
        .map(|src| {
            let path = src.display();
            let mut keys = by_path.get(&path).cloned().unwrap_or_default();
            keys.sort();
            keys.dedup();
            SourceRecord {
                path,
                origin: Origin::Sources,
                agent: Some(src.agent.slug().to_string()),
                fingerprint: src.fingerprint,
                session_keys: keys,
            }
        })
        .collect()
}

/// Reads one source (the adapters in production, a fake in tests).
pub type ReadFn<'a> = dyn Fn(&Source) -> Result<SourceOutput, String> + Sync + 'a;

/// Read `sources` in parallel. Returns the sessions and, per source read, the keys it gave.
fn read_sources(
    sources: &[&Source],
    read: &ReadFn<'_>,
    report: &mut UpdateReport,
) -> (Vec<Session>, Vec<SourceRecord>) {
    let outputs: Vec<_> = sources.par_iter().map(|s| (*s, read(s))).collect();
    let mut sessions = Vec::new();
    let mut records = Vec::new();
    for (src, out) in outputs {
        match out {
            Ok(out) => {
                report.warnings += out.warnings.len() as u64;
                let mut keys: Vec<String> = out.sessions.iter().map(|s| s.key.clone()).collect();
                keys.sort();
                keys.dedup();
                records.push(SourceRecord {
                    path: src.display(),
                    origin: Origin::Sources,
                    agent: Some(src.agent.slug().to_string()),
                    fingerprint: src.fingerprint,
                    session_keys: keys,
                });
                sessions.extend(out.sessions);
            }
            Err(e) => report.failed.push(e),
        }
    }
    (sessions, records)
}

/// Bring the index up to date with the agents' logs: discover every source, skip those whose
/// (size, mtime) is unchanged, read the others in batches, redact, and write. A source that
/// changed is re-read together with every other source that earlier produced one of its
/// sessions, so a session is always rebuilt from all its files.
pub fn update_from_sources(
    index: &mut Index,
    req: &LoadRequest,
    redactor: &Redactor,
    opts: &UpdateOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<UpdateReport, IndexError> {
    let mut report = UpdateReport::default();
    let (sources, reports) = discover(req);
    for r in &reports {
        report.failed.extend(r.source_errors.iter().cloned());
        report.warnings += r.warnings.values().sum::<u64>();
    }
    let opts_read = ReadOptions {
        retain_events: true,
    };
    let read = |s: &Source| {
        adapter_for(s.agent)
            .read(s, &opts_read)
            .map_err(|e| e.to_string())
    };
    update_sources_with(index, &sources, &read, redactor, opts, progress, report)
}

/// [`update_from_sources`] over already discovered `sources`, read with `read`.
#[doc(hidden)]
pub fn update_sources_with(
    index: &mut Index,
    sources: &[Source],
    read: &ReadFn<'_>,
    redactor: &Redactor,
    opts: &UpdateOptions,
    progress: &mut dyn FnMut(Progress),
    mut report: UpdateReport,
) -> Result<UpdateReport, IndexError> {
    report.repairs = index.repairs().to_vec();
    let known: HashMap<String, Fingerprint> = index.source_fingerprints(Origin::Sources)?;
    let by_path: HashMap<String, &Source> = sources.iter().map(|s| (s.display(), s)).collect();
    report.sources = sources.len() as u64;
    let changed: Vec<(&Source, u64)> = sources
        .iter()
        .filter(|s| opts.full || known.get(&s.display()) != Some(&s.fingerprint))
        .map(|s| (s, s.fingerprint.size))
        .collect();
    report.changed = changed.len() as u64;
    report.unchanged = report.sources - report.changed;
    let total_bytes: u64 = changed.iter().map(|c| c.1).sum();
    progress(Progress::Planned {
        total: report.sources,
        changed: report.changed,
        bytes: total_bytes,
    });
    let mut done: HashSet<String> = HashSet::new();
    let mut read_count = 0u64;
    for batch in batches(changed, opts.batch_bytes, opts.batch_sources) {
        let batch: Vec<&Source> = batch
            .into_iter()
            .map(|(s, _)| s)
            .filter(|s| !done.contains(&s.display()))
            .collect();
        if batch.is_empty() {
            continue;
        }
        let (mut sessions, mut records) = read_sources(&batch, read, &mut report);
        for s in &batch {
            done.insert(s.display());
        }
        // Sessions spread over several files: read the unchanged companions too.
        let keys: Vec<String> = sessions.iter().map(|s| s.key.clone()).collect();
        let extra: Vec<&Source> = index
            .sources_of_keys(&keys)?
            .into_iter()
            .filter(|p| !done.contains(p))
            .filter_map(|p| by_path.get(&p).copied())
            .collect();
        if !extra.is_empty() {
            let (more, more_records) = read_sources(&extra, read, &mut report);
            sessions.extend(more);
            records.extend(more_records);
            for s in &extra {
                done.insert(s.display());
            }
        }
        read_count += batch.len() as u64 + extra.len() as u64;
        report.bytes_read += batch
            .iter()
            .chain(&extra)
            .map(|s| s.fingerprint.size)
            .sum::<u64>();
        finish(&mut sessions);
        report.warnings += sessions
            .iter()
            .map(|s| s.warnings.len() as u64)
            .sum::<u64>();
        sessions
            .par_iter_mut()
            .for_each(|s| redactor.redact_session(s));
        let w = index.write_sessions(&sessions, Origin::Sources, &records)?;
        report.absorb(&w);
        progress(Progress::Batch {
            sources: read_count,
            bytes: report.bytes_read,
            sessions: report.sessions_written,
        });
    }
    Ok(report)
}

/// Index sessions another command has just read and redacted (`backup`, `sync`), and remember
/// their sources as read so a later `convx index` skips them. `sources` are the sources the
/// sessions were read from.
pub fn index_loaded_sessions(
    index: &mut Index,
    sessions: &[Session],
    sources: &[Source],
) -> Result<WriteReport, IndexError> {
    index.write_sessions(
        sessions,
        Origin::Sources,
        &source_records(sources, sessions),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_respect_bytes_and_counts() {
        let items: Vec<(u32, u64)> = vec![(1, 10), (2, 10), (3, 100), (4, 1), (5, 1), (6, 1)];
        let b = batches(items, 25, 2);
        let ids: Vec<Vec<u32>> = b.iter().map(|v| v.iter().map(|x| x.0).collect()).collect();
        assert_eq!(ids, vec![vec![1, 2], vec![3], vec![4, 5], vec![6]]);
    }
}
