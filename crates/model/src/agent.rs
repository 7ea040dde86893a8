//! The one home of agent metadata.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A coding agent whose session logs convx reads.
///
/// This enum is the single place that names agents: slugs, display names and the
/// order in which they are listed all come from here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Agent {
    /// OpenAI Codex CLI (`~/.codex`).
    Codex,
    /// Anthropic Claude Code (`~/.claude`).
    Claude,
    /// Google Gemini CLI (`~/.gemini`).
    Gemini,
    /// OpenCode (`~/.local/share/opencode`).
    OpenCode,
    /// Cursor IDE (`state.vscdb`).
    Cursor,
    /// GitHub Copilot CLI (`~/.copilot`).
    Copilot,
}

impl Agent {
    /// Every agent, in display order.
    pub const ALL: [Agent; 6] = [
        Agent::Codex,
        Agent::Claude,
        Agent::Gemini,
        Agent::OpenCode,
        Agent::Cursor,
        Agent::Copilot,
    ];

    /// The short lowercase name used in keys, paths and CLI flags.
    pub fn slug(self) -> &'static str {
        match self {
            Agent::Codex => "codex",
            Agent::Claude => "claude",
            Agent::Gemini => "gemini",
            Agent::OpenCode => "opencode",
            Agent::Cursor => "cursor",
            Agent::Copilot => "copilot",
        }
    }

    /// The human name of the agent.
    pub fn display_name(self) -> &'static str {
        match self {
            Agent::Codex => "Codex CLI",
            Agent::Claude => "Claude Code",
            Agent::Gemini => "Gemini CLI",
            Agent::OpenCode => "OpenCode",
            Agent::Cursor => "Cursor",
            Agent::Copilot => "Copilot CLI",
        }
    }

    /// A CSS colour for the agent (web console, charts).
    pub fn colour(self) -> &'static str {
        match self {
            Agent::Codex => "#10a37f",
            Agent::Claude => "#d97757",
            Agent::Gemini => "#4285f4",
            Agent::OpenCode => "#6e56cf",
            Agent::Cursor => "#444444",
            Agent::Copilot => "#8957e5",
        }
    }
}

impl fmt::Display for Agent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// Error returned when a string names no known agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownAgentError(pub String);

impl fmt::Display for UnknownAgentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let known: Vec<&str> = Agent::ALL.iter().map(|a| a.slug()).collect();
        write!(
            f,
            "unknown agent `{}` (known: {})",
            self.0,
            known.join(", ")
        )
    }
}

impl std::error::Error for UnknownAgentError {}

impl FromStr for Agent {
    type Err = UnknownAgentError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let lower = s.to_ascii_lowercase();
        Agent::ALL
            .into_iter()
            .find(|a| a.slug() == lower || (lower == "claude-code" && *a == Agent::Claude))
            .ok_or_else(|| UnknownAgentError(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_round_trip() {
        for a in Agent::ALL {
            assert_eq!(a.slug().parse::<Agent>().unwrap(), a);
            let json = serde_json::to_string(&a).unwrap();
            assert_eq!(json, format!("\"{}\"", a.slug()));
        }
        assert!("nope".parse::<Agent>().is_err());
    }
}
