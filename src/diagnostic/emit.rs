//! Emitters: findings → text in one report format.
//!
//! Input: sorted findings and the [`Sources`] their spans point into. Output: bytes on a
//! writer. Every format is an [`Emitter`]; the JSON shape is documented in `docs/reports.md`
//! and stable.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceSpan, SpanContents,
};
use serde::Serialize;

use super::{Diagnostic, Severity, Summary};
use crate::baseline::BaselineReport;
use crate::source::{SourceFile, Sources, Span};

/// One report format.
pub(crate) trait Emitter {
    /// Writes every finding, and a summary where the format has one.
    fn emit(
        &self,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        out: &mut dyn Write,
    ) -> io::Result<()>;
}

/// miette-style reports: the YAML excerpt with labels, the note and the help line.
#[derive(Clone, Debug)]
pub(crate) struct Human {
    /// Use ANSI colours.
    pub color: bool,
    /// Wrap width.
    pub width: usize,
    /// Print the closing summary line.
    pub summary: bool,
    /// Each component's group (innermost), by id: a check that fires on hundreds of
    /// components is summarised per group. Empty: all in one.
    pub groups: std::collections::HashMap<String, String>,
}

impl Emitter for Human {
    fn emit(
        &self,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let theme =
            if self.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
        let handler = super::wrap::whole_words(GraphicalReportHandler::new_themed(theme))
            .with_width(self.width)
            .with_links(false)
            .with_urls(false)
            .with_show_related_as_nested(false)
            .with_context_lines(CONTEXT_LINES);
        let full = |d: &Diagnostic, out: &mut dyn Write| -> io::Result<()> {
            if has_long_lines(d, sources) {
                // miette cannot draw an excerpt of a line of 65,536 columns or more (and nobody
                // wants one): name the place instead of showing it.
                return writeln!(out, "{}", plain(d, sources, self.width));
            }
            let report = Report::new(d, sources);
            let mut text = String::new();
            handler.render_report(&mut text, &report).map_err(io::Error::other)?;
            writeln!(out, "{}", text.trim_end())?;
            if d.labels.len() > PLACES_SHOWN {
                let line = format!(
                    "and {} more places (every one in `--format json`)",
                    d.labels.len() - PLACES_SHOWN
                );
                writeln!(out, "{}", wrap(&line, self.width, "  = ", "    "))?;
            }
            if !d.members.is_empty() {
                let mut ids: Vec<String> =
                    d.subjects.iter().take(MEMBERS_SHOWN).map(|s| format!("`{s}`")).collect();
                if d.subjects.len() > MEMBERS_SHOWN {
                    ids.push(format!(
                        "and {} more (every one in `--format json`)",
                        d.subjects.len() - MEMBERS_SHOWN
                    ));
                }
                let line = format!("{} components: {}", d.subjects.len(), ids.join(", "));
                writeln!(out, "{}", wrap(&line, self.width, "  = ", "    "))?;
            }
            if let Some(note) = &d.note {
                writeln!(out, "{}", wrap(&format!("note: {note}"), self.width, "  ", "        "))?;
            }
            writeln!(out)
        };
        // Problems reading the manifest are each fixed on their own: all in full, in file order.
        let (fatal, findings): (Vec<&Diagnostic>, Vec<&Diagnostic>) =
            diagnostics.iter().partition(|d| d.fatal);
        for d in fatal {
            full(d, out)?;
        }
        if findings.len() <= SHORT_REPORT {
            // A short report is its own summary: every finding in full, most important first.
            let mut ranked = findings;
            ranked.sort_by(|a, b| by_importance(a, b));
            for d in ranked {
                full(d, out)?;
            }
        } else {
            if self.summary {
                leading_summary(&findings, sources, self.width, out)?;
            }
            for group in by_check(&findings) {
                // Errors fail the run and each needs fixing: all in full.
                let shown =
                    if group[0].severity == Severity::Error { group.len() } else { FULL_PER_CHECK };
                for d in group.iter().take(shown) {
                    full(d, out)?;
                }
                if group.len() > shown + BY_GROUP_OVER {
                    self.by_group(&group[shown..], out)?;
                } else if group.len() > shown {
                    let rest = &group[shown..];
                    let d = rest[0];
                    writeln!(
                        out,
                        "  {} more {}[{} {}] finding{}:",
                        rest.len(),
                        d.severity,
                        d.code,
                        d.id,
                        if rest.len() == 1 { "" } else { "s" }
                    )?;
                    for d in rest {
                        let line = format!("{}: {}", place_of(d, sources), d.message);
                        writeln!(out, "{}", wrap(&line, self.width, "    ", "      "))?;
                    }
                    writeln!(out)?;
                }
            }
        }
        if self.summary && !diagnostics.is_empty() {
            writeln!(out, "{}", summary_line(&Summary::of(diagnostics)))?;
        }
        Ok(())
    }
}

impl Human {
    /// The findings of one check beyond those shown in full, when there are hundreds: one line
    /// per group of their first subject, the groups with the most findings first.
    fn by_group(&self, rest: &[&Diagnostic], out: &mut dyn Write) -> io::Result<()> {
        let d = rest[0];
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for f in rest {
            let subject = f.subjects.first().map_or("", String::as_str);
            let group = self.groups.get(subject).map_or("", String::as_str);
            let i = *index.entry(group).or_insert_with(|| {
                groups.push((group, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(subject);
        }
        groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
        writeln!(
            out,
            "  {} more {}[{} {}] findings, by group (every one in `--format json`):",
            rest.len(),
            d.severity,
            d.code,
            d.id,
        )?;
        for (group, subjects) in groups.iter().take(GROUPS_SHOWN) {
            let mut names: Vec<String> =
                subjects.iter().take(NAMES_PER_GROUP).map(|s| format!("`{s}`")).collect();
            if subjects.len() > NAMES_PER_GROUP {
                names.push(format!("and {} more", subjects.len() - NAMES_PER_GROUP));
            }
            let group =
                if group.is_empty() { "no group".to_string() } else { format!("`{group}`") };
            let line = format!("{group}: {} ({})", subjects.len(), names.join(", "));
            writeln!(out, "{}", wrap(&line, self.width, "    ", "      "))?;
        }
        if groups.len() > GROUPS_SHOWN {
            let left: usize = groups[GROUPS_SHOWN..].iter().map(|g| g.1.len()).sum();
            writeln!(
                out,
                "    and {} more groups with {left} finding{}",
                groups.len() - GROUPS_SHOWN,
                if left == 1 { "" } else { "s" }
            )?;
        }
        writeln!(out)
    }
}

/// Above this many findings of one check beyond those shown in full, the rest are summarised
/// per group instead of one line each.
const BY_GROUP_OVER: usize = 50;

/// How many groups that summary lists, and how many components of each it names.
const GROUPS_SHOWN: usize = 30;
const NAMES_PER_GROUP: usize = 3;

/// How many of a finding's places (labels) the human report draws; the others are counted.
const PLACES_SHOWN: usize = 20;

/// A report of at most this many findings shows them all in full, most important first,
/// without a leading summary or grouping.
const SHORT_REPORT: usize = 3;

/// How many components of a finding that stands for many the human report names.
const MEMBERS_SHOWN: usize = 20;

/// In a longer report, how many warnings or infos of one check are shown in full (the most
/// important first); the others get one line each. Errors are always shown in full.
const FULL_PER_CHECK: usize = 3;

/// The order of importance: errors, then warnings, then infos; within a level, the finding
/// that puts the most components at risk (blast radius, fan-in, members of a cycle, length of
/// a chain) first; then file order.
fn by_importance(a: &Diagnostic, b: &Diagnostic) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then(b.impact().cmp(&a.impact()))
        .then_with(|| {
            a.primary_span()
                .map(|s| (s.file, s.start))
                .cmp(&b.primary_span().map(|s| (s.file, s.start)))
        })
        .then(a.code.cmp(b.code))
}

/// The findings grouped by check (and level): each group's findings most important first, the
/// groups in the order of their most important finding.
fn by_check<'a>(diagnostics: &[&'a Diagnostic]) -> Vec<Vec<&'a Diagnostic>> {
    let mut groups: Vec<Vec<&Diagnostic>> = Vec::new();
    for &d in diagnostics {
        match groups.iter_mut().find(|g| g[0].code == d.code && g[0].severity == d.severity) {
            Some(g) => g.push(d),
            None => groups.push(vec![d]),
        }
    }
    for g in &mut groups {
        g.sort_by(|a, b| by_importance(a, b));
    }
    groups.sort_by(|a, b| by_importance(a[0], b[0]));
    groups
}

/// `file:line:column` of a finding's primary place, or `-`.
fn place_of(d: &Diagnostic, sources: &Sources) -> String {
    d.primary_span().map_or_else(
        || "-".to_string(),
        |span| {
            let (start, _) = sources.range(span);
            format!("{}:{}:{}", sources.get(span.file).name(), start.line, start.column)
        },
    )
}

/// "0 errors, 13 warnings, 2 infos from 7 checks; most important first:" and one line per
/// check: its level, code, id, how many findings, and its most important finding. Checks are
/// ranked by that finding: errors first, then by the components it puts at risk.
fn leading_summary(
    diagnostics: &[&Diagnostic],
    sources: &Sources,
    width: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let groups = by_check(diagnostics);
    writeln!(
        out,
        "{} from {} check{}; most important first:",
        summary_line(&Summary::of_all(diagnostics.iter().copied())),
        groups.len(),
        if groups.len() == 1 { "" } else { "s" }
    )?;
    for g in &groups {
        let d = g[0];
        let more = match g.len() {
            1 => String::new(),
            n => format!(" ×{n}"),
        };
        let line = format!(
            "{} {} {}{more}: {} ({})",
            d.severity,
            d.code,
            d.id,
            d.message,
            place_of(d, sources)
        );
        writeln!(out, "{}", wrap(&line, width, "  ", "      "))?;
    }
    writeln!(out)
}

/// Labels at most this many lines apart are drawn in one excerpt.
const EXCERPT_MERGE_SLACK: usize = 4;

/// The longest source line a report shows as an excerpt.
const MAX_EXCERPT_LINE: usize = 2_000;

/// Lines miette shows around each label.
const CONTEXT_LINES: usize = 1;

/// Whether a line an excerpt would show (a label's lines and the context around them) is over
/// [`MAX_EXCERPT_LINE`]: a long comment beside a short bad line would otherwise be printed whole.
/// Costs a lookup per line shown, never a scan of the text.
fn has_long_lines(d: &Diagnostic, sources: &Sources) -> bool {
    d.labels.iter().any(|l| {
        let file = sources.get(l.span.file);
        let first = file.line_of(l.span.start).saturating_sub(CONTEXT_LINES);
        let last = file.line_of(l.span.end) + CONTEXT_LINES;
        // A label spanning many lines is shown in full: its size counts as a whole.
        if last - first > 2 * CONTEXT_LINES + 200 {
            return file.line_start(last + 1) - file.line_start(first) > 200 * MAX_EXCERPT_LINE;
        }
        (first..=last).any(|line| file.line_len(line) > MAX_EXCERPT_LINE)
    })
}

/// A report without excerpts: the header, each place as `file:line:column`, help and note.
fn plain(d: &Diagnostic, sources: &Sources, width: usize) -> String {
    let mut out =
        wrap(&format!("{}[{} {}]: {}", d.severity, d.code, d.id, d.message), width, "  ", "    ");
    for l in &d.labels {
        let (start, _) = sources.range(l.span);
        let at = format!("at {}:{}:{}", sources.get(l.span.file).name(), start.line, start.column);
        let text = if l.text.is_empty() { at } else { format!("{at}: {}", l.text) };
        out.push('\n');
        out.push_str(&wrap(&text, width, "    ", "      "));
    }
    if let Some(help) = &d.help {
        out.push('\n');
        out.push_str(&wrap(&format!("help: {help}"), width, "  ", "        "));
    }
    if let Some(note) = &d.note {
        out.push('\n');
        out.push_str(&wrap(&format!("note: {note}"), width, "  ", "        "));
    }
    out.push('\n');
    out
}

/// Wraps `text` at word boundaries to `width` columns with the given indents.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::from(first);
    let mut col = first.chars().count();
    let mut line_empty = true;
    for word in text.split_whitespace() {
        let w = word.chars().count();
        if !line_empty && col + 1 + w > width {
            out.push('\n');
            out.push_str(rest);
            col = rest.chars().count();
            line_empty = true;
        }
        if !line_empty {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
        line_empty = false;
    }
    out
}

/// "2 errors, 1 warning, 3 infos".
#[must_use]
pub(crate) fn summary_line(s: &Summary) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}",
        plural(s.error, "error"),
        plural(s.warn, "warning"),
        plural(s.info, "info")
    )
}

/// A [`Diagnostic`] seen through miette: labels in the primary file, labels in other files and
/// the note as related reports.
struct Report<'a> {
    d: &'a Diagnostic,
    source: Option<Excerpt<'a>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Related<'a>>,
    header: String,
}

/// A related report: places in another file, or the note.
#[derive(Debug)]
struct Related<'a> {
    text: String,
    source: Option<Excerpt<'a>>,
    labels: Vec<LabeledSpan>,
}

impl<'a> Report<'a> {
    fn new(d: &'a Diagnostic, sources: &'a Sources) -> Self {
        let primary_file = d.primary_span().map(|s| s.file);
        let mut labels = Vec::new();
        let mut others: Vec<(crate::source::FileId, Vec<LabeledSpan>)> = Vec::new();
        for (i, l) in d.labels.iter().take(PLACES_SHOWN).enumerate() {
            let text = (!l.text.is_empty()).then(|| l.text.clone());
            let span = to_source_span(l.span, sources);
            let labeled = if i == 0 {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            };
            if Some(l.span.file) == primary_file {
                labels.push(labeled);
            } else if let Some((_, v)) = others.iter_mut().find(|(f, _)| *f == l.span.file) {
                v.push(labeled);
            } else {
                others.push((l.span.file, vec![labeled]));
            }
        }
        let named = |file| {
            let f = sources.get(file);
            Excerpt { file: f }
        };
        let related: Vec<Related> = others
            .into_iter()
            .map(|(file, labels)| Related {
                text: "also here".into(),
                source: Some(named(file)),
                labels,
            })
            .collect();
        Report {
            d,
            source: primary_file.map(named),
            labels,
            related,
            header: format!("{}[{} {}]: {}", d.severity, d.code, d.id, d.message),
        }
    }
}

/// A source file as miette reads it: only the lines around a span are scanned (miette's own
/// `str` source scans from the top of the file for every label, which is quadratic in a big
/// manifest with many findings), and nothing is copied.
#[derive(Debug)]
struct Excerpt<'a> {
    file: &'a SourceFile,
}

impl miette::SourceCode for Excerpt<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let text = self.file.text();
        let first = self.file.line_of(span.offset()).saturating_sub(context_lines_before);
        let last = self.file.line_of(span.offset() + span.len()) + context_lines_after + 1;
        let (start, end) =
            (self.file.line_start(first), self.file.line_start(last + 1).min(text.len()));
        let window = &text[start..end];
        let local = SourceSpan::new((span.offset() - start).into(), span.len());
        let inner = window.read_span(&local, context_lines_before, context_lines_after)?;
        let data: &'b [u8] = inner.data();
        let contents = MietteSpanContents::new_named(
            self.file.name().to_string(),
            data,
            SourceSpan::new((inner.span().offset() + start).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            // miette walks this many lines when it draws, so a count from the top of the file
            // (what its `str` source reports) makes every report cost the whole file. It also
            // decides from it whether two labels share one excerpt: a little slack keeps labels
            // a few lines apart in one excerpt, while labels far apart get excerpts of their own.
            inner.line_count() + EXCERPT_MERGE_SLACK,
        )
        .with_language("yaml");
        Ok(Box::new(contents))
    }
}

fn to_source_span(span: Span, sources: &Sources) -> SourceSpan {
    let len = sources.get(span.file).text().len();
    let start = span.start.min(len);
    let end = span.end.min(len).max(start);
    SourceSpan::new(start.into(), end - start)
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.header)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warn => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.d.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

impl fmt::Display for Related<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Related<'_> {}

impl miette::Diagnostic for Related<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }
}

/// One JSON document: `{"version":1,"findings":[…],"summary":{…}}`.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Json;

/// A place in a file, 1-based, columns in characters; `end_*` is exclusive.
#[derive(Serialize)]
struct JsonPlace<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'a str,
    id: &'a str,
    level: Severity,
    message: &'a str,
    subjects: &'a [String],
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    related: Vec<JsonPlace<'a>>,
    help: Option<&'a str>,
    note: Option<&'a str>,
    /// A folded finding's count and parts, each a finding of its own (without `members`).
    #[serde(skip_serializing_if = "Option::is_none")]
    count: Option<usize>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    members: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
    summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'a BaselineReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    baselined: Vec<JsonFinding<'a>>,
}

fn json_finding<'a>(d: &'a Diagnostic, sources: &'a Sources) -> JsonFinding<'a> {
    let primary = d.labels.first().map(|l| place(l.span, None, sources));
    JsonFinding {
        code: d.code,
        id: d.id,
        level: d.severity,
        message: &d.message,
        subjects: &d.subjects,
        file: primary.as_ref().map(|p| p.file),
        line: primary.as_ref().map(|p| p.line),
        column: primary.as_ref().map(|p| p.column),
        end_line: primary.as_ref().map(|p| p.end_line),
        end_column: primary.as_ref().map(|p| p.end_column),
        related: d.labels.iter().skip(1).map(|l| place(l.span, Some(&l.text), sources)).collect(),
        help: d.help.as_deref(),
        note: d.note.as_deref(),
        count: (!d.members.is_empty()).then_some(d.members.len()),
        members: d.members.iter().map(|m| json_finding(m, sources)).collect(),
    }
}

fn place<'a>(span: Span, message: Option<&'a str>, sources: &'a Sources) -> JsonPlace<'a> {
    let (start, end) = sources.range(span);
    JsonPlace {
        file: sources.get(span.file).name(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        message,
    }
}

impl Emitter for Json {
    fn emit(
        &self,
        diagnostics: &[Diagnostic],
        sources: &Sources,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        Json::emit_with(diagnostics, None, sources, out)
    }
}

impl Json {
    /// The report, with what a baseline accepted (`baselined`, kept out of `findings` and the
    /// summary) when the run read one.
    pub(crate) fn emit_with(
        diagnostics: &[Diagnostic],
        baseline: Option<(&BaselineReport, &[Diagnostic])>,
        sources: &Sources,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        let report = JsonReport {
            version: 1,
            findings: diagnostics.iter().map(|d| json_finding(d, sources)).collect(),
            summary: Summary::of(diagnostics),
            baseline: baseline.map(|(b, _)| b),
            baselined: baseline
                .map(|(_, accepted)| accepted.iter().map(|d| json_finding(d, sources)).collect())
                .unwrap_or_default(),
        };
        serde_json::to_writer_pretty(&mut *out, &report).map_err(json_io)?;
        writeln!(out)
    }
}

/// A JSON write error as an I/O error, keeping its kind (a closed pipe stays a closed pipe).
pub(crate) fn json_io(e: serde_json::Error) -> io::Error {
    match e.io_error_kind() {
        Some(kind) => io::Error::from(kind),
        None => io::Error::other(e),
    }
}
