//! `convx stats`: tokens and cost per day, week, month, session, project, model and agent.

use super::index::{
    IndexLocation, index_error, open_reader, parse_until, project_filter, settings,
};
use crate::cli::parse_since;
use crate::exit::CliError;
use crate::output::{Table, print_json, thousands};
use clap::{Args, ValueEnum};
use convx_index::Filter;
use convx_index::pricing::{PriceSource, PriceTable};
use convx_index::stats::{GroupBy, StatsReport, StatsRequest, StatsRow, StatsSort};
use convx_model::{Agent, Timestamp, truncate_chars};
use std::io::Write;
use std::path::Path;

/// Row order of `convx stats`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    /// By group (time ascending, sessions by start).
    Key,
    /// Most tokens first.
    Tokens,
    /// Highest cost first.
    Cost,
}

/// Arguments of `convx stats`.
#[derive(Debug, Args)]
#[command(
    after_help = "Each model call is counted once, even when it appears in several files (forks,
sub-agents, streamed replies, re-emitted usage). Costs use the embedded price table (see
--prices) and your overrides under [pricing] in the config file; tokens of models without a
price are never counted as $0: their rows are marked with * and the models are listed.

Examples:
  convx stats                                  totals
  convx stats --by day --since 30d
  convx stats --by month --by model --csv > usage.csv
  convx stats --by project --agent claude --sort cost
  convx stats --by week --timezone UTC --markdown
  convx stats --prices"
)]
pub struct StatsArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    /// Group by (repeatable, in column order): day, week, month, session, project, model,
    /// agent.
    #[arg(long = "by", value_name = "DIM", value_delimiter = ',')]
    pub by: Vec<GroupBy>,
    /// Only calls at or after DATE (2026-01-31, RFC 3339, or 7d / 12h / 2w).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<Timestamp>,
    /// Only calls before DATE (a bare date includes that day).
    #[arg(long, value_name = "DATE", value_parser = parse_until)]
    pub until: Option<Timestamp>,
    /// Only these agents (repeatable).
    #[arg(long = "agent", value_name = "NAME")]
    pub agents: Vec<Agent>,
    /// Only sessions run in PATH (or below it), or in a directory named NAME (or below one).
    #[arg(long, value_name = "PATH|NAME")]
    pub project: Option<String>,
    /// Time zone of days, weeks and months: an IANA name (Europe/Paris), UTC, or local.
    #[arg(long, value_name = "TZ", default_value = "local")]
    pub timezone: String,
    /// Row order.
    #[arg(long, value_enum, default_value_t = SortArg::Key)]
    pub sort: SortArg,
    /// Print JSON.
    #[arg(long, group = "format")]
    pub json: bool,
    /// Print CSV.
    #[arg(long, group = "format")]
    pub csv: bool,
    /// Print a Markdown table.
    #[arg(long, group = "format")]
    pub markdown: bool,
    /// Show the price table and its date instead.
    #[arg(long)]
    pub prices: bool,
}

fn timezone(name: &str) -> anyhow::Result<jiff::tz::TimeZone> {
    match name.to_ascii_lowercase().as_str() {
        "local" | "system" => Ok(jiff::tz::TimeZone::system()),
        "utc" | "z" => Ok(jiff::tz::TimeZone::UTC),
        _ => jiff::tz::TimeZone::get(name)
            .map_err(|e| CliError::Usage(format!("unknown time zone `{name}`: {e}")).into()),
    }
}

/// Run `convx stats`.
pub fn run(args: StatsArgs, config: Option<&Path>) -> anyhow::Result<i32> {
    let settings = settings(config, &args.location)?;
    let prices = PriceTable::builtin()
        .with_overrides(&settings.file.pricing)
        .map_err(|e| CliError::Config(e.to_string()))?;
    if args.prices {
        return print_prices(&prices, args.json);
    }
    let tz = timezone(&args.timezone)?;
    let reader = open_reader(&settings, false)?;
    let req = StatsRequest {
        filter: Filter {
            agents: args.agents.clone(),
            project: args.project.as_deref().map(project_filter).transpose()?,
            since: args.since,
            until: args.until,
            ..Filter::default()
        },
        group_by: dedup(&args.by),
        timezone: tz,
        sort: match args.sort {
            SortArg::Key => StatsSort::Key,
            SortArg::Tokens => StatsSort::Tokens,
            SortArg::Cost => StatsSort::Cost,
        },
    };
    let mut report = reader.stats(&req, &prices).map_err(index_error)?;
    if args.timezone.eq_ignore_ascii_case("local") && report.timezone == "local" {
        report.timezone = "local".into();
    }
    let home = etcetera::home_dir().ok().map(|h| h.display().to_string());
    let mut out = std::io::stdout().lock();
    if args.json {
        print_json(&report)?;
    } else if args.csv {
        write_csv(&report, &mut out)?;
    } else {
        let md = args.markdown;
        write_table(&report, home.as_deref(), md, &mut out)?;
        write_notes(&report, md, &mut out)?;
    }
    Ok(crate::exit::OK)
}

fn dedup(by: &[GroupBy]) -> Vec<GroupBy> {
    let mut v: Vec<GroupBy> = Vec::new();
    for g in by {
        if !v.contains(g) {
            v.push(*g);
        }
    }
    v
}

/// `$12.34`, with a `*` when some tokens of the row have no price.
pub fn cost_cell(r: &StatsRow) -> String {
    if r.total > 0 && r.unpriced_tokens == r.total {
        return "?".into();
    }
    let c = usd(r.cost_usd);
    if r.fully_priced() { c } else { format!("{c}*") }
}

/// `$1,234`, `$12.34`, `$0.0312`: small amounts keep four decimals.
pub fn usd(v: f64) -> String {
    if v >= 1000.0 {
        format!("${}", thousands(v.round() as u64))
    } else if v >= 1.0 || v == 0.0 {
        format!("${v:.2}")
    } else {
        format!("${v:.4}")
    }
}

fn label(g: GroupBy, key: &str, home: Option<&str>) -> String {
    match (g, home) {
        (GroupBy::Project, Some(h))
            if !h.is_empty() && (key == h || key.starts_with(&format!("{h}/"))) =>
        {
            format!("~{}", &key[h.len()..])
        }
        _ => key.to_string(),
    }
}

fn header(report: &StatsReport) -> Vec<String> {
    let mut h: Vec<String> = report
        .group_by
        .iter()
        .map(|g| g.name().to_uppercase())
        .collect();
    if report.group_by.contains(&GroupBy::Session) {
        h.push("TITLE".into());
    }
    for c in [
        ">SESSIONS",
        ">CALLS",
        ">INPUT",
        ">CACHE_CREATION",
        ">CACHE_READ",
        ">OUTPUT",
        ">REASONING",
        ">TOTAL",
        ">COST_USD",
    ] {
        h.push(c.into());
    }
    if report.total.recorded_cost_usd.is_some() {
        h.push(">RECORDED_USD".into());
    }
    h
}

fn cells(report: &StatsReport, r: &StatsRow, keys: Vec<String>) -> Vec<String> {
    let mut c = keys;
    if report.group_by.contains(&GroupBy::Session) {
        c.push(truncate_chars(
            &r.title
                .clone()
                .unwrap_or_default()
                .replace(['\n', '\t', '|'], " "),
            40,
        ));
    }
    for n in [
        r.sessions,
        r.calls,
        r.input,
        r.cache_creation,
        r.cache_read,
        r.output,
        r.reasoning,
        r.total,
    ] {
        c.push(thousands(n));
    }
    c.push(cost_cell(r));
    if report.total.recorded_cost_usd.is_some() {
        c.push(r.recorded_cost_usd.map_or_else(|| "-".into(), usd));
    }
    c
}

fn write_table(
    report: &StatsReport,
    home: Option<&str>,
    markdown: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    if report.rows.is_empty() {
        return writeln!(
            out,
            "no model calls in the index for these filters (run `convx index` to update it)"
        );
    }
    let head = header(report);
    let mut rows: Vec<Vec<String>> = report
        .rows
        .iter()
        .map(|r| {
            let keys = report
                .group_by
                .iter()
                .zip(&r.keys)
                .map(|(g, k)| label(*g, k, home))
                .collect();
            cells(report, r, keys)
        })
        .collect();
    if !report.group_by.is_empty() {
        let mut keys = vec![String::new(); report.group_by.len()];
        keys[0] = "TOTAL".into();
        rows.push(cells(report, &report.total, keys));
    }
    if markdown {
        let names: Vec<&str> = head.iter().map(|h| h.trim_start_matches('>')).collect();
        writeln!(out, "| {} |", names.join(" | "))?;
        let align: Vec<&str> = head
            .iter()
            .map(|h| if h.starts_with('>') { "---:" } else { "---" })
            .collect();
        writeln!(out, "| {} |", align.join(" | "))?;
        let n = rows.len();
        for (i, r) in rows.iter().enumerate() {
            let total = i + 1 == n && !report.group_by.is_empty();
            let cells: Vec<String> = r
                .iter()
                .map(|c| {
                    let c = c.replace('|', "\\|").replace('*', "\\*");
                    if total && !c.is_empty() {
                        format!("**{c}**")
                    } else {
                        c
                    }
                })
                .collect();
            writeln!(out, "| {} |", cells.join(" | "))?;
        }
        return Ok(());
    }
    let head_refs: Vec<&str> = head.iter().map(String::as_str).collect();
    let mut t = Table::new(&head_refs);
    for r in rows {
        t.row(r);
    }
    t.write(out)
}

fn write_notes(report: &StatsReport, markdown: bool, out: &mut impl Write) -> std::io::Result<()> {
    let mut notes: Vec<String> = Vec::new();
    if report
        .group_by
        .iter()
        .any(|g| matches!(g, GroupBy::Day | GroupBy::Week | GroupBy::Month))
    {
        notes.push(format!("Times in time zone {}.", report.timezone));
    }
    if !report.unpriced_models.is_empty() {
        let list: Vec<String> = report
            .unpriced_models
            .iter()
            .map(|m| {
                let calls = if m.calls == 1 { "call" } else { "calls" };
                format!(
                    "{} ({} tokens, {} {calls})",
                    m.model,
                    thousands(m.tokens),
                    thousands(m.calls)
                )
            })
            .collect();
        notes.push(format!(
            "* Cost excludes {} tokens of models without a price: {}. Set their prices under \
             [pricing.models.\"NAME\"] in the config file.",
            thousands(report.total.unpriced_tokens),
            list.join(", ")
        ));
    }
    notes.push(format!(
        "Prices as of {} (`convx stats --prices`).",
        report.prices_date
    ));
    writeln!(out)?;
    for n in notes {
        if markdown {
            writeln!(out, "> {}", n.replace('*', "\\*"))?;
        } else {
            writeln!(out, "{n}")?;
        }
    }
    Ok(())
}

fn write_csv(report: &StatsReport, out: &mut impl Write) -> std::io::Result<()> {
    let mut head: Vec<String> = report
        .group_by
        .iter()
        .map(|g| g.name().to_string())
        .collect();
    if report.group_by.contains(&GroupBy::Session) {
        head.push("title".into());
    }
    head.extend(
        [
            "sessions",
            "calls",
            "input",
            "cache_creation",
            "cache_read",
            "output",
            "reasoning",
            "total",
            "cost_usd",
            "unpriced_tokens",
            "recorded_cost_usd",
        ]
        .map(String::from),
    );
    writeln!(out, "{}", head.join(","))?;
    for r in &report.rows {
        let mut c: Vec<String> = r.keys.iter().map(|k| csv_field(k)).collect();
        if report.group_by.contains(&GroupBy::Session) {
            c.push(csv_field(r.title.as_deref().unwrap_or_default()));
        }
        for n in [
            r.sessions,
            r.calls,
            r.input,
            r.cache_creation,
            r.cache_read,
            r.output,
            r.reasoning,
            r.total,
        ] {
            c.push(n.to_string());
        }
        c.push(format!("{:.6}", r.cost_usd));
        c.push(r.unpriced_tokens.to_string());
        c.push(
            r.recorded_cost_usd
                .map(|v| format!("{v:.6}"))
                .unwrap_or_default(),
        );
        writeln!(out, "{}", c.join(","))?;
    }
    Ok(())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn print_prices(prices: &PriceTable, json: bool) -> anyhow::Result<i32> {
    if json {
        print_json(
            &serde_json::json!({ "date": prices.date(), "unit": "USD per million tokens", "models": prices.models() }),
        )?;
        return Ok(crate::exit::OK);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Prices in USD per million tokens, list prices as of {}.",
        prices.date()
    )?;
    writeln!(
        out,
        "Dated snapshots and provider prefixes resolve to these names.\n"
    )?;
    let mut t = Table::new(&[
        "MODEL",
        "PROVIDER",
        ">INPUT",
        ">CACHE_WRITE",
        ">CACHE_READ",
        ">OUTPUT",
        "NOTE",
    ]);
    let p = |v: f64| {
        format!("{v:.3}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    };
    let mut configured = false;
    for m in prices.models() {
        let mut note = Vec::new();
        if m.source == PriceSource::Config {
            note.push("from config".to_string());
            configured = true;
        }
        if let Some(c) = &m.checked {
            note.push(format!("checked {c}"));
        }
        for (until, h) in &m.history {
            note.push(format!("before {until}: {}/{}", p(h.input), p(h.output)));
        }
        if !m.aliases.is_empty() {
            note.push(format!("also {}", m.aliases.join(", ")));
        }
        t.row(vec![
            m.id.clone(),
            m.provider.clone(),
            p(m.price.input),
            p(m.price.cache_write),
            p(m.price.cache_read),
            p(m.price.output),
            note.join("; "),
        ]);
    }
    t.write(&mut out)?;
    if !configured {
        writeln!(
            out,
            "\nAdd or change prices under [pricing.models.\"NAME\"] in the config file."
        )?;
    }
    Ok(crate::exit::OK)
}
