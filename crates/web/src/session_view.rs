//! The session page's header: facts, token and activity tables, relatives, archive link,
//! and the timeline ([`crate::timeline::items`]). Shared by the server and the export.

use crate::data::SessionDetail;
use crate::format::{self, datetime, thousands};
use crate::timeline::{Item, Limits, LinkView, Links, items};
use jiff::tz::TimeZone;
use serde::Serialize;

/// A labelled number for the usage table.
#[derive(Debug, Clone, Serialize)]
pub struct Stat {
    /// Label.
    pub label: &'static str,
    /// Value, formatted.
    pub value: String,
}

/// An archive location.
#[derive(Debug, Clone, Serialize)]
pub struct ArchiveView {
    /// Link, for `http(s)` URLs.
    pub href: Option<String>,
    /// The text shown.
    pub text: String,
}

/// The whole session page.
#[derive(Debug, Clone, Serialize)]
pub struct SessionView {
    /// Key.
    pub key: String,
    /// Title.
    pub title: String,
    /// Agent slug (CSS class).
    pub agent: &'static str,
    /// Agent display name.
    pub agent_name: &'static str,
    /// Session kind.
    pub kind: &'static str,
    /// Parent session.
    pub parent: Option<LinkView>,
    /// Child sessions.
    pub children: Vec<LinkView>,
    /// Facts for the header (label, value).
    pub facts: Vec<Stat>,
    /// Token usage breakdown.
    pub usage: Vec<Stat>,
    /// Event counts.
    pub counts: Vec<Stat>,
    /// Redaction summary (`rule ×n`).
    pub redactions: Vec<String>,
    /// Read warnings.
    pub warnings: Vec<String>,
    /// Archive location.
    pub archive: Option<ArchiveView>,
    /// JSON link (console only).
    pub json_href: Option<String>,
    /// Timeline.
    pub items: Vec<Item>,
    /// Number of events.
    pub events: usize,
}

/// Build the view of `detail`.
pub fn session_view(
    detail: &SessionDetail,
    links: &Links,
    limits: Limits,
    tz: &TimeZone,
) -> SessionView {
    let s = &detail.session;
    let row = &detail.row;
    let title_of = |key: &str| -> Option<String> {
        detail
            .relatives
            .iter()
            .find(|r| r.key == key)
            .map(|r| r.title.clone())
    };
    let link = |key: &str| LinkView {
        href: links.session(key),
        key: key.to_string(),
        title: title_of(key),
    };
    let mut facts = vec![
        Stat {
            label: "Agent",
            value: match &s.agent_version {
                Some(v) => format!("{} {v}", s.agent.display_name()),
                None => s.agent.display_name().to_string(),
            },
        },
        Stat {
            label: "Start",
            value: datetime(s.started_at, tz),
        },
        Stat {
            label: "End",
            value: datetime(s.ended_at, tz),
        },
    ];
    if let Some(d) = row.duration_secs() {
        facts.push(Stat {
            label: "Duration",
            value: format::duration(d),
        });
    }
    let optional = [
        ("Project", row.project.clone()),
        ("Directory", s.cwd.clone()),
        ("Branch", s.git.branch.clone()),
        ("Commit", s.git.commit.clone()),
        ("Remote", s.git.remote.clone()),
        (
            "Models",
            (!s.models.is_empty()).then(|| s.models.join(", ")),
        ),
    ];
    for (label, v) in optional {
        if let Some(value) = v {
            facts.push(Stat { label, value });
        }
    }
    let u = &s.summary.usage;
    let usage = vec![
        Stat {
            label: "Input",
            value: thousands(u.input),
        },
        Stat {
            label: "Cache write",
            value: thousands(u.cache_creation),
        },
        Stat {
            label: "Cache read",
            value: thousands(u.cache_read),
        },
        Stat {
            label: "Output",
            value: thousands(u.output),
        },
        Stat {
            label: "Reasoning",
            value: thousands(u.reasoning),
        },
        Stat {
            label: "Total",
            value: thousands(u.total()),
        },
        Stat {
            label: "Cost",
            value: format::cost(row.cost_usd, row.unpriced_tokens),
        },
    ];
    let c = &s.summary.counts;
    let counts = vec![
        Stat {
            label: "Prompts",
            value: thousands(c.user_prompts),
        },
        Stat {
            label: "Replies",
            value: thousands(c.assistant_messages),
        },
        Stat {
            label: "Tool calls",
            value: thousands(c.tool_calls),
        },
        Stat {
            label: "Tool errors",
            value: thousands(c.tool_errors),
        },
        Stat {
            label: "Events",
            value: thousands(s.events.len() as u64),
        },
    ];
    SessionView {
        key: s.key.clone(),
        title: s.display_title(),
        agent: s.agent.slug(),
        agent_name: s.agent.display_name(),
        kind: s.kind.name(),
        parent: s.parent.as_deref().map(link),
        children: s.children.iter().map(|k| link(k)).collect(),
        facts,
        usage,
        counts,
        redactions: s
            .redactions
            .iter()
            .map(|r| format!("{} in {} ×{}", r.rule, r.field, r.count))
            .collect(),
        warnings: s
            .warnings
            .iter()
            .take(50)
            .map(|w| match w.line {
                Some(l) => format!("{} line {l}: {} ({})", w.source, w.kind.name(), w.detail),
                None => format!("{}: {} ({})", w.source, w.kind.name(), w.detail),
            })
            .collect(),
        archive: detail.archive_link.as_ref().map(|a| ArchiveView {
            href: (a.starts_with("https://") || a.starts_with("http://")).then(|| a.clone()),
            text: a.clone(),
        }),
        json_href: matches!(links, Links::Server)
            .then(|| format!("/api/session/{}", crate::routes::encode_key(&s.key))),
        items: {
            let mut all = items(s, links, limits, tz);
            for sub in all
                .iter_mut()
                .filter_map(|it| it.tool.as_mut()?.subagent.as_mut())
            {
                sub.title = title_of(&sub.key);
            }
            all
        },
        events: s.events.len(),
    }
}
