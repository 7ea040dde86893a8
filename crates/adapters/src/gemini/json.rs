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
use std::io::{BufReader, Read};
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

/// Documents up to this size are read into memory and parsed from the slice; larger ones are
/// streamed (memory bounded by the largest message).
const IN_MEMORY_LIMIT: u64 = 48 * 1024 * 1024;

fn parse<'de, R: serde_json::de::Read<'de>>(
    de: &mut serde_json::Deserializer<R>,
    b: &mut Builder,
    meta: &mut Meta,
) -> Result<(), serde_json::Error> {
    Doc { b, meta }
        .deserialize(&mut *de)
        .and_then(|()| de.end())
}

/// Read a legacy JSON document into `b`, filling `meta`.
pub fn read(path: &Path, b: &mut Builder, meta: &mut Meta) -> Result<(), AdapterError> {
    read_with_limit(path, b, meta, IN_MEMORY_LIMIT)
}

fn read_with_limit(
    path: &Path,
    b: &mut Builder,
    meta: &mut Meta,
    limit: u64,
) -> Result<(), AdapterError> {
    let mut file = std::fs::File::open(path).map_err(|e| AdapterError::io(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(u64::MAX);
    let result = if size <= limit {
        // Parsing from a slice is several times faster than from a reader.
        let mut bytes = Vec::with_capacity(size as usize);
        file.read_to_end(&mut bytes)
            .map_err(|e| AdapterError::io(path, e))?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        parse(&mut de, b, meta)
    } else {
        let mut de =
            serde_json::Deserializer::from_reader(BufReader::with_capacity(256 * 1024, file));
        parse(&mut de, b, meta)
    };
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

#[cfg(test)]
mod tests {
    use super::*;
    use convx_model::{Agent, Session};
    use std::path::PathBuf;

    fn json_fixtures(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                json_fixtures(&p, out);
            } else if p.extension().is_some_and(|x| x == "json")
                && p.parent().is_some_and(|d| {
                    d.ends_with("chats") || d.parent().is_some_and(|g| g.ends_with("chats"))
                })
            {
                out.push(p);
            }
        }
    }

    fn run(path: &Path, limit: u64) -> serde_json::Value {
        let mut b = Builder::new(Session::new(Agent::Gemini, "t"), "t".into());
        let mut meta = Meta::default();
        read_with_limit(path, &mut b, &mut meta, limit).unwrap();
        let mut v = serde_json::to_value(&b.session).unwrap();
        // Parser messages name a column only when parsing from a slice.
        if let Some(w) = v.get_mut("warnings").and_then(|w| w.as_array_mut()) {
            for x in w {
                x["detail"] = serde_json::Value::Null;
            }
        }
        v
    }

    /// Streaming a document gives exactly what parsing it in memory gives.
    #[test]
    fn streamed_matches_in_memory() {
        let mut files = Vec::new();
        json_fixtures(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/gemini"),
            &mut files,
        );
        assert!(files.len() >= 8);
        for f in files {
            assert_eq!(run(&f, u64::MAX), run(&f, 0), "{}", f.display());
        }
    }
}
