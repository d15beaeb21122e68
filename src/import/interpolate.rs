//! Compose variable interpolation and `.env` files.
//!
//! Input: a string from a compose file (or a `.env` line) and a lookup for variables. Output:
//! the string with `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`,
//! `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}` replaced and `$$` turned into `$`, plus the names
//! of variables that were used while unset. Invariants: never panics; defaults and
//! alternatives may nest further interpolations; a malformed template is an error, as docker
//! compose makes it.

/// Why a string could not be interpolated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InterpolateError {
    /// `${VAR:?message}` or `${VAR?message}` with the variable missing (or empty for `:?`).
    Required {
        /// The variable.
        name: String,
        /// The message the file gives, possibly empty.
        message: String,
    },
    /// A `$` that starts no valid substitution, or an unclosed `${`.
    Invalid(String),
    /// The result would be longer than the budget (bytes) it was given.
    TooLarge(usize),
}

impl std::fmt::Display for InterpolateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InterpolateError::Required { name, message } if message.is_empty() => {
                write!(f, "required variable `{name}` is missing a value")
            }
            InterpolateError::Required { name, message } => {
                write!(f, "required variable `{name}` is missing a value: {message}")
            }
            InterpolateError::Invalid(why) => write!(f, "invalid interpolation: {why}"),
            InterpolateError::TooLarge(limit) => {
                write!(
                    f,
                    "interpolation expands to more than {} bytes",
                    crate::manifest::group_digits(*limit)
                )
            }
        }
    }
}

/// The most nested `${…}` inside defaults: bounds recursion on hostile input.
const MAX_NESTING: usize = 16;

/// The longest text one string may expand to (1 MiB): a compose value is a name, a command
/// line or a URL, and variables that reference each other ten times over would otherwise
/// grow exponentially.
pub(crate) const MAX_INTERPOLATED: usize = 1 << 20;

/// The most characters of a template quoted in a message.
const QUOTED: usize = 60;

/// A successful interpolation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Interpolated {
    /// The text with every substitution done.
    pub text: String,
    /// Variables read while unset (their substitution was the empty string), in order.
    pub unset: Vec<String>,
}

/// Interpolates `input` into at most [`MAX_INTERPOLATED`] bytes; `lookup` returns a
/// variable's value, `None` when it is unset.
#[cfg(test)]
pub(crate) fn interpolate(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Interpolated, InterpolateError> {
    interpolate_within(input, lookup, MAX_INTERPOLATED)
}

/// Interpolates `input` into at most `limit` bytes (else [`InterpolateError::TooLarge`], found
/// as soon as the output passes the limit: the work is bounded by `limit`, not by what the
/// variables would expand to).
pub(crate) fn interpolate_within(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
    limit: usize,
) -> Result<Interpolated, InterpolateError> {
    let mut out = Interpolated::default();
    let mut cx = Expansion { lookup, unset: &mut out.unset, limit };
    let text = cx.expand(input, 0)?;
    out.text = text;
    Ok(out)
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// One interpolation: the lookup, the variables found unset, the output budget.
struct Expansion<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    unset: &'a mut Vec<String>,
    limit: usize,
}

impl Expansion<'_> {
    fn push(&self, out: &mut String, text: &str) -> Result<(), InterpolateError> {
        if out.len() + text.len() > self.limit {
            return Err(InterpolateError::TooLarge(self.limit));
        }
        crate::work::add(crate::work::Work::Interpolation, text.len());
        out.push_str(text);
        Ok(())
    }

    fn expand(&mut self, input: &str, depth: usize) -> Result<String, InterpolateError> {
        if depth > MAX_NESTING {
            return Err(InterpolateError::Invalid(format!(
                "substitutions nest deeper than {MAX_NESTING} levels"
            )));
        }
        let mut out = String::with_capacity(input.len().min(self.limit));
        let mut rest = input;
        while let Some(i) = rest.find('$') {
            self.push(&mut out, &rest[..i])?;
            let after = &rest[i + 1..];
            let mut chars = after.chars();
            match chars.next() {
                Some('$') => {
                    self.push(&mut out, "$")?;
                    rest = &after[1..];
                }
                Some('{') => {
                    let body_start = 1;
                    let close = matching_brace(&after[body_start..]).ok_or_else(|| {
                        InterpolateError::Invalid(format!(
                            "`${{` without a closing `}}` in `{}`",
                            truncate(input, QUOTED)
                        ))
                    })?;
                    let body = &after[body_start..body_start + close];
                    let value = self.braced(body, depth)?;
                    self.push(&mut out, &value)?;
                    rest = &after[body_start + close + 1..];
                }
                Some(c) if is_name_start(c) => {
                    let len = after.find(|c: char| !is_name_char(c)).unwrap_or(after.len());
                    let name = &after[..len];
                    let value = self.value_or_unset(name);
                    self.push(&mut out, &value)?;
                    rest = &after[len..];
                }
                _ => {
                    return Err(InterpolateError::Invalid(format!(
                        "a `$` that starts no variable in `{}` (write `$$` for a literal `$`)",
                        truncate(input, QUOTED)
                    )));
                }
            }
        }
        self.push(&mut out, rest)?;
        Ok(out)
    }

    fn value_or_unset(&mut self, name: &str) -> String {
        if let Some(v) = (self.lookup)(name) {
            v
        } else {
            if !self.unset.iter().any(|u| u == name) {
                self.unset.push(name.to_string());
            }
            String::new()
        }
    }

    fn braced(&mut self, body: &str, depth: usize) -> Result<String, InterpolateError> {
        let len = body.find(|c: char| !is_name_char(c)).unwrap_or(body.len());
        let name = &body[..len];
        if name.is_empty() || !name.starts_with(is_name_start) {
            return Err(InterpolateError::Invalid(format!(
                "`${{{}}}` names no variable",
                truncate(body, QUOTED)
            )));
        }
        let op = &body[len..];
        if op.is_empty() {
            return Ok(self.value_or_unset(name));
        }
        let value = (self.lookup)(name);
        let (colon, op) = match op.strip_prefix(':') {
            Some(o) => (true, o),
            None => (false, op),
        };
        let Some(kind) = op.chars().next() else {
            return Err(InterpolateError::Invalid(format!(
                "`${{{}}}` ends after `:`",
                truncate(body, QUOTED)
            )));
        };
        let arg = &op[kind.len_utf8()..];
        // With a colon, an empty value counts as unset.
        let present = match &value {
            Some(v) => !colon || !v.is_empty(),
            None => false,
        };
        match kind {
            '-' => {
                if present {
                    Ok(value.unwrap_or_default())
                } else {
                    self.expand(arg, depth + 1)
                }
            }
            '+' => {
                if present {
                    self.expand(arg, depth + 1)
                } else {
                    Ok(String::new())
                }
            }
            '?' => {
                if present {
                    Ok(value.unwrap_or_default())
                } else {
                    let message = truncate(&self.expand(arg, depth + 1)?, QUOTED * 4);
                    Err(InterpolateError::Required { name: truncate(name, QUOTED), message })
                }
            }
            _ => Err(InterpolateError::Invalid(format!(
                "`${{{}}}`: expected `-`, `+` or `?` after the variable name",
                truncate(body, QUOTED)
            ))),
        }
    }
}

/// Index of the `}` closing a `${` whose body starts `text`, counting nested `${`.
fn matching_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'$' if bytes.get(i + 1) == Some(&b'$') => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

/// One `KEY=VALUE` line of a `.env` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvLine {
    /// 0-based line number.
    pub line: usize,
    /// Byte offset of the line's start in the file.
    pub offset: usize,
    /// The variable.
    pub key: String,
    /// The raw value (quotes removed); `None` for a bare `KEY` line, which reads the variable
    /// from the environment.
    pub value: Option<String>,
    /// Whether the value may be interpolated (single-quoted values are literal).
    pub interpolate: bool,
}

/// A line of a `.env` file that is neither a comment nor `KEY=VALUE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct EnvLineError {
    /// Byte offset of the line's start.
    pub offset: usize,
    /// Length of the line.
    pub len: usize,
    /// What is wrong.
    pub message: String,
}

/// Splits a `.env` file into its variable lines, in order; bad lines are reported and skipped.
#[must_use]
pub(crate) fn parse_env_file(text: &str) -> (Vec<EnvLine>, Vec<EnvLineError>) {
    let mut lines = Vec::new();
    let mut errors = Vec::new();
    let mut offset = 0;
    for (n, raw) in text.split('\n').enumerate() {
        let start = offset;
        offset += raw.len() + 1;
        let line = raw.trim_end_matches('\r').trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let (key, value) = match line.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v)),
            None => (line, None),
        };
        if key.is_empty()
            || !key.starts_with(|c: char| is_name_start(c))
            || !key.chars().all(|c| is_name_char(c) || c == '.' || c == '-')
        {
            errors.push(EnvLineError {
                offset: start,
                len: raw.len(),
                message: format!("`{}` is not a `KEY=VALUE` line", truncate(line, 60)),
            });
            continue;
        }
        let (value, interpolate) = match value {
            None => (None, true),
            Some(v) => {
                let v = v.trim();
                if let Some(inner) = v.strip_prefix('\'') {
                    (Some(inner.split('\'').next().unwrap_or("").to_string()), false)
                } else if let Some(inner) = v.strip_prefix('"') {
                    (Some(double_quoted(inner)), true)
                } else {
                    // An unquoted value ends at ` #` (a comment).
                    let v = v.find(" #").map_or(v, |i| &v[..i]).trim_end();
                    (Some(v.to_string()), true)
                }
            }
        };
        lines.push(EnvLine { line: n, offset: start, key: key.to_string(), value, interpolate });
    }
    (lines, errors)
}

/// The body of a double-quoted `.env` value up to its closing quote, escapes resolved.
fn double_quoted(inner: &str) -> String {
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => break,
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// `s` cut to at most `max` characters, with `…` when cut.
#[must_use]
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(name: &str) -> Option<String> {
        match name {
            "SET" => Some("value".into()),
            "EMPTY" => Some(String::new()),
            "HOST" => Some("db".into()),
            "PORT" => Some("5432".into()),
            _ => None,
        }
    }

    fn ok(s: &str) -> String {
        interpolate(s, &vars).unwrap().text
    }

    #[test]
    fn every_form() {
        assert_eq!(ok("$SET"), "value");
        assert_eq!(ok("${SET}"), "value");
        assert_eq!(ok("a-$SET-b"), "a-value-b");
        assert_eq!(ok("$SET.x"), "value.x");
        assert_eq!(ok("${UNSET:-dflt}"), "dflt");
        assert_eq!(ok("${EMPTY:-dflt}"), "dflt");
        assert_eq!(ok("${EMPTY-dflt}"), "");
        assert_eq!(ok("${UNSET-dflt}"), "dflt");
        assert_eq!(ok("${SET:-dflt}"), "value");
        assert_eq!(ok("${SET:+alt}"), "alt");
        assert_eq!(ok("${EMPTY:+alt}"), "");
        assert_eq!(ok("${EMPTY+alt}"), "alt");
        assert_eq!(ok("${UNSET+alt}"), "");
        assert_eq!(ok("${SET:?boom}"), "value");
        assert_eq!(ok("${EMPTY?boom}"), "");
        assert_eq!(ok("postgres://${HOST}:${PORT}/x"), "postgres://db:5432/x");
    }

    #[test]
    fn nested_defaults_and_escapes() {
        assert_eq!(ok("${UNSET:-${HOST}:${PORT}}"), "db:5432");
        assert_eq!(ok("${UNSET:-${ALSO_UNSET:-deep}}"), "deep");
        assert_eq!(ok("$$SET"), "$SET");
        assert_eq!(ok("$${SET}"), "${SET}");
        assert_eq!(ok("a $$ b"), "a $ b");
        assert_eq!(ok("${UNSET:-a $$ b}"), "a $ b");
        assert_eq!(ok("no dollars"), "no dollars");
    }

    #[test]
    fn unset_variables_are_listed_once() {
        let r = interpolate("$A ${A} ${B} ${C:-x}", &vars).unwrap();
        assert_eq!(r.text, "   x");
        assert_eq!(r.unset, ["A", "B"]);
    }

    #[test]
    fn required_variables() {
        let e = interpolate("${UNSET:?set it please}", &vars).unwrap_err();
        assert_eq!(
            e,
            InterpolateError::Required { name: "UNSET".into(), message: "set it please".into() }
        );
        assert_eq!(e.to_string(), "required variable `UNSET` is missing a value: set it please");
        let e = interpolate("${EMPTY:?}", &vars).unwrap_err();
        assert!(matches!(e, InterpolateError::Required { ref message, .. } if message.is_empty()));
        assert!(interpolate("${UNSET?}", &vars).is_err());
        // Without the colon an empty value is present.
        assert_eq!(ok("${EMPTY?no}"), "");
    }

    #[test]
    fn malformed_templates_are_errors() {
        for bad in [
            "${", "${SET", "$ x", "a$", "${}", "${1X}", "${SET:}", "${SET*x}", "$-", "${A:é}",
            "${é}", "$é",
        ] {
            assert!(matches!(interpolate(bad, &vars), Err(InterpolateError::Invalid(_))), "{bad}");
        }
        let deep = format!("{}x{}", "${U:-".repeat(40), "}".repeat(40));
        assert!(interpolate(&deep, &vars).is_err());
    }

    #[test]
    fn output_is_bounded_before_it_is_built() {
        // Ten references to the previous value, level after level, as a hostile `.env` has:
        // 10^10 bytes at the ninth level if nothing stopped it.
        let mut value = "x".repeat(10);
        let mut error = None;
        for _ in 1..10 {
            let v = value.clone();
            match interpolate_within(&"${V}".repeat(10), &|_| Some(v.clone()), 1_000_000) {
                Ok(r) => value = r.text,
                Err(e) => {
                    error = Some(e);
                    break;
                }
            }
        }
        assert_eq!(error, Some(InterpolateError::TooLarge(1_000_000)));
        assert!(value.len() <= 1_000_000);
        assert_eq!(
            InterpolateError::TooLarge(1 << 20).to_string(),
            "interpolation expands to more than 1,048,576 bytes"
        );
        assert_eq!(interpolate_within("ab$SET", &vars, 7).unwrap().text, "abvalue");
        assert!(interpolate_within("ab$SET", &vars, 6).is_err());
    }

    #[test]
    fn messages_quote_little_of_a_long_template() {
        let long = format!("${{{}", "x".repeat(100_000));
        let e = interpolate(&long, &vars).unwrap_err().to_string();
        assert!(e.len() < 300, "{}", e.len());
        let e = interpolate(&format!("$ {}", "y".repeat(100_000)), &vars).unwrap_err();
        assert!(e.to_string().len() < 300);
    }

    #[test]
    fn env_files() {
        let text = "# comment\n\nA=1\nexport B = two words # c\nC='$lit'\nD=\"q\\n#x\" # c\nE\nbad line\nF=\r\n";
        let (lines, errors) = parse_env_file(text);
        let got: Vec<_> = lines.iter().map(|l| (l.key.as_str(), l.value.as_deref())).collect();
        assert_eq!(
            got,
            [
                ("A", Some("1")),
                ("B", Some("two words")),
                ("C", Some("$lit")),
                ("D", Some("q\n#x")),
                ("E", None),
                ("F", Some("")),
            ]
        );
        assert!(!lines[2].interpolate);
        assert_eq!(lines[0].line, 2);
        assert_eq!(errors.len(), 1);
        assert_eq!(&text[errors[0].offset..errors[0].offset + errors[0].len], "bad line");
    }
}
