//! The YAML adapter: the only module that knows which YAML crate archmap uses.
//!
//! Input: the text of one file. Output: a [`Node`] tree in which every value and every map key
//! carries its [`Span`], with map entries in document order and duplicate keys kept (the schema
//! stage reports them as AM002, with both places). Invariants: never panics on any input; alias
//! expansion, nesting depth and document size are bounded; a syntax error is one [`YamlError`]
//! with a byte offset.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Options};

use crate::source::{FileId, SourceFile, Span};

/// The largest nesting of maps and lists a manifest may have. A manifest needs about six
/// levels; the bound keeps a hostile file from exhausting the stack.
pub(crate) const MAX_DEPTH: usize = 64;

/// The most events (scalars, map and list starts and ends) that aliases may replay, so that a
/// "billion laughs" document stops early with an error instead of exhausting memory. Refusing
/// costs time in proportion (about 0.2 s in a release build at this bound, 2 s in a debug one); fuzzing found 200,000
/// too slow.
pub(crate) const MAX_ALIAS_EVENTS: usize = 50_000;

/// The most YAML values (scalars, lists and maps, keys included, aliases counted each time they
/// are replayed) one run reads across all its files. A value costs about 60 bytes in memory
/// before its text, so this bounds the tree at about 250 MB however the input is shaped (a
/// list of one-digit numbers costs 28 bytes of tree per byte of input). A 100,000-component
/// manifest holds about 2,000,000.
pub(crate) const MAX_VALUES: usize = 4_000_000;

/// One YAML value with its location.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// The value.
    pub value: Value,
    /// Where the value stands; for a map or list, where it starts.
    pub span: Span,
}

/// The value of a [`Node`].
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (plain or quoted).
    Str(String),
    /// A list.
    Seq(Vec<Node>),
    /// A map, entries in document order, duplicate keys kept.
    Map(Vec<(Node, Node)>),
}

impl Value {
    /// What the value is, for messages: "a string", "a list", …
    #[must_use]
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a map",
        }
    }
}

/// A document that is not well-formed YAML, or that breaks a size bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct YamlError {
    /// What went wrong, in the YAML crate's words.
    pub message: String,
    /// Where.
    pub span: Span,
}

/// Parses one file into a [`Node`] tree. An empty file (or one with only comments) is `Null`.
/// `values_left` is what the run may still read (see [`MAX_VALUES`]); the values read are taken
/// from it.
pub(crate) fn parse(
    file_id: FileId,
    file: &SourceFile,
    values_left: &mut usize,
) -> Result<Node, YamlError> {
    let text = file.text();
    if text.trim().is_empty()
        || text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Node { value: Value::Null, span: Span::new(file_id, 0, 0) });
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

/// The message of a document stopped by [`MAX_VALUES`] ("budget" routes it to the size advice).
pub(crate) const VALUES_MESSAGE: &str = "value budget exceeded";

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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(text: &str) -> Result<Node, YamlError> {
        parse(FileId(0), &SourceFile::new("t.yaml", text), &mut MAX_VALUES.clone())
    }

    #[test]
    fn values_are_counted_across_files() {
        let file = SourceFile::new("t.yaml", "a: [1, 2, 3]\n");
        let mut left = 100;
        assert!(parse(FileId(0), &file, &mut left).is_ok());
        // The map, its key, the list and three numbers.
        assert_eq!(left, 94);
        let mut left = 5;
        let err = parse(FileId(0), &file, &mut left).unwrap_err();
        assert!(err.message.contains(VALUES_MESSAGE), "{err:?}");
        // Aliases count each time they are replayed.
        let aliased = SourceFile::new("t.yaml", "a: &x [1, 2]\nb: *x\nc: *x\n");
        let mut left = 100;
        assert!(parse(FileId(0), &aliased, &mut left).is_ok());
        assert_eq!(left, 100 - 1 - 3 * 4);
    }

    #[test]
    fn merging_defaults_into_thousands_of_components_is_no_bomb() {
        use std::fmt::Write as _;
        let mut text =
            String::from("x-d: &d {owner: team, tech: Go, replicas: 2, tags: [a, b]}\ns:\n");
        for i in 0..8_000 {
            let _ = writeln!(text, "  s{i}:\n    <<: *d");
        }
        let r = parse_str(&text);
        assert!(r.is_ok(), "{r:?}");
    }

    fn slice<'a>(text: &'a str, node: &Node) -> &'a str {
        &text[node.span.start..node.span.end]
    }

    #[test]
    fn keys_and_values_carry_spans() {
        let text = "version: 1\nname: \"Shop é\"\nservices:\n  a: {kind: database}\n  b:\n    depends_on: [a]\n";
        let node = parse_str(text).unwrap();
        let Value::Map(entries) = &node.value else { panic!("not a map") };
        assert_eq!(entries.len(), 3);
        assert_eq!(slice(text, &entries[0].0), "version");
        assert_eq!(entries[0].1.value, Value::Int(1));
        assert_eq!(slice(text, &entries[0].1), "1");
        assert_eq!(entries[1].1.value, Value::Str("Shop é".into()));
        let Value::Map(services) = &entries[2].1.value else { panic!("not a map") };
        assert_eq!(slice(text, &services[1].0), "b");
        let Value::Map(b) = &services[1].1.value else { panic!("not a map") };
        let Value::Seq(deps) = &b[0].1.value else { panic!("not a list") };
        assert_eq!(slice(text, &deps[0]), "a");
    }

    #[test]
    fn duplicate_keys_are_kept_in_order() {
        let text = "a: 1\nb: 2\na: 3\n";
        let node = parse_str(text).unwrap();
        let Value::Map(entries) = &node.value else { panic!("not a map") };
        let keys: Vec<_> = entries.iter().map(|(k, _)| slice(text, k)).collect();
        assert_eq!(keys, ["a", "b", "a"]);
        assert_eq!(entries[2].0.span.start, 10);
    }

    #[test]
    fn yaml_1_1_booleans_stay_strings() {
        let node = parse_str("a: yes\nb: true\n").unwrap();
        let Value::Map(entries) = &node.value else { panic!("not a map") };
        assert_eq!(entries[0].1.value, Value::Str("yes".into()));
        assert_eq!(entries[1].1.value, Value::Bool(true));
    }

    #[test]
    fn syntax_errors_have_locations() {
        let err = parse_str("a: 1\nb: [1, 2\n").unwrap_err();
        assert!(err.span.start > 0, "{err:?}");
        let err = parse_str("a:\n\t- x\n").unwrap_err();
        assert!(!err.message.is_empty());
    }

    #[test]
    fn empty_and_comment_only_files_are_null() {
        assert_eq!(parse_str("").unwrap().value, Value::Null);
        assert_eq!(parse_str("# nothing\n\n").unwrap().value, Value::Null);
    }

    #[test]
    fn bombs_and_deep_nesting_stop_with_errors() {
        use std::fmt::Write as _;
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 0..9 {
            let prev = if i == 0 { "a".to_string() } else { format!("l{}", i - 1) };
            let _ = writeln!(
                bomb,
                "l{i}: &l{i} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]"
            );
        }
        assert!(parse_str(&bomb).is_err());
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_str(&deep).is_err());
        let mut block = String::new();
        for i in 0..5_000 {
            block.push_str(&" ".repeat(i));
            block.push_str("k:\n");
        }
        assert!(parse_str(&block).is_err());
    }
}
