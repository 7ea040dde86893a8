//! Pairing the `event_msg` UI copies of assistant text and reasoning with their
//! `response_item` originals (§1.7), in either order.
//!
//! Normally every `agent_message` / `agent_reasoning` event has an item with the same text
//! and is dropped. Older versions wrote the events while streaming and the items only at the
//! end of the turn, so an interrupted turn can leave events without items: those are the
//! only record of what the model said and are emitted at the next turn boundary.

use super::reader::Reader;
use convx_model::{EventKind, Timestamp};

/// What a UI copy stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum UiKind {
    Assistant,
    Reasoning,
}

/// An event copy not (yet) matched by its item.
pub(super) struct UiCopy {
    kind: UiKind,
    text: String,
    ts: Option<Timestamp>,
    inherited: bool,
}

/// Bounds on the lists kept while pairing (memory stays bounded by a turn's tail).
const MAX_PENDING: usize = 64;

fn same(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a == b || (!a.is_empty() && !b.is_empty() && (a.contains(b) || b.contains(a)))
}

impl Reader<'_> {
    /// An `agent_message` / `agent_reasoning` event in a file with items.
    pub(super) fn ui_copy(&mut self, kind: UiKind, text: String) {
        if text.trim().is_empty() {
            return;
        }
        if let Some(i) = self
            .recent_items
            .iter()
            .position(|(k, t)| *k == kind && same(t, &text))
        {
            self.recent_items.remove(i);
            return;
        }
        if self.unmatched_ui.len() >= MAX_PENDING {
            self.flush_ui();
        }
        self.unmatched_ui.push(UiCopy {
            kind,
            text,
            ts: self.line_ts,
            inherited: self.inherited,
        });
    }

    /// An assistant message or reasoning item with this text was emitted.
    pub(super) fn item_seen(&mut self, kind: UiKind, text: &str) {
        if text.trim().is_empty() {
            return;
        }
        if let Some(i) = self
            .unmatched_ui
            .iter()
            .position(|c| c.kind == kind && same(&c.text, text))
        {
            self.unmatched_ui.remove(i);
            return;
        }
        if self.recent_items.len() >= MAX_PENDING {
            self.recent_items.remove(0);
        }
        self.recent_items.push((kind, text.to_string()));
    }

    /// Emit the event copies whose items never came (turn boundary or end of file).
    pub(super) fn flush_ui(&mut self) {
        self.recent_items.clear();
        for c in std::mem::take(&mut self.unmatched_ui) {
            let kind = match c.kind {
                UiKind::Assistant => EventKind::AssistantText { text: c.text },
                UiKind::Reasoning => EventKind::Reasoning {
                    text: c.text,
                    encrypted: false,
                },
            };
            self.emit_at(kind, c.ts, c.inherited, None, None);
        }
    }
}
