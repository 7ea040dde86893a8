//! Streaming reader for the legacy Gemini session document (v0.2.0 → v0.38): one JSON
//! object `{sessionId, projectHash, startTime, lastUpdated, messages: [...], summary?,
//! directories?, kind?}`, rewritten whole on every update.
//!
//! The document is deserialized with a visitor that hands each element of `messages` to the
//! [`Builder`] as soon as it is parsed, so memory is bounded by the largest message, not by
//! the file. A document cut short (crash during a non-atomic rewrite) keeps every message
//! read before the damage and reports a warning.

use super::Meta;
use super::messages::{Builder, MsgCtx};
use crate::AdapterError;
use convx_model::WarningKind;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;
use std::io::BufReader;
use std::path::Path;

struct Doc<'a> {
    b: &'a mut Builder,
    meta: &'a mut Meta,
}

impl<'de> DeserializeSeed<'de> for Doc<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Doc<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Gemini conversation record object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "messages" {
                map.next_value_seed(Messages { b: &mut *self.b })?;
            } else {
                let v: Value = map.next_value()?;
                self.meta.set(&key, v);
            }
        }
        Ok(())
    }
}

struct Messages<'a> {
    b: &'a mut Builder,
}

impl<'de> DeserializeSeed<'de> for Messages<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Messages<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of messages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let ctx = MsgCtx::default();
        while let Some(v) = seq.next_element::<Value>()? {
            if v.is_object() {
                self.b.message(&v, &ctx);
            } else {
                self.b.opaque("message/not_an_object", &v, None, false);
            }
        }
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Not the documented shape: skip it.
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(())
    }
}

/// Read a legacy JSON document into `b`, filling `meta`.
pub fn read(path: &Path, b: &mut Builder, meta: &mut Meta) -> Result<(), AdapterError> {
    let file = std::fs::File::open(path).map_err(|e| AdapterError::io(path, e))?;
    let mut de = serde_json::Deserializer::from_reader(BufReader::with_capacity(256 * 1024, file));
    let result = Doc {
        b: &mut *b,
        meta: &mut *meta,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if let Err(e) = result {
        let kind = match e.classify() {
            serde_json::error::Category::Eof => WarningKind::TruncatedTail,
            serde_json::error::Category::Io => WarningKind::Unreadable,
            serde_json::error::Category::Data => WarningKind::UnexpectedShape,
            serde_json::error::Category::Syntax => WarningKind::InvalidJson,
        };
        let line = u64::try_from(e.line()).ok().filter(|l| *l > 0);
        b.warn(line, kind, e.to_string());
    }
    Ok(())
}
