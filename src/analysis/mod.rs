//! Stage 3: [`Model`] → findings.
//!
//! Input: a model and a [`Config`]. Output: every finding of every enabled check, with its
//! effective severity, minus those silenced by a component's `allow`, sorted by file, line and
//! code. Invariant: checks read the model and never change it. AM044 (unused-allow) runs last,
//! after every other check, and is told which `allow` entries silenced something.

pub(crate) mod config;
pub(crate) mod graph;
pub(crate) mod metrics;
pub(crate) mod registry;
pub(crate) mod rule;
pub(crate) mod rules;
#[cfg(test)]
pub(crate) mod testing;

pub use config::Config;
pub(crate) use rule::{AllowUsage, Rule, RuleContext};
pub use rule::{Category, ParamDefault, ParamKind, ParamMeta, RuleMeta};

use crate::diagnostic::{self, Diagnostic};
use crate::model::Model;

/// Runs every enabled check.
#[must_use]
pub(crate) fn check(model: &Model, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut usage = AllowUsage::new(model);
    // Unused-allow judges what the other checks left, so it runs after all of them.
    let (last, first): (Vec<&dyn Rule>, Vec<&dyn Rule>) =
        registry::RULES.iter().copied().partition(|r| r.meta().code == rules::unused_allow::CODE);
    for rule in first.into_iter().chain(last) {
        let meta = rule.meta();
        let Some(severity) = config.level(meta).severity() else { continue };
        usage.ran.push(meta.code);
        let mut cx = RuleContext::new(meta, severity, config.params(meta)).with_allow_usage(&usage);
        rule.check(model, &mut cx);
        let reported = cx.into_reported();
        out.extend(reported.finish(model, |d| !usage.silences(model, d)));
    }
    diagnostic::sort(&mut out);
    out
}
