//! The SQLite store (OpenCode ≥ 1.2.0): `<data>/opencode.db` (other release channels:
//! `opencode-<channel>.db`), tables `session`, `message` (`data` = message info without
//! id/sessionID) and `part` (`data` = part without ids). Times are Unix milliseconds.
//! Messages are read in `(time_created, id)` order, parts in id order, one message at a
//! time inside one read transaction (a consistent snapshot while OpenCode writes).

use super::build::{Builder, Part, SessionInfo};
use super::sqlite::{self, value_i64, value_json, value_string};
use crate::{AdapterError, ReadOptions, Source, SourceOutput};
use convx_model::{SourceFile, Warning, WarningKind};
use rusqlite::Connection;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, HashSet};

/// Format label of sessions read from the database.
pub(crate) const FORMAT: &str = "opencode/sqlite";
/// Format label of sessions read from the OpenCode 2 `session_message` table.
pub(crate) const FORMAT_V2: &str = "opencode/sqlite-v2";

/// Sessions ids of a database with their message counts (discovery uses them to list a
/// session present in several stores once).
pub(crate) fn message_counts(
    path: &std::path::Path,
) -> Result<BTreeMap<String, u64>, AdapterError> {
    sqlite::with_retry(path, || {
        let conn = sqlite::open_read_only(path)?;
        let mut out = BTreeMap::new();
        let v2 = v2_store(&conn)?;
        for table in ["session", "session_v2"] {
            if (table == "session_v2" && !v2) || !sqlite::table_exists(&conn, table)? {
                continue;
            }
            let mut stmt = conn.prepare(&format!("SELECT id FROM {table}"))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let Some(id) = value_string(r.get_ref(0)?) {
                    out.insert(id, 0);
                }
            }
        }
        // A session's messages are in one of the two tables (see `v2`); take the larger count.
        for table in ["message", "session_message"] {
            if !sqlite::table_exists(&conn, table)? {
                continue;
            }
            let mut stmt = conn.prepare(&format!(
                "SELECT session_id, count(*) FROM {table} GROUP BY session_id"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                if let (Some(id), Some(n)) = (value_string(r.get_ref(0)?), value_i64(r.get_ref(1)?))
                    && let Some(c) = out.get_mut(&id)
                {
                    *c = (*c).max(n.max(0) as u64);
                }
            }
        }
        Ok(out)
    })
}

/// True for an OpenCode 2 database whose `session_message` table is in use (an empty
/// one is only a projection created before the app switched its writes).
fn v2_store(conn: &Connection) -> Result<bool, rusqlite::Error> {
    if !(sqlite::table_exists(conn, "session_v2")?
        && sqlite::table_exists(conn, "session_message")?)
    {
        return Ok(false);
    }
    conn.query_row("SELECT EXISTS (SELECT 1 FROM session_message)", [], |r| {
        r.get::<_, bool>(0)
    })
}

/// Ids this database must not report (listed from another store), from the source hint
/// `{"skip": [...]}` written by discovery.
fn skipped(source: &Source) -> HashSet<String> {
    source
        .hint
        .as_deref()
        .and_then(|h| serde_json::from_str::<Value>(h).ok())
        .and_then(|v| v.get("skip").and_then(Value::as_array).cloned())
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Read every session of a database source.
pub(crate) fn read(source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
    let skip = skipped(source);
    sqlite::with_retry(&source.path, || {
        let conn = sqlite::open_read_only(&source.path)?;
        conn.execute_batch("BEGIN")?;
        let out = read_all(&conn, source, opts, &skip);
        let _ = conn.execute_batch("COMMIT");
        out
    })
}

/// The message being assembled: id, row `time_created`, body (`None` when unreadable), parts.
type Pending = (String, Option<i64>, Option<Value>, Vec<Part>);

fn read_all(
    conn: &Connection,
    source: &Source,
    opts: &ReadOptions,
    skip: &HashSet<String>,
) -> Result<SourceOutput, rusqlite::Error> {
    let mut out = SourceOutput::default();
    if !sqlite::table_exists(conn, "session")? && !sqlite::table_exists(conn, "session_v2")? {
        return Ok(out);
    }
    let display = source.display();
    let v2 = v2_store(conn)?;
    let mut infos = if v2 {
        sessions(conn, "session_v2", &display, &mut out.warnings)?
    } else {
        Vec::new()
    };
    let known: HashSet<String> = infos.iter().map(|i| i.id.clone()).collect();
    infos.extend(
        sessions(conn, "session", &display, &mut out.warnings)?
            .into_iter()
            .filter(|i| !known.contains(&i.id)),
    );
    let v2_cols = if v2 {
        sqlite::columns(conn, "session_message")?
    } else {
        Vec::new()
    };
    let v2_order = if v2_cols.iter().any(|c| c == "seq") {
        "seq, time_created, id"
    } else {
        "time_created, id"
    };
    let mut v2_stmt = if v2 {
        Some(conn.prepare(&format!(
            "SELECT id, type, time_created, data FROM session_message WHERE session_id = ?1 ORDER BY {v2_order}"
        ))?)
    } else {
        None
    };
    let has_messages = sqlite::table_exists(conn, "message")?;
    let has_parts = sqlite::table_exists(conn, "part")?;
    let sql = if has_parts {
        "SELECT m.id, m.time_created, m.data, p.id, p.data FROM message m LEFT JOIN part p ON p.message_id = m.id \
         WHERE m.session_id = ?1 ORDER BY m.time_created, m.id, p.id"
    } else {
        "SELECT m.id, m.time_created, m.data, NULL, NULL FROM message m WHERE m.session_id = ?1 ORDER BY m.time_created, m.id"
    };
    let mut stmt = if has_messages {
        Some(conn.prepare(sql)?)
    } else {
        None
    };
    for info in infos {
        if skip.contains(&info.id) {
            continue;
        }
        let sf = SourceFile {
            path: display.clone(),
            fingerprint: source.fingerprint,
            format: Some(FORMAT.into()),
        };
        let mut b = Builder::new(&info, sf, opts.retain_events);
        if let Some(v2s) = v2_stmt.as_mut() {
            let mut rows = v2s.query([&info.id])?;
            let mut any = false;
            while let Some(r) = rows.next()? {
                any = true;
                let mid = value_string(r.get_ref(0)?).unwrap_or_default();
                let ty = value_string(r.get_ref(1)?).unwrap_or_default();
                let created = value_i64(r.get_ref(2)?);
                match value_json::<Value>(r.get_ref(3)?) {
                    Ok(Some(data)) => super::v2::message(&mut b, &mid, &ty, created, &data),
                    Ok(None) => b.warn(
                        WarningKind::UnexpectedShape,
                        format!("session_message {mid}: empty data"),
                    ),
                    Err(e) => b.warn(
                        WarningKind::InvalidJson,
                        format!("session_message {mid}: {e}"),
                    ),
                }
            }
            if any {
                if let Some(src) = b.session_mut().sources.first_mut() {
                    src.format = Some(FORMAT_V2.into());
                }
                out.sessions.push(b.finish());
                continue;
            }
        }
        if let Some(stmt) = stmt.as_mut() {
            let mut rows = stmt.query([&info.id])?;
            let mut cur: Option<Pending> = None;
            while let Some(r) = rows.next()? {
                let mid = value_string(r.get_ref(0)?).unwrap_or_default();
                if cur.as_ref().is_none_or(|c| c.0 != mid) {
                    flush(&mut b, cur.take());
                    let created = value_i64(r.get_ref(1)?);
                    let data = match value_json::<Value>(r.get_ref(2)?) {
                        Ok(Some(v)) => Some(v),
                        Ok(None) => {
                            b.warn(
                                WarningKind::UnexpectedShape,
                                format!("message {mid}: empty data"),
                            );
                            None
                        }
                        Err(e) => {
                            b.warn(WarningKind::InvalidJson, format!("message {mid}: {e}"));
                            None
                        }
                    };
                    cur = Some((mid, created, data, Vec::new()));
                }
                let Some(pid) = value_string(r.get_ref(3)?) else {
                    continue;
                };
                match value_json::<Value>(r.get_ref(4)?) {
                    Ok(Some(v)) => {
                        if let Some(c) = cur.as_mut() {
                            c.3.push(Part { id: pid, data: v });
                        }
                    }
                    Ok(None) => b.warn(
                        WarningKind::UnexpectedShape,
                        format!("part {pid}: empty data"),
                    ),
                    Err(e) => b.warn(WarningKind::InvalidJson, format!("part {pid}: {e}")),
                }
            }
            flush(&mut b, cur.take());
        }
        out.sessions.push(b.finish());
    }
    Ok(out)
}

fn flush(b: &mut Builder, cur: Option<Pending>) {
    if let Some((mid, created, Some(data), parts)) = cur {
        b.message(&mid, created, &data, &parts);
    }
}

/// Every row of a session table (`session`, or OpenCode 2's `session_v2`), whatever
/// columns this schema version has.
fn sessions(
    conn: &Connection,
    table: &str,
    display: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<SessionInfo>, rusqlite::Error> {
    if !sqlite::table_exists(conn, table)? {
        return Ok(Vec::new());
    }
    let cols = sqlite::columns(conn, table)?;
    let order = if cols.iter().any(|c| c == "time_created") {
        "ORDER BY time_created, id"
    } else {
        "ORDER BY id"
    };
    let mut stmt = conn.prepare(&format!("SELECT * FROM {table} {order}"))?;
    let names: Vec<String> = stmt.column_names().map(str::to_string).collect();
    let mut rows = stmt.query([])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let mut row: BTreeMap<&str, rusqlite::types::Value> = BTreeMap::new();
        for (i, n) in names.iter().enumerate() {
            row.insert(n.as_str(), r.get::<_, rusqlite::types::Value>(i)?);
        }
        let text = |k: &str| match row.get(k) {
            Some(rusqlite::types::Value::Text(s)) if !s.is_empty() => Some(s.clone()),
            Some(rusqlite::types::Value::Blob(b)) if !b.is_empty() => {
                Some(String::from_utf8_lossy(b).into_owned())
            }
            _ => None,
        };
        let int = |k: &str| match row.get(k) {
            Some(rusqlite::types::Value::Integer(i)) => Some(*i),
            Some(rusqlite::types::Value::Real(f)) => Some(*f as i64),
            _ => None,
        };
        let Some(id) = text("id") else {
            warnings.push(Warning::new(
                display,
                None,
                WarningKind::UnexpectedShape,
                "session row without id",
            ));
            continue;
        };
        let mut metadata = Map::new();
        for (key, col) in [
            ("slug", "slug"),
            ("workspace_id", "workspace_id"),
            ("agent", "agent"),
        ] {
            if let Some(v) = text(col) {
                metadata.insert(key.into(), json!(v));
            }
        }
        if let Some(t) = int("time_archived") {
            metadata.insert("archived_at".into(), json!(t));
        }
        if text("share_url").is_some() {
            metadata.insert("shared".into(), json!(true));
        }
        let mut sum = Map::new();
        for k in ["additions", "deletions", "files"] {
            if let Some(n) = int(&format!("summary_{k}")) {
                sum.insert(k.into(), json!(n));
            }
        }
        if !sum.is_empty() {
            metadata.insert("diff_summary".into(), Value::Object(sum));
        }
        let revert = text("revert")
            .and_then(|r| serde_json::from_str::<Value>(&r).ok())
            .filter(Value::is_object);
        out.push(SessionInfo {
            id,
            parent_id: text("parent_id"),
            project_id: text("project_id"),
            title: text("title"),
            directory: text("directory"),
            version: text("version"),
            time_created: int("time_created"),
            revert,
            fork_of: text("fork_session_id"),
            metadata,
        });
    }
    Ok(out)
}
