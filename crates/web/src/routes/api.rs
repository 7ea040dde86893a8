//! The JSON API: the data behind every page, for scripts. Same parameters as the pages;
//! errors are `{"error": "..."}` with status 400 or 404.

use super::list::PER_PAGE;
use super::search::PAGE_HITS;
use super::{AppState, Failure, Q, page};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

/// `GET /api/`: what the API offers (HTML).
pub async fn index(State(st): State<AppState>) -> Result<Response, Failure> {
    page("api.html", crate::routes::ser(st.page("api", "JSON API")))
}

/// `GET /api/sessions`: `{"total": n, "rows": [...]}`.
pub async fn sessions(State(st): State<AppState>, Q(q): Q) -> Result<Response, Failure> {
    let f = q.session_filter(&st.tz, PER_PAGE).map_err(Failure::json)?;
    let page = st
        .call(move |d| d.sessions(&f))
        .await
        .map_err(Failure::json)?;
    Ok(Json(page).into_response())
}

/// `GET /api/session/{key}`: `{"session": ..., "row": ..., "relatives": [...], "archive_link": ...}`.
pub async fn session(
    State(st): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, Failure> {
    let k = key.clone();
    match st
        .call(move |d| d.session(&k))
        .await
        .map_err(Failure::json)?
    {
        Some(detail) => Ok(Json(detail).into_response()),
        None => Err(Failure::not_found(format!("no session has the key `{key}`")).json()),
    }
}

/// `GET /api/search?q=...`: an array of hits.
pub async fn search(State(st): State<AppState>, Q(q): Q) -> Result<Response, Failure> {
    let query = q.search_query(&st.tz, PAGE_HITS).map_err(Failure::json)?;
    if query.text.trim().is_empty() {
        return Err(Failure::bad("the `q` parameter is required").json());
    }
    let hits = st
        .call(move |d| d.search(&query))
        .await
        .map_err(Failure::json)?;
    Ok(Json(hits).into_response())
}

/// `GET /api/stats?by=day&by=model`: the usage report.
pub async fn stats(State(st): State<AppState>, Q(q): Q) -> Result<Response, Failure> {
    let query = q.usage_query(&st.tz).map_err(Failure::json)?;
    let report = st
        .call(move |d| d.usage(&query))
        .await
        .map_err(Failure::json)?;
    Ok(Json(report).into_response())
}

/// `GET /api/projects`.
pub async fn projects(State(st): State<AppState>) -> Result<Response, Failure> {
    let p = st.call(|d| d.projects()).await.map_err(Failure::json)?;
    Ok(Json(p).into_response())
}

/// `GET /api/facets`: agents, projects and models present.
pub async fn facets(State(st): State<AppState>) -> Result<Response, Failure> {
    let f = st.call(|d| d.facets()).await.map_err(Failure::json)?;
    Ok(Json(f).into_response())
}
