//! One run at a time per archive: an OS file lock on `<git dir>/convx/lock` (released by
//! the OS when the process ends, even on `kill -9`).

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A held archive lock; released on drop.
#[derive(Debug)]
pub struct Lock {
    file: File,
    path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    /// Another run holds it and waiting was not allowed.
    #[error("another convx run is using this archive ({holder}); try again later")]
    Busy {
        /// What the holder wrote in the lock file (pid and start time).
        holder: String,
    },
    /// The lock file could not be opened or locked.
    #[error("cannot lock {path}: {source}")]
    Io {
        /// The lock file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
}

/// The lock file of a repository whose git directory is `git_dir`.
pub fn lock_path(git_dir: &Path) -> PathBuf {
    git_dir.join("convx").join("lock")
}

impl Lock {
    /// Take the lock. When another run holds it: wait if `wait` (calling `on_wait` once
    /// with a description of the holder first), else fail with [`LockError::Busy`].
    pub fn acquire(git_dir: &Path, wait: bool, on_wait: &dyn Fn(&str)) -> Result<Lock, LockError> {
        let path = lock_path(git_dir);
        let io_err = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(io_err)?;
        }
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = if holder.trim().is_empty() {
                    "unknown process".to_string()
                } else {
                    holder.trim().to_string()
                };
                if !wait {
                    return Err(LockError::Busy { holder });
                }
                on_wait(&holder);
                file.lock().map_err(io_err)?;
            }
            Err(TryLockError::Error(e)) => return Err(io_err(e)),
        }
        let now = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let _ = file
            .set_len(0)
            .and_then(|_| file.rewind())
            .and_then(|_| write!(file, "pid {} since {now}", std::process::id()));
        Ok(Lock { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_or_waits() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path(), false, &|_| {}).unwrap();
        let err = Lock::acquire(dir.path(), false, &|_| {}).unwrap_err();
        assert!(
            matches!(&err, LockError::Busy { holder } if holder.contains("pid")),
            "{err}"
        );
        let waited = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let w = waited.clone();
        let path = dir.path().to_path_buf();
        let t = std::thread::spawn(move || {
            let _l = Lock::acquire(&path, true, &|_| {
                w.store(true, std::sync::atomic::Ordering::SeqCst)
            })
            .unwrap();
        });
        while !waited.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        drop(first);
        t.join().unwrap();
        assert!(Lock::acquire(dir.path(), false, &|_| {}).is_ok());
    }
}
