//! Markdown to HTML for prompts, replies and reasoning, with raw HTML disabled.
//!
//! Session text is hostile input. The rules:
//! * raw HTML (blocks and inline) is shown as text, never passed through; HTML blocks become
//!   code blocks so their layout survives;
//! * images are never loaded: `![alt](url)` becomes the text `[image: alt (url)]`;
//! * only `http`, `https` and `mailto` links stay links; any other destination (relative
//!   paths, `javascript:`, `data:`...) keeps its text and loses the link;
//! * single newlines are kept as line breaks (chat text is written that way).
//!
//! Everything else is escaped by pulldown-cmark's HTML writer.

use pulldown_cmark::{CodeBlockKind, CowStr, Event, Options, Parser, Tag, TagEnd, html};

/// Render `text` as safe HTML (see the module docs).
pub fn to_html(text: &str) -> String {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut events: Vec<Event<'_>> = Vec::new();
    // For each open link: whether it was kept as a link. For each open image: its URL.
    let mut links: Vec<bool> = Vec::new();
    let mut images: Vec<CowStr<'_>> = Vec::new();
    for ev in Parser::new_ext(text, opts) {
        match ev {
            Event::Html(s) | Event::InlineHtml(s) => events.push(Event::Text(s)),
            Event::Start(Tag::HtmlBlock) => {
                events.push(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented)))
            }
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::CodeBlock)),
            Event::SoftBreak => events.push(Event::HardBreak),
            Event::Start(Tag::Image { dest_url, .. }) => {
                images.push(dest_url);
                events.push(Event::Text("[image: ".into()));
            }
            Event::End(TagEnd::Image) => {
                let url = images.pop().unwrap_or(CowStr::Borrowed(""));
                let tail = if url.is_empty() {
                    "]".to_string()
                } else {
                    format!(" ({url})]")
                };
                events.push(Event::Text(tail.into()));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let keep = safe_url(&dest_url);
                links.push(keep);
                if keep {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if links.pop().unwrap_or(false) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            other => events.push(other),
        }
    }
    let mut out = String::with_capacity(text.len() + text.len() / 4 + 16);
    html::push_html(&mut out, events.into_iter());
    out
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_text() {
        let h = to_html("hello <script>alert(1)</script> <img src=x onerror=alert(2)>");
        assert!(!h.contains("<script"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("&lt;script&gt;"), "{h}");
        assert!(h.contains("&lt;img src=x onerror=alert(2)&gt;"), "{h}");
    }

    #[test]
    fn html_block_becomes_code() {
        let h = to_html("<div onclick=\"x()\">\nhi\n</div>\n");
        assert!(h.starts_with("<pre><code>&lt;div"), "{h}");
        assert!(!h.contains("<div"), "{h}");
    }

    #[test]
    fn links_and_images() {
        let h = to_html(
            "[ok](https://example.com/a?b=1&c=2) [bad](javascript:alert(1)) [rel](src/main.rs) ![pic](http://tracker/p.png)",
        );
        assert!(
            h.contains("<a href=\"https://example.com/a?b=1&amp;c=2\">ok</a>"),
            "{h}"
        );
        assert!(!h.contains("javascript"), "{h}");
        assert!(!h.contains("href=\"src"), "{h}");
        assert!(h.contains("bad"), "{h}");
        assert!(!h.contains("<img"), "{h}");
        assert!(h.contains("[image: pic (http://tracker/p.png)]"), "{h}");
    }

    #[test]
    fn markdown_still_renders() {
        let h =
            to_html("# Title\n\nline one\nline two\n\n```rust\nfn main() {}\n```\n\n- [x] done");
        assert!(h.contains("<h1>Title</h1>"));
        assert!(h.contains("line one<br />"));
        assert!(h.contains("<code class=\"language-rust\">fn main() {}"));
        assert!(h.contains("checkbox"));
    }
}
