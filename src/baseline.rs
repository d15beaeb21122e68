//! Baselines: the findings a team accepted when it adopted archmap, so that a run reports, and
//! fails on, only what is new.
//!
//! Input: a run's findings, and a baseline file's text. Output: the text of a baseline
//! ([`write`]), or the findings split into new and accepted, with the entries that matched
//! nothing ([`apply`]). Invariants: a finding matches an entry by code and subjects (a cycle's
//! up to rotation, as `diff` matches them: [`diagnostic::identity`]), never by file, line or
//! message, so moving YAML around keeps findings accepted; a folded finding (no owner anywhere,
//! most components unconnected) matches part by part; an entry with `count: N` accepts N equal
//! findings; the text written is sorted and identical, byte for byte, for the same findings.
//! No I/O: `cli/check.rs` reads and writes the file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{self, Diagnostic};

/// The version of the baseline format this archmap reads and writes.
pub(crate) const VERSION: u32 = 1;

/// The file: a version and one entry per accepted finding.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    /// What the file is, for whoever opens it (ignored when read).
    #[serde(default, rename = "$comment")]
    _comment: Option<String>,
    findings: Vec<Entry>,
}

/// One accepted finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    /// `AM022`: with the subjects, what is matched.
    pub code: String,
    /// `single-point-of-failure`, for reviewers (not matched).
    #[serde(default)]
    pub id: String,
    /// The ids the finding is about, as `diff` compares them.
    pub subjects: Vec<String>,
    /// What the finding said when it was accepted, for reviewers (matched only for findings
    /// without subjects).
    #[serde(default)]
    pub message: String,
    /// How many equal findings the entry accepts.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
}

fn one() -> usize {
    1
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's skip_serializing_if passes a reference"
)]
fn is_one(n: &usize) -> bool {
    *n == 1
}

impl Entry {
    fn key(&self) -> Key {
        let (subjects, message) = diagnostic::identity(&self.code, &self.subjects, &self.message);
        (self.code.clone(), subjects, message)
    }
}

/// A baseline file that cannot be read as one, with the place of the problem (1-based).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ParseError {
    /// Line.
    pub line: usize,
    /// Column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

/// Reads a baseline's text.
pub(crate) fn parse(text: &str) -> Result<Vec<Entry>, ParseError> {
    let file: File = serde_json::from_str(text).map_err(|e| ParseError {
        line: e.line().max(1),
        column: e.column().max(1),
        message: e.to_string().split(" at line ").next().unwrap_or_default().to_string(),
    })?;
    let at = |needle: &str, message: String| {
        let offset = text.find(needle).unwrap_or(0);
        let before = &text[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or_default().chars().count() + 1;
        ParseError { line, column, message }
    };
    if file.version != VERSION {
        return Err(at(
            "\"version\"",
            format!(
                "baseline version {} is not one this archmap reads (version {VERSION}); write a new one with `archmap check --write-baseline FILE`",
                file.version
            ),
        ));
    }
    if let Some(e) = file.findings.iter().find(|e| e.count == 0) {
        return Err(at(
            "\"count\": 0",
            format!("entry {} {:?} has count 0; leave it out instead", e.code, e.subjects),
        ));
    }
    Ok(file.findings)
}

/// A baseline accepting every finding of `diagnostics` (fatal problems excepted), as text.
#[must_use]
pub(crate) fn write(diagnostics: &[Diagnostic]) -> String {
    let mut entries: BTreeMap<Key, Entry> = BTreeMap::new();
    for d in diagnostics.iter().filter(|d| !d.fatal).flat_map(Diagnostic::parts) {
        let (subjects, message) = diagnostic::identity(d.code, &d.subjects, &d.message);
        let key = (d.code.to_string(), subjects.clone(), message);
        entries.entry(key).and_modify(|e| e.count += 1).or_insert_with(|| Entry {
            code: d.code.to_string(),
            id: d.id.to_string(),
            subjects,
            message: d.message.clone(),
            count: 1,
        });
    }
    let findings: Vec<&Entry> = entries.values().collect();
    let mut out = String::new();
    let _ = writeln!(out, "{{\n  \"version\": {VERSION},");
    let _ = writeln!(
        out,
        "  \"$comment\": \"Findings accepted by `archmap check --write-baseline`. `archmap check --baseline FILE` reports only findings not listed here, matched by code and subjects. Delete an entry to see its finding again.\","
    );
    let body = serde_json::to_string_pretty(&findings).expect("entries serialise");
    let _ = writeln!(out, "  \"findings\": {}\n}}", indent(&body));
    out
}

/// `text` with every line but the first indented by two spaces.
fn indent(text: &str) -> String {
    text.replace('\n', "\n  ")
}

/// What a baseline did to a run's findings.
#[derive(Clone, Debug, Default)]
pub(crate) struct Applied {
    /// Findings the baseline does not accept: the run reports these and fails on them.
    pub new: Vec<Diagnostic>,
    /// Findings it accepts (each part of a folded finding on its own).
    pub baselined: Vec<Diagnostic>,
    /// Entries, or what is left of their count, that matched no finding: fixed since.
    pub stale: Vec<Entry>,
}

/// What identifies an entry or a finding: code, compared subjects, message when subjectless.
type Key = (String, Vec<String>, String);

/// The entries of a baseline, each with what is left of its count as findings are matched.
pub(crate) struct Matcher<'a> {
    left: BTreeMap<Key, (usize, &'a Entry)>,
}

impl<'a> Matcher<'a> {
    /// Nothing matched yet.
    #[must_use]
    pub(crate) fn new(entries: &'a [Entry]) -> Self {
        let mut left: BTreeMap<Key, (usize, &Entry)> = BTreeMap::new();
        for e in entries {
            left.entry(e.key()).or_insert((0, e)).0 += e.count;
        }
        Self { left }
    }

    /// Whether an entry accepts the finding with this code, subjects and message; uses up one
    /// of its count when it does.
    pub(crate) fn take(&mut self, code: &str, subjects: &[String], message: &str) -> bool {
        let (subjects, message) = diagnostic::identity(code, subjects, message);
        match self.left.get_mut(&(code.to_string(), subjects, message)) {
            Some((n, _)) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        }
    }

    /// The entries, with what is left of their count, that matched nothing, sorted.
    #[must_use]
    pub(crate) fn stale(self) -> Vec<Entry> {
        self.left
            .into_values()
            .filter(|(n, _)| *n > 0)
            .map(|(n, e)| Entry { count: n, ..e.clone() })
            .collect()
    }
}

/// Splits `diagnostics` into new and accepted by `entries`. A folded finding whose parts are
/// all accepted is accepted; one with some parts new is reported as those parts, each a finding
/// of its own. Fatal problems are always new.
#[must_use]
pub(crate) fn apply(diagnostics: Vec<Diagnostic>, entries: &[Entry]) -> Applied {
    let mut matcher = Matcher::new(entries);
    let mut take = |d: &Diagnostic| matcher.take(d.code, &d.subjects, &d.message);
    let mut applied = Applied::default();
    for d in diagnostics {
        if d.fatal {
            applied.new.push(d);
        } else if d.members.is_empty() {
            if take(&d) {
                applied.baselined.push(d);
            } else {
                applied.new.push(d);
            }
        } else {
            let (accepted, fresh): (Vec<Diagnostic>, Vec<Diagnostic>) =
                d.members.iter().cloned().partition(|m| take(m));
            if fresh.is_empty() {
                applied.baselined.push(d);
            } else {
                applied.baselined.extend(accepted);
                applied.new.extend(fresh);
            }
        }
    }
    diagnostic::sort(&mut applied.new);
    applied.stale = matcher.stale();
    applied
}

/// What a report says about the baseline it read (the JSON report's `baseline`).
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BaselineReport {
    /// The baseline file, as named on the command line.
    pub file: String,
    /// How many findings it accepted (each part of a folded finding counted).
    pub baselined: usize,
    /// Its entries that matched no finding, with what is left of their count.
    pub stale: Vec<Entry>,
}

impl BaselineReport {
    /// The report of `applied`, read from `file`.
    #[must_use]
    pub(crate) fn new(file: String, applied: &Applied) -> Self {
        Self { file, baselined: count(&applied.baselined), stale: applied.stale.clone() }
    }

    /// "baseline FILE: 35 findings accepted; 2 entries no longer match anything" and the
    /// entries, one a line, for the human report.
    #[must_use]
    pub(crate) fn text(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut out =
            format!("baseline {}: {} accepted", self.file, plural(self.baselined, "finding"));
        if self.stale.is_empty() {
            out.push('\n');
            return out;
        }
        let _ = writeln!(
            out,
            "; {} no longer {} anything (fixed? `--write-baseline {}` drops {}):",
            plural(self.stale.len(), "entry").replace("entrys", "entries"),
            if self.stale.len() == 1 { "matches" } else { "match" },
            self.file,
            if self.stale.len() == 1 { "it" } else { "them" },
        );
        for e in &self.stale {
            let times = if e.count > 1 { format!(" (×{})", e.count) } else { String::new() };
            let _ = writeln!(
                out,
                "  {} {} [{}]{times}: {}",
                e.code,
                e.id,
                e.subjects.join(", "),
                e.message
            );
        }
        out
    }
}

/// How many findings `baselined` holds, counting each part of a folded finding.
#[must_use]
pub(crate) fn count(baselined: &[Diagnostic]) -> usize {
    baselined.iter().map(|d| d.parts().count()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn diag(code: &'static str, subjects: &[&str]) -> Diagnostic {
        Diagnostic::new(code, "x", Severity::Warn, format!("{code} {}", subjects.join(" ")))
            .with_subjects(subjects.iter().copied())
    }

    #[test]
    fn written_and_read_back_it_accepts_everything_and_nothing_is_stale() {
        let found = vec![
            diag("AM022", &["gw"]),
            diag("AM010", &["b", "a"]),
            diag("AM033", &["x"]),
            diag("AM033", &["x"]),
        ];
        let text = write(&found);
        let entries = parse(&text).expect("reads what it writes");
        // Sorted by code; the cycle rotated to its smallest member; equal findings counted.
        let keys: Vec<(String, Vec<String>, usize)> =
            entries.iter().map(|e| (e.code.clone(), e.subjects.clone(), e.count)).collect();
        assert_eq!(
            keys,
            [
                ("AM010".into(), vec!["a".into(), "b".into()], 1),
                ("AM022".into(), vec!["gw".into()], 1),
                ("AM033".into(), vec!["x".into()], 2),
            ]
        );
        let applied = apply(found.clone(), &entries);
        assert!(applied.new.is_empty() && applied.stale.is_empty());
        assert_eq!(applied.baselined.len(), 4);
        assert_eq!(write(&found), text, "deterministic");
    }

    #[test]
    fn new_findings_and_stale_entries_are_told_apart() {
        let entries = parse(&write(&[diag("AM022", &["gw"]), diag("AM033", &["x"])])).unwrap();
        // The cycle starts elsewhere: still the same cycle. gw was fixed.
        let applied = apply(vec![diag("AM033", &["x"]), diag("AM010", &["a", "b"])], &entries);
        assert_eq!(applied.new.len(), 1);
        assert_eq!(applied.new[0].code, "AM010");
        assert_eq!(applied.stale.len(), 1);
        assert_eq!(applied.stale[0].subjects, ["gw"]);
        // Two equal findings, one accepted: one is new.
        let applied = apply(vec![diag("AM033", &["x"]), diag("AM033", &["x"])], &entries);
        assert_eq!(applied.new.len(), 1);
    }

    #[test]
    fn folded_findings_match_part_by_part() {
        let mut folded = diag("AM040", &["a", "b"]);
        folded.members = vec![diag("AM040", &["a"]), diag("AM040", &["b"])];
        let text = write(std::slice::from_ref(&folded));
        assert_eq!(text.matches("\"code\": \"AM040\"").count(), 2, "{text}");
        let entries = parse(&text).unwrap();
        assert!(apply(vec![folded.clone()], &entries).new.is_empty());
        // A component more: only it is new, as a finding of its own.
        folded.members.push(diag("AM040", &["c"]));
        let applied = apply(vec![folded], &entries);
        assert_eq!(applied.new.len(), 1);
        assert_eq!(applied.new[0].subjects, ["c"]);
        assert_eq!(count(&applied.baselined), 2);
    }

    #[test]
    fn malformed_baselines_are_located() {
        let e = parse("{\n  \"version\": 1,\n  \"findings\": [\n    {\"code\": 5}\n  ]\n}")
            .unwrap_err();
        assert_eq!((e.line, e.message.starts_with("invalid type")), (4, true), "{e:?}");
        let e = parse("{\n  \"version\": 7,\n  \"findings\": []\n}").unwrap_err();
        assert_eq!((e.line, e.column), (2, 3));
        assert!(e.message.contains("baseline version 7"), "{}", e.message);
        let e = parse("not json").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("{\"version\": 1, \"findings\": [], \"extra\": 1}").unwrap_err();
        assert!(e.message.contains("unknown field `extra`"), "{}", e.message);
    }
}
