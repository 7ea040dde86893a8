//! `convx serve`: the review console in the browser.
//!
//! The console reads the search index (`convx_web::index_data::IndexData`). At start-up the
//! index is brought up to date from the agents' logs exactly as `convx index` does
//! (incremental, with the configured redactor) unless `--no-update` is given.

use crate::cli::SourceArgs;
use crate::exit::CliError;
use anyhow::Context;
use clap::Args;
use convx_index::pricing::PriceTable;
use convx_web::index_data::IndexData;
use convx_web::security::{self, Access};
use convx_web::server;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Instant;

/// Arguments of `convx serve`.
#[derive(Debug, Args)]
#[command(after_help = "\
The console listens on 127.0.0.1 only. To reach it from another machine, pass both --bind \
and --token: every request then needs the token (the printed URL carries it once and sets a \
cookie; scripts send `Authorization: Bearer TOKEN`). Nothing in the console modifies \
anything: it only answers GET and HEAD.

Examples:
  convx serve --open                 open the console in your browser
  convx serve --port 0               any free port; the URL is printed
  convx serve --since 30d            only the last 30 days
  convx serve --bind 0.0.0.0 --token auto --allow-host devbox.lan")]
pub struct ServeArgs {
    #[command(flatten)]
    pub location: super::index::IndexLocation,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Serve the index as it is: do not update it from the agents' logs first.
    #[arg(long)]
    pub no_update: bool,

    /// Port to listen on; 0 picks a free one (the URL is printed either way).
    #[arg(long, default_value_t = 7420, value_name = "N")]
    pub port: u16,

    /// Open the console in the default browser once it is listening.
    #[arg(long)]
    pub open: bool,

    /// Listen on ADDR instead of 127.0.0.1. A non-loopback address also requires --token.
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<IpAddr>,

    /// Require TOKEN on every request (at least 16 characters); `auto` generates one.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "CONVX_SERVE_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// With --token: also accept requests addressed to this host name (e.g. the machine's
    /// name on the LAN). Repeatable. IP addresses and localhost are always accepted.
    #[arg(long = "allow-host", value_name = "NAME", requires = "token")]
    pub allow_hosts: Vec<String>,
}

/// Run `convx serve`.
pub fn run(args: ServeArgs, globals: &crate::config::Globals) -> anyhow::Result<i32> {
    let redactor = crate::config::load_redactor(globals)?;
    let addr = args.bind.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
    let token = match args.token.as_deref() {
        Some("auto") => Some(security::generate_token()),
        other => other.map(str::to_string),
    };
    security::check_bind(addr, args.bind.is_some(), token.as_deref())
        .map_err(|e| CliError::Usage(e.to_string()))?;
    // Bind before the (possibly long) load, so a busy port fails at once.
    let listener = std::net::TcpListener::bind(SocketAddr::new(addr, args.port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            anyhow::Error::from(CliError::Usage(format!(
                "port {} is already in use (another convx serve?): choose one with --port N, or --port 0 for any free port",
                args.port
            )))
        } else {
            anyhow::Error::from(e).context(format!("cannot listen on {addr}:{}", args.port))
        }
    })?;
    listener.set_nonblocking(true)?;
    let port = listener.local_addr()?.port();

    let settings = super::index::settings(globals.config.as_deref(), &args.location)?;
    if !args.no_update {
        let started = Instant::now();
        update(&args.source, &settings, &redactor)?;
        eprintln!(
            "convx: index {} up to date in {:.1} s",
            settings.dir.display(),
            started.elapsed().as_secs_f64()
        );
    }
    let prices = PriceTable::builtin()
        .with_overrides(&settings.file.pricing)
        .map_err(|e| CliError::Config(e.to_string()))?;
    let reader = super::index::open_reader(&settings, false)?;
    let data = IndexData::new(reader, prices, jiff::tz::TimeZone::system());

    let tz = jiff::tz::TimeZone::system();
    let access = Access {
        token: token.clone(),
        extra_hosts: args.allow_hosts.clone(),
        port,
    };
    let app = server::router(Arc::new(data), server::Config { tz, access });
    let host = match addr {
        IpAddr::V4(v4) if v4.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V6(v6) if v6.is_unspecified() => "[::1]".to_string(),
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    let url = match &token {
        Some(t) => format!("http://{host}:{port}/?token={t}"),
        None => format!("http://{host}:{port}/"),
    };
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "convx console: {url}")?;
        out.flush()?;
    }
    eprintln!("convx: press Ctrl-C to stop");
    if args.open {
        open_browser(&url);
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        server::serve(listener, app, shutdown_signal()).await
    })
    .context("the console stopped with an error")?;
    eprintln!("convx: console stopped");
    Ok(crate::exit::OK)
}

/// Bring the index up to date from the agents' logs (the code path of `convx index`).
fn update(
    source: &SourceArgs,
    settings: &super::index::Settings,
    redactor: &convx_core::redact::Redactor,
) -> anyhow::Result<()> {
    let mut index = super::index::open_writer(settings, false, false)?;
    let req = super::load_request(source, true)?;
    convx_index::update::update_from_sources(
        &mut index,
        &req,
        redactor,
        &convx_index::update::UpdateOptions::default(),
        &mut |_| {},
    )
    .map_err(super::index::index_error)?;
    Ok(())
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM. A server started in the background by a
/// non-interactive shell ignores SIGINT, so SIGTERM matters.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await;
}

/// Best effort: a failure is a note, the console keeps running.
fn open_browser(url: &str) {
    let mut cmd = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    cmd.arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    if let Err(e) = cmd.spawn() {
        eprintln!("convx: could not open a browser ({e}); open {url} yourself");
    }
}
