//! # convx-index
//!
//! The searchable view of the sessions: one SQLite database for structure and statistics
//! (sessions, events, tool calls, usage per model call, plan updates, files touched,
//! warnings, and the state of every source read) and a tantivy full-text index beside it.
//! The index is a *view*: it can be rebuilt at any time from the agents' logs or from an
//! archive. It only ever receives redacted sessions.
//!
//! Layout of an index directory (default `$XDG_DATA_HOME/convx/index/`, chosen by the CLI):
//!
//! ```text
//! index.sqlite3      the database (WAL mode: also -wal and -shm files)
//! fulltext/          the tantivy index
//! lock               held by the one process writing the index
//! ```
//!
//! Writing ([`Index`]) takes the lock, migrates the database, and repairs the full-text
//! index when it is missing, damaged or behind (see [`writer`]). Reading ([`IndexReader`])
//! takes no lock: [`IndexReader::search`] and [`IndexReader::stats`].
//!
//! ```no_run
//! use convx_index::{Index, IndexConfig, Origin};
//! # fn sessions() -> Vec<convx_model::Session> { vec![] }
//! let dir = std::path::Path::new("/tmp/convx-index");
//! let mut index = Index::open(dir, IndexConfig::default())?;
//! index.write_sessions(&sessions(), Origin::Sources, &[])?;
//! let hits = index.reader()?.search(&convx_index::search::SearchRequest::new("migration"))?;
//! # Ok::<(), convx_index::IndexError>(())
//! ```

pub mod config;
mod error;
mod extract;
mod filter;
mod fulltext;
pub mod pricing;
mod project;
mod reader;
mod role;
pub mod search;
mod sessions;
pub mod stats;
mod store;
mod text;
pub mod update;
pub mod writer;

pub use error::IndexError;
pub use extract::FulltextOptions;
pub use filter::Filter;
pub use fulltext::tokenizer;
pub use project::{ProjectFilter, project_name};
pub use reader::{IndexReader, IndexStatus, dir_size};
pub use role::{Role, UnknownRoleError};
pub use sessions::SessionSummary;
pub use store::{Origin, SourceRecord};
pub use writer::{Index, IndexConfig, Repair, WriteReport};

/// File names inside an index directory.
pub mod paths {
    /// The SQLite database.
    pub const DATABASE: &str = "index.sqlite3";
    /// The tantivy directory.
    pub const FULLTEXT: &str = "fulltext";
    /// The writer lock.
    pub const LOCK: &str = "lock";
}

/// The database schema version this build writes.
pub const SCHEMA_VERSION: u32 = store::migrations::LATEST;

/// Helpers for tests (not part of the API).
#[doc(hidden)]
pub mod testing {
    use std::path::Path;

    /// Create the database of an index in `dir` at schema version `version` (0..=latest).
    pub fn create_database_at_version(
        dir: &Path,
        version: u32,
    ) -> rusqlite::Result<rusqlite::Connection> {
        std::fs::create_dir_all(dir).expect("create dir");
        let mut conn = rusqlite::Connection::open(dir.join(crate::paths::DATABASE))?;
        crate::store::migrations::migrate_to(&mut conn, version)?;
        Ok(conn)
    }
}
