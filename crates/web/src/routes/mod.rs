//! The HTTP routes: HTML pages, their JSON twins under `/api/`, and the embedded assets.
//! Every route is GET (HEAD is answered by the same handler): nothing modifies anything.

mod api;
pub(crate) mod list;
pub(crate) mod params;
mod search;
mod session;
mod usage;

use crate::assets;
use crate::data::{ConsoleData, DataError};
use axum::Router;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use jiff::tz::TimeZone;
use params::Params;
use serde::Serialize;
use std::sync::Arc;

pub use params::encode as encode_key;

/// What every handler gets.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub data: Arc<dyn ConsoleData>,
    /// Zone for displayed times and date filters.
    pub tz: TimeZone,
}

impl AppState {
    /// Run `f` against the store on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, Failure>
    where
        T: Send + 'static,
        F: FnOnce(&dyn ConsoleData) -> Result<T, DataError> + Send + 'static,
    {
        let data = Arc::clone(&self.data);
        tokio::task::spawn_blocking(move || f(data.as_ref()))
            .await
            .map_err(|e| Failure::internal(format!("the store panicked: {e}")))?
            .map_err(Failure::from)
    }

    /// The context every page template needs.
    pub fn page(&self, page: &'static str, title: &str) -> PageBase {
        PageBase {
            page,
            title: title.to_string(),
            zone: crate::format::zone_name(&self.tz),
            version: env!("CARGO_PKG_VERSION"),
            export: false,
        }
    }
}

/// Common template context.
#[derive(Debug, Clone, Serialize)]
pub struct PageBase {
    /// Nav key (`sessions`, `session`, `search`, `usage`, `projects`, `error`).
    pub page: &'static str,
    /// `<title>`.
    pub title: String,
    /// Time zone name.
    pub zone: String,
    /// convx version.
    pub version: &'static str,
    /// Static export (no script, inline CSS, relative links).
    pub export: bool,
}

/// A failed request: a status and a message, shown as a page or as `{"error": ...}`.
#[derive(Debug)]
pub struct Failure {
    /// HTTP status.
    pub status: StatusCode,
    /// What went wrong, for the user.
    pub message: String,
    /// Answer in JSON.
    pub json: bool,
}

impl Failure {
    /// 400.
    pub fn bad(message: impl Into<String>) -> Self {
        Failure {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
            json: false,
        }
    }
    /// 404.
    pub fn not_found(message: impl Into<String>) -> Self {
        Failure {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
            json: false,
        }
    }
    /// 500.
    pub fn internal(message: impl Into<String>) -> Self {
        Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
            json: false,
        }
    }
    /// The same failure, answered in JSON.
    pub fn json(mut self) -> Self {
        self.json = true;
        self
    }
}

impl From<DataError> for Failure {
    fn from(e: DataError) -> Self {
        match e {
            DataError::InvalidQuery(m) => Failure::bad(m),
            DataError::Backend(m) => Failure::internal(m),
        }
    }
}

impl From<minijinja::Error> for Failure {
    fn from(e: minijinja::Error) -> Self {
        Failure::internal(format!("template error: {e:#}"))
    }
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        if self.json {
            return (
                self.status,
                axum::Json(serde_json::json!({ "error": self.message })),
            )
                .into_response();
        }
        let heading = self.status.canonical_reason().unwrap_or("Error");
        let page = assets::render(
            "error.html",
            minijinja::context! {
                page => "error", title => heading, zone => "", version => env!("CARGO_PKG_VERSION"),
                export => false, heading => heading, message => self.message.clone(),
            },
        );
        match page {
            Ok(html) => (self.status, Html(html)).into_response(),
            Err(_) => (self.status, self.message).into_response(),
        }
    }
}

/// The query string as ordered pairs; a malformed one is a 400.
pub struct Q(pub Params);

impl<S: Send + Sync> FromRequestParts<S> for Q {
    type Rejection = Failure;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(pairs) = Query::<Vec<(String, String)>>::from_request_parts(parts, state)
            .await
            .map_err(|e| Failure::bad(format!("bad query string: {e}")))?;
        Ok(Q(Params(pairs)))
    }
}

/// A serializable value as a template value.
pub fn ser<T: Serialize>(x: T) -> minijinja::Value {
    minijinja::Value::from(minijinja::value::Serde(x))
}

/// Render a page template.
pub fn page(name: &str, ctx: minijinja::Value) -> Result<Response, Failure> {
    Ok(Html(assets::render(name, ctx)?).into_response())
}

/// All routes, without the security layer (see [`crate::server::router`]).
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/", get(list::sessions_page))
        .route("/session/{key}", get(session::session_page))
        .route("/session/{key}/event/{idx}", get(session::event_page))
        .route("/search", get(search::search_page))
        .route("/usage", get(usage::usage_page))
        .route("/projects", get(list::projects_page))
        .route("/api", get(api::index))
        .route("/api/", get(api::index))
        .route("/api/sessions", get(api::sessions))
        .route("/api/session/{key}", get(api::session))
        .route("/api/search", get(api::search))
        .route("/api/stats", get(api::stats))
        .route("/api/projects", get(api::projects))
        .route("/api/facets", get(api::facets))
        .route(
            "/static/app.css",
            get(|| async { asset("text/css; charset=utf-8", assets::css()) }),
        )
        .route(
            "/static/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", assets::APP_JS) }),
        )
        .route(
            "/static/icon.svg",
            get(|| async { asset("image/svg+xml", assets::ICON_SVG) }),
        )
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .fallback(|| async { Failure::not_found("There is no page at this address.") })
        .with_state(state)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

/// Options for menus: value and label.
#[derive(Debug, Clone, Serialize)]
pub struct Opt {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
}

impl Opt {
    /// An option whose label is its value.
    pub fn same(v: &str) -> Opt {
        Opt {
            value: v.to_string(),
            label: v.to_string(),
        }
    }
}

/// The agent menu from the agents present.
pub fn agent_options(agents: &[convx_model::Agent]) -> Vec<Opt> {
    agents
        .iter()
        .map(|a| Opt {
            value: a.slug().to_string(),
            label: a.display_name().to_string(),
        })
        .collect()
}
