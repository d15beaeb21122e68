//! SARIF 2.1.0 and GitHub Actions workflow commands.
//!
//! Input: sorted findings, the sources, and the catalogue of every code that can appear (checks
//! and reading problems). Output: a SARIF log accepted by GitHub code scanning (rules with help
//! text and default levels; results with physical locations in character columns), or one
//! `::error`/`::warning`/`::notice` command per finding.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::emit::{Emitter, json_io};
use super::{Diagnostic, Severity};
use crate::baseline::BaselineReport;
use crate::source::{Sources, Span};

/// What SARIF says about one code.
#[derive(Clone, Debug)]
pub(crate) struct CatalogEntry {
    /// Code, e.g. `AM010`.
    pub code: &'static str,
    /// Kebab-case id.
    pub id: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Markdown documentation.
    pub docs: &'static str,
    /// Default severity; `None` when the check is off by default.
    pub default: Option<Severity>,
    /// Family, e.g. `cycles`.
    pub category: &'static str,
}

/// A SARIF 2.1.0 log with one run.
#[derive(Clone, Debug)]
pub(crate) struct Sarif {
    /// Every code that may appear, sorted by code.
    pub catalog: Vec<CatalogEntry>,
    /// archmap's version.
    pub version: &'static str,
}

/// How many related locations a result lists; a finding with more says how many it left out.
const RELATED_SHOWN: usize = 100;

fn sarif_level(s: Option<Severity>) -> &'static str {
    match s {
        Some(Severity::Error) => "error",
        Some(Severity::Warn) => "warning",
        Some(Severity::Info) => "note",
        None => "none",
    }
}

fn region(span: Span, sources: &Sources) -> Value {
    let (start, end) = sources.range(span);
    // An empty span still marks one character, so viewers have something to underline.
    let end_column = if end == start { start.column + 1 } else { end.column };
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end_column,
    })
}

/// A file name as a relative URI: forward slashes, and reserved characters percent-encoded.
fn uri(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                out.push(b as char);
            }
            b'\\' => out.push('/'),
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out.strip_prefix("./").map(str::to_string).unwrap_or(out)
}

fn location(span: Span, sources: &Sources) -> Value {
    let name = sources.get(span.file).name();
    // Relative names are relative to where archmap ran; absolute ones become file URIs.
    let artifact = if name.starts_with('/') {
        json!({ "uri": format!("file://{}", uri(name)) })
    } else {
        json!({ "uri": uri(name), "uriBaseId": "%SRCROOT%" })
    };
    json!({
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": region(span, sources),
        }
    })
}

impl Emitter for Sarif {
    fn emit(
        &self,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        self.emit_with(diagnostics, None, sources, out)
    }
}

impl Sarif {
    /// The driver's rules: one per code of the catalogue, with a link to its documentation.
    fn rules(&self) -> Vec<Value> {
        self.catalog
            .iter()
            .map(|e| {
                json!({
                    "id": e.code,
                    "name": kebab_to_pascal(e.id),
                    "shortDescription": { "text": e.summary },
                    "fullDescription": { "text": e.summary },
                    "help": { "text": e.docs, "markdown": e.docs },
                    "helpUri": help_uri(e.code, e.id),
                    "defaultConfiguration": { "level": sarif_level(e.default), "enabled": e.default.is_some() },
                    "properties": { "tags": [e.category, e.id], "precision": "very-high" },
                })
            })
            .collect()
    }

    /// One result per finding. A folded finding's parts are its related locations. With a
    /// baseline, new findings carry `baselineState: "new"`, accepted ones are results too, with
    /// `baselineState: "unchanged"` and an external suppression (so viewers hide them), and the
    /// entries that matched nothing are tool notifications of the run's invocation.
    pub(crate) fn emit_with(
        &self,
        diagnostics: &[Diagnostic],
        baseline: Option<(&BaselineReport, &[Diagnostic])>,
        sources: &Sources,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let rules = self.rules();
        let accepted = baseline.map_or(&[][..], |(_, a)| a);
        let results: Vec<Value> = diagnostics
            .iter()
            .map(|d| (d, false))
            .chain(accepted.iter().map(|d| (d, true)))
            .map(|(d, is_accepted)| {
                let mut text = d.message.clone();
                if let Some(help) = &d.help {
                    text.push_str("\nhelp: ");
                    text.push_str(help);
                }
                let mut result = json!({
                    "ruleId": d.code,
                    "level": sarif_level(Some(d.severity)),
                    "message": { "text": text },
                    "partialFingerprints": { "archmapFinding/v1": format!("{}:{}", d.code, d.subjects.join(",")) },
                });
                if let Some(i) = self.catalog.iter().position(|e| e.code == d.code) {
                    result["ruleIndex"] = json!(i);
                }
                if let Some(primary) = d.labels.first() {
                    result["locations"] = json!([location(primary.span, sources)]);
                }
                let places = d.labels.iter().skip(1).map(|l| (l.span, l.text.clone()));
                let parts = d.members.iter().filter_map(|m| {
                    m.primary_span().map(|span| (span, m.message.clone()))
                });
                let all = d.labels.len().saturating_sub(1) + d.members.len();
                if all > RELATED_SHOWN {
                    // A finding about thousands of components: the first places, and a count.
                    let _ = write!(
                        text,
                        "\n(showing {RELATED_SHOWN} of {all} related locations; every one in archmap's `--format json`)"
                    );
                    result["message"] = json!({ "text": text });
                }
                let related: Vec<Value> = places
                    .chain(parts)
                    .take(RELATED_SHOWN)
                    .enumerate()
                    .map(|(i, (span, text))| {
                        let mut loc = location(span, sources);
                        loc["id"] = json!(i + 1);
                        if !text.is_empty() {
                            loc["message"] = json!({ "text": text });
                        }
                        loc
                    })
                    .collect();
                if !related.is_empty() {
                    result["relatedLocations"] = json!(related);
                }
                if let Some((report, _)) = baseline {
                    result["baselineState"] = json!(if is_accepted { "unchanged" } else { "new" });
                    if is_accepted {
                        result["suppressions"] = json!([{
                            "kind": "external",
                            "justification": format!("accepted in the baseline {}", report.file),
                        }]);
                    }
                }
                result
            })
            .collect();
        let mut log = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                "tool": {
                    "driver": {
                        "name": "archmap",
                        "fullName": format!("archmap {}", self.version),
                        "informationUri": env!("CARGO_PKG_REPOSITORY"),
                        "semanticVersion": self.version,
                        "rules": rules,
                    }
                },
                // The category GitHub code scanning and Azure DevOps file the run's alerts under.
                "automationDetails": { "id": "archmap/" },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "The directory archmap ran in." } } },
                "results": [],
            }]
        });
        // Moved in, not through `json!`, which would serialise a deep copy of every result.
        log["runs"][0]["results"] = Value::Array(results);
        if let Some((report, _)) = baseline {
            log["runs"][0]["invocations"] = json!([invocation(report)]);
        }
        serde_json::to_writer_pretty(&mut *out, &log).map_err(json_io)?;
        writeln!(out)
    }
}

/// The run's invocation with a baseline: one notification says how many findings it accepted,
/// and one per entry that matched nothing.
fn invocation(b: &BaselineReport) -> Value {
    let mut notes = vec![json!({
        "level": "note",
        "message": { "text": format!(
            "baseline {}: {} accepted, {} matching nothing",
            b.file,
            plural(b.baselined, "finding", "findings"),
            plural(b.stale.len(), "entry", "entries"),
        ) },
    })];
    for e in &b.stale {
        notes.push(json!({
            "level": "note",
            "descriptor": { "id": e.code },
            "message": { "text": format!("baseline entry no longer matches: {} {} [{}]: {}", e.code, e.id, e.subjects.join(", "), e.message) },
        }));
    }
    json!({ "executionSuccessful": true, "toolExecutionNotifications": notes })
}

/// Where a code is documented: its section of docs/rules.md (checks) or docs/manifest.md
/// (problems reading the manifest), in the repository at this version's tag.
fn help_uri(code: &str, id: &str) -> String {
    let page = if code.starts_with("AM0") { "rules.md" } else { "manifest-reference.md" };
    format!(
        "{}/blob/v{}/docs/{page}#{}-{id}",
        env!("CARGO_PKG_REPOSITORY"),
        env!("CARGO_PKG_VERSION"),
        code.to_ascii_lowercase()
    )
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn kebab_to_pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| f.to_ascii_uppercase().to_string() + c.as_str())
        })
        .collect()
}

/// GitHub Actions workflow commands: annotations on the pull request's files.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Github;

/// Escapes a workflow command's message: `%`, and every control character (line breaks end a
/// command; NUL or ESC from a file name would reach the log raw), as `%XX`.
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c == '%' || c.is_control() {
            let mut utf8 = [0; 4];
            for b in c.encode_utf8(&mut utf8).bytes() {
                let _ = write!(out, "%{b:02X}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes a workflow command's property value.
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Emitter for Github {
    fn emit(
        &self,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        for d in diagnostics {
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warn => "warning",
                Severity::Info => "notice",
            };
            let mut props = Vec::new();
            if let Some(primary) = d.labels.first() {
                let (start, end) = sources.range(primary.span);
                props.push(format!(
                    "file={}",
                    escape_property(sources.get(primary.span.file).name())
                ));
                props.push(format!("line={}", start.line));
                props.push(format!("col={}", start.column));
                props.push(format!("endLine={}", end.line));
                if end.line == start.line {
                    props.push(format!("endColumn={}", end.column));
                }
            }
            props.push(format!("title={}", escape_property(&format!("{} {}", d.code, d.id))));
            let mut message = d.message.clone();
            if let Some(help) = &d.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            writeln!(out, "::{command} {}::{}", props.join(","), escape_data(&message))?;
        }
        Ok(())
    }
}

impl Github {
    /// A `::notice` with `text` (the baseline's summary and stale entries).
    pub(crate) fn notice(text: &str, out: &mut dyn Write) -> io::Result<()> {
        writeln!(out, "::notice title=archmap baseline::{}", escape_data(text.trim_end()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_their_parts() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_data("a\0b\x1b[31mc\r\u{85}"), "a%00b%1B[31mc%0D%C2%85");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn uris_are_relative_and_encoded() {
        assert_eq!(uri("./a b/archmap.yaml"), "a%20b/archmap.yaml");
        assert_eq!(uri("dir\\x.yaml"), "dir/x.yaml");
        assert_eq!(uri("é.yaml"), "%C3%A9.yaml");
    }

    #[test]
    fn names_are_pascal_case() {
        assert_eq!(kebab_to_pascal("sync-cycle"), "SyncCycle");
        assert_eq!(kebab_to_pascal("single-point-of-failure"), "SinglePointOfFailure");
    }
}
