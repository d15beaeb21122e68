//! Reports for CI systems beyond GitHub: GitLab Code Quality, `JUnit` XML and Checkstyle XML.
//!
//! Input: sorted findings, the sources, and the names of the manifests checked (a finding
//! without a place is put on the first). Output: one document in the format, byte-identical for
//! identical input. Each format places a finding at its primary label's file, line and column.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::json;
use sha2::{Digest, Sha256};

use super::emit::json_io;
use super::{Diagnostic, Severity, identity};
use crate::source::Sources;

/// Where a finding is: file name, line and column (1-based), or the first manifest's line 1.
struct Place<'a> {
    file: &'a str,
    line: usize,
    column: Option<usize>,
}

fn place<'a>(d: &Diagnostic, sources: &'a Sources, files: &'a [String]) -> Place<'a> {
    match d.primary_span() {
        Some(span) => {
            let (start, _) = sources.range(span);
            let file = sources.get(span.file).name();
            Place {
                file: file.strip_prefix("./").unwrap_or(file),
                line: start.line,
                column: Some(start.column),
            }
        }
        None => Place {
            file: files.first().map_or("archmap.yaml", String::as_str),
            line: 1,
            column: None,
        },
    }
}

/// The message with its help, as one text.
fn full_message(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

/// GitLab Code Quality: a JSON array of issues (`description`, `check_name`, `fingerprint`,
/// `severity`, `location.path`, `location.lines.begin`), for `artifacts:reports:codequality`.
/// Fingerprints are unique in a report (GitLab keeps one issue per fingerprint) and stable
/// across runs: they hash the check, the file and the finding's subjects, never its line, so an
/// issue moved by an edit above it is not reported as new.
pub(crate) fn gitlab(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    files: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let issues: Vec<serde_json::Value> = diagnostics
        .iter()
        .map(|d| {
            let at = place(d, sources, files);
            let (subjects, message) = identity(d.code, &d.subjects, &d.message);
            let key = format!("{}\0{}\0{}\0{message}", d.code, at.file, subjects.join("\0"));
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            let fingerprint = hex(&Sha256::digest(format!("{key}\0{n}").as_bytes()));
            json!({
                "type": "issue",
                "check_name": format!("{} {}", d.code, d.id),
                "description": d.message,
                "content": { "body": d.help.clone().unwrap_or_default() },
                "categories": ["Bug Risk"],
                "fingerprint": fingerprint,
                "severity": match d.severity {
                    Severity::Error => "major",
                    Severity::Warn => "minor",
                    Severity::Info => "info",
                },
                "location": { "path": at.file, "lines": { "begin": at.line } },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues).map_err(json_io)?;
    writeln!(out)
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// Text for XML content and attribute values: the five special characters as entities, line
/// breaks in attributes as character references (so they survive attribute normalisation), and
/// characters XML 1.0 cannot hold at all (most control characters) as U+FFFD.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Findings grouped by file, files in the order `files` names them, then any other (an
/// included file) in order of appearance.
fn by_file<'a>(
    diagnostics: &'a [Diagnostic],
    sources: &'a Sources,
    files: &'a [String],
) -> Vec<(String, Vec<(&'a Diagnostic, Place<'a>)>)> {
    let mut groups: Vec<(String, Vec<(&Diagnostic, Place<'_>)>)> =
        files.iter().map(|f| (f.strip_prefix("./").unwrap_or(f).to_string(), Vec::new())).collect();
    for d in diagnostics {
        let at = place(d, sources, files);
        match groups.iter_mut().find(|(f, _)| f == at.file) {
            Some((_, list)) => list.push((d, at)),
            None => groups.push((at.file.to_string(), vec![(d, at)])),
        }
    }
    groups
}

/// `JUnit` XML: one test suite per manifest (and per included file with findings), one test case
/// per finding. An error or a warning is a failing test (a problem reading the manifest is an
/// `<error>`); an info passes, with its message as output; a file without findings has one
/// passing test, so a clean run is a green suite rather than an empty one.
pub(crate) fn junit(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    files: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let groups = by_file(diagnostics, sources, files);
    let failing = |d: &Diagnostic| d.severity != Severity::Info && !d.fatal;
    let tests: usize = groups.iter().map(|(_, l)| l.len().max(1)).sum();
    let failures = diagnostics.iter().filter(|d| failing(d)).count();
    let errors = diagnostics.iter().filter(|d| d.fatal).count();
    let mut o = String::new();
    let _ = writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        o,
        r#"<testsuites name="archmap check" tests="{tests}" failures="{failures}" errors="{errors}">"#
    );
    for (file, list) in &groups {
        let f = xml(file);
        let _ = writeln!(
            o,
            r#"  <testsuite name="{f}" tests="{}" failures="{}" errors="{}" skipped="0">"#,
            list.len().max(1),
            list.iter().filter(|(d, _)| failing(d)).count(),
            list.iter().filter(|(d, _)| d.fatal).count(),
        );
        if list.is_empty() {
            let _ =
                writeln!(o, r#"    <testcase name="archmap check" classname="{f}" file="{f}"/>"#);
        }
        for (d, at) in list {
            let name = if d.subjects.is_empty() {
                format!("{} {}", d.code, d.id)
            } else {
                format!("{} {}: {}", d.code, d.id, d.subjects.join(", "))
            };
            let _ = writeln!(
                o,
                r#"    <testcase name="{}" classname="{f}" file="{f}" line="{}">"#,
                xml(&name),
                at.line
            );
            let column = at.column.map_or_else(String::new, |c| format!(":{c}"));
            let body = format!("{}:{}{column}: {}", at.file, at.line, full_message(d));
            let tag = if d.fatal { "error" } else { "failure" };
            if d.fatal || failing(d) {
                let _ = writeln!(
                    o,
                    r#"      <{tag} type="{}" message="{}">{}</{tag}>"#,
                    d.severity.as_str(),
                    xml(&d.message),
                    xml(&body)
                );
            } else {
                let _ = writeln!(o, "      <system-out>{}</system-out>", xml(&body));
            }
            let _ = writeln!(o, "    </testcase>");
        }
        let _ = writeln!(o, "  </testsuite>");
    }
    let _ = writeln!(o, "</testsuites>");
    out.write_all(o.as_bytes())
}

/// Checkstyle XML (the format of Checkstyle's XML logger that Jenkins, reviewdog and Danger
/// read): one `<file>` per manifest, one `<error>` per finding with line, column, severity
/// (`error`, `warning`, `info`), message and source (`archmap.AM010.sync-cycle`).
pub(crate) fn checkstyle(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    files: &[String],
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut o = String::new();
    let _ = writeln!(o, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(o, r#"<checkstyle version="4.3">"#);
    for (file, list) in by_file(diagnostics, sources, files) {
        let _ = writeln!(o, r#"  <file name="{}">"#, xml(&file));
        for (d, at) in list {
            let column = at.column.map_or_else(String::new, |c| format!(r#" column="{c}""#));
            let severity = match d.severity {
                Severity::Error => "error",
                Severity::Warn => "warning",
                Severity::Info => "info",
            };
            let _ = writeln!(
                o,
                r#"    <error line="{}"{column} severity="{severity}" message="{}" source="archmap.{}.{}"/>"#,
                at.line,
                xml(&full_message(d)),
                d.code,
                d.id
            );
        }
        let _ = writeln!(o, "  </file>");
    }
    let _ = writeln!(o, "</checkstyle>");
    out.write_all(o.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_escapes_markup_and_drops_what_xml_cannot_hold() {
        assert_eq!(xml("a<b>&\"'\n\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;&#10;\u{FFFD}");
    }
}
