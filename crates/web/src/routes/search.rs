//! The Search page.

use super::params::day_value;
use super::{AppState, Failure, Opt, Q, agent_options, page};
use crate::charts::esc;
use crate::data::SearchHit;
use crate::format::datetime;
use crate::timeline::Links;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Hits shown on the page.
pub const PAGE_HITS: usize = 50;

/// Kinds of event search can be restricted to: value, menu label, label of one hit.
pub const ROLES: [(&str, &str, &str); 6] = [
    ("user_prompt", "prompts", "prompt"),
    ("assistant_text", "replies", "reply"),
    ("reasoning", "reasoning", "reasoning"),
    ("tool_call", "tool calls", "tool call"),
    ("tool_result", "tool outputs", "tool output"),
    ("plan_update", "plans", "plan"),
];

#[derive(Serialize)]
struct HitView {
    agent: &'static str,
    agent_name: &'static str,
    title: String,
    href: String,
    project: String,
    when: String,
    role: String,
    tool: Option<String>,
    snippet: String,
}

/// `snippet` as HTML: every part escaped, the `ranges` wrapped in `<mark>`. Ranges out of
/// bounds, overlapping or not on char boundaries are ignored.
pub fn highlight(snippet: &str, ranges: &[(usize, usize)]) -> String {
    let mut out = String::with_capacity(snippet.len() + ranges.len() * 13);
    let mut at = 0;
    for &(s, e) in ranges {
        if s < at
            || e <= s
            || e > snippet.len()
            || !snippet.is_char_boundary(s)
            || !snippet.is_char_boundary(e)
        {
            continue;
        }
        out.push_str(&esc(&snippet[at..s]));
        out.push_str("<mark>");
        out.push_str(&esc(&snippet[s..e]));
        out.push_str("</mark>");
        at = e;
    }
    out.push_str(&esc(&snippet[at..]));
    out
}

fn role_label(role: &str) -> String {
    ROLES
        .iter()
        .find(|(r, _, _)| *r == role)
        .map(|(_, _, one)| (*one).to_string())
        .unwrap_or_else(|| role.replace('_', " "))
}

fn hit_view(h: &SearchHit, tz: &jiff::tz::TimeZone) -> HitView {
    HitView {
        agent: h.agent.slug(),
        agent_name: h.agent.display_name(),
        title: h.title.clone(),
        href: format!(
            "{}#e{}",
            Links::Server.session(&h.key).unwrap_or_default(),
            h.event
        ),
        project: h.project.clone().unwrap_or_else(|| "-".into()),
        when: datetime(h.timestamp, tz),
        role: role_label(&h.role),
        tool: h.tool.clone(),
        snippet: highlight(&h.snippet, &h.highlights),
    }
}

/// `GET /search`.
pub async fn search_page(State(st): State<AppState>, Q(q): Q) -> Result<Response, Failure> {
    let query = q.search_query(&st.tz, PAGE_HITS)?;
    let text = query.text.clone();
    let has_text = !text.trim().is_empty();
    let (hits, facets) = st
        .call(move |d| {
            let facets = d.facets()?;
            if !has_text {
                return Ok((Ok(Vec::new()), facets));
            }
            // A query the engine rejects is shown on the page, not as an error page.
            Ok((d.search(&query).map_err(|e| e.to_string()), facets))
        })
        .await?;
    let (hits, error) = match hits {
        Ok(h) => (h, None),
        Err(e) => (Vec::new(), Some(e)),
    };
    let (since, until) = q.range(&st.tz)?;
    let n = hits.len();
    let summary = match n {
        0 => String::new(),
        1 => "1 matching event".to_string(),
        n if n >= PAGE_HITS => format!("The {n} best matching events"),
        n => format!("{n} matching events"),
    };
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let title = if has_text {
        format!("Search: {text}")
    } else {
        "Search".into()
    };
    let resp = page(
        "search.html",
        minijinja::context! {
            f => minijinja::context! {
                q => crate::routes::ser(text), agent => crate::routes::ser(q.text("agent")), project => crate::routes::ser(q.text("project")),
                role => crate::routes::ser(q.text("role")), tool => crate::routes::ser(q.text("tool")),
                since => crate::routes::ser(day_value(since, &st.tz, false)), until => crate::routes::ser(day_value(until, &st.tz, true))
        },
            agents => crate::routes::ser(agent_options(&facets.agents)),
            projects => crate::routes::ser(facets.projects.iter().map(|p| Opt::same(p)).collect::<Vec<_>>()),
            roles => crate::routes::ser(ROLES.iter().map(|(v, l, _)| Opt { value: (*v).into(), label: (*l).into() }).collect::<Vec<_>>()),
            hits => crate::routes::ser(hits.iter().map(|h| hit_view(h, &st.tz)).collect::<Vec<_>>()),
            summary => crate::routes::ser(summary),
            error => crate::routes::ser(error),
            ..crate::routes::ser(st.page("search", &title))
        },
    )?;
    Ok((status, resp).into_response())
}

#[cfg(test)]
mod tests {
    use super::highlight;

    #[test]
    fn highlight_escapes_and_ignores_bad_ranges() {
        assert_eq!(
            highlight("a <b> c", &[(2, 5)]),
            "a <mark>&lt;b&gt;</mark> c"
        );
        assert_eq!(
            highlight("héllo", &[(2, 3), (0, 1), (4, 99)]),
            "<mark>h</mark>éllo"
        );
        assert_eq!(highlight("<x>", &[]), "&lt;x&gt;");
    }
}
