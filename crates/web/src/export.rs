//! `convx export-html`: self-contained HTML files.
//!
//! One file per session with the console's timeline, plus `index.html` listing them. Each
//! file has its CSS inline (allowed by a hash in its own Content-Security-Policy, which
//! forbids every script and every external request), no JavaScript (tool calls and
//! reasoning collapse with plain `<details>`), and relative links between the exported
//! sessions: the folder can be zipped, attached to a PR or published as is.
//!
//! Sessions must already be redacted.

use crate::assets;
use crate::data::{SessionDetail, SessionRow};
use crate::memory::MemoryData;
use crate::routes::PageBase;
use crate::routes::list::{RowView, row_view};
use crate::session_view::session_view;
use crate::timeline::{Limits, Links};
use crate::{ConsoleData, data};
use convx_model::Session;
use jiff::tz::TimeZone;
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Export failures.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// Writing a file failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// A template failed (a bug).
    #[error("rendering failed: {0:#}")]
    Render(#[from] minijinja::Error),
    /// The data could not be read.
    #[error(transparent)]
    Data(#[from] data::DataError),
}

/// What an export wrote.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExportSummary {
    /// Session files written, in index order.
    pub files: Vec<PathBuf>,
    /// The index page.
    pub index: PathBuf,
}

/// Renders exported pages for a fixed set of sessions (their rows decide file names and
/// links).
#[derive(Debug)]
pub struct Exporter {
    rows: Vec<SessionRow>,
    links: Links,
    files: HashMap<String, String>,
    tz: TimeZone,
    exported_at: String,
}

/// A file name for `key`: ASCII letters, digits, `-`, `_` and `.` kept, the rest `-`.
fn base_name(key: &str) -> String {
    let mut out = String::new();
    for c in key.chars() {
        let c = if c.is_ascii_alphanumeric() || matches!(c, '_' | '.') {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
        if out.len() >= 100 {
            break;
        }
    }
    let out = out.trim_matches(['-', '.']).to_string();
    if out.is_empty() || out == "index" {
        format!("session-{out}")
    } else {
        out
    }
}

impl Exporter {
    /// An exporter for `rows` (listed newest first in the index).
    pub fn new(mut rows: Vec<SessionRow>, tz: TimeZone) -> Self {
        rows.sort_by(|a, b| {
            b.started_at
                .cmp(&a.started_at)
                .then_with(|| a.key.cmp(&b.key))
        });
        let mut used: HashSet<String> = HashSet::new();
        let mut files = HashMap::new();
        let mut keys: Vec<&str> = rows.iter().map(|r| r.key.as_str()).collect();
        keys.sort_unstable();
        for key in keys {
            let base = base_name(key);
            let mut name = format!("{base}.html");
            let mut n = 2;
            while !used.insert(name.to_ascii_lowercase()) {
                name = format!("{base}-{n}.html");
                n += 1;
            }
            files.insert(key.to_string(), name);
        }
        Exporter {
            rows,
            links: Links::Export(files.clone()),
            files,
            tz,
            exported_at: jiff::Timestamp::now()
                .strftime("%Y-%m-%d %H:%M UTC")
                .to_string(),
        }
    }

    /// Fix the "exported at" text (for reproducible output).
    pub fn with_exported_at(mut self, text: &str) -> Self {
        self.exported_at = text.to_string();
        self
    }

    /// The file name of an exported session.
    pub fn file_name(&self, key: &str) -> Option<&str> {
        self.files.get(key).map(String::as_str)
    }

    fn base(&self, page: &'static str, title: &str) -> minijinja::Value {
        let base = PageBase {
            page,
            title: title.to_string(),
            zone: crate::format::zone_name(&self.tz),
            version: env!("CARGO_PKG_VERSION"),
            export: true,
        };
        minijinja::context! {
            css => crate::routes::ser(assets::css()),
            style_hash => crate::routes::ser(assets::css_hash_source()),
            exported_at => crate::routes::ser(self.exported_at.clone()),
            ..crate::routes::ser(base)
        }
    }

    /// One session's page.
    pub fn render_session(&self, detail: &SessionDetail) -> Result<String, ExportError> {
        let view = session_view(detail, &self.links, Limits::EXPORT, &self.tz);
        let base = self.base("session", &view.title);
        Ok(assets::render(
            "session.html",
            minijinja::context! {
                    s => crate::routes::ser(view),
                    index_href => crate::routes::ser("index.html"),
                ..base
            },
        )?)
    }

    /// The index page.
    pub fn render_index(&self) -> Result<String, ExportError> {
        let rows: Vec<RowView> = self
            .rows
            .iter()
            .map(|r| row_view(r, &self.links, &self.tz))
            .collect();
        let columns: Vec<minijinja::Value> = [
            ("Start", ""),
            ("Duration", "num"),
            ("Prompts", "num"),
            ("Tool calls", "num"),
            ("Tokens", "num"),
            ("Cost", "num"),
        ]
        .into_iter()
        .map(|(label, class)| minijinja::context! { label => crate::routes::ser(label), class => crate::routes::ser(class)
        })
        .collect();
        let n = rows.len();
        Ok(assets::render(
            "sessions.html",
            minijinja::context! {
                    rows => crate::routes::ser(rows),
                    columns => crate::routes::ser(columns),
                    summary => crate::routes::ser(format!("{n} exported session{}", if n == 1 { "" } else { "s" })),
                    empty => crate::routes::ser("No sessions were exported."),
                ..self.base("sessions", "Exported sessions")
            },
        )?)
    }
}

/// Write `html` to `path` atomically (temp file + rename), skipping identical content.
fn write_file(path: &Path, html: &str) -> Result<(), ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if std::fs::read(path).is_ok_and(|old| old == html.as_bytes()) {
        return Ok(());
    }
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
    tmp.write_all(html.as_bytes()).map_err(io)?;
    tmp.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// Export `sessions` into `dir` (created when missing): one file per session plus
/// `index.html`. Project and cost come from [`MemoryData`]'s rules.
pub fn export_sessions(
    sessions: Vec<Session>,
    dir: &Path,
    tz: TimeZone,
) -> Result<ExportSummary, ExportError> {
    std::fs::create_dir_all(dir).map_err(|source| ExportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let data = MemoryData::new(sessions, tz.clone());
    let all = data.sessions(&data::SessionFilter {
        limit: usize::MAX,
        ..Default::default()
    })?;
    let exporter = Exporter::new(all.rows, tz);
    let mut summary = ExportSummary::default();
    for row in &exporter.rows {
        let Some(detail) = data.session(&row.key)? else {
            continue;
        };
        let name = exporter.file_name(&row.key).expect("every row has a file");
        let path = dir.join(name);
        write_file(&path, &exporter.render_session(&detail)?)?;
        summary.files.push(path);
    }
    summary.index = dir.join("index.html");
    write_file(&summary.index, &exporter.render_index()?)?;
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_safe_and_unique() {
        assert_eq!(base_name("codex:0199-abc"), "codex-0199-abc");
        assert_eq!(
            base_name("claude:../../etc/passwd"),
            "claude-..-..-etc-passwd"
        );
        assert_eq!(base_name("x:index"), "x-index");
        assert_eq!(base_name("::"), "session-");
        let row = |k: &str| {
            SessionRow::from_session(&Session::new(convx_model::Agent::Codex, k), None, 0.0, 0)
        };
        let mut a = row("a:b");
        a.key = "a:b".into();
        let mut b = row("a-b");
        b.key = "a/b".into();
        let e = Exporter::new(vec![a, b], TimeZone::UTC);
        assert_eq!(e.file_name("a/b"), Some("a-b.html"));
        assert_eq!(e.file_name("a:b"), Some("a-b-2.html"));
    }
}
