//! Stage 3: [`Model`] → findings.
//!
//! Input: a model and a [`Config`]. Output: every finding of every enabled check, with its
//! effective severity, minus those silenced by a component's `allow`, sorted by file, line and
//! code. Invariant: checks read the model and never change it.

pub mod config;
pub mod graph;
pub mod registry;
pub mod rule;
pub mod rules;

pub use config::Config;
pub use rule::{Category, ParamKind, ParamMeta, Rule, RuleContext, RuleMeta};

use crate::diagnostic::{self, Diagnostic};
use crate::model::Model;

/// Runs every enabled check.
#[must_use]
pub fn check(model: &Model, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for rule in registry::RULES {
        let meta = rule.meta();
        let Some(severity) = config.level(meta).severity() else { continue };
        let mut cx = RuleContext::new(meta, severity, config.params(meta));
        rule.check(model, &mut cx);
        out.extend(cx.into_findings().into_iter().filter(|d| !allowed(model, d)));
    }
    diagnostic::sort(&mut out);
    out
}

/// Whether a component the finding is about allows the finding's check, by id or code.
fn allowed(model: &Model, d: &Diagnostic) -> bool {
    d.subjects.iter().filter_map(|s| model.find(s)).any(|id| {
        model
            .component(id)
            .allow
            .iter()
            .any(|a| a.value == d.id || a.value.eq_ignore_ascii_case(d.code))
    })
}
