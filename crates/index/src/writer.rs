//! The index writer: one process at a time (a lock file), one commit point.
//!
//! SQLite is committed first. It records the generation and, in `fulltext_pending`, every
//! session whose full-text documents must be (re)written. Then tantivy commits with that
//! generation in its payload, and only then are the pending rows cleared. A crash between
//! the two commits leaves pending rows behind; the next [`Index::open`] re-adds those
//! sessions' documents from the text kept in SQLite. A full-text directory that is missing,
//! unreadable, built with other settings, or out of step with SQLite is rebuilt from SQLite.

use crate::extract::{FulltextOptions, extract};
use crate::fulltext::{DocData, Fulltext, Payload, SCHEMA_VERSION};
use crate::reader::IndexReader;
use crate::role::Role;
use crate::store::{
    Origin, Replaced, SourceRecord, Store, record_source, recount, replace_session, set_meta,
};
use crate::{IndexError, paths};
use convx_model::{Session, Timestamp};
use rayon::prelude::*;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use tantivy::IndexWriter;

/// How the index is written.
#[derive(Debug, Clone)]
pub struct IndexConfig {
    /// What goes into the full-text index.
    pub fulltext: FulltextOptions,
    /// tantivy indexing threads.
    pub writer_threads: usize,
    /// Memory shared by the indexing threads, in bytes.
    pub writer_memory: usize,
    /// Wait for another writer to finish (true) or fail with [`IndexError::Locked`].
    pub wait_for_lock: bool,
    /// Test hook: stop at this point of a write, as a crash would.
    #[doc(hidden)]
    pub crash_at: Option<CrashPoint>,
}

/// Where a simulated crash stops a write (tests only).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrashPoint {
    /// After the SQLite commit, before the full-text commit.
    BeforeFulltextCommit,
    /// After the full-text commit, before the pending rows are cleared.
    AfterFulltextCommit,
}

impl Default for IndexConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        IndexConfig {
            fulltext: FulltextOptions::default(),
            writer_threads: cores.clamp(1, 2),
            writer_memory: 48 * 1024 * 1024,
            wait_for_lock: true,
            crash_at: None,
        }
    }
}

/// What [`Index::open`] had to repair.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Repair {
    /// The full-text index was rebuilt from SQLite, for `reason`.
    Rebuilt {
        /// Why (missing, damaged, settings changed, out of step).
        reason: String,
        /// Sessions re-added.
        sessions: u64,
    },
    /// An interrupted run was completed: these sessions' documents were re-added.
    Resynced {
        /// Sessions re-added.
        sessions: u64,
    },
}

/// What one write did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct WriteReport {
    /// Sessions written (new or replaced).
    pub written: u64,
    /// Sessions not written because the index holds a fuller copy from other sources.
    pub kept_existing: u64,
    /// Full-text documents added.
    pub documents: u64,
    /// Events stored.
    pub events: u64,
}

/// An open, locked index.
pub struct Index {
    dir: PathBuf,
    pub(crate) store: Store,
    fulltext: Fulltext,
    config: IndexConfig,
    repairs: Vec<Repair>,
    /// The tantivy writer, kept across writes so merges run in the background; closed
    /// (waiting for merges) when the index is dropped.
    writer: Option<IndexWriter>,
    _lock: std::fs::File,
}

impl Drop for Index {
    fn drop(&mut self) {
        if let Some(w) = self.writer.take() {
            let _ = w.wait_merging_threads();
        }
    }
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

fn lock(dir: &Path, wait: bool) -> Result<std::fs::File, IndexError> {
    let path = dir.join(paths::LOCK);
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| IndexError::io(&path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) if wait => {
            file.lock().map_err(|e| IndexError::io(&path, e))?;
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => Err(IndexError::Locked(dir.to_path_buf())),
        Err(std::fs::TryLockError::Error(e)) => Err(IndexError::io(&path, e)),
    }
}

impl Index {
    /// Open the index in `dir` for writing, creating it when absent: take the writer lock,
    /// migrate the database, and repair the full-text index if needed (see [`Index::repairs`]).
    pub fn open(dir: &Path, config: IndexConfig) -> Result<Index, IndexError> {
        std::fs::create_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
        let lock = lock(dir, config.wait_for_lock)?;
        let mut store = Store::open(&dir.join(paths::DATABASE), true)?;
        store.migrate()?;
        let ft_dir = dir.join(paths::FULLTEXT);
        let fingerprint = format!("{SCHEMA_VERSION};{}", config.fulltext.fingerprint());
        let (fulltext, rebuild) = match Fulltext::open(&ft_dir) {
            Err(_) if !ft_dir.join("meta.json").exists() => {
                (Fulltext::create(&ft_dir)?, Some("missing".to_string()))
            }
            Err(e) => (Fulltext::create(&ft_dir)?, Some(format!("damaged ({e})"))),
            Ok(ft) => {
                let generation = store.meta_u64("generation")?;
                let ft_generation = store.meta_u64("fulltext_generation")?;
                let reason = match ft.payload()? {
                    None if generation > 0 => Some("never committed".to_string()),
                    None => None,
                    Some(p) if p.schema != fingerprint => {
                        Some("full-text settings changed".to_string())
                    }
                    Some(p) if p.generation > generation || p.generation < ft_generation => {
                        Some("out of step with the database".to_string())
                    }
                    Some(_) => None,
                };
                match reason {
                    Some(r) => (Fulltext::create(&ft_dir)?, Some(r)),
                    None => (ft, None),
                }
            }
        };
        let mut index = Index {
            dir: dir.to_path_buf(),
            store,
            fulltext,
            config,
            repairs: Vec::new(),
            writer: None,
            _lock: lock,
        };
        if let Some(reason) = rebuild {
            let n = index.mark_all_pending()?;
            index.sync_pending()?;
            // a missing full-text directory beside an empty database is a new index
            if n > 0 || reason != "missing" {
                index.repairs.push(Repair::Rebuilt {
                    reason,
                    sessions: n,
                });
            }
        } else {
            let n = index.sync_pending()?;
            if n > 0 {
                index.repairs.push(Repair::Resynced { sessions: n });
            }
        }
        Ok(index)
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What opening the index repaired.
    pub fn repairs(&self) -> &[Repair] {
        &self.repairs
    }

    /// A reader over the current state.
    pub fn reader(&self) -> Result<IndexReader, IndexError> {
        IndexReader::open(&self.dir)
    }

    /// The recorded (size, mtime) of every source of `origin`, by path.
    pub fn source_fingerprints(
        &self,
        origin: Origin,
    ) -> Result<std::collections::HashMap<String, convx_model::Fingerprint>, IndexError> {
        self.store.source_fingerprints(origin)
    }

    /// The sources that earlier produced any of `keys`.
    pub fn sources_of_keys(&self, keys: &[String]) -> Result<HashSet<String>, IndexError> {
        self.store.sources_of_keys(keys)
    }

    /// Rebuild the full-text index from the database.
    pub fn rebuild_fulltext(&mut self) -> Result<u64, IndexError> {
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()
                .map_err(|e| IndexError::fulltext(&self.fulltext.dir, e))?;
        }
        self.fulltext = Fulltext::create(&self.dir.join(paths::FULLTEXT))?;
        let n = self.mark_all_pending()?;
        self.sync_pending()?;
        Ok(n)
    }

    /// Check the full-text files' checksums and SQLite's integrity. Returns the problems.
    pub fn check(&self) -> Result<Vec<String>, IndexError> {
        let mut problems: Vec<String> = self
            .fulltext
            .damaged_files()?
            .into_iter()
            .map(|p| format!("full-text file {} is damaged", p.display()))
            .collect();
        let mut st = self
            .store
            .conn
            .prepare("PRAGMA quick_check")
            .map_err(|e| self.store.err(e))?;
        let rows = st
            .query_map([], |r| r.get::<_, String>(0))
            .map_err(|e| self.store.err(e))?;
        for r in rows {
            let r = r.map_err(|e| self.store.err(e))?;
            if r != "ok" {
                problems.push(format!("database: {r}"));
            }
        }
        Ok(problems)
    }

    fn mark_all_pending(&mut self) -> Result<u64, IndexError> {
        let c = &self.store.conn;
        c.execute(
            "INSERT OR IGNORE INTO fulltext_pending (session_key) SELECT key FROM sessions",
            [],
        )
        .map_err(|e| self.store.err(e))?;
        c.query_row("SELECT count(*) FROM fulltext_pending", [], |r| {
            r.get::<_, i64>(0)
        })
        .map(|n| n as u64)
        .map_err(|e| self.store.err(e))
    }

    /// The writer, created on first use. Callers put it back after a successful commit; a
    /// writer dropped on an error path discards what it had not committed.
    fn take_writer(&mut self) -> Result<IndexWriter, IndexError> {
        match self.writer.take() {
            Some(w) => Ok(w),
            None => self
                .fulltext
                .writer(self.config.writer_threads, self.config.writer_memory),
        }
    }

    /// Finish writing: wait for background merges and release the full-text writer.
    pub fn close(mut self) -> Result<(), IndexError> {
        if let Some(w) = self.writer.take() {
            w.wait_merging_threads()
                .map_err(|e| IndexError::fulltext(&self.fulltext.dir, e))?;
        }
        Ok(())
    }

    fn payload(&self, generation: u64) -> Payload {
        Payload {
            generation,
            schema: format!("{SCHEMA_VERSION};{}", self.config.fulltext.fingerprint()),
        }
    }

    /// Re-add the documents of every pending session from the database. Returns how many.
    fn sync_pending(&mut self) -> Result<u64, IndexError> {
        let store = &self.store;
        let keys: Vec<String> = {
            let mut st = store
                .conn
                .prepare("SELECT session_key FROM fulltext_pending")
                .map_err(|e| store.err(e))?;
            let rows = st.query_map([], |r| r.get(0)).map_err(|e| store.err(e))?;
            rows.collect::<Result<_, _>>().map_err(|e| store.err(e))?
        };
        let generation = store.meta_u64("generation")?;
        if keys.is_empty() {
            if self.fulltext.payload()?.is_none() {
                // a fresh full-text index: commit once so its payload is set
                let mut w = self.take_writer()?;
                self.fulltext.commit(&mut w, &self.payload(generation))?;
                self.writer = Some(w);
            }
            return Ok(0);
        }
        let mut writer = self.take_writer()?;
        let store = &self.store;
        let mut st = store
            .conn
            .prepare(
                "SELECT s.agent, s.cwd, s.started_at, e.seq, e.ts, e.role, e.tool, e.text
                 FROM sessions s JOIN events e ON e.session_id = s.id
                 WHERE s.key = ?1 AND e.role IS NOT NULL AND e.inherited = 0 AND e.text IS NOT NULL AND e.text != ''
                 ORDER BY e.seq",
            )
            .map_err(|e| store.err(e))?;
        for key in &keys {
            self.fulltext.delete_session(&writer, key);
            let mut rows = st.query([key]).map_err(|e| store.err(e))?;
            while let Some(r) = rows.next().map_err(|e| store.err(e))? {
                let role: String = r.get(5).map_err(|e| store.err(e))?;
                let Ok(role) = role.parse::<Role>() else {
                    continue;
                };
                if role == Role::ToolResult && !self.config.fulltext.tool_outputs {
                    continue;
                }
                let get = |e| IndexError::sqlite(&store.path, e);
                let agent: String = r.get(0).map_err(get)?;
                let cwd: Option<String> = r.get(1).map_err(get)?;
                let started: Option<i64> = r.get(2).map_err(get)?;
                let seq: i64 = r.get(3).map_err(get)?;
                let ts: Option<i64> = r.get(4).map_err(get)?;
                let tool: Option<String> = r.get(6).map_err(get)?;
                let text: String = r.get(7).map_err(get)?;
                if text.trim().is_empty() {
                    continue;
                }
                self.fulltext.add(
                    &writer,
                    &DocData {
                        session: key,
                        event: seq as u64,
                        agent: &agent,
                        role,
                        tool: tool.as_deref(),
                        cwd: cwd.as_deref(),
                        time: ts.or(started),
                        body: &text,
                    },
                )?;
            }
        }
        drop(st);
        self.fulltext
            .commit(&mut writer, &self.payload(generation))?;
        self.clear_pending(&keys, generation)?;
        self.writer = Some(writer);
        Ok(keys.len() as u64)
    }

    fn clear_pending(&mut self, keys: &[String], generation: u64) -> Result<(), IndexError> {
        let path = self.store.path.clone();
        let err = |e| IndexError::sqlite(&path, e);
        let tx = self.store.conn.transaction().map_err(err)?;
        {
            let mut st = tx
                .prepare_cached("DELETE FROM fulltext_pending WHERE session_key = ?1")
                .map_err(err)?;
            for k in keys {
                st.execute([k]).map_err(err)?;
            }
        }
        set_meta(&tx, "fulltext_generation", &generation.to_string()).map_err(err)?;
        tx.commit().map_err(err)
    }

    /// Write `sessions` (already normalized and redacted), replacing earlier copies, and
    /// record `sources` as read. One SQLite transaction and one full-text commit.
    pub fn write_sessions(
        &mut self,
        sessions: &[Session],
        origin: Origin,
        sources: &[SourceRecord],
    ) -> Result<WriteReport, IndexError> {
        let opts = self.config.fulltext.clone();
        let extracted: Vec<_> = sessions.par_iter().map(|s| extract(s, &opts)).collect();
        let mut writer = self.take_writer()?;
        let now = Timestamp::now().as_millisecond();
        let path = self.store.path.clone();
        let err = |e| IndexError::sqlite(&path, e);
        let mut report = WriteReport::default();
        let mut written: Vec<&str> = Vec::new();
        let tx = self.store.conn.transaction().map_err(err)?;
        let mut to_recount = HashSet::new();
        for (s, x) in sessions.iter().zip(&extracted) {
            match replace_session(&tx, s, x, origin, now, &mut to_recount).map_err(err)? {
                Replaced::KeptExisting => report.kept_existing += 1,
                Replaced::Written => {
                    report.written += 1;
                    report.events += x.events.len() as u64;
                    written.push(&s.key);
                    self.fulltext.delete_session(&writer, &s.key);
                    let cwd = s.cwd.as_deref();
                    let started = s.started_at.map(|t| t.as_millisecond());
                    for e in x.events.iter().filter(|e| e.searchable()) {
                        let role = e.role.expect("searchable events have a role");
                        if role == Role::ToolResult && !opts.tool_outputs {
                            continue;
                        }
                        self.fulltext.add(
                            &writer,
                            &DocData {
                                session: &s.key,
                                event: e.seq as u64,
                                agent: s.agent.slug(),
                                role,
                                tool: e.tool.as_deref(),
                                cwd,
                                time: e.ts.or(started),
                                body: e.text.as_deref().unwrap_or_default(),
                            },
                        )?;
                        report.documents += 1;
                    }
                }
            }
        }
        for rec in sources {
            record_source(&tx, rec, now).map_err(err)?;
        }
        recount(&tx, &to_recount).map_err(err)?;
        let generation: u64 = tx
            .query_row("SELECT value FROM meta WHERE key = 'generation'", [], |r| {
                r.get::<_, String>(0)
            })
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
            + 1;
        set_meta(&tx, "generation", &generation.to_string()).map_err(err)?;
        // Flush the full-text segments (the slow part, on tantivy's threads) while SQLite
        // commits; publish them only after SQLite has committed.
        let ft_dir = self.fulltext.dir.clone();
        let (sql, prepared) = std::thread::scope(|scope| {
            let flushing = scope.spawn(|| writer.prepare_commit());
            let sql = tx.commit();
            (
                sql,
                flushing.join().expect("the full-text flush does not panic"),
            )
        });
        let mut prepared = prepared.map_err(|e| IndexError::fulltext(&ft_dir, e))?;
        if let Err(e) = sql {
            let _ = prepared.abort();
            return Err(err(e));
        }
        if self.config.crash_at == Some(CrashPoint::BeforeFulltextCommit) {
            return Err(IndexError::Corrupt {
                path: self.dir.clone(),
                reason: "simulated crash".into(),
            });
        }
        prepared.set_payload(
            &serde_json::to_string(&self.payload(generation)).expect("payload serializes"),
        );
        prepared
            .commit()
            .map_err(|e| IndexError::fulltext(&ft_dir, e))?;
        if self.config.crash_at == Some(CrashPoint::AfterFulltextCommit) {
            return Err(IndexError::Corrupt {
                path: self.dir.clone(),
                reason: "simulated crash".into(),
            });
        }
        let keys: Vec<String> = written.iter().map(|k| k.to_string()).collect();
        self.clear_pending(&keys, generation)?;
        self.writer = Some(writer);
        Ok(report)
    }
}
