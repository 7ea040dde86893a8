//! Read-only access to SQLite stores that a running agent may be writing
//! (OpenCode's `opencode.db`, Cursor's `state.vscdb`). Shared by both adapters.
//!
//! * Opened with `SQLITE_OPEN_READ_ONLY` (never `immutable`): a WAL-mode database is read
//!   through its `-wal` file, so rows the agent committed but did not checkpoint yet are
//!   seen. A read-only connection never writes the database or its WAL and never
//!   checkpoints (SQLite may create the `-shm` index next to a WAL database, as every reader does).
//! * A busy timeout covers short locks; [`with_retry`] repeats a whole read a few times
//!   when SQLite still answers `SQLITE_BUSY` / `SQLITE_LOCKED` (WAL recovery by another
//!   process, a checkpoint restarting the log).

use crate::AdapterError;
use convx_model::Fingerprint;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long one statement waits for a lock before SQLite reports `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(3);
/// How many times a whole read is attempted when SQLite stays busy.
const ATTEMPTS: u32 = 4;

/// Open `path` read-only with a busy timeout. Never creates the file.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    Ok(conn)
}

/// True for the errors that mean "someone else holds a lock, try again".
pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// Run `read` (which opens and reads the database) until it succeeds or fails with an
/// error other than busy, at most [`ATTEMPTS`] times. Other errors become
/// [`AdapterError::Sqlite`] for `path`.
pub(crate) fn with_retry<T>(
    path: &Path,
    mut read: impl FnMut() -> Result<T, rusqlite::Error>,
) -> Result<T, AdapterError> {
    let mut attempt = 1;
    loop {
        match read() {
            Ok(v) => return Ok(v),
            Err(e) if is_busy(&e) && attempt < ATTEMPTS => {
                std::thread::sleep(Duration::from_millis(150 * u64::from(attempt)));
                attempt += 1;
            }
            Err(e) => {
                return Err(AdapterError::Sqlite {
                    path: path.to_path_buf(),
                    source: e,
                });
            }
        }
    }
}

/// The bytes of a TEXT or BLOB value (numbers as their decimal text); `None` for NULL.
pub(crate) fn value_bytes<'a>(v: ValueRef<'a>) -> Option<Cow<'a, [u8]>> {
    match v {
        ValueRef::Null => None,
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(Cow::Borrowed(t)),
        ValueRef::Integer(i) => Some(Cow::Owned(i.to_string().into_bytes())),
        ValueRef::Real(f) => Some(Cow::Owned(f.to_string().into_bytes())),
    }
}

/// A TEXT/BLOB value as a string (lossy UTF-8); `None` for NULL.
pub(crate) fn value_string(v: ValueRef<'_>) -> Option<String> {
    value_bytes(v).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// An INTEGER value (or a numeric TEXT/REAL) as i64.
pub(crate) fn value_i64(v: ValueRef<'_>) -> Option<i64> {
    match v {
        ValueRef::Integer(i) => Some(i),
        ValueRef::Real(f) if f.is_finite() => Some(f as i64),
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| s.trim().parse().ok()),
        _ => None,
    }
}

/// Parse a JSON value stored as TEXT or BLOB. `Ok(None)` for SQL NULL, an empty value and
/// JSON `null`.
pub(crate) fn value_json<T: serde::de::DeserializeOwned>(
    v: ValueRef<'_>,
) -> Result<Option<T>, serde_json::Error> {
    let Some(bytes) = value_bytes(v) else {
        return Ok(None);
    };
    let trimmed = bytes.trim_ascii();
    if trimmed.is_empty() || trimmed == b"null" {
        return Ok(None);
    }
    serde_json::from_slice(trimmed).map(Some)
}

/// True when `table` exists in the main schema.
pub(crate) fn table_exists(conn: &Connection, table: &str) -> Result<bool, rusqlite::Error> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view') AND name = ?1",
        [table],
        |r| r.get(0),
    )?;
    Ok(n > 0)
}

/// The column names of `table` (empty when the table does not exist).
pub(crate) fn columns(conn: &Connection, table: &str) -> Result<Vec<String>, rusqlite::Error> {
    let mut stmt = conn.prepare("SELECT name FROM pragma_table_info(?1)")?;
    let rows = stmt.query_map([table], |r| r.get::<_, String>(0))?;
    rows.collect()
}

/// The `-wal` and `-shm` companions of a database path.
pub(crate) fn companions(db: &Path) -> (PathBuf, PathBuf) {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = db.as_os_str().to_owned();
    shm.push("-shm");
    (PathBuf::from(wal), PathBuf::from(shm))
}

/// Fingerprint of a database: the database file plus its `-wal` (when present). The
/// `-shm` file is left out on purpose: readers write their read marks into it, so its
/// mtime changes whenever anyone (convx included) reads, not when the content changes.
pub(crate) fn db_fingerprint(db: &Path) -> std::io::Result<Fingerprint> {
    let (wal, _) = companions(db);
    let mut fp = crate::fingerprint(db)?;
    if let Ok(w) = crate::fingerprint(&wal) {
        fp = combine(fp, w);
    }
    Ok(fp)
}

/// Combine two fingerprints: sizes add up, the newest mtime wins.
pub(crate) fn combine(a: Fingerprint, b: Fingerprint) -> Fingerprint {
    Fingerprint {
        size: a.size + b.size,
        mtime_ns: a.mtime_ns.max(b.mtime_ns),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_values_from_text_blob_and_null() {
        let c = Connection::open_in_memory().unwrap();
        let get = |sql: &str| -> Option<serde_json::Value> {
            c.query_row(sql, [], |r| {
                Ok(value_json::<serde_json::Value>(r.get_ref(0)?).unwrap())
            })
            .unwrap()
        };
        assert_eq!(get("SELECT '{\"a\":1}'"), Some(serde_json::json!({"a":1})));
        assert_eq!(
            get("SELECT CAST('{\"a\":2}' AS BLOB)"),
            Some(serde_json::json!({"a":2}))
        );
        assert_eq!(get("SELECT NULL"), None);
        assert_eq!(get("SELECT 'null'"), None);
        assert_eq!(get("SELECT ''"), None);
    }

    #[test]
    fn companions_are_suffixed() {
        let (w, s) = companions(Path::new("/x/opencode.db"));
        assert_eq!(w, PathBuf::from("/x/opencode.db-wal"));
        assert_eq!(s, PathBuf::from("/x/opencode.db-shm"));
    }
}
