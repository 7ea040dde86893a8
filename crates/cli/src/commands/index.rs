//! `convx index`: bring the search index up to date, incrementally, from the agents' logs or
//! from an archive. Also the index location and settings shared by `search` and `stats`.

use crate::cli::SourceArgs;
use crate::exit::CliError;
use crate::output::{print_json, thousands};
use anyhow::Context;
use clap::Args;
use convx_index::config::IndexSettings;
use convx_index::update::{Progress, UpdateOptions, UpdateReport};
use convx_index::{FulltextOptions, Index, IndexConfig, IndexError, IndexReader, ProjectFilter};
use convx_model::Timestamp;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Where the index is (shared by `index`, `search`, `stats`).
#[derive(Debug, Clone, Args, Default)]
pub struct IndexLocation {
    /// Index directory [default: `[index] dir` of the config file, else
    /// $XDG_DATA_HOME/convx/index, i.e. ~/.local/share/convx/index].
    #[arg(
        long = "index",
        value_name = "DIR",
        env = "CONVX_INDEX_DIR",
        hide_env_values = true
    )]
    pub dir: Option<PathBuf>,
}

/// Arguments of `convx index`.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  convx index                          update from every agent's logs (unchanged files are skipped)
  convx index --agent claude --full    re-read all of Claude Code's logs
  convx index --from-archive ~/convx-archive   index a convx archive (a team repo, another machine)
  convx index --status                 what the index holds
  convx index --rebuild                delete the index and build it again

Run it from cron or after `convx backup`; it prints nothing when nothing changed
(unless the output is a terminal).")]
pub struct IndexArgs {
    #[command(flatten)]
    pub location: IndexLocation,
    #[command(flatten)]
    pub source: SourceArgs,
    /// Index the normalized JSON files (`.YYYY-MM-DD-HHMM-*.json`) of the convx archive in
    /// REPO instead of the agents' logs.
    #[arg(long, value_name = "REPO")]
    pub from_archive: Option<PathBuf>,
    /// Re-read every source, even those unchanged since the last run.
    #[arg(long)]
    pub full: bool,
    /// Delete the index and build it again from scratch.
    #[arg(long, conflicts_with = "status")]
    pub rebuild: bool,
    /// Verify every index file (checksums, database integrity) after updating; exit code 1
    /// on a problem (`convx index --rebuild` repairs it).
    #[arg(long)]
    pub check: bool,
    /// Show what the index holds and exit without updating it.
    #[arg(long)]
    pub status: bool,
    /// Exit with code 4 instead of waiting when another convx process is updating the index.
    #[arg(long)]
    pub no_wait: bool,
    /// Print a JSON report.
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors.
    #[arg(short, long, conflicts_with = "json")]
    pub quiet: bool,
}

/// The index settings in force.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The index directory.
    pub dir: PathBuf,
    /// `[index]` and `[pricing]` of the config file.
    pub file: IndexSettings,
}

impl Settings {
    /// The writer configuration.
    pub fn index_config(&self, wait: bool) -> IndexConfig {
        IndexConfig {
            fulltext: FulltextOptions {
                tool_outputs: self.file.index.tool_outputs.unwrap_or(true),
                ..FulltextOptions::default()
            },
            wait_for_lock: wait,
            ..IndexConfig::default()
        }
    }
}

/// `$XDG_CONFIG_HOME/convx/config.toml`.
fn default_config_path() -> Option<PathBuf> {
    use etcetera::BaseStrategy;
    etcetera::choose_base_strategy()
        .ok()
        .map(|s| s.config_dir().join("convx").join("config.toml"))
}

/// Read the config file's `[index]` and `[pricing]` sections and resolve the index directory:
/// `--index` / `CONVX_INDEX_DIR`, else `[index] dir`, else `$XDG_DATA_HOME/convx/index`.
pub fn settings(config: Option<&Path>, location: &IndexLocation) -> anyhow::Result<Settings> {
    let (path, explicit) = match config {
        Some(p) => (Some(p.to_path_buf()), true),
        None => (default_config_path(), false),
    };
    let file = match &path {
        None => IndexSettings::default(),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => IndexSettings::from_config_toml(&text)
                .map_err(|e| CliError::Config(format!("{}: {e}", p.display())))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !explicit => {
                IndexSettings::default()
            }
            Err(e) => {
                return Err(CliError::Config(format!(
                    "cannot read config file {}: {e}",
                    p.display()
                ))
                .into());
            }
        },
    };
    let dir = match location.dir.clone().or_else(|| file.index.dir.clone()) {
        Some(d) => expand_home(&d),
        None => {
            use etcetera::BaseStrategy;
            etcetera::choose_base_strategy()
                .context("cannot determine the data directory (set HOME or use --index DIR)")?
                .data_dir()
                .join("convx")
                .join("index")
        }
    };
    Ok(Settings { dir, file })
}

fn expand_home(p: &Path) -> PathBuf {
    match (p.strip_prefix("~"), etcetera::home_dir()) {
        (Ok(rest), Ok(home)) => home.join(rest),
        _ => p.to_path_buf(),
    }
}

/// Map index errors to exit codes.
pub fn index_error(e: IndexError) -> anyhow::Error {
    match e {
        IndexError::Missing(_) => CliError::NotFound(e.to_string()).into(),
        IndexError::Locked(_) => {
            CliError::Locked(format!("{e} (try again later, or drop --no-wait)")).into()
        }
        IndexError::Query(_) => CliError::Usage(e.to_string()).into(),
        IndexError::Config(_) | IndexError::Pricing(_) => CliError::Config(e.to_string()).into(),
        other => anyhow::Error::new(other),
    }
}

/// Open the index for writing, telling the user when it waits for another process.
pub fn open_writer(settings: &Settings, no_wait: bool, quiet: bool) -> anyhow::Result<Index> {
    match Index::open(&settings.dir, settings.index_config(false)) {
        Err(IndexError::Locked(_)) if !no_wait => {
            if !quiet {
                eprintln!("convx: waiting for another convx process to finish updating the index…");
            }
            Index::open(&settings.dir, settings.index_config(true)).map_err(index_error)
        }
        other => other.map_err(index_error),
    }
}

/// Open the index for reading. A database from an older convx, an interrupted update or a
/// missing / damaged full-text index is repaired first when no other process is writing.
pub fn open_reader(settings: &Settings, need_fulltext: bool) -> anyhow::Result<IndexReader> {
    let reader = match IndexReader::open(&settings.dir) {
        Ok(r) => r,
        Err(IndexError::NeedsUpgrade(_)) => {
            drop(open_writer(settings, false, false)?);
            IndexReader::open(&settings.dir).map_err(index_error)?
        }
        Err(e) => return Err(index_error(e)),
    };
    let broken = need_fulltext
        && (reader.fulltext_problem().is_some() || reader.pending().map_err(index_error)? > 0);
    if !broken {
        return Ok(reader);
    }
    drop(reader);
    match Index::open(&settings.dir, settings.index_config(false)) {
        Ok(index) => {
            for r in index.repairs() {
                eprintln!(
                    "convx: repaired the full-text index: {}",
                    describe_repair(r)
                );
            }
        }
        Err(IndexError::Locked(_)) => {
            eprintln!(
                "convx: warning: the index is being updated by another process; results may be incomplete"
            )
        }
        Err(e) => return Err(index_error(e)),
    }
    IndexReader::open(&settings.dir).map_err(index_error)
}

fn describe_repair(r: &convx_index::Repair) -> String {
    match r {
        convx_index::Repair::Rebuilt { reason, sessions } => {
            format!(
                "rebuilt from the database ({reason}), {} sessions",
                thousands(*sessions)
            )
        }
        convx_index::Repair::Resynced { sessions } => {
            format!(
                "completed an interrupted update ({} sessions)",
                thousands(*sessions)
            )
        }
    }
}

/// Parse `--until`: like `--since`, but a bare date means the end of that day.
pub fn parse_until(s: &str) -> Result<Timestamp, String> {
    if let Ok(d) = s.trim().parse::<jiff::civil::Date>() {
        let next = d.tomorrow().map_err(|e| e.to_string())?;
        return next
            .to_zoned(jiff::tz::TimeZone::system())
            .map(|z| z.timestamp())
            .map_err(|e| e.to_string());
    }
    crate::cli::parse_since(s)
}

/// `--project`: a path (contains a separator, or is `.`, `..`, `~...`) made absolute, or a name.
pub fn project_filter(value: &str) -> anyhow::Result<ProjectFilter> {
    let looks_like_path =
        value.contains(['/', '\\']) || value == "." || value == ".." || value.starts_with('~');
    if !looks_like_path {
        return Ok(ProjectFilter::Name(value.to_string()));
    }
    let p = expand_home(Path::new(value));
    let abs =
        std::path::absolute(&p).with_context(|| format!("cannot resolve --project {value}"))?;
    // `a/./b/..` → `a`
    let mut clean = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                clean.pop();
            }
            std::path::Component::CurDir => {}
            other => clean.push(other),
        }
    }
    Ok(ProjectFilter::Path(clean.display().to_string()))
}

/// Run `convx index`.
pub fn run(args: IndexArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let settings = settings(globals.config.as_deref(), &args.location)?;
    if args.status {
        let reader = IndexReader::open(&settings.dir).map_err(index_error)?;
        let status = reader.status().map_err(index_error)?;
        if args.json {
            print_json(&status)?;
        } else {
            print_status(&status, &mut std::io::stdout().lock())?;
        }
        return Ok(crate::exit::OK);
    }
    if args.rebuild {
        remove_index(&settings.dir)?;
    }
    let started = Instant::now();
    let mut index = open_writer(&settings, args.no_wait, args.quiet)?;
    let interactive = std::io::stderr().is_terminal() && !args.quiet && !args.json;
    let bar = interactive.then(|| {
        let b = indicatif::ProgressBar::new(0);
        b.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} indexing {bytes}/{total_bytes} {wide_bar} {msg}",
            )
            .expect("valid template"),
        );
        b
    });
    let mut progress = |p: Progress| {
        if let Some(b) = &bar {
            match p {
                Progress::Planned { bytes, .. } => b.set_length(bytes),
                Progress::Batch {
                    bytes, sessions, ..
                } => {
                    b.set_position(bytes);
                    b.set_message(format!("{} sessions", thousands(sessions)));
                }
            }
        }
    };
    let opts = UpdateOptions {
        full: args.full || args.rebuild,
        ..UpdateOptions::default()
    };
    let redactor = crate::config::load_redactor(globals)?;
    let report = match &args.from_archive {
        Some(repo) => {
            if !repo.is_dir() {
                return Err(CliError::NotFound(format!("no archive at {}", repo.display())).into());
            }
            convx_index::update::archive::update_from_archive(
                &mut index,
                repo,
                &redactor,
                &opts,
                &mut progress,
            )
        }
        None => {
            let req = super::load_request(&args.source, true)?;
            convx_index::update::update_from_sources(
                &mut index,
                &req,
                &redactor,
                &opts,
                &mut progress,
            )
        }
    }
    .map_err(index_error)?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let problems = if args.check {
        index.check().map_err(index_error)?
    } else {
        Vec::new()
    };
    drop(index);
    let elapsed = started.elapsed();
    if args.json {
        print_json(&serde_json::json!({
            "index": settings.dir,
            "report": report,
            "problems": problems,
            "seconds": elapsed.as_secs_f64(),
        }))?;
    } else if !args.quiet {
        let out = &mut std::io::stderr().lock();
        print_report(
            &report,
            &settings.dir,
            elapsed.as_secs_f64(),
            interactive,
            out,
        )?;
        for p in &problems {
            writeln!(
                out,
                "convx: index problem: {p} (run `convx index --rebuild`)"
            )?;
        }
    }
    Ok(if problems.is_empty() {
        crate::exit::OK
    } else {
        crate::exit::FINDINGS
    })
}

fn remove_index(dir: &Path) -> anyhow::Result<()> {
    let db = convx_index::paths::DATABASE;
    for name in [db.to_string(), format!("{db}-wal"), format!("{db}-shm")] {
        let p = dir.join(name);
        if p.exists() {
            std::fs::remove_file(&p).with_context(|| format!("cannot remove {}", p.display()))?;
        }
    }
    let ft = dir.join(convx_index::paths::FULLTEXT);
    if ft.exists() {
        std::fs::remove_dir_all(&ft).with_context(|| format!("cannot remove {}", ft.display()))?;
    }
    Ok(())
}

fn print_report(
    r: &UpdateReport,
    dir: &Path,
    secs: f64,
    interactive: bool,
    out: &mut impl Write,
) -> std::io::Result<()> {
    for repair in &r.repairs {
        writeln!(
            out,
            "convx: repaired the full-text index: {}",
            describe_repair(repair)
        )?;
    }
    if !r.failed.is_empty() {
        writeln!(
            out,
            "convx: warning: {} source(s) could not be read (retried next run):",
            r.failed.len()
        )?;
        for f in r.failed.iter().take(10) {
            writeln!(out, "  {f}")?;
        }
    }
    if r.changed == 0 {
        if interactive {
            writeln!(
                out,
                "index is up to date ({} sources unchanged) in {}",
                thousands(r.sources),
                dir.display()
            )?;
        }
        return Ok(());
    }
    write!(
        out,
        "indexed {} sessions ({} events) from {} changed source(s), {}, in {secs:.1}s; {} unchanged",
        thousands(r.sessions_written),
        thousands(r.events),
        thousands(r.changed),
        human_bytes(r.bytes_read),
        thousands(r.unchanged),
    )?;
    if r.sessions_kept > 0 {
        write!(
            out,
            "; {} kept (fuller copy already indexed)",
            thousands(r.sessions_kept)
        )?;
    }
    if r.warnings > 0 {
        write!(
            out,
            "; {} records skipped (`convx doctor` lists them)",
            thousands(r.warnings)
        )?;
    }
    writeln!(out, "; index: {}", dir.display())
}

fn human_bytes(b: u64) -> String {
    match b {
        0..1_000 => format!("{b} B"),
        1_000..1_000_000 => format!("{:.1} KB", b as f64 / 1e3),
        1_000_000..1_000_000_000 => format!("{:.1} MB", b as f64 / 1e6),
        _ => format!("{:.2} GB", b as f64 / 1e9),
    }
}

fn print_status(s: &convx_index::IndexStatus, out: &mut impl Write) -> std::io::Result<()> {
    let mb = human_bytes;
    writeln!(out, "index      {}", s.dir.display())?;
    writeln!(out, "sessions   {}", thousands(s.sessions))?;
    writeln!(
        out,
        "events     {} ({} searchable)",
        thousands(s.events),
        thousands(s.documents)
    )?;
    writeln!(
        out,
        "calls      {} counted ({} records)",
        thousands(s.counted_calls),
        thousands(s.usage_rows)
    )?;
    writeln!(out, "sources    {}", thousands(s.sources))?;
    writeln!(
        out,
        "size       {} database, {} full text",
        mb(s.database_bytes),
        mb(s.fulltext_bytes)
    )?;
    writeln!(
        out,
        "schema     v{}, generation {}",
        s.schema_version, s.generation
    )?;
    if s.pending > 0 {
        writeln!(
            out,
            "pending    {} sessions not yet searchable (the next `convx index` completes them)",
            s.pending
        )?;
    }
    if let Some(p) = &s.fulltext_problem {
        writeln!(
            out,
            "PROBLEM    full-text index unreadable: {p} (the next `convx index` rebuilds it)"
        )?;
    }
    Ok(())
}
