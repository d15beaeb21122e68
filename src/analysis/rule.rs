//! What a check is: metadata, parameters, and the context it reports through.

use std::collections::BTreeMap;
use std::fmt;

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
    /// `AM05x`: flows, the documented journeys, against the dependencies.
    Flows,
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
            Category::Flows => "flows",
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

/// A parameter's default, of the parameter's type.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ParamDefault {
    /// A count.
    Count(u64),
    /// A share from 0 to 1.
    Share(f64),
    /// Forbidden edges: none are configured and the check applies its built-in pairs, described
    /// here in words.
    Forbidden(&'static str),
}

impl ParamDefault {
    /// The parameter's type.
    #[must_use]
    pub fn kind(self) -> ParamKind {
        match self {
            ParamDefault::Count(_) => ParamKind::Count,
            ParamDefault::Share(_) => ParamKind::Share,
            ParamDefault::Forbidden(_) => ParamKind::Forbidden,
        }
    }
}

/// As written in docs, `explain` and help lines: `10`, `0.5`, or the built-in pairs in words.
impl fmt::Display for ParamDefault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamDefault::Count(n) => write!(f, "{n}"),
            ParamDefault::Share(x) => write!(f, "{x}"),
            ParamDefault::Forbidden(text) => f.write_str(text),
        }
    }
}

/// A parameter a rule takes, as the configuration, the docs and the schema see it. Rules
/// declare theirs as a `CountParam`, `ShareParam` or `ForbiddenParam` and list its
/// `meta` here.
#[derive(Clone, Copy, Debug)]
pub struct ParamMeta {
    /// Name in the manifest's `rules` map.
    pub name: &'static str,
    /// The default, which also says the type.
    pub default: ParamDefault,
    /// What it means.
    pub doc: &'static str,
}

impl ParamMeta {
    /// The parameter's type.
    #[must_use]
    pub fn kind(&self) -> ParamKind {
        self.default.kind()
    }
}

/// A count parameter as its rule declares and reads it ([`RuleContext::count`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct CountParam {
    /// Name in the manifest's `rules` map.
    pub name: &'static str,
    /// The value when the manifest does not set it.
    pub default: u64,
    /// What it means.
    pub doc: &'static str,
}

impl CountParam {
    /// The parameter as the rule's metadata lists it.
    #[must_use]
    pub(crate) const fn meta(self) -> ParamMeta {
        ParamMeta { name: self.name, default: ParamDefault::Count(self.default), doc: self.doc }
    }
}

/// A share parameter (0 to 1) as its rule declares and reads it ([`RuleContext::share`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ShareParam {
    /// Name in the manifest's `rules` map.
    pub name: &'static str,
    /// The value when the manifest does not set it.
    pub default: f64,
    /// What it means.
    pub doc: &'static str,
}

impl ShareParam {
    /// The parameter as the rule's metadata lists it.
    #[must_use]
    pub(crate) const fn meta(self) -> ParamMeta {
        ParamMeta { name: self.name, default: ParamDefault::Share(self.default), doc: self.doc }
    }
}

/// A forbidden-edges parameter as its rule declares and reads it ([`RuleContext::forbidden`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ForbiddenParam {
    /// Name in the manifest's `rules` map.
    pub name: &'static str,
    /// What the rule forbids when the manifest sets no list, in words.
    pub default: &'static str,
    /// What it means.
    pub doc: &'static str,
}

impl ForbiddenParam {
    /// The parameter as the rule's metadata lists it.
    #[must_use]
    pub(crate) const fn meta(self) -> ParamMeta {
        ParamMeta { name: self.name, default: ParamDefault::Forbidden(self.default), doc: self.doc }
    }
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
    /// The facts of the manifest it reads, and what it does when they are not written.
    pub facts: &'static str,
    /// Markdown with the sections "What it flags", "Why it matters", "Example", "How to fix".
    pub docs: &'static str,
    /// Parameters.
    pub params: &'static [ParamMeta],
}

/// A check.
pub(crate) trait Rule: Sync {
    /// Static description.
    fn meta(&self) -> &'static RuleMeta;
    /// Reports findings about `model` through `cx`. Never changes the model.
    fn check(&self, model: &Model, cx: &mut RuleContext<'_>);
}

/// A parameter value after validation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Param {
    /// A count.
    Count(u64),
    /// A share from 0 to 1.
    Share(f64),
    /// Forbidden edges.
    Forbidden(Vec<(Spanned<Selector>, Spanned<Selector>)>),
}

/// Which `allow` entries silenced a finding so far in a run, and which checks ran.
#[derive(Clone, Debug, Default)]
pub(crate) struct AllowUsage {
    /// Per component (by index), per `allow` entry: whether it silenced a finding.
    pub used: Vec<Vec<bool>>,
    /// Codes of the checks that ran, in the order they ran.
    pub ran: Vec<&'static str>,
    /// Per component (by index): its entries by exact text (ids match exactly) and by ASCII
    /// lower case (codes match in any case). Looked up, never iterated: a finding costs the same
    /// with 60,000 entries as with one.
    index: Vec<AllowIndex>,
}

/// One component's `allow` entries, by what they can match.
#[derive(Clone, Debug, Default)]
struct AllowIndex {
    exact: std::collections::HashMap<String, Vec<usize>>,
    folded: std::collections::HashMap<String, Vec<usize>>,
}

impl AllowUsage {
    /// No entry used yet, no check run yet.
    #[must_use]
    pub(crate) fn new(model: &Model) -> Self {
        let used =
            model.components().map(|id| vec![false; model.component(id).allow.len()]).collect();
        let index = model
            .components()
            .map(|id| {
                let mut ix = AllowIndex::default();
                for (i, a) in model.component(id).allow.iter().enumerate() {
                    ix.exact.entry(a.value.clone()).or_default().push(i);
                    ix.folded.entry(a.value.to_ascii_lowercase()).or_default().push(i);
                }
                ix
            })
            .collect();
        Self { used, ran: Vec::new(), index }
    }

    /// Whether a component the finding is about allows the finding's check (by id, or code
    /// in any case, as [`diagnostic::names_code`] says); marks every matching entry as used.
    pub(crate) fn silences(&mut self, model: &Model, d: &Diagnostic) -> bool {
        let mut silenced = false;
        let code = d.code.to_ascii_lowercase();
        for id in d.subjects.iter().filter_map(|s| model.find(s)) {
            let ix = &self.index[id.index()];
            let by_id = ix.exact.get(d.id).into_iter().flatten();
            let by_code = ix.folded.get(&code).into_iter().flatten();
            crate::work::add(crate::work::Work::AllowMatch, 1);
            for &i in by_id.chain(by_code) {
                crate::work::add(crate::work::Work::AllowMatch, 1);
                debug_assert!(diagnostic::names_code(
                    &model.component(id).allow[i].value,
                    d.code,
                    d.id
                ));
                self.used[id.index()][i] = true;
                silenced = true;
            }
        }
        silenced
    }
}

/// Folds the findings a rule reported (those no `allow` silenced) into one finding that
/// stands for all of them; see [`RuleContext::roll_up`].
pub(crate) type Fold = fn(&Model, &[Diagnostic]) -> Diagnostic;

/// What a rule is handed while it runs: its parameters, and where its findings go.
pub(crate) struct RuleContext<'a> {
    meta: &'static RuleMeta,
    severity: Severity,
    params: Option<&'a BTreeMap<&'static str, Param>>,
    allow_usage: Option<&'a AllowUsage>,
    findings: Vec<Diagnostic>,
    fold: Option<Fold>,
}

impl<'a> RuleContext<'a> {
    /// A context for `meta` whose findings get `severity`.
    #[must_use]
    pub(crate) fn new(
        meta: &'static RuleMeta,
        severity: Severity,
        params: Option<&'a BTreeMap<&'static str, Param>>,
    ) -> Self {
        Self { meta, severity, params, allow_usage: None, findings: Vec::new(), fold: None }
    }

    /// Hands the rule what the run's earlier checks did with `allow` entries (for AM044).
    #[must_use]
    pub(crate) fn with_allow_usage(mut self, usage: &'a AllowUsage) -> Self {
        self.allow_usage = Some(usage);
        self
    }

    /// What the run's earlier checks did with `allow` entries, when the driver tells.
    #[must_use]
    pub(crate) fn allow_usage(&self) -> Option<&'a AllowUsage> {
        self.allow_usage
    }

    /// Reports a finding; its code, id and severity are the rule's.
    pub(crate) fn report(&mut self, mut diagnostic: Diagnostic) {
        diagnostic.code = self.meta.code;
        diagnostic.id = self.meta.id;
        diagnostic.severity = self.severity;
        self.findings.push(diagnostic);
    }

    /// Asks for this run's findings to be reported as one: when a fact is missing from the
    /// whole manifest (no owner anywhere, hardly any dependency written), one finding with the
    /// count says so better than one per component. After `allow` has silenced what it
    /// silences, two or more findings left are folded by `fold` into one that keeps them as
    /// its [`Diagnostic::members`]; a single finding is reported as it is.
    pub(crate) fn roll_up(&mut self, fold: Fold) {
        self.fold = Some(fold);
    }

    /// The findings reported, and the fold the rule asked for; no longer borrowing what the
    /// context was handed.
    #[must_use]
    pub(crate) fn into_reported(self) -> Reported {
        Reported {
            meta: self.meta,
            severity: self.severity,
            findings: self.findings,
            fold: self.fold,
        }
    }

    /// A count parameter: the configured value (validated by `Config`) or its default.
    #[must_use]
    pub(crate) fn count(&self, param: CountParam) -> u64 {
        match self.value(param.name) {
            Some(Param::Count(n)) => *n,
            _ => param.default,
        }
    }

    /// A share parameter: the configured value (validated by `Config`) or its default.
    #[must_use]
    pub(crate) fn share(&self, param: ShareParam) -> f64 {
        match self.value(param.name) {
            Some(Param::Share(x)) => *x,
            _ => param.default,
        }
    }

    /// A forbidden-edges parameter, if configured; `None` means the rule's built-in pairs.
    #[must_use]
    pub(crate) fn forbidden(
        &self,
        param: ForbiddenParam,
    ) -> Option<&'a [(Spanned<Selector>, Spanned<Selector>)]> {
        match self.value(param.name) {
            Some(Param::Forbidden(pairs)) => Some(pairs),
            _ => None,
        }
    }

    fn value(&self, name: &str) -> Option<&'a Param> {
        self.params.and_then(|p| p.get(name))
    }
}

/// What a rule reported in one run.
pub(crate) struct Reported {
    meta: &'static RuleMeta,
    severity: Severity,
    findings: Vec<Diagnostic>,
    fold: Option<Fold>,
}

impl Reported {
    /// The findings, minus those `keep` rejects, folded into one when the rule asked for it
    /// ([`RuleContext::roll_up`]).
    #[must_use]
    pub(crate) fn finish(
        self,
        model: &Model,
        keep: impl FnMut(&Diagnostic) -> bool,
    ) -> Vec<Diagnostic> {
        let mut findings: Vec<Diagnostic> = self.findings.into_iter().filter(keep).collect();
        match self.fold {
            Some(fold) if findings.len() > 1 => {
                diagnostic::sort(&mut findings);
                let mut one = fold(model, &findings);
                one.code = self.meta.code;
                one.id = self.meta.id;
                one.severity = self.severity;
                one.subjects = findings.iter().flat_map(|d| d.subjects.iter().cloned()).collect();
                one.members = findings;
                vec![one]
            }
            _ => findings,
        }
    }
}

/// A finding before the rule's code and severity are stamped on it.
pub(crate) fn finding(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new("", "", Severity::Info, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_print_as_written_in_docs() {
        assert_eq!(ParamDefault::Count(10).to_string(), "10");
        assert_eq!(ParamDefault::Share(0.5).to_string(), "0.5");
        assert_eq!(ParamDefault::Share(1.0).to_string(), "1");
        assert_eq!(ParamDefault::Forbidden("clients to stores").to_string(), "clients to stores");
    }

    #[test]
    fn a_parameter_reads_its_configured_value_or_its_default() {
        const MAX: CountParam = CountParam { name: "max", default: 10, doc: "" };
        const SHARE: ShareParam = ShareParam { name: "share", default: 0.5, doc: "" };
        const PAIRS: ForbiddenParam = ForbiddenParam { name: "pairs", default: "none", doc: "" };
        static META: RuleMeta = RuleMeta {
            code: "AM999",
            id: "test",
            category: Category::Hygiene,
            default_level: Level::Warn,
            since: "0.1.0",
            summary: "a test",
            facts: "none",
            docs: "",
            params: &[MAX.meta(), SHARE.meta(), PAIRS.meta()],
        };
        let unset = RuleContext::new(&META, Severity::Warn, None);
        assert_eq!((unset.count(MAX), unset.share(SHARE)), (10, 0.5));
        assert!(unset.forbidden(PAIRS).is_none());
        let set = BTreeMap::from([("max", Param::Count(3)), ("share", Param::Share(0.25))]);
        let cx = RuleContext::new(&META, Severity::Warn, Some(&set));
        assert_eq!((cx.count(MAX), cx.share(SHARE)), (3, 0.25));
        assert_eq!(
            META.params.iter().map(ParamMeta::kind).collect::<Vec<_>>(),
            [ParamKind::Count, ParamKind::Share, ParamKind::Forbidden]
        );
    }
}
