//! What a check is: metadata, parameters, and the context it reports through.

use std::collections::BTreeMap;

use crate::diagnostic::{self, Diagnostic, Severity};
use crate::manifest::Selector;
use crate::model::Model;
use crate::source::Spanned;
use crate::vocab::Level;

/// The family a check belongs to; the tens digit of its code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// `AM00x`: a broken model.
    Structure,
    /// `AM01x`: dependency cycles.
    Cycles,
    /// `AM02x`: bottlenecks and resilience.
    Resilience,
    /// `AM03x`: design smells.
    Design,
    /// `AM04x`: hygiene.
    Hygiene,
}

impl Category {
    /// Lowercase name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Structure => "structure",
            Category::Cycles => "cycles",
            Category::Resilience => "resilience",
            Category::Design => "design",
            Category::Hygiene => "hygiene",
        }
    }
}

/// The type of a rule parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamKind {
    /// A whole number ≥ 0.
    Count,
    /// A number from 0 to 1.
    Share,
    /// A list of `{from: SELECTOR, to: SELECTOR}`.
    Forbidden,
}

/// A parameter a rule takes.
#[derive(Clone, Copy, Debug)]
pub struct ParamMeta {
    /// Name in the manifest's `rules` map.
    pub name: &'static str,
    /// Its type.
    pub kind: ParamKind,
    /// The default, as written in docs.
    pub default: &'static str,
    /// What it means.
    pub doc: &'static str,
}

/// A check's static description.
#[derive(Clone, Copy, Debug)]
pub struct RuleMeta {
    /// Stable code, `AM` and three digits.
    pub code: &'static str,
    /// Kebab-case id.
    pub id: &'static str,
    /// Family.
    pub category: Category,
    /// Level when the manifest and command line say nothing.
    pub default_level: Level,
    /// The archmap version that introduced it.
    pub since: &'static str,
    /// One line: what it finds.
    pub summary: &'static str,
    /// Markdown with the sections "What it flags", "Why it matters", "Example", "How to fix".
    pub docs: &'static str,
    /// Parameters.
    pub params: &'static [ParamMeta],
}

/// A check.
pub trait Rule: Sync {
    /// Static description.
    fn meta(&self) -> &'static RuleMeta;
    /// Reports findings about `model` through `cx`. Never changes the model.
    fn check(&self, model: &Model, cx: &mut RuleContext<'_>);
}

/// A parameter value after validation.
#[derive(Clone, Debug, PartialEq)]
pub enum Param {
    /// A count.
    Count(u64),
    /// A share from 0 to 1.
    Share(f64),
    /// Forbidden edges.
    Forbidden(Vec<(Spanned<Selector>, Spanned<Selector>)>),
}

/// Which `allow` entries silenced a finding so far in a run, and which checks ran.
#[derive(Clone, Debug, Default)]
pub struct AllowUsage {
    /// Per component (by index), per `allow` entry: whether it silenced a finding.
    pub used: Vec<Vec<bool>>,
    /// Codes of the checks that ran, in the order they ran.
    pub ran: Vec<&'static str>,
}

impl AllowUsage {
    /// No entry used yet, no check run yet.
    #[must_use]
    pub fn new(model: &Model) -> Self {
        let used =
            model.components().map(|id| vec![false; model.component(id).allow.len()]).collect();
        Self { used, ran: Vec::new() }
    }

    /// Whether a component the finding is about allows the finding's check (by id, or code
    /// in any case); marks every matching entry as used.
    pub fn silences(&mut self, model: &Model, d: &Diagnostic) -> bool {
        let mut silenced = false;
        for id in d.subjects.iter().filter_map(|s| model.find(s)) {
            for (i, a) in model.component(id).allow.iter().enumerate() {
                if diagnostic::names_code(&a.value, d.code, d.id) {
                    self.used[id.index()][i] = true;
                    silenced = true;
                }
            }
        }
        silenced
    }
}

/// What a rule is handed while it runs: its parameters, and where its findings go.
pub struct RuleContext<'a> {
    meta: &'static RuleMeta,
    severity: Severity,
    params: Option<&'a BTreeMap<&'static str, Param>>,
    allow_usage: Option<&'a AllowUsage>,
    findings: Vec<Diagnostic>,
}

impl<'a> RuleContext<'a> {
    /// A context for `meta` whose findings get `severity`.
    #[must_use]
    pub fn new(
        meta: &'static RuleMeta,
        severity: Severity,
        params: Option<&'a BTreeMap<&'static str, Param>>,
    ) -> Self {
        Self { meta, severity, params, allow_usage: None, findings: Vec::new() }
    }

    /// Hands the rule what the run's earlier checks did with `allow` entries (for AM044).
    #[must_use]
    pub fn with_allow_usage(mut self, usage: &'a AllowUsage) -> Self {
        self.allow_usage = Some(usage);
        self
    }

    /// What the run's earlier checks did with `allow` entries, when the driver tells.
    #[must_use]
    pub fn allow_usage(&self) -> Option<&'a AllowUsage> {
        self.allow_usage
    }

    /// Reports a finding; its code, id and severity are the rule's.
    pub fn report(&mut self, mut diagnostic: Diagnostic) {
        diagnostic.code = self.meta.code;
        diagnostic.id = self.meta.id;
        diagnostic.severity = self.severity;
        self.findings.push(diagnostic);
    }

    /// The findings reported so far.
    #[must_use]
    pub fn into_findings(self) -> Vec<Diagnostic> {
        self.findings
    }

    /// A count parameter: the configured value or the documented default.
    ///
    /// # Panics
    /// When the rule asks for a parameter its metadata does not declare (a bug).
    #[must_use]
    pub fn count(&self, name: &str) -> u64 {
        match self.params.and_then(|p| p.get(name)) {
            Some(Param::Count(n)) => *n,
            _ => self.default(name).parse().expect("declared count defaults parse"),
        }
    }

    /// A share parameter: the configured value or the documented default.
    ///
    /// # Panics
    /// When the rule asks for a parameter its metadata does not declare (a bug).
    #[must_use]
    pub fn share(&self, name: &str) -> f64 {
        match self.params.and_then(|p| p.get(name)) {
            Some(Param::Share(x)) => *x,
            _ => self.default(name).parse().expect("declared share defaults parse"),
        }
    }

    /// A forbidden-edges parameter, if configured.
    #[must_use]
    pub fn forbidden(&self, name: &str) -> Option<&'a [(Spanned<Selector>, Spanned<Selector>)]> {
        match self.params.and_then(|p| p.get(name)) {
            Some(Param::Forbidden(pairs)) => Some(pairs),
            _ => None,
        }
    }

    fn default(&self, name: &str) -> &'static str {
        self.meta
            .params
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.default)
            .expect("rules ask only for parameters they declare")
    }
}

/// A finding before the rule's code and severity are stamped on it.
pub fn finding(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new("", "", Severity::Info, message)
}
