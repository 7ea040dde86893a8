//! Reading Cursor's `state.vscdb` databases (read-only, WAL honoured, busy-retried).
//!
//! 1. Every `workspaceStorage/<hash>/`: `workspace.json` (folder → cwd) and the
//!    workspace `ItemTable`: `composer.composerData` (`allComposers[].composerId`: the
//!    chats of this workspace; old builds also kept the conversation inline there) and
//!    `workbench.panel.aichat.view.aichat.chatdata` (2024 chat panel tabs).
//! 2. The global `cursorDiskKV`: every `composerData:<id>`, its bubbles from
//!    `fullConversationHeadersOnly` + `bubbleId:<id>:<bubble>` keys (newer), or inline
//!    `conversation` (older) or `conversationMap`.
//! 3. Bubbles whose composer has no `composerData` (orphans) become one session per
//!    composer id (`metadata.orphan = true`), in `createdAt` order.
//!
//! A composer with no bubbles at all (an empty chat tab) is **not** a session. A composer
//! whose bubbles are all missing is a session with no events and a warning per bubble.

use super::bubble::{self, RawBubble};
use super::workspace::{self, WorkspaceInfo};
use crate::opencode::sqlite::{self, value_json, value_string};
use crate::{AdapterError, ReadOptions, Source, SourceOutput};
use convx_model::{
    Agent, Event, Fingerprint, Session, SourceFile, Timestamp, Warning, WarningKind,
};
use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// The fields of a `composerData` value convx reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub(crate) struct RawComposer {
    #[serde(rename = "_v")]
    pub v: Option<Value>,
    pub composer_id: Option<String>,
    pub name: Option<String>,
    pub created_at: Option<Value>,
    pub last_updated_at: Option<Value>,
    pub status: Option<Value>,
    pub unified_mode: Option<Value>,
    pub force_mode: Option<Value>,
    pub model_config: Option<Value>,
    pub full_conversation_headers_only: Option<Vec<Value>>,
    pub conversation: Option<Vec<Value>>,
    pub conversation_map: Option<HashMap<String, Value>>,
    pub is_agentic: Option<bool>,
}

impl RawComposer {
    fn is_empty(&self) -> bool {
        self.full_conversation_headers_only
            .as_ref()
            .is_none_or(Vec::is_empty)
            && self.conversation.as_ref().is_none_or(Vec::is_empty)
            && self.conversation_map.as_ref().is_none_or(HashMap::is_empty)
    }
}

/// One workspace folder of `workspaceStorage`.
struct Workspace {
    hash: String,
    db: PathBuf,
    info: WorkspaceInfo,
    composer_ids: Vec<String>,
    inline_composers: Vec<RawComposer>,
    tabs: Option<Value>,
}

/// The `User` folder a source belongs to.
fn user_dir(source: &Source) -> PathBuf {
    if source.path.is_file() {
        source
            .path
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default()
    } else {
        source.path.clone()
    }
}

/// Every `workspaceStorage/<hash>/state.vscdb`, sorted.
pub(crate) fn workspace_dbs(user: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(user.join("workspaceStorage"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path().join("state.vscdb"))
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

/// Read every session of a Cursor `User` folder.
pub(crate) fn read(source: &Source, opts: &ReadOptions) -> Result<SourceOutput, AdapterError> {
    let user = user_dir(source);
    let mut out = SourceOutput::default();
    let workspaces: Vec<Workspace> = workspace_dbs(&user)
        .into_iter()
        .filter_map(|db| read_workspace(&db, &mut out.warnings))
        .collect();
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, w) in workspaces.iter().enumerate() {
        for id in &w.composer_ids {
            owner.entry(id.as_str()).or_insert(i);
        }
    }
    let global = user.join("globalStorage").join("state.vscdb");
    let mut seen: BTreeSet<String> = BTreeSet::new();
    if global.is_file() {
        let sessions = sqlite::with_retry(&global, || {
            let conn = sqlite::open_read_only(&global)?;
            conn.execute_batch("BEGIN")?;
            let r = read_global(&conn, source, opts, &workspaces, &owner);
            let _ = conn.execute_batch("COMMIT");
            r
        })?;
        for s in sessions {
            seen.insert(s.id.clone());
            out.sessions.push(s);
        }
    }
    for w in &workspaces {
        let sf = || SourceFile {
            path: w.db.display().to_string(),
            fingerprint: sqlite::db_fingerprint(&w.db).unwrap_or_default(),
            format: None,
        };
        for c in &w.inline_composers {
            let Some(id) = c.composer_id.clone().filter(|id| !seen.contains(id)) else {
                continue;
            };
            if c.is_empty() {
                continue;
            }
            let mut src = sf();
            src.format = Some("cursor/composer-workspace".into());
            let mut b = SessionBuilder::new(&id, c, Some(w), src, opts);
            b.conversation(c, &mut |_: &str| Ok(None));
            seen.insert(id);
            out.sessions.push(b.finish());
        }
        if let Some(tabs) = w
            .tabs
            .as_ref()
            .and_then(|t| t.get("tabs"))
            .and_then(Value::as_array)
        {
            for tab in tabs {
                let Some(id) = tab
                    .get("tabId")
                    .and_then(Value::as_str)
                    .filter(|id| !seen.contains(*id))
                else {
                    continue;
                };
                let Some(bubbles) = tab
                    .get("bubbles")
                    .and_then(Value::as_array)
                    .filter(|b| !b.is_empty())
                else {
                    continue;
                };
                let mut src = sf();
                src.format = Some("cursor/aichat".into());
                let head = RawComposer {
                    name: tab
                        .get("chatTitle")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    ..RawComposer::default()
                };
                let mut b = SessionBuilder::new(id, &head, Some(w), src, opts);
                if let Some(t) = tab.get("lastSendTime").and_then(crate::time::from_value) {
                    b.s.metadata
                        .insert("last_send_at".into(), json!(t.to_string()));
                }
                for (i, v) in bubbles.iter().enumerate() {
                    let bid = v
                        .get("id")
                        .and_then(Value::as_str)
                        .map_or_else(|| format!("{i}"), str::to_string);
                    b.value_bubble(&bid, v);
                }
                seen.insert(id.to_string());
                out.sessions.push(b.finish());
            }
        }
    }
    Ok(out)
}

fn read_workspace(db: &Path, warnings: &mut Vec<Warning>) -> Option<Workspace> {
    let dir = db.parent()?;
    let hash = dir.file_name()?.to_string_lossy().into_owned();
    let info = workspace::read_workspace_json(dir);
    let read = sqlite::with_retry(db, || {
        let conn = sqlite::open_read_only(db)?;
        if !sqlite::table_exists(&conn, "ItemTable")? {
            return Ok((None, None));
        }
        let get = |key: &str| -> Result<Option<Result<Option<Value>, serde_json::Error>>, rusqlite::Error> {
            conn.query_row("SELECT value FROM ItemTable WHERE key = ?1", [key], |r| Ok(value_json::<Value>(r.get_ref(0)?)))
                .optional()
        };
        Ok((
            get("composer.composerData")?,
            get("workbench.panel.aichat.view.aichat.chatdata")?,
        ))
    });
    let (composers, tabs) = match read {
        Ok(v) => v,
        Err(e) => {
            warnings.push(Warning::new(
                db.display().to_string(),
                None,
                WarningKind::Unreadable,
                e.to_string(),
            ));
            (None, None)
        }
    };
    let mut value = |key: &str, v: Option<Result<Option<Value>, serde_json::Error>>| match v {
        Some(Ok(v)) => v,
        Some(Err(e)) => {
            warnings.push(Warning::new(
                db.display().to_string(),
                None,
                WarningKind::InvalidJson,
                format!("ItemTable {key}: {e}"),
            ));
            None
        }
        None => None,
    };
    let composers = value("composer.composerData", composers);
    let tabs = value("workbench.panel.aichat.view.aichat.chatdata", tabs);
    let all: Vec<Value> = composers
        .as_ref()
        .and_then(|c| c.get("allComposers"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let composer_ids = all
        .iter()
        .filter_map(|c| {
            c.get("composerId")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .collect();
    let inline_composers = all
        .into_iter()
        .filter(|c| {
            c.get("conversation")
                .is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty()))
        })
        .filter_map(|c| serde_json::from_value::<RawComposer>(c).ok())
        .collect();
    Some(Workspace {
        hash,
        db: db.to_path_buf(),
        info,
        composer_ids,
        inline_composers,
        tabs,
    })
}

fn read_global(
    conn: &Connection,
    source: &Source,
    opts: &ReadOptions,
    workspaces: &[Workspace],
    owner: &HashMap<&str, usize>,
) -> Result<Vec<Session>, rusqlite::Error> {
    let mut sessions = Vec::new();
    if !sqlite::table_exists(conn, "cursorDiskKV")? {
        return Ok(sessions);
    }
    let display = source.display();
    let src = |format: &str| SourceFile {
        path: display.clone(),
        fingerprint: source.fingerprint,
        format: Some(format.into()),
    };
    let mut by_key = conn.prepare("SELECT value FROM cursorDiskKV WHERE key = ?1")?;
    let mut range = conn.prepare("SELECT key FROM cursorDiskKV WHERE key >= ?1 AND key < ?2")?;
    let mut composers = conn.prepare("SELECT key, value FROM cursorDiskKV WHERE key >= 'composerData:' AND key < 'composerData;' ORDER BY key")?;
    let mut rows = composers.query([])?;
    let mut known: BTreeSet<String> = BTreeSet::new();
    while let Some(r) = rows.next()? {
        let key = value_string(r.get_ref(0)?).unwrap_or_default();
        let id = key.trim_start_matches("composerData:").to_string();
        let c = match value_json::<RawComposer>(r.get_ref(1)?) {
            Ok(Some(c)) => c,
            Ok(None) => continue,
            Err(e) => {
                let w = Warning::new(
                    display.clone(),
                    None,
                    WarningKind::InvalidJson,
                    format!("{key}: {e}"),
                );
                let mut s = Session::new(Agent::Cursor, id.clone());
                s.warnings.push(w);
                s.sources.push(src("cursor/composer"));
                known.insert(id);
                sessions.push(s);
                continue;
            }
        };
        known.insert(id.clone());
        if c.is_empty() {
            continue;
        }
        let format = if c
            .full_conversation_headers_only
            .as_ref()
            .is_some_and(|h| !h.is_empty())
        {
            if c.conversation_map.as_ref().is_some_and(|m| !m.is_empty()) {
                "cursor/composer-map"
            } else {
                "cursor/composer-kv"
            }
        } else {
            "cursor/composer-inline"
        };
        let ws = owner.get(id.as_str()).map(|&i| &workspaces[i]);
        let mut b = SessionBuilder::new(&id, &c, ws, src(format), opts);
        let mut lookup_err = None;
        {
            let mut lookup = |bid: &str| -> Result<Option<RawBubble>, String> {
                let k = format!("bubbleId:{id}:{bid}");
                match by_key
                    .query_row([&k], |r| Ok(value_json::<RawBubble>(r.get_ref(0)?)))
                    .optional()
                {
                    Ok(Some(Ok(b))) => Ok(b),
                    Ok(Some(Err(e))) => Err(format!("{k}: {e}")),
                    Ok(None) => Ok(None),
                    Err(e) => {
                        lookup_err.get_or_insert(e);
                        Ok(None)
                    }
                }
            };
            b.conversation(&c, &mut lookup);
        }
        if let Some(e) = lookup_err {
            return Err(e);
        }
        // Bubbles stored for this composer but no longer in its headers (edited-away turns).
        if let Some(h) = &c.full_conversation_headers_only {
            let listed: BTreeSet<&str> = h
                .iter()
                .filter_map(|h| h.get("bubbleId").and_then(Value::as_str))
                .collect();
            let (lo, hi) = (format!("bubbleId:{id}:"), format!("bubbleId:{id};"));
            let keys = range.query_map([&lo, &hi], |r| {
                Ok(value_string(r.get_ref(0)?).unwrap_or_default())
            })?;
            let mut extra = 0u64;
            for k in keys {
                if !listed.contains(k?.trim_start_matches(lo.as_str())) {
                    extra += 1;
                }
            }
            if extra > 0 {
                b.s.metadata
                    .insert("unreferenced_bubbles".into(), json!(extra));
            }
        }
        sessions.push(b.finish());
    }
    // Orphans: bubbles whose composer has no composerData.
    let mut stmt = conn.prepare(
        "SELECT DISTINCT substr(key, 10, instr(substr(key, 10), ':') - 1) FROM cursorDiskKV \
         WHERE key >= 'bubbleId:' AND key < 'bubbleId;' AND instr(substr(key, 10), ':') > 0",
    )?;
    let orphan_ids: Vec<String> = stmt
        .query_map([], |r| Ok(value_string(r.get_ref(0)?).unwrap_or_default()))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter(|id| !id.is_empty() && !known.contains(id))
        .collect();
    for id in orphan_ids {
        let (lo, hi) = (format!("bubbleId:{id}:"), format!("bubbleId:{id};"));
        let mut q = conn
            .prepare_cached("SELECT key, value FROM cursorDiskKV WHERE key >= ?1 AND key < ?2")?;
        let mut rows = q.query([&lo, &hi])?;
        let mut bubbles: Vec<(Option<Timestamp>, String, RawBubble)> = Vec::new();
        let mut warnings = Vec::new();
        while let Some(r) = rows.next()? {
            let key = value_string(r.get_ref(0)?).unwrap_or_default();
            let bid = key.trim_start_matches(lo.as_str()).to_string();
            match value_json::<RawBubble>(r.get_ref(1)?) {
                Ok(Some(b)) => bubbles.push((b.timestamp(), bid, b)),
                Ok(None) => {}
                Err(e) => warnings.push(Warning::new(
                    display.clone(),
                    None,
                    WarningKind::InvalidJson,
                    format!("{key}: {e}"),
                )),
            }
        }
        bubbles.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let head = RawComposer::default();
        let ws = owner.get(id.as_str()).map(|&i| &workspaces[i]);
        let mut b = SessionBuilder::new(&id, &head, ws, src("cursor/composer-orphan"), opts);
        b.s.metadata.insert("orphan".into(), json!(true));
        b.s.warnings.extend(warnings);
        for (_, bid, raw) in &bubbles {
            b.bubble(bid, raw);
        }
        sessions.push(b.finish());
    }
    Ok(sessions)
}

/// Builds one session; keeps event timestamps non-decreasing.
struct SessionBuilder {
    s: Session,
    last: Option<Timestamp>,
    model: Option<String>,
    usage_seen: bool,
}

impl SessionBuilder {
    fn new(
        id: &str,
        c: &RawComposer,
        ws: Option<&Workspace>,
        src: SourceFile,
        opts: &ReadOptions,
    ) -> SessionBuilder {
        let mut s = Session::new(Agent::Cursor, id);
        s.retain_events = opts.retain_events;
        s.title = c.name.clone().filter(|n| !n.trim().is_empty());
        s.started_at = c.created_at.as_ref().and_then(crate::time::from_value);
        let model = c
            .model_config
            .as_ref()
            .and_then(|m| m.get("modelName"))
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .map(str::to_string);
        if let Some(m) = &model {
            s.add_model(m);
        }
        if let Some(w) = ws {
            s.cwd = w.info.cwd.clone();
            s.metadata.insert("workspace".into(), json!(w.hash));
            for (k, v) in &w.info.metadata {
                s.metadata.insert(k.clone(), v.clone());
            }
        }
        for (k, v) in [
            ("mode", c.unified_mode.as_ref().or(c.force_mode.as_ref())),
            ("status", c.status.as_ref()),
            ("schema_version", c.v.as_ref()),
        ] {
            if let Some(v) = v.filter(|v| !v.is_null()) {
                s.metadata.insert(k.into(), v.clone());
            }
        }
        if let Some(a) = c.is_agentic {
            s.metadata.insert("is_agentic".into(), json!(a));
        }
        if let Some(t) = c.last_updated_at.as_ref().and_then(crate::time::from_value) {
            s.metadata
                .insert("last_updated_at".into(), json!(t.to_string()));
        }
        s.sources.push(src);
        let last = s.started_at;
        SessionBuilder {
            s,
            last,
            model,
            usage_seen: false,
        }
    }

    fn warn(&mut self, kind: WarningKind, detail: String) {
        let src = self
            .s
            .sources
            .first()
            .map(|s| s.path.clone())
            .unwrap_or_default();
        self.s.warnings.push(Warning::new(src, None, kind, detail));
    }

    /// The bubbles of a composer: header order (bubble from `conversationMap` or the
    /// `bubbleId:` key via `lookup`), else the inline `conversation`.
    fn conversation(
        &mut self,
        c: &RawComposer,
        lookup: &mut dyn FnMut(&str) -> Result<Option<RawBubble>, String>,
    ) {
        if let Some(headers) = c
            .full_conversation_headers_only
            .as_ref()
            .filter(|h| !h.is_empty())
        {
            for h in headers {
                let Some(bid) = h.get("bubbleId").and_then(Value::as_str) else {
                    self.warn(
                        WarningKind::UnexpectedShape,
                        "conversation header without bubbleId".into(),
                    );
                    continue;
                };
                if let Some(v) = c.conversation_map.as_ref().and_then(|m| m.get(bid)) {
                    self.value_bubble(bid, v);
                    continue;
                }
                match lookup(bid) {
                    Ok(Some(b)) => self.bubble(bid, &b),
                    Ok(None) => self.warn(
                        WarningKind::Other,
                        format!("bubble {bid} listed in the composer but not stored"),
                    ),
                    Err(e) => self.warn(WarningKind::InvalidJson, e),
                }
            }
            return;
        }
        for (i, v) in c.conversation.iter().flatten().enumerate() {
            let bid = v
                .get("bubbleId")
                .and_then(Value::as_str)
                .map_or_else(|| format!("{i}"), str::to_string);
            self.value_bubble(&bid, v);
        }
    }

    fn value_bubble(&mut self, bid: &str, v: &Value) {
        match RawBubble::deserialize(v) {
            Ok(b) => self.bubble(bid, &b),
            Err(e) => self.warn(WarningKind::UnexpectedShape, format!("bubble {bid}: {e}")),
        }
    }

    fn bubble(&mut self, bid: &str, b: &RawBubble) {
        let (events, used) = bubble::events(b, &self.s.id, bid, self.model.as_deref());
        self.usage_seen |= used;
        for e in events {
            self.push(e);
        }
    }

    fn push(&mut self, mut e: Event) {
        match (e.timestamp, self.last) {
            (Some(t), Some(l)) if t < l => e.timestamp = Some(l),
            (None, l) => e.timestamp = l,
            _ => {}
        }
        self.last = e.timestamp.or(self.last);
        self.s.push(e);
    }

    fn finish(mut self) -> Session {
        if self.usage_seen {
            self.s
                .metadata
                .insert("usage_reliable".into(), json!(false));
        }
        self.s
    }
}

/// Fingerprint of a whole Cursor `User` folder source, and the files read with it.
pub(crate) fn source_parts(user: &Path) -> (Option<PathBuf>, Fingerprint, Vec<PathBuf>) {
    let global = user.join("globalStorage").join("state.vscdb");
    let mut fp = Fingerprint::default();
    let mut related = Vec::new();
    let main = if global.is_file() {
        fp = sqlite::db_fingerprint(&global).unwrap_or_default();
        let (wal, shm) = sqlite::companions(&global);
        related.extend([wal, shm].into_iter().filter(|p| p.exists()));
        Some(global)
    } else {
        None
    };
    for db in workspace_dbs(user) {
        if let Ok(f) = sqlite::db_fingerprint(&db) {
            fp = sqlite::combine(fp, f);
        }
        let (wal, shm) = sqlite::companions(&db);
        let json = db.with_file_name("workspace.json");
        if let Ok(f) = crate::fingerprint(&json) {
            fp = sqlite::combine(fp, f);
        }
        related.push(db);
        related.extend([wal, shm, json].into_iter().filter(|p| p.exists()));
    }
    (main, fp, related)
}
