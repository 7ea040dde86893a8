//! The Session page (timeline) and the single-event page (untruncated text).

use super::{AppState, Failure, page};
use crate::session_view::session_view;
use crate::timeline::{Limits, Links, event_items};
use axum::extract::{Path, State};
use axum::response::Response;

/// `GET /session/{key}`.
pub async fn session_page(
    State(st): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, Failure> {
    let k = key.clone();
    let detail = st
        .call(move |d| d.session(&k))
        .await?
        .ok_or_else(|| Failure::not_found(format!("No session has the key `{key}`.")))?;
    let view = session_view(&detail, &Links::Server, Limits::SERVER, &st.tz);
    let mut base = st.page("session", &view.title);
    base.title = view.title.clone();
    page(
        "session.html",
        minijinja::context! { s => crate::routes::ser(view), ..crate::routes::ser(base)
        },
    )
}

/// `GET /session/{key}/event/{idx}`: one event (a tool call with its result) in full.
pub async fn event_page(
    State(st): State<AppState>,
    Path((key, idx)): Path<(String, String)>,
) -> Result<Response, Failure> {
    let idx: usize = idx
        .parse()
        .map_err(|_| Failure::bad(format!("`{idx}` is not an event number")))?;
    let k = key.clone();
    let detail = st
        .call(move |d| d.session(&k))
        .await?
        .ok_or_else(|| Failure::not_found(format!("No session has the key `{key}`.")))?;
    let s = &detail.session;
    if idx >= s.events.len() {
        return Err(Failure::not_found(format!(
            "Session `{key}` has {} events; there is no event {idx}.",
            s.events.len()
        )));
    }
    let items = event_items(s, idx, &st.tz);
    let title = s.display_title();
    page(
        "event.html",
        minijinja::context! {
            items => crate::routes::ser(items),
            idx => crate::routes::ser(idx),
            events => crate::routes::ser(s.events.len()),
            session_title => crate::routes::ser(&title),
            back => crate::routes::ser(format!("{}#e{idx}", Links::Server.session(&s.key).unwrap_or_default())),
            ..crate::routes::ser(st.page("session", &format!("Event {idx} · {title}")))
        },
    )
}
