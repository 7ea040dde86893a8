//! Reading the index: no lock, never modifies it.

use crate::fulltext::Fulltext;
use crate::store::{Store, migrations};
use crate::{IndexError, paths};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// A read-only view of the index (search, statistics, status). Many readers may run while
/// a writer updates the index.
pub struct IndexReader {
    pub(crate) dir: PathBuf,
    pub(crate) store: Store,
    pub(crate) fulltext: Result<(Fulltext, tantivy::IndexReader), String>,
}

impl std::fmt::Debug for IndexReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexReader")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

/// Counts and sizes of an index.
#[derive(Debug, Clone, Serialize)]
pub struct IndexStatus {
    /// The index directory.
    pub dir: PathBuf,
    /// Database schema version.
    pub schema_version: u32,
    /// Sessions.
    pub sessions: u64,
    /// Events stored.
    pub events: u64,
    /// Full-text documents (searchable events).
    pub documents: u64,
    /// Model calls recorded (all copies).
    pub usage_rows: u64,
    /// Model calls counted (each once).
    pub counted_calls: u64,
    /// Sources remembered.
    pub sources: u64,
    /// Sessions whose full-text documents are not written yet.
    pub pending: u64,
    /// Write generation.
    pub generation: u64,
    /// Bytes of the database (with its WAL).
    pub database_bytes: u64,
    /// Bytes of the full-text directory.
    pub fulltext_bytes: u64,
    /// Why the full-text index cannot be read, if it cannot.
    pub fulltext_problem: Option<String>,
}

/// Total size of the files under `p`.
pub fn dir_size(p: &Path) -> u64 {
    let Ok(rd) = std::fs::read_dir(p) else {
        return std::fs::metadata(p).map_or(0, |m| m.len());
    };
    rd.flatten()
        .map(|e| match e.file_type() {
            Ok(t) if t.is_dir() => dir_size(&e.path()),
            _ => e.metadata().map_or(0, |m| m.len()),
        })
        .sum()
}

impl IndexReader {
    /// Open the index in `dir` for reading.
    pub fn open(dir: &Path) -> Result<IndexReader, IndexError> {
        let db = dir.join(paths::DATABASE);
        if !db.exists() {
            return Err(IndexError::Missing(dir.to_path_buf()));
        }
        let store = Store::open(&db, false)?;
        let v = store.version()?;
        if v > migrations::LATEST {
            return Err(IndexError::TooNew {
                path: db,
                found: v,
                supported: migrations::LATEST,
            });
        }
        if v < migrations::LATEST {
            return Err(IndexError::NeedsUpgrade(dir.to_path_buf()));
        }
        let ft_dir = dir.join(paths::FULLTEXT);
        let fulltext = Fulltext::open(&ft_dir)
            .map_err(|e| e.to_string())
            .and_then(|ft| {
                let r = ft
                    .index
                    .reader_builder()
                    .reload_policy(tantivy::ReloadPolicy::Manual)
                    .try_into()
                    .map_err(|e: tantivy::TantivyError| e.to_string())?;
                Ok((ft, r))
            });
        Ok(IndexReader {
            dir: dir.to_path_buf(),
            store,
            fulltext,
        })
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Why full-text search is unavailable (missing or damaged), if it is.
    pub fn fulltext_problem(&self) -> Option<&str> {
        self.fulltext.as_ref().err().map(String::as_str)
    }

    fn count(&self, sql: &str) -> Result<u64, IndexError> {
        self.store
            .conn
            .query_row(sql, [], |r| r.get::<_, i64>(0))
            .map(|v| v as u64)
            .map_err(|e| self.store.err(e))
    }

    /// Sessions waiting for their full-text documents (an interrupted run).
    pub fn pending(&self) -> Result<u64, IndexError> {
        self.count("SELECT count(*) FROM fulltext_pending")
    }

    /// Counts and sizes.
    pub fn status(&self) -> Result<IndexStatus, IndexError> {
        let db = self.dir.join(paths::DATABASE);
        let wal = self.dir.join(format!("{}-wal", paths::DATABASE));
        Ok(IndexStatus {
            dir: self.dir.clone(),
            schema_version: self.store.version()?,
            sessions: self.count("SELECT count(*) FROM sessions")?,
            events: self.count("SELECT count(*) FROM events")?,
            documents: self
                .fulltext
                .as_ref()
                .map_or(0, |(_, r)| r.searcher().num_docs()),
            usage_rows: self.count("SELECT count(*) FROM usage")?,
            counted_calls: self.count("SELECT count(*) FROM usage WHERE counted = 1")?,
            sources: self.count("SELECT count(*) FROM sources")?,
            pending: self.pending()?,
            generation: self.store.meta_u64("generation")?,
            database_bytes: dir_size(&db) + dir_size(&wal),
            fulltext_bytes: dir_size(&self.dir.join(paths::FULLTEXT)),
            fulltext_problem: self.fulltext_problem().map(str::to_string),
        })
    }
}
