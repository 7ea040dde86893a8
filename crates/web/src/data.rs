//! The data contract between the console and whatever stores sessions.
//!
//! The console never touches SQLite, tantivy or agent logs itself: every page asks a
//! [`ConsoleData`] implementation. The real implementation is
//! [`crate::index_data::IndexData`] over `convx-index` (what `convx serve` uses);
//! [`crate::memory::MemoryData`] is a small in-memory one over a `Vec<Session>` for tests.
//!
//! Everything here is plain data. All strings are **untrusted** (they come from session
//! logs): the console escapes them, implementations must not pre-escape anything.
//!
//! Conventions every implementation follows:
//! * **Redacted**: every `Session`, title, snippet and path returned has already been
//!   through redaction. The console shows what it is given.
//! * **Usage** is the normalized [`Usage`] of `convx-model`, each model call counted once
//!   across all sessions (calls marked `duplicate` and `inherited` events are not counted),
//!   so the console shows the same numbers as `convx stats`.
//! * **Cost** is split in two: `cost_usd` is the sum over everything that could be priced,
//!   `unpriced_tokens` the tokens of models with no known price. A model is never priced $0
//!   silently: when `unpriced_tokens > 0` the console marks the cost as incomplete.
//! * **Time ranges** are half-open `[since, until)`. A session matches when it was active in
//!   the range: `ended_at.or(started_at) >= since` and `started_at.or(ended_at) < until`
//!   (sessions with no time at all match only when no range is given).
//! * **Days** (usage by day, project activity) are calendar days in the implementation's
//!   time zone: the same zone `convx stats` uses by default (local).

use convx_model::{Agent, Session, SessionKind, Timestamp, Usage};
use serde::{Deserialize, Serialize};

/// Errors a [`ConsoleData`] implementation reports.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    /// The request cannot be answered as asked (bad filter value, unusable query). Shown to
    /// the user as a 400 with this message.
    #[error("{0}")]
    InvalidQuery(String),
    /// The store failed (I/O, corrupt index...). Shown as a 500.
    #[error("{0}")]
    Backend(String),
}

/// What the console needs from the store. Every method is called from a blocking thread
/// (never on the async runtime), possibly concurrently.
pub trait ConsoleData: Send + Sync + 'static {
    /// One page of sessions matching `filter`, sorted as asked, plus the total number of
    /// matches (for paging). Rows are summaries: no events.
    fn sessions(&self, filter: &SessionFilter) -> Result<SessionPage, DataError>;

    /// Everything the session page shows for `key` (an exact session key), or `None` when
    /// no such session exists. `detail.session.events` must be the full, ordered, redacted
    /// event list: [`SearchHit::event`] indexes into it.
    fn session(&self, key: &str) -> Result<Option<SessionDetail>, DataError>;

    /// Full-text search: hits ranked best first, at most `query.limit`. Any user text is
    /// valid input (quotes, `*`, `(`, CJK...); an implementation that cannot use a query
    /// returns [`DataError::InvalidQuery`] with a readable message, never a parser dump.
    fn search(&self, query: &SearchQuery) -> Result<Vec<SearchHit>, DataError>;

    /// Token and cost totals grouped as asked, the numbers of `convx stats`.
    fn usage(&self, query: &UsageQuery) -> Result<UsageReport, DataError>;

    /// Every project with its sessions over time and its agents, most recently active first.
    fn projects(&self) -> Result<Vec<ProjectSummary>, DataError>;

    /// The values the filter menus offer (agents, projects and models present in the data).
    fn facets(&self) -> Result<Facets, DataError>;
}

/// Which sessions to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionFilter {
    /// Only this agent.
    pub agent: Option<Agent>,
    /// Only this project (equal to [`SessionRow::project`]).
    pub project: Option<String>,
    /// Only sessions that used this model (one of [`SessionRow::models`]).
    pub model: Option<String>,
    /// Active at or after this instant.
    pub since: Option<Timestamp>,
    /// Active before this instant.
    pub until: Option<Timestamp>,
    /// `Some(true)`: only sessions with a failed tool call; `Some(false)`: only without.
    pub has_errors: Option<bool>,
    /// Sort order.
    pub sort: SortKey,
    /// Largest first (newest first for [`SortKey::Start`]).
    pub descending: bool,
    /// Rows to skip (paging).
    pub offset: usize,
    /// At most this many rows.
    pub limit: usize,
}

/// Columns the session list can be sorted by. Ties break by start time, then key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Start time (sessions with no start sort last).
    #[default]
    Start,
    /// `ended_at - started_at`.
    Duration,
    /// User prompts.
    Prompts,
    /// Tool calls.
    ToolCalls,
    /// Total tokens.
    Tokens,
    /// Cost in USD.
    Cost,
}

impl SortKey {
    /// Every sort key, in menu order.
    pub const ALL: [SortKey; 6] = [
        SortKey::Start,
        SortKey::Duration,
        SortKey::Prompts,
        SortKey::ToolCalls,
        SortKey::Tokens,
        SortKey::Cost,
    ];

    /// The snake_case name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Start => "start",
            SortKey::Duration => "duration",
            SortKey::Prompts => "prompts",
            SortKey::ToolCalls => "tool_calls",
            SortKey::Tokens => "tokens",
            SortKey::Cost => "cost",
        }
    }

    /// Parse a URL name.
    pub fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// One page of the session list.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SessionPage {
    /// Number of sessions matching the filter (all pages).
    pub total: u64,
    /// The rows of the requested page.
    pub rows: Vec<SessionRow>,
}

/// One session in a list: a summary, no events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRow {
    /// Session key `<agent>:<native id>`.
    pub key: String,
    /// The agent.
    pub agent: Agent,
    /// Main, sub-agent, fork, internal.
    pub kind: SessionKind,
    /// Parent session key (sub-agents, forks).
    pub parent: Option<String>,
    /// Display title ([`Session::display_title`]).
    pub title: String,
    /// Project identity as the store defines it (repository or working directory); the
    /// value [`SessionFilter::project`] matches and [`ProjectSummary::project`] lists.
    pub project: Option<String>,
    /// Working directory recorded by the agent.
    pub cwd: Option<String>,
    /// Start (UTC).
    pub started_at: Option<Timestamp>,
    /// Last activity (UTC).
    pub ended_at: Option<Timestamp>,
    /// User prompts.
    pub prompts: u64,
    /// Tool calls.
    pub tool_calls: u64,
    /// Tool calls that failed.
    pub tool_errors: u64,
    /// Tokens, each model call counted once.
    pub usage: Usage,
    /// Priced cost in USD (see the module docs).
    pub cost_usd: f64,
    /// Tokens of models with no known price.
    pub unpriced_tokens: u64,
    /// Models used, in order of first use.
    pub models: Vec<String>,
}

impl SessionRow {
    /// Duration in seconds, when both ends are known.
    pub fn duration_secs(&self) -> Option<i64> {
        match (self.started_at, self.ended_at) {
            (Some(s), Some(e)) => Some(e.as_second() - s.as_second()),
            _ => None,
        }
    }

    /// True when a tool call failed.
    pub fn has_errors(&self) -> bool {
        self.tool_errors > 0
    }

    /// A row from a session's own summary, with the given project and cost.
    pub fn from_session(
        s: &Session,
        project: Option<String>,
        cost_usd: f64,
        unpriced_tokens: u64,
    ) -> SessionRow {
        SessionRow {
            key: s.key.clone(),
            agent: s.agent,
            kind: s.kind,
            parent: s.parent.clone(),
            title: s.display_title(),
            project,
            cwd: s.cwd.clone(),
            started_at: s.started_at,
            ended_at: s.ended_at,
            prompts: s.summary.counts.user_prompts,
            tool_calls: s.summary.counts.tool_calls,
            tool_errors: s.summary.counts.tool_errors,
            usage: s.summary.usage,
            cost_usd,
            unpriced_tokens,
            models: s.models.clone(),
        }
    }
}

/// Everything the session page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionDetail {
    /// The full redacted session, events included.
    pub session: Session,
    /// Its summary row (project, cost).
    pub row: SessionRow,
    /// Rows of its parent and children that exist in the store (titles for the links);
    /// may be empty.
    pub relatives: Vec<SessionRow>,
    /// Where the session is archived: an `http(s)://` URL (shown as a link) or a path
    /// (shown as text); `None` when not archived.
    pub archive_link: Option<String>,
}

/// A full-text query.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchQuery {
    /// What the user typed, verbatim.
    pub text: String,
    /// Only this agent.
    pub agent: Option<Agent>,
    /// Only this project.
    pub project: Option<String>,
    /// Only events at or after this instant.
    pub since: Option<Timestamp>,
    /// Only events before this instant.
    pub until: Option<Timestamp>,
    /// Only events of this kind: an [`convx_model::EventKind::name`] such as
    /// `user_prompt`, `assistant_text`, `tool_call`, `tool_result`, `reasoning`.
    pub role: Option<String>,
    /// Only tool calls/results of this tool name.
    pub tool: Option<String>,
    /// At most this many hits.
    pub limit: usize,
}

/// One search hit: an event of a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// Session key.
    pub key: String,
    /// The agent.
    pub agent: Agent,
    /// Session display title.
    pub title: String,
    /// Session project.
    pub project: Option<String>,
    /// Index of the event in the session's `events` (as returned by
    /// [`ConsoleData::session`]): the console links to `/session/<key>#e<event>`.
    pub event: usize,
    /// The event's time.
    pub timestamp: Option<Timestamp>,
    /// The event kind name (`user_prompt`, `tool_result`...).
    pub role: String,
    /// Tool name, for tool calls and results.
    pub tool: Option<String>,
    /// A plain-text excerpt of the event (not escaped, not marked up).
    pub snippet: String,
    /// Byte ranges of `snippet` to highlight, ascending and non-overlapping, on char
    /// boundaries (tantivy's `Snippet::highlighted()`).
    pub highlights: Vec<(usize, usize)>,
    /// Relevance (higher is better).
    pub score: f32,
}

/// Dimensions usage can be grouped by (`convx stats --by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageDim {
    /// Calendar day `YYYY-MM-DD`.
    Day,
    /// ISO week `YYYY-Www`.
    Week,
    /// Month `YYYY-MM`.
    Month,
    /// Model name (`unknown` when not recorded).
    Model,
    /// Project (`-` when none).
    Project,
    /// Agent slug.
    Agent,
    /// Session key.
    Session,
}

impl UsageDim {
    /// Every dimension.
    pub const ALL: [UsageDim; 7] = [
        UsageDim::Day,
        UsageDim::Week,
        UsageDim::Month,
        UsageDim::Model,
        UsageDim::Project,
        UsageDim::Agent,
        UsageDim::Session,
    ];

    /// The snake_case name used in URLs.
    pub fn name(self) -> &'static str {
        match self {
            UsageDim::Day => "day",
            UsageDim::Week => "week",
            UsageDim::Month => "month",
            UsageDim::Model => "model",
            UsageDim::Project => "project",
            UsageDim::Agent => "agent",
            UsageDim::Session => "session",
        }
    }

    /// Parse a URL name.
    pub fn parse(s: &str) -> Option<UsageDim> {
        UsageDim::ALL.into_iter().find(|d| d.name() == s)
    }
}

/// A usage report request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageQuery {
    /// Group by these dimensions, in order (empty: one total row).
    pub by: Vec<UsageDim>,
    /// Only model calls at or after this instant.
    pub since: Option<Timestamp>,
    /// Only model calls before this instant.
    pub until: Option<Timestamp>,
    /// Only this agent.
    pub agent: Option<Agent>,
    /// Only this project.
    pub project: Option<String>,
}

/// Tokens and cost of one group (or of everything).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageRow {
    /// One value per [`UsageQuery::by`] dimension, in the same order (see [`UsageDim`] for
    /// the formats). Empty for totals.
    pub key: Vec<String>,
    /// Tokens.
    pub usage: Usage,
    /// Model calls counted.
    pub calls: u64,
    /// Priced cost in USD.
    pub cost_usd: f64,
    /// Tokens of models with no known price.
    pub unpriced_tokens: u64,
}

/// The answer to a [`UsageQuery`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UsageReport {
    /// The grouping asked for.
    pub by: Vec<UsageDim>,
    /// One row per group, sorted by key ascending (days oldest first).
    pub rows: Vec<UsageRow>,
    /// The sum of all rows.
    pub totals: UsageRow,
    /// Models met that have no price, sorted.
    pub unpriced_models: Vec<String>,
    /// Date of the price table used, e.g. `2026-11-01`, when there is one.
    pub prices_as_of: Option<String>,
}

/// Sessions on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    /// The calendar day.
    pub day: jiff::civil::Date,
    /// Sessions started that day.
    pub sessions: u64,
}

/// Sessions of one agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentCount {
    /// The agent.
    pub agent: Agent,
    /// Its sessions in the project.
    pub sessions: u64,
}

/// One project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProjectSummary {
    /// Project identity (as in [`SessionRow::project`]).
    pub project: String,
    /// Sessions in the project.
    pub sessions: u64,
    /// Earliest session start.
    pub first: Option<Timestamp>,
    /// Latest activity.
    pub last: Option<Timestamp>,
    /// Sessions per agent, most first.
    pub agents: Vec<AgentCount>,
    /// Tokens.
    pub usage: Usage,
    /// Priced cost in USD.
    pub cost_usd: f64,
    /// Tokens of models with no known price.
    pub unpriced_tokens: u64,
    /// Sessions started per day, ascending, days without sessions omitted.
    pub activity: Vec<DayCount>,
}

/// Values for the filter menus.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facets {
    /// Agents with at least one session.
    pub agents: Vec<Agent>,
    /// Projects, sorted.
    pub projects: Vec<String>,
    /// Models, sorted.
    pub models: Vec<String>,
}
