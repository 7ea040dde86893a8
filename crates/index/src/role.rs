//! The roles a searchable event can have (`convx search --role`).

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What kind of text a full-text hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// A prompt typed by the user.
    User,
    /// Text written by the assistant.
    Assistant,
    /// Reasoning / thinking text.
    Reasoning,
    /// A tool call: its name and input.
    ToolCall,
    /// A tool's output.
    ToolResult,
    /// A plan / todo update.
    Plan,
    /// A compaction summary.
    Summary,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::User,
        Role::Assistant,
        Role::Reasoning,
        Role::ToolCall,
        Role::ToolResult,
        Role::Plan,
        Role::Summary,
    ];

    /// The snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Role::User => "user",
            Role::Assistant => "assistant",
            Role::Reasoning => "reasoning",
            Role::ToolCall => "tool_call",
            Role::ToolResult => "tool_result",
            Role::Plan => "plan",
            Role::Summary => "summary",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A string that names no role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown role `{0}` (known: user, assistant, reasoning, tool_call, tool_result, plan, summary)"
)]
pub struct UnknownRoleError(pub String);

impl FromStr for Role {
    type Err = UnknownRoleError;
    fn from_str(s: &str) -> Result<Role, UnknownRoleError> {
        let l = s.trim().to_ascii_lowercase().replace('-', "_");
        Ok(match l.as_str() {
            "user" | "prompt" => Role::User,
            "assistant" | "ai" | "agent" => Role::Assistant,
            "reasoning" | "thinking" => Role::Reasoning,
            "tool_call" | "tool" | "call" => Role::ToolCall,
            "tool_result" | "tool_output" | "output" | "result" => Role::ToolResult,
            "plan" | "todo" => Role::Plan,
            "summary" | "compaction" => Role::Summary,
            _ => return Err(UnknownRoleError(s.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.name().parse::<Role>().unwrap(), r);
        }
        assert_eq!("tool".parse::<Role>().unwrap(), Role::ToolCall);
        assert!("nope".parse::<Role>().is_err());
    }
}
