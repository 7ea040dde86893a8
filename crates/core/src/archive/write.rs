//! Writing files: render into a guarded buffer (residue-scanned, hashed, spilled to a temp
//! file past a size), compare with what is on disk, and only then replace the file
//! atomically (temp file + rename). Unchanged files are never touched, so their mtime and
//! `git status` stay clean.

use super::guard::Guard;
use crate::redact::Finding;
use sha2::{Digest, Sha256};
use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// Rendered output past this size goes to a temp file instead of memory.
pub const SPILL_BYTES: usize = 8 * 1024 * 1024;
/// Bytes of the previous chunk scanned again with the next one, so a secret spanning a
/// chunk boundary is still seen.
const OVERLAP_BYTES: usize = 16 * 1024;

/// A folder for temp files, on the same file system as the archive (inside `.git`, so a
/// temp file left by a killed run never shows in `git status`).
#[derive(Debug)]
pub struct TempDir {
    path: PathBuf,
    counter: AtomicU64,
}

impl TempDir {
    /// Use (and create) `path`; stale temp files from killed runs are removed. Call only
    /// while holding the archive lock.
    pub fn new(path: PathBuf) -> io::Result<TempDir> {
        fs::create_dir_all(&path)?;
        for entry in fs::read_dir(&path)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(TempDir {
            path,
            counter: AtomicU64::new(0),
        })
    }

    fn next_in(&self, dir: &Path) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        dir.join(format!(".convx-{}-{n}.tmp", std::process::id()))
    }

    fn next(&self) -> PathBuf {
        self.next_in(&self.path)
    }
}

/// Where rendered bytes are.
#[derive(Debug)]
pub enum Data {
    /// In memory.
    Memory(Vec<u8>),
    /// In a temp file (large outputs).
    Spilled(PathBuf),
}

/// One rendered file, checked and hashed, not yet written.
#[derive(Debug)]
pub struct Rendered {
    /// The bytes.
    pub data: Data,
    /// Length in bytes.
    pub len: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Residue findings: non-empty means the file must not be written.
    pub findings: Vec<Finding>,
}

impl Rendered {
    /// Drop a spilled temp file (when the file is withheld or unchanged).
    pub fn discard(self) {
        if let Data::Spilled(p) = self.data {
            let _ = fs::remove_file(p);
        }
    }
}

/// A `Write` sink that scans what is written for residue, hashes it, and spills to a temp
/// file when it grows past `spill_at` bytes.
pub struct GuardedWriter<'a> {
    buf: Vec<u8>,
    spill: Option<(BufWriter<File>, PathBuf)>,
    tmp: &'a TempDir,
    guard: &'a dyn Guard,
    hasher: Sha256,
    len: u64,
    carry: String,
    carry_lines: usize,
    lines_done: usize,
    findings: Vec<Finding>,
    spill_at: usize,
}

impl<'a> GuardedWriter<'a> {
    /// A writer spilling past [`SPILL_BYTES`].
    pub fn new(tmp: &'a TempDir, guard: &'a dyn Guard) -> Self {
        Self::with_spill(tmp, guard, SPILL_BYTES)
    }

    /// A writer spilling past `spill_at` bytes.
    pub fn with_spill(tmp: &'a TempDir, guard: &'a dyn Guard, spill_at: usize) -> Self {
        GuardedWriter {
            buf: Vec::new(),
            spill: None,
            tmp,
            guard,
            hasher: Sha256::new(),
            len: 0,
            carry: String::new(),
            carry_lines: 0,
            lines_done: 0,
            findings: Vec::new(),
            spill_at: spill_at.max(1),
        }
    }

    fn scan(&mut self, text: &str) {
        let found = self.guard.check_residue(text);
        self.record(found);
    }

    fn record(&mut self, found: Vec<Finding>) {
        let base = self.lines_done.saturating_sub(self.carry_lines);
        for mut f in found {
            f.line += base;
            if !self.findings.contains(&f) {
                self.findings.push(f);
            }
        }
    }

    fn flush_chunk(&mut self, all: bool) -> io::Result<()> {
        let cut = if all {
            self.buf.len()
        } else {
            self.buf
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1)
        };
        if cut == 0 {
            return Ok(());
        }
        let chunk: Vec<u8> = self.buf.drain(..cut).collect();
        let text = utf8(&chunk);
        let scan_text = format!("{}{}", self.carry, text);
        self.scan(&scan_text);
        let chunk_lines = text.matches('\n').count();
        self.lines_done += chunk_lines;
        // Keep the tail of what was scanned (from a line start) for the next scan.
        let mut start = scan_text.len().saturating_sub(OVERLAP_BYTES);
        while !scan_text.is_char_boundary(start) {
            start += 1;
        }
        if let Some(nl) = scan_text[start..].find('\n') {
            start += nl + 1;
        }
        self.carry = scan_text[start..].to_string();
        self.carry_lines = self.carry.matches('\n').count();
        if self.spill.is_none() {
            let path = self.tmp.next();
            self.spill = Some((
                BufWriter::with_capacity(256 * 1024, File::create(&path)?),
                path,
            ));
        }
        let (w, _) = self.spill.as_mut().expect("just set");
        w.write_all(&chunk)
    }

    /// Finish: scan what is left and return the rendered file.
    pub fn finish(mut self) -> io::Result<Rendered> {
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let data = if self.spill.is_none() {
            let found = self.guard.check_residue(&utf8(&self.buf));
            self.record(found);
            Data::Memory(std::mem::take(&mut self.buf))
        } else {
            self.flush_chunk(true)?;
            let (w, path) = self.spill.take().expect("spilled");
            w.into_inner().map_err(|e| e.into_error())?;
            Data::Spilled(path)
        };
        Ok(Rendered {
            data,
            len: self.len,
            sha256,
            findings: std::mem::take(&mut self.findings),
        })
    }
}

impl Write for GuardedWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        self.hasher.update(data);
        self.len += data.len() as u64;
        if self.buf.len() >= self.spill_at {
            self.flush_chunk(false)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for GuardedWriter<'_> {
    fn drop(&mut self) {
        if let Some((_, path)) = self.spill.take() {
            let _ = fs::remove_file(path);
        }
    }
}

/// Rendered bytes as text (always valid UTF-8 in practice; the fast check first).
fn utf8(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(bytes),
    }
}

/// What happened to a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// It did not exist and was written.
    Created,
    /// It existed with other bytes and was replaced.
    Updated,
    /// It already had exactly these bytes; it was not touched.
    Unchanged,
}

/// Compare `rendered` with `target` and, unless `dry_run`, replace `target` atomically when
/// the bytes differ. Never called with residue findings.
pub fn place(
    rendered: Rendered,
    target: &Path,
    tmp: &TempDir,
    dry_run: bool,
) -> io::Result<Outcome> {
    let existing = match fs::metadata(target) {
        Ok(m) => Some(m.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let same = match (&rendered.data, existing) {
        (Data::Memory(bytes), Some(len)) if len == bytes.len() as u64 => {
            fs::read(target)? == *bytes
        }
        (Data::Spilled(path), Some(len)) if len == rendered.len => same_contents(path, target)?,
        _ => false,
    };
    let outcome = match (same, existing) {
        (true, _) => Outcome::Unchanged,
        (false, Some(_)) => Outcome::Updated,
        (false, None) => Outcome::Created,
    };
    if same || dry_run {
        rendered.discard();
        return Ok(outcome);
    }
    if let Some(dir) = target.parent() {
        fs::create_dir_all(dir)?;
    }
    match rendered.data {
        Data::Memory(bytes) => {
            let temp = tmp.next();
            write_file(&temp, &bytes)?;
            if let Err(e) = fs::rename(&temp, target) {
                let _ = fs::remove_file(&temp);
                if e.kind() != io::ErrorKind::CrossesDevices {
                    return Err(e);
                }
                // The temp folder is on another file system: use one beside the target.
                let local = tmp.next_in(target.parent().unwrap_or(Path::new(".")));
                write_file(&local, &bytes)?;
                fs::rename(&local, target).inspect_err(|_| {
                    let _ = fs::remove_file(&local);
                })?;
            }
        }
        Data::Spilled(path) => {
            if let Err(e) = fs::rename(&path, target) {
                if e.kind() != io::ErrorKind::CrossesDevices {
                    let _ = fs::remove_file(&path);
                    return Err(e);
                }
                let local = tmp.next_in(target.parent().unwrap_or(Path::new(".")));
                fs::copy(&path, &local)?;
                let _ = fs::remove_file(&path);
                fs::rename(&local, target)?;
            }
        }
    }
    Ok(outcome)
}

fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = File::create(path)?;
    f.write_all(bytes)?;
    Ok(())
}

fn same_contents(a: &Path, b: &Path) -> io::Result<bool> {
    let (mut fa, mut fb) = (File::open(a)?, File::open(b)?);
    let (mut ba, mut bb) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let na = read_full(&mut fa, &mut ba)?;
        let nb = read_full(&mut fb, &mut bb)?;
        if na != nb || ba[..na] != bb[..nb] {
            return Ok(false);
        }
        if na == 0 {
            return Ok(true);
        }
    }
}

fn read_full(f: &mut File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// Write `bytes` to `target` atomically unless it already holds them. Returns the outcome.
pub fn write_if_changed(target: &Path, bytes: &[u8], tmp: &TempDir) -> io::Result<Outcome> {
    let rendered = Rendered {
        data: Data::Memory(bytes.to_vec()),
        len: bytes.len() as u64,
        sha256: String::new(),
        findings: Vec::new(),
    };
    place(rendered, target, tmp, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::Finding;
    use std::borrow::Cow;

    struct Marker;
    impl Guard for Marker {
        fn redact_session(&self, _: &mut convx_model::Session) {}
        fn redact_text<'a>(&self, t: &'a str) -> Cow<'a, str> {
            Cow::Borrowed(t)
        }
        fn check_residue(&self, text: &str) -> Vec<Finding> {
            text.lines()
                .enumerate()
                .filter(|(_, l)| {
                    l.contains("SECRET-BEGIN") && l.contains("SECRET-END")
                        || l.contains("ONELINE-SECRET")
                })
                .map(|(i, _)| Finding {
                    rule: "test".into(),
                    line: i + 1,
                    column: 1,
                    masked: "…".into(),
                })
                .collect()
        }
    }

    fn render(tmp: &TempDir, spill: usize, text: &str) -> Rendered {
        let mut w = GuardedWriter::with_spill(tmp, &Marker, spill);
        for chunk in text.as_bytes().chunks(7) {
            w.write_all(chunk).unwrap();
        }
        w.finish().unwrap()
    }

    #[test]
    fn residue_is_found_in_memory_and_across_spilled_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = TempDir::new(dir.path().join("tmp")).unwrap();
        let mut text = String::new();
        for i in 0..500 {
            text.push_str(&format!(
                "line {i} with some filler text to make it longer\n"
            ));
        }
        text.push_str("ONELINE-SECRET\n");
        let r = render(&tmp, usize::MAX, &text);
        assert_eq!(r.findings.len(), 1);
        assert_eq!(r.findings[0].line, 501);
        let r = render(&tmp, 1000, &text);
        assert!(matches!(r.data, Data::Spilled(_)));
        assert_eq!(r.findings.len(), 1, "{:?}", r.findings);
        assert_eq!(r.findings[0].line, 501);
        r.discard();
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
    }

    #[test]
    fn spilled_and_memory_outputs_place_identically() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = TempDir::new(dir.path().join("tmp")).unwrap();
        let text = "abc\n".repeat(10_000);
        let target = dir.path().join("out/a.txt");
        let r = render(&tmp, 100, &text);
        assert_eq!(r.sha256, hex::encode(Sha256::digest(text.as_bytes())));
        assert_eq!(place(r, &target, &tmp, false).unwrap(), Outcome::Created);
        assert_eq!(fs::read_to_string(&target).unwrap(), text);
        let before = fs::metadata(&target).unwrap().modified().unwrap();
        assert_eq!(
            place(render(&tmp, 100, &text), &target, &tmp, false).unwrap(),
            Outcome::Unchanged
        );
        assert_eq!(
            place(render(&tmp, usize::MAX, &text), &target, &tmp, false).unwrap(),
            Outcome::Unchanged
        );
        assert_eq!(fs::metadata(&target).unwrap().modified().unwrap(), before);
        let other = text.replace("abc", "abd");
        assert_eq!(
            place(render(&tmp, usize::MAX, &other), &target, &tmp, true).unwrap(),
            Outcome::Updated
        );
        assert_eq!(
            fs::read_to_string(&target).unwrap(),
            text,
            "dry run writes nothing"
        );
        assert_eq!(
            place(render(&tmp, 100, &other), &target, &tmp, false).unwrap(),
            Outcome::Updated
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), other);
        assert_eq!(
            fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0,
            "no temp file left"
        );
    }

    #[test]
    fn stale_temp_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("tmp")).unwrap();
        fs::write(dir.path().join("tmp/.convx-1-1.tmp"), "partial").unwrap();
        let _tmp = TempDir::new(dir.path().join("tmp")).unwrap();
        assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
    }
}
