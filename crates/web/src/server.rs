//! Assembling and running the console.

use crate::data::ConsoleData;
use crate::routes::{AppState, routes};
use crate::security::{Access, guard};
use axum::Router;
use jiff::tz::TimeZone;
use std::future::Future;
use std::sync::Arc;

/// How the console runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Zone for displayed times and date filters (the CLI passes the system zone).
    pub tz: TimeZone,
    /// Token and host policy.
    pub access: Access,
}

/// The console's router: every page, API route and asset behind the security guard.
pub fn router(data: Arc<dyn ConsoleData>, config: Config) -> Router {
    let state = AppState {
        data,
        tz: config.tz,
    };
    routes(state).layer(axum::middleware::from_fn_with_state(
        Arc::new(config.access),
        guard,
    ))
}

/// Serve `app` on `listener` until `shutdown` completes (the CLI passes a future that
/// resolves on SIGINT or SIGTERM); in-flight requests finish first.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}
