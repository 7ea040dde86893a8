//! Normalized token usage.

use serde::{Deserialize, Serialize};
use std::ops::{Add, AddAssign};

/// Token usage of one or more model calls, with the **same meaning for every agent**:
///
/// * `input`: input tokens that were neither written to nor read from a prompt cache
///   (Codex: `input_tokens - cached_input_tokens`; Claude: `input_tokens`).
/// * `cache_creation`: input tokens written to a prompt cache (Claude
///   `cache_creation_input_tokens`; 0 for agents without cache writes).
/// * `cache_read`: input tokens served from a prompt cache (Codex `cached_input_tokens`,
///   Claude `cache_read_input_tokens`).
/// * `output`: **all** generated tokens, reasoning included.
/// * `reasoning`: the part of `output` spent on reasoning, where the agent reports it
///   (never added again to totals).
///
/// So the billed total is `input + cache_creation + cache_read + output`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Usage {
    /// Uncached input tokens.
    #[serde(default)]
    pub input: u64,
    /// Input tokens written to the prompt cache.
    #[serde(default)]
    pub cache_creation: u64,
    /// Input tokens read from the prompt cache.
    #[serde(default)]
    pub cache_read: u64,
    /// All output tokens, reasoning included.
    #[serde(default)]
    pub output: u64,
    /// Reasoning tokens (a part of `output`).
    #[serde(default)]
    pub reasoning: u64,
}

impl Usage {
    /// `input + cache_creation + cache_read + output` (reasoning is inside output).
    pub fn total(&self) -> u64 {
        self.input + self.cache_creation + self.cache_read + self.output
    }

    /// All input tokens, cached or not.
    pub fn total_input(&self) -> u64 {
        self.input + self.cache_creation + self.cache_read
    }

    /// True when every field is zero.
    pub fn is_zero(&self) -> bool {
        *self == Usage::default()
    }
}

impl Add for Usage {
    type Output = Usage;
    fn add(mut self, rhs: Usage) -> Usage {
        self += rhs;
        self
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, rhs: Usage) {
        self.input += rhs.input;
        self.cache_creation += rhs.cache_creation;
        self.cache_read += rhs.cache_read;
        self.output += rhs.output;
        self.reasoning += rhs.reasoning;
    }
}

impl std::iter::Sum for Usage {
    fn sum<I: Iterator<Item = Usage>>(iter: I) -> Usage {
        iter.fold(Usage::default(), |a, b| a + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_excludes_reasoning_twice() {
        let u = Usage {
            input: 1,
            cache_creation: 2,
            cache_read: 3,
            output: 10,
            reasoning: 7,
        };
        assert_eq!(u.total(), 16);
        assert_eq!(u.total_input(), 6);
        assert_eq!((u + u).total(), 32);
    }
}
