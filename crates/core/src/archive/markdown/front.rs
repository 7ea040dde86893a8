//! YAML front matter: written for readers and tools, read back by `verify`.
//!
//! Every free-text value is written as a JSON string, which is also a valid YAML
//! double-quoted scalar, so no title can break the YAML. `verify` reads back only what it
//! needs to re-render a file: the cwd as shown, the parent and children links and the
//! render options.

use super::{Link, RenderContext, RenderOptions};
use convx_model::{Session, Timestamp};
use std::fmt::Write;

fn q(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

fn time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `1h 02m 03s`, `3m 05s`, `45s`, `2d 03h 04m`.
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    if d > 0 {
        format!("{d}d {h:02}h {m:02}m")
    } else if h > 0 {
        format!("{h}h {m:02}m {s:02}s")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// The session's duration in seconds, when both ends are known.
pub fn duration_secs(s: &Session) -> Option<i64> {
    match (s.started_at, s.ended_at) {
        (Some(a), Some(b)) => Some(b.as_second() - a.as_second()),
        _ => None,
    }
}

/// Write the front matter block (with its `---` lines).
pub fn write(out: &mut String, s: &Session, ctx: &RenderContext) {
    let w = out;
    w.push_str("---\n");
    let _ = writeln!(w, "title: {}", q(&s.display_title()));
    let _ = writeln!(w, "agent: {}", s.agent.slug());
    let _ = writeln!(w, "key: {}", q(&s.key));
    if s.kind != convx_model::SessionKind::Main {
        let _ = writeln!(w, "kind: {}", s.kind.name());
    }
    if let Some(t) = s.started_at {
        let _ = writeln!(w, "start: {}", time(t));
    }
    if let Some(t) = s.ended_at {
        let _ = writeln!(w, "end: {}", time(t));
    }
    if let Some(d) = duration_secs(s) {
        let _ = writeln!(w, "duration: {}", q(&duration(d)));
    }
    if !s.models.is_empty() {
        let models: Vec<String> = s.models.iter().map(|m| q(m)).collect();
        let _ = writeln!(w, "models: [{}]", models.join(", "));
    }
    if let Some(b) = &s.git.branch {
        let _ = writeln!(w, "branch: {}", q(b));
    }
    if let Some(c) = &s.git.commit {
        let _ = writeln!(w, "commit: {}", q(c));
    }
    if let Some(c) = &ctx.cwd {
        let _ = writeln!(w, "cwd: {}", q(c));
    }
    let u = &s.summary.usage;
    let _ = writeln!(w, "tokens:\n  total: {}", u.total());
    let _ = writeln!(
        w,
        "  input: {}\n  cache_creation: {}\n  cache_read: {}",
        u.input, u.cache_creation, u.cache_read
    );
    let _ = writeln!(w, "  output: {}\n  reasoning: {}", u.output, u.reasoning);
    let _ = writeln!(w, "prompts: {}", s.summary.counts.user_prompts);
    let _ = writeln!(w, "tool_calls: {}", s.summary.counts.tool_calls);
    if let Some(p) = &ctx.parent {
        let _ = writeln!(w, "parent:\n  key: {}", q(&p.key));
        if let Some(f) = &p.file {
            let _ = writeln!(w, "  file: {}", q(f));
        }
    }
    if !ctx.children.is_empty() {
        w.push_str("children:\n");
        for c in &ctx.children {
            let _ = writeln!(w, "  - key: {}", q(&c.key));
            if let Some(f) = &c.file {
                let _ = writeln!(w, "    file: {}", q(f));
            }
        }
    }
    let _ = writeln!(
        w,
        "render:\n  reasoning: {}\n  context: {}",
        ctx.options.reasoning, ctx.options.context
    );
    w.push_str("---\n");
}

/// What `verify` needs from a file's front matter to re-render it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    /// The cwd as shown.
    pub cwd: Option<String>,
    /// The parent link.
    pub parent: Option<Link>,
    /// The children links.
    pub children: Vec<Link>,
    /// The options the file was rendered with.
    pub options: RenderOptions,
}

/// Read the parts of a front matter that [`Recorded`] holds; `None` when `md` has no
/// front matter written by convx.
pub fn read(md: &str) -> Option<Recorded> {
    let body = md.strip_prefix("---\n")?;
    let end = body.find("\n---\n")?;
    let mut rec = Recorded::default();
    let mut section = "";
    let string = |v: &str| serde_json::from_str::<String>(v.trim()).ok();
    for line in body[..end].lines() {
        if !line.starts_with(' ') {
            let (name, value) = line.split_once(':')?;
            section = name;
            if name == "cwd" {
                rec.cwd = Some(string(value)?);
            }
            continue;
        }
        match section {
            "parent" => {
                let p = rec.parent.get_or_insert_with(|| Link {
                    key: String::new(),
                    file: None,
                });
                if let Some(v) = line.strip_prefix("  key:") {
                    p.key = string(v)?;
                } else if let Some(v) = line.strip_prefix("  file:") {
                    p.file = Some(string(v)?);
                }
            }
            "children" => {
                if let Some(v) = line.strip_prefix("  - key:") {
                    rec.children.push(Link {
                        key: string(v)?,
                        file: None,
                    });
                } else if let Some(v) = line.strip_prefix("    file:") {
                    rec.children.last_mut()?.file = Some(string(v)?);
                }
            }
            "render" => {
                if let Some(v) = line.strip_prefix("  reasoning:") {
                    rec.options.reasoning = v.trim() == "true";
                } else if let Some(v) = line.strip_prefix("  context:") {
                    rec.options.context = v.trim() == "true";
                }
            }
            _ => {}
        }
    }
    Some(rec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration(45), "45s");
        assert_eq!(duration(185), "3m 05s");
        assert_eq!(duration(3723), "1h 02m 03s");
        assert_eq!(duration(2 * 86_400 + 3 * 3600 + 4 * 60), "2d 03h 04m");
        assert_eq!(duration(-5), "0s");
    }

    #[test]
    fn written_context_reads_back() {
        let mut s = Session::new(convx_model::Agent::Claude, "x");
        s.title = Some("a \"quoted\": title\n---\nkey: evil".into());
        let ctx = RenderContext {
            options: RenderOptions {
                reasoning: true,
                context: false,
            },
            cwd: Some("~/src/a \"b\"".into()),
            parent: Some(Link {
                key: "claude:p".into(),
                file: Some("p.md".into()),
            }),
            children: vec![
                Link {
                    key: "claude:c1".into(),
                    file: Some("c1.md".into()),
                },
                Link {
                    key: "claude:c2".into(),
                    file: None,
                },
            ],
            stem: "x".into(),
        };
        let mut out = String::new();
        write(&mut out, &s, &ctx);
        out.push_str("\n# body\n");
        let rec = read(&out).unwrap();
        assert_eq!(rec.cwd, ctx.cwd);
        assert_eq!(rec.parent, ctx.parent);
        assert_eq!(rec.children, ctx.children);
        assert_eq!(rec.options, ctx.options);
        assert_eq!(
            out.matches("\n---\n").count(),
            1,
            "the title cannot end the front matter: {out}"
        );
    }
}
