//! The tantivy side of the index: one document per searchable event.
//!
//! Fields: `body` (the text, [`tokenizer`]-tokenized, with positions, not stored: snippets
//! are cut from the text kept in SQLite), and the filters `session` (key, also used to delete
//! a session's documents), `agent`, `role`, `tool` (lowercased), `project` (the cwd and each
//! of its ancestors), `time` (ms since the epoch) and `event` (the event's index in its
//! session). Filters are fast fields.
//!
//! Every commit carries a payload `{"generation": N, "schema": "..."}` that the index
//! compares with SQLite to detect an interrupted run or a stale full-text directory.

pub mod tokenizer;

use crate::IndexError;
use crate::project::ancestors;
use crate::role::Role;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{Index, IndexWriter, TantivyDocument, Term};

/// Bumped whenever the schema or the tokenizer changes: a different value rebuilds.
pub(crate) const SCHEMA_VERSION: &str = "convx-fulltext-1";

/// The fields of the schema.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields {
    pub session: Field,
    pub event: Field,
    pub agent: Field,
    pub role: Field,
    pub tool: Field,
    pub project: Field,
    pub time: Field,
    pub body: Field,
}

/// The commit payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Payload {
    pub generation: u64,
    pub schema: String,
}

/// An open full-text index.
#[derive(Clone)]
pub(crate) struct Fulltext {
    pub index: Index,
    pub fields: Fields,
    pub dir: PathBuf,
}

/// The data of one document.
pub(crate) struct DocData<'a> {
    pub session: &'a str,
    pub event: u64,
    pub agent: &'a str,
    pub role: Role,
    pub tool: Option<&'a str>,
    pub cwd: Option<&'a str>,
    pub time: Option<i64>,
    pub body: &'a str,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let body_opts = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer::TOKENIZER_NAME)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        session: b.add_text_field("session", STRING | FAST),
        event: b.add_u64_field("event", FAST),
        agent: b.add_text_field("agent", STRING | FAST),
        role: b.add_text_field("role", STRING | FAST),
        tool: b.add_text_field("tool", STRING | FAST),
        project: b.add_text_field("project", STRING),
        time: b.add_i64_field("time", INDEXED | FAST),
        body: b.add_text_field("body", body_opts),
    };
    (b.build(), fields)
}

fn register(index: &Index) {
    index.tokenizers().register(
        tokenizer::TOKENIZER_NAME,
        tokenizer::ConvxTokenizer::default(),
    );
}

impl Fulltext {
    /// Open an existing full-text index, checking that its schema is ours.
    pub fn open(dir: &Path) -> Result<Fulltext, IndexError> {
        let err = |e| IndexError::fulltext(dir, e);
        let index = Index::open_in_dir(dir).map_err(err)?;
        let (expected, fields) = schema();
        if index.schema() != expected {
            return Err(IndexError::Corrupt {
                path: dir.to_path_buf(),
                reason: "unexpected full-text schema".into(),
            });
        }
        register(&index);
        // Opening a searcher opens every segment: a missing or truncated file fails here.
        index
            .reader()
            .and_then(|r| {
                r.searcher()
                    .segment_readers()
                    .iter()
                    .try_for_each(|s| s.fast_fields().u64("event").map(|_| ()))
            })
            .map_err(err)?;
        Ok(Fulltext {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// Create an empty full-text index in `dir`, removing whatever is there.
    pub fn create(dir: &Path) -> Result<Fulltext, IndexError> {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
        }
        std::fs::create_dir_all(dir).map_err(|e| IndexError::io(dir, e))?;
        let (schema, fields) = schema();
        let index = Index::create_in_dir(dir, schema).map_err(|e| IndexError::fulltext(dir, e))?;
        register(&index);
        Ok(Fulltext {
            index,
            fields,
            dir: dir.to_path_buf(),
        })
    }

    /// The payload of the last commit, if any.
    pub fn payload(&self) -> Result<Option<Payload>, IndexError> {
        let meta = self
            .index
            .load_metas()
            .map_err(|e| IndexError::fulltext(&self.dir, e))?;
        Ok(meta.payload.and_then(|p| serde_json::from_str(&p).ok()))
    }

    /// A writer with `threads` indexing threads sharing `memory` bytes.
    pub fn writer(&self, threads: usize, memory: usize) -> Result<IndexWriter, IndexError> {
        let threads = threads.max(1);
        let per_thread = (memory / threads).max(16 * 1024 * 1024);
        // One merge thread: merges run in the background without multiplying the memory
        // held by concurrent merges (and by the allocator's per-thread arenas).
        let options = tantivy::indexer::IndexWriterOptions::builder()
            .memory_budget_per_thread(per_thread)
            .num_worker_threads(threads)
            .num_merge_threads(1)
            .build();
        self.index
            .writer_with_options(options)
            .map_err(|e| IndexError::fulltext(&self.dir, e))
    }

    /// Delete every document of a session.
    pub fn delete_session(&self, writer: &IndexWriter, key: &str) {
        writer.delete_term(Term::from_field_text(self.fields.session, key));
    }

    /// Add one document.
    pub fn add(&self, writer: &IndexWriter, d: &DocData<'_>) -> Result<(), IndexError> {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.session, d.session);
        doc.add_u64(f.event, d.event);
        doc.add_text(f.agent, d.agent);
        doc.add_text(f.role, d.role.name());
        if let Some(t) = d.tool {
            doc.add_text(f.tool, t.to_lowercase());
        }
        if let Some(cwd) = d.cwd {
            for a in ancestors(cwd) {
                doc.add_text(f.project, a);
            }
        }
        doc.add_i64(f.time, d.time.unwrap_or(0));
        doc.add_text(f.body, d.body);
        writer
            .add_document(doc)
            .map_err(|e| IndexError::fulltext(&self.dir, e))?;
        Ok(())
    }

    /// Commit with `payload`.
    pub fn commit(&self, writer: &mut IndexWriter, payload: &Payload) -> Result<(), IndexError> {
        let err = |e| IndexError::fulltext(&self.dir, e);
        let mut prepared = writer.prepare_commit().map_err(err)?;
        prepared.set_payload(&serde_json::to_string(payload).expect("payload serializes"));
        prepared.commit().map_err(err)?;
        Ok(())
    }

    /// Check every file's checksum; returns the damaged files.
    pub fn damaged_files(&self) -> Result<Vec<PathBuf>, IndexError> {
        let mut v: Vec<PathBuf> = self
            .index
            .validate_checksum()
            .map_err(|e| IndexError::fulltext(&self.dir, e))?
            .into_iter()
            .collect();
        v.sort();
        Ok(v)
    }
}
