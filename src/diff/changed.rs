//! Findings that are still there with other numbers: a fan-in of 11 that became 12, a shared
//! datastore with one user more. Matching by code and every subject (as `diff` and baselines
//! do) sees such a finding as one new and one resolved; here the two are paired back into one
//! finding that changed.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Finding, FindingKey, finding_key, to_finding};
use crate::diagnostic::Diagnostic;

/// A finding on both sides about the same component, saying something else.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct ChangedFinding {
    /// As the old side reported it.
    pub old: Finding,
    /// As the new side reports it.
    pub new: Finding,
}

/// Findings that match on both sides (same code and subjects) with other numbers or another
/// level: a fan-in of 11 that became 12 keeps its subject, the hub. Only numbers count: the
/// same cycle read from another start is worded otherwise and has not changed.
pub(crate) fn reworded(old: &[Diagnostic], new: &[Diagnostic]) -> Vec<ChangedFinding> {
    let group = |ds: &[Diagnostic]| {
        let mut map: BTreeMap<FindingKey, Vec<Finding>> = BTreeMap::new();
        for d in ds.iter().filter(|d| !d.fatal).flat_map(Diagnostic::parts) {
            map.entry(finding_key(d)).or_default().push(to_finding(d));
        }
        map
    };
    let (old, new) = (group(old), group(new));
    let mut out = Vec::new();
    for (key, found) in &new {
        let Some(before) = old.get(key) else { continue };
        for (o, n) in before.iter().zip(found) {
            if numbers(&o.message) != numbers(&n.message) || o.level != n.level {
                out.push(ChangedFinding { old: o.clone(), new: n.clone() });
            }
        }
    }
    out
}

/// The numbers a message states, in order.
fn numbers(message: &str) -> Vec<&str> {
    message.split(|c: char| !c.is_ascii_digit()).filter(|s| !s.is_empty()).collect()
}

/// Checks whose subjects are a path or a cycle: another path is another finding, never the same
/// one changed.
const PATHS: [&str; 4] = ["AM010", "AM011", "AM023", "AM032"];

/// Takes out of `new` and `resolved` the pairs that are one finding changed: the same code and
/// the same first subject (the component the finding is about). Each finding pairs at most once,
/// in order, so the result is deterministic.
pub(crate) fn pair(new: &mut Vec<Finding>, resolved: &mut Vec<Finding>) -> Vec<ChangedFinding> {
    let mut changed = Vec::new();
    let mut i = 0;
    while i < new.len() {
        let n = &new[i];
        let anchor = n.subjects.first().filter(|_| !PATHS.contains(&n.code));
        let found = anchor.and_then(|a| {
            resolved.iter().position(|r| r.code == n.code && r.subjects.first() == Some(a))
        });
        match found {
            Some(j) => {
                let old = resolved.remove(j);
                let new = new.remove(i);
                changed.push(ChangedFinding { old, new });
            }
            None => i += 1,
        }
    }
    changed
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    fn finding(code: &'static str, subjects: &[&str], message: &str) -> Finding {
        Finding {
            code,
            id: "x",
            level: Severity::Warn,
            message: message.into(),
            subjects: subjects.iter().map(|s| (*s).to_string()).collect(),
        }
    }

    #[test]
    fn a_finding_about_the_same_component_pairs_into_one_change() {
        let mut new = vec![
            finding("AM020", &["auth", "a", "b", "c"], "auth has 12 dependents"),
            finding("AM030", &["db", "x", "y"], "db is shared by 2"),
        ];
        let mut resolved = vec![
            finding("AM020", &["auth", "a", "b"], "auth has 11 dependents"),
            finding("AM030", &["cache", "x", "y"], "cache is shared by 2"),
        ];
        let changed = pair(&mut new, &mut resolved);
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].old.message, "auth has 11 dependents");
        assert_eq!(changed[0].new.message, "auth has 12 dependents");
        // Another component: a new finding and a resolved one.
        assert_eq!(new.len(), 1);
        assert_eq!(resolved.len(), 1);
    }

    #[test]
    fn paths_and_cycles_never_pair() {
        let mut new = vec![finding("AM010", &["a", "b", "c"], "cycle a b c")];
        let mut resolved = vec![finding("AM010", &["a", "b"], "cycle a b")];
        assert!(pair(&mut new, &mut resolved).is_empty());
        assert_eq!((new.len(), resolved.len()), (1, 1));
    }
}
