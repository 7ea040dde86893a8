//! Append-only, numbered schema migrations, tracked with `PRAGMA user_version`.
//!
//! Never edit a released migration: add a new one at the end. Migration `n` (1-based)
//! brings the database from `user_version = n - 1` to `n`, inside one transaction.

use rusqlite::Connection;

/// The migrations, in order. The schema version of a database is how many have run.
pub(crate) const MIGRATIONS: &[&str] = &[
    // 1: sessions and their content.
    r#"
    CREATE TABLE sessions (
        id                 INTEGER PRIMARY KEY AUTOINCREMENT,
        key                TEXT NOT NULL UNIQUE,
        agent              TEXT NOT NULL,
        native_id          TEXT NOT NULL,
        kind               TEXT NOT NULL,
        parent             TEXT,
        title              TEXT NOT NULL,
        first_prompt       TEXT,
        started_at         INTEGER,
        ended_at           INTEGER,
        cwd                TEXT,
        project            TEXT,
        git_branch         TEXT,
        git_commit         TEXT,
        git_remote         TEXT,
        models             TEXT NOT NULL DEFAULT '[]',
        agent_version      TEXT,
        user_prompts       INTEGER NOT NULL DEFAULT 0,
        assistant_messages INTEGER NOT NULL DEFAULT 0,
        tool_calls         INTEGER NOT NULL DEFAULT 0,
        tool_errors        INTEGER NOT NULL DEFAULT 0,
        reasoning_blocks   INTEGER NOT NULL DEFAULT 0,
        plan_updates       INTEGER NOT NULL DEFAULT 0,
        compactions        INTEGER NOT NULL DEFAULT 0,
        context_blocks     INTEGER NOT NULL DEFAULT 0,
        opaque_records     INTEGER NOT NULL DEFAULT 0,
        event_count        INTEGER NOT NULL DEFAULT 0,
        input              INTEGER NOT NULL DEFAULT 0,
        cache_creation     INTEGER NOT NULL DEFAULT 0,
        cache_read         INTEGER NOT NULL DEFAULT 0,
        output             INTEGER NOT NULL DEFAULT 0,
        reasoning          INTEGER NOT NULL DEFAULT 0,
        recorded_cost_usd  REAL,
        sources            TEXT NOT NULL DEFAULT '[]',
        redactions         TEXT NOT NULL DEFAULT '[]',
        origin             TEXT NOT NULL,
        indexed_at         INTEGER NOT NULL
    );
    CREATE INDEX sessions_started ON sessions(started_at);
    CREATE INDEX sessions_cwd ON sessions(cwd);
    CREATE INDEX sessions_parent ON sessions(parent);

    CREATE TABLE events (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL,
        seq         INTEGER NOT NULL,
        ts          INTEGER,
        kind        TEXT NOT NULL,
        role        TEXT,
        text        TEXT,
        tool        TEXT,
        native_id   TEXT,
        inherited   INTEGER NOT NULL DEFAULT 0,
        abandoned   INTEGER NOT NULL DEFAULT 0
    );
    CREATE UNIQUE INDEX events_session_seq ON events(session_id, seq);

    CREATE TABLE tool_calls (
        id           INTEGER PRIMARY KEY,
        session_id   INTEGER NOT NULL,
        seq          INTEGER NOT NULL,
        ts           INTEGER,
        call_id      TEXT NOT NULL,
        name         TEXT NOT NULL,
        input        TEXT NOT NULL,
        result_seq   INTEGER,
        is_error     INTEGER,
        output_bytes INTEGER,
        subagent     TEXT,
        inherited    INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX tool_calls_session ON tool_calls(session_id);
    CREATE INDEX tool_calls_name ON tool_calls(name);

    CREATE TABLE usage (
        id                INTEGER PRIMARY KEY,
        session_id        INTEGER NOT NULL,
        seq               INTEGER NOT NULL,
        ts                INTEGER,
        agent             TEXT NOT NULL,
        project           TEXT,
        model             TEXT,
        dedup_key         TEXT NOT NULL,
        input             INTEGER NOT NULL,
        cache_creation    INTEGER NOT NULL,
        cache_read        INTEGER NOT NULL,
        output            INTEGER NOT NULL,
        reasoning         INTEGER NOT NULL,
        recorded_cost_usd REAL,
        duplicate         INTEGER NOT NULL DEFAULT 0,
        inherited         INTEGER NOT NULL DEFAULT 0,
        is_child          INTEGER NOT NULL DEFAULT 0,
        counted           INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX usage_session ON usage(session_id);
    CREATE INDEX usage_dedup ON usage(dedup_key);
    CREATE INDEX usage_counted_ts ON usage(counted, ts);

    CREATE TABLE plan_updates (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL,
        seq         INTEGER NOT NULL,
        ts          INTEGER,
        explanation TEXT,
        steps       TEXT NOT NULL,
        completed   INTEGER NOT NULL,
        total       INTEGER NOT NULL
    );
    CREATE INDEX plan_updates_session ON plan_updates(session_id);

    CREATE TABLE files_touched (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL,
        seq         INTEGER NOT NULL,
        ts          INTEGER,
        path        TEXT NOT NULL,
        action      TEXT NOT NULL,
        tool        TEXT NOT NULL
    );
    CREATE INDEX files_touched_session ON files_touched(session_id);
    CREATE INDEX files_touched_path ON files_touched(path);

    CREATE TABLE warnings (
        id          INTEGER PRIMARY KEY,
        session_id  INTEGER NOT NULL,
        source      TEXT NOT NULL,
        line        INTEGER,
        kind        TEXT NOT NULL,
        detail      TEXT NOT NULL
    );
    CREATE INDEX warnings_session ON warnings(session_id);
    "#,
    // 2: incremental indexing state and the full-text commit protocol.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE sources (
        path       TEXT PRIMARY KEY,
        origin     TEXT NOT NULL,
        agent      TEXT,
        size       INTEGER NOT NULL,
        mtime_ns   INTEGER NOT NULL,
        indexed_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE source_sessions (
        path        TEXT NOT NULL,
        session_key TEXT NOT NULL,
        PRIMARY KEY (path, session_key)
    ) WITHOUT ROWID;
    CREATE INDEX source_sessions_key ON source_sessions(session_key);

    CREATE TABLE fulltext_pending (
        session_key TEXT PRIMARY KEY
    ) WITHOUT ROWID;
    -- sessions indexed before this migration still need their full-text documents
    INSERT INTO fulltext_pending (session_key) SELECT key FROM sessions;
    "#,
    // 3: each session's redacted normalized JSON (zstd), for the review console. Sources are
    // forgotten so the next update reads them again and stores the documents.
    r#"
    CREATE TABLE session_docs (
        session_id INTEGER PRIMARY KEY,
        json       BLOB NOT NULL
    );
    DELETE FROM sources;
    DELETE FROM source_sessions;
    "#,
];

/// The schema version this build writes.
pub(crate) const LATEST: u32 = MIGRATIONS.len() as u32;

/// The database's schema version.
pub(crate) fn version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get::<_, u32>(0))
}

/// Run the migrations after the database's version, up to `target`, each in its own
/// transaction. Returns the versions applied.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> rusqlite::Result<Vec<u32>> {
    let mut applied = Vec::new();
    let mut v = version(conn)?;
    while v < target {
        let tx = conn.transaction()?;
        tx.execute_batch(MIGRATIONS[v as usize])?;
        tx.pragma_update(None, "user_version", v + 1)?;
        tx.commit()?;
        v += 1;
        applied.push(v);
    }
    Ok(applied)
}
