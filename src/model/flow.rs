//! Flows: the manifest's journeys, lowered onto the graph.
//!
//! Input: the manifests' `flows` and the finished graph. Output: [`Flow`]s whose messages name
//! components by index and the dependency each travels, numbered in reading order, and
//! [`Flow::events`], the one reading of a flow as calls, returns and frames that the checks and
//! the sequence diagram share. Invariants: every message's ends exist (a step naming an unknown
//! component is a defect and is left out); spans of every step and value are kept; message
//! numbers run 1, 2, … in the order the steps are written.

use std::collections::HashMap;

use petgraph::graph::EdgeIndex;
use rustc_hash::FxHashMap;

use super::{IdIndex, Model, RefKind, ServiceId, duplicate, unknown};
use crate::manifest::Manifest;
use crate::manifest::schema::{MessageSpec, StepSpec};
use crate::source::{Span, Spanned};
use crate::vocab::Mode;

/// A named journey through the system (an entry of `flows`).
#[derive(Clone, Debug)]
pub struct Flow {
    /// The manifest id.
    pub id: String,
    /// Where the id is written.
    pub span: Span,
    /// Title (defaults to the id).
    pub title: String,
    /// `description`.
    pub description: Option<String>,
    /// `budget_ms`.
    pub budget_ms: Option<Spanned<u32>>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// One step of a flow.
#[derive(Clone, Debug)]
pub enum Step {
    /// A message.
    Message(Message),
    /// Branches that run at the same time.
    Par {
        /// Where the block is written.
        span: Span,
        /// `label`.
        label: Option<String>,
        /// Each branch's label and steps.
        branches: Vec<(Option<String>, Vec<Step>)>,
    },
    /// Steps repeated.
    Loop {
        /// Where the block is written.
        span: Span,
        /// What is repeated.
        label: Option<String>,
        /// The steps.
        steps: Vec<Step>,
    },
}

/// How a message travels the declared dependencies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// Along the dependency `from → to`.
    Call(EdgeIndex<u32>),
    /// A queue or topic handing a message to a consumer: along `to → from`, backwards.
    Delivery(EdgeIndex<u32>),
    /// From a component to itself: internal work, no dependency needed.
    Internal,
    /// No dependency joins the two ends.
    Undeclared,
}

/// A message from one component to another.
#[derive(Clone, Debug)]
pub struct Message {
    /// 1-based, in the order the steps are written.
    pub number: usize,
    /// Where the step's map is written.
    pub span: Span,
    /// The caller.
    pub from: ServiceId,
    /// Where `from` is written.
    pub from_span: Span,
    /// The callee.
    pub to: ServiceId,
    /// Where `to` is written.
    pub to_span: Span,
    /// `label`.
    pub label: Option<String>,
    /// `async` as written.
    pub asynchronous: Option<Spanned<bool>>,
    /// Whether the caller goes on without waiting: `async` if written, else the dependency's
    /// mode (a delivery is async).
    pub is_async: bool,
    /// `optional`.
    pub optional: bool,
    /// `returns`.
    pub returns: Option<String>,
    /// `protocol` as written.
    pub protocol: Option<Spanned<String>>,
    /// The dependency it travels.
    pub route: Route,
}

impl Message {
    /// The dependency the message travels, if any.
    #[must_use]
    pub fn edge(&self) -> Option<EdgeIndex<u32>> {
        match self.route {
            Route::Call(e) | Route::Delivery(e) => Some(e),
            Route::Internal | Route::Undeclared => None,
        }
    }
}

/// One event of a flow read as a sequence diagram.
#[derive(Clone, Copy, Debug)]
pub enum Event<'f> {
    /// A message is sent. `caller` is the sync call the sender is serving (its activation),
    /// `depth` the number of sync calls open once this one is (0 for an async message),
    /// `thread` counts the times the sequence restarted from a component no open call reached.
    Send {
        /// The message.
        message: &'f Message,
        /// The sync call the sender is answering, if any.
        caller: Option<&'f Message>,
        /// Sync calls open after this one.
        depth: usize,
        /// Which thread of calls it belongs to; 0 is the flow's first.
        thread: usize,
        /// A component the sync call reaches that is already waiting in the same chain.
        reentrant: bool,
    },
    /// A sync call answers (its activation ends).
    Return(&'f Message),
    /// A `par` or `loop` block opens.
    Open {
        /// True for `par`.
        par: bool,
        /// The block's label.
        label: Option<&'f str>,
        /// The label of a `par` block's first branch.
        first: Option<&'f str>,
    },
    /// The next branch of a `par` block starts (not sent before the first).
    Branch(Option<&'f str>),
    /// The innermost block closes.
    Close,
}

impl Flow {
    /// Every message, in number order.
    #[must_use]
    pub fn messages(&self) -> Vec<&Message> {
        fn walk<'f>(steps: &'f [Step], out: &mut Vec<&'f Message>) {
            for s in steps {
                match s {
                    Step::Message(m) => out.push(m),
                    Step::Par { branches, .. } => {
                        for (_, b) in branches {
                            walk(b, out);
                        }
                    }
                    Step::Loop { steps, .. } => walk(steps, out),
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.steps, &mut out);
        out
    }

    /// For each message (by number − 1), the sync call its sender was serving when it was sent.
    #[must_use]
    pub fn callers(&self) -> Vec<Option<&Message>> {
        let mut out = vec![None; self.messages().len()];
        for e in self.events() {
            if let Event::Send { message, caller, .. } = e {
                out[message.number - 1] = caller;
            }
        }
        out
    }

    /// The chain of sync calls that leads to `m`, outermost first, `m` last.
    #[must_use]
    pub fn chain<'f>(callers: &[Option<&'f Message>], m: &'f Message) -> Vec<&'f Message> {
        let mut chain = vec![m];
        let mut at = m;
        while let Some(c) = callers[at.number - 1] {
            chain.push(c);
            at = c;
        }
        chain.reverse();
        chain
    }

    /// The flow as calls, returns and frames. A sync message opens a call on its callee, which
    /// stays open until a message is sent from a component lower in the chain, a block or
    /// branch ends, or the flow ends; a message from a component no open call reaches starts a
    /// new thread. Every sync call gets exactly one [`Event::Return`].
    #[must_use]
    pub fn events(&self) -> Vec<Event<'_>> {
        let mut w = Walk {
            stack: Vec::new(),
            at: HashMap::new(),
            calls: 0,
            out: Vec::new(),
            thread: 0,
            started: false,
        };
        w.steps(&self.steps);
        w.unwind(0);
        w.out
    }
}

struct Walk<'f> {
    /// Open activations: the component and the sync call that opened it (None for the start).
    stack: Vec<(ServiceId, Option<&'f Message>)>,
    /// Where each component stands in `stack`, lowest first. Looked up, never iterated: a
    /// chain of 100,000 nested calls costs linear time.
    at: HashMap<ServiceId, Vec<usize>>,
    /// How many entries of `stack` are sync calls.
    calls: usize,
    out: Vec<Event<'f>>,
    thread: usize,
    started: bool,
}

impl<'f> Walk<'f> {
    fn unwind(&mut self, to: usize) {
        while self.stack.len() > to {
            let Some((c, call)) = self.stack.pop() else { break };
            if let Some(v) = self.at.get_mut(&c) {
                v.pop();
            }
            if let Some(m) = call {
                self.calls -= 1;
                self.out.push(Event::Return(m));
            }
        }
    }

    fn push(&mut self, c: ServiceId, call: Option<&'f Message>) {
        self.at.entry(c).or_default().push(self.stack.len());
        self.calls += usize::from(call.is_some());
        self.stack.push((c, call));
    }

    /// The topmost place of `c` in the stack.
    fn top_of(&self, c: ServiceId) -> Option<usize> {
        self.at.get(&c).and_then(|v| v.last().copied())
    }

    fn steps(&mut self, steps: &'f [Step]) {
        for s in steps {
            match s {
                Step::Message(m) => self.message(m),
                Step::Par { label, branches, .. } => {
                    for (_, b) in branches {
                        self.settle(b);
                    }
                    let base = self.stack.len();
                    let first = branches.first().and_then(|(l, _)| l.as_deref());
                    self.out.push(Event::Open { par: true, label: label.as_deref(), first });
                    for (i, (blabel, b)) in branches.iter().enumerate() {
                        if i > 0 {
                            self.out.push(Event::Branch(blabel.as_deref()));
                        }
                        self.steps(b);
                        self.unwind(base);
                    }
                    self.out.push(Event::Close);
                }
                Step::Loop { label, steps, .. } => {
                    self.settle(steps);
                    let base = self.stack.len();
                    self.out.push(Event::Open { par: false, label: label.as_deref(), first: None });
                    self.steps(steps);
                    self.unwind(base);
                    self.out.push(Event::Close);
                }
            }
        }
    }

    /// Before a block opens: the calls that its first message shows to have answered end
    /// outside the block.
    fn settle(&mut self, steps: &'f [Step]) {
        if let Some(first) = first_message(steps)
            && let Some(i) = self.top_of(first.from)
        {
            self.unwind(i + 1);
        }
    }

    fn message(&mut self, m: &'f Message) {
        if let Some(i) = self.top_of(m.from) {
            self.unwind(i + 1);
        } else {
            self.unwind(0);
            if self.started {
                self.thread += 1;
            }
            self.push(m.from, None);
        }
        self.started = true;
        let caller = self.stack.last().and_then(|(_, c)| *c);
        let sync = !m.is_async && m.from != m.to;
        let reentrant = sync && self.top_of(m.to).is_some();
        if sync {
            self.push(m.to, Some(m));
        }
        let depth = if sync { self.calls } else { 0 };
        self.out.push(Event::Send { message: m, caller, depth, thread: self.thread, reentrant });
    }
}

/// The first message of `steps`, blocks included.
fn first_message(steps: &[Step]) -> Option<&Message> {
    steps.iter().find_map(|s| match s {
        Step::Message(m) => Some(m),
        Step::Par { branches, .. } => branches.iter().find_map(|(_, b)| first_message(b)),
        Step::Loop { steps, .. } => first_message(steps),
    })
}

/// Adds the first flow of each id to the model, resolving the components its steps name.
pub(crate) fn lower_flows(model: &mut Model, manifests: &[Manifest], ids: &[String]) {
    if manifests.iter().all(|m| m.flows.is_empty()) {
        return;
    }
    // Looked up, never iterated: a hub with 100,000 dependencies costs each step one lookup.
    let edges: Edges = model
        .graph
        .edge_indices()
        .filter_map(|e| model.graph.edge_endpoints(e).map(|ends| (ends, e)))
        .collect();
    let mut spans: IdIndex<Span> = IdIndex::default();
    for f in manifests.iter().flat_map(|m| &m.flows) {
        if let Some(first) = spans.get(&f.id.value) {
            model.defects.push(duplicate("flow", &f.id, *first));
            continue;
        }
        spans.insert(f.id.value.clone(), f.id.span);
        let mut number = 0;
        let steps = lower_steps(model, &f.steps, &f.id.value, ids, &mut number, &edges);
        model.flows.push(Flow {
            id: f.id.value.clone(),
            span: f.id.span,
            title: f.title.as_ref().map_or_else(|| f.id.value.clone(), |t| t.value.clone()),
            description: f.description.as_ref().map(|d| d.value.clone()),
            budget_ms: f.budget_ms.clone(),
            steps,
        });
    }
}

/// Every dependency by its ends.
type Edges = FxHashMap<(ServiceId, ServiceId), EdgeIndex<u32>>;

fn lower_steps(
    model: &mut Model,
    specs: &[StepSpec],
    flow: &str,
    ids: &[String],
    number: &mut usize,
    edges: &Edges,
) -> Vec<Step> {
    let mut out = Vec::new();
    for s in specs {
        match s {
            StepSpec::Message(m) => {
                if let Some(m) = lower_message(model, m, flow, ids, number, edges) {
                    out.push(Step::Message(m));
                }
            }
            StepSpec::Par { span, label, branches } => {
                let branches = branches
                    .iter()
                    .map(|(l, b)| {
                        (
                            l.as_ref().map(|l| l.value.clone()),
                            lower_steps(model, b, flow, ids, number, edges),
                        )
                    })
                    .collect();
                out.push(Step::Par {
                    span: *span,
                    label: label.as_ref().map(|l| l.value.clone()),
                    branches,
                });
            }
            StepSpec::Loop { span, label, steps } => {
                let steps = lower_steps(model, steps, flow, ids, number, edges);
                out.push(Step::Loop {
                    span: *span,
                    label: label.as_ref().map(|l| l.value.clone()),
                    steps,
                });
            }
        }
    }
    out
}

fn lower_message(
    model: &mut Model,
    m: &MessageSpec,
    flow: &str,
    ids: &[String],
    number: &mut usize,
    edges: &Edges,
) -> Option<Message> {
    let from = model.find(&m.from.value);
    let to = model.find(&m.to.value);
    for (name, found) in [(&m.from, from), (&m.to, to)] {
        if found.is_none() {
            model.defects.push(unknown(RefKind::FlowComponent, name, flow, ids));
        }
    }
    let (from, to) = (from?, to?);
    *number += 1;
    let route = if from == to {
        Route::Internal
    } else if let Some(&e) = edges.get(&(from, to)) {
        Route::Call(e)
    } else if let Some(&e) =
        edges.get(&(to, from)).filter(|_| model.component(from).kind.is_messaging())
    {
        Route::Delivery(e)
    } else {
        Route::Undeclared
    };
    let declared_async = match route {
        Route::Call(e) => model.graph[e].mode == Mode::Async,
        Route::Delivery(_) => true,
        Route::Internal | Route::Undeclared => false,
    };
    Some(Message {
        number: *number,
        span: m.span,
        from,
        from_span: m.from.span,
        to,
        to_span: m.to.span,
        label: m.label.as_ref().map(|l| l.value.clone()),
        asynchronous: m.asynchronous.clone(),
        is_async: m.asynchronous.as_ref().map_or(declared_async, |a| a.value),
        optional: m.optional,
        returns: m.returns.as_ref().map(|r| r.value.clone()),
        protocol: m.protocol.clone(),
        route,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::model as model_of;

    fn trace(model: &Model, flow: &Flow) -> Vec<String> {
        let name =
            |m: &Message| format!("{}>{}", model.component(m.from).id, model.component(m.to).id);
        flow.events()
            .iter()
            .map(|e| match e {
                Event::Send { message, depth, thread, reentrant, .. } => format!(
                    "{} d{depth} t{thread}{}",
                    name(message),
                    if *reentrant { " re" } else { "" }
                ),
                Event::Return(m) => format!("<{}", name(m)),
                Event::Open { par, .. } => if *par { "par" } else { "loop" }.into(),
                Event::Branch(_) => "and".into(),
                Event::Close => "end".into(),
            })
            .collect()
    }

    #[test]
    fn calls_nest_return_and_restart_threads() {
        let model = model_of(
            r"
version: 1
name: T
services:
  web: { depends_on: [api] }
  api: { depends_on: [db, bus, auth] }
  auth: { depends_on: [api] }
  db: { kind: database }
  bus: { kind: topic }
  worker: { depends_on: [bus] }
flows:
  f:
    steps:
      - { from: web, to: api }
      - { from: api, to: auth }
      - { from: auth, to: api }
      - { from: api, to: db }
      - par:
          - [{ from: api, to: bus }]
          - [{ from: api, to: db }]
      - { from: bus, to: worker }
",
        );
        let flow = &model.flows()[0];
        assert_eq!(
            trace(&model, flow),
            [
                "web>api d1 t0",
                "api>auth d2 t0",
                "auth>api d3 t0 re",
                // The innermost `api` (the re-entrant call) sends on.
                "api>db d4 t0",
                "<api>db",
                "par",
                "api>bus d0 t0",
                "and",
                "api>db d4 t0",
                "<api>db",
                "end",
                "<auth>api",
                "<api>auth",
                "<web>api",
                "bus>worker d0 t1",
            ]
        );
        let routes: Vec<Route> = flow.messages().iter().map(|m| m.route).collect();
        assert!(matches!(routes[6], Route::Delivery(_)), "{routes:?}");
        assert!(flow.messages()[6].is_async);
        assert_eq!(
            flow.messages().iter().map(|m| m.number).collect::<Vec<_>>(),
            [1, 2, 3, 4, 5, 6, 7]
        );
    }

    #[test]
    fn unknown_components_are_defects_and_duplicate_flows_are_kept_once() {
        let model = model_of(
            r"
version: 1
name: T
services:
  web: { depends_on: [api] }
  api: {}
flows:
  f:
    steps: [{ from: web, to: apj }, { from: web, to: api }]
  f2:
    steps: []
",
        );
        assert_eq!(model.flows().len(), 2);
        assert_eq!(model.flows()[0].messages().len(), 1);
        assert_eq!(model.flows()[0].messages()[0].number, 1);
        assert!(model.defects.iter().any(|d| matches!(
            d,
            super::super::Defect::UnknownReference { kind: RefKind::FlowComponent, suggestion: Some(s), .. } if s == "api"
        )));
    }
}

#[cfg(test)]
mod large {
    use std::fmt::Write;

    /// A chain of 10,000 nested sync calls and 10,000 steps from one hub: the flow checks and
    /// the reading of calls stay linear (a quadratic walk would take minutes here).
    #[test]
    fn deep_and_wide_flows_stay_linear() {
        let n = 10_000;
        let mut yaml = String::from("version: 1\nname: T\nservices:\n");
        for i in 0..n {
            writeln!(yaml, "  s{i}: {{ depends_on: [s{}] }}", i + 1).unwrap();
        }
        writeln!(yaml, "  s{n}: {{}}").unwrap();
        yaml.push_str("flows:\n  deep:\n    steps:\n");
        for i in 0..n {
            writeln!(yaml, "      - {{ from: s{i}, to: s{} }}", i + 1).unwrap();
        }
        yaml.push_str("  wide:\n    steps:\n");
        for i in 0..n {
            writeln!(yaml, "      - {{ from: s0, to: s{} }}", i + 2).unwrap();
        }
        let m = crate::analysis::testing::model(&yaml);
        let mut found = Vec::new();
        for rule in crate::analysis::registry::RULES.iter().filter(|r| r.meta().code >= "AM050") {
            let meta = rule.meta();
            let mut cx =
                crate::analysis::RuleContext::new(meta, crate::diagnostic::Severity::Warn, None);
            rule.check(&m, &mut cx);
            found.extend(cx.into_reported().finish(&m, |_| true));
        }
        let count = |code: &str| found.iter().filter(|d| d.code == code).count();
        assert_eq!(count("AM053"), 1, "one flow too deep");
        assert_eq!(count("AM050"), n - 1, "every wide step but s0 -> s1... is undeclared");
    }
}
