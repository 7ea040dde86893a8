//! Where each session's files go. The one home of the archive's layout rules.
//!
//! All archive paths are relative to the repository root and use `/`, on every OS, so
//! state, manifests and links are the same everywhere.
//!
//! * backup: `<history>/<user>/<agent>/<host>/<cwd relative to home>/<stem>.md`
//!   (`_root/<absolute path>` when the cwd is outside home, `_unknown` when the session
//!   recorded no cwd);
//! * sync: `<history>/<user>/<agent>/<stem>.md`, flat;
//! * the normalized JSON sits beside the Markdown as the hidden `.<stem>.json`;
//! * `<stem>` is `YYYY-MM-DD-HHMM-<slug>` with the session's start in UTC (`undated-<slug>`
//!   when the log has no timestamp); a sub-agent goes next to its parent as
//!   `<parent stem>--<slug>`;
//! * the per-host manifest is `<history>/.convx/<user>@<host>.sha256`.

use convx_model::Session;

/// Folder for sessions whose cwd is outside the home directory.
pub const ROOT_DIR: &str = "_root";
/// Folder for sessions that recorded no cwd.
pub const UNKNOWN_DIR: &str = "_unknown";
/// Folder (inside the history root) holding manifests.
pub const META_DIR: &str = ".convx";
/// Longest file stem written (file systems allow 255 bytes; `.json` and the dot are added).
pub const MAX_STEM: usize = 200;

/// The two archive shapes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayoutKind {
    /// `convx backup`: everything, by user, agent, host and project folder.
    Backup,
    /// `convx sync`: one project's sessions, flat per user and agent.
    Sync,
}

/// A bad layout setting.
#[derive(Debug, thiserror::Error)]
pub enum LayoutError {
    /// The history sub-path is absolute, empty, or leaves the repository.
    #[error(
        "invalid history sub-path `{0}`: it must be a relative path inside the repository, without `..`"
    )]
    BadSubpath(String),
}

/// The layout of one archive run.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Backup or sync.
    pub kind: LayoutKind,
    /// History root relative to the repository (`history`, `.ai/history`).
    pub history: String,
    /// User folder name (sanitized).
    pub user: String,
    /// Host folder name (sanitized).
    pub host: String,
    /// The home directory the sessions' cwds are made relative to.
    pub home: Option<String>,
}

impl Layout {
    /// A layout; `user` and `host` are sanitized into folder names.
    pub fn new(
        kind: LayoutKind,
        history: &str,
        user: &str,
        host: &str,
        home: Option<String>,
    ) -> Result<Layout, LayoutError> {
        let parts = split_path(history);
        let bad = history.starts_with('/')
            || history.starts_with('\\')
            || history.contains(':')
            || parts.is_empty()
            || parts
                .iter()
                .any(|p| p == ".." || p.eq_ignore_ascii_case(".git"));
        if bad {
            return Err(LayoutError::BadSubpath(history.to_string()));
        }
        let history = parts
            .into_iter()
            .filter(|p| p != ".")
            .collect::<Vec<_>>()
            .join("/");
        if history.is_empty() {
            return Err(LayoutError::BadSubpath(history));
        }
        Ok(Layout {
            kind,
            history,
            user: sanitize_name(user),
            host: sanitize_name(host),
            home,
        })
    }

    /// The folder (repo-relative) of a top-level session. `redact` is applied to each
    /// folder name taken from the cwd.
    pub fn session_dir(&self, s: &Session, redact: &dyn Fn(&str) -> String) -> String {
        let mut parts = vec![
            self.history.clone(),
            self.user.clone(),
            s.agent.slug().to_string(),
        ];
        if self.kind == LayoutKind::Sync {
            return parts.join("/");
        }
        parts.push(self.host.clone());
        match place(s.cwd.as_deref(), self.home.as_deref()) {
            Place::Home(rest) => parts.extend(rest.iter().map(|c| sanitize_component(&redact(c)))),
            Place::Root(all) => {
                parts.push(ROOT_DIR.to_string());
                parts.extend(all.iter().map(|c| sanitize_component(&redact(c))));
            }
            Place::Unknown => parts.push(UNKNOWN_DIR.to_string()),
        }
        parts.join("/")
    }

    /// This host's manifest, repo-relative.
    pub fn manifest_path(&self) -> String {
        format!(
            "{}/{}/{}@{}.sha256",
            self.history, META_DIR, self.user, self.host
        )
    }

    /// Git pathspecs covering every file this user and host may write (for `--commit`).
    pub fn owned_pathspecs(&self) -> Vec<String> {
        let own = match self.kind {
            LayoutKind::Backup => {
                format!(":(glob){}/{}/*/{}/**", self.history, self.user, self.host)
            }
            LayoutKind::Sync => format!(":(glob){}/{}/**", self.history, self.user),
        };
        vec![own, format!(":(literal){}", self.manifest_path())]
    }

    /// Folders (repo-relative) under which this user and host's sessions live, for the
    /// state recovery scan: `(folder, depth below it at which agent folders start)`.
    pub fn user_root(&self) -> String {
        format!("{}/{}", self.history, self.user)
    }

    /// True when a repo-relative `.md` path belongs to this user and host.
    pub fn owns(&self, rel: &str) -> bool {
        let Some(rest) = rel.strip_prefix(&format!("{}/", self.user_root())) else {
            return false;
        };
        match self.kind {
            LayoutKind::Sync => true,
            LayoutKind::Backup => rest.split('/').nth(1) == Some(self.host.as_str()),
        }
    }
}

/// `YYYY-MM-DD-HHMM` of the session start in UTC, or `undated`.
pub fn start_prefix(s: &Session) -> String {
    s.started_at
        .map(|t| t.strftime("%Y-%m-%d-%H%M").to_string())
        .unwrap_or_else(|| "undated".to_string())
}

/// The stem of a top-level session: `<start>-<slug>`.
pub fn stem(s: &Session, slug: &str) -> String {
    clamp_stem(format!("{}-{}", start_prefix(s), slug))
}

/// The stem of a sub-agent written next to its parent: `<parent stem>--<slug>`, or its own
/// stem when that would be too long.
pub fn child_stem(parent_stem: &str, s: &Session, slug: &str) -> String {
    if parent_stem.len() + 2 + slug.len() <= MAX_STEM {
        format!("{parent_stem}--{slug}")
    } else {
        stem(s, slug)
    }
}

fn clamp_stem(mut s: String) -> String {
    if s.len() > MAX_STEM {
        s.truncate(MAX_STEM);
    }
    s
}

/// The hidden JSON path beside a Markdown path: `dir/stem.md` → `dir/.stem.json`.
pub fn json_path(md: &str) -> String {
    let (dir, file) = split_dir(md);
    let stem = file.strip_suffix(".md").unwrap_or(file);
    if dir.is_empty() {
        format!(".{stem}.json")
    } else {
        format!("{dir}/.{stem}.json")
    }
}

/// The Markdown path beside a hidden JSON path (inverse of [`json_path`]).
pub fn md_path(json: &str) -> Option<String> {
    let (dir, file) = split_dir(json);
    let stem = file.strip_prefix('.')?.strip_suffix(".json")?;
    Some(if dir.is_empty() {
        format!("{stem}.md")
    } else {
        format!("{dir}/{stem}.md")
    })
}

/// The stem of a `.md` path.
pub fn md_stem(md: &str) -> &str {
    let (_, file) = split_dir(md);
    file.strip_suffix(".md").unwrap_or(file)
}

/// `(dir, file)` of a `/` path.
pub fn split_dir(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
}

/// A relative link from the Markdown file `from` to the file `to` (both repo-relative),
/// percent-encoded for use in a Markdown link.
pub fn relative_link(from: &str, to: &str) -> String {
    let (from_dir, _) = split_dir(from);
    let from_parts: Vec<&str> = from_dir.split('/').filter(|p| !p.is_empty()).collect();
    let to_parts: Vec<&str> = to.split('/').filter(|p| !p.is_empty()).collect();
    let common = from_parts
        .iter()
        .zip(&to_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let common = common.min(to_parts.len().saturating_sub(1));
    let mut out: Vec<String> = vec!["..".to_string(); from_parts.len() - common];
    out.extend(to_parts[common..].iter().map(|p| percent_encode(p)));
    out.join("/")
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// How a cwd relates to home.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// Inside home: the components below it (empty for home itself).
    Home(Vec<String>),
    /// Outside home: every component (a drive letter `C:` becomes `C`).
    Root(Vec<String>),
    /// No cwd recorded.
    Unknown,
}

/// Where `cwd` is relative to `home`. Handles `/` and Windows `\` paths lexically.
pub fn place(cwd: Option<&str>, home: Option<&str>) -> Place {
    let Some(cwd) = cwd.map(str::trim).filter(|c| !c.is_empty()) else {
        return Place::Unknown;
    };
    let windows = looks_windows(cwd);
    let parts = normalize(cwd);
    if let Some(home) = home.map(str::trim).filter(|h| !h.is_empty()) {
        let home_parts = normalize(home);
        let eq = |a: &String, b: &String| {
            if windows {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        if !home_parts.is_empty()
            && parts.len() >= home_parts.len()
            && parts.iter().zip(&home_parts).all(|(a, b)| eq(a, b))
        {
            return Place::Home(parts[home_parts.len()..].to_vec());
        }
    }
    Place::Root(
        parts
            .into_iter()
            .map(|p| p.trim_end_matches(':').to_string())
            .filter(|p| !p.is_empty())
            .collect(),
    )
}

/// The cwd as shown in Markdown: `~/src/app` inside home, the recorded path outside it.
pub fn cwd_display(cwd: Option<&str>, home: Option<&str>) -> Option<String> {
    match place(cwd, home) {
        Place::Home(rest) if rest.is_empty() => Some("~".to_string()),
        Place::Home(rest) => Some(format!("~/{}", rest.join("/"))),
        Place::Root(_) => cwd.map(|c| c.trim().to_string()),
        Place::Unknown => None,
    }
}

fn looks_windows(p: &str) -> bool {
    let b = p.as_bytes();
    p.contains('\\') || (b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':')
}

fn split_path(p: &str) -> Vec<String> {
    p.split(['/', '\\'])
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Lexical normalization: split on separators, drop `.` and empty parts, resolve `..`.
fn normalize(p: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in split_path(p) {
        match part.as_str() {
            "." => {}
            ".." => {
                out.pop();
            }
            _ => out.push(part),
        }
    }
    out
}

/// A folder name that is safe on every OS and that git will track.
pub fn sanitize_component(c: &str) -> String {
    let mut s: String = c
        .chars()
        .map(|ch| {
            if ch.is_control() || "<>:\"/\\|?*".contains(ch) {
                '_'
            } else {
                ch
            }
        })
        .collect();
    while s.ends_with(['.', ' ']) {
        s.pop();
    }
    if s.eq_ignore_ascii_case(".git") {
        s = "_git".to_string();
    }
    if s.is_empty() {
        s = "_".to_string();
    }
    if s.len() > 100 {
        let mut cut = 100;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

/// A user or host name as a folder name: lowercase, `[a-z0-9._-]`, never empty.
pub fn sanitize_name(name: &str) -> String {
    let s: String = name
        .trim()
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let s = s.trim_matches(['.', '-']).to_string();
    if s.is_empty() {
        "unknown".to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::Agent;

    fn id(s: &str) -> String {
        s.to_string()
    }

    fn layout(kind: LayoutKind) -> Layout {
        Layout::new(
            kind,
            "history",
            "Ana",
            "MBP.local",
            Some("/home/ana".into()),
        )
        .unwrap()
    }

    fn with_cwd(cwd: Option<&str>) -> Session {
        let mut s = Session::new(Agent::Claude, "x");
        s.cwd = cwd.map(str::to_string);
        s
    }

    #[test]
    fn backup_dirs() {
        let l = layout(LayoutKind::Backup);
        assert_eq!(
            l.session_dir(&with_cwd(Some("/home/ana/src/app")), &id),
            "history/ana/claude/mbp.local/src/app"
        );
        assert_eq!(
            l.session_dir(&with_cwd(Some("/home/ana")), &id),
            "history/ana/claude/mbp.local"
        );
        assert_eq!(
            l.session_dir(&with_cwd(Some("/opt/x/../y")), &id),
            "history/ana/claude/mbp.local/_root/opt/y"
        );
        assert_eq!(
            l.session_dir(&with_cwd(None), &id),
            "history/ana/claude/mbp.local/_unknown"
        );
        assert_eq!(
            l.session_dir(&with_cwd(Some("/home/ana/p/.git/x")), &id),
            "history/ana/claude/mbp.local/p/_git/x"
        );
        assert_eq!(
            l.session_dir(&with_cwd(Some("/home/anabel/x")), &id),
            "history/ana/claude/mbp.local/_root/home/anabel/x"
        );
    }

    #[test]
    fn windows_cwds() {
        let l = Layout::new(
            LayoutKind::Backup,
            "history",
            "ana",
            "pc",
            Some(r"C:\Users\Ana".into()),
        )
        .unwrap();
        assert_eq!(
            l.session_dir(&with_cwd(Some(r"c:\users\ana\src\app")), &id),
            "history/ana/claude/pc/src/app"
        );
        assert_eq!(
            l.session_dir(&with_cwd(Some(r"D:\work\a b")), &id),
            "history/ana/claude/pc/_root/D/work/a b"
        );
    }

    #[test]
    fn sync_is_flat() {
        let l = Layout::new(LayoutKind::Sync, ".ai/history", "ana", "mbp", None).unwrap();
        assert_eq!(
            l.session_dir(&with_cwd(Some("/home/ana/src/app")), &id),
            ".ai/history/ana/claude"
        );
        assert_eq!(l.manifest_path(), ".ai/history/.convx/ana@mbp.sha256");
    }

    #[test]
    fn bad_subpaths() {
        for bad in ["/abs", "../up", "", ".", "a/.git/b", "C:/x"] {
            assert!(
                Layout::new(LayoutKind::Backup, bad, "u", "h", None).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            Layout::new(LayoutKind::Backup, "./a//b/", "u", "h", None)
                .unwrap()
                .history,
            "a/b"
        );
    }

    #[test]
    fn paths_and_links() {
        assert_eq!(json_path("a/b/2026-x.md"), "a/b/.2026-x.json");
        assert_eq!(
            md_path("a/b/.2026-x.json").as_deref(),
            Some("a/b/2026-x.md")
        );
        assert_eq!(relative_link("a/b/x.md", "a/b/y.md"), "y.md");
        assert_eq!(relative_link("a/b/x.md", "a/c d/y.md"), "../c%20d/y.md");
        assert_eq!(relative_link("x.md", "a/y.md"), "a/y.md");
    }

    #[test]
    fn cwd_shown_relative_to_home() {
        assert_eq!(
            cwd_display(Some("/home/ana/src"), Some("/home/ana")).as_deref(),
            Some("~/src")
        );
        assert_eq!(
            cwd_display(Some("/home/ana"), Some("/home/ana/")).as_deref(),
            Some("~")
        );
        assert_eq!(
            cwd_display(Some("/srv/x"), Some("/home/ana")).as_deref(),
            Some("/srv/x")
        );
        assert_eq!(cwd_display(None, Some("/home/ana")), None);
    }

    #[test]
    fn names() {
        assert_eq!(sanitize_name(" Ana Lopez "), "ana-lopez");
        assert_eq!(sanitize_name("../"), "unknown");
        assert_eq!(sanitize_component("a:b*c. "), "a_b_c");
    }

    #[test]
    fn ownership() {
        let l = layout(LayoutKind::Backup);
        assert!(l.owns("history/ana/claude/mbp.local/x/y.md"));
        assert!(!l.owns("history/ana/claude/other/x/y.md"));
        assert!(!l.owns("history/bob/claude/mbp.local/y.md"));
    }
}
