//! Where sessions come from: the agents' logs (through the adapters), or a folder of
//! normalized session JSON (convx's own output, e.g. another archive), behind one trait so
//! tests and benchmarks can feed the archive directly.

use crate::load::{self, LoadRequest};
use convx_adapters::{ReadOptions, Source, SourceOutput, adapter_for, fingerprint};
use convx_model::Agent;
use std::path::{Path, PathBuf};

/// What discovery found.
#[derive(Debug, Default)]
pub struct Discovered {
    /// The sources, each with its (size, mtime) fingerprint.
    pub sources: Vec<Source>,
    /// The roots that were scanned (a remembered source under one of them that is no
    /// longer found has vanished; others are out of this run's scope).
    pub roots: Vec<PathBuf>,
    /// Problems that stopped an agent's discovery.
    pub errors: Vec<String>,
    /// Records skipped while discovering.
    pub warnings: u64,
}

/// A provider of sessions.
pub trait SessionSource: Sync {
    /// List the sources, cheaply (no source is read).
    fn discover(&self) -> Discovered;
    /// Read one source, with events.
    fn read(&self, source: &Source) -> Result<SourceOutput, String>;
}

/// The agents' logs, as the load pipeline finds them.
#[derive(Debug, Clone)]
pub struct AdapterSource {
    /// What to read.
    pub request: LoadRequest,
}

impl SessionSource for AdapterSource {
    fn discover(&self) -> Discovered {
        let (sources, reports) = load::discover(&self.request);
        let mut d = Discovered {
            sources,
            ..Discovered::default()
        };
        for adapter in convx_adapters::registry() {
            if self.request.agents.is_empty() || self.request.agents.contains(&adapter.agent()) {
                d.roots.extend(self.request.roots_for(adapter));
            }
        }
        for r in reports {
            d.errors.extend(r.source_errors);
            d.warnings += r.warnings.values().sum::<u64>();
        }
        d
    }

    fn read(&self, source: &Source) -> Result<SourceOutput, String> {
        adapter_for(source.agent)
            .read(
                source,
                &ReadOptions {
                    retain_events: true,
                },
            )
            .map_err(|e| e.to_string())
    }
}

/// Every `*.json` file under a folder, each holding one normalized session (as written by
/// convx: `convx show --json`, or an archive's hidden JSON files).
#[derive(Debug, Clone)]
pub struct JsonDirSource {
    /// The folder.
    pub dir: PathBuf,
}

fn walk_json(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        match e.file_type() {
            Ok(t) if t.is_dir() => walk_json(&p, out),
            Ok(t) if t.is_file() && p.extension().is_some_and(|x| x == "json") => out.push(p),
            _ => {}
        }
    }
}

impl SessionSource for JsonDirSource {
    fn discover(&self) -> Discovered {
        let mut paths = Vec::new();
        walk_json(&self.dir, &mut paths);
        paths.sort();
        let mut d = Discovered {
            roots: vec![self.dir.clone()],
            ..Discovered::default()
        };
        for path in paths {
            match fingerprint(&path) {
                // The agent is only known once the file is read; it is not used to read it.
                Ok(fp) => d.sources.push(Source {
                    agent: Agent::Claude,
                    path,
                    fingerprint: fp,
                    related: Vec::new(),
                    hint: Some("json".into()),
                }),
                Err(e) => d.errors.push(format!("{}: {e}", path.display())),
            }
        }
        d
    }

    fn read(&self, source: &Source) -> Result<SourceOutput, String> {
        let err = |e: &dyn std::fmt::Display| format!("{}: {e}", source.path.display());
        // Large files are parsed from a reader, so the file is not in memory twice.
        let session = if source.fingerprint.size > 16 * 1024 * 1024 {
            let file = std::fs::File::open(&source.path).map_err(|e| err(&e))?;
            let mut s: convx_model::Session =
                serde_json::from_reader(std::io::BufReader::with_capacity(1 << 20, file))
                    .map_err(|e| err(&e))?;
            super::json::restore_calls(&mut s);
            s
        } else {
            let bytes = std::fs::read(&source.path).map_err(|e| err(&e))?;
            super::json::read_session(&bytes).map_err(|e| err(&e))?
        };
        Ok(SourceOutput {
            sessions: vec![session],
            warnings: Vec::new(),
        })
    }
}
