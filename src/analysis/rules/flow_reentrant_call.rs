//! AM052 flow-reentrant-call.

use crate::analysis::rule::{Category, Rule, RuleContext, RuleMeta, finding};
use crate::diagnostic::Diagnostic;
use crate::model::{Event, Flow, Message, Model};
use crate::vocab::Level;

/// `a -> b -> c` for a chain of calls.
pub(crate) fn chain_names(model: &Model, chain: &[&Message]) -> Vec<String> {
    let mut names = Vec::with_capacity(chain.len() + 1);
    if let Some(first) = chain.first() {
        names.push(model.component(first.from).id.clone());
    }
    names.extend(chain.iter().map(|m| model.component(m.to).id.clone()));
    names
}

fn flow_reentrant_call(model: &Model, flow: &Flow, chain: &[&Message]) -> Diagnostic {
    let m = chain.last().expect("a chain ends with its call");
    let to = &model.component(m.to).id;
    let names = chain_names(model, chain);
    let mut d = finding(format!(
        "flow `{}` step {}: `{to}` is called again while it waits on its own call: {}",
        flow.id,
        m.number,
        names.join(" -> ")
    ))
    .with_label(m.to_span, format!("`{to}` is already in this chain of sync calls"))
    .with_note("a re-entrant sync call holds a thread (or a connection, a lock) of the component while it waits for itself: under load the pool runs dry and the flow deadlocks; it is a sync cycle in the running system")
    .with_help("make the call back asynchronous, pass the data the callee needs along with the first call, or move the work into the first component")
    .with_subjects(std::iter::once(flow.id.clone()).chain(names.iter().cloned()));
    for c in &chain[..chain.len() - 1] {
        d = d.with_label(c.span, format!("step {}", c.number));
    }
    d
}

/// AM052.
pub(crate) struct FlowReentrantCall;

static META: RuleMeta = RuleMeta {
    code: "AM052",
    id: "flow-reentrant-call",
    category: Category::Flows,
    default_level: Level::Warn,
    since: "0.1.0",
    summary: "a flow whose sync calls pass through a component that is already waiting in the same chain",
    facts: "the order of each flow's steps and whether each is sync (the step's `async`, else the dependency's mode); a step is read as answering every call made after the last call its sender received",
    docs: r"## What it flags
A flow in which a sync call reaches a component that is itself waiting, further up the same
chain of sync calls, for that call to come back: `web -> api -> auth -> api`. Calls nest as
in a sequence diagram: a sync message opens a call on its receiver; the receiver's own
messages are made inside it; a message from a component lower in the chain ends the calls
above it; the end of a `par` branch or a `loop` ends the calls made in it.

## Why it matters
A component that calls itself back synchronously holds a thread, connection or lock while it
waits for itself. Under load the pool runs dry and every request stalls: a sync cycle (AM010)
that the dependency graph may not show, because each dependency alone is fine.

## Example
```yaml
version: 1
name: Shop
services:
  api: { depends_on: [auth] }
  auth: { depends_on: [api] }
flows:
  login:
    steps:
      - { from: api, to: auth }
      - { from: auth, to: api, label: fetch profile }
```

## How to fix
Send the data the callee needs with the first call, make the call back asynchronous, or move
the work to one side.
",
    params: &[],
};

impl Rule for FlowReentrantCall {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, model: &Model, cx: &mut RuleContext<'_>) {
        for flow in model.flows() {
            let callers = flow.callers();
            for e in flow.events() {
                if let Event::Send { message, reentrant: true, .. } = e {
                    cx.report(flow_reentrant_call(model, flow, &Flow::chain(&callers, message)));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::testing::{run, subjects};

    const BASE: &str = "version: 1\nname: T\nservices:\n  a: { depends_on: [b] }\n  b: { depends_on: [c, q] }\n  c: { depends_on: [b, a] }\n  q: { kind: queue }\nflows:\n  f:\n    steps:\n";

    #[test]
    fn a_call_back_into_a_waiting_component_is_flagged_once() {
        let found = run(
            &FlowReentrantCall,
            &format!(
                "{BASE}      - {{from: a, to: b}}\n      - {{from: b, to: c}}\n      - {{from: c, to: a}}\n"
            ),
        );
        assert_eq!(subjects(&found), ["f a b c a"]);
        assert_eq!(found[0].labels.len(), 3);
    }

    #[test]
    fn answered_and_async_calls_are_not_reentrant() {
        // b answers a's call before c calls b: c is called by b, then b calls on (no re-entry).
        let steps = "      - {from: a, to: b}\n      - {from: b, to: c}\n      - {from: b, to: q}\n      - {from: c, to: b, async: true}\n";
        assert!(run(&FlowReentrantCall, &format!("{BASE}{steps}")).is_empty());
        let loop_ =
            "      - loop: twice\n        steps: [{from: a, to: b}]\n      - {from: a, to: b}\n";
        assert!(run(&FlowReentrantCall, &format!("{BASE}{loop_}")).is_empty());
    }
}
