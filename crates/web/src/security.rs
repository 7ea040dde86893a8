//! The console's guard, applied to every request before routing:
//!
//! 1. **Read-only**: only `GET` and `HEAD`; anything else is 405.
//! 2. **Host check** (DNS rebinding): the `Host` header must name a loopback host
//!    (`localhost`, `*.localhost`, `127.x.x.x`, `[::1]`). With a token, IP literals and the
//!    configured extra host names are accepted too (a rebinding attack needs a domain name,
//!    and the token guards the rest). Others get 421.
//! 3. **Token** (when configured): `Authorization: Bearer T`, or the cookie set after
//!    opening any URL with `?token=T` (which then redirects to the same URL without it).
//!    Otherwise 401.
//! 4. **Headers** on every response: a strict Content-Security-Policy (scripts and styles
//!    only from the console itself, nothing inline, no frames, no external requests),
//!    `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`,
//!    `X-Frame-Options: DENY`, `Cross-Origin-Opener-Policy` and `-Resource-Policy`.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;
use std::sync::Arc;

/// The Content-Security-Policy of every console response.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Who may talk to the console.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// When set, every request must carry this token.
    pub token: Option<String>,
    /// Extra `Host` names accepted with a token (e.g. the machine's name on the LAN).
    pub extra_hosts: Vec<String>,
    /// The port the server listens on (names the token cookie, since cookies ignore ports).
    pub port: u16,
}

impl Access {
    fn cookie_name(&self) -> String {
        format!("convx_token_{}", self.port)
    }
}

/// True when `addr` is a loopback address.
pub fn is_loopback(addr: IpAddr) -> bool {
    match addr {
        IpAddr::V4(v4) => v4.is_loopback(),
        IpAddr::V6(v6) => {
            v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}

/// Why a bind address is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum BindError {
    /// Non-loopback without `--bind`.
    #[error(
        "refusing to listen on {0}: the console only listens on loopback unless --bind is given explicitly together with --token"
    )]
    NotExplicit(IpAddr),
    /// Non-loopback without a token.
    #[error(
        "refusing to listen on {0} without a token: anyone on the network could read your sessions; add --token (at least 16 characters, or `--token auto`)"
    )]
    NoToken(IpAddr),
    /// Token too weak.
    #[error("the token must be at least 16 characters without spaces")]
    WeakToken,
}

/// The binding policy: loopback is always fine; anything else needs an explicit `--bind`
/// and a token. A token, when given, must be at least 16 non-space characters.
pub fn check_bind(addr: IpAddr, explicit: bool, token: Option<&str>) -> Result<(), BindError> {
    if let Some(t) = token
        && (t.chars().count() < 16 || t.chars().any(char::is_whitespace))
    {
        return Err(BindError::WeakToken);
    }
    if is_loopback(addr) {
        return Ok(());
    }
    if !explicit {
        return Err(BindError::NotExplicit(addr));
    }
    if token.is_none() {
        return Err(BindError::NoToken(addr));
    }
    Ok(())
}

/// A random 32-hex-digit token (from the OS-seeded hasher keys; no extra dependency).
pub fn generate_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    for i in 0..2u8 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u8(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        out.push_str(&format!("{:016x}", h.finish()));
    }
    out
}

/// The host name of a `Host` header value, lowercased, without port or brackets.
fn host_name(value: &str) -> String {
    let v = value.trim().to_ascii_lowercase();
    if let Some(rest) = v.strip_prefix('[') {
        return rest.split(']').next().unwrap_or("").to_string();
    }
    match v.rsplit_once(':') {
        Some((h, port)) if !h.contains(':') && port.chars().all(|c| c.is_ascii_digit()) => {
            h.to_string()
        }
        _ => v,
    }
}

fn host_allowed(access: &Access, headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let name = host_name(host);
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    if let Ok(ip) = name.parse::<IpAddr>() {
        return is_loopback(ip) || access.token.is_some();
    }
    access.token.is_some()
        && access
            .extra_hosts
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&name))
}

fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

fn presented_token<'a>(access: &Access, headers: &'a HeaderMap) -> Vec<&'a str> {
    let mut out = Vec::new();
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = v.strip_prefix("Bearer ")
    {
        out.push(t.trim());
    }
    let name = access.cookie_name();
    for v in headers.get_all(header::COOKIE) {
        for c in v.to_str().unwrap_or("").split(';') {
            if let Some((k, val)) = c.trim().split_once('=')
                && k == name
            {
                out.push(val);
            }
        }
    }
    out
}

fn plain(status: StatusCode, msg: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        msg,
    )
        .into_response()
}

/// The middleware (see the module docs).
pub async fn guard(State(access): State<Arc<Access>>, req: Request, next: Next) -> Response {
    let mut resp = check(&access, req, next).await;
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

async fn check(access: &Access, req: Request, next: Next) -> Response {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut r = plain(
            StatusCode::METHOD_NOT_ALLOWED,
            "convx serve is read-only: only GET and HEAD are allowed\n",
        );
        r.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return r;
    }
    if !host_allowed(access, req.headers()) {
        return plain(
            StatusCode::MISDIRECTED_REQUEST,
            "this Host is not served: open the console through localhost or 127.0.0.1 (the address convx serve printed)\n",
        );
    }
    let Some(token) = access.token.as_deref() else {
        return next.run(req).await;
    };
    if presented_token(access, req.headers())
        .iter()
        .any(|t| same(t, token))
    {
        return next.run(req).await;
    }
    // `?token=T`: set the cookie and come back without the token in the URL.
    let query = req.uri().query().unwrap_or("");
    let mut rest = Vec::new();
    let mut ok = false;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("token", v)) => {
                let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
                ok |= same(&v, token);
            }
            _ => rest.push(pair),
        }
    }
    if ok {
        let location = if rest.is_empty() {
            req.uri().path().to_string()
        } else {
            format!("{}?{}", req.uri().path(), rest.join("&"))
        };
        let cookie = format!(
            "{}={token}; Path=/; HttpOnly; SameSite=Strict",
            access.cookie_name()
        );
        return Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, location)
            .header(header::SET_COOKIE, cookie)
            .body(Body::empty())
            .unwrap_or_else(|_| plain(StatusCode::INTERNAL_SERVER_ERROR, "redirect failed\n"));
    }
    let mut r = plain(
        StatusCode::UNAUTHORIZED,
        "this console needs its token: open the URL convx serve printed (with ?token=...), or send Authorization: Bearer <token>\n",
    );
    r.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names() {
        assert_eq!(host_name("LocalHost:7420"), "localhost");
        assert_eq!(host_name("[::1]:80"), "::1");
        assert_eq!(host_name("127.0.0.1"), "127.0.0.1");
        assert_eq!(host_name("evil.com:7420"), "evil.com");
    }

    #[test]
    fn bind_policy() {
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        let lo: IpAddr = "127.0.0.1".parse().unwrap();
        let tok = "0123456789abcdef";
        assert_eq!(check_bind(lo, false, None), Ok(()));
        assert_eq!(
            check_bind(lan, false, Some(tok)),
            Err(BindError::NotExplicit(lan))
        );
        assert_eq!(check_bind(lan, true, None), Err(BindError::NoToken(lan)));
        assert_eq!(check_bind(lan, true, Some(tok)), Ok(()));
        assert_eq!(
            check_bind(lan, true, Some("short")),
            Err(BindError::WeakToken)
        );
        assert!(check_bind("::1".parse().unwrap(), false, None).is_ok());
        assert!(check_bind("0.0.0.0".parse().unwrap(), false, None).is_err());
    }

    #[test]
    fn tokens_differ() {
        let (a, b) = (generate_token(), generate_token());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(same("abc", "abc") && !same("abc", "abd") && !same("abc", "ab"));
    }
}
