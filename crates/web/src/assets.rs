//! Everything the console ships, embedded in the binary: templates, CSS, JS, icon.
//!
//! One template engine (minijinja) with HTML auto-escaping on every `.html` template:
//! session text is always escaped; only values built by this crate from escaped parts
//! (rendered Markdown, SVG charts, highlighted snippets) are marked `|safe`.

use convx_model::Agent;
use minijinja::Environment;
use std::sync::OnceLock;

/// The console's script, served at `/static/app.js`.
pub const APP_JS: &str = include_str!("../assets/app.js");
/// The icon, served at `/static/icon.svg`.
pub const ICON_SVG: &str = include_str!("../assets/icon.svg");
const APP_CSS: &str = include_str!("../assets/app.css");

const TEMPLATES: [(&str, &str); 10] = [
    ("base.html", include_str!("../assets/templates/base.html")),
    (
        "_macros.html",
        include_str!("../assets/templates/_macros.html"),
    ),
    (
        "_timeline.html",
        include_str!("../assets/templates/_timeline.html"),
    ),
    (
        "sessions.html",
        include_str!("../assets/templates/sessions.html"),
    ),
    (
        "session.html",
        include_str!("../assets/templates/session.html"),
    ),
    ("event.html", include_str!("../assets/templates/event.html")),
    (
        "search.html",
        include_str!("../assets/templates/search.html"),
    ),
    ("usage.html", include_str!("../assets/templates/usage.html")),
    (
        "projects.html",
        include_str!("../assets/templates/projects.html"),
    ),
    ("error.html", include_str!("../assets/templates/error.html")),
];
const API_HTML: &str = include_str!("../assets/templates/api.html");

/// The stylesheet: `app.css` plus one colour rule per agent (colours live on
/// [`Agent::colour`], nowhere else).
pub fn css() -> &'static str {
    static CSS: OnceLock<String> = OnceLock::new();
    CSS.get_or_init(|| {
        let mut s = APP_CSS.to_string();
        for a in Agent::ALL {
            s.push_str(&format!(
                ".agent-{} {{ --agent: {}; }}\n",
                a.slug(),
                a.colour()
            ));
        }
        s
    })
}

/// The CSP source that allows exactly the inline copy of [`css`] in exported files:
/// `'sha256-<base64>'`.
pub fn css_hash_source() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| {
        use sha2::Digest;
        let digest = sha2::Sha256::digest(css().as_bytes());
        format!("'sha256-{}'", base64(&digest))
    })
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// HTML escaping of `& < > " '` (the default also escapes `/`, which only uglifies URLs:
/// every attribute here is quoted and nothing is printed into a script context).
fn formatter(
    out: &mut minijinja::Output,
    state: &mut minijinja::State,
    value: &minijinja::Value,
) -> Result<(), minijinja::Error> {
    if matches!(state.auto_escape(), minijinja::AutoEscape::Html)
        && !value.is_safe()
        && let Some(s) = value.as_str()
    {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let rep = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#x27;",
                _ => continue,
            };
            out.write_str(&s[last..i])?;
            out.write_str(rep)?;
            last = i + 1;
        }
        return out.write_str(&s[last..]).map_err(minijinja::Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_formatter(formatter);
        for (name, src) in TEMPLATES.into_iter().chain([("api.html", API_HTML)]) {
            env.add_template(name, src)
                .unwrap_or_else(|e| panic!("embedded template {name} is invalid: {e}"));
        }
        env
    })
}

/// Render the embedded template `name` with `ctx`.
pub fn render(name: &str, ctx: minijinja::Value) -> Result<String, minijinja::Error> {
    env().get_template(name)?.render(ctx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles_and_escapes() {
        let html = render(
            "error.html",
            minijinja::context! { heading => "<script>x</script>", message => "a & b", page => "error",
                title => "t", zone => "UTC", version => "0", export => false },
        )
        .unwrap();
        assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"), "{html}");
        assert!(!html.contains("<script>x"));
        for (name, _) in TEMPLATES {
            env().get_template(name).unwrap();
        }
        assert!(css().contains(".agent-codex"));
        assert_eq!(base64(b"hello"), "aGVsbG8=");
        assert_eq!(base64(b"hi!"), "aGkh");
        assert_eq!(base64(b"h"), "aA==");
    }
}
