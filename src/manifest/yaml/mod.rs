//! The YAML adapter: the only module that knows which YAML crate archmap uses.
//!
//! Input: the text of one file. Output: a [`Node`] tree in which every value and every map key
//! carries its [`Span`], with map entries in document order and duplicate keys kept (the schema
//! stage reports them as AM002, with both places). Invariants: never panics on any input; alias
//! expansion, nesting depth and document size are bounded; a syntax error is one [`YamlError`]
//! with a byte offset.
//!
//! How: granit-parser's event stream ([`events`]: aliases replayed, size bounds checked) feeds
//! a tree builder with an explicit stack ([`build`]), which reads scalars as [`scalar`] says.
//! Nothing recurses, so the caller's stack never limits the nesting and no thread is needed.
//! These are the rules archmap read YAML by through serde-saphyr before (YAML 1.2 booleans,
//! merge keys, the same bounds and messages); a test compares both readers on every YAML file
//! of the repository and on a set of tricky documents.

mod build;
mod events;
#[cfg(test)]
mod legacy;
mod scalar;
#[cfg(test)]
mod tests;

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

/// The `Null` tree of a file that is empty or holds only comments; `None` for any other file.
pub(super) fn empty_document(file_id: FileId, file: &SourceFile) -> Option<Node> {
    let text = file.text();
    (text.trim().is_empty()
        || text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#')))
    .then(|| Node { value: Value::Null, span: Span::new(file_id, 0, 0) })
}

/// Parses one file into a [`Node`] tree. An empty file (or one with only comments) is `Null`.
/// `values_left` is what the run may still read (see [`MAX_VALUES`]); the values read are taken
/// from it.
pub(crate) fn parse(
    file_id: FileId,
    file: &SourceFile,
    values_left: &mut usize,
) -> Result<Node, YamlError> {
    if let Some(empty) = empty_document(file_id, file) {
        return Ok(empty);
    }
    build::build(file_id, file, values_left)
}

/// The message of a document stopped by [`MAX_VALUES`] ("budget" routes it to the size advice).
pub(crate) const VALUES_MESSAGE: &str = "value budget exceeded";
