use crate::Adapter;
use convx_model::Agent;

static CODEX: crate::codex::CodexAdapter = crate::codex::CodexAdapter;
static CLAUDE: crate::claude::ClaudeAdapter = crate::claude::ClaudeAdapter;
static GEMINI: crate::gemini::GeminiAdapter = crate::gemini::GeminiAdapter;
static OPENCODE: crate::opencode::OpenCodeAdapter = crate::opencode::OpenCodeAdapter;
static CURSOR: crate::cursor::CursorAdapter = crate::cursor::CursorAdapter;
static COPILOT: crate::copilot::CopilotAdapter = crate::copilot::CopilotAdapter;

/// Every adapter, in [`Agent::ALL`] order. The only list of adapters: CLI values, web
/// filters and tests iterate it.
pub fn registry() -> [&'static dyn Adapter; 6] {
    [&CODEX, &CLAUDE, &GEMINI, &OPENCODE, &CURSOR, &COPILOT]
}

/// The adapter of `agent`.
pub fn adapter_for(agent: Agent) -> &'static dyn Adapter {
    registry()
        .into_iter()
        .find(|a| a.agent() == agent)
        .expect("every agent has an adapter")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_matches_agent_list() {
        let agents: Vec<Agent> = registry().iter().map(|a| a.agent()).collect();
        assert_eq!(agents, Agent::ALL.to_vec());
    }
}
