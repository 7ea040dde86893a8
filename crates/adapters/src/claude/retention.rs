//! Claude Code deletes transcripts older than `cleanupPeriodDays` (default 30) from
//! `<root>/settings.json` at start-up (§2.1). Tell the user before history is lost.

use crate::{AgentNote, NoteLevel};
use std::path::Path;

/// Claude Code's default retention, in days.
pub const DEFAULT_DAYS: u64 = 30;

/// The retention note for one Claude root, or `None` when the root does not exist.
pub fn note(root: &Path) -> Option<AgentNote> {
    if !root.is_dir() {
        return None;
    }
    let settings = root.join("settings.json");
    let configured = std::fs::read_to_string(&settings)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .and_then(|v| {
            v.get("cleanupPeriodDays")
                .and_then(serde_json::Value::as_u64)
        });
    Some(message(configured, &settings))
}

fn message(configured: Option<u64>, settings: &Path) -> AgentNote {
    let how = format!(
        "To keep more, set \"cleanupPeriodDays\" to a larger number (e.g. 36500) in {}, \
         and run `convx backup` regularly (cron or a git hook) so nothing is lost.",
        settings.display()
    );
    match configured {
        Some(days) if days >= 3650 => AgentNote {
            level: NoteLevel::Info,
            message: format!(
                "Claude Code keeps transcripts for {days} days (cleanupPeriodDays in {}).",
                settings.display()
            ),
        },
        Some(days) => AgentNote {
            level: NoteLevel::Warning,
            message: format!(
                "Claude Code deletes transcripts older than {days} days (cleanupPeriodDays = {days}). {how}"
            ),
        },
        None => AgentNote {
            level: NoteLevel::Warning,
            message: format!(
                "Claude Code deletes transcripts older than {DEFAULT_DAYS} days by default \
                 (cleanupPeriodDays is not set). {how}"
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_and_configured_retention() {
        let dir = tempfile::tempdir().unwrap();
        let n = note(dir.path()).unwrap();
        assert_eq!(n.level, NoteLevel::Warning);
        assert!(n.message.contains("30 days by default"), "{}", n.message);
        std::fs::write(
            dir.path().join("settings.json"),
            r#"{"cleanupPeriodDays": 7}"#,
        )
        .unwrap();
        let n = note(dir.path()).unwrap();
        assert_eq!(n.level, NoteLevel::Warning);
        assert!(n.message.contains("older than 7 days"));
        assert!(n.message.contains("settings.json"));
        std::fs::write(
            dir.path().join("settings.json"),
            r#"{"cleanupPeriodDays": 36500}"#,
        )
        .unwrap();
        assert_eq!(note(dir.path()).unwrap().level, NoteLevel::Info);
        assert!(note(&dir.path().join("missing")).is_none());
    }
}
