use std::path::PathBuf;

/// A source could not be read at all. Problems with single records are
/// [`convx_model::Warning`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    /// The file or directory could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A SQLite store could not be opened or queried.
    #[error("cannot read database {path}: {source}")]
    Sqlite {
        /// The database path.
        path: PathBuf,
        /// The SQLite error.
        #[source]
        source: rusqlite::Error,
    },
    /// The source is not in a format this adapter understands.
    #[error("{path}: {reason}")]
    Format {
        /// The path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
}

impl AdapterError {
    /// Wrap an I/O error with its path.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        AdapterError::Io {
            path: path.into(),
            source,
        }
    }
}
