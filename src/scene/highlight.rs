//! Findings drawn onto a diagram (`render --highlight`).
//!
//! Input: the diagnostics `check` already computed (the renderer never re-runs analysis).
//! Output: [`Highlight`]s, each a [`Mark`] on some components and on the dependencies between
//! them, which [`scene`](super::scene()) turns into node and edge classes (`hl-cycle`, …).
//! Invariants: the mapping depends only on a finding's code and `subjects`, so it is
//! deterministic; subjects that are not components of the scene are ignored.

use crate::diagnostic::{Diagnostic, Severity};

/// How a finding is drawn, from the most to the least serious; one CSS class each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mark {
    /// A dependency cycle (AM010, AM011): red members and edges.
    Cycle,
    /// A layer violation (AM032): the offending dependency, purple.
    Layer,
    /// A single point of failure or choke point (AM022, AM024): amber, thick.
    Spof,
    /// A hotspot: too many dependents or dependencies (AM020, AM021): amber.
    Hotspot,
    /// A long chain of sync calls (AM023): the chain's edges, orange.
    Chain,
    /// Any other finding about a component: a dashed outline.
    Finding,
    /// `archmap diff`: only in the new manifest, green.
    Added,
    /// `archmap diff`: only in the old manifest, red and dashed.
    Removed,
    /// `archmap diff`: in both, with different attributes, amber.
    Changed,
    /// `archmap diff`: the same in both, faded.
    Unchanged,
    /// `render --flow ID --overlay`: a component or dependency the flow uses, blue.
    Flow,
    /// `render --flow ID --overlay`: what the flow does not use, faded.
    Dimmed,
}

impl Mark {
    /// Every mark, in legend order.
    pub const ALL: [Mark; 12] = [
        Mark::Cycle,
        Mark::Layer,
        Mark::Spof,
        Mark::Hotspot,
        Mark::Chain,
        Mark::Finding,
        Mark::Added,
        Mark::Removed,
        Mark::Changed,
        Mark::Unchanged,
        Mark::Flow,
        Mark::Dimmed,
    ];

    /// The class added to marked nodes and edges.
    #[must_use]
    pub fn class(self) -> &'static str {
        match self {
            Mark::Cycle => "hl-cycle",
            Mark::Layer => "hl-layer",
            Mark::Spof => "hl-spof",
            Mark::Hotspot => "hl-hotspot",
            Mark::Chain => "hl-chain",
            Mark::Finding => "hl-finding",
            Mark::Added => "hl-added",
            Mark::Removed => "hl-removed",
            Mark::Changed => "hl-changed",
            Mark::Unchanged => "hl-unchanged",
            Mark::Flow => "hl-flow",
            Mark::Dimmed => "hl-dimmed",
        }
    }

    /// The mark a class names, if it is a highlight class.
    #[must_use]
    pub fn from_class(class: &str) -> Option<Mark> {
        Mark::ALL.into_iter().find(|m| m.class() == class)
    }

    /// Short name, as used in JSON output.
    #[must_use]
    pub fn name(self) -> &'static str {
        &self.class()[3..]
    }

    /// Whether it marks dependencies (arrows), not only components.
    #[must_use]
    pub fn on_edges(self) -> bool {
        matches!(
            self,
            Mark::Cycle
                | Mark::Layer
                | Mark::Chain
                | Mark::Added
                | Mark::Removed
                | Mark::Changed
                | Mark::Flow
        )
    }

    /// Whether it is a diff status (`archmap diff --format svg`), not a finding.
    #[must_use]
    pub fn is_diff(self) -> bool {
        matches!(self, Mark::Added | Mark::Removed | Mark::Changed | Mark::Unchanged)
    }

    /// Whether it draws a flow over the diagram (`render --flow ID --overlay`).
    #[must_use]
    pub fn is_flow(self) -> bool {
        matches!(self, Mark::Flow | Mark::Dimmed)
    }

    /// The legend's words for it.
    #[must_use]
    pub fn legend(self) -> &'static str {
        match self {
            Mark::Cycle => "dependency cycle",
            Mark::Layer => "layer violation",
            Mark::Spof => "single point of failure",
            Mark::Hotspot => "hotspot (fan-in/fan-out)",
            Mark::Chain => "long sync chain",
            Mark::Finding => "other finding",
            Mark::Added => "added",
            Mark::Removed => "removed",
            Mark::Changed => "changed",
            Mark::Unchanged => "unchanged",
            Mark::Flow => "step of the flow",
            Mark::Dimmed => "not in the flow",
        }
    }

    /// The stroke colour used for it in DOT and Mermaid (SVG uses the same through CSS).
    #[must_use]
    pub fn color(self) -> &'static str {
        match self {
            Mark::Cycle | Mark::Removed => "#dc2626",
            Mark::Layer => "#9333ea",
            Mark::Spof | Mark::Changed => "#d97706",
            Mark::Hotspot => "#f59e0b",
            Mark::Chain => "#ea580c",
            Mark::Finding => "#64748b",
            Mark::Added => "#16a34a",
            Mark::Unchanged | Mark::Dimmed => "#94a3b8",
            Mark::Flow => "#2563eb",
        }
    }
}

/// The most serious mark among `classes`, if any.
#[must_use]
pub(crate) fn strongest(classes: &[&str]) -> Option<Mark> {
    classes.iter().filter_map(|c| Mark::from_class(c)).min()
}

/// The marks used anywhere in `scene`, in legend order.
#[must_use]
pub(crate) fn used(scene: &super::Scene) -> Vec<Mark> {
    Mark::ALL
        .into_iter()
        .filter(|m| {
            scene.nodes.iter().any(|n| n.classes.contains(&m.class()))
                || scene.edges.iter().any(|e| e.classes.contains(&m.class()))
        })
        .collect()
}

/// One finding, reduced to what the diagram marks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// How to draw it.
    pub mark: Mark,
    /// Components whose boxes are marked.
    pub nodes: Vec<String>,
    /// Dependencies (from, to) whose arrows are marked.
    pub edges: Vec<(String, String)>,
}

/// The highlights for `diagnostics`; fatal problems, findings without subjects and info-level
/// findings of kinds without a mark of their own (missing owner, …) mark nothing.
#[must_use]
pub fn highlights(diagnostics: &[Diagnostic]) -> Vec<Highlight> {
    diagnostics
        .iter()
        .filter(|d| !d.fatal && !d.subjects.is_empty())
        .filter_map(highlight)
        .collect()
}

/// Consecutive pairs of `path`; with `closed`, also last → first.
fn path_edges(path: &[String], closed: bool) -> Vec<(String, String)> {
    let mut edges: Vec<(String, String)> =
        path.windows(2).map(|w| (w[0].clone(), w[1].clone())).collect();
    if closed && path.len() > 1 {
        edges.push((path[path.len() - 1].clone(), path[0].clone()));
    }
    edges
}

fn highlight(d: &Diagnostic) -> Option<Highlight> {
    let s = &d.subjects;
    let (mark, nodes, edges) = match d.code {
        // Subjects in path order: a -> b -> … -> a.
        "AM010" | "AM011" => (Mark::Cycle, s.clone(), path_edges(s, true)),
        // Subjects: the component and the one it must not depend on.
        "AM032" => (Mark::Layer, s.clone(), path_edges(&s[..s.len().min(2)], false)),
        "AM022" | "AM024" => (Mark::Spof, s.clone(), Vec::new()),
        "AM020" | "AM021" => (Mark::Hotspot, s.clone(), Vec::new()),
        // Subjects: the chain, first caller first.
        "AM023" => (Mark::Chain, Vec::new(), path_edges(s, false)),
        _ if d.severity == Severity::Info => return None,
        _ => (Mark::Finding, s.clone(), Vec::new()),
    };
    Some(Highlight { mark, nodes, edges })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(code: &'static str, subjects: &[&str]) -> Diagnostic {
        Diagnostic::new(code, "x", Severity::Warn, "m").with_subjects(subjects.iter().copied())
    }

    fn pairs(e: &[(String, String)]) -> Vec<String> {
        e.iter().map(|(a, b)| format!("{a}>{b}")).collect()
    }

    #[test]
    fn cycles_close_their_path() {
        let h = highlights(&[diag("AM010", &["a", "b", "c"])]);
        assert_eq!(h[0].mark, Mark::Cycle);
        assert_eq!(h[0].nodes, ["a", "b", "c"]);
        assert_eq!(pairs(&h[0].edges), ["a>b", "b>c", "c>a"]);
    }

    #[test]
    fn chains_mark_only_their_edges_and_stay_open() {
        let h = highlights(&[diag("AM023", &["a", "b", "c"])]);
        assert_eq!(h[0].mark, Mark::Chain);
        assert!(h[0].nodes.is_empty());
        assert_eq!(pairs(&h[0].edges), ["a>b", "b>c"]);
    }

    #[test]
    fn layer_violations_mark_the_dependency() {
        let h = highlights(&[diag("AM032", &["web", "db"])]);
        assert_eq!((h[0].mark, pairs(&h[0].edges)), (Mark::Layer, vec!["web>db".to_string()]));
    }

    #[test]
    fn kinds_and_fallbacks() {
        let h = highlights(&[
            diag("AM022", &["gw"]),
            diag("AM020", &["hub"]),
            diag("AM033", &["lonely"]),
            diag("AM041", &[]),
            Diagnostic::new("AM040", "x", Severity::Info, "m").with_subjects(["quiet"]),
        ]);
        let marks: Vec<Mark> = h.iter().map(|h| h.mark).collect();
        assert_eq!(marks, [Mark::Spof, Mark::Hotspot, Mark::Finding]);
    }

    #[test]
    fn classes_round_trip() {
        for m in Mark::ALL {
            assert_eq!(Mark::from_class(m.class()), Some(m));
            assert!(!m.name().starts_with("hl-"));
        }
        assert_eq!(Mark::from_class("collapsed"), None);
    }
}
