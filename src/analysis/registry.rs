//! The static list of every check, sorted by code. `crate::codes` joins it with the problems
//! that are not checks and tests that every code and id is unique and in order.

use super::rule::{Rule, RuleMeta};
use super::rules::{
    async_cycle::AsyncCycle, choke_point::ChokePoint, cross_group_coupling::CrossGroupCoupling,
    duplicate_dependency::DuplicateDependency, duplicate_id::DuplicateId, empty_group::EmptyGroup,
    empty_view::EmptyView, fan_in::FanIn, fan_out::FanOut, group_cycle::GroupCycle,
    layer_violation::LayerViolation, missing_description::MissingDescription,
    missing_owner::MissingOwner, orphan::Orphan, passive_dependency::PassiveDependency,
    self_dependency::SelfDependency, shared_datastore::SharedDatastore,
    single_point_of_failure::SinglePointOfFailure, sync_chain_depth::SyncChainDepth,
    sync_cycle::SyncCycle, unknown_reference::UnknownReference, unused_allow::UnusedAllow,
};
use super::rules::{
    flow_coverage::FlowCoverage, flow_over_budget::FlowOverBudget,
    flow_reentrant_call::FlowReentrantCall, flow_step_mismatch::FlowStepMismatch,
    flow_sync_depth::FlowSyncDepth, flow_undeclared_step::FlowUndeclaredStep,
    timeout_inversion::TimeoutInversion,
};
use crate::diagnostic;

/// Every check, sorted by code. Codes are never reused.
pub(crate) static RULES: &[&dyn Rule] = &[
    &UnknownReference,
    &DuplicateId,
    &SelfDependency,
    &DuplicateDependency,
    &GroupCycle,
    &SyncCycle,
    &AsyncCycle,
    &FanIn,
    &FanOut,
    &SinglePointOfFailure,
    &SyncChainDepth,
    &ChokePoint,
    &SharedDatastore,
    &PassiveDependency,
    &LayerViolation,
    &Orphan,
    &CrossGroupCoupling,
    &MissingOwner,
    &MissingDescription,
    &EmptyGroup,
    &EmptyView,
    &UnusedAllow,
    &FlowUndeclaredStep,
    &FlowStepMismatch,
    &FlowReentrantCall,
    &FlowSyncDepth,
    &FlowOverBudget,
    &TimeoutInversion,
    &FlowCoverage,
];

/// The check whose id or code is `name` (codes case-insensitively).
#[must_use]
pub(crate) fn find(name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| diagnostic::names_code(name, r.meta().code, r.meta().id))
}

/// Metadata of every check.
pub(crate) fn metas() -> impl Iterator<Item = &'static RuleMeta> {
    RULES.iter().map(|r| r.meta())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_have_the_required_sections() {
        for m in metas() {
            for heading in ["## What it flags", "## Why it matters", "## Example", "## How to fix"]
            {
                assert!(m.docs.contains(heading), "{} lacks {heading}", m.id);
            }
            assert!(m.docs.contains("```yaml"), "{} has no example manifest", m.id);
            assert!(!m.summary.is_empty() && !m.summary.ends_with('.'), "{}", m.id);
            assert!(!m.facts.is_empty() && !m.facts.ends_with('.'), "{}: facts", m.id);
        }
    }

    #[test]
    fn parameters_are_named_once_and_default_within_range() {
        use super::super::rule::ParamDefault;
        for m in metas() {
            let mut names: Vec<&str> = m.params.iter().map(|p| p.name).collect();
            for name in &names {
                assert!(name.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{name}");
                assert_ne!(*name, "level", "{}: `level` is every rule's own key", m.id);
            }
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), m.params.len(), "{}: parameter names must be unique", m.id);
            for p in m.params {
                match p.default {
                    ParamDefault::Count(_) => {}
                    ParamDefault::Share(x) => assert!((0.0..=1.0).contains(&x), "{}", p.name),
                    ParamDefault::Forbidden(text) => assert!(!text.is_empty(), "{}", p.name),
                }
            }
        }
    }

    #[test]
    fn category_matches_code() {
        use super::super::rule::Category;
        for m in metas() {
            let tens = &m.code[3..4];
            let expected = match m.category {
                Category::Structure => "0",
                Category::Cycles => "1",
                Category::Resilience => "2",
                Category::Design => "3",
                Category::Hygiene => "4",
                Category::Flows => "5",
            };
            assert_eq!(tens, expected, "{}", m.code);
        }
    }

    #[test]
    fn find_by_id_or_code() {
        assert_eq!(find("sync-cycle").map(|r| r.meta().code), Some("AM010"));
        assert_eq!(find("am010").map(|r| r.meta().id), Some("sync-cycle"));
        assert!(find("nope").is_none());
    }
}
