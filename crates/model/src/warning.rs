//! Warnings: bad records that were skipped or kept raw, with where they were.

use serde::{Deserialize, Serialize};

/// A problem with one record of a source. The rest of the source is still read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The source file (or database) the record came from.
    pub source: String,
    /// 1-based line number, for line-oriented sources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Why the record was skipped or degraded.
    pub kind: WarningKind,
    /// Human detail (parser message, record type...). Never contains record content.
    pub detail: String,
}

impl Warning {
    /// A warning about `source` at `line`.
    pub fn new(
        source: impl Into<String>,
        line: Option<u64>,
        kind: WarningKind,
        detail: impl Into<String>,
    ) -> Self {
        Warning {
            source: source.into(),
            line,
            kind,
            detail: detail.into(),
        }
    }
}

/// Why a record was skipped or degraded. Counted per kind by `convx doctor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// The line is not valid JSON (truncated write, garbage).
    InvalidJson,
    /// The line is not valid UTF-8 (decoded lossily).
    InvalidUtf8,
    /// A blank or NUL-filled line.
    BlankLine,
    /// The last line has no newline and did not parse (file still being written).
    TruncatedTail,
    /// Valid JSON but not the shape expected for its type; kept as opaque.
    UnexpectedShape,
    /// The file is empty.
    EmptyFile,
    /// The source could not be decoded (decompression, database error...).
    Unreadable,
    /// A tool result whose call was never seen.
    OrphanToolResult,
    /// Anything else.
    Other,
}

impl WarningKind {
    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::InvalidJson => "invalid_json",
            WarningKind::InvalidUtf8 => "invalid_utf8",
            WarningKind::BlankLine => "blank_line",
            WarningKind::TruncatedTail => "truncated_tail",
            WarningKind::UnexpectedShape => "unexpected_shape",
            WarningKind::EmptyFile => "empty_file",
            WarningKind::Unreadable => "unreadable",
            WarningKind::OrphanToolResult => "orphan_tool_result",
            WarningKind::Other => "other",
        }
    }
}
