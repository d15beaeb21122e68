//! The `flows` section: named journeys through the system, read from the YAML tree.
//!
//! Input: the node of one flow (a map under `flows`). Output: a [`FlowSpec`] whose steps keep
//! the span of every value, so that a check can point at the step, its `from`, its `to` or its
//! `async`. Invariants: like the rest of the reader, every problem is collected and a wrong
//! entry is skipped; a step is a message (`from`, `to`), a parallel block (`par`) or a repeated
//! block (`loop`), and blocks nest.

use super::Reader;
use crate::manifest::yaml::{Node, Value};
use crate::source::{Span, Spanned};

/// The fields of a flow.
pub(crate) const FLOW_FIELDS: &[&str] = &["title", "description", "budget_ms", "steps"];
/// The fields of a message step.
pub(crate) const MESSAGE_FIELDS: &[&str] =
    &["from", "to", "label", "async", "optional", "returns", "protocol"];
/// The fields of a parallel block.
const PAR_FIELDS: &[&str] = &["par", "label"];
/// The fields of a branch written as a map.
const BRANCH_FIELDS: &[&str] = &["label", "steps"];
/// The fields of a repeated block.
const LOOP_FIELDS: &[&str] = &["loop", "steps"];

/// An entry of `flows`.
#[derive(Clone, Debug)]
pub(crate) struct FlowSpec {
    /// The map key.
    pub id: Spanned<String>,
    /// `title`.
    pub title: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<Spanned<String>>,
    /// `budget_ms`: the most the flow's sync critical path may take.
    pub budget_ms: Option<Spanned<u32>>,
    /// `steps`, in order.
    pub steps: Vec<StepSpec>,
}

/// One entry of a flow's `steps`.
#[derive(Clone, Debug)]
pub(crate) enum StepSpec {
    /// A message from one component to another.
    Message(Box<MessageSpec>),
    /// `par`: branches that run at the same time.
    Par {
        /// Where the block starts.
        span: Span,
        /// `label`.
        label: Option<Spanned<String>>,
        /// Each branch's label and steps.
        branches: Vec<(Option<Spanned<String>>, Vec<StepSpec>)>,
    },
    /// `loop`: steps repeated.
    Loop {
        /// Where the block starts.
        span: Span,
        /// The `loop` text: what is repeated, e.g. "for each item".
        label: Option<Spanned<String>>,
        /// `steps`.
        steps: Vec<StepSpec>,
    },
}

/// A message step.
#[derive(Clone, Debug)]
pub(crate) struct MessageSpec {
    /// Where the step's map starts.
    pub span: Span,
    /// `from`.
    pub from: Spanned<String>,
    /// `to`.
    pub to: Spanned<String>,
    /// `label`.
    pub label: Option<Spanned<String>>,
    /// `async`: whether the caller goes on without waiting (default: the dependency's mode).
    pub asynchronous: Option<Spanned<bool>>,
    /// `optional`: the step may not happen.
    pub optional: bool,
    /// `returns`: what comes back (drawn as a return message).
    pub returns: Option<Spanned<String>>,
    /// `protocol`: the dependency's protocol the step uses.
    pub protocol: Option<Spanned<String>>,
}

impl Reader<'_> {
    pub(super) fn flow(&mut self, id: Spanned<String>, node: &mut Node) -> FlowSpec {
        let mut f =
            FlowSpec { id, title: None, description: None, budget_ms: None, steps: Vec::new() };
        let what = format!("flow `{}`", f.id.value);
        if !self.expect_map_or_null(node, &what) {
            return f;
        }
        let mut has_steps = false;
        self.fields(node, &what, FLOW_FIELDS, |r, key, value| match key {
            "title" => f.title = r.string(value, key),
            "description" => f.description = r.string(value, key),
            "budget_ms" => f.budget_ms = r.positive(value, key, 1),
            "steps" => {
                has_steps = true;
                f.steps = r.steps(value, &what);
            }
            _ => unreachable!("fields() only passes known keys"),
        });
        if !has_steps {
            self.missing(node.span, "steps", &what, "list the flow's messages under `steps`");
        }
        f
    }

    fn steps(&mut self, node: &mut Node, what: &str) -> Vec<StepSpec> {
        match &mut node.value {
            Value::Seq(items) => {
                items.iter_mut().filter_map(|item| self.step(item, what)).collect()
            }
            Value::Null => Vec::new(),
            other => {
                self.wrong_type(
                    node.span,
                    &format!("`steps` of {what}"),
                    "a list of steps (`from`/`to` maps, `par` or `loop` blocks)",
                    other,
                );
                Vec::new()
            }
        }
    }

    fn step(&mut self, node: &mut Node, what: &str) -> Option<StepSpec> {
        let Value::Map(entries) = &node.value else {
            self.wrong_type(
                node.span,
                &format!("a step of {what}"),
                "a map with `from` and `to`, `par` or `loop`",
                &node.value,
            );
            return None;
        };
        let has =
            |k: &str| entries.iter().any(|(key, _)| matches!(&key.value, Value::Str(s) if s == k));
        if has("par") {
            return Some(self.par(node, what));
        }
        if has("loop") {
            return Some(self.repeat(node, what));
        }
        self.message(node, what).map(|m| StepSpec::Message(Box::new(m)))
    }

    fn par(&mut self, node: &mut Node, what: &str) -> StepSpec {
        let mut label = None;
        let mut branches = Vec::new();
        let block = format!("a `par` block of {what}");
        self.fields(node, &block, PAR_FIELDS, |r, key, value| match key {
            "label" => label = r.string(value, key),
            "par" => match &mut value.value {
                Value::Seq(items) => {
                    for item in items.iter_mut() {
                        if let Some(b) = r.branch(item, what) {
                            branches.push(b);
                        }
                    }
                }
                other => r.wrong_type(value.span, "`par`", "a list of branches", other),
            },
            _ => unreachable!("fields() only passes known keys"),
        });
        StepSpec::Par { span: node.span, label, branches }
    }

    fn branch(
        &mut self,
        node: &mut Node,
        what: &str,
    ) -> Option<(Option<Spanned<String>>, Vec<StepSpec>)> {
        match &node.value {
            Value::Seq(_) => Some((None, self.steps(node, what))),
            Value::Map(_) => {
                let mut label = None;
                let mut steps = Vec::new();
                let mut has_steps = false;
                let branch = format!("a branch of {what}");
                self.fields(node, &branch, BRANCH_FIELDS, |r, key, value| match key {
                    "label" => label = r.string(value, key),
                    "steps" => {
                        has_steps = true;
                        steps = r.steps(value, what);
                    }
                    _ => unreachable!("fields() only passes known keys"),
                });
                if !has_steps {
                    self.missing(node.span, "steps", &branch, "list the branch's steps");
                }
                Some((label, steps))
            }
            other => {
                self.wrong_type(
                    node.span,
                    &format!("a branch of {what}"),
                    "a list of steps, or a map with `label` and `steps`",
                    other,
                );
                None
            }
        }
    }

    fn repeat(&mut self, node: &mut Node, what: &str) -> StepSpec {
        let mut label = None;
        let mut steps = Vec::new();
        let block = format!("a `loop` block of {what}");
        let mut has_steps = false;
        self.fields(node, &block, LOOP_FIELDS, |r, key, value| match key {
            "loop" => label = r.string(value, key),
            "steps" => {
                has_steps = true;
                steps = r.steps(value, what);
            }
            _ => unreachable!("fields() only passes known keys"),
        });
        if !has_steps {
            self.missing(node.span, "steps", &block, "list the repeated steps under `steps`");
        }
        StepSpec::Loop { span: node.span, label, steps }
    }

    fn message(&mut self, node: &mut Node, what: &str) -> Option<MessageSpec> {
        let mut from = None;
        let mut to = None;
        let mut m = MessageSpec {
            span: node.span,
            from: Spanned::new(String::new(), node.span),
            to: Spanned::new(String::new(), node.span),
            label: None,
            asynchronous: None,
            optional: false,
            returns: None,
            protocol: None,
        };
        let step = format!("a step of {what}");
        self.fields(node, &step, MESSAGE_FIELDS, |r, key, value| match key {
            "from" => from = r.flow_id(value, key),
            "to" => to = r.flow_id(value, key),
            "label" => m.label = r.string(value, key),
            "async" => {
                m.asynchronous = r.bool(value, key).map(|b| Spanned::new(b, value.span));
            }
            "optional" => m.optional = r.bool(value, key).unwrap_or(false),
            "returns" => m.returns = r.string(value, key),
            "protocol" => m.protocol = r.string(value, key),
            _ => unreachable!("fields() only passes known keys"),
        });
        let keys_written = |k: &str| match &node.value {
            Value::Map(entries) => {
                entries.iter().any(|(key, _)| matches!(&key.value, Value::Str(s) if s == k))
            }
            _ => false,
        };
        for (field, found) in [("from", from.is_some()), ("to", to.is_some())] {
            if !found && !keys_written(field) {
                self.missing(
                    node.span,
                    field,
                    &step,
                    "a step is `{from: CALLER, to: CALLEE}`; blocks are `par: [[steps], [steps]]` and `loop: TEXT` with `steps`",
                );
            }
        }
        m.from = from?;
        m.to = to?;
        Some(m)
    }

    /// A component id named by a step; checked against the id grammar.
    fn flow_id(&mut self, node: &mut Node, field: &str) -> Option<Spanned<String>> {
        let s = self.string(node, field)?;
        self.check_id(&s.value, s.span, "component").then_some(s)
    }
}

/// Counts the messages of `steps`, blocks included.
#[must_use]
pub(crate) fn count_messages(steps: &[StepSpec]) -> usize {
    steps
        .iter()
        .map(|s| match s {
            StepSpec::Message(_) => 1,
            StepSpec::Par { branches, .. } => branches.iter().map(|(_, b)| count_messages(b)).sum(),
            StepSpec::Loop { steps, .. } => count_messages(steps),
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::manifest::schema::read;
    use crate::manifest::yaml;
    use crate::source::{FileId, SourceFile};

    fn read_text(text: &str) -> (Vec<FlowSpec>, Vec<Diagnostic>) {
        let file = SourceFile::new("t.yaml", text.to_string());
        let mut left = yaml::MAX_VALUES;
        let tree = yaml::parse(FileId(0), &file, &mut left).unwrap();
        let mut diags = Vec::new();
        let m = read(FileId(0), tree, &mut diags);
        (m.flows, diags)
    }

    #[test]
    fn messages_blocks_and_their_spans_are_read() {
        let text = "version: 1\nname: T\nservices: {a: {}}\nflows:\n  f:\n    title: F\n    budget_ms: 300\n    steps:\n      - {from: a, to: b, label: go, async: true, returns: ok}\n      - par:\n          - [{from: b, to: c}]\n          - {label: other, steps: [{from: b, to: d}]}\n      - loop: each\n        steps: [{from: a, to: c, optional: true}]\n";
        let (flows, diags) = read_text(text);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(flows.len(), 1);
        let f = &flows[0];
        assert_eq!(f.budget_ms.as_ref().map(|b| b.value), Some(300));
        assert_eq!(count_messages(&f.steps), 4);
        let StepSpec::Message(m) = &f.steps[0] else { panic!("a message") };
        assert_eq!(&text[m.to.span.start..m.to.span.end], "b");
        assert_eq!(m.asynchronous.as_ref().map(|a| a.value), Some(true));
        let StepSpec::Par { branches, .. } = &f.steps[1] else { panic!("a par block") };
        assert_eq!(branches.len(), 2);
        assert_eq!(branches[1].0.as_ref().map(|l| l.value.as_str()), Some("other"));
        let StepSpec::Loop { label, steps, .. } = &f.steps[2] else { panic!("a loop") };
        assert_eq!(label.as_ref().map(|l| l.value.as_str()), Some("each"));
        let StepSpec::Message(m) = &steps[0] else { panic!("a message") };
        assert!(m.optional);
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let text = "version: 1\nname: T\nservices: {a: {}}\nflows:\n  f:\n    steps:\n      - {from: a}\n      - {form: a, to: b}\n      - {from: a, to: 'b c'}\n      - 3\n  g: {title: G}\n";
        let (flows, diags) = read_text(text);
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["AM104", "AM101", "AM104", "AM103", "AM102", "AM104"], "{diags:?}");
        assert!(diags[1].help.as_deref().unwrap_or("").contains("`from`"));
        assert!(flows[0].steps.is_empty());
    }
}
