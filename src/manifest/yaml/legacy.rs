//! The reader archmap used before: serde-saphyr's serde layer building the same [`Node`] tree.
//! Kept for tests only, to compare the event-layer reader with it on many documents.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

use super::{MAX_ALIAS_EVENTS, MAX_DEPTH, Node, VALUES_MESSAGE, Value, YamlError};
use crate::source::{FileId, SourceFile, Span};

/// Parses one file into a [`Node`] tree. An empty file (or one with only comments) is `Null`.
/// `values_left` is what the run may still read (see [`MAX_VALUES`]); the values read are taken
/// from it.
pub(super) fn parse(
    file_id: FileId,
    file: &SourceFile,
    values_left: &mut usize,
) -> Result<Node, YamlError> {
    let text = file.text();
    if let Some(empty) = super::empty_document(file_id, file) {
        return Ok(empty);
    }
    // The deserializer recurses once per nesting level with large frames (tens of kilobytes
    // in debug builds); a thread of its own with a generous stack keeps the depth bound, not
    // the caller's stack size, the limit.
    let parsed = std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("archmap-yaml".into())
            .stack_size(PARSER_STACK)
            .spawn_scoped(scope, || {
                PARSING.with(|p| p.set((file_id, text.len())));
                VALUES_LEFT.with(|v| v.set(*values_left));
                let parsed = serde_saphyr::from_str_with_options::<Node>(text, options(text.len()))
                    .map_err(|e| yaml_error(file_id, file, &e));
                (parsed, VALUES_LEFT.with(std::cell::Cell::get))
            })
            .map(std::thread::ScopedJoinHandle::join)
    });
    let parsed = parsed.map(|joined| {
        joined.map(|(result, left)| {
            *values_left = left;
            result
        })
    });
    match parsed {
        Ok(Ok(Ok(node))) => Ok(node),
        Ok(Ok(Err(err))) => Err(err),
        // Spawning failed (out of threads) or the parser panicked: report it, never propagate.
        Ok(Err(_)) | Err(_) => Err(YamlError {
            message: "the YAML parser failed on this document".into(),
            span: Span::new(file_id, 0, 0),
        }),
    }
}

/// Stack for the parser thread.
const PARSER_STACK: usize = 64 * 1024 * 1024;

/// How archmap reads YAML: duplicate keys reach the schema stage, only `true`/`false` are
/// booleans (YAML 1.2), and aliases are bounded: they may replay [`MAX_ALIAS_EVENTS`] events,
/// or one per byte of the document when that is more (8,000 components that each merge
/// `<<: *defaults` are no bomb), while [`MAX_VALUES`] bounds the memory either way.
fn options(len: usize) -> Options {
    let mut options = Options::default();
    options.duplicate_keys = DuplicateKeyPolicy::LastWins;
    options.strict_booleans = true;
    options.with_snippet = false;
    options.emit_comments = false;
    options.alias_limits.max_total_replayed_events = MAX_ALIAS_EVENTS.max(len);
    options.budget = Some(budget(len));
    options
}

/// Size bounds raised well above serde-saphyr's defaults (which stop at a few megabytes) so
/// that a 50 MB manifest of tens of thousands of components parses; depth stays small. Aliases
/// and merge keys scale with the document (`len` bytes) like the replay bound, and the ratio of
/// aliases to anchors is not judged: one `&defaults` merged into every component is the common
/// case, and the replayed events and [`MAX_VALUES`] are what bound the work.
fn budget(len: usize) -> Budget {
    let mut b = Budget::default();
    b.max_events = 200_000_000;
    b.max_nodes = 100_000_000;
    b.max_total_scalar_bytes = 512 * 1024 * 1024;
    b.max_reader_input_bytes = Some(512 * 1024 * 1024);
    b.max_documents = 1;
    b.max_depth = MAX_DEPTH;
    b.max_aliases = MAX_ALIAS_EVENTS.max(len);
    b.max_merge_keys = MAX_ALIAS_EVENTS.max(len);
    b.enforce_alias_anchor_ratio = false;
    b
}

fn yaml_error(file_id: FileId, file: &SourceFile, err: &serde_saphyr::Error) -> YamlError {
    let offset = err.location().map_or(0, |loc| location_offset(file, loc));
    let mut message = err.to_string();
    // The crate appends its own " at line X column Y"; archmap shows locations itself.
    if let Some(i) = message.find(" at line ") {
        message.truncate(i);
    }
    let message = message.trim().trim_end_matches('.').to_string();
    let end = next_char_end(file.text(), offset);
    YamlError { message, span: Span::new(file_id, offset, end) }
}

fn next_char_end(text: &str, offset: usize) -> usize {
    text.get(offset..)
        .and_then(|rest| rest.chars().next())
        .map_or(offset, |c| offset + c.len_utf8())
}

fn location_offset(file: &SourceFile, loc: serde_saphyr::Location) -> usize {
    let span = loc.span();
    match span.byte_offset() {
        Some(b) if (b as usize) <= file.text().len() => b as usize,
        _ if loc.line() > 0 => file.offset(loc.line() as usize, loc.column() as usize),
        _ => 0,
    }
}

thread_local! {
    /// The file being parsed on this (parser) thread and its length: nodes are built with their
    /// final spans while serde-saphyr reads, with no second pass over the tree.
    static PARSING: std::cell::Cell<(FileId, usize)> = const { std::cell::Cell::new((FileId(0), 0)) };
    /// Values the run may still read ([`MAX_VALUES`]).
    static VALUES_LEFT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let left = VALUES_LEFT.with(std::cell::Cell::get);
        if left == 0 {
            return Err(de::Error::custom(VALUES_MESSAGE));
        }
        VALUES_LEFT.with(|v| v.set(left - 1));
        let spanned = serde_saphyr::Spanned::<Value>::deserialize(deserializer)?;
        let (file, len) = PARSING.with(std::cell::Cell::get);
        let span = spanned.referenced.span();
        // Parsing from a string always gives byte offsets; clamp anyway.
        let start = span.byte_offset().map_or(0, |b| (b as usize).min(len));
        let end = (start + span.byte_len().unwrap_or(0) as usize).min(len);
        Ok(Node { value: spanned.value, span: Span::new(file, start, end) })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        Value::deserialize(d)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        Ok(i64::try_from(v).map_or(Value::Float(v as f64), Value::Int))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Str(String::from_utf8_lossy(v).into_owned()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some((k, v)) = map.next_entry::<Node, Node>()? {
            entries.push((k, v));
        }
        Ok(Value::Map(entries))
    }
}
