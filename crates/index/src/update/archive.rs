//! Indexing an archive: the hidden normalized JSON files `.YYYY-MM-DD-HHMM-<slug>.json`
//! that `convx backup` and `convx sync` write beside their Markdown.

use super::{Progress, UpdateOptions, UpdateReport, batches};
use crate::IndexError;
use crate::store::{Origin, SourceRecord};
use crate::writer::Index;
use convx_core::load::finish;
use convx_core::redact::Redactor;
use convx_model::{Fingerprint, Session};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// True for `.2026-01-31-0915-fix-the-migration.json`.
pub fn is_archive_json(name: &str) -> bool {
    let b = name.as_bytes();
    let d = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    b.len() > ".2026-01-31-0915-.json".len()
        && b[0] == b'.'
        && d(1..5)
        && b[5] == b'-'
        && d(6..8)
        && b[8] == b'-'
        && d(9..11)
        && b[11] == b'-'
        && d(12..16)
        && b[16] == b'-'
        && name.ends_with(".json")
}

/// Every archive JSON file under `root` (`.git` skipped), sorted, with its fingerprint.
pub fn find_archive_files(root: &Path) -> Result<Vec<(PathBuf, Fingerprint)>, IndexError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let rd = match std::fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if dir == root => return Err(IndexError::io(root, e)),
            Err(_) => continue,
        };
        for entry in rd.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if name != ".git" {
                    stack.push(entry.path());
                }
            } else if ft.is_file() && is_archive_json(&name) {
                let path = entry.path();
                if let Ok(fp) = convx_adapters::fingerprint(&path) {
                    out.push((path, fp));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Read one archive file as a session.
pub fn read_archive_file(path: &Path) -> Result<Session, IndexError> {
    let bytes = std::fs::read(path).map_err(|e| IndexError::io(path, e))?;
    let mut s: Session = serde_json::from_slice(&bytes).map_err(|e| IndexError::Archive {
        path: path.to_path_buf(),
        reason: format!("not a convx session: {e}"),
    })?;
    s.retain_events = true;
    s.rebuild_summary();
    Ok(s)
}

/// Index the sessions of the archive under `repo`: new and changed JSON files are read (in
/// batches), redacted again (rules may have improved since they were written), and written.
/// Unchanged files are skipped on (size, mtime) unless `opts.full`.
pub fn update_from_archive(
    index: &mut Index,
    repo: &Path,
    redactor: &Redactor,
    opts: &UpdateOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<UpdateReport, IndexError> {
    let mut report = UpdateReport {
        repairs: index.repairs().to_vec(),
        ..UpdateReport::default()
    };
    let files = find_archive_files(repo)?;
    let known: HashMap<String, Fingerprint> = index.source_fingerprints(Origin::Archive)?;
    report.sources = files.len() as u64;
    let changed: Vec<((PathBuf, Fingerprint), u64)> = files
        .into_iter()
        .filter(|(p, fp)| opts.full || known.get(&p.display().to_string()) != Some(fp))
        .map(|(p, fp)| ((p, fp), fp.size))
        .collect();
    report.changed = changed.len() as u64;
    report.unchanged = report.sources - report.changed;
    let bytes: u64 = changed.iter().map(|c| c.1).sum();
    progress(Progress::Planned {
        total: report.sources,
        changed: report.changed,
        bytes,
    });
    let mut read = 0u64;
    for batch in batches(changed, opts.batch_bytes, opts.batch_sources) {
        let parsed: Vec<_> = batch
            .par_iter()
            .map(|((p, fp), _)| (p, *fp, read_archive_file(p)))
            .collect();
        let mut sessions = Vec::new();
        let mut records = Vec::new();
        for (path, fp, r) in parsed {
            match r {
                Ok(s) => {
                    records.push(SourceRecord {
                        path: path.display().to_string(),
                        origin: Origin::Archive,
                        agent: Some(s.agent.slug().to_string()),
                        fingerprint: fp,
                        session_keys: vec![s.key.clone()],
                    });
                    sessions.push(s);
                }
                Err(e) => report.failed.push(e.to_string()),
            }
        }
        read += batch.len() as u64;
        report.bytes_read += batch.iter().map(|b| b.1).sum::<u64>();
        finish(&mut sessions);
        sessions
            .par_iter_mut()
            .for_each(|s| redactor.redact_session(s));
        let w = index.write_sessions(&sessions, Origin::Archive, &records)?;
        report.absorb(&w);
        progress(Progress::Batch {
            sources: read,
            bytes: report.bytes_read,
            sessions: report.sessions_written,
        });
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_names() {
        assert!(is_archive_json(".2026-01-31-0915-fix-the-migration.json"));
        assert!(is_archive_json(".2026-01-31-0915-a.json"));
        assert!(!is_archive_json("2026-01-31-0915-fix.json"));
        assert!(!is_archive_json(".2026-01-31-0915-fix.md"));
        assert!(!is_archive_json(".2026-1-31-0915-fix.json"));
        assert!(!is_archive_json(".manifest.json"));
        assert!(!is_archive_json(".2026-01-31-0915-.json"));
    }
}
