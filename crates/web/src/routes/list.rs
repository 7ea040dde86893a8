//! The Sessions page (the home page) and the Projects page.

use super::params::{Params, day_value, encode};
use super::{AppState, Failure, Opt, Q, agent_options, page};
use crate::charts::sparkline;
use crate::data::{SessionFilter, SessionRow, SortKey};
use crate::format::{self, compact, datetime, thousands};
use crate::timeline::Links;
use axum::extract::State;
use axum::response::Response;
use jiff::tz::TimeZone;
use serde::Serialize;

/// Rows per page of the session list.
pub const PER_PAGE: usize = 100;

/// One row of the session table, formatted.
#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    key: String,
    href: Option<String>,
    agent: &'static str,
    agent_name: &'static str,
    kind: &'static str,
    title: String,
    project: String,
    cwd: String,
    models: String,
    start: String,
    duration: String,
    prompts: String,
    tool_calls: String,
    errors: u64,
    tokens: String,
    tokens_full: String,
    cost: String,
    cost_note: String,
}

/// Format `r` for the table.
pub fn row_view(r: &SessionRow, links: &Links, tz: &TimeZone) -> RowView {
    let u = &r.usage;
    RowView {
        key: r.key.clone(),
        href: links.session(&r.key),
        agent: r.agent.slug(),
        agent_name: r.agent.display_name(),
        kind: r.kind.name(),
        title: r.title.clone(),
        project: r.project.clone().unwrap_or_else(|| "-".into()),
        cwd: r.cwd.clone().unwrap_or_default(),
        models: r.models.join(", "),
        start: datetime(r.started_at, tz),
        duration: r
            .duration_secs()
            .map(format::duration)
            .unwrap_or_else(|| "-".into()),
        prompts: thousands(r.prompts),
        tool_calls: thousands(r.tool_calls),
        errors: r.tool_errors,
        tokens: compact(u.total()),
        tokens_full: format!(
            "{} tokens: input {}, cache write {}, cache read {}, output {} (reasoning {})",
            thousands(u.total()),
            thousands(u.input),
            thousands(u.cache_creation),
            thousands(u.cache_read),
            thousands(u.output),
            thousands(u.reasoning)
        ),
        cost: format::cost(r.cost_usd, r.unpriced_tokens),
        cost_note: if r.unpriced_tokens > 0 {
            format!(
                "{} tokens of models with no known price are not included",
                thousands(r.unpriced_tokens)
            )
        } else {
            String::new()
        },
    }
}

#[derive(Serialize)]
struct Column {
    label: &'static str,
    class: &'static str,
    href: Option<String>,
    arrow: Option<&'static str>,
}

#[derive(Serialize)]
struct FilterValues {
    agent: String,
    project: String,
    model: String,
    since: String,
    until: String,
    errors: String,
    sort: String,
    order: String,
}

fn columns(q: &Params, f: &SessionFilter) -> Vec<Column> {
    let cols: [(&str, &str, Option<SortKey>); 6] = [
        ("Start", "", Some(SortKey::Start)),
        ("Duration", "num", Some(SortKey::Duration)),
        ("Prompts", "num", Some(SortKey::Prompts)),
        ("Tool calls", "num", Some(SortKey::ToolCalls)),
        ("Tokens", "num", Some(SortKey::Tokens)),
        ("Cost", "num", Some(SortKey::Cost)),
    ];
    cols.into_iter()
        .map(|(label, class, key)| {
            let key = key.expect("sortable");
            let current = f.sort == key;
            let order = if current && f.descending {
                "asc"
            } else {
                "desc"
            };
            Column {
                label,
                class,
                href: Some(format!(
                    "/{}",
                    q.with(&[
                        ("sort", Some(key.name().into())),
                        ("order", Some(order.into())),
                        ("page", None),
                    ])
                )),
                arrow: current.then_some(if f.descending { "▼" } else { "▲" }),
            }
        })
        .collect()
}

/// `GET /`: the session list.
pub async fn sessions_page(State(st): State<AppState>, Q(q): Q) -> Result<Response, Failure> {
    let f = q.session_filter(&st.tz, PER_PAGE)?;
    let filter = f.clone();
    let (list, facets) = st
        .call(move |d| Ok((d.sessions(&filter)?, d.facets()?)))
        .await?;
    let links = Links::Server;
    let rows: Vec<RowView> = list
        .rows
        .iter()
        .map(|r| row_view(r, &links, &st.tz))
        .collect();
    let filtered = f.agent.is_some()
        || f.project.is_some()
        || f.model.is_some()
        || f.since.is_some()
        || f.until.is_some()
        || f.has_errors.is_some();
    let first = f.offset + 1;
    let last = f.offset + rows.len();
    let summary = if list.total == 0 {
        String::new()
    } else if list.total as usize > rows.len() {
        format!(
            "Sessions {}–{} of {}",
            thousands(first as u64),
            thousands(last as u64),
            thousands(list.total)
        )
    } else {
        format!(
            "{} session{}",
            thousands(list.total),
            if list.total == 1 { "" } else { "s" }
        )
    };
    let page_no = f.offset / f.limit + 1;
    let prev =
        (page_no > 1).then(|| format!("/{}", q.with(&[("page", Some((page_no - 1).to_string()))])));
    let next = ((last as u64) < list.total)
        .then(|| format!("/{}", q.with(&[("page", Some((page_no + 1).to_string()))])));
    let values = FilterValues {
        agent: q.text("agent"),
        project: q.text("project"),
        model: q.text("model"),
        since: day_value(f.since, &st.tz, false),
        until: day_value(f.until, &st.tz, true),
        errors: q.text("errors"),
        sort: f.sort.name().into(),
        order: if f.descending {
            "desc".into()
        } else {
            "asc".into()
        },
    };
    page(
        "sessions.html",
        minijinja::context! {
            f => crate::routes::ser(values),
            agents => crate::routes::ser(agent_options(&facets.agents)),
            projects => crate::routes::ser(facets.projects.iter().map(|p| Opt::same(p)).collect::<Vec<_>>()),
            models => crate::routes::ser(facets.models.iter().map(|m| Opt::same(m)).collect::<Vec<_>>()),
            error_options => crate::routes::ser(vec![
                Opt { value: "yes".into(), label: "with failed tool calls".into() },
                Opt { value: "no".into(), label: "without".into() },
            ]),
            columns => crate::routes::ser(columns(&q, &f)),
            rows => crate::routes::ser(rows),
            summary => crate::routes::ser(summary),
            filtered => crate::routes::ser(filtered),
            empty => crate::routes::ser(if filtered { "No session matches these filters." } else { "No sessions yet. convx reads Codex CLI, Claude Code, Gemini CLI, OpenCode, Cursor and Copilot CLI logs; `convx doctor` shows where it looked." }),
            prev => crate::routes::ser(prev),
            next => crate::routes::ser(next),
            ..crate::routes::ser(st.page("sessions", "Sessions"))
        },
    )
}

#[derive(Serialize)]
struct ProjectAgent {
    agent: &'static str,
    name: &'static str,
    sessions: u64,
}

#[derive(Serialize)]
struct ProjectView {
    name: String,
    href: String,
    spark: String,
    agents: Vec<ProjectAgent>,
    sessions: String,
    first: String,
    last: String,
    tokens: String,
    tokens_full: String,
    cost: String,
}

/// `GET /projects`.
pub async fn projects_page(State(st): State<AppState>) -> Result<Response, Failure> {
    let projects = st.call(|d| d.projects()).await?;
    let days: Vec<jiff::civil::Date> = projects
        .iter()
        .flat_map(|p| p.activity.iter().map(|a| a.day))
        .collect();
    let (lo, hi) = match (days.iter().min(), days.iter().max()) {
        (Some(a), Some(b)) => (*a, *b),
        _ => {
            let today = jiff::Timestamp::now().to_zoned(st.tz.clone()).date();
            (today, today)
        }
    };
    let span = (hi - lo).get_days().max(0) as usize + 1;
    let width = span.div_ceil(52).max(1);
    let buckets = span.div_ceil(width);
    let rows: Vec<ProjectView> = projects
        .iter()
        .map(|p| {
            let mut counts = vec![0u64; buckets];
            for a in &p.activity {
                let i = ((a.day - lo).get_days().max(0) as usize) / width;
                counts[i.min(buckets - 1)] += a.sessions;
            }
            let titles: Vec<String> = (0..buckets)
                .map(|i| {
                    let start = lo
                        .checked_add(jiff::Span::new().days((i * width) as i64))
                        .unwrap_or(lo);
                    let what = if width == 1 { "" } else { "period from " };
                    format!(
                        "{what}{start}: {} session{}",
                        counts[i],
                        if counts[i] == 1 { "" } else { "s" }
                    )
                })
                .collect();
            ProjectView {
                name: p.project.clone(),
                href: format!("/?project={}", encode(&p.project)),
                spark: sparkline(&counts, &titles),
                agents: p
                    .agents
                    .iter()
                    .map(|a| ProjectAgent {
                        agent: a.agent.slug(),
                        name: a.agent.display_name(),
                        sessions: a.sessions,
                    })
                    .collect(),
                sessions: thousands(p.sessions),
                first: datetime(p.first, &st.tz),
                last: datetime(p.last, &st.tz),
                tokens: compact(p.usage.total()),
                tokens_full: format!("{} tokens", thousands(p.usage.total())),
                cost: format::cost(p.cost_usd, p.unpriced_tokens),
            }
        })
        .collect();
    let summary = format!(
        "{} project{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    page(
        "projects.html",
        minijinja::context! {
            rows => crate::routes::ser(rows),
            summary => crate::routes::ser(summary),
            range => crate::routes::ser(format!("{lo} to {hi}")),
            ..crate::routes::ser(st.page("projects", "Projects"))
        },
    )
}
