//! The Usage page: tokens and cost per period, model, project and agent, as SVG charts and
//! tables with the exact numbers of `convx stats`.

use super::params::{day_value, encode};
use super::{AppState, Failure, Opt, Q, agent_options, page};
use crate::charts::{TOKEN_PARTS, bars, hbars, stacked_tokens};
use crate::data::{UsageDim, UsageQuery, UsageReport, UsageRow};
use crate::format::{self, compact, thousands};
use axum::extract::State;
use axum::response::Response;
use convx_model::{Agent, Usage};
use serde::Serialize;

/// Most bars in a period chart before switching to a coarser period.
const MAX_BARS: usize = 120;

#[derive(Serialize)]
struct TableRow {
    label: String,
    href: Option<String>,
    cells: Vec<String>,
}

#[derive(Serialize)]
struct Group {
    name: &'static str,
    chart: String,
    rows: Vec<TableRow>,
}

#[derive(Serialize)]
struct Total {
    label: &'static str,
    value: String,
}

fn cells(r: &UsageRow) -> Vec<String> {
    let u = &r.usage;
    vec![
        thousands(r.calls),
        thousands(u.input),
        thousands(u.cache_creation),
        thousands(u.cache_read),
        thousands(u.output),
        thousands(u.reasoning),
        thousands(u.total()),
        format::cost(r.cost_usd, r.unpriced_tokens),
    ]
}

/// Fill the days without usage between the first and the last day with zero rows.
fn fill_days(rows: &[UsageRow]) -> Vec<(String, UsageRow)> {
    let parsed: Vec<(jiff::civil::Date, &UsageRow)> = rows
        .iter()
        .filter_map(|r| r.key.first()?.parse().ok().map(|d| (d, r)))
        .collect();
    let (Some(first), Some(last)) = (parsed.first(), parsed.last()) else {
        return rows.iter().map(|r| (r.key.join(" "), r.clone())).collect();
    };
    let mut out = Vec::new();
    let mut day = first.0;
    let mut it = parsed.iter().peekable();
    while day <= last.0 {
        let row = match it.peek() {
            Some((d, r)) if *d == day => {
                it.next();
                (*r).clone()
            }
            _ => UsageRow::default(),
        };
        out.push((day.to_string(), row));
        match day.tomorrow() {
            Ok(d) => day = d,
            Err(_) => break,
        }
    }
    out
}

/// `GET /usage`.
pub async fn usage_page(State(st): State<AppState>, Q(q): Q) -> Result<Response, Failure> {
    let base = q.usage_query(&st.tz)?;
    let b = base.clone();
    let (period, per_period, by_model, by_project, by_agent, facets) = st
        .call(move |d| {
            let with = |dim| UsageQuery {
                by: vec![dim],
                ..b.clone()
            };
            // The finest period that fits in MAX_BARS bars.
            let mut period = ("day", d.usage(&with(UsageDim::Day))?);
            let days = period
                .1
                .rows
                .first()
                .zip(period.1.rows.last())
                .and_then(|(a, z)| {
                    let a: jiff::civil::Date = a.key.first()?.parse().ok()?;
                    let z: jiff::civil::Date = z.key.first()?.parse().ok()?;
                    Some((z - a).get_days() as usize + 1)
                });
            if days.unwrap_or(0) > MAX_BARS {
                period = ("week", d.usage(&with(UsageDim::Week))?);
                if period.1.rows.len() > MAX_BARS {
                    period = ("month", d.usage(&with(UsageDim::Month))?);
                }
            }
            Ok((
                period.0,
                period.1,
                d.usage(&with(UsageDim::Model))?,
                d.usage(&with(UsageDim::Project))?,
                d.usage(&with(UsageDim::Agent))?,
                d.facets()?,
            ))
        })
        .await?;
    let series: Vec<(String, UsageRow)> = if period == "day" {
        fill_days(&per_period.rows)
    } else {
        per_period
            .rows
            .iter()
            .map(|r| (r.key.join(" "), r.clone()))
            .collect()
    };
    let labels: Vec<String> = series.iter().map(|(l, _)| l.clone()).collect();
    let usages: Vec<Usage> = series.iter().map(|(_, r)| r.usage).collect();
    let costs: Vec<f64> = series.iter().map(|(_, r)| r.cost_usd).collect();
    let t = &per_period.totals;
    let totals = vec![
        Total {
            label: "tokens",
            value: compact(t.usage.total()),
        },
        Total {
            label: "input (uncached)",
            value: compact(t.usage.input),
        },
        Total {
            label: "cache write",
            value: compact(t.usage.cache_creation),
        },
        Total {
            label: "cache read",
            value: compact(t.usage.cache_read),
        },
        Total {
            label: "output",
            value: compact(t.usage.output),
        },
        Total {
            label: "model calls",
            value: thousands(t.calls),
        },
        Total {
            label: "cost (USD)",
            value: format::cost(t.cost_usd, t.unpriced_tokens),
        },
    ];
    let mut unpriced: Vec<String> = Vec::new();
    for r in [&per_period, &by_model, &by_project, &by_agent] {
        for m in &r.unpriced_models {
            if !unpriced.contains(m) {
                unpriced.push(m.clone());
            }
        }
    }
    let groups = vec![
        group("model", &by_model, |_| None),
        group("project", &by_project, |k| {
            (k != "-").then(|| format!("/?project={}", encode(k)))
        }),
        group("agent", &by_agent, |k| {
            k.parse::<Agent>()
                .ok()
                .map(|a| format!("/?agent={}", a.slug()))
        }),
    ];
    let (since, until) = (base.since, base.until);
    page(
        "usage.html",
        minijinja::context! {
            f => minijinja::context! {
                agent => crate::routes::ser(q.text("agent")), project => crate::routes::ser(q.text("project")),
                since => crate::routes::ser(day_value(since, &st.tz, false)), until => crate::routes::ser(day_value(until, &st.tz, true))
        },
            agents => crate::routes::ser(agent_options(&facets.agents)),
            projects => crate::routes::ser(facets.projects.iter().map(|p| Opt::same(p)).collect::<Vec<_>>()),
            totals => crate::routes::ser(totals),
            unpriced => crate::routes::ser(unpriced),
            prices_as_of => crate::routes::ser(per_period.prices_as_of.clone()),
            legend => crate::routes::ser(TOKEN_PARTS.iter().map(|(l, c)| minijinja::context! { label => *l, class => *c }).collect::<Vec<_>>()),
            period => crate::routes::ser(period),
            tokens_chart => crate::routes::ser(stacked_tokens(&format!("tokens per {period}"), &labels, &usages)),
            cost_chart => crate::routes::ser(bars(&format!("cost per {period}"), &labels, &costs, &|v| format!("${v:.2}"))),
            groups => crate::routes::ser(groups),
            period_rows => crate::routes::ser(series.iter().rev().map(|(l, r)| TableRow { label: l.clone(), href: None, cells: cells(r) }).collect::<Vec<_>>()),
            ..crate::routes::ser(st.page("usage", "Usage"))
        },
    )
}

fn group(name: &'static str, report: &UsageReport, href: impl Fn(&str) -> Option<String>) -> Group {
    let mut rows: Vec<&UsageRow> = report.rows.iter().collect();
    rows.sort_by(|a, b| {
        b.usage
            .total()
            .cmp(&a.usage.total())
            .then_with(|| a.key.cmp(&b.key))
    });
    let labels: Vec<String> = rows.iter().map(|r| r.key.join(" ")).collect();
    let usages: Vec<Usage> = rows.iter().map(|r| r.usage).collect();
    let notes: Vec<String> = rows
        .iter()
        .map(|r| format!("· {}", format::cost(r.cost_usd, r.unpriced_tokens)))
        .collect();
    Group {
        name,
        chart: hbars(&format!("tokens by {name}"), &labels, &usages, &notes),
        rows: rows
            .iter()
            .zip(&labels)
            .map(|(r, l)| TableRow {
                label: l.clone(),
                href: href(l),
                cells: cells(r),
            })
            .collect(),
    }
}
