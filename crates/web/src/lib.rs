//! # convx-web
//!
//! The review console behind `convx serve`, and the static HTML export behind
//! `convx export-html`.
//!
//! * [`data`]: the [`ConsoleData`] trait, the only way the console reads sessions, search
//!   hits, usage and projects. The real implementation lives over `convx-index`;
//!   [`memory::MemoryData`] is a simple in-memory one for tests and provisional use.
//! * [`server`]: [`server::router`] builds the axum router (pages, `/api/` JSON, embedded
//!   assets) behind [`security`] (read-only, Host check, optional token, strict CSP);
//!   [`server::serve`] runs it until a shutdown future resolves.
//! * [`export`]: self-contained HTML files (inline CSS, no script, relative links).
//!
//! Session text is hostile input: templates auto-escape everything, Markdown is rendered
//! with raw HTML disabled ([`markdown`]), and no page runs inline script.
//!
//! ```no_run
//! use convx_web::{memory::MemoryData, server, security::Access};
//! use std::sync::Arc;
//! # async fn run(sessions: Vec<convx_model::Session>) -> std::io::Result<()> {
//! let data = Arc::new(MemoryData::new(sessions, jiff::tz::TimeZone::UTC));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let port = listener.local_addr()?.port();
//! let config = server::Config {
//!     tz: jiff::tz::TimeZone::UTC,
//!     access: Access { port, ..Access::default() },
//! };
//! server::serve(listener, server::router(data, config), std::future::pending()).await
//! # }
//! ```

pub mod assets;
pub mod charts;
pub mod data;
pub mod export;
pub mod format;
pub mod index_data;
pub mod markdown;
pub mod memory;
pub mod routes;
pub mod security;
pub mod server;
pub mod session_view;
pub mod timeline;

pub use data::ConsoleData;
