//! The index's error type.

use std::path::{Path, PathBuf};

/// Why an index operation failed.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The SQLite database failed.
    #[error("index database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The full-text index failed.
    #[error("full-text index {path}: {source}")]
    Fulltext {
        /// The full-text directory.
        path: PathBuf,
        /// The tantivy error.
        #[source]
        source: tantivy::TantivyError,
    },
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// There is no index in the directory.
    #[error("no index in {0} (run `convx index` to build it)")]
    Missing(PathBuf),
    /// The index was written by a newer convx.
    #[error(
        "the index in {path} has schema version {found}, newer than this convx supports ({supported}): \
         upgrade convx, or rebuild the index with `convx index --rebuild`"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The index needs migrating, which only a writer does.
    #[error("the index in {0} was built by an older convx: run `convx index` to upgrade it")]
    NeedsUpgrade(PathBuf),
    /// Another process is writing the index.
    #[error("the index in {0} is being updated by another convx process")]
    Locked(PathBuf),
    /// Part of the index is damaged.
    #[error("{path}: {reason}")]
    Corrupt {
        /// The damaged file or directory.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A `--raw-query` could not be parsed.
    #[error("invalid query: {0}")]
    Query(String),
    /// A configuration section (`[index]`, `[pricing]`) is invalid.
    #[error("configuration: {0}")]
    Config(String),
    /// The price table or a price override is invalid.
    #[error("pricing: {0}")]
    Pricing(String),
    /// An archive file could not be read as a session.
    #[error("{path}: {reason}")]
    Archive {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl IndexError {
    /// A SQLite error on `path`.
    pub fn sqlite(path: &Path, source: rusqlite::Error) -> IndexError {
        IndexError::Sqlite {
            path: path.to_path_buf(),
            source,
        }
    }

    /// A tantivy error on `path`.
    pub fn fulltext(path: &Path, source: tantivy::TantivyError) -> IndexError {
        IndexError::Fulltext {
            path: path.to_path_buf(),
            source,
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> IndexError {
        IndexError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}
