//! Findings as data.
//!
//! Input: problems found by any stage (manifest syntax and schema, lowering, checks). Output:
//! [`Diagnostic`] values that emitters in [`emit`] print as human reports, JSON, SARIF or GitHub
//! workflow commands. Invariant: a diagnostic never holds text of the manifest, only spans into
//! [`crate::source::Sources`], so one printer serves every stage.

pub(crate) mod ci;
pub(crate) mod emit;
pub(crate) mod sarif;
pub(crate) mod step_summary;
pub(crate) mod wrap;

use std::fmt;

use serde::Serialize;

use crate::source::Span;
use crate::vocab::Level;

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; never fails a run.
    Info,
    /// Fails a run only with `--deny warnings`.
    Warn,
    /// Fails a run (exit 1).
    Error,
}

impl Severity {
    /// The lowercase name used in every report: `info`, `warn`, `error`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warn => "warn",
            Severity::Error => "error",
        }
    }
}

impl Level {
    /// The severity findings get, or `None` when off.
    #[must_use]
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warn => Some(Severity::Warn),
            Level::Error => Some(Severity::Error),
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A span with a short explanation, drawn under the YAML excerpt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What this place has to do with the finding (may be empty).
    pub text: String,
}

impl Label {
    /// A label at `span` saying `text`.
    pub fn new(span: Span, text: impl Into<String>) -> Self {
        Self { span, text: text.into() }
    }
}

/// One finding: what is wrong, where, why it matters and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `AM010`.
    pub code: &'static str,
    /// Kebab-case id of the check, e.g. `sync-cycle`.
    pub id: &'static str,
    /// Effective severity.
    pub severity: Severity,
    /// What is wrong, one sentence without a trailing full stop.
    pub message: String,
    /// The primary place first, then related places (every edge of a cycle, say).
    pub labels: Vec<Label>,
    /// Why it matters.
    pub note: Option<String>,
    /// What to do.
    pub help: Option<String>,
    /// Ids of the components (or groups, views) the finding is about, in a meaningful order.
    pub subjects: Vec<String>,
    /// True for problems that stop the model from being built (syntax and schema errors):
    /// the run exits 2 and nothing is rendered.
    pub fatal: bool,
    /// How many components the finding puts at risk or concerns (a blast radius, a fan-in, the
    /// members of a cycle), when its check knows better than [`Diagnostic::impact`]'s count of
    /// subjects. The human report ranks findings of one level by it.
    pub impact: Option<usize>,
    /// For a finding that stands for many (a fact missing from the whole manifest, such as
    /// owners): the findings it stands for, one per component, sorted. Empty otherwise.
    pub members: Vec<Diagnostic>,
}

impl Diagnostic {
    /// A finding with code, id, severity and message; add places and advice with the builders.
    pub fn new(
        code: &'static str,
        id: &'static str,
        severity: Severity,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            id,
            severity,
            message: message.into(),
            labels: Vec::new(),
            note: None,
            help: None,
            subjects: Vec::new(),
            fatal: false,
            impact: None,
            members: Vec::new(),
        }
    }

    /// Adds a labelled place (the first one added is the primary place).
    #[must_use]
    pub fn with_label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label::new(span, text));
        self
    }

    /// Sets why it matters.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Sets what to do.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets what to do when there is something to say.
    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Sets the ids the finding is about.
    #[must_use]
    pub fn with_subjects<I, S>(mut self, subjects: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.subjects = subjects.into_iter().map(Into::into).collect();
        self
    }

    /// Sets how many components the finding puts at risk (see [`Diagnostic::impact`]).
    #[must_use]
    pub fn with_impact(mut self, impact: usize) -> Self {
        self.impact = Some(impact);
        self
    }

    /// How many components the finding puts at risk or concerns: what its check said, else
    /// the number of its subjects.
    #[must_use]
    pub fn impact(&self) -> usize {
        self.impact.unwrap_or(self.subjects.len())
    }

    /// Marks the finding as one that stops the model from being built.
    #[must_use]
    pub fn fatal(mut self) -> Self {
        self.fatal = true;
        self
    }

    /// The primary place, if any.
    #[must_use]
    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    /// The findings this one stands for: its members when it folds many into one, else
    /// itself. Baselines and `diff` match findings part by part, so a folded finding that
    /// gains or loses a component changes by that component only.
    pub fn parts(&self) -> impl Iterator<Item = &Diagnostic> {
        let own = self.members.is_empty().then_some(self);
        own.into_iter().chain(self.members.iter())
    }
}

/// A problem that is not a check (reading a manifest, importing compose files): it cannot be
/// configured, and `archmap explain` documents it. Checks describe themselves with
/// `analysis::RuleMeta`; `crate::codes` lists both kinds.
#[derive(Clone, Copy, Debug)]
pub struct ProblemMeta {
    /// Stable code, `AM` and three digits.
    pub code: &'static str,
    /// Kebab-case id.
    pub id: &'static str,
    /// One line: what went wrong.
    pub summary: &'static str,
    /// Markdown: what it means and what to do.
    pub docs: &'static str,
}

/// Sorts findings by file, position and code, as every report shows them.
pub(crate) fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let ka = a.primary_span().map(|s| (s.file, s.start));
        let kb = b.primary_span().map(|s| (s.file, s.start));
        ka.cmp(&kb).then(a.code.cmp(b.code)).then_with(|| a.message.cmp(&b.message))
    });
}

/// What identifies a finding across runs and files, with its code: its subjects as compared
/// (a cycle's path rotated to start at its smallest member; paths and `from, to` pairs as
/// they are; otherwise the first subject, then the others sorted), and, only when it has no
/// subjects, its message. `diff` and baselines match findings by this, never by position.
#[must_use]
pub(crate) fn identity(code: &str, subjects: &[String], message: &str) -> (Vec<String>, String) {
    let mut subjects = subjects.to_vec();
    match code {
        // A cycle's path: the same cycle may start anywhere, depending on manifest order.
        "AM010" | "AM011" => {
            if let Some(min) =
                subjects.iter().enumerate().min_by(|a, b| a.1.cmp(b.1)).map(|(i, _)| i)
            {
                subjects.rotate_left(min);
            }
        }
        // Paths and (from, to) pairs: the order is the meaning.
        "AM023" | "AM032" => {}
        // A component with the others it concerns: the first stays first.
        _ if !subjects.is_empty() => subjects[1..].sort(),
        _ => {}
    }
    let message = if subjects.is_empty() { message.to_string() } else { String::new() };
    (subjects, message)
}

/// Counts of findings per severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Summary {
    /// Findings at level error.
    pub error: usize,
    /// Findings at level warn.
    pub warn: usize,
    /// Findings at level info.
    pub info: usize,
}

impl Summary {
    /// Counts `diagnostics`.
    #[must_use]
    pub(crate) fn of(diagnostics: &[Diagnostic]) -> Self {
        Self::of_all(diagnostics)
    }

    /// Counts the findings `diagnostics` yields.
    #[must_use]
    pub(crate) fn of_all<'a>(diagnostics: impl IntoIterator<Item = &'a Diagnostic>) -> Self {
        let mut s = Summary::default();
        for d in diagnostics {
            match d.severity {
                Severity::Error => s.error += 1,
                Severity::Warn => s.warn += 1,
                Severity::Info => s.info += 1,
            }
        }
        s
    }
}

/// Whether `name` names the code `code` whose id is `id`: the id as written, or the code in any
/// case (`am010`). `explain`, the manifest's `rules`, `--rule` and `allow` all name codes so.
#[must_use]
pub(crate) fn names_code(name: &str, code: &str, id: &str) -> bool {
    name == id || name.eq_ignore_ascii_case(code)
}

/// The closest candidate to `name` by edit distance, when it is close enough to be a typo.
pub(crate) fn did_you_mean<'a, I>(name: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let mut best: Option<(f64, &'a str)> = None;
    for c in candidates {
        let score = strsim::jaro_winkler(&name.to_lowercase(), &c.to_lowercase());
        // A shared prefix or a one-letter slip scores above 0.8; unrelated words score far lower.
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_only() {
        let ids = ["inventory", "payments", "orders"];
        assert_eq!(did_you_mean("inventroy", ids), Some("inventory"));
        assert_eq!(did_you_mean("payment", ids), Some("payments"));
        assert_eq!(did_you_mean("Orders", ids), Some("orders"));
        assert_eq!(did_you_mean("zebra", ids), None);
        assert_eq!(did_you_mean("x", []), None);
    }
}
