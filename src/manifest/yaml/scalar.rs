//! What a YAML scalar means: tags, implicit resolution (YAML 1.2 core schema with strict
//! booleans) and the identity of map keys.
//!
//! Input: one scalar event (its text, quoting style and tag). Output: a [`Value`], an error
//! message, or a key identity ([`KeyId`]) used to tell which merged keys an explicit key
//! overrides. The rules are those archmap has always applied: `~`, `null` and an empty plain
//! scalar are null; only `true`/`false` (any of three casings) are booleans; integers in
//! decimal, `0x`, `0o` and `0b` with `_` separators, larger than `i64` becoming floats;
//! quoted scalars are always strings.

use granit_parser::{ScalarStyle, Tag};

use super::Value;

/// The YAML namespace of the core tags (`!!str` is `tag:yaml.org,2002:str`).
const YAML_NAMESPACE: &str = "tag:yaml.org,2002:";

/// What a tag asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum TagKind {
    /// No tag.
    None,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    Timestamp,
    /// `!!time`, `!!degrees`, `!!radians`: unit tags archmap does not convert.
    Unit,
    Binary,
    Str,
    Merge,
    Value,
    /// `!` alone: a plain string.
    NonSpecific,
    Include,
    /// A tag archmap does not know; the value is read as if untagged.
    Other,
}

/// Which kind of node a tag may stand on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NodeKind {
    Scalar,
    Seq,
    Map,
}

/// A node's tag: its kind and how it is spelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TagInfo {
    /// What it asks for.
    pub kind: TagKind,
    /// The resolved spelling (`tag:yaml.org,2002:str`), the identity of a custom tag.
    pub resolved: String,
    /// The spelling as written (`!!str`), for messages.
    pub original: String,
    /// Bytes the tag counts toward the scalar budget (handle and suffix).
    pub budget_len: usize,
}

impl TagInfo {
    pub(super) fn new(tag: &Tag) -> Self {
        let (handle, suffix) = tag.parts();
        TagInfo {
            kind: tag_kind(tag),
            resolved: tag.to_string(),
            original: tag.original(),
            budget_len: handle.len() + suffix.len(),
        }
    }
}

fn is_include(tag: &Tag) -> bool {
    ["!include", "tag:yaml.org,2002:include", "tag:yaml.org,2002:!include"].iter().any(|prefix| {
        tag.suffix_in_namespace(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
    })
}

fn core_name(name: &str) -> Option<TagKind> {
    Some(match name {
        "null" => TagKind::Null,
        "bool" => TagKind::Bool,
        "int" => TagKind::Int,
        "float" => TagKind::Float,
        "map" => TagKind::Map,
        "seq" => TagKind::Seq,
        "str" => TagKind::Str,
        _ => return None,
    })
}

fn named(name: &str) -> TagKind {
    match name {
        "timestamp" => TagKind::Timestamp,
        "time" | "degrees" | "radians" => TagKind::Unit,
        "binary" => TagKind::Binary,
        "include" => TagKind::Include,
        other => core_name(other).unwrap_or(TagKind::Other),
    }
}

fn tag_kind(tag: &Tag) -> TagKind {
    if is_include(tag) {
        return TagKind::Include;
    }
    if let Some(kind) = tag.core_suffix().and_then(core_name) {
        return kind;
    }
    if let Some(suffix) = tag.suffix_in_namespace(YAML_NAMESPACE) {
        match suffix.as_ref() {
            "merge" => return TagKind::Merge,
            "value" => return TagKind::Value,
            name => return named(name.strip_prefix('!').unwrap_or(name)),
        }
    }
    let Some(suffix) = tag.suffix_in_namespace("!") else {
        return TagKind::Other;
    };
    match suffix.as_ref() {
        "" | "!" => TagKind::NonSpecific,
        "!timestamp" => TagKind::Timestamp,
        "!binary" => TagKind::Binary,
        name => match name.strip_prefix('!') {
            Some(name) => core_name(name).unwrap_or(TagKind::Other),
            None => named(name),
        },
    }
}

impl TagKind {
    /// The node kind the tag requires, if any.
    pub(super) fn requires(self) -> Option<NodeKind> {
        match self {
            TagKind::Seq => Some(NodeKind::Seq),
            TagKind::Map => Some(NodeKind::Map),
            TagKind::None | TagKind::NonSpecific | TagKind::Other => None,
            _ => Some(NodeKind::Scalar),
        }
    }

    fn forces_string(self) -> bool {
        matches!(self, TagKind::Str | TagKind::NonSpecific)
    }

    fn can_be_string(self) -> bool {
        matches!(
            self,
            TagKind::None
                | TagKind::Str
                | TagKind::Merge
                | TagKind::Value
                | TagKind::Other
                | TagKind::Include
                | TagKind::NonSpecific
        )
    }

    fn is_core(self) -> bool {
        matches!(
            self,
            TagKind::Int
                | TagKind::Float
                | TagKind::Bool
                | TagKind::Null
                | TagKind::Seq
                | TagKind::Map
                | TagKind::Str
        )
    }
}

/// The kind of an optional tag.
pub(super) fn kind_of(tag: Option<&TagInfo>) -> TagKind {
    tag.map_or(TagKind::None, |t| t.kind)
}

/// Whether a key scalar is the merge key `<<` (plain and untagged, or tagged `!!merge`).
pub(super) fn is_merge_key(value: &str, style: ScalarStyle, tag: TagKind) -> bool {
    value == "<<" && (tag == TagKind::Merge || tag == TagKind::None && style == ScalarStyle::Plain)
}

/// The message of a scalar that cannot be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ScalarError {
    InvalidBool,
    Invalid(&'static str),
    NonFinite,
    Base64,
    BinaryNotUtf8,
    TaggedNotString,
}

impl ScalarError {
    pub(super) fn message(self, raw: &str) -> String {
        match self {
            ScalarError::InvalidBool => "invalid boolean (strict mode expects true/false)".into(),
            ScalarError::Invalid(ty) => format!("invalid {ty}"),
            ScalarError::NonFinite => {
                format!("non-finite float `{raw}` rejected by the configured policy")
            }
            ScalarError::Base64 => "invalid !!binary base64".into(),
            ScalarError::BinaryNotUtf8 => "!!binary scalar is not valid UTF-8 so cannot be stored into string. If you just use !!binary for documentation/annotation, set ignore_binary_tag_for_string in Options".into(),
            ScalarError::TaggedNotString => "cannot deserialize tagged scalar into string".into(),
        }
    }
}

fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

fn is_nullish(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn is_null(tag: TagKind, value: &str, style: ScalarStyle) -> bool {
    tag == TagKind::Null
        || (!tag.is_core()
            && !tag.forces_string()
            && !matches!(tag, TagKind::Binary | TagKind::Timestamp | TagKind::Unit)
            && is_nullish(value, style))
}

fn strict_bool(s: &str) -> Option<bool> {
    match trim(s) {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Whether a merge value (or one element of a merged list) is null: it then merges nothing.
pub(super) fn merges_nothing(value: &str, style: ScalarStyle, tag: TagKind) -> bool {
    is_null(tag, value, style)
}

/// Reads a scalar. `value` is its text after escapes and folding.
pub(super) fn resolve(value: &str, style: ScalarStyle, tag: TagKind) -> Result<Value, ScalarError> {
    match tag {
        TagKind::Null => return Ok(Value::Null),
        TagKind::Bool => {
            return strict_bool(value).map(Value::Bool).ok_or(ScalarError::InvalidBool);
        }
        TagKind::Int if trim(value).starts_with('-') => {
            return parse_signed(value)
                .and_then(|v| i64::try_from(v).ok())
                .map(Value::Int)
                .ok_or(ScalarError::Invalid("i64"));
        }
        TagKind::Int => {
            return parse_unsigned(value)
                .and_then(|v| u64::try_from(v).ok())
                .map(from_u64)
                .ok_or(ScalarError::Invalid("u64"));
        }
        TagKind::Float => {
            let v =
                float_incl_overflow(value, tag).ok_or(ScalarError::Invalid("floating point"))?;
            return finite(v);
        }
        TagKind::Unit => return Err(ScalarError::Invalid("floating point")),
        _ => {}
    }
    if is_null(tag, value, style) {
        return Ok(Value::Null);
    }
    if style != ScalarStyle::Plain
        || !tag.can_be_string()
        || tag == TagKind::Binary
        || tag.forces_string()
    {
        if tag == TagKind::Binary {
            let bytes = decode_base64(value).ok_or(ScalarError::Base64)?;
            return String::from_utf8(bytes)
                .map(Value::Str)
                .map_err(|_| ScalarError::BinaryNotUtf8);
        }
        if !tag.can_be_string() {
            return Err(ScalarError::TaggedNotString);
        }
        return Ok(Value::Str(value.to_owned()));
    }
    Ok(resolve_plain(value, tag)?.unwrap_or_else(|| Value::Str(value.to_owned())))
}

/// A plain scalar that is not null: a boolean, a number, or `None` for a string.
fn resolve_plain(value: &str, tag: TagKind) -> Result<Option<Value>, ScalarError> {
    // The common case: a word that starts with a letter other than those of `true`,
    // `false`, `.inf`/`.nan` and digits is a string.
    let first = value.as_bytes().first().copied().unwrap_or(b' ');
    if first.is_ascii_alphabetic() && !matches!(first, b't' | b'T' | b'f' | b'F') {
        return Ok(None);
    }
    if let Some(b) = strict_bool(value) {
        return Ok(Some(Value::Bool(b)));
    }
    let t = trim(value);
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    if matches!(unsigned.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]) || is_signed_nan(t) {
        return Ok(None);
    }
    if t.starts_with('-') {
        if !leading_zero_decimal(t)
            && let Some(v) = parse_signed(t).and_then(|v| i64::try_from(v).ok())
        {
            return Ok(Some(Value::Int(v)));
        }
    } else if let Some(v) = parse_unsigned(t).and_then(|v| u64::try_from(v).ok()) {
        return Ok(Some(from_u64(v)));
    }
    match float_incl_overflow(value, tag) {
        Some(v) => finite(v).map(Some),
        None => Ok(None),
    }
}

fn from_u64(v: u64) -> Value {
    i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)
}

fn finite(v: f64) -> Result<Value, ScalarError> {
    if v.is_finite() { Ok(Value::Float(v)) } else { Err(ScalarError::NonFinite) }
}

fn is_signed_nan(t: &str) -> bool {
    t.strip_prefix(['+', '-']).is_some_and(|u| matches!(u, ".nan" | ".NaN" | ".NAN"))
}

fn leading_zero_decimal(t: &str) -> bool {
    let s = trim(t);
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

/// Digits in `radix` with single `_` separators between them.
fn digits_u128(digits: &str, radix: u32) -> Option<u128> {
    let bytes = digits.as_bytes();
    let mut val: u128 = 0;
    let mut saw = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            let prev_ok = i > 0 && bytes[i - 1] != b'_';
            let next_ok = i + 1 < bytes.len() && bytes[i + 1] != b'_';
            if !prev_ok || !next_ok {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(16)?;
        if d >= radix {
            return None;
        }
        val = val.checked_mul(u128::from(radix))?.checked_add(u128::from(d))?;
        saw = true;
    }
    saw.then_some(val)
}

fn radix_and_digits(rest: &str) -> (u32, &str) {
    if let Some(r) = rest.strip_prefix("0x").or_else(|| rest.strip_prefix("0X")) {
        (16, r)
    } else if let Some(r) = rest.strip_prefix("0o").or_else(|| rest.strip_prefix("0O")) {
        (8, r)
    } else if let Some(r) = rest.strip_prefix("0b").or_else(|| rest.strip_prefix("0B")) {
        (2, r)
    } else {
        (10, rest)
    }
}

/// An integer with an optional sign, as an `i128`.
fn parse_signed(s: &str) -> Option<i128> {
    let t = trim(s);
    let (neg, rest) = match t.strip_prefix('+') {
        Some(r) => (false, r),
        None => t.strip_prefix('-').map_or((false, t), |r| (true, r)),
    };
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let mag = digits_u128(digits, radix)?;
    if neg {
        if mag == i128::MAX as u128 + 1 {
            Some(i128::MIN)
        } else {
            i128::try_from(mag).ok()?.checked_neg()
        }
    } else {
        i128::try_from(mag).ok()
    }
}

/// An integer without a minus sign, as a `u128`.
fn parse_unsigned(s: &str) -> Option<u128> {
    let t = trim(s);
    if t.starts_with('-') {
        return None;
    }
    let rest = t.strip_prefix('+').unwrap_or(t);
    let (radix, digits) = radix_and_digits(rest);
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    digits_u128(digits, radix)
}

/// A YAML 1.2 float, or a decimal literal too large for `f64` (infinite).
fn float_incl_overflow(s: &str, tag: TagKind) -> Option<f64> {
    let t = trim(s);
    if tag == TagKind::Float && is_signed_nan(t) {
        return Some(f64::NAN);
    }
    let (negative, unsigned) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match unsigned {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" => {
            return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
        }
        _ => {}
    }
    let parsed = t.parse::<f64>().ok();
    if let Some(v) = parsed.filter(|v| v.is_finite()) {
        return Some(v);
    }
    if !unsigned.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    parsed.filter(|v| v.is_infinite())
}

fn base64_value(b: u8) -> Option<u32> {
    Some(u32::from(match b {
        b'A'..=b'Z' => b - b'A',
        b'a'..=b'z' => b - b'a' + 26,
        b'0'..=b'9' => b - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => return None,
    }))
}

/// Standard base64 with padding; ASCII whitespace anywhere is ignored.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let cleaned: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !cleaned.len().is_multiple_of(4) {
        return None;
    }
    let mut out = Vec::with_capacity(cleaned.len() / 4 * 3);
    let chunks = cleaned.chunks_exact(4);
    let total = chunks.len();
    for (idx, chunk) in chunks.enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 0 && idx + 1 != total {
            return None;
        }
        let first = base64_value(chunk[0])?;
        let second = base64_value(chunk[1])?;
        let third = match chunk[2] {
            b'=' if pad >= 2 => 0,
            b'=' => return None,
            byte => base64_value(byte)?,
        };
        let fourth = match chunk[3] {
            b'=' if pad > 0 => 0,
            b'=' => return None,
            byte => base64_value(byte)?,
        };
        if (pad == 2 && second & 0x0F != 0) || (pad == 1 && third & 0x03 != 0) {
            return None;
        }
        let triple = (first << 18) | (second << 12) | (third << 6) | fourth;
        out.push((triple >> 16) as u8);
        if pad < 2 {
            out.push((triple >> 8) as u8);
        }
        if pad < 1 {
            out.push(triple as u8);
        }
    }
    Some(out)
}

/// How a key's tag counts for identity.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum KeyTag {
    Known(TagKind),
    Custom(String),
}

fn key_tag(tag: Option<&TagInfo>, kind: TagKind, implicit: TagKind) -> KeyTag {
    if let Some(t) = tag
        && (kind == TagKind::Other
            || (implicit == TagKind::Map && kind == TagKind::Map && t.resolved == "!map"))
    {
        return KeyTag::Custom(t.resolved.clone());
    }
    KeyTag::Known(if matches!(kind, TagKind::None | TagKind::NonSpecific) {
        implicit
    } else if implicit == TagKind::Str && kind.can_be_string() {
        TagKind::Str
    } else {
        kind
    })
}

/// The identity of a map key: `1` and `0x1` are the same key, `a` and `"a"` too, while
/// `{a: 1, b: 2}` and `{b: 2, a: 1}` are the same complex key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum KeyId {
    Int { negative: bool, magnitude: u128 },
    Scalar { value: String, tag: KeyTag },
    Seq { tag: KeyTag, items: Vec<KeyId> },
    Map { tag: KeyTag, entries: Vec<(KeyId, KeyId)> },
}

impl KeyId {
    /// Whether an integer is part of the key (keys then compare by number, not spelling).
    pub(super) fn has_int(&self) -> bool {
        match self {
            KeyId::Int { .. } => true,
            KeyId::Scalar { .. } => false,
            KeyId::Seq { items, .. } => items.iter().any(KeyId::has_int),
            KeyId::Map { entries, .. } => entries.iter().any(|(k, v)| k.has_int() || v.has_int()),
        }
    }
}

/// The identity of a scalar key; `None` when it is the common case, a string key whose
/// identity is its text (the node's `Value::Str`), which needs no copy.
pub(super) fn scalar_key_id(
    value: &str,
    style: ScalarStyle,
    tag: Option<&TagInfo>,
    resolved: &Value,
) -> Option<KeyId> {
    let kind = kind_of(tag);
    let t = trim(value);
    let may_be_int =
        t.as_bytes().first().is_some_and(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-'));
    if may_be_int && (kind == TagKind::Int || kind == TagKind::None && style == ScalarStyle::Plain)
    {
        let int = if t.starts_with('-') {
            parse_signed(t).map(|v| (v < 0, v.unsigned_abs()))
        } else {
            parse_unsigned(t).map(|v| (false, v))
        };
        if let Some((negative, magnitude)) = int {
            return Some(KeyId::Int { negative, magnitude });
        }
    }
    let kind =
        if kind == TagKind::None && is_null(kind, value, style) { TagKind::Null } else { kind };
    let tag = key_tag(tag, kind, TagKind::Str);
    if tag == KeyTag::Known(TagKind::Str)
        && let Value::Str(s) = resolved
        && s == value
    {
        return None;
    }
    Some(KeyId::Scalar { value: value.to_owned(), tag })
}

/// The identity of a list or map key's start.
pub(super) fn collection_key_tag(tag: Option<&TagInfo>, is_map: bool) -> KeyTag {
    let implicit = if is_map { TagKind::Map } else { TagKind::Seq };
    key_tag(tag, kind_of(tag), implicit)
}
