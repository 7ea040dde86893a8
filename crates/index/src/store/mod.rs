//! The SQLite side of the index: connection setup, migrations, and writing sessions.

pub(crate) mod migrations;

use crate::IndexError;
use crate::extract::{Extracted, millis};
use crate::project::project_name;
use convx_model::{Fingerprint, Session};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Where a session's indexed copy came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    /// The agents' own logs (`convx index`).
    Sources,
    /// An archive's normalized JSON (`convx index --from-archive`, `backup`, `sync`).
    Archive,
}

impl Origin {
    /// The name stored in the database.
    pub fn name(self) -> &'static str {
        match self {
            Origin::Sources => "sources",
            Origin::Archive => "archive",
        }
    }
}

/// What the index remembers of one source (a log file, a database, an archive JSON file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRecord {
    /// The source's path.
    pub path: String,
    /// Where it belongs.
    pub origin: Origin,
    /// Its agent, when known.
    pub agent: Option<String>,
    /// (size, mtime) when it was read.
    pub fingerprint: Fingerprint,
    /// The sessions it produced.
    pub session_keys: Vec<String>,
}

/// The SQLite database.
pub(crate) struct Store {
    pub conn: Connection,
    pub path: PathBuf,
}

/// The outcome of writing one session.
pub(crate) enum Replaced {
    /// Written; its old rows (if any) were replaced.
    Written,
    /// Kept the existing copy: it came from other sources and has more content.
    KeptExisting,
}

impl Store {
    /// Open (creating when `create`) and configure the database. Does not migrate.
    pub fn open(path: &Path, create: bool) -> Result<Store, IndexError> {
        let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI;
        if create {
            flags |= OpenFlags::SQLITE_OPEN_CREATE;
        }
        let err = |e| IndexError::sqlite(path, e);
        let conn = Connection::open_with_flags(path, flags).map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .map_err(err)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;
             PRAGMA cache_size = -16000;
             PRAGMA foreign_keys = OFF;",
        )
        .map_err(err)?;
        if create {
            // the writer checkpoints less often: fewer rewrites of the same pages
            conn.pragma_update(None, "wal_autocheckpoint", 8000)
                .map_err(err)?;
        }
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// Wrap a SQLite error with the database path.
    pub fn err(&self, e: rusqlite::Error) -> IndexError {
        IndexError::sqlite(&self.path, e)
    }

    /// The schema version.
    pub fn version(&self) -> Result<u32, IndexError> {
        migrations::version(&self.conn).map_err(|e| self.err(e))
    }

    /// Bring the schema to the latest version. Refuses a database newer than this build.
    pub fn migrate(&mut self) -> Result<Vec<u32>, IndexError> {
        let v = self.version()?;
        if v > migrations::LATEST {
            return Err(IndexError::TooNew {
                path: self.path.clone(),
                found: v,
                supported: migrations::LATEST,
            });
        }
        let path = self.path.clone();
        migrations::migrate_to(&mut self.conn, migrations::LATEST)
            .map_err(|e| IndexError::sqlite(&path, e))
    }

    /// A value of the `meta` table.
    pub fn meta(&self, key: &str) -> Result<Option<String>, IndexError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.err(e))
    }

    /// A numeric `meta` value (0 when absent).
    pub fn meta_u64(&self, key: &str) -> Result<u64, IndexError> {
        Ok(self.meta(key)?.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// The (size, mtime) of every recorded source of `origin`.
    pub fn source_fingerprints(
        &self,
        origin: Origin,
    ) -> Result<HashMap<String, Fingerprint>, IndexError> {
        let mut st = self
            .conn
            .prepare("SELECT path, size, mtime_ns FROM sources WHERE origin = ?1")
            .map_err(|e| self.err(e))?;
        let rows = st
            .query_map([origin.name()], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    Fingerprint {
                        size: r.get::<_, i64>(1)? as u64,
                        mtime_ns: r.get::<_, i64>(2)? as i128,
                    },
                ))
            })
            .map_err(|e| self.err(e))?;
        rows.collect::<Result<_, _>>().map_err(|e| self.err(e))
    }

    /// The sources that produced any of `keys`.
    pub fn sources_of_keys(&self, keys: &[String]) -> Result<HashSet<String>, IndexError> {
        let mut st = self
            .conn
            .prepare_cached("SELECT path FROM source_sessions WHERE session_key = ?1")
            .map_err(|e| self.err(e))?;
        let mut out = HashSet::new();
        for k in keys {
            let rows = st
                .query_map([k], |r| r.get::<_, String>(0))
                .map_err(|e| IndexError::sqlite(&self.path, e))?;
            for r in rows {
                out.insert(r.map_err(|e| IndexError::sqlite(&self.path, e))?);
            }
        }
        Ok(out)
    }
}

/// Set a `meta` value inside a transaction.
pub(crate) fn set_meta(tx: &Transaction<'_>, key: &str, value: &str) -> rusqlite::Result<()> {
    tx.execute("INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])?;
    Ok(())
}

fn clamp_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Record that `rec` was read.
pub(crate) fn record_source(
    tx: &Transaction<'_>,
    rec: &SourceRecord,
    now: i64,
) -> rusqlite::Result<()> {
    let mtime = i64::try_from(rec.fingerprint.mtime_ns).unwrap_or(i64::MAX);
    tx.execute(
        "INSERT INTO sources (path, origin, agent, size, mtime_ns, indexed_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT(path) DO UPDATE SET origin = excluded.origin, agent = excluded.agent, size = excluded.size,
             mtime_ns = excluded.mtime_ns, indexed_at = excluded.indexed_at",
        params![rec.path, rec.origin.name(), rec.agent, clamp_i64(rec.fingerprint.size), mtime, now],
    )?;
    tx.execute("DELETE FROM source_sessions WHERE path = ?1", [&rec.path])?;
    let mut st = tx.prepare_cached(
        "INSERT OR IGNORE INTO source_sessions (path, session_key) VALUES (?1, ?2)",
    )?;
    for k in &rec.session_keys {
        st.execute([&rec.path, k])?;
    }
    Ok(())
}

/// Write one session, replacing its previous rows. `recount` collects the dedup keys whose
/// counted row must be chosen again.
pub(crate) fn replace_session(
    tx: &Transaction<'_>,
    s: &Session,
    x: &Extracted,
    origin: Origin,
    now: i64,
    recount: &mut HashSet<String>,
) -> rusqlite::Result<Replaced> {
    let sources: Vec<&str> = s.sources.iter().map(|f| f.path.as_str()).collect();
    let score = (s.summary.counts.user_prompts + s.summary.counts.assistant_messages) as i64;
    let existing: Option<(i64, String, i64)> = tx
        .query_row(
            "SELECT id, sources, user_prompts + assistant_messages FROM sessions WHERE key = ?1",
            [&s.key],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    if let Some((id, old_sources, old_score)) = &existing {
        let old: Vec<String> = serde_json::from_str(old_sources).unwrap_or_default();
        let disjoint = !old.is_empty()
            && !sources.is_empty()
            && !old.iter().any(|o| sources.contains(&o.as_str()));
        if disjoint && *old_score > score {
            return Ok(Replaced::KeptExisting);
        }
        delete_rows(tx, *id, recount)?;
    }
    let c = &s.summary.counts;
    let u = &s.summary.usage;
    let models = serde_json::to_string(&s.models).unwrap_or_else(|_| "[]".into());
    let sources_json = serde_json::to_string(&sources).unwrap_or_else(|_| "[]".into());
    let redactions = serde_json::to_string(&s.redactions).unwrap_or_else(|_| "[]".into());
    let project = s.cwd.as_deref().map(project_name);
    let values = params![
        s.key,
        s.agent.slug(),
        s.id,
        s.kind.name(),
        s.parent,
        s.display_title(),
        s.summary
            .first_prompt
            .as_deref()
            .map(|p| convx_model::truncate_chars(p, 2000)),
        millis(s.started_at),
        millis(s.ended_at),
        s.cwd,
        project,
        s.git.branch,
        s.git.commit,
        s.git.remote,
        models,
        s.agent_version,
        c.user_prompts as i64,
        c.assistant_messages as i64,
        c.tool_calls as i64,
        c.tool_errors as i64,
        c.reasoning_blocks as i64,
        c.plan_updates as i64,
        c.compactions as i64,
        c.context_blocks as i64,
        c.opaque_records as i64,
        s.events.len() as i64,
        clamp_i64(u.input),
        clamp_i64(u.cache_creation),
        clamp_i64(u.cache_read),
        clamp_i64(u.output),
        clamp_i64(u.reasoning),
        s.summary.recorded_cost_usd,
        sources_json,
        redactions,
        origin.name(),
        now,
    ];
    let cols = "key, agent, native_id, kind, parent, title, first_prompt, started_at, ended_at, cwd, project,
        git_branch, git_commit, git_remote, models, agent_version, user_prompts, assistant_messages, tool_calls,
        tool_errors, reasoning_blocks, plan_updates, compactions, context_blocks, opaque_records, event_count,
        input, cache_creation, cache_read, output, reasoning, recorded_cost_usd, sources, redactions, origin, indexed_at";
    let marks = "?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,?26,?27,?28,?29,?30,?31,?32,?33,?34,?35,?36";
    let id: i64 = match existing {
        Some((id, ..)) => {
            tx.prepare_cached(&format!(
                "REPLACE INTO sessions (id, {cols}) VALUES (?37, {marks})"
            ))?
            .execute(rusqlite::params_from_iter(
                values
                    .iter()
                    .copied()
                    .chain(std::iter::once(&id as &dyn rusqlite::ToSql)),
            ))?;
            id
        }
        None => {
            tx.prepare_cached(&format!("INSERT INTO sessions ({cols}) VALUES ({marks})"))?
                .execute(values)?;
            tx.last_insert_rowid()
        }
    };
    insert_rows(tx, id, s, x, recount)?;
    tx.prepare_cached("REPLACE INTO session_docs (session_id, json) VALUES (?1, ?2)")?
        .execute(params![id, encode_session(s)])?;
    tx.prepare_cached("INSERT OR IGNORE INTO fulltext_pending (session_key) VALUES (?1)")?
        .execute([&s.key])?;
    Ok(Replaced::Written)
}

fn delete_rows(
    tx: &Transaction<'_>,
    id: i64,
    recount: &mut HashSet<String>,
) -> rusqlite::Result<()> {
    {
        let mut st = tx.prepare_cached("SELECT dedup_key FROM usage WHERE session_id = ?1")?;
        for k in st.query_map([id], |r| r.get::<_, String>(0))? {
            recount.insert(k?);
        }
    }
    for table in [
        "events",
        "tool_calls",
        "usage",
        "plan_updates",
        "files_touched",
        "warnings",
    ] {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE session_id = ?1"))?
            .execute([id])?;
    }
    Ok(())
}

fn insert_rows(
    tx: &Transaction<'_>,
    id: i64,
    s: &Session,
    x: &Extracted,
    recount: &mut HashSet<String>,
) -> rusqlite::Result<()> {
    let mut ev = tx.prepare_cached(
        "INSERT INTO events (session_id, seq, ts, kind, role, text, tool, native_id, inherited, abandoned)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?;
    for e in &x.events {
        ev.execute(params![
            id,
            e.seq as i64,
            e.ts,
            e.kind,
            e.role.map(|r| r.name()),
            e.text,
            e.tool,
            e.native_id,
            e.inherited,
            e.abandoned
        ])?;
    }
    let mut tc = tx.prepare_cached(
        "INSERT INTO tool_calls (session_id, seq, ts, call_id, name, input, result_seq, is_error, output_bytes, subagent, inherited)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for c in &x.tool_calls {
        tc.execute(params![
            id,
            c.seq as i64,
            c.ts,
            c.call_id,
            c.name,
            c.input,
            c.result_seq.map(|v| v as i64),
            c.is_error,
            c.output_bytes.map(|v| v as i64),
            c.subagent,
            c.inherited
        ])?;
    }
    let mut exists = tx.prepare_cached("SELECT 1 FROM usage WHERE dedup_key = ?1 LIMIT 1")?;
    let mut us = tx.prepare_cached(
        "INSERT INTO usage (session_id, seq, ts, agent, project, model, dedup_key, input, cache_creation, cache_read,
             output, reasoning, recorded_cost_usd, duplicate, inherited, is_child, counted)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?;
    for u in &x.usage {
        // Fast path: a call seen nowhere else is counted here (unless inherited); a key that
        // already has rows is settled by `recount`.
        let seen = exists.exists([&u.dedup_key])?;
        if seen {
            recount.insert(u.dedup_key.clone());
        }
        let t = &u.tokens;
        us.execute(params![
            id,
            u.seq as i64,
            u.ts,
            s.agent.slug(),
            s.cwd,
            u.model,
            u.dedup_key,
            clamp_i64(t.input),
            clamp_i64(t.cache_creation),
            clamp_i64(t.cache_read),
            clamp_i64(t.output),
            clamp_i64(t.reasoning),
            u.recorded_cost_usd,
            u.duplicate,
            u.inherited,
            s.parent.is_some(),
            !seen && !u.inherited,
        ])?;
    }
    let mut pl = tx.prepare_cached(
        "INSERT INTO plan_updates (session_id, seq, ts, explanation, steps, completed, total) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for p in &x.plans {
        pl.execute(params![
            id,
            p.seq as i64,
            p.ts,
            p.explanation,
            p.steps,
            p.completed as i64,
            p.total as i64
        ])?;
    }
    let mut fl = tx.prepare_cached(
        "INSERT INTO files_touched (session_id, seq, ts, path, action, tool) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for f in &x.files {
        fl.execute(params![id, f.seq as i64, f.ts, f.path, f.action, f.tool])?;
    }
    let mut wr = tx.prepare_cached(
        "INSERT INTO warnings (session_id, source, line, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?;
    for w in &s.warnings {
        wr.execute(params![
            id,
            w.source,
            w.line.map(|l| l as i64),
            w.kind.name(),
            w.detail
        ])?;
    }
    Ok(())
}

/// Choose again, for each dedup key, the one row that counts: never an inherited copy;
/// preferably one not flagged duplicate, in a main session, earliest.
pub(crate) fn recount(tx: &Transaction<'_>, keys: &HashSet<String>) -> rusqlite::Result<()> {
    let mut st = tx.prepare_cached(
        "UPDATE usage SET counted = (id IS (
             SELECT u2.id FROM usage u2 WHERE u2.dedup_key = ?1 AND u2.inherited = 0
             ORDER BY u2.duplicate, u2.is_child, u2.ts IS NULL, u2.ts, u2.id LIMIT 1))
         WHERE dedup_key = ?1",
    )?;
    for k in keys {
        st.execute([k])?;
    }
    Ok(())
}

/// A session as stored in `session_docs`: its JSON, zstd-compressed.
pub(crate) fn encode_session(s: &Session) -> Vec<u8> {
    let json = serde_json::to_vec(s).unwrap_or_default();
    zstd::bulk::compress(&json, 3).unwrap_or(json)
}

/// The session of a `session_docs` blob (`None` when unreadable).
pub(crate) fn decode_session(blob: &[u8]) -> Option<Session> {
    let json = zstd::stream::decode_all(blob).ok()?;
    serde_json::from_slice(&json).ok()
}
