//! Escaping of user strings for each output format.
//!
//! Input: any Rust string (labels, descriptions, ids, URLs from the manifest). Output: text that
//! the target format reads back as exactly that string, or as close as the format allows
//! (characters a format cannot carry at all, such as most C0 controls, become U+FFFD).
//! Invariants: no function here lets user text start markup, an escape sequence or a statement
//! of the target language; [`mermaid_id`] is injective; every function is pure.
//!
//! The [`filters`] module exposes the same functions to the askama templates in `templates/`.

use std::fmt::Write as _;

pub(crate) use crate::layout::text::normalize_newlines;

/// U+FFFD, drawn for characters a format cannot carry.
const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` is a control character that no output format should carry: C0 controls other than
/// tab and newline, DEL and the C1 controls. Carriage returns count as controls here; callers
/// normalise line ends first with [`normalize_newlines`].
fn is_unwanted_control(c: char) -> bool {
    (c.is_control() && c != '\t' && c != '\n') || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// The body of a DOT double-quoted string (without the quotes).
///
/// Every backslash is doubled, so user text never forms a Graphviz escape such as `\N`, `\G` or
/// `\l`; `"` becomes `\"`; a newline becomes `\n` (a centred line break in labels); `&` becomes
/// `&amp;` because Graphviz decodes HTML entities in labels; other control characters become
/// U+FFFD.
#[must_use]
pub(crate) fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in normalize_newlines(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '&' => out.push_str("&amp;"),
            '\t' => out.push(' '),
            c if is_unwanted_control(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// A DOT double-quoted string: `"` + [`dot_escape`] + `"`. Use it for every id and attribute
/// value, so no user text is ever read as a DOT keyword or operator.
#[must_use]
pub(crate) fn dot_quote(s: &str) -> String {
    format!("\"{}\"", dot_escape(s))
}

/// Text escaped for XML character data and attribute values (SVG).
///
/// `& < > " '` become entities; characters XML 1.0 forbids (C0 controls other than tab and
/// newline, U+FFFE, U+FFFF) and the C1 controls become U+FFFD; `\r` is dropped after line ends
/// are normalised.
#[must_use]
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in normalize_newlines(s).chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_unwanted_control(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// The body of a Mermaid quoted label (without the quotes), e.g. inside `["…"]` or `|"…"|`.
///
/// Mermaid decodes `#name;` and `#123;` entity codes in labels and renders labels as HTML, so
/// the characters that would start markup, an entity, a directive (`%%{…}%%`), a markdown
/// string (a backtick) or a `style …:…#…;` rewrite are written as numeric entity codes:
/// the double quote, `#`, `&`, `<`, `>`, `%`, `:`, `|`, the backtick and `;`, plus `\`, `{`
/// and `}` for good measure, and `ﬂ` and `¶`, which Mermaid uses in its own entity
/// placeholders. A newline becomes `<br>`, a
/// tab a space, other control characters U+FFFD.
#[must_use]
pub(crate) fn mermaid_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in normalize_newlines(s).chars() {
        match c {
            '"'
            | '#'
            | '&'
            | '<'
            | '>'
            | '%'
            | ':'
            | '|'
            | '`'
            | ';'
            | '\\'
            | '{'
            | '}'
            | MERMAID_PLACEHOLDER_START
            | MERMAID_PLACEHOLDER_END => {
                let _ = write!(out, "#{};", u32::from(c));
            }
            '\n' => out.push_str("<br>"),
            '\t' => out.push(' '),
            c if is_unwanted_control(c) => out.push(REPLACEMENT),
            c => out.push(c),
        }
    }
    out
}

/// The first and last characters of the placeholders Mermaid substitutes for entity codes
/// while it parses (`ﬂ°…¶ß`): user text holding them would be decoded as entities, so they are
/// entity-coded too.
const MERMAID_PLACEHOLDER_START: char = '\u{FB02}';
/// See [`MERMAID_PLACEHOLDER_START`].
const MERMAID_PLACEHOLDER_END: char = '\u{B6}';

/// A Mermaid quoted label: `"` + [`mermaid_escape`] + `"`. Mermaid rejects `""`, so an empty
/// label is written as one space (which Mermaid trims away again).
#[must_use]
pub(crate) fn mermaid_quote(s: &str) -> String {
    let body = mermaid_escape(s);
    if body.is_empty() { "\" \"".to_string() } else { format!("\"{body}\"") }
}

/// An injective map from any string to a Mermaid id: `prefix` followed by the letters and
/// digits of `s`, with every other character encoded after an underscore (`_` → `__`,
/// `.` → `_d`, `-` → `_h`, anything else → `_u<hex>_`).
///
/// Two different inputs never share an output, because the encoding can be read back; ids are
/// alphanumeric or `_` only; the prefix (say `n_`) keeps them clear of Mermaid keywords such as
/// `end`, `graph`, `subgraph`, `style`, `class`, `click` and `default`.
#[must_use]
pub(crate) fn mermaid_id(prefix: &str, s: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + s.len() + 4);
    out.push_str(prefix);
    for c in s.chars() {
        match c {
            c if c.is_ascii_alphanumeric() => out.push(c),
            '_' => out.push_str("__"),
            '.' => out.push_str("_d"),
            '-' => out.push_str("_h"),
            c => {
                let _ = write!(out, "_u{:x}_", u32::from(c));
            }
        }
    }
    out
}

/// An id safe for an XML `id` attribute and a CSS selector: `prefix` + `s` with characters
/// outside `[A-Za-z0-9_.-]` replaced by `_`. Manifest ids already fit, so for them it is
/// injective; start `prefix` with a letter (`node-`, `group-`, `edge-`).
#[must_use]
pub(crate) fn xml_id(prefix: &str, s: &str) -> String {
    let mut out = String::with_capacity(prefix.len() + s.len());
    out.push_str(prefix);
    out.extend(
        s.chars().map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') { c } else { '_' }
        }),
    );
    out
}

/// Whether `url` may become a link: `http:`, `https:` and `mailto:` URLs and relative
/// references (no scheme). Anything else (`javascript:`, `data:`, `file:` …) is refused.
#[must_use]
pub(crate) fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    if url.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return false;
    }
    // A scheme is letters, digits, `+ - .` before the first `:` that precedes any `/ ? #`.
    let scheme_end = url.find([':', '/', '?', '#']);
    match scheme_end {
        Some(i) if url.as_bytes()[i] == b':' => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https" | "mailto")
        }
        _ => true,
    }
}

/// Hands out element ids: the first request for a candidate gets it as is, later requests for
/// the same candidate get `-2`, `-3` … appended (skipping any already taken), so ids in one
/// document are unique and depend only on the order of requests.
#[derive(Clone, Debug, Default)]
pub(crate) struct UniqueIds {
    taken: std::collections::HashSet<String>,
}

impl UniqueIds {
    /// An allocator with nothing taken.
    #[must_use]
    pub(crate) fn new() -> UniqueIds {
        UniqueIds::default()
    }

    /// `candidate`, or the first free `candidate-N` for N = 2, 3, ….
    pub(crate) fn allocate(&mut self, candidate: String) -> String {
        if self.taken.insert(candidate.clone()) {
            return candidate;
        }
        let mut n = 2usize;
        loop {
            let next = format!("{candidate}-{n}");
            if self.taken.insert(next.clone()) {
                return next;
            }
            n += 1;
        }
    }
}

/// A CSS hex colour (`#rgb` or `#rrggbb`) as red, green and blue; `None` for anything else,
/// so a colour that reaches a renderer unchecked is never written out.
#[must_use]
pub(crate) fn parse_hex_color(s: &str) -> Option<(u8, u8, u8)> {
    let hex = s.strip_prefix('#')?;
    if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let digit = |i: usize| u8::from_str_radix(&hex[i..=i], 16).ok();
    match hex.len() {
        3 => Some((digit(0)? * 17, digit(1)? * 17, digit(2)? * 17)),
        6 => {
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
            Some((byte(0)?, byte(2)?, byte(4)?))
        }
        _ => None,
    }
}

/// `#rrggbb` for a colour.
#[must_use]
pub(crate) fn hex_color((r, g, b): (u8, u8, u8)) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The colour mixed with white: `amount` 0.0 keeps it, 1.0 gives white. Used for light fills.
#[must_use]
pub(crate) fn tint((r, g, b): (u8, u8, u8), amount: f64) -> (u8, u8, u8) {
    let mix = |c: u8| {
        let c = f64::from(c);
        (c + (255.0 - c) * amount.clamp(0.0, 1.0)).round() as u8
    };
    (mix(r), mix(g), mix(b))
}

/// Askama filters over the functions above, for `templates/graph.dot` and
/// `templates/graph.mmd` (both set `escape = "none"`).
// `askama::filter_fn` generates undocumented builder types with `#[inline(always)]` and methods
// shaped by askama (a `self` they ignore, a `Result` they never fail), and needs the filters
// themselves `pub`.
#[allow(
    missing_docs,
    clippy::inline_always,
    clippy::unused_self,
    clippy::unnecessary_wraps,
    unreachable_pub
)]
pub(crate) mod filters {
    use std::fmt::Display;

    /// `{{ s|dot }}`: a DOT double-quoted string.
    #[askama::filter_fn]
    pub fn dot(s: impl Display, _env: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::dot_quote(&s.to_string()))
    }

    /// `{{ s|mermaid_label }}`: a Mermaid quoted label.
    #[askama::filter_fn]
    pub fn mermaid_label(s: impl Display, _env: &dyn askama::Values) -> askama::Result<String> {
        Ok(super::mermaid_quote(&s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_escapes_quotes_backslashes_and_newlines() {
        assert_eq!(dot_escape(r#"a "b" c"#), r#"a \"b\" c"#);
        assert_eq!(dot_escape(r"\N\G\l\"), r"\\N\\G\\l\\");
        assert_eq!(dot_escape("a\nb\r\nc\rd"), r"a\nb\nc\nd");
        assert_eq!(dot_escape("x & y"), "x &amp; y");
        assert_eq!(dot_escape("t\tu\u{1}"), "t u\u{FFFD}");
        assert_eq!(dot_quote("end"), "\"end\"");
        assert_eq!(dot_quote(""), "\"\"");
    }

    #[test]
    fn dot_escape_never_leaves_a_lone_backslash() {
        for s in [r"\", r"\\", "\\\"", "a\\\nb"] {
            let e = dot_escape(s);
            // Every backslash starts a pair whose second char is `\`, `"` or `n`.
            let mut chars = e.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    assert!(matches!(chars.next(), Some('\\' | '"' | 'n')), "{e}");
                }
            }
        }
    }

    #[test]
    fn xml_escapes_markup_and_drops_invalid_chars() {
        assert_eq!(xml_escape(r#"<script>&"'"#), "&lt;script&gt;&amp;&quot;&#39;");
        assert_eq!(xml_escape("a\u{0}b\u{1b}c\u{FFFF}"), "a\u{FFFD}b\u{FFFD}c\u{FFFD}");
        assert_eq!(xml_escape("tab\there\nnext"), "tab\there\nnext");
        assert_eq!(xml_escape("a\r\nb"), "a\nb");
        assert_eq!(xml_escape("é 日本 🚀 עברית"), "é 日本 🚀 עברית");
    }

    #[test]
    fn mermaid_entity_codes_syntax_characters() {
        assert_eq!(mermaid_escape(r#"say "hi""#), "say #34;hi#34;");
        assert_eq!(mermaid_escape("a#b;c"), "a#35;b#59;c");
        assert_eq!(mermaid_escape("<b>&</b>"), "#60;b#62;#38;#60;/b#62;");
        assert_eq!(mermaid_escape("%%{init: x}%%"), "#37;#37;#123;init#58; x#125;#37;#37;");
        assert_eq!(mermaid_escape("a|b`c\\"), "a#124;b#96;c#92;");
        assert_eq!(mermaid_escape("one\ntwo"), "one<br>two");
        assert_eq!(mermaid_escape("[x](y){z}"), "[x](y)#123;z#125;");
        assert_eq!(mermaid_quote("x"), "\"x\"");
        assert_eq!(mermaid_quote(""), "\" \"");
        assert_eq!(mermaid_escape("ﬂ°°38¶ß"), "#64258;°°38#182;ß");
    }

    #[test]
    fn mermaid_ids_are_injective_and_plain() {
        let ids = ["a.b", "a_b", "a-b", "a__b", "a_d", "a_h", "ab", "a_b_", "a", "A"];
        let mapped: Vec<String> = ids.iter().map(|s| mermaid_id("n_", s)).collect();
        let mut unique = mapped.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{mapped:?}");
        for m in &mapped {
            assert!(m.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{m}");
        }
        assert_eq!(mermaid_id("n_", "end"), "n_end");
        assert_eq!(mermaid_id("n_", "a.b-c_d"), "n_a_db_hc__d");
        assert_eq!(mermaid_id("n_", "é"), "n__ue9_");
    }

    #[test]
    fn xml_ids_keep_manifest_ids() {
        assert_eq!(xml_id("node-", "a.b-c_d9"), "node-a.b-c_d9");
        assert_eq!(xml_id("node-", "a b<"), "node-a_b_");
    }

    #[test]
    fn only_web_and_mail_urls_are_links() {
        for ok in [
            "https://wiki/orders",
            "http://x",
            "HTTPS://X",
            "mailto:a@b",
            "docs/orders.html",
            "/abs",
            "#anchor",
            "?q=1",
            "a/b:c",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "data:text/html,x",
            "file:///etc/passwd",
            "vbscript:x",
            "",
            "java\tscript:x",
            "http://a b",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn unique_ids_suffix_repeats() {
        let mut ids = UniqueIds::new();
        assert_eq!(ids.allocate("edge-a-b".into()), "edge-a-b");
        assert_eq!(ids.allocate("edge-a-b".into()), "edge-a-b-2");
        assert_eq!(ids.allocate("edge-a-b-3".into()), "edge-a-b-3");
        assert_eq!(ids.allocate("edge-a-b".into()), "edge-a-b-4");
    }

    #[test]
    fn colours_parse_and_tint() {
        assert_eq!(parse_hex_color("#3b82f6"), Some((0x3b, 0x82, 0xf6)));
        assert_eq!(parse_hex_color("#fff"), Some((255, 255, 255)));
        assert_eq!(parse_hex_color("#ff"), None);
        assert_eq!(parse_hex_color("red"), None);
        assert_eq!(parse_hex_color("#12345g"), None);
        assert_eq!(parse_hex_color("#ééé"), None);
        assert_eq!(hex_color(tint((0, 0, 0), 0.5)), "#808080");
        assert_eq!(hex_color(tint((0x3b, 0x82, 0xf6), 0.0)), "#3b82f6");
    }
}
